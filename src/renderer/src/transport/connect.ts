/**
 * Starts the frame receiver worker and hands it the transport this page has: in Electron, the
 * MessagePort the preload posts to the window (asked for with a nonce, accepted only from this
 * window with that nonce); in a browser, the headless host's WebSocket URL. Everything the worker
 * says goes to the store; the series store's SharedArrayBuffer is returned to the charts.
 */
import { FRAME_PORT_MESSAGE, STREAM_PATH } from '../../../common/api.ts';
import { MarketStore } from '../series/market-store.ts';
import { measureUiLatency } from '../series/ui-latency.ts';
import { useAppStore } from '../store/app-store.ts';
import type { FromWorker, ToWorker } from '../worker/messages.ts';

export function connectFrames(onStore: (sab: SharedArrayBuffer) => void): () => void {
  const worker = new Worker(new URL('../worker/frame-receiver.ts', import.meta.url), {
    type: 'module',
    name: 'frame-receiver',
  });
  const store = useAppStore.getState();
  let stopUiLatency: (() => void) | null = null;
  // The UI stage needs the market store (trades with their receive times) and the UI histogram.
  let marketSab: SharedArrayBuffer | null = null;
  let uiSab: SharedArrayBuffer | null = null;
  const startUiLatency = (): void => {
    if (!marketSab || !uiSab) return;
    stopUiLatency?.();
    stopUiLatency = measureUiLatency(new MarketStore(marketSab), uiSab);
  };
  const handle = (m: FromWorker): void => {
    switch (m.type) {
      case 'batch':
        for (const part of m.messages) handle(part);
        break;
      case 'store':
        onStore(m.sab);
        break;
      case 'feeds':
        store.setFeeds(m.feeds);
        break;
      case 'instruments':
        store.setInstruments(m.instruments);
        break;
      case 'market':
        store.setMarket(m.ticks);
        break;
      case 'market-store':
        store.setMarketSab(m.sab);
        marketSab = m.sab;
        startUiLatency();
        break;
      case 'latency-stores':
        store.setHistogramSab(m.histograms);
        uiSab = m.ui;
        startUiLatency();
        break;
      case 'books':
        store.setBooks(m.books, m.omitted);
        break;
      case 'transport':
        store.setTransport({ ...m.status });
        break;
      case 'pipeline':
        store.setPipeline({ ...m.totals });
        break;
      case 'components':
        store.setComponents(m.components);
        break;
      case 'fatal':
        store.setFatal(m.message);
        break;
    }
  };
  // One message, one task: the store updates in it are rendered together.
  worker.onmessage = (ev: MessageEvent<FromWorker>) => handle(ev.data);
  worker.onerror = (ev) => store.setFatal(`frame receiver failed: ${ev.message}`);

  const send = (m: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(m, transfer);
  const api = window.tickscope;
  let stopped = false;
  let onWindowMessage: ((ev: MessageEvent) => void) | null = null;
  if (api) {
    const nonce = crypto.randomUUID().replace(/-/g, '');
    onWindowMessage = (ev: MessageEvent) => {
      if (ev.source !== window || ev.data?.type !== FRAME_PORT_MESSAGE || ev.data?.nonce !== nonce) return;
      const port = ev.ports[0];
      if (!port) return;
      // Stopped before the port came (a React StrictMode remount): close it, so the main process
      // sees the port close and stops sending frames into it.
      if (stopped) port.close();
      else send({ type: 'port', port }, [port]);
    };
    window.addEventListener('message', onWindowMessage);
    api
      .requestFramePort(nonce)
      .catch((err: unknown) => store.setFatal(`could not open the frame port: ${String(err)}`));
  } else {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    send({ type: 'websocket', url: `${scheme}//${location.host}${STREAM_PATH}` });
  }
  return () => {
    stopped = true;
    stopUiLatency?.();
    worker.terminate(); // closes a port already handed over, and the WebSocket
    // Keep listening a little for a port still in flight, to close it; then let go.
    const late = onWindowMessage;
    if (late) setTimeout(() => window.removeEventListener('message', late), 10_000);
  };
}
