/**
 * Market: for the chosen instrument, the best bid and ask over time with every trade marked (buy
 * and sell colours, dot area by size), a trade tape (newest first, fixed rows), the top of book and
 * a small depth ladder.
 *
 * The chart and the tape read the shared market store at requestAnimationFrame, without React
 * (the chart redraws when the store's version moved, the tape at most 8 times a second, written
 * straight into its fixed rows). The top of book and the ladder come from the app store, which the
 * frame receiver updates at most 4 times a second.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import type { InstrumentInfo } from '../../../common/feed-model.ts';
import { RecordFlag, venueName } from '../../../common/record.ts';
import { setText } from '../dom-text.ts';
import { fmtClock, fmtFixed, fmtInt, fmtPrice } from '../format.ts';
import { PanelActions } from '../layout/PanelActions.tsx';
import { claimDraw, onAnimationFrame } from '../series/frame-loop.ts';
import { createMarketView, MarketStore } from '../series/market-store.ts';
import { useAppStore } from '../store/app-store.ts';
import type { BookView } from '../worker/messages.ts';
import { baseAxis } from './SeriesChart.tsx';

const WINDOW_SEC = 60;
const TAPE_ROWS = 18;
const LADDER_LEVELS = 10;
const TAPE_INTERVAL_MS = 125;
/**
 * The price chart redraws at most this often: a minute across ~400 px moves 0.7 px in 100 ms, and
 * each redraw of a canvas costs the page a compositor commit (the most expensive thing it did at
 * 30 redraws a second).
 */
const CHART_INTERVAL_MS = 100;
const BID_LINE = '#6ee7b7';
const ASK_LINE = '#fca5a5';
const SYNC_LABEL = {
  none: 'no data yet',
  synced: 'book in sync',
  unsynced: 'book out of sync',
  top: 'top of book only',
  trades: 'trades only',
} as const;
const STORAGE_KEY = 'tickscope.market.instrument';

/** An instrument's key across sessions (ids are interned per session): venue and symbol. */
function keyOf(i: InstrumentInfo): string {
  return `${venueName(i.venue)}:${i.symbol}`;
}

function fmtSize(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  const d = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 3 : 4;
  return fmtFixed(v, d);
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** HH:MM:SS.mmm of an epoch-seconds value, local time. */
function fmtTapeTime(sec: number): string {
  if (!Number.isFinite(sec)) return '';
  const d = new Date(sec * 1000);
  return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
}

/** Price axis labels with as many decimals as the tick step needs (67,000 · 148.25 · 0.6125). */
function priceTicks(splits: number[]): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1]! - splits[0]!) : 1;
  const d = step >= 1 || step === 0 ? 0 : Math.min(8, Math.ceil(-Math.log10(step) - 1e-9));
  return splits.map((v) => fmtFixed(v, d));
}

