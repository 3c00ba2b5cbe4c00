/**
 * Feed worker (worker thread): the connection manager of one venue feed. It owns the socket — one
 * reader; the main thread's commands (stop, drop, roll) arrive as messages and are applied here,
 * in order — and runs the state machine connecting → subscribing → live, with stale (no frame for
 * the venue's quiet time) and backoff (full-jitter, capped) on the way back, closed at the end.
 * Every transition is counted and the time spent in each state is accumulated in the shared
 * counters. Application pings where the venue wants them; Binance's REST snapshots; a planned
 * roll-over ahead of the venue's connection lifetime (or its shutdown notice) that opens the next
 * connection before closing the current one, so nothing is missed. The per-frame work is
 * FeedIngest's; malformed input is counted and its first sample per kind reported.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { nowMs } from '../../common/clock.ts';
import { FeedState, Stream } from '../../common/feed-model.ts';
import { RingWriter } from '../../common/ring.ts';
import { Backoff } from './backoff.ts';
import { FeedIngest } from './feed-ingest.ts';
import {
  type FeedControlMessage,
  FeedStat,
  type FeedWorkerData,
  type FeedWorkerMessage,
} from './feed-protocol.ts';
import { SCAN_ERROR_NAMES } from './json-scan.ts';
import { type FeedMessage, MsgKind } from './venues/message.ts';
import { specOfVenue } from './venues/registry.ts';

const cfg = workerData as FeedWorkerData;
const port = parentPort!;
const stats = new Float64Array(cfg.stats);
const spec = specOfVenue(cfg.venue);
const backoff = new Backoff({ initialMs: cfg.backoffInitialMs, maxMs: cfg.backoffMaxMs, factor: 2 });
const reportedMalformed = new Set<number>();
const wsUrl = spec.wsUrl(cfg.url);
/**
 * REST base for book snapshots: given, or the venue's — except that a feed pointed at another
 * WebSocket host (a simulator, a proxy) asks that host over HTTP, not the public venue.
 */
const restUrl =
  cfg.restUrl ??
  (new URL(cfg.url).host !== new URL(spec.defaultUrl).host
    ? new URL(cfg.url).origin.replace(/^ws/, 'http')
    : (spec.defaultRestUrl ?? ''));
const books = cfg.books !== false;
const bookDepth = cfg.bookDepth || spec.bookDepth;
const maxAgeMs = cfg.maxConnectionAgeMs || spec.maxConnectionAgeMs;
const rollAheadMs = Math.min(cfg.rollAheadMs ?? 10 * 60_000, maxAgeMs / 2);

/** Connections that stay up this long reset the backoff. */
const STABLE_AFTER_MS = 10_000;
/** After a roll, trades already delivered by the old connection are dropped by id for this long. */
const DEDUP_AFTER_ROLL_MS = 10_000;

/** One socket and its timers. The feed has a `current` and, during a roll, a `next`. */
interface Conn {
  ws: WebSocket;
  openedAt: number;
  lastFrameAt: number;
  frames: number;
  pingTimer: NodeJS.Timeout | null;
}

let current: Conn | null = null;
let next: Conn | null = null;
let stopping = false;
let staleTimer: NodeJS.Timeout | null = null;
let reconnectTimer: NodeJS.Timeout | null = null;
let rollTimer: NodeJS.Timeout | null = null;
let dedupTimer: NodeJS.Timeout | null = null;
let connectStartedAt = 0;
let state: FeedState = FeedState.idle;

function post(m: FeedWorkerMessage): void {
  port.postMessage(m);
}

function setState(s: FeedState, detail?: string): void {
  const at = nowMs();
  const since = stats[FeedStat.stateSince]!;
  if (since > 0) stats[FeedStat.timeIn + state]! += at - since;
  if (s !== state) stats[FeedStat.transitions]! += 1;
  if (s === FeedState.live && state !== FeedState.live && connectStartedAt > 0)
    stats[FeedStat.lastConnectMs] = at - connectStartedAt;
  state = s;
  stats[FeedStat.state] = s;
  stats[FeedStat.stateSince] = at;
  post({ type: 'state', state: s, at, url: wsUrl, ...(detail ? { detail } : {}) });
}

function reportMalformed(reason: number, data: Uint8Array): void {
  if (reportedMalformed.has(reason)) return;
  reportedMalformed.add(reason);
  const sample = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 200)).toString('utf8');
  post({ type: 'malformed', reason: SCAN_ERROR_NAMES[reason] ?? `reason ${reason}`, sample });
}

function sendAll(messages: string[]): void {
  const ws = current?.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  for (const m of messages) ws.send(m);
}

let snapshotGeneration = 0;

