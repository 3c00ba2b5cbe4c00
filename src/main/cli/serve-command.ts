/**
 * `tickscope serve`: the engine plus the headless host. With no feed configured it runs on the
 * embedded simulator; `--url` points the Binance feed elsewhere. `--deterministic` serves a seeded
 * session computed on a virtual clock instead of live data (used by the screenshot tests).
 */
import { Engine, splitFeeds } from '../engine/engine.ts';
import { VirtualSession } from '../engine/virtual-session.ts';
import { type FrameSource, HttpHost } from '../host/http-host.ts';
import { DEFAULT_SYMBOLS } from '../sim/market-model.ts';
import { intFlag, parseFlags, rateFlag, symbolsFlag, urlFlag } from './args.ts';
import { ensureRendererBuilt, rendererRoot, sourceFeedWorkerUrl, sourceSimWorkerUrl } from './paths.ts';
import { untilStopped } from './until-stopped.ts';

export const SERVE_USAGE = `usage: tickscope serve [--port N] [--host 127.0.0.1] [--url WS_URL] [--symbols A,B]
                      [--rate R|max] [--seed N] [--fps 30..60] [--feeds N] [--deterministic]
                      [--duration S]
  Serves the dashboard on http://127.0.0.1:PORT/ (port 0 = any free port) and streams live frames.
  Without --url it runs on the embedded Binance simulator. --feeds spreads the symbols over N
  feed workers (connections and rings).`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    url: { type: 'string' },
    symbols: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    fps: { type: 'string' },
    feeds: { type: 'string' },
    deterministic: { type: 'boolean' },
    duration: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(SERVE_USAGE);
    return 0;
  }
  const port = intFlag(values.port, 'port', 0, 65535, 8787);
  const fps = intFlag(values.fps, 'fps', 30, 60, 30);
  const feedWorkers = intFlag(values.feeds, 'feeds', 1, 16, 1);
  const seed = intFlag(values.seed, 'seed', 0, 2 ** 31 - 1, 1);
  const duration = intFlag(values.duration, 'duration', 1, 7 * 24 * 3600, 0);
  const rate = rateFlag(values.rate, 'rate', 1000);
  const url = urlFlag(values.url, 'url', ['ws:', 'wss:']);
  const symbols = symbolsFlag(values.symbols, 'symbols', [...DEFAULT_SYMBOLS]);
  const host = values.host ?? '127.0.0.1';

  const buildError = ensureRendererBuilt((l) => console.error(l));
  if (buildError) {
    console.error(`tickscope serve: ${buildError}`);
    return 1;
  }

  const log = (line: string): void => console.error(line);
  let source: FrameSource;
  let stopSource: () => Promise<void>;
  if (values.deterministic) {
    const session = VirtualSession.create({ seed, symbols });
    source = session;
    stopSource = async () => {};
    log(`deterministic session: seed ${seed}, ${session.frameCount} frames on a virtual clock`);
  } else {
    const engine = await Engine.start({
      feedWorkerUrl: sourceFeedWorkerUrl(),
      simWorkerUrl: sourceSimWorkerUrl(),
      feeds: url ? splitFeeds('binance', url, symbols, feedWorkers) : [],
      feedWorkers,
      sim: { rate, seed, symbols },
      fps,
      log,
    });
    source = engine;
    stopSource = () => engine.stop();
  }

  let server: HttpHost;
  try {
    server = await HttpHost.start({ host, port, root: rendererRoot, source, log });
  } catch (err) {
    await stopSource();
    console.error(`tickscope serve: ${(err as Error).message}`);
    return 1;
  }
  // Listen for Ctrl-C before announcing the URL: a caller may stop us as soon as it reads it.
  const stopped = untilStopped(duration);
  console.log(server.url);
  log(`tickscope: dashboard at ${server.url} (Ctrl-C to stop)`);

  await stopped;
  await server.close();
  await stopSource();
  return 0;
}
