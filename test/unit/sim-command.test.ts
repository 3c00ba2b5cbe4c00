/**
 * `tickscope sim`: flag errors (one line on stderr, exit code 2) in process, and one bounded run as
 * a child process, the way a script uses it: read the URL from the first line, connect, read the
 * JSON stats lines and the summary.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { simCommand } from '../../src/main/cli/sim-command.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));

/** Runs simCommand with stderr captured. */
async function runCaptured(argv: string[]): Promise<{ code: number; stderr: string[] }> {
  const stderr: string[] = [];
  const orig = console.error;
  console.error = (...args: unknown[]) => {
    stderr.push(args.join(' '));
  };
  try {
    return { code: await simCommand(argv), stderr };
  } finally {
    console.error = orig;
  }
}

test('bad flags: one clear line on stderr and exit code 2', async () => {
  for (const [argv, msg] of [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--rate', 'fast'], /--rate must be a number, got 'fast'/],
    [['--rate', '0.5'], /--rate must be between 1 and/],
    [['--port', '70000'], /--port must be between 0 and 65535/],
    [['--port', '12.5'], /--port must be an integer/],
    [['--max-messages', '0'], /--max-messages must be between 1 and/],
    [['--duration', '0'], /--duration must be more than 0/],
    [['--symbols', 'BTC USDT'], /not a symbol/],
    [['--faults', 'bogus'], /unknown fault 'bogus'/],
  ] as const) {
    const { code, stderr } = await runCaptured([...argv]);
    assert.equal(code, 2, argv.join(' '));
    assert.equal(stderr.length, 1, `one line for ${argv.join(' ')}: ${stderr.join(' | ')}`);
    assert.match(stderr[0]!, /^tickscope sim: /);
    assert.match(stderr[0]!, msg);
  }
});

test('sim --json: URL first, JSON stats lines, a summary that matches what the client received', async () => {
  const child = spawn(
    process.execPath,
    [bin, 'sim', '--port', '0', '--rate', '300', '--seed', '3', '--duration', '2.5', '--json'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const firstLine = new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no URL in 8 s')), 8000);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      lines.push(l);
      if (lines.length === 1) {
        clearTimeout(t);
        resolve(l);
      }
    });
  });
  try {
    const url = await firstLine;
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    const ws = new WebSocket(`${url}/ws/btcusdt@trade`);
    let received = 0;
    ws.on('message', () => received++);
    // Leave cleanly before the simulator stops, so every frame sent is a frame received.
    await new Promise((r) => setTimeout(r, 1200));
    ws.close();
    await new Promise((r) => ws.once('close', r));
    assert.equal(await exited, 0);
    const json = lines.slice(1).map((l) => JSON.parse(l));
    const summary = json.at(-1);
    assert.equal(summary.summary, true);
    assert.ok(json.length >= 2, 'at least one stats line a second before the summary');
    for (const l of json.slice(0, -1)) {
      assert.deepEqual(Object.keys(l), [
        't',
        'connections',
        'tradesPerSec',
        'bytesPerSec',
        'tradesSent',
        'tradesGenerated',
      ]);
    }
    assert.ok(summary.tradesSent > 0, 'trades flowed to the client');
    assert.equal(summary.tradesSent, received);
    assert.equal(summary.sentBySymbol.BTCUSDT, received);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
});