/** Binance: GET /api/v3/depth, retried with backoff while the same connection lives. */
function fetchSnapshot(symbol: string, attempt = 0): void {
  const generation = snapshotGeneration;
  stats[FeedStat.snapshotsInFlight]! += 1;
  const url = `${restUrl.replace(/\/$/, '')}/api/v3/depth?symbol=${encodeURIComponent(symbol)}&limit=${Math.min(5000, bookDepth)}`;
  fetch(url, { signal: AbortSignal.timeout(cfg.connectTimeoutMs) })
    .then(async (res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    })
    .then((body) => {
      stats[FeedStat.snapshotsInFlight]! -= 1;
      if (generation !== snapshotGeneration || stopping) return;
      ingest.onSnapshot(symbol, body);
    })
    .catch((err: Error) => {
      stats[FeedStat.snapshotsInFlight]! -= 1;
      if (generation !== snapshotGeneration || stopping) return;
      post({ type: 'error', message: `book snapshot ${symbol} from ${restUrl}: ${err.message}` });
      const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
      setTimeout(() => {
        if (generation === snapshotGeneration && !stopping) fetchSnapshot(symbol, attempt + 1);
      }, delay).unref();
    });
}

const ingest = new FeedIngest({
  ring: new RingWriter(cfg.ring),
  stats,
  spec,
  feedId: cfg.feedId,
  bookDepth,
  events: {
    onInstrument(instrumentId, venueSymbol) {
      post({ type: 'instrument', instrumentId, venueSymbol, symbol: spec.normalise(venueSymbol) });
    },
    onMalformed: reportMalformed,
    onControl(kind: MsgKind, _msg: FeedMessage, data: Uint8Array) {
      if (kind === MsgKind.ack || kind === MsgKind.pong) {
        if (state === FeedState.subscribing) setState(FeedState.live);
      } else if (kind === MsgKind.error) {
        post({ type: 'error', message: `venue error: ${Buffer.from(data).toString().slice(0, 200)}` });
      } else if (kind === MsgKind.shutdown) {
        post({ type: 'error', message: 'venue announced a disconnect: rolling over to a new connection' });
        roll();
      }
    },
    send: sendAll,
    requestSnapshot(symbol, retry) {
      if (!restUrl) return;
      if (retry === 0) fetchSnapshot(symbol);
      else {
        const generation = snapshotGeneration;
        setTimeout(
          () => {
            if (generation === snapshotGeneration && !stopping) fetchSnapshot(symbol);
          },
          Math.min(30_000, 250 * 2 ** Math.min(retry, 10)),
        ).unref();
      }
    },
  },
});

/** Books waiting this long for a snapshot ask again (the request or the snapshot may be lost). */
const SNAPSHOT_PATIENCE_MS = 5000;
setInterval(() => {
  if (current && state === FeedState.live) ingest.checkStuck(SNAPSHOT_PATIENCE_MS);
}, 1000).unref();

function armStaleTimer(): void {
  if (staleTimer) clearInterval(staleTimer);
  const period = Math.max(50, Math.min(1000, cfg.staleAfterMs / 4));
  staleTimer = setInterval(() => {
    const c = current;
    if (c && nowMs() - Math.max(c.lastFrameAt, stats[FeedStat.lastMessageAt]!) > cfg.staleAfterMs) {
      setState(FeedState.stale, `no frame for ${cfg.staleAfterMs} ms`);
      c.ws.terminate();
    }
  }, period);
  staleTimer.unref();
}

function open(): Conn {
  const ws = new WebSocket(wsUrl, {
    handshakeTimeout: cfg.connectTimeoutMs,
    maxPayload: cfg.maxPayloadBytes,
    perMessageDeflate: false,
  });
  const c: Conn = { ws, openedAt: 0, lastFrameAt: nowMs(), frames: 0, pingTimer: null };
  ws.on('open', () => {
    c.openedAt = nowMs();
    c.lastFrameAt = c.openedAt;
    if (c === current) setState(FeedState.subscribing);
    const symbols = cfg.symbols.map((s) => spec.venueSymbol(s));
    for (const m of spec.subscribe(symbols, bookDepth, books)) ws.send(m);
    if (spec.ping) {
      const text = spec.ping.text;
      c.pingTimer = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      }, cfg.pingEveryMs || spec.ping.everyMs);
      c.pingTimer.unref();
    }
    if (c === current) {
      armStaleTimer();
      armRoll();
    }
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    // The ingest stamps each frame's receive time (FeedStat.lastMessageAt); a second clock read
    // here would cost as much as a third of the decode.
    c.frames++;
    if (c === next) switchOver();
    if (c !== current) return; // the old connection after a roll: its data is on the new one
    if (isBinary) {
      // Venue market streams are text; a binary frame is malformed, counted and reported.
      c.lastFrameAt = nowMs();
      stats[FeedStat.messages]! += 1;
      stats[FeedStat.streamMessages + Stream.other]! += 1;
      stats[FeedStat.malformed]! += 1;
      reportMalformed(1, data);
      return;
    }
    ingest.onFrame(data, data.byteLength);
    if (state === FeedState.subscribing) setState(FeedState.live);
  });
  ws.on('ping', () => {
    c.lastFrameAt = nowMs();
  });
  ws.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      // A frame above maxPayload: ws closes the connection (1009); the frame counts as malformed.
      stats[FeedStat.messages]! += 1;
      stats[FeedStat.streamMessages + Stream.other]! += 1;
      stats[FeedStat.malformed]! += 1;
      post({ type: 'malformed', reason: 'oversized frame', sample: `over ${cfg.maxPayloadBytes} bytes` });
      return;
    }
    post({ type: 'error', message: `socket error: ${err.message}` });
  });
  ws.on('close', (code: number, reason: Buffer) => onClose(c, code, reason));
  return c;
}

