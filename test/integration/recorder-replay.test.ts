/**
 * A session recorded from the simulator by a real `tickscope record`, then: `inspect --json`
 * agrees with what the recorder wrote; `replay --speed max` reads every record back; replay at 1×
 * through the engine's ring keeps the recorded pace (each record reaches the ring when its
 * recorded time, shifted to now, comes) and at 4× takes a quarter of the time.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Off } from '../../src/common/record.ts';
import { RingReader } from '../../src/common/ring.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import type { ReplayHost } from '../../src/main/recorder/replay-host.ts';

const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));
const feedWorkerUrl = new URL('../../src/main/feeds/feed-worker.ts', import.meta.url);
const replayWorkerUrl = new URL('../../src/main/recorder/replay-worker.ts', import.meta.url);
let dir = '';
let recorded = 0;

function run(args: string[]): { status: number | null; out: Record<string, unknown> } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  return { status: r.status, out: JSON.parse(lines.at(-1) ?? '{}') };
}

before(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'tickscope-replay-')), 'session');
  const r = run(['record', '--out', dir, '--duration', '3', '--sim-venues', 'binance,okx', '--json']);
  assert.equal(r.status, 0);
  recorded = r.out.records as number;
  assert.ok(recorded > 1000, `${recorded} records`);
});

test('inspect --json agrees with the recorder; replay --speed max reads every record', () => {
  const i = run(['inspect', dir, '--json']);
  assert.equal(i.status, 0);
  assert.equal(i.out.records, recorded);
  assert.equal(i.out.corruptBlocks, 0);
  assert.equal(i.out.truncatedBytes, 0);
  assert.ok((i.out.compressionRatio as number) > 1.5);
  const r = run(['replay', dir, '--speed', 'max', '--json']);
  assert.equal(r.status, 0);
  assert.equal(r.out.records, recorded);
});

async function replayAt(speed: number): Promise<{ seconds: number; lateMs: number[]; records: number }> {
  const engine = await Engine.start({ feedWorkerUrl, replay: { dir, speed, workerUrl: replayWorkerUrl } });
  const replay = engine.feeds[0] as ReplayHost;
  const reader = new RingReader(replay.ring, 'lossless');
  const late: number[] = [];
  let records = 0;
  const t0 = Date.now();
  const drain = (): void => {
    const now = Date.now();
    const n = reader.available();
    for (let k = 0; k < n; k++) {
      const at = reader.offsetOf(reader.cursor + k);
      late.push(now - reader.data.getFloat64(at + Off.receiveTime, true));
    }
    records += n;
    reader.advance(n);
  };
  const pump = setInterval(drain, 2);
  await replay.done;
  clearInterval(pump);
  drain();
  const seconds = (Date.now() - t0) / 1000;
  reader.close();
  await engine.stop();
  return { seconds, lateMs: late.sort((a, b) => a - b), records };
}

test('replay at 1× keeps the recorded pace; at 4× it takes a quarter of the time', async () => {
  const one = await replayAt(1);
  assert.equal(one.records, recorded);
  const p = (q: number) => one.lateMs[Math.floor(q * (one.lateMs.length - 1))]!;
  // Each record reaches the ring when its (shifted) recorded time comes: not early, barely late.
  assert.ok(p(0) > -5, `no record early (${p(0).toFixed(1)} ms)`);
  assert.ok(p(0.99) < 50, `p99 lateness ${p(0.99).toFixed(1)} ms`);
  assert.ok(one.seconds > 2.5 && one.seconds < 4.5, `a 3 s session took ${one.seconds.toFixed(2)} s at 1×`);
  const four = await replayAt(4);
  assert.equal(four.records, recorded);
  assert.ok(four.seconds < one.seconds / 2.5, `4× took ${four.seconds.toFixed(2)} s`);
  console.log(
    `replay 1×: ${one.seconds.toFixed(2)} s, lateness p50 ${p(0.5).toFixed(1)} ms p99 ${p(0.99).toFixed(1)} ms; 4×: ${four.seconds.toFixed(2)} s`,
  );
});
