/**
 * `tickscope serve`: the engine plus the headless host. What it connects to comes from a config
 * file (--config), overridden by flags: one live venue (--venue with --symbols, --url, --rest-url),
 * or else the embedded simulator speaking every venue (--sim-venues, --symbols, --rate, --seed,
 * --faults). Changes from the settings panel (POST /api/config) are applied at once and saved back
 * to the --config file. `--deterministic` serves a seeded session computed on a virtual clock
 * instead of live data (used by the screenshot tests); `--feeds N` runs the Binance trade simulator
 * split over N feed workers (throughput experiments). `--host ADDR` listens beyond loopback, behind
 * an access token (generated, or `--token-file`) printed once on stderr with the URL to open.
 */
import { networkInterfaces } from 'node:os';

import { IDLE_SESSIONS } from '../../common/api.ts';
import { DEFAULT_CONFIG } from '../../common/config.ts';
import { DEFAULT_FPS, Engine, splitFeeds } from '../engine/engine.ts';
import { EngineRunner } from '../engine/engine-runner.ts';
import { VIRTUAL_SYMBOLS, VirtualSession } from '../engine/virtual-session.ts';
import { VENUE_NAMES } from '../feeds/venues/registry.ts';
import type { ConfigAccess } from '../host/api-endpoints.ts';
import { readTokenFile } from '../host/auth.ts';
import { type FrameSource, HttpHost } from '../host/http-host.ts';
import { DEFAULT_SYMBOLS } from '../sim/market-model.ts';
import { intFlag, parseFlags, rateFlag, symbolsFlag, UsageError, urlFlag } from './args.ts';
import { configFromFlags } from './config-flags.ts';
import {
  defaultSessionsDir,
  ensureRendererBuilt,
  rendererRoot,
  sourceCompressWorkerUrl,
  sourceExportWorkerUrl,
  sourceFeedWorkerUrl,
  sourceRecorderWorkerUrl,
  sourceReplayWorkerUrl,
  sourceSimWorkerUrl,
} from './paths.ts';
import { untilStopped } from './until-stopped.ts';