function onClose(c: Conn, code: number, reason: Buffer): void {
  if (c.pingTimer) clearInterval(c.pingTimer);
  if (c === next) {
    next = null;
    return; // a roll that failed: the current connection carries on; the next roll retries
  }
  if (c !== current) return;
  current = null;
  if (staleTimer) clearInterval(staleTimer);
  staleTimer = null;
  if (rollTimer) clearTimeout(rollTimer);
  rollTimer = null;
  if (stopping) return;
  if (c.openedAt > 0 && nowMs() - c.openedAt >= STABLE_AFTER_MS) backoff.reset();
  stats[FeedStat.reconnects]! += 1;
  const delay = backoff.next();
  setState(
    FeedState.backoff,
    `closed (${code}${reason.length ? ` ${reason.toString()}` : ''}); retry in ${delay} ms`,
  );
  reconnectTimer = setTimeout(connect, delay);
}

function connect(): void {
  if (stopping) return;
  stats[FeedStat.connects]! += 1;
  connectStartedAt = nowMs();
  begin();
  setState(FeedState.connecting);
  current = open();
}

/** A new connection becomes the data source: books and sequences start over from it. */
function begin(): void {
  ingest.connectionId++;
  snapshotGeneration++;
  ingest.onConnected();
}

/** Schedules the planned roll-over ahead of the venue's connection lifetime. */
function armRoll(): void {
  if (rollTimer) clearTimeout(rollTimer);
  rollTimer = null;
  if (maxAgeMs <= 0) return;
  rollTimer = setTimeout(roll, Math.max(1000, maxAgeMs - rollAheadMs));
  rollTimer.unref();
}

/** Opens the next connection; the switch happens at its first frame (switchOver). */
function roll(): void {
  if (stopping || next || !current) return;
  const c = open();
  next = c;
  // A next connection that never delivers is abandoned; the current one carries on.
  setTimeout(() => {
    if (next === c) {
      next = null;
      c.ws.terminate();
      post({ type: 'error', message: 'roll-over connection delivered nothing; keeping the current one' });
    }
  }, cfg.connectTimeoutMs + cfg.staleAfterMs).unref();
}

function switchOver(): void {
  const old = current;
  const c = next!;
  next = null;
  current = c;
  stats[FeedStat.rolls]! += 1;
  begin();
  ingest.startDedup();
  if (dedupTimer) clearTimeout(dedupTimer);
  dedupTimer = setTimeout(() => {
    ingest.stopDedup();
  }, DEDUP_AFTER_ROLL_MS);
  dedupTimer.unref();
  armStaleTimer();
  armRoll();
  if (old) {
    if (old.pingTimer) clearInterval(old.pingTimer);
    old.ws.close(1000, 'rolled over');
    setTimeout(() => old.ws.terminate(), 1000).unref();
  }
  post({ type: 'state', state, at: nowMs(), url: wsUrl, detail: 'rolled over to a new connection' });
}

port.on('message', (m: FeedControlMessage) => {
  if (m.type === 'stop') {
    stopping = true;
    for (const t of [reconnectTimer, rollTimer, dedupTimer]) if (t) clearTimeout(t);
    if (staleTimer) clearInterval(staleTimer);
    setState(FeedState.closed);
    next?.ws.terminate();
    const c = current;
    if (c) {
      c.ws.once('close', () => post({ type: 'stopped' }));
      c.ws.close(1000, 'stopping');
      setTimeout(() => c.ws.terminate(), 1000).unref();
    } else post({ type: 'stopped' });
  } else if (m.type === 'drop-connection') {
    current?.ws.terminate();
  } else if (m.type === 'roll') {
    roll();
  } else if (m.type === 'book-images') {
    ingest.writeBookImages();
  } else if (m.type === 'resync') {
    const n = ingest.resyncAll();
    post({ type: 'error', message: `resync requested from the UI: ${n} book${n === 1 ? '' : 's'}` });
  }
});

connect();
