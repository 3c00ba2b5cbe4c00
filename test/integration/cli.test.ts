/**
 * The `tickscope` command as a user runs it: a real child process on Node 24.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ComponentKind, FeedState } from '../../src/common/feed-model.ts';
import { createDecodedFrame, decodeFrame } from '../../src/common/frame.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));

function start(args: string[]): Promise<{ child: ChildProcess; first: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no output in 120 s')), 120_000);
    createInterface({ input: child.stdout! }).once('line', (first) => {
      clearTimeout(t);
      resolve({ child, first });
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

test('serve --port 0 prints its URL on a line of its own, serves an isolated page and streams frames', async () => {
  const { child, first } = await start(['serve', '--port', '0']);
  try {
    assert.match(first, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(first);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(await res.text(), /<div id="root">/);
    const ws = new WebSocket(`${first.replace('http', 'ws')}stream`, {
      headers: { Origin: first.slice(0, -1) },
    });
    const d = createDecodedFrame();
    let frames = 0;
    let metrics = 0;
    let live = false;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`frames ${frames}, metrics ${metrics}, live ${live}`)),
        15_000,
      );
      ws.on('message', (b: Buffer) => {
        decodeFrame(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), d);
        frames++;
        if (d.hasMetrics && d.metrics.feeds[0]!.messagesPerSec > 0) metrics++;
        if (d.feeds?.[0]?.state === FeedState.live) live = true;
        if (metrics >= 4 && live) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    ws.close();
    assert.ok(frames >= 20, `about 30 frames a second (${frames} by the 4th interval)`);
  } finally {
    assert.equal(await stop(child), 0, 'exits cleanly on SIGINT');
  }
});

test('sim prints its ws:// URL first; bad flags exit 2 with one clear line', async () => {
  const { child, first } = await start(['sim', '--port', '0', '--rate', '10']);
  assert.match(first, /^ws:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(await stop(child), 0);
  for (const [args, msg] of [
    [['serve', '--port', '70000'], /--port must be between 0 and 65535/],
    [['serve', '--bogus'], /Unknown option '--bogus'/],
    [['sim', '--rate', 'fast'], /--rate must be a number/],
    [['sim', '--faults', 'bogus'], /unknown fault 'bogus'/],
    [['serve', '--url', 'http://x'], /--url must use ws: or wss:/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ] as const) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, msg);
  }
});

test('serve --feeds 2 spreads the symbols over two feed workers, each with its own ring', async () => {
  const { child, first } = await start(['serve', '--port', '0', '--feeds', '2']);
  try {
    const ws = new WebSocket(`${first.replace('http', 'ws')}stream`, {
      headers: { Origin: first.slice(0, -1) },
    });
    const d = createDecodedFrame();
    const result = await new Promise<{ feeds: string[]; rings: string[]; live: number }>(
      (resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no two live feeds with their rings in 15 s')), 15_000);
        let feeds: string[] = [];
        let live = 0;
        ws.on('message', (b: Buffer) => {
          decodeFrame(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), d);
          if (d.feeds) {
            feeds = d.feeds.map((f) => f.name);
            live = d.feeds.filter((f) => f.state === FeedState.live).length;
          }
          const rings = (d.components ?? []).filter((c) => c.kind === ComponentKind.ring).map((c) => c.name);
          if (live === 2 && rings.length === 2 && d.hasMetrics && d.metrics.feedCount === 2) {
            clearTimeout(t);
            resolve({ feeds, rings, live });
          }
        });
      },
    );
    ws.close();
    assert.deepEqual(result.feeds, ['binance-sim-1', 'binance-sim-2']);
    assert.deepEqual(result.rings, ['ring binance-sim-1', 'ring binance-sim-2']);
  } finally {
    assert.equal(await stop(child), 0);
  }
});
