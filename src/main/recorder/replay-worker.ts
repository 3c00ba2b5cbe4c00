/**
 * Replay (worker thread): reads a recorded session block by block and writes its records into a
 * ring — the same rings, readers and panels as live data. At 1× the records keep their recorded
 * inter-arrival times, at N× they come N times faster, at 'max' as fast as the ring takes them.
 * Times are shifted to now (receive, exchange and event time alike, so each record's wire latency
 * is the recorded one). A full ring makes replay wait, never drop: a session is a file, not a feed.
 * Pause, resume, speed and seek (to a time in the session) arrive as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { STREAM_COUNT, Stream } from '../../common/feed-model.ts';
import { Off, RECORD_SIZE, RecordKind } from '../../common/record.ts';
import { RingWriter } from '../../common/ring.ts';
import { FeedStat } from '../feeds/feed-protocol.ts';
import { openSession, readSession } from './session-reader.ts';

export interface ReplayWorkerData {
  dir: string;
  ring: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  /** Records per recorded second multiplier (1 = real time), or 'max'. */
  speed: number | 'max';
  /** Start at this recorded time (epoch ms); 0 = the beginning. */
  from?: number;
  /** Replay again from the start when the session ends. */
  loop?: boolean;
}

export type ToReplay =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'speed'; speed: number | 'max' }
  | { type: 'seek'; to: number }
  | { type: 'stop' };

export interface ReplayProgress {
  records: number;
  /** Recorded time of the last record written (epoch ms). */
  position: number;
  start: number;
  end: number;
  paused: boolean;
  done: boolean;
  corruptBlocks: number;
  truncatedBytes: number;
}

export type FromReplay =
  | {
      type: 'opened';
      start: number;
      end: number;
      instruments: { instrumentId: number; feedId: number; venue: string; symbol: string }[];
    }
  | { type: 'progress'; progress: ReplayProgress }
  | { type: 'error'; message: string }
  | { type: 'done'; progress: ReplayProgress };

const cfg = workerData as ReplayWorkerData;
const port = parentPort!;
const ring = new RingWriter(cfg.ring);
const view = ring.data;
const out = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
const stats = new Float64Array(cfg.stats);

let speed = cfg.speed;
let paused = false;
let stopping = false;
let seekTo: number | null = cfg.from && cfg.from > 0 ? cfg.from : null;
const progress: ReplayProgress = {
  records: 0,
  position: 0,
  start: 0,
  end: 0,
  paused: false,
  done: false,
  corruptBlocks: 0,
  truncatedBytes: 0,
};

/** Wall time (epoch ms) at which recorded time `anchorT` is replayed; re-anchored on pause, speed, seek. */
let anchorWall = 0;
let anchorT = 0;

function wallOf(t: number): number {
  return speed === 'max' ? 0 : anchorWall + (t - anchorT) / speed;
}

function reanchor(t: number): void {
  anchorWall = Date.now();
  anchorT = t;
}

