/**
 * `tickscope sim --venue …`: flag errors in process (one line, exit 2), and one bounded run as a
 * child process: the URLs line first (--json), a client on one venue, the JSON summary.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VENUE_NAMES } from '../../src/common/venues.ts';
import { simCommand } from '../../src/main/cli/sim-command.ts';
import { connect, until } from './sim-venues-helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));

test('sim --venue: bad flags give one line and exit code 2', async () => {
  for (const [argv, msg] of [
    [['--venue', 'nyse'], /unknown venue 'nyse'/],
    [['--venue', 'okx', '--faults', 'stall@soon'], /bad time 'soon'/],
    [['--venue', 'okx', '--faults', 'nope'], /unknown fault 'nope'/],
    [['--venue', 'okx', '--faults', 'stall:kraken'], /venue 'kraken' is not in --venue okx/],
    [['--faults', 'dropped-delta'], /needs --venue/],
    [['--venue', 'okx', '--okx-checksum', 'maybe'], /real or zero/],
  ] as const) {
    const stderr: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void stderr.push(a.join(' '));
    let code: number;
    try {
      code = await simCommand([...argv]);
    } finally {
      console.error = orig;
    }
    assert.equal(code, 2, argv.join(' '));
    assert.equal(stderr.length, 1);
    assert.match(stderr[0]!, /^tickscope sim: /);
    assert.match(stderr[0]!, msg);
  }
});

test('sim --venue all --json: URLs first, a working venue, a summary with per-venue stats', async () => {
  const child = spawn(
    process.execPath,
    [
      bin,
      'sim',
      '--venue',
      'all',
      '--port',
      '0',
      '--rate',
      '300',
      '--duration',
      '2',
      '--json',
      '--faults',
      'dropped-delta:okx@500ms',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  try {
    await until(() => lines.length > 0, 8000, 'the URLs line');
    const { urls } = JSON.parse(lines[0]!) as { urls: Record<string, { ws: string; rest?: string }> };
    assert.deepEqual(Object.keys(urls), VENUE_NAMES);
    assert.match(urls.kraken!.ws, /\/v2$/);
    const c = await connect(urls.okx!.ws);
    c.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
    await c.next((f) => f.includes('"action":"update"'), 3000);
    assert.equal(await exited, 0);
    const summary = JSON.parse(lines.at(-1)!);
    assert.equal(summary.summary, true);
    assert.ok(summary.events > 0);
    assert.ok(summary.venues.okx.bookUpdates > 0);
    assert.equal(summary.venues.okx.droppedDeltas, 1);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
});