function readStoredKey(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function MarketPanel() {
  const sab = useAppStore((s) => s.marketSab);
  const instrumentMap = useAppStore((s) => s.instruments);
  const instruments = useMemo(
    () => [...instrumentMap.values()].sort((a, b) => a.venue - b.venue || a.instrumentId - b.instrumentId),
    [instrumentMap],
  );
  const [chosenKey, setChosenKey] = useState<string | null>(readStoredKey);
  const chosen = instruments.find((i) => keyOf(i) === chosenKey) ?? instruments[0] ?? null;
  const instrumentId = chosen?.instrumentId ?? -1;
  const book = useAppStore((s) => (chosen ? s.books.get(chosen.instrumentId) : undefined));
  const omitted = useAppStore((s) => s.tradesOmitted);
  const store = useMemo(() => (sab ? new MarketStore(sab) : null), [sab]);

  const venues = useMemo(() => {
    const groups: { venue: number; list: InstrumentInfo[] }[] = [];
    for (const i of instruments) {
      const last = groups[groups.length - 1];
      if (last && last.venue === i.venue) last.list.push(i);
      else groups.push({ venue: i.venue, list: [i] });
    }
    return groups;
  }, [instruments]);

  const onPick = (key: string): void => {
    setChosenKey(key);
    try {
      localStorage.setItem(STORAGE_KEY, key);
    } catch {
      // storage unavailable: the choice lasts for this page only
    }
  };

  const spread =
    book && Number.isFinite(book.bid) && Number.isFinite(book.ask) ? book.ask - book.bid : Number.NaN;
  const mid = book ? (book.bid + book.ask) / 2 : Number.NaN;
  const state = !book
    ? 'none'
    : book.synced
      ? 'synced'
      : book.bids.length + book.asks.length > 0
        ? 'unsynced'
        : Number.isFinite(book.bid) || Number.isFinite(book.ask)
          ? 'top'
          : 'trades';

  return (
    <section
      className="panel panel-market"
      data-testid="panel-market"
      data-instrument={chosen ? keyOf(chosen) : ''}
      data-bid={book?.bid ?? ''}
      data-ask={book?.ask ?? ''}
      data-book={state}
    >
      <header className="panel-head">
        <div className="panel-title">
          <h2>Market</h2>
          <label className="market-picker">
            <span className="sr-only">Instrument</span>
            <select
              data-testid="market-picker"
              value={chosen ? keyOf(chosen) : ''}
              onChange={(e) => onPick(e.target.value)}
              disabled={instruments.length === 0}
              title="The instrument the Market panel shows: every instrument of every feed"
            >
              {instruments.length === 0 && <option value="">no instruments yet</option>}
              {venues.map((g) => (
                <optgroup key={g.venue} label={venueName(g.venue).toUpperCase()}>
                  {g.list.map((i) => (
                    <option key={keyOf(i)} value={keyOf(i)}>
                      {`${venueName(i.venue)} · ${i.symbol}`}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </label>
        </div>
        <span
          className="market-sync"
          data-state={state}
          data-testid="market-sync"
          title="In sync: the book was rebuilt from a snapshot and no gap has been seen since. Out of sync: a gap (or records the UI reader skipped) since the last snapshot; the ladder may be wrong until the venue's next snapshot."
        >
          {SYNC_LABEL[state]}
        </span>
        <PanelActions id="panel-market" />
      </header>
      <div className="market-top" data-testid="market-top">
        <div className="market-quote bid" title="Best bid: price × size">
          <span className="market-quote-label">bid</span>
          <span className="market-quote-px" data-testid="market-bid">
            {fmtPrice(book?.bid ?? Number.NaN)}
          </span>
          {Number.isFinite(book?.bidSize) && (
            <span className="market-quote-sz">× {fmtSize(book!.bidSize)}</span>
          )}
        </div>
        <div className="market-spread" title="Spread: ask − bid, and in basis points of the mid price">
          <span>{Number.isFinite(spread) ? fmtPrice(spread) : '—'}</span>
          <span className="market-spread-bp">
            {Number.isFinite(spread) && mid > 0 ? `${((spread / mid) * 1e4).toFixed(1)} bp` : ''}
          </span>
        </div>
        <div className="market-quote ask" title="Best ask: price × size">
          <span className="market-quote-label">ask</span>
          <span className="market-quote-px" data-testid="market-ask">
            {fmtPrice(book?.ask ?? Number.NaN)}
          </span>
          {Number.isFinite(book?.askSize) && (
            <span className="market-quote-sz">× {fmtSize(book!.askSize)}</span>
          )}
        </div>
      </div>
      <div className="legend market-legend">
        <span className="legend-item" title="Best bid, sampled ten times a second">
          <span className="market-key-line" style={{ background: BID_LINE }} />
          <span className="legend-label">bid</span>
        </span>
        <span className="legend-item" title="Best ask, sampled ten times a second">
          <span className="market-key-line" style={{ background: ASK_LINE }} />
          <span className="legend-label">ask</span>
        </span>
        <span
          className="legend-item"
          title="Trades where the buyer was the aggressor; dot area grows with size"
        >
          <span className="market-key-dot buy" />
          <span className="legend-label">buy</span>
        </span>
        <span
          className="legend-item"
          title="Trades where the seller was the aggressor; dot area grows with size"
        >
          <span className="market-key-dot sell" />
          <span className="legend-label">sell</span>
        </span>
        <span className="legend-label market-legend-window" data-testid="market-window">
          last {WINDOW_SEC} s
        </span>
      </div>
      <div className="market-chart-box">
        {store && instrumentId >= 0 ? (
          <PriceChart store={store} instrumentId={instrumentId} />
        ) : (
          <div className="chart-waiting">waiting for the engine…</div>
        )}
      </div>
      <div className="market-lower">
        <Tape store={store} instrumentId={instrumentId} omitted={omitted} />
        <Ladder book={book} />
      </div>
    </section>
  );
}

/** Best bid and ask (step lines) with the trades as dots; the newest WINDOW_SEC seconds. */
function PriceChart({ store, instrumentId }: { store: MarketStore; instrumentId: number }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const view = createMarketView();
    let maxQty = 0;
    let newest = Number.NaN;
    let oldest = Number.NaN;
    // The newest WINDOW_SEC seconds; while the store holds less (a fresh page, or an instrument
    // whose trades outrun the store), what it holds, at least 10 s wide.
    const windowLabel = el
      .closest('.panel-market')
      ?.querySelector<HTMLElement>('[data-testid="market-window"]');
    const drawTrades = (u: uPlot): void => {
      const n = view.tradeTime.length;
      if (n === 0) return;
      const ctx = u.ctx;
      const dpr = devicePixelRatio || 1;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      for (let pass = 0; pass < 2; pass++) {
        const sell = pass === 1;
        ctx.fillStyle = sell ? 'rgba(248, 113, 113, 0.28)' : 'rgba(52, 211, 153, 0.28)';
        ctx.strokeStyle = sell ? 'rgba(248, 113, 113, 0.85)' : 'rgba(52, 211, 153, 0.85)';
        ctx.lineWidth = 0.75 * dpr;
        ctx.beginPath();
        for (let i = 0; i < n; i++) {
          if (((view.tradeFlags[i]! & RecordFlag.aggressorSell) !== 0) !== sell) continue;
          const x = u.valToPos(view.tradeTime[i]!, 'x', true);
          const y = u.valToPos(view.tradePrice[i]!, 'y', true);
          // Dot area grows with size: 1.25 px radius for the smallest, 6 px for the largest in view.
          const r = (1.25 + 4.75 * Math.sqrt(maxQty > 0 ? view.tradeQty[i]! / maxQty : 0)) * dpr;
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, Math.PI * 2);
        }
        ctx.fill();
        ctx.stroke();
      }
      ctx.restore();
    };
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height: Math.max(60, el.clientHeight),
      pxAlign: 0,
      // Room for half of the last time label at the right edge.
      padding: [8, 28, 0, 0],
      cursor: { show: false },
      legend: { show: false },
      scales: {
        x: {
          time: true,
          range: () => (Number.isFinite(newest) ? [oldest, newest] : [0, WINDOW_SEC]),
        },
        y: {
          range: (_u, lo, hi) => {
            // Quotes may all be missing (a feed without a book stream): the trades set the range.
            let min = Number.isFinite(lo) ? lo : Number.POSITIVE_INFINITY;
            let max = Number.isFinite(hi) ? hi : Number.NEGATIVE_INFINITY;
            for (let i = 0; i < view.tradePrice.length; i++) {
              const p = view.tradePrice[i]!;
              if (p < min) min = p;
              if (p > max) max = p;
            }
            if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
            const padY = Math.max((max - min) * 0.08, Math.abs(max) * 1e-5);
            return [min - padY, max + padY];
          },
        },
      },
      axes: [
        // Time labels once there is data (the x values are the quotes', which a feed without a
        // book does not have: the trades alone still set the window).
        baseAxis({
          space: 84,
          size: 26,
          gap: 4,
          values: (_u, splits) => splits.map((v) => (Number.isFinite(newest) ? fmtClock(v) : '')),
        }),
        baseAxis({ scale: 'y', size: 72, values: (_u, splits) => priceTicks(splits) }),
      ],
      series: [
        {},
        {
          label: 'bid',
          scale: 'y',
          stroke: BID_LINE,
          width: 1.5,
          paths: uPlot.paths.stepped!({ align: 1 }),
          points: { show: false },
        },
        {
          label: 'ask',
          scale: 'y',
          stroke: ASK_LINE,
          width: 1.5,
          paths: uPlot.paths.stepped!({ align: 1 }),
          points: { show: false },
        },
      ],
      // Trades under the quote lines, so the bid and ask stay readable in a busy minute.
      hooks: { drawClear: [drawTrades] },
    };
    const u = new uPlot(opts, [[], [], []], el);
    let version = -1;
    let drawnAt = Number.NEGATIVE_INFINITY;
    const stop = onAnimationFrame((now) => {
      const v = store.version;
      if (v === version || now - drawnAt < CHART_INTERVAL_MS || !claimDraw()) return;
      drawnAt = now;
      const slot = store.slotOf(instrumentId);
      if (slot < 0) return;
      const last = store.newest(slot);
      if (!store.read(slot, last - WINDOW_SEC * 1000, view)) return;
      version = v;
      newest = last / 1000;
      const first = Math.min(view.tradeTime[0] ?? newest, view.quoteTime[0] ?? newest);
      oldest = Math.min(newest - 10, Math.max(first, newest - WINDOW_SEC));
      if (windowLabel) {
        const text = `last ${Math.round(newest - oldest)} s`;
        setText(windowLabel, text);
      }
      maxQty = 0;
      for (let i = 0; i < view.tradeQty.length; i++)
        if (view.tradeQty[i]! > maxQty) maxQty = view.tradeQty[i]!;
      el.dataset.trades = String(view.tradeTime.length);
      el.dataset.quotes = String(view.quoteTime.length);
      u.setData([view.quoteTime, view.bid, view.ask] as uPlot.AlignedData);
    });
    const ro = new ResizeObserver(() =>
      u.setSize({ width: Math.max(100, el.clientWidth), height: Math.max(60, el.clientHeight) }),
    );
    ro.observe(el);
    return () => {
      stop();
      ro.disconnect();
      u.destroy();
    };
  }, [store, instrumentId]);
  return <div className="chart market-chart" ref={host} data-testid="market-chart" data-trades="0" />;
}

/** The newest trades, newest first, in fixed rows written straight into the DOM. */
function Tape({
  store,
  instrumentId,
  omitted,
}: {
  store: MarketStore | null;
  instrumentId: number;
  omitted: number;
}) {
  const body = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = body.current;
    if (!el || !store || instrumentId < 0) return;
    const rows = [...el.querySelectorAll<HTMLDivElement>('.tape-row')];
    const cells = rows.map((r) => [...r.children] as HTMLElement[]);
    const view = createMarketView();
    let version = -1;
    let last = Number.NEGATIVE_INFINITY;
    const clear = (): void => {
      for (let r = 0; r < rows.length; r++) {
        rows[r]!.dataset.side = '';
        for (const c of cells[r]!) setText(c, '');
      }
    };
    clear();
    const stop = onAnimationFrame((now) => {
      const v = store.version;
      if (v === version || now - last < TAPE_INTERVAL_MS) return;
      const slot = store.slotOf(instrumentId);
      if (slot < 0) return;
      // The tape needs only the newest rows: read from a little before the newest trade.
      if (!store.read(slot, store.newest(slot) - 5 * 60_000, view)) return;
      version = v;
      last = now;
      const n = view.tradeTime.length;
      for (let r = 0; r < rows.length; r++) {
        const i = n - 1 - r;
        const row = rows[r]!;
        const c = cells[r]!;
        if (i < 0) {
          if (row.dataset.side !== '') {
            row.dataset.side = '';
            for (const cell of c) setText(cell, '');
          }
          continue;
        }
        const sell = (view.tradeFlags[i]! & RecordFlag.aggressorSell) !== 0;
        row.dataset.side = sell ? 'sell' : 'buy';
        setText(c[0]!, fmtTapeTime(view.tradeTime[i]!));
        setText(c[1]!, sell ? 'SELL' : 'BUY');
        setText(c[2]!, fmtPrice(view.tradePrice[i]!));
        setText(c[3]!, fmtSize(view.tradeQty[i]!));
      }
      el.dataset.rows = String(Math.min(n, rows.length));
    });
    return stop;
  }, [store, instrumentId]);
  return (
    <div className="market-tape" data-testid="market-tape">
      <div className="market-sub-head">
        <span>Trades</span>
        <span
          className="market-sub-note"
          title="Trades the engine could not fit into the frames sent to this page (each frame carries at most 512)"
        >
          {omitted > 0 ? `${fmtInt(omitted)} not shown` : 'newest first'}
        </span>
      </div>
      <div className="tape-cols" aria-hidden="true">
        <span>time</span>
        <span>side</span>
        <span>price</span>
        <span>size</span>
      </div>
      <div className="tape-body" ref={body} data-rows="0">
        {Array.from({ length: TAPE_ROWS }, (_, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed rows, rewritten in place
          <div className="tape-row" key={r} data-testid="tape-row" data-side="">
            <span />
            <span />
            <span />
            <span />
          </div>
        ))}
      </div>
    </div>
  );
}

/** Asks above (best at the bottom), bids below (best at the top), bars for size. */
function Ladder({ book }: { book: BookView | undefined }) {
  const asks = book ? book.asks.slice(0, LADDER_LEVELS) : [];
  const bids = book ? book.bids.slice(0, LADDER_LEVELS) : [];
  let max = 0;
  for (const [, q] of asks) max = Math.max(max, q);
  for (const [, q] of bids) max = Math.max(max, q);
  const row = (side: 'bid' | 'ask', [px, q]: [number, number], k: number) => (
    <div className="ladder-row" data-side={side} data-testid="ladder-row" key={`${side}${k}`}>
      <span className="ladder-bar" style={{ width: `${max > 0 ? (q / max) * 100 : 0}%` }} />
      <span className="ladder-px">{fmtPrice(px)}</span>
      <span className="ladder-sz">{fmtSize(q)}</span>
    </div>
  );
  const empty = asks.length + bids.length === 0;
  return (
    <div className="market-ladder" data-testid="market-ladder" data-synced={book?.synced ? 'true' : 'false'}>
      <div className="market-sub-head">
        <span>Depth</span>
        <span className="market-sub-note">{`${LADDER_LEVELS} levels a side`}</span>
      </div>
      {empty ? (
        <div className="ladder-empty">
          {book ? 'no depth for this instrument: its feed sends no book' : 'no book yet'}
        </div>
      ) : (
        <div className="ladder-body">
          <div className="ladder-side asks">{asks.map((l, k) => row('ask', l, k)).reverse()}</div>
          <div className="ladder-side bids">{bids.map((l, k) => row('bid', l, k))}</div>
        </div>
      )}
    </div>
  );
}
