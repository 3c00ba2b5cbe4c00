/**
 * `tickscope replay DIR`: replays a recorded session through the same ring, readers and frame
 * publisher as live data — at 1× (recorded inter-arrival times), N× or max — and prints per-second
 * progress and a summary; with --serve, serves the dashboard on it (the feed chip names the
 * session) until the replay ends or Ctrl-C.
 */
import { Engine } from '../engine/engine.ts';
import { FeedStat } from '../feeds/feed-protocol.ts';
import { HttpHost } from '../host/http-host.ts';
import type { ReplayHost } from '../recorder/replay-host.ts';
import { intFlag, parseFlags, UsageError } from './args.ts';
import { ensureRendererBuilt, rendererRoot, sourceFeedWorkerUrl, sourceReplayWorkerUrl } from './paths.ts';
import { untilStopped } from './until-stopped.ts';

export const REPLAY_USAGE = `usage: tickscope replay DIR [--speed 1|N|max] [--from ISO_TIME] [--loop] [--serve [--port N]] [--json]
  Replays a recorded session through the pipeline: at 1× the recorded pace, N× faster, or as fast
  as possible. --from starts at a recorded time; --loop starts over at the end. --serve shows it in
  the dashboard on http://127.0.0.1:PORT/.`;

function speedFlag(v: string | undefined): number | 'max' {
  if (v === undefined) return 1;
  if (v === 'max') return 'max';
  const n = Number(v.replace(/x$/i, ''));
  if (!Number.isFinite(n) || n <= 0 || n > 1_000_000)
    throw new UsageError(`--speed must be a positive number or 'max', got '${v}'`);
  return n;
}

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      speed: { type: 'string' },
      from: { type: 'string' },
      loop: { type: 'boolean' },
      serve: { type: 'boolean' },
      port: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    console.log(REPLAY_USAGE);
    return 0;
  }
  const dir = positionals[0];
  if (!dir || positionals.length > 1) throw new UsageError('give one session folder: tickscope replay DIR');
  const speed = speedFlag(values.speed);
  let from = 0;
  if (values.from !== undefined) {
    from = Date.parse(values.from);
    if (Number.isNaN(from)) throw new UsageError(`--from must be a date-time, got '${values.from}'`);
  }
  const port = intFlag(values.port, 'port', 0, 65535, 8787);
  const json = values.json === true;
  const log = (line: string): void => console.error(line);
  if (values.serve) {
    const buildError = ensureRendererBuilt(log);
    if (buildError) {
      console.error(`tickscope replay: ${buildError}`);
      return 1;
    }
  }
  const engine = await Engine.start({
    feedWorkerUrl: sourceFeedWorkerUrl(),
    replay: {
      dir,
      speed,
      ...(from ? { from } : {}),
      ...(values.loop ? { loop: true } : {}),
      workerUrl: sourceReplayWorkerUrl(),
    },
    log,
  });
  const replay = engine.feeds[0] as ReplayHost;
  let server: HttpHost | null = null;
  if (values.serve) {
    server = await HttpHost.start({ port, root: rendererRoot, source: engine, log });
    console.log(server.url);
    log(
      `tickscope: replaying ${dir} at ${speed === 'max' ? 'max' : `${speed}×`} on ${server.url} (Ctrl-C to stop)`,
    );
  }
  const started = Date.now();
  let last = 0;
  const report = setInterval(() => {
    const n = replay.stats[FeedStat.messages]!;
    const p = replay.progress;
    const line = {
      t: Math.round((Date.now() - started) / 1000),
      recordsPerSec: n - last,
      records: n,
      position: p?.position ? new Date(p.position).toISOString() : null,
    };
    last = n;
    if (json) console.log(JSON.stringify(line));
    else if (!values.serve)
      log(
        `${String(line.t).padStart(4)}s  ${String(line.recordsPerSec).padStart(9)} records/s  at ${line.position ?? '–'}`,
      );
  }, 1000);
  await Promise.race([replay.done, untilStopped(0)]);
  clearInterval(report);
  const seconds = (Date.now() - started) / 1000;
  const p = replay.progress;
  await server?.close();
  await engine.stop();
  if (replay.error) {
    console.error(`tickscope replay: ${replay.error}`);
    return 1;
  }
  const summary = {
    summary: true,
    dir,
    records: p?.records ?? 0,
    seconds,
    recordsPerSec: (p?.records ?? 0) / Math.max(seconds, 1e-3),
    start: p?.start ?? null,
    end: p?.end ?? null,
    corruptBlocks: p?.corruptBlocks ?? 0,
    truncatedBytes: p?.truncatedBytes ?? 0,
  };
  console.log(
    json
      ? JSON.stringify(summary)
      : `replayed ${summary.records} records in ${seconds.toFixed(2)} s (${Math.round(summary.recordsPerSec)} records/s)${summary.corruptBlocks ? `, ${summary.corruptBlocks} corrupt blocks skipped` : ''}`,
  );
  return 0;
}
