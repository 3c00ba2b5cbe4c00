/**
 * `tickscope serve --config FILE` and /api/config as the settings panel uses them: the simulator
 * speaks every venue by default, one feed each, all live; a change is validated, applied (the feeds
 * in the frames change) and saved to the file; bad requests get clear refusals and change nothing.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { FeedCounter, FeedState, type FeedStatus } from '../../src/common/feed-model.ts';
import { createDecodedFrame, decodeFrame } from '../../src/common/frame.ts';
import { VENUE_NAMES } from '../../src/common/venues.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));

function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no output in 120 s')), 120_000);
    createInterface({ input: child.stdout! }).once('line', (url) => {
      clearTimeout(t);
      resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}

/** Resolves with the feeds once `pred` holds for them (frames carry FEEDS at least once a second). */
function feedsWhen(url: string, pred: (feeds: FeedStatus[]) => boolean, ms = 20_000): Promise<FeedStatus[]> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}stream`, { headers: { Origin: url.slice(0, -1) } });
  const d = createDecodedFrame();
  return new Promise((resolve, reject) => {
    let last: FeedStatus[] = [];
    const t = setTimeout(() => {
      ws.close();
      reject(new Error(`feeds never matched: ${JSON.stringify(last.map((f) => [f.name, f.state]))}`));
    }, ms);
    ws.on('message', (b: Buffer) => {
      decodeFrame(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), d);
      if (!d.feeds) return;
      last = d.feeds;
      if (pred(d.feeds)) {
        clearTimeout(t);
        ws.close();
        resolve(d.feeds);
      }
    });
  });
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${url}api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url.slice(0, -1), ...headers },
    body,
  });

test('serve --config: every simulated venue live with books; settings applied, saved, and refused when bad', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tickscope-serve-'));
  const file = join(dir, 'config.json');
  const { child, url } = await start(['serve', '--port', '0', '--config', file]);
  try {
    const all = await feedsWhen(
      url,
      (f) =>
        f.length === VENUE_NAMES.length &&
        f.every((x) => x.state === FeedState.live && x.counters[FeedCounter.bookUpdates]! > 0),
    );
    assert.deepEqual(
      all.map((f) => f.name),
      VENUE_NAMES.map((v) => `${v}-sim`),
    );
    const got = (await (await fetch(`${url}api/config`)).json()) as { simulator: { venues: string[] } };
    assert.equal(got.simulator.venues.length, VENUE_NAMES.length);

    // Refusals first: nothing changes.
    assert.equal((await post(url, '{"simulator":{"venues":["nyse"]}}')).status, 422);
    assert.equal((await post(url, '{"simulator":')).status, 400);
    assert.equal((await post(url, '{}', { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post(url, '{}', { origin: 'http://evil.example' })).status, 403);
    assert.equal((await post(url, JSON.stringify({ pad: 'x'.repeat(70_000) }))).status, 413);

    const res = await post(
      url,
      JSON.stringify({ simulator: { venues: ['okx', 'kraken'], symbols: ['BTC-USDT'] } }),
    );
    assert.equal(res.status, 200);
    const reply = (await res.json()) as { ok: boolean; savedTo: string };
    assert.equal(reply.ok, true);
    assert.equal(reply.savedTo, file);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    assert.deepEqual(saved.simulator.venues, ['okx', 'kraken']);
    const two = await feedsWhen(url, (f) => f.length === 2 && f.every((x) => x.state === FeedState.live));
    assert.deepEqual(
      two.map((f) => f.name),
      ['okx-sim', 'kraken-sim'],
    );

    // Commands to one feed's connection, as the feed chips send them.
    const command = (body: unknown) =>
      fetch(`${url}api/feed-command`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url.slice(0, -1) },
        body: JSON.stringify(body),
      });
    assert.equal((await command({ feedId: 1, command: 'explode' })).status, 422);
    assert.equal((await command({ feedId: 9, command: 'reconnect' })).status, 404);
    assert.equal((await command({ feedId: 1, command: 'reconnect' })).status, 200);
    assert.equal((await command({ feedId: 2, command: 'resync' })).status, 200);
    const after = await feedsWhen(
      url,
      (f) =>
        f[0]!.reconnects >= 1 &&
        f[0]!.state === FeedState.live &&
        f[1]!.counters[FeedCounter.resyncs]! >= 1 &&
        f[1]!.state === FeedState.live,
    );
    assert.equal(after[1]!.reconnects, 0, 'a resync is not a reconnect');
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
});
