/**
 * `tickscope bench ingest`: one feed worker's ingest rate against its peers on the same stream, in
 * one run — the bare `ws` client receiving only (the limit), `ws` + `JSON.parse`, `ws` + a minimal
 * byte extractor, and ccxt pro's `watchTrades` — and one-way latency (the simulator's send stamp
 * → the record in the ring, or the peer's callback) at a fixed 20,000 messages/s.
 *
 * Every run gets a fresh simulator in a worker thread of its own and the subject in another (the
 * real feed worker through FeedHost, or a peer worker), so server and client never share a thread.
 * Runs are interleaved (one of each subject per round) and each figure is the median over rounds.
 * The simulator sends at 'max' as fast as the subject's socket drains; each throughput run also
 * records both threads' event-loop utilisation over the measured window, which says which side
 * was the limit (a subject below ~90 % while the simulator is near 100 % was fed too slowly).
 */
import { Worker } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import { Off, RecordKind, Venue } from '../../common/record.ts';
import { RingReader, RingView } from '../../common/ring.ts';
import { FeedHost } from '../feeds/feed-host.ts';
import { FeedStat } from '../feeds/feed-protocol.ts';
import type { VenueSimOptions } from '../sim/venue-sim.ts';
import type { PeerJob, PeerReport, PeerSubject } from './ingest-peer-worker.ts';
import type { ReplayOptions } from './ingest-replay-worker.ts';
import type { SourceStats } from './ingest-sim-worker.ts';

export type IngestSubject =
  | 'tickscope'
  | 'tickscope-book'
  | 'ws-receive'
  | 'ws-json-parse'
  | 'ws-extract'
  | 'ccxt';
export type IngestMetric = 'messages_per_s' | 'latency_p50_us' | 'latency_p99_us' | 'latency_p999_us';

export interface IngestRow {
  bench: 'ingest';
  subject: IngestSubject;
  metric: IngestMetric;
  value: number;
}

export interface IngestBenchOptions {
  /** Scales every message count (1 = the default sizes; tests use a small fraction). */
  scale?: number;
  /** Rounds of interleaved throughput runs; the median is reported. */
  repeat?: number;
  latencyRate?: number;
  latencySeconds?: number;
  onRow?: (row: IngestRow) => void;
  /** Only these subjects (table labels); all by default. */
  only?: string[];
  /** Skip the throughput runs (latency only). */
  latencyOnly?: boolean;
  /** Progress and notes (subjects skipped, which side was the limit), one line each. */
  log?: (line: string) => void;
}

const simWorkerUrl = new URL('./ingest-sim-worker.ts', import.meta.url);
const replayWorkerUrl = new URL('./ingest-replay-worker.ts', import.meta.url);
const peerWorkerUrl = new URL('./ingest-peer-worker.ts', import.meta.url);
const feedWorkerUrl = new URL('../feeds/feed-worker.ts', import.meta.url);
const SYMBOL = 'BTCUSDT';
/** The first 10 % of a throughput run is warm-up (JIT, TCP windows) and not timed. */
const WARMUP = 0.1;
/** Longest any single run may take before the benchmark gives up on it. */
const RUN_TIMEOUT_MS = 120_000;

type Elu = ReturnType<typeof performance.eventLoopUtilization>;

/**
 * Where a run's messages come from: the live simulator (`sim`), or `replay`, the simulator's own
 * frames sent pre-framed by ingest-replay-worker.ts, for throughput (see there why).
 */
export type Source = 'sim' | 'replay';

/** One simulator (or its replay) in its own worker thread. */
class SimWorker {
  readonly worker: Worker;
  readonly url: string;
  /** The replay's REST base (book mode serves the depth snapshot there). */
  readonly restUrl: string | undefined;

  private constructor(worker: Worker, url: string, restUrl?: string) {
    this.worker = worker;
    this.url = url;
    this.restUrl = restUrl;
  }

