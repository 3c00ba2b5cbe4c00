/**
 * Feed worker (worker thread): one Binance spot trade connection. Connects, subscribes, decodes
 * each trade from the raw frame bytes into a 64-byte record in the shared ring, and reconnects
 * with capped, jittered backoff when the socket drops or goes stale. Counters live in a shared
 * Float64Array; state changes, new instruments and the first sample of each kind of malformed
 * input are posted to the main thread.
 *
 * Overflow policy: when the ring returns a write (a lossless reader is a full ring behind), the
 * record is counted as dropped and a gap record carrying the count is written before the next
 * record that fits — never silent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { nowMs } from '../../common/clock.ts';
import { FeedState } from '../../common/frame.ts';
import { Off, RecordFlag, RecordKind } from '../../common/record.ts';
import { RingWriter } from '../../common/ring.ts';
import { Backoff } from './backoff.ts';
import { createBinanceMessage, decodeBinance, MALFORMED_NAMES, MessageKind } from './binance-decoder.ts';
import {
  type FeedControlMessage,
  FeedStat,
  type FeedWorkerData,
  type FeedWorkerMessage,
} from './feed-protocol.ts';
import { InstrumentTable } from './instrument-table.ts';
import { normaliseBinanceSymbol } from './symbols.ts';

const cfg = workerData as FeedWorkerData;
const port = parentPort!;
const ring = new RingWriter(cfg.ring);
const view = ring.data;
const stats = new Float64Array(cfg.stats);
const instruments = new InstrumentTable(cfg.feedId);
const msg = createBinanceMessage();
const backoff = new Backoff({ initialMs: cfg.backoffInitialMs, maxMs: cfg.backoffMaxMs, factor: 2 });
const reportedMalformed = new Set<number>();

/** Connections that stay up this long reset the backoff. */
const STABLE_AFTER_MS = 10_000;
/** Binance: µs timestamps when the URL asks for them (see protocols/binance.md §1). */
const TIME_SCALE = 1 / 1000;

let socket: WebSocket | null = null;
let connectionId = 0;
let stopping = false;
let pendingGap = 0;
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
  stats[FeedStat.malformed]! += 1;
  if (reportedMalformed.has(reason)) return;
  reportedMalformed.add(reason);
  const sample = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 200)).toString('utf8');
  post({ type: 'malformed', reason: MALFORMED_NAMES[reason] ?? `reason ${reason}`, sample });
}

/** Writes the pending gap record, if any, into a claimed slot at index i. */
function writeGap(i: number, receiveTime: number): void {
  const at = ring.offsetOf(i);
  view.setUint8(at + Off.kind, RecordKind.gap);
  view.setUint8(at + Off.venue, cfg.venue);
  view.setUint16(at + Off.flags, RecordFlag.ringOverflow, true);
  view.setUint16(at + Off.feedId, cfg.feedId, true);
  view.setUint16(at + Off.connectionId, connectionId & 0xffff, true);
  view.setUint32(at + Off.instrumentId, 0, true);
  view.setUint32(at + Off.wireBytes, 0, true);
  view.setFloat64(at + Off.price, 0, true);
  view.setFloat64(at + Off.quantity, pendingGap, true);
  view.setFloat64(at + Off.exchangeTime, receiveTime, true);
  view.setFloat64(at + Off.receiveTime, receiveTime, true);
  view.setFloat64(at + Off.sequence, 0, true);
  view.setFloat64(at + Off.eventTime, receiveTime, true);
  stats[FeedStat.gapRecords]! += 1;
  pendingGap = 0;
}

function onFrame(data: Buffer, receiveTime: number): void {
  const len = data.byteLength;
  stats[FeedStat.messages]! += 1;
  stats[FeedStat.bytes]! += len;
  stats[FeedStat.lastMessageAt] = receiveTime;
  const kind = decodeBinance(data, len, msg);
  if (kind !== MessageKind.trade) {
    if (kind === MessageKind.malformed) reportMalformed(msg.malformed, data);
    else {
      stats[FeedStat.control]! += 1;
      if (kind === MessageKind.result && msg.id === subscribeId) setState(FeedState.live);
      else if (kind === MessageKind.error)
        post({ type: 'error', message: `venue error: ${data.toString().slice(0, 200)}` });
      else if (kind === MessageKind.serverShutdown) socket?.terminate();
    }
    return;
  }
  const instrumentId = instruments.intern(data, msg.symStart, msg.symEnd, onNewInstrument);
  if (instrumentId < 0) {
    stats[FeedStat.unknownSymbols]! += 1;
    return;
  }
  const want = pendingGap > 0 ? 2 : 1;
  if (!ring.tryClaim(want)) {
    // Returned to sender: count it and carry it in the next gap record.
    stats[FeedStat.dropped]! += 1;
    pendingGap += 1;
    return;
  }
  let i = ring.nextIndex;
  if (want === 2) writeGap(i++, receiveTime);
  const at = ring.offsetOf(i);
  view.setUint8(at + Off.kind, RecordKind.trade);
  view.setUint8(at + Off.venue, cfg.venue);
  view.setUint16(at + Off.flags, msg.buyerMaker ? RecordFlag.aggressorSell : 0, true);
  view.setUint16(at + Off.feedId, cfg.feedId, true);
  view.setUint16(at + Off.connectionId, connectionId & 0xffff, true);
  view.setUint32(at + Off.instrumentId, instrumentId, true);
  view.setUint32(at + Off.wireBytes, len, true);
  view.setFloat64(at + Off.price, msg.price, true);
  view.setFloat64(at + Off.quantity, msg.quantity, true);
  view.setFloat64(at + Off.exchangeTime, msg.tradeTime * TIME_SCALE, true);
  view.setFloat64(at + Off.receiveTime, receiveTime, true);
  view.setFloat64(at + Off.sequence, msg.tradeId, true);
  view.setFloat64(at + Off.eventTime, msg.eventTime * TIME_SCALE, true);
  ring.publish(want);
  stats[FeedStat.trades]! += 1;
}

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
  connectionId++;
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
    const t = nowMs();
    lastFrameAt = t;
    if (isBinary) {
      reportMalformed(1, data);
      return;
    }
    onFrame(data, t);
  });
  ws.on('ping', () => {
    lastFrameAt = nowMs();
  });
  ws.on('error', (err: Error) => {
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