export const SERVE_USAGE = `usage: tickscope serve [--port N] [--host ADDR [--token-file FILE]] [--config FILE] [--sessions DIR]
                      [--venue V --symbols A,B [--url WS_URL] [--rest-url URL]]
                      [--sim-venues V,V] [--symbols A,B] [--rate R|max] [--seed N] [--faults LIST]
                      [--fps 30..60] [--feeds N] [--deterministic] [--duration S]
  Serves the dashboard on http://127.0.0.1:PORT/ (port 0 = any free port) and streams live frames.
  --host ADDR listens on another address (0.0.0.0: every interface) behind an access token: a random
  one, printed once on stderr as the URL to open (http://ADDR:PORT/?token=…), or the one in
  --token-file FILE (at least 32 characters, a file only its owner can read). Browsers keep it in a
  cookie; scripts send Authorization: Bearer <token>.
  --config FILE: venues and instruments from a JSON config file (changes made in the settings panel
  are saved back to it). --venue connects one live venue (${VENUE_NAMES.join(', ')}); without one the
  embedded simulator speaks every venue (or --sim-venues) on 127.0.0.1, with optional --faults such
  as disconnect@every:30s,dropped-delta:okx@every:10s. --feeds N runs the Binance trade simulator
  spread over N feed workers.`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'token-file': { type: 'string' },
    config: { type: 'string' },
    sessions: { type: 'string' },
    venue: { type: 'string' },
    url: { type: 'string' },
    'rest-url': { type: 'string' },
    symbols: { type: 'string' },
    'sim-venues': { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string' },
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
  const fps = intFlag(values.fps, 'fps', 30, 60, DEFAULT_FPS);
  const feedWorkers = intFlag(values.feeds, 'feeds', 1, 16, 1);
  const seed = intFlag(values.seed, 'seed', 0, 2 ** 31 - 1, 1);
  const duration = intFlag(values.duration, 'duration', 1, 7 * 24 * 3600, 0);
  const url = urlFlag(values.url, 'url', ['ws:', 'wss:']);
  const host = values.host ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) throw new UsageError(`--host must be an address, got '${host}'`);
  let token: string | undefined;
  if (values['token-file'] !== undefined) {
    try {
      token = readTokenFile(values['token-file']);
    } catch (err) {
      throw new UsageError(`--token-file: ${(err as Error).message}`);
    }
  }
  const legacy = feedWorkers > 1;

  // The configuration: file, then flags on top; validated as a whole.
  const base = legacy || values.deterministic ? null : await configFromFlags(values);

  const buildError = ensureRendererBuilt((l) => console.error(l));
  if (buildError) {
    console.error(`tickscope serve: ${buildError}`);
    return 1;
  }

  const log = (line: string): void => console.error(line);
  let source: FrameSource;
  let config: ConfigAccess | undefined;
  let stopSource: () => Promise<void>;
  if (values.deterministic) {
    const session = VirtualSession.create({
      seed,
      symbols: symbolsFlag(values.symbols, 'symbols', [...VIRTUAL_SYMBOLS]),
    });
    source = session;
    stopSource = async () => {};
    // The same answers as Electron's deterministic mode: nothing to configure, record or command.
    config = {
      get: () => DEFAULT_CONFIG,
      set: async () => ({ ok: false, errors: ['a deterministic session cannot be reconfigured'] }),
      feedCommand: () => ({ ok: false, error: 'a deterministic session has no live feed' }),
      sessions: async () => IDLE_SESSIONS,
      sessionCommand: async () => ({ ok: false, error: 'a deterministic session cannot record' }),
      inspectSession: async () => ({ ok: false, error: 'a deterministic session has no sessions folder' }),
    };
    log(`deterministic session: seed ${seed}, ${session.frameCount} frames on a virtual clock`);
  } else if (legacy || !base) {
    const symbols = symbolsFlag(values.symbols, 'symbols', [...DEFAULT_SYMBOLS]);
    const engine = await Engine.start({
      feedWorkerUrl: sourceFeedWorkerUrl(),
      simWorkerUrl: sourceSimWorkerUrl(),
      feeds: url ? splitFeeds('binance', url, symbols, feedWorkers) : [],
      feedWorkers,
      sim: { rate: rateFlag(values.rate, 'rate', 1000), seed, symbols },
      fps,
      log,
    });
    source = engine;
    stopSource = () => engine.stop();
  } else {
    const runner = await EngineRunner.start(
      { feedWorkerUrl: sourceFeedWorkerUrl(), simWorkerUrl: sourceSimWorkerUrl(), fps, log },
      base,
      values.config ?? null,
      {
        root: values.sessions ?? defaultSessionsDir(),
        app: 'tickscope serve',
        recorderWorkerUrl: sourceRecorderWorkerUrl(),
        compressWorkerUrl: sourceCompressWorkerUrl(),
        replayWorkerUrl: sourceReplayWorkerUrl(),
        exportWorkerUrl: sourceExportWorkerUrl(),
      },
    );
    source = runner;
    config = {
      get: () => runner.config,
      set: (input) => runner.apply(input),
      feedCommand: (feedId, command) => runner.feedCommand(feedId, command),
      sessions: () => runner.sessions(),
      sessionCommand: (command) => runner.sessionCommand(command),
      inspectSession: (name) => runner.inspect(name),
      exportedFile: (name, format) => runner.exportedFile(name, format),
    };
    stopSource = () => runner.stop();
  }

  let server: HttpHost;
  try {
    server = await HttpHost.start({
      host,
      port,
      root: rendererRoot,
      source,
      log,
      ...(config ? { config } : {}),
      ...(token ? { token } : {}),
    });
  } catch (err) {
    await stopSource();
    console.error(`tickscope serve: ${(err as Error).message}`);
    return 1;
  }
  // Listen for Ctrl-C before announcing the URL: a caller may stop us as soon as it reads it.
  const stopped = untilStopped(duration);
  console.log(server.url);
  if (server.token) {
    // The only time the token is shown: on stderr, as the URL(s) to open.
    const port = new URL(server.url).port;
    const urls = addressesFor(host).map((a) => `http://${a}:${port}/?token=${server.token}`);
    log(`tickscope: dashboard at ${server.url}, behind an access token (Ctrl-C to stop); open:`);
    for (const u of urls) log(`  ${u}`);
    log('  (scripts: Authorization: Bearer <token>; the token is not shown again)');
  } else log(`tickscope: dashboard at ${server.url} (Ctrl-C to stop)`);

  await stopped;
  await server.close();
  await stopSource();
  return 0;
}

/** The addresses a browser can use to reach `host`: every interface's for a wildcard address. */
function addressesFor(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [host.includes(':') ? `[${host}]` : host];
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) {
      if (host === '0.0.0.0' && a.family !== 'IPv4') continue;
      if (a.family === 'IPv6' && a.scopeid) continue; // link-local: not usable in a plain URL
      out.push(a.family === 'IPv6' ? `[${a.address}]` : a.address);
    }
  return out.length ? out : ['127.0.0.1'];
}
