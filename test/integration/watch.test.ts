/**
 * `tickscope watch` against the simulator over loopback: its summary reconciles with what the
 * server sent, it stops at --max-messages, and unsupported venues or missing flags are refused.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VenueSim } from '../../src/main/sim/venue-sim.ts';

const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));
const sims: VenueSim[] = [];
after(async () => {
  for (const s of sims) await s.close();
});

function watch(args: string[]): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'watch', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('watch did not end'));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        lines: out
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      });
    });
  });
}

test('watch --json: per-second lines, then a summary that matches what the server sent', async () => {
  const sim = await VenueSim.start({ mode: 'trades', port: 0, rate: 2000, seed: 5, maxEvents: 600 });
  sims.push(sim);
  const { code, lines } = await watch([
    '--venue',
    'binance',
    '--trades-only',
    '--symbols',
    'BTCUSDT,ETHUSDT,SOLUSDT,BNBUSDT,XRPUSDT',
    '--url',
    sim.baseUrl,
    '--duration',
    '3',
    '--json',
  ]);
  assert.equal(code, 0);
  const summary = lines.at(-1)!;
  assert.equal(summary.summary, true);
  assert.ok(lines.length >= 3, 'per-second lines before the summary');
  assert.equal(summary.trades, sim.stats().venues.binance.trades, 'trades received = trades sent');
  assert.equal(summary.trades, 600);
  assert.equal(summary.messages, 601, 'every trade plus the SUBSCRIBE acknowledgement');
  for (const k of ['gaps', 'resyncs', 'reconnects', 'malformed', 'checksumErrors', 'bookUpdates']) {
    assert.equal(summary[k], 0, k);
  }
});

test('watch stops at --max-messages', async () => {
  const sim = await VenueSim.start({ mode: 'trades', port: 0, rate: 1000, seed: 6 });
  sims.push(sim);
  const t0 = Date.now();
  const { code, lines } = await watch([
    '--venue',
    'binance',
    '--trades-only',
    '--symbols',
    'BTCUSDT',
    '--url',
    sim.baseUrl,
    '--max-messages',
    '50',
    '--duration',
    '20',
    '--json',
  ]);
  assert.equal(code, 0);
  const summary = lines.at(-1)!;
  assert.ok((summary.messages as number) >= 50);
  assert.ok(Date.now() - t0 < 15_000, 'ended on the message count, not the duration');
});

test('watch refuses an unknown venue, a missing --venue and a missing --symbols with exit code 2', () => {
  const venue = spawnSync(process.execPath, [bin, 'watch', '--venue', 'nasdaq', '--symbols', 'BTC-USD'], {
    encoding: 'utf8',
  });
  assert.equal(venue.status, 2);
  assert.match(venue.stderr, /unknown --venue 'nasdaq' \(venues: binance, coinbase, kraken, bybit, okx\)/);
  const none = spawnSync(process.execPath, [bin, 'watch', '--symbols', 'BTCUSDT'], { encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /--venue is required/);
  const symbols = spawnSync(process.execPath, [bin, 'watch', '--venue', 'binance'], { encoding: 'utf8' });
  assert.equal(symbols.status, 2);
  assert.match(symbols.stderr, /--symbols is required/);
});
