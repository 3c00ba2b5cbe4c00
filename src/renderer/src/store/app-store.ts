/**
 * Low-rate UI state in one zustand store: feeds and their connection states, instruments, the
 * market strip, transport and pipeline counters, a fatal error, whether the settings are open. Chart data never passes through
 * here (it lives in the series store), so React renders a few times a second at most.
 */
import { create } from 'zustand';
import type { ComponentStats, FeedStatus, InstrumentInfo } from '../../../common/feed-model.ts';
import type { MarketTick } from '../../../common/frame.ts';
import type { BookView, PipelineTotals, TransportStatus } from '../worker/messages.ts';

export interface AppState {
  feeds: FeedStatus[];
  instruments: Map<number, InstrumentInfo>;
  market: MarketTick[];
  /** The shared market store (trades and quotes for the Market panel), once the worker made it. */
  marketSab: SharedArrayBuffer | null;
  /** The shared histogram store (per-second latency bucket counts, the Distribution panel). */
  histogramSab: SharedArrayBuffer | null;
  /** Books by instrument id, a few times a second. */
  books: Map<number, BookView>;
  /** Trades the engine could not fit into frames, in all. */
  tradesOmitted: number;
  transport: TransportStatus | null;
  pipeline: PipelineTotals | null;
  components: ComponentStats[];
  fatal: string | null;
  /** The settings drawer is open. */
  settingsOpen: boolean;
  /** The settings drawer holds edits not applied yet (the header's button shows a dot). */
  settingsDirty: boolean;
  setFeeds(feeds: FeedStatus[]): void;
  setInstruments(list: InstrumentInfo[]): void;
  setMarket(ticks: MarketTick[]): void;
  setMarketSab(sab: SharedArrayBuffer): void;
  setHistogramSab(sab: SharedArrayBuffer): void;
  setBooks(books: BookView[], omitted: number): void;
  setTransport(t: TransportStatus): void;
  setPipeline(p: PipelineTotals): void;
  setComponents(c: ComponentStats[]): void;
  setFatal(message: string): void;
  setSettingsOpen(open: boolean): void;
  setSettingsDirty(dirty: boolean): void;
}

export const useAppStore = create<AppState>()((set) => ({
  feeds: [],
  instruments: new Map(),
  market: [],
  marketSab: null,
  histogramSab: null,
  books: new Map(),
  tradesOmitted: 0,
  transport: null,
  pipeline: null,
  components: [],
  fatal: null,
  settingsOpen: false,
  settingsDirty: false,
  setFeeds: (feeds) => set({ feeds }),
  setInstruments: (list) => set({ instruments: new Map(list.map((i) => [i.instrumentId, i])) }),
  setMarket: (market) => set({ market }),
  setMarketSab: (marketSab) => set({ marketSab }),
  setHistogramSab: (histogramSab) => set({ histogramSab }),
  setBooks: (books, tradesOmitted) =>
    set({ books: new Map(books.map((b) => [b.instrumentId, b])), tradesOmitted }),
  setTransport: (transport) => set({ transport }),
  setPipeline: (pipeline) => set({ pipeline }),
  setComponents: (components) => set({ components }),
  setFatal: (fatal) => set({ fatal }),
  setSettingsOpen: (settingsOpen) => set({ settingsOpen }),
  setSettingsDirty: (settingsDirty) => set({ settingsDirty }),
}));
