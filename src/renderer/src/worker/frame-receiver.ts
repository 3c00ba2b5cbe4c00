/**
 * Frame receiver (dedicated Web Worker): owns the transport — the Electron MessagePort or the
 * headless host's WebSocket — decodes every binary frame into one reused DecodedFrame, appends
 * each closed metrics interval to the shared series store, and posts the page only low-rate state:
 * connection states and instruments when they change, market figures and books at most 4 times a
 * second; each frame's trades and sampled quotes go to the shared market store,
 * transport counters once a second; each metrics interval's latency stages and bucket counts go to
 * the series and histogram stores (latency-rows.ts). Bad frames are counted and shown, never
 * dropped silently.
 */
/// <reference lib="webworker" />

import { ComponentKind, type ComponentStats } from '../../../common/feed-model.ts';
import {
  createDecodedFrame,
  type DecodedFrame,
  decodeFrame,
  FrameError,
  type MarketTick,
} from '../../../common/frame.ts';
import { createHistogramBuffer, HistogramStore } from '../series/histogram-store.ts';
import { createMarketBuffer, MARKET_SLOTS, MarketStore } from '../series/market-store.ts';
import { COLUMNS, Col, MAX_FEED_SLOTS, MAX_POOL_SLOTS, STREAM_SLOTS } from '../series/series-layout.ts';
import { createSeriesBuffer, SeriesStore } from '../series/series-store.ts';
import { LatencyRows } from './latency-rows.ts';
import {
  type BookView,
  type FromWorker,
  NOT_ISOLATED,
  type PipelineTotals,
  type ToWorker,
  type TransportStatus,
} from './messages.ts';

declare const self: DedicatedWorkerGlobalScope;

const post = (m: FromWorker): void => self.postMessage(m);

/**
 * What a frame produces goes out as one message at the frame's end: every message is a task on
 * the page and every store update in it a React render, so one frame's feeds, pipeline totals,
 * components, market figures and books cost one render, not five.
 */
const outbox: FromWorker[] = [];
const queue = (m: FromWorker): void => {
  outbox.push(m);
};
function flush(): void {
  if (outbox.length === 1) post(outbox[0]!);
  else if (outbox.length > 1) post({ type: 'batch', messages: outbox.slice() });
  outbox.length = 0;
}

// Without cross-origin isolation there is no SharedArrayBuffer: the charts cannot run, but the
// header, market strip and counters still do, and the page says why the charts are missing.
const store: SeriesStore | null =
  typeof SharedArrayBuffer === 'function' && self.crossOriginIsolated
    ? new SeriesStore(createSeriesBuffer())
    : null;
if (store) post({ type: 'store', sab: store.sab });
else post({ type: 'fatal', message: NOT_ISOLATED });
const market: MarketStore | null = store ? new MarketStore(createMarketBuffer()) : null;
if (market) post({ type: 'market-store', sab: market.sab });
// Latency stages: the histogram store (per second, four stages) and the page's UI-stage histogram.
const latency: LatencyRows | null = store
  ? new LatencyRows(new HistogramStore(createHistogramBuffer()))
  : null;
if (latency) post({ type: 'latency-stores', histograms: latency.histograms.sab, ui: latency.ui.sab });

const frame: DecodedFrame = createDecodedFrame();
const row = new Float64Array(COLUMNS);
const status: TransportStatus = {
  kind: 'websocket',
  state: 'connecting',
  frames: 0,
  framesPerSec: 0,
  decodeErrors: 0,
  seqGaps: 0,
  lastError: '',
  retryAt: 0,
};
const totals: PipelineTotals = {
  totalMessages: 0,
  dropped: 0,
  malformed: 0,
  skipped: 0,
  ringReturns: 0,
  poolHighWater: 0,
  ringCapacity: 0,
  ringLaps: 0,
  readersDetached: 0,
  negativeWire: 0,
  time: 0,
};
let lastSeq = -1;
let lastRowTime = Number.NEGATIVE_INFINITY;
let lastSkipped = 0;
let lastDropped = 0;
let lastLaps = 0;
let lastReturns = 0;
let framesAtLastSecond = 0;
let lastMarketPost = 0;
let lastBookTime = Number.NEGATIVE_INFINITY;
let tradesOmitted = 0;
/** Quotes are sampled into the market store at most this often per instrument (engine clock). */
const QUOTE_SAMPLE_MS = 100;
const lastQuote = new Float64Array(MARKET_SLOTS).fill(Number.NEGATIVE_INFINITY);
let feedsKey = '';
let instrumentsKey = '';