port.on('message', (m: ToReplay) => {
  if (m.type === 'pause') paused = true;
  else if (m.type === 'resume') {
    paused = false;
    reanchor(progress.position);
  } else if (m.type === 'speed') {
    speed = m.speed;
    reanchor(progress.position);
  } else if (m.type === 'seek') seekTo = m.to;
  else if (m.type === 'stop') stopping = true;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A replayed record counts as a message of the stream its kind came from (gaps: other). */
const STREAM_OF_RECORD = new Uint8Array(256).fill(Stream.other);
STREAM_OF_RECORD[RecordKind.trade] = Stream.trades;
STREAM_OF_RECORD[RecordKind.bookTop] = Stream.top;
STREAM_OF_RECORD[RecordKind.bookDelta] = Stream.book;
STREAM_OF_RECORD[RecordKind.bookReset] = Stream.book;
/** Messages then bytes of each stream in the batch being written. */
const streamCounts = new Float64Array(STREAM_COUNT * 2);

/** Writes records[from, to) into the ring, times shifted so that recorded t lands at wall(t). */
async function write(records: Uint8Array, from: number, to: number): Promise<void> {
  const src = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let i = from;
  while (i < to && !stopping) {
    const n = Math.min(256, to - i);
    if (!ring.tryClaim(n)) {
      await sleep(1); // a lossless reader is a full ring behind: wait for it
      continue;
    }
    const base = ring.nextIndex;
    const now = Date.now();
    let bytes = 0;
    streamCounts.fill(0);
    for (let k = 0; k < n; k++) {
      const s = (i + k) * RECORD_SIZE;
      const at = ring.offsetOf((base + k) >>> 0);
      out.set(records.subarray(s, s + RECORD_SIZE), at);
      const t = src.getFloat64(s + Off.receiveTime, true);
      const shift = (speed === 'max' ? now : wallOf(t)) - t;
      view.setFloat64(at + Off.receiveTime, t + shift, true);
      view.setFloat64(at + Off.exchangeTime, src.getFloat64(s + Off.exchangeTime, true) + shift, true);
      view.setFloat64(at + Off.eventTime, src.getFloat64(s + Off.eventTime, true) + shift, true);
      const wire = src.getUint32(s + Off.wireBytes, true);
      const stream = STREAM_OF_RECORD[src.getUint8(s + Off.kind)] ?? Stream.other;
      streamCounts[stream]! += 1;
      streamCounts[STREAM_COUNT + stream]! += wire;
      bytes += wire;
      progress.position = t;
    }
    ring.publish(n);
    stats[FeedStat.messages]! += n;
    stats[FeedStat.bytes]! += bytes;
    for (let k = 0; k < STREAM_COUNT; k++) {
      stats[FeedStat.streamMessages + k]! += streamCounts[k]!;
      stats[FeedStat.streamBytes + k]! += streamCounts[STREAM_COUNT + k]!;
    }
    stats[FeedStat.lastMessageAt] = now;
    progress.records += n;
    i += n;
  }
}

async function replayOnce(): Promise<boolean> {
  const session = await openSession(cfg.dir);
  let first = true;
  for await (const e of readSession(session)) {
    if (stopping) return false;
    if (e.type === 'corrupt') {
      progress.corruptBlocks++;
      continue;
    }
    if (e.type === 'truncated') {
      progress.truncatedBytes += e.bytes;
      continue;
    }
    if (e.type !== 'block') continue;
    if (first) {
      first = false;
      if (progress.start === 0) progress.start = e.header.firstTime;
      reanchor(seekTo ?? e.header.firstTime);
    }
    if (seekTo !== null) {
      if (e.header.lastTime < seekTo) continue;
      reanchor(seekTo);
      seekTo = null;
    }
    const recs = e.records;
    const n = recs.length / RECORD_SIZE;
    const src = new DataView(recs.buffer, recs.byteOffset, recs.byteLength);
    let i = 0;
    while (i < n && !stopping) {
      while (paused && !stopping) await sleep(20);
      if (seekTo !== null) return true; // a seek restarts the read from the session's start
      if (speed === 'max') {
        await write(recs, i, n);
        i = n;
        break;
      }
      // Everything due by now goes out at once; then sleep until the next record is due.
      const now = Date.now();
      let j = i;
      while (j < n && wallOf(src.getFloat64(j * RECORD_SIZE + Off.receiveTime, true)) <= now) j++;
      if (j > i) {
        await write(recs, i, j);
        i = j;
      } else {
        const wait = wallOf(src.getFloat64(i * RECORD_SIZE + Off.receiveTime, true)) - now;
        await sleep(Math.max(1, Math.min(wait, 50)));
      }
    }
  }
  return false;
}

async function main(): Promise<void> {
  try {
    const session = await openSession(cfg.dir);
    const m = session.manifest;
    progress.start = m?.start ?? 0;
    progress.end = m?.end ?? 0;
    port.postMessage({
      type: 'opened',
      start: progress.start,
      end: progress.end,
      instruments: (m?.instruments ?? []).map((i) => ({
        instrumentId: i.instrumentId,
        feedId: i.feedId,
        venue: i.venue,
        symbol: i.symbol,
      })),
    } satisfies FromReplay);
    const ticker = setInterval(() => {
      progress.paused = paused;
      port.postMessage({ type: 'progress', progress } satisfies FromReplay);
    }, 250);
    for (;;) {
      const again = await replayOnce();
      if (stopping) break;
      if (again) continue; // seek
      if (cfg.loop) {
        progress.start = 0;
        continue;
      }
      break;
    }
    clearInterval(ticker);
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies FromReplay);
  }
  progress.done = true;
  port.postMessage({ type: 'done', progress } satisfies FromReplay);
}

void main();
