/**
 * The disk latency stage end to end, in process: the engine runner on the simulator, frames read
 * from a sink as the page would. Before a recording the disk slot of every METRICS section is
 * empty; while recording (fsync every 100 ms) it carries receive → durable latencies that agree
 * with the HISTOGRAM section's disk buckets; after the recording stops it is empty again.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../src/common/config.ts';
import { Stage } from '../../src/common/feed-model.ts';
import { createDecodedFrame, decodeFrame } from '../../src/common/frame.ts';
import { totalOf } from '../../src/common/latency-buckets.ts';
import {
  sourceCompressWorkerUrl,
  sourceExportWorkerUrl,
  sourceFeedWorkerUrl,
  sourceRecorderWorkerUrl,
  sourceReplayWorkerUrl,
  sourceSimWorkerUrl,
} from '../../src/main/cli/paths.ts';
import { EngineRunner } from '../../src/main/engine/engine-runner.ts';

interface Interval {
  end: number;
  disk: { count: number; p50: number; p99: number; max: number };
  wireCount: number;
  uiCount: number;
  histDisk: number;
  histDiskMax: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('disk stage: empty without a recording, receive → durable while recording, empty after', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'tickscope-disk-'));
  const parsed = parseConfig({
    version: 1,
    simulator: { venues: ['binance'], symbols: ['BTC-USDT', 'ETH-USDT'], rate: 2000, seed: 3 },
    recording: { fsyncMs: 100 },
  });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const runner = await EngineRunner.start(
    { feedWorkerUrl: sourceFeedWorkerUrl(), simWorkerUrl: sourceSimWorkerUrl() },
    parsed.config,
    null,
    {
      root: join(tmp, 'sessions'),
      app: 'disk-latency test',
      recorderWorkerUrl: sourceRecorderWorkerUrl(),
      compressWorkerUrl: sourceCompressWorkerUrl(),
      replayWorkerUrl: sourceReplayWorkerUrl(),
      exportWorkerUrl: sourceExportWorkerUrl(),
    },
  );
  const seen: Interval[] = [];
  const d = createDecodedFrame();
  const remove = runner.addSink({
    name: 'test',
    send(frame, done) {
      decodeFrame(frame, d);
      done();
      if (!d.hasMetrics) return;
      const m = d.metrics;
      assert.equal(m.stageCount, 4, 'four stage slots');
      assert.equal(d.hasHistograms, true, 'bucket counts with every metrics interval');
      const disk = m.stages[Stage.disk]!;
      const h = d.histograms.stages.slice(0, d.histograms.stageCount).find((s) => s.stage === Stage.disk)!;
      seen.push({
        end: m.end,
        disk: { count: disk.count, p50: disk.p50, p99: disk.p99, max: disk.max },
        wireCount: m.stages[Stage.wire]!.count,
        uiCount: m.stages[Stage.ui]!.count,
        histDisk: totalOf(h.counts),
        histDiskMax: h.max,
      });
    },
  });
  try {
    await sleep(1500);
    const before = seen.length;
    assert.ok(before >= 3, `intervals before recording: ${before}`);
    assert.ok(
      seen.every((s) => s.disk.count === 0 && s.histDisk === 0),
      'no disk samples without a recording',
    );
    assert.ok(
      seen.some((s) => s.wireCount > 0),
      'the wire stage is measured meanwhile',
    );
    assert.ok(
      seen.every((s) => s.uiCount === 0),
      'the engine leaves the UI slot to the renderer',
    );

    assert.deepEqual(await runner.sessionCommand({ action: 'record' }), { ok: true });
    await sleep(3000);
    const during = seen.slice(before);
    const withDisk = during.filter((s) => s.disk.count > 0);
    assert.ok(withDisk.length >= 3, `intervals with disk samples: ${withDisk.length} of ${during.length}`);
    let samples = 0;
    for (const s of withDisk) {
      samples += s.disk.count;
      assert.equal(s.histDisk, s.disk.count, 'HISTOGRAM buckets add up to the METRICS count');
      assert.equal(s.histDiskMax, s.disk.max);
      assert.ok(s.disk.p50 > 0 && s.disk.p50 <= s.disk.p99 && s.disk.p99 <= s.disk.max, JSON.stringify(s));
      // Blocks are cut every 250 ms and fsynced every 100 ms: well under 5 s on any disk.
      assert.ok(s.disk.max < 5_000_000, `disk max ${s.disk.max} µs`);
    }
    const p99s = withDisk.map((s) => s.disk.p99 / 1000).sort((a, b) => a - b);
    console.log(
      `disk stage while recording: ${samples} samples in ${withDisk.length} intervals; per-interval p99 median ${p99s[p99s.length >> 1]!.toFixed(1)} ms, worst ${p99s.at(-1)!.toFixed(1)} ms`,
    );

    assert.deepEqual(await runner.sessionCommand({ action: 'stop' }), { ok: true });
    await sleep(600); // the last blocks' close-time fsync lands in the next interval or two
    const after = seen.length;
    await sleep(1200);
    const quiet = seen.slice(after);
    assert.ok(quiet.length >= 3, `intervals after: ${quiet.length}`);
    assert.ok(
      quiet.every((s) => s.disk.count === 0 && s.histDisk === 0),
      'no disk samples after the recording stopped',
    );
  } finally {
    remove();
    await runner.stop();
    await rm(tmp, { recursive: true, force: true });
  }
});