function onFrame(bytes: Uint8Array): void {
  try {
    decodeFrame(bytes, frame);
  } catch (err) {
    status.decodeErrors++;
    status.lastError = err instanceof FrameError ? err.message : String(err);
    return;
  }
  status.frames++;
  if (status.frames === 1) postStatus(); // the first frame ends "waiting", not a second later
  if (lastSeq >= 0 && frame.seq !== (lastSeq + 1) >>> 0) status.seqGaps++;
  lastSeq = frame.seq;
  if (frame.hasMetrics) appendMetrics(frame);
  if (frame.components) queue({ type: 'components', components: frame.components });
  if (frame.feeds) {
    const key = JSON.stringify(frame.feeds);
    if (key !== feedsKey) {
      feedsKey = key;
      queue({ type: 'feeds', feeds: frame.feeds });
    }
  }
  if (frame.instruments) {
    const key = JSON.stringify(frame.instruments);
    if (key !== instrumentsKey) {
      instrumentsKey = key;
      queue({ type: 'instruments', instruments: frame.instruments });
    }
  }
  if (frame.hasBook) appendBook(frame);
  // Market figures and books go with the metrics (4 a second), so they share its render; a source
  // without metrics still gets them twice a second. Both follow the engine's clock, so a replayed
  // session posts them deterministically. (A clock that went backwards is a new session: at once.)
  if (
    frame.hasMarket &&
    (frame.hasMetrics || frame.time - lastMarketPost >= 500 || frame.time < lastMarketPost)
  ) {
    lastMarketPost = frame.time;
    const ticks: MarketTick[] = frame.market.slice(0, frame.marketCount).map((t) => ({ ...t }));
    queue({ type: 'market', ticks });
    if (frame.hasBook) postBooks(frame);
  }
  flush();
}

/** Trades and sampled quotes of a BOOK section into the market store (for the Market panel's chart and tape). */
function appendBook(f: DecodedFrame): void {
  const b = f.book;
  tradesOmitted += b.trades.omitted;
  if (!market) return;
  if (f.time < lastBookTime) {
    market.reset();
    lastQuote.fill(Number.NEGATIVE_INFINITY);
    tradesOmitted = b.trades.omitted;
  }
  lastBookTime = f.time;
  const tr = b.trades;
  market.begin();
  for (let i = 0; i < b.count; i++) {
    const e = b.entries[i]!;
    const slot = market.claim(e.instrumentId);
    if (slot < 0) continue;
    for (let k = e.tradeStart; k < e.tradeStart + e.tradeCount; k++)
      market.addTrade(slot, tr.exchangeTime[k]!, tr.price[k]!, tr.qty[k]!, tr.flags[k]!, tr.receiveTime[k]!);
    const quoted = !Number.isNaN(e.bid) || !Number.isNaN(e.ask);
    if (quoted && f.time - lastQuote[slot]! >= QUOTE_SAMPLE_MS) {
      lastQuote[slot] = f.time;
      market.addQuote(slot, f.time, e.bid, e.ask);
    }
  }
  market.end();
}

function postBooks(f: DecodedFrame): void {
  const books: BookView[] = [];
  for (let i = 0; i < f.book.count; i++) {
    const e = f.book.entries[i]!;
    const bids: [number, number][] = [];
    const asks: [number, number][] = [];
    for (let k = 0; k < e.bidLevels; k++) bids.push([e.bidPx[k]!, e.bidQty[k]!]);
    for (let k = 0; k < e.askLevels; k++) asks.push([e.askPx[k]!, e.askQty[k]!]);
    books.push({
      instrumentId: e.instrumentId,
      synced: e.synced,
      bid: e.bid,
      bidSize: e.bidSize,
      ask: e.ask,
      askSize: e.askSize,
      bids,
      asks,
    });
  }
  queue({ type: 'books', books, omitted: tradesOmitted });
}

/** A message that is not a binary frame: counted with the decode errors, never ignored. */
function badMessage(data: unknown): void {
  status.decodeErrors++;
  status.lastError = `not a binary frame (${typeof data})`;
}

