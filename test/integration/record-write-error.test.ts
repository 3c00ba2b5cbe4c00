/**
 * `tickscope record` when the disk refuses a write: a real child process under a file size limit
 * (`ulimit -f`: writes past it fail with EFBIG, as on a full disk). The recording stops with a
 * clear message, the command ends by itself with exit 1 and its summary, and what was written
 * reads back.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspectSession } from '../../src/main/recorder/session-reader.ts';

const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'tickscope-record-efbig-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a write error stops the recording: exit 1 with the summary, not a hang; the session reads back', async () => {
  const dir = join(tmp, 'session');
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    // 4096 units of the shell's (512 or 1024 bytes): 2 or 4 MiB, room for at least one whole
    // block however far behind the recorder falls (a block is at most 16,384 records, 1 MiB
    // uncompressed), reached within seconds at this rate.
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        'ulimit -f 4096 && exec "$@"',
        'sh',
        process.execPath,
        bin,
        'record',
        '--out',
        dir,
        '--rate',
        '20000',
        '--compressors',
        '0',
        '--fsync-ms',
        '0',
        // Far past the 40 s below: only the write error can end this run in time.
        '--duration',
        '60',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
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
      reject(new Error(`record did not end after the write error: ${stderr}`));
    }, 40_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /tickscope record: recording stopped: EFBIG/);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.summary, true);
  assert.match(summary.error, /EFBIG/);
  const i = await inspectSession(dir);
  assert.ok(i.records > 0, 'what was written reads back');
  assert.ok(i.records <= summary.records);
});
