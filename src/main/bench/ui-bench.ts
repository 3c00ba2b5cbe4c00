/**
 * `tickscope bench ui`: the dashboard under load. Starts `tickscope serve` on the simulator at its
 * full rate (every venue), opens the page in Chromium (Playwright, 1440×900, every panel visible),
 * and for `seconds` measures in the page: the time between animation frames (p50, p99), long
 * tasks over 50 ms (PerformanceObserver), and the UI stage — each trade from the engine's receive
 * time until the animation frame that paints it (src/renderer/src/series/ui-latency.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';

export interface UiRow {
  bench: 'ui';
  subject: 'tickscope';
  metric: 'frame_p50_ms' | 'frame_p99_ms' | 'long_tasks_over_50ms' | 'ui_latency_p99_ms';
  value: number;
}

/** What the page functions below use of the browser (this file is type-checked as Node code). */
interface PageGlobals {
  __tickscopeUi?: { samples: Float64Array; count: number };
  requestAnimationFrame(cb: (now: number) => void): number;
  PerformanceObserver: new (
    cb: (list: { getEntries(): { duration: number }[] }) => void,
  ) => { observe(o: { type: string; buffered: boolean }): void; disconnect(): void };
}

const bin = fileURLToPath(new URL('../../../bin/tickscope.mjs', import.meta.url));

function startServe(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('serve printed no URL in 120 s')), 120_000);
    createInterface({ input: child.stdout! }).once('line', (url) => {
      clearTimeout(t);
      resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function runUiBench(opts: {
  seconds: number;
  rate: string;
  log?: (line: string) => void;
}): Promise<{ rows: UiRow[]; frames: number; uiSamples: number; worstFrameMs: number }> {
  const tmp = await mkdtemp(join(tmpdir(), 'tickscope-bench-ui-'));
  const { child, url } = await startServe([
    '--rate',
    opts.rate,
    '--sessions',
    join(tmp, 'sessions'),
    '--config',
    join(tmp, 'config.json'),
  ]);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-gpu-vsync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    await page.waitForFunction(
      () => ((globalThis as unknown as PageGlobals).__tickscopeUi?.count ?? 0) > 2,
      null,
      {
        timeout: 60_000,
      },
    );
    opts.log?.(`bench ui: measuring ${opts.seconds} s at simulator rate ${opts.rate} on ${url}`);
    const result = await page.evaluate(async (ms: number) => {
      const g = globalThis as unknown as PageGlobals;
      const deltas: number[] = [];
      let longTasks = 0;
      const obs = new g.PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.duration > 50) longTasks++;
      });
      obs.observe({ type: 'longtask', buffered: false });
      const ui0 = g.__tickscopeUi!.count;
      await new Promise<void>((resolve) => {
        let last = performance.now();
        const end = last + ms;
        const tick = (now: number): void => {
          deltas.push(now - last);
          last = now;
          if (now < end) g.requestAnimationFrame(tick);
          else resolve();
        };
        g.requestAnimationFrame(tick);
      });
      obs.disconnect();
      const u = g.__tickscopeUi!;
      const taken = Math.min(u.count - ui0, u.samples.length);
      const ui: number[] = [];
      for (let k = 0; k < taken; k++) ui.push(u.samples[(u.count - 1 - k) % u.samples.length]!);
      return { deltas, longTasks, ui };
    }, opts.seconds * 1000);
    const frames = [...result.deltas].sort((a, b) => a - b);
    const ui = [...result.ui].sort((a, b) => a - b);
    const rows: UiRow[] = [
      { bench: 'ui', subject: 'tickscope', metric: 'frame_p50_ms', value: quantile(frames, 0.5) },
      { bench: 'ui', subject: 'tickscope', metric: 'frame_p99_ms', value: quantile(frames, 0.99) },
      { bench: 'ui', subject: 'tickscope', metric: 'long_tasks_over_50ms', value: result.longTasks },
      { bench: 'ui', subject: 'tickscope', metric: 'ui_latency_p99_ms', value: quantile(ui, 0.99) },
    ];
    return { rows, frames: frames.length, uiSamples: ui.length, worstFrameMs: frames.at(-1) ?? Number.NaN };
  } finally {
    await browser.close();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
    await rm(tmp, { recursive: true, force: true });
  }
}

export function formatUiTable(r: {
  rows: UiRow[];
  frames: number;
  uiSamples: number;
  worstFrameMs: number;
}): string {
  const v = (m: UiRow['metric']): number => r.rows.find((x) => x.metric === m)?.value ?? Number.NaN;
  const line = (label: string, value: string, target: string, ok: boolean): string =>
    `${label.padEnd(38)} ${value.padStart(10)}   ${target}${ok ? '' : '  MISSED'}`;
  return [
    `${r.frames} animation frames, ${r.uiSamples} UI-stage samples, worst frame ${r.worstFrameMs.toFixed(1)} ms`,
    line('frame time p50', `${v('frame_p50_ms').toFixed(1)} ms`, '', true),
    line('frame time p99', `${v('frame_p99_ms').toFixed(1)} ms`, '≤ 16.7 ms', v('frame_p99_ms') <= 16.7),
    line('long tasks over 50 ms', String(v('long_tasks_over_50ms')), '= 0', v('long_tasks_over_50ms') === 0),
    line(
      'UI stage (receive → painted) p99',
      `${v('ui_latency_p99_ms').toFixed(1)} ms`,
      '≤ 50 ms',
      v('ui_latency_p99_ms') <= 50,
    ),
  ].join('\n');
}
