/**
 * Runs a Node 24 child process (or, with `command`, another program such as a shell that sets a
 * limit and execs Node) to its end and collects what it printed: `tickscope` commands as a user
 * runs them. One that does not end by itself in time is killed and rejects, so a hang
 * fails the test instead of stalling the suite.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const tickscopeBin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runNode(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; command?: string } = {},
): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.command ?? process.execPath, args, {
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not end: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