function appendMetrics(f: DecodedFrame): void {
  const m = f.metrics;
  const seconds = Math.max(1e-6, (m.end - m.start) / 1000);
  row.fill(Number.NaN);
  row[Col.time] = m.end / 1000;
  let bytes = 0;
  let messages = 0;
  const feeds = Math.min(m.feedCount, MAX_FEED_SLOTS);
  for (let k = 0; k < STREAM_SLOTS; k++) {
    row[Col.streamMsgs + k] = 0;
    row[Col.streamBytes + k] = 0;
  }
  for (let i = 0; i < m.feedCount; i++) {
    const fd = m.feeds[i]!;
    if (i < MAX_FEED_SLOTS) {
      row[Col.msgs + i] = fd.messagesPerSec;
      row[Col.feedBytes + i] = fd.bytesPerSec;
    }
    for (let k = 0; k < STREAM_SLOTS; k++) {
      row[Col.streamMsgs + k]! += fd.streamMessagesPerSec[k]!;
      row[Col.streamBytes + k]! += fd.streamBytesPerSec[k]!;
    }
    bytes += fd.bytesPerSec;
    messages += fd.totalMessages;
  }
  row[Col.bytes] = bytes;
  if (f.components) appendPools(f.components, seconds);
  latency?.append(f, row);
  const pl = m.pipeline;
  row[Col.reuse] = pl.poolReuseRatio * 100;
  row[Col.fill] = pl.ringFill * 100;
  row[Col.misses] = pl.poolMisses / seconds;
  row[Col.skipped] = Math.max(0, pl.readerSkipped - lastSkipped) / seconds;
  row[Col.dropped] = Math.max(0, pl.dropped - lastDropped) / seconds;
  row[Col.laps] = Math.max(0, pl.ringLaps - lastLaps) / seconds;
  row[Col.returns] = Math.max(0, pl.ringReturns - lastReturns) / seconds;
  lastSkipped = pl.readerSkipped;
  lastDropped = pl.dropped;
  lastLaps = pl.ringLaps;
  lastReturns = pl.ringReturns;
  if (store) {
    // A clock that goes backwards is a new session (engine restarted, replay from the start):
    // start the series afresh rather than draw time running backwards.
    if (row[Col.time]! <= lastRowTime) store.reset();
    lastRowTime = row[Col.time]!;
    store.append(row, feeds);
  }

  totals.totalMessages = messages;
  totals.dropped = pl.dropped;
  totals.malformed = pl.malformed;
  totals.skipped = pl.readerSkipped;
  totals.ringReturns = pl.ringReturns;
  totals.poolHighWater = pl.poolHighWater;
  totals.ringCapacity = pl.ringCapacity;
  totals.time = m.end;
  totals.ringLaps = pl.ringLaps;
  totals.readersDetached = pl.readersDetached;
  totals.negativeWire = pl.negativeWire;
  queue({ type: 'pipeline', totals });
}

/** Pool slot p's acquires, reuses and misses at the previous interval (for the per-interval figures). */
const lastPool = new Float64Array(MAX_POOL_SLOTS * 3);

/**
 * Each buffer pool of the COMPONENTS section (in its order: slot p is the p-th pool) into the
 * pool columns: in use and high-water now, reuse % and misses/s over the interval.
 */
function appendPools(components: readonly ComponentStats[], seconds: number): void {
  let p = 0;
  for (const c of components) {
    if (c.kind !== ComponentKind.pool || p >= MAX_POOL_SLOTS) continue;
    const v = c.values;
    const at = p * 3;
    // Counters that went backwards are a new engine: count from zero.
    if (v[0]! < lastPool[at]!) lastPool.fill(0, at, at + 3);
    const acquires = v[0]! - lastPool[at]!;
    const reuses = v[1]! - lastPool[at + 1]!;
    row[Col.poolInUse + p] = v[4]!;
    row[Col.poolHighWater + p] = v[3]!;
    row[Col.poolReuse + p] = acquires > 0 ? (reuses / acquires) * 100 : 100;
    row[Col.poolMisses + p] = (v[2]! - lastPool[at + 2]!) / seconds;
    lastPool[at] = v[0]!;
    lastPool[at + 1] = v[1]!;
    lastPool[at + 2] = v[2]!;
    p++;
  }
}

function postStatus(): void {
  post({ type: 'transport', status });
}

setInterval(() => {
  status.framesPerSec = status.frames - framesAtLastSecond;
  framesAtLastSecond = status.frames;
  postStatus();
}, 1000);

function attachPort(port: MessagePort): void {
  status.kind = 'electron-port';
  status.state = 'open';
  port.onmessage = (ev: MessageEvent) => {
    const d = ev.data;
    if (d instanceof Uint8Array) onFrame(d);
    else if (d instanceof ArrayBuffer) onFrame(new Uint8Array(d));
    else badMessage(d);
  };
  // Chromium fires 'close' on an entangled port whose other end went away (engine restarted).
  port.addEventListener('close', () => {
    status.state = 'closed';
    status.lastError = 'the engine closed the frame port';
    postStatus();
  });
  port.start();
  postStatus();
}

/** The headless host's stream; reconnects with capped backoff if the host goes away. */
function openWebSocket(url: string): void {
  status.kind = 'websocket';
  let delay = 250;
  const open = (): void => {
    status.state = 'connecting';
    postStatus();
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      delay = 250;
      lastSeq = -1;
      status.state = 'open';
      postStatus();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) onFrame(new Uint8Array(ev.data));
      else badMessage(ev.data);
    };
    ws.onclose = (ev: CloseEvent) => {
      status.state = 'closed';
      status.lastError = ev.reason || `connection closed (${ev.code})`;
      status.retryAt = Date.now() + delay;
      postStatus();
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  open();
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'port') attachPort(m.port);
  else if (m.type === 'websocket') openWebSocket(m.url);
};
