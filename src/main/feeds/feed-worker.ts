/**
 * Feed worker (worker thread): one Binance spot trade connection. Connects, subscribes, decodes
 * each trade from the raw frame bytes into a 64-byte record in the shared ring, and reconnects
 * with capped, jittered backoff when the socket drops or goes stale. Counters live in a shared
 * Float64Array; state changes, new instruments and the first sample of each kind of malformed
 * input are posted to the main thread. The per-frame work is BinanceIngest's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { nowMs } from '../../common/clock.ts';
import { FeedState } from '../../common/frame.ts';
import { RingWriter } from '../../common/ring.ts';
import { Backoff } from './backoff.ts';
import { MALFORMED_NAMES, MessageKind } from './binance-decoder.ts';
import { BinanceIngest } from './binance-ingest.ts';
import {
  type FeedControlMessage,
  FeedStat,
  type FeedWorkerData,
  type FeedWorkerMessage,
} from './feed-protocol.ts';
import { normaliseBinanceSymbol } from './symbols.ts';

const cfg = workerData as FeedWorkerData;
const port = parentPort!;
const stats = new Float64Array(cfg.stats);
const backoff = new Backoff({ initialMs: cfg.backoffInitialMs, maxMs: cfg.backoffMaxMs, factor: 2 });
const reportedMalformed = new Set<number>();

/** Connections that stay up this long reset the backoff. */
const STABLE_AFTER_MS = 10_000;

let socket: WebSocket | null = null;
let stopping = false;
let subscribeId = 0;
let connectedAt = 0;
let staleTimer: NodeJS.Timeout | null = null;
let reconnectTimer: NodeJS.Timeout | null = null;
let lastFrameAt = 0;

function post(m: FeedWorkerMessage): void {
  port.postMessage(m);
}

function setState(state: FeedState, detail?: string): void {
  const at = nowMs();
  stats[FeedStat.state] = state;
  stats[FeedStat.stateSince] = at;
  post({ type: 'state', state, at, url: streamUrl(), ...(detail ? { detail } : {}) });
}

function streamUrl(): string {
  const u = new URL(cfg.url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/stream';
  u.searchParams.set('timeUnit', 'MICROSECOND');
  return u.toString();
}

function onNewInstrument(instrumentId: number, venueSymbol: string): void {
  post({ type: 'instrument', instrumentId, venueSymbol, symbol: normaliseBinanceSymbol(venueSymbol) });
}

function reportMalformed(reason: number, data: Uint8Array): void {
  if (reportedMalformed.has(reason)) return;
  reportedMalformed.add(reason);
  const sample = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 200)).toString('utf8');
  post({ type: 'malformed', reason: MALFORMED_NAMES[reason] ?? `reason ${reason}`, sample });
}

const ingest = new BinanceIngest({
  ring: new RingWriter(cfg.ring),
  stats,
  venue: cfg.venue,
  feedId: cfg.feedId,
  events: {
    onInstrument: onNewInstrument,
    onMalformed: reportMalformed,
    onControl(kind, msg, data) {
      if (kind === MessageKind.result && msg.id === subscribeId) setState(FeedState.live);
      else if (kind === MessageKind.error) {
        post({ type: 'error', message: `venue error: ${Buffer.from(data).toString().slice(0, 200)}` });
      } else if (kind === MessageKind.serverShutdown) socket?.terminate();
    },
  },
});

function armStaleTimer(): void {
  if (staleTimer) clearInterval(staleTimer);
  const period = Math.max(50, Math.min(1000, cfg.staleAfterMs / 4));
  staleTimer = setInterval(() => {
    if (socket && nowMs() - lastFrameAt > cfg.staleAfterMs) {
      setState(FeedState.stale, `no frame for ${cfg.staleAfterMs} ms`);
      socket.terminate();
    }
  }, period);
  staleTimer.unref();
}

function connect(): void {
  if (stopping) return;
  ingest.connectionId++;
  stats[FeedStat.connects]! += 1;
  setState(FeedState.connecting);
  const ws = new WebSocket(streamUrl(), {
    handshakeTimeout: cfg.connectTimeoutMs,
    maxPayload: cfg.maxPayloadBytes,
    perMessageDeflate: false,
  });
  socket = ws;
  lastFrameAt = nowMs();
  ws.on('open', () => {
    connectedAt = nowMs();
    lastFrameAt = connectedAt;
    setState(FeedState.subscribing);
    subscribeId++;
    const params = cfg.symbols.map((s) => `${s.toLowerCase()}@trade`);
    ws.send(JSON.stringify({ method: 'SUBSCRIBE', params, id: subscribeId }));
    armStaleTimer();
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    lastFrameAt = nowMs();
    if (isBinary) {
      // Binance market streams are text; a binary frame is malformed, counted and reported.
      stats[FeedStat.malformed]! += 1;
      reportMalformed(1, data);
      return;
    }
    ingest.onFrame(data, data.byteLength);
  });
  ws.on('ping', () => {
    lastFrameAt = nowMs();
  });
  ws.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      // A frame above maxPayload: ws closes the connection (1009); the frame counts as malformed.
      stats[FeedStat.malformed]! += 1;
      post({ type: 'malformed', reason: 'oversized frame', sample: `over ${cfg.maxPayloadBytes} bytes` });
      return;
    }
    post({ type: 'error', message: `socket error: ${err.message}` });
  });
  ws.on('close', (code: number, reason: Buffer) => {
    if (socket === ws) socket = null;
    if (staleTimer) clearInterval(staleTimer);
    staleTimer = null;
    if (stopping) return;
    if (connectedAt > 0 && nowMs() - connectedAt >= STABLE_AFTER_MS) backoff.reset();
    connectedAt = 0;
    stats[FeedStat.reconnects]! += 1;
    const delay = backoff.next();
    setState(
      FeedState.backoff,
      `closed (${code}${reason.length ? ` ${reason.toString()}` : ''}); retry in ${delay} ms`,
    );
    reconnectTimer = setTimeout(connect, delay);
  });
}

port.on('message', (m: FeedControlMessage) => {
  if (m.type === 'stop') {
    stopping = true;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    if (staleTimer) clearInterval(staleTimer);
    setState(FeedState.closed);
    if (socket) {
      socket.once('close', () => post({ type: 'stopped' }));
      socket.close(1000, 'stopping');
      setTimeout(() => socket?.terminate(), 1000).unref();
    } else post({ type: 'stopped' });
  } else if (m.type === 'drop-connection') {
    socket?.terminate();
  }
});

connect();
