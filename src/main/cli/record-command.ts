/**
 * `tickscope record`: records a session to a folder — the simulator by default, or one live venue
 * (--venue, --symbols, --url, --rest-url) or a config file — until --duration, --max-messages or
 * Ctrl-C, then prints what was written. A disk error stops the recording with a clear message and
 * exit code 1; what was written stays readable (`tickscope inspect DIR`).
 */
import { createRequire } from 'node:module';
import { RingView } from '../../common/ring.ts';
import { Engine } from '../engine/engine.ts';
import { FeedStat } from '../feeds/feed-protocol.ts';
import { Codec } from '../recorder/block.ts';
import { Recorder } from '../recorder/recorder.ts';
import { intFlag, parseFlags, UsageError } from './args.ts';
import { configFromFlags } from './config-flags.ts';
import {
  sourceCompressWorkerUrl,
  sourceFeedWorkerUrl,
  sourceRecorderWorkerUrl,
  sourceSimWorkerUrl,
} from './paths.ts';
import { untilStopped } from './until-stopped.ts';

export const RECORD_USAGE = `usage: tickscope record --out DIR [--venue V --symbols A,B [--url WS_URL] [--rest-url URL]]
                       [--config FILE] [--sim-venues V,V] [--rate R|max] [--seed N] [--faults LIST]
                       [--duration SECONDS] [--max-messages N] [--compressors N] [--codec v2|v1]
                       [--fsync-ms MS] [--json]
  Records a session into DIR (a new folder): blocks of 64-byte records encoded by N workers
  (default 2; 0 stores them uncompressed) in codec v2 (integer columns per kind, then zstd; the
  default) or v1 (byte-shuffled, then zstd), fsync'ed every --fsync-ms (default 1000). Without a
  venue it records the simulator.`;

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

export async function recordCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    out: { type: 'string' },
    config: { type: 'string' },
    venue: { type: 'string' },
    symbols: { type: 'string' },
    url: { type: 'string' },
    'rest-url': { type: 'string' },
    'sim-venues': { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    duration: { type: 'string' },
    'max-messages': { type: 'string' },
    compressors: { type: 'string' },
    codec: { type: 'string' },
    'fsync-ms': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(RECORD_USAGE);
    return 0;
  }
  if (!values.out) throw new UsageError('--out DIR is required (a new folder for the session)');
  const duration = intFlag(values.duration, 'duration', 1, 30 * 24 * 3600, 0);
  const maxMessages = intFlag(values['max-messages'], 'max-messages', 1, Number.MAX_SAFE_INTEGER, 0);
  const workers = intFlag(values.compressors, 'compressors', 0, 16, 2);
  if (values.codec !== undefined && values.codec !== 'v1' && values.codec !== 'v2')
    throw new UsageError(`--codec must be v2 or v1, got '${values.codec}'`);
  const codec = values.codec === 'v1' ? Codec.zstd : Codec.columnar;
  const fsyncMs = intFlag(values['fsync-ms'], 'fsync-ms', 0, 3_600_000, 1000);
  const json = values.json === true;
  const config = await configFromFlags(values);
  const log = (line: string): void => {
    if (!json) console.error(line);
  };

  // The feeds wait for the recorder: a feed's first frames (its book snapshots) can reach the ring
  // within milliseconds of connecting, before a recorder started alongside has attached.
  const engine = await Engine.start({
    feedWorkerUrl: sourceFeedWorkerUrl(),
    simWorkerUrl: sourceSimWorkerUrl(),
    config,
    log,
    holdFeeds: true,
  });
  let failed: string | null = null;
  let recorder: Recorder;
  try {
    recorder = await Recorder.start({
      dir: values.out,
      app: `tickscope ${pkg.version}`,
      feeds: engine.feeds,
      workerUrl: sourceRecorderWorkerUrl(),
      compressWorkerUrl: sourceCompressWorkerUrl(),
      workers,
      codec,
      fsyncMs,
      onError: (message) => {
        failed = message;
        console.error(`tickscope record: recording stopped: ${message}`);
      },
    });
  } catch (err) {
    await engine.stop();
    console.error(`tickscope record: ${(err as Error).message}`);
    return 1;
  }
  // The recorder's readers are attached (it said 'started' after attaching them): from here on
  // it sees every record each feed writes, the first included.
  engine.startFeeds();
  log(`recording to ${values.out} (Ctrl-C to stop)`);
  const messages = (): number => engine.feeds.reduce((n, f) => n + f.stats[FeedStat.messages]!, 0);
  let stop!: () => void;
  const limit = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const poll = setInterval(() => {
    if ((maxMessages > 0 && messages() >= maxMessages) || failed) stop();
  }, 20);
  const report = setInterval(() => {
    const s = recorder.stats;
    log(
      `${s.records} records · ${s.blocks} blocks · ${(s.bytes / 1024).toFixed(0)} KiB · ratio ${s.bytes > 0 ? (s.rawBytes / s.bytes).toFixed(1) : '–'}`,
    );
  }, 1000);
  await Promise.race([untilStopped(duration), limit]);
  clearInterval(poll);
  clearInterval(report);
  // The feeds stop first, so that nothing is written after the recorder's last read: the session
  // ends with the last record the feeds wrote, and holds all of them.
  await engine.stop();
  const result = await recorder.stop();
  const dropped = engine.feeds.reduce((n, f) => n + f.stats[FeedStat.dropped]!, 0);
  const written = engine.feeds.reduce((n, f) => n + new RingView(f.ring).writes, 0);
  const s = result.stats;
  const summary = {
    summary: true,
    dir: values.out,
    messages: messages(),
    records: s.records,
    /** Records the feeds wrote to their rings: equal to `records` unless the recorder lost some. */
    written,
    blocks: s.blocks,
    compressedBlocks: s.compressedBlocks,
    uncompressedBlocks: s.rawBlocks,
    bytes: s.bytes,
    compressionRatio: s.bytes > 0 ? s.rawBytes / s.bytes : null,
    droppedByRing: dropped,
    error: result.error,
  };
  console.log(
    json
      ? JSON.stringify(summary)
      : `recorded ${s.records} records${written !== s.records ? ` (the feeds wrote ${written})` : ''} in ${s.blocks} blocks (${s.compressedBlocks} compressed), ${s.bytes} bytes, ratio ${summary.compressionRatio?.toFixed(1) ?? '–'}${dropped ? `; ${dropped} records dropped by a full ring` : ''}${result.error ? `; stopped early: ${result.error}` : ''}`,
  );
  return result.error ? 1 : 0;
}