  static start(
    opts: Pick<VenueSimOptions, 'symbols' | 'rate' | 'maxEvents'>,
    source: Source = 'sim',
    streams: string[] = [],
    book = false,
  ): Promise<SimWorker> {
    const worker =
      source === 'sim'
        ? new Worker(simWorkerUrl, { workerData: opts, name: 'bench-simulator' })
        : new Worker(replayWorkerUrl, {
            workerData: {
              symbols: opts.symbols ?? [SYMBOL],
              streams,
              maxMessages: opts.maxEvents ?? Number.MAX_SAFE_INTEGER,
              book,
            } satisfies ReplayOptions,
            name: 'bench-replay',
          });
    return new Promise((resolve, reject) => {
      const onMessage = (m: { type: string; url: string; restUrl?: string }): void => {
        if (m.type !== 'ready') return;
        worker.off('message', onMessage);
        resolve(new SimWorker(worker, m.url, m.restUrl));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  elu(prev?: Elu): Elu {
    return this.worker.performance.eventLoopUtilization(prev);
  }

  stats(): Promise<SourceStats> {
    return new Promise((resolve) => {
      const onMessage = (m: { type: string; stats: SourceStats }): void => {
        if (m.type !== 'stats') return;
        this.worker.off('message', onMessage);
        resolve(m.stats);
      };
      this.worker.on('message', onMessage);
      this.worker.postMessage({ type: 'stats' });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.worker.on('message', (m: { type: string }) => {
        if (m.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
      this.worker.postMessage({ type: 'close' });
    });
    await this.worker.terminate();
  }
}

/** What one run measured. */
interface RunResult {
  /** Messages per second over the timed window (throughput runs). */
  rate: number;
  /** One-way latencies in µs (latency runs). */
  latencies: Float64Array | null;
  /** Event-loop utilisation of the simulator's and the subject's thread over the timed window. */
  simElu: number;
  subjectElu: number;
}

interface RunJob {
  /** 'max' for throughput, a rate for latency. */
  rate: number | 'max';
  expected: number;
  latency: boolean;
}

/**
 * One benchmark subject: how to tell whether it can run here, and one run against a fresh
 * simulator. Adding a subject (e.g. another venue's stream) is one more entry in SUBJECTS.
 */
interface SubjectSpec {
  subject: IngestSubject;
  /** Table label; unique. */
  label: string;
  /** Source of its throughput runs (latency runs always use the live simulator). */
  source: Source;
  /** Streams it reads (what a replay captures). */
  streams: string[];
  /** Reported in rows (--json); false for reference lines shown only in the table. */
  emit: boolean;
  /** Messages in one full-scale throughput run (about a second at its expected speed). */
  throughputMessages: number;
  /** Measured for latency at the fixed rate too. */
  latency: boolean;
  /** null when the subject can run; otherwise why not (printed, and its rows are left out). */
  unavailable(): Promise<string | null>;
  run(sim: SimWorker, job: RunJob): Promise<RunResult>;
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no result within ${RUN_TIMEOUT_MS} ms`)),
      RUN_TIMEOUT_MS,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A peer client (ws-*, ccxt) in a worker thread of its own. */
function peerSubject(
  subject: PeerSubject,
  throughputMessages: number,
  latency: boolean,
  source: Source = 'replay',
): SubjectSpec {
  return {
    subject,
    label: source === 'replay' ? subject : `${subject} ← simulator`,
    source,
    streams: ['btcusdt@trade'],
    emit: source === 'replay',
    throughputMessages,
    latency,
    unavailable: async () => null,
    run: (sim, job) =>
      new Promise<RunResult>((resolve, reject) => {
        const peerJob: PeerJob = {
          subject,
          url: sim.url,
          expected: job.expected,
          markAt: Math.floor(job.expected * WARMUP),
          latency: job.latency,
        };
        const worker = new Worker(peerWorkerUrl, { workerData: peerJob, name: `bench-${subject}` });
        let simElu: Elu | undefined;
        let subjectElu: Elu | undefined;
        worker.on('message', (m: { ready?: boolean; mark?: boolean; error?: string } & PeerReport) => {
          if (m.ready) {
            worker.postMessage('go');
          } else if (m.mark) {
            simElu = sim.elu();
            subjectElu = worker.performance.eventLoopUtilization();
          } else if (m.error !== undefined) {
            reject(new Error(`${subject}: ${m.error}`));
            void worker.terminate();
          } else {
            const s = simElu ? sim.elu(simElu).utilization : Number.NaN;
            const w = subjectElu
              ? worker.performance.eventLoopUtilization(subjectElu).utilization
              : Number.NaN;
            const timed = m.trades - peerJob.markAt;
            resolve({
              rate: timed / ((m.endTime - m.markTime) / 1000),
              latencies: m.latencies,
              simElu: s,
              subjectElu: w,
            });
            void worker.terminate();
          }
        });
        worker.once('error', reject);
      }),
  };
}

/**
 * The real feed worker through FeedHost, as the engine runs it. Throughput: no reader attached, the
 * feed publishes every record into the ring (a reader cannot hold it back); the window is timed
 * with the receive stamps of the records themselves, read from the ring at the window's ends.
 * Latency: a lossless reader on this thread reads each record's receiveTime − eventTime.
 */
function feedSubject(
  subject: 'tickscope' | 'tickscope-book',
  throughputMessages: number,
  latency: boolean,
  config: { symbols: string[]; streams: string[]; extra: Record<string, unknown> },
  /** Messages of this subject's kind the feed has received so far, from its shared counters. */
  count: (stats: Float64Array) => number,
  kind: number,
  unavailable: () => Promise<string | null>,
): SubjectSpec {
  return {
    subject,
    label: subject,
    source: 'replay',
    streams: config.streams,
    emit: true,
    throughputMessages,
    latency,
    unavailable,
    run: async (sim, job) => {
      const feed = new FeedHost(
        {
          feedId: 1,
          venue: Venue.binance,
          name: subject,
          url: sim.url,
          ...(sim.restUrl ? { restUrl: sim.restUrl } : {}),
          symbols: config.symbols,
          ringCapacity: 1 << 16,
          maxReaders: 2,
          ...config.extra,
        },
        feedWorkerUrl,
        { onChange() {}, onLog() {} },
      );
      const view = new RingView(feed.ring);
      const reader = job.latency ? new RingReader(feed.ring, 'lossless') : null;
      const lat = job.latency ? new Float64Array(job.expected) : null;
      let nLat = 0;
      const drain = (): void => {
        if (reader === null || lat === null) return;
        const n = reader.available();
        const d = reader.data;
        for (let k = 0; k < n; k++) {
          const at = reader.offsetOf(reader.cursor + k);
          if (d.getUint8(at + Off.kind) !== kind || nLat >= lat.length) continue;
          const us =
            (d.getFloat64(at + Off.receiveTime, true) - d.getFloat64(at + Off.eventTime, true)) * 1000;
          lat[nLat++] = us;
        }
        reader.advance(n);
      };
      /** Receive stamp of the newest record in the ring (ms, shared clock). */
      const lastReceive = (): number => {
        const w = view.writeIndex();
        return view.data.getFloat64(view.offsetOf((w - 1) >>> 0) + Off.receiveTime, true);
      };
      feed.start();
      const markAt = Math.floor(job.expected * WARMUP);
      let mark: { n: number; t: number; sim: Elu; feed: Elu } | null = null;
      const feedWorker = (): Worker | null => (feed as unknown as { worker: Worker | null }).worker;
      try {
        const result = await withTimeout(
          new Promise<RunResult>((resolve) => {
            const poll = setInterval(
              () => {
                drain();
                const n = count(feed.stats);
                if (mark === null && n > markAt) {
                  const w = feedWorker();
                  mark = {
                    n,
                    t: lastReceive(),
                    sim: sim.elu(),
                    feed: w ? w.performance.eventLoopUtilization() : (undefined as never),
                  };
                }
                const done = job.latency ? nLat >= job.expected : n >= job.expected;
                if (!done || mark === null) return;
                clearInterval(poll);
                const t = lastReceive();
                const w = feedWorker();
                resolve({
                  rate: (n - mark.n) / ((t - mark.t) / 1000),
                  latencies: lat,
                  simElu: sim.elu(mark.sim).utilization,
                  subjectElu:
                    w && mark.feed ? w.performance.eventLoopUtilization(mark.feed).utilization : Number.NaN,
                });
              },
              job.latency ? 20 : 5,
            );
          }),
          subject,
        );
        return result;
      } finally {
        reader?.close();
        await feed.stop();
      }
    },
  };
}

/**
 * `tickscope-book`: Binance diff-depth frames (book mode of the replay server: contiguous U/u, the
 * REST snapshot first), through the real feed's book path — decode, sequence rule, L2 book, one
 * bookDelta record per level.
 */
const BOOK_FEED_CONFIG: Record<string, unknown> = { books: true };

const SUBJECTS: SubjectSpec[] = [
  feedSubject(
    'tickscope',
    2_000_000,
    true,
    { symbols: [SYMBOL], streams: ['btcusdt@trade'], extra: { books: false } },
    (s) => s[FeedStat.trades]!,
    RecordKind.trade,
    async () => null,
  ),
  feedSubject(
    'tickscope-book',
    1_000_000,
    false,
    { symbols: [SYMBOL], streams: ['btcusdt@depth@100ms'], extra: BOOK_FEED_CONFIG },
    (s) => s[FeedStat.bookUpdates]!,
    RecordKind.bookDelta,
    async () => null,
  ),
  peerSubject('ws-receive', 2_000_000, false),
  peerSubject('ws-json-parse', 800_000, false),
  peerSubject('ws-extract', 2_000_000, true),
  peerSubject('ccxt', 200_000, true),
  // Reference: the receive-only client on the live simulator, i.e. the simulator's own ceiling.
  peerSubject('ws-receive', 1_000_000, false, 'sim'),
];

/** One run of one subject against a fresh simulator; checks the simulator sent what arrived. */
async function runOnce(spec: SubjectSpec, job: RunJob): Promise<RunResult> {
  const source = job.latency ? 'sim' : spec.source;
  const book = spec.subject === 'tickscope-book';
  const sim = await SimWorker.start(
    {
      symbols: [SYMBOL],
      rate: job.rate,
      // maxEvents counts trades: a live book stream is not capped by it (the run ends anyway).
      ...(book && source === 'sim' ? {} : { maxEvents: job.expected }),
    },
    source,
    spec.streams,
    book,
  );
  try {
    const r = await withTimeout(spec.run(sim, job), spec.label);
    if (!book) {
      // Every trade the server sent arrived: the subject's count is the wire's.
      const sent = (await sim.stats()).tradesSent;
      if (sent !== job.expected)
        throw new Error(`${spec.label}: the server sent ${sent} trades, expected ${job.expected}`);
    }
    return r;
  } finally {
    await sim.close();
  }
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)] ?? Number.NaN;
}

function percentiles(lat: Float64Array): { p50: number; p99: number; p999: number } {
  const h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  // The first 5 % is warm-up (JIT, connection start); values in tenths of µs, negatives as 0.
  for (let i = Math.floor(lat.length * 0.05); i < lat.length; i++) {
    h.recordValue(Math.max(0, Math.round(lat[i]! * 10)));
  }
  const at = (q: number): number => h.getValueAtPercentile(q) / 10;
  return { p50: at(50), p99: at(99), p999: at(99.9) };
}

/** Per subject, from the last run: throughput spread and the event-loop utilisations (medians). */
export interface IngestDetail {
  label: string;
  source: Source;
  rate: number;
  min: number;
  max: number;
  simElu: number;
  subjectElu: number;
}

export interface IngestResult {
  rows: IngestRow[];
  details: IngestDetail[];
  skipped: { subject: IngestSubject; why: string }[];
  latencyRate: number;
}

export async function runIngestBench(opts: IngestBenchOptions = {}): Promise<IngestResult> {
  const scale = opts.scale ?? 1;
  const repeat = Math.max(1, opts.repeat ?? 5);
  const log = opts.log ?? (() => {});
  const rows: IngestRow[] = [];
  const add = (subject: IngestSubject, metric: IngestMetric, value: number): void => {
    const row: IngestRow = { bench: 'ingest', subject, metric, value };
    rows.push(row);
    opts.onRow?.(row);
  };
  const subjects: SubjectSpec[] = [];
  const skipped: IngestResult['skipped'] = [];
  for (const s of SUBJECTS) {
    if (opts.only && !opts.only.includes(s.label)) continue;
    const why = await s.unavailable();
    if (why === null) subjects.push(s);
    else {
      skipped.push({ subject: s.subject, why });
      log(`${s.subject}: skipped — ${why}`);
    }
  }

  const runs = new Map<string, RunResult[]>(subjects.map((s) => [s.label, []]));
  for (let round = 0; round < (opts.latencyOnly ? 0 : repeat); round++) {
    for (const s of subjects) {
      const expected = Math.max(5000, Math.round(s.throughputMessages * scale));
      const r = await runOnce(s, { rate: 'max', expected, latency: false });
      runs.get(s.label)!.push(r);
      log(
        `round ${round + 1}/${repeat} ${s.label}: ${fmtRate(r.rate)} msg/s (server thread ${pct(r.simElu)} busy, subject ${pct(r.subjectElu)})`,
      );
    }
  }
  const details: IngestDetail[] = [];
  for (const s of opts.latencyOnly ? [] : subjects) {
    const rs = runs.get(s.label)!;
    const rates = rs.map((r) => r.rate);
    if (s.emit) add(s.subject, 'messages_per_s', median(rates));
    details.push({
      label: s.label,
      source: s.source,
      rate: median(rates),
      min: Math.min(...rates),
      max: Math.max(...rates),
      simElu: median(rs.map((r) => r.simElu)),
      subjectElu: median(rs.map((r) => r.subjectElu)),
    });
  }

  const latencyRate = opts.latencyRate ?? 20_000;
  const latencyMessages = Math.max(
    2000,
    Math.round(latencyRate * (opts.latencySeconds ?? 3) * Math.min(1, scale * 10)),
  );
  const latencySubjects = subjects.filter((s) => s.latency && s.emit);
  const lat = new Map<IngestSubject, { p50: number; p99: number; p999: number }[]>(
    latencySubjects.map((s) => [s.subject, []]),
  );
  for (let round = 0; round < (opts.latencyOnly ? repeat : Math.min(repeat, 3)); round++) {
    for (const s of latencySubjects) {
      const r = await runOnce(s, { rate: latencyRate, expected: latencyMessages, latency: true });
      const p = percentiles(r.latencies!);
      lat.get(s.subject)!.push(p);
      log(
        `latency round ${round + 1} ${s.subject}: p50 ${p.p50.toFixed(1)} µs, p99 ${p.p99.toFixed(1)} µs, p99.9 ${p.p999.toFixed(1)} µs`,
      );
    }
  }
  for (const s of latencySubjects) {
    const ps = lat.get(s.subject)!;
    add(s.subject, 'latency_p50_us', median(ps.map((p) => p.p50)));
    add(s.subject, 'latency_p99_us', median(ps.map((p) => p.p99)));
    add(s.subject, 'latency_p999_us', median(ps.map((p) => p.p999)));
  }
  return { rows, details, skipped, latencyRate };
}

function fmtRate(v: number): string {
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${(v / 1e3).toFixed(1)} k`;
}

/** Utilisation as a percentage; snapshots taken mid-callback can read slightly above 100 %. */
function pct(v: number): string {
  return Number.isFinite(v) ? `${Math.round(Math.min(1, v) * 100)} %` : '–';
}

function find(rows: IngestRow[], subject: IngestSubject, metric: IngestMetric): number {
  return rows.find((r) => r.subject === subject && r.metric === metric)?.value ?? Number.NaN;
}

export interface IngestRatio {
  what: string;
  value: number;
  target: string;
  met: boolean;
}

/** The issue's targets, as ratios within this run. */
export function ingestRatios(rows: IngestRow[]): IngestRatio[] {
  const ours = find(rows, 'tickscope', 'messages_per_s');
  const atLeast = (what: string, value: number, bound: number): IngestRatio => ({
    what,
    value,
    target: `≥ ${bound >= 10 ? bound : bound.toFixed(1)}`,
    met: value >= bound,
  });
  const atMost = (what: string, value: number, bound: number): IngestRatio => ({
    what,
    value,
    target: `≤ ${bound >= 10 ? bound : bound.toFixed(1)}`,
    met: value <= bound,
  });
  return [
    atLeast('ingest / ws receive-only', ours / find(rows, 'ws-receive', 'messages_per_s'), 0.7),
    atLeast('ingest / ws + JSON.parse', ours / find(rows, 'ws-json-parse', 'messages_per_s'), 2),
    atLeast('ingest / ccxt watchTrades', ours / find(rows, 'ccxt', 'messages_per_s'), 10),
    atMost(
      'latency p99 / ccxt p99',
      find(rows, 'tickscope', 'latency_p99_us') / find(rows, 'ccxt', 'latency_p99_us'),
      0.5,
    ),
    atMost(
      'latency p50 / bare ws + extractor p50',
      find(rows, 'tickscope', 'latency_p50_us') / find(rows, 'ws-extract', 'latency_p50_us'),
      1.5,
    ),
  ];
}

export function formatIngestTable(result: IngestResult): string {
  const { rows, details, skipped } = result;
  const lines: string[] = [];
  lines.push('subject                 messages/s   runs: min – max         server busy   subject busy');
  for (const d of details) {
    const v = d.rate;
    // The simulator near saturation while the subject idles part of the time: the simulator was
    // the limit, and the figure is a lower bound of what the subject can take.
    const simBound = d.simElu >= 0.95 && d.subjectElu < 0.9 ? '  (server-bound)' : '';
    lines.push(
      `${d.label.padEnd(22)} ${fmtRate(v).padStart(11)}   ${`${fmtRate(d.min)} – ${fmtRate(d.max)}`.padEnd(19)} ${pct(d.simElu).padStart(15)} ${pct(d.subjectElu).padStart(14)}${simBound}`,
    );
  }
  for (const s of skipped) lines.push(`${s.subject.padEnd(22)} not measured: ${s.why}`);
  lines.push('');
  lines.push(
    `one-way latency at ${result.latencyRate.toLocaleString('en-US')} msg/s       p50 µs    p99 µs  p99.9 µs`,
  );
  for (const subject of ['tickscope', 'ws-extract', 'ccxt'] as const) {
    const v = (m: IngestMetric): string => find(rows, subject, m).toFixed(1).padStart(9);
    lines.push(`${subject.padEnd(32)} ${v('latency_p50_us')} ${v('latency_p99_us')} ${v('latency_p999_us')}`);
  }
  lines.push('');
  lines.push('ratio (ours / peer)                          value   target');
  for (const q of ingestRatios(rows)) {
    lines.push(
      `${q.what.padEnd(42)} ${q.value.toFixed(2).padStart(7)}   ${q.target}${q.met ? '' : '  MISSED'}`,
    );
  }
  return lines.join('\n');
}
