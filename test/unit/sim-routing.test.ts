/**
 * The simulator routes by what the venue modules declare (SimVenueModule.wsPaths / restPaths):
 * the route table's rules on their own (exact beats prefix, longest prefix first, a trailing '/'
 * ignored, two owners of one path refused), then every registered venue's every path over real
 * sockets — each handshake lands on that venue — and the URLs the simulator hands out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { VENUE_NAMES } from '../../src/common/venues.ts';
import { Routes } from '../../src/main/sim/venue-sim.ts';
import { SIM_VENUES } from '../../src/main/sim/venues/registry.ts';
import { startSim } from './sim-venues-helpers.ts';

test('routes: exact over prefix, longest prefix first, trailing slash ignored, one owner a path', () => {
  const r = new Routes<{ name: string }>();
  const a = { name: 'a' };
  const b = { name: 'b' };
  const c = { name: 'c' };
  r.add('/ws/*', a);
  r.add('/ws/v5/public', b);
  r.add('/ws/v5/*', c);
  r.add('/ws', a);
  assert.equal(r.find('/ws/v5/public'), b, 'exact beats both prefixes');
  assert.equal(r.find('/ws/v5/public/'), b, 'a trailing slash is the same path');
  assert.equal(r.find('/ws/v5/business'), c, 'the longer prefix');
  assert.equal(r.find('/ws/btcusdt@trade'), a);
  assert.equal(r.find('/ws/'), a);
  assert.equal(r.find('/ws'), a);
  assert.equal(r.find('/wsx'), undefined);
  assert.equal(r.find('/'), undefined);
  assert.throws(() => r.add('/ws/v5/public/', c), /c and b both claim/);
  assert.throws(() => r.add('/ws/*', b), /b and a both claim/);
});

/** The status of a handshake on path: 101 when it opened. */
function handshake(url: string): Promise<number> {
  const ws = new WebSocket(url);
  return new Promise<number>((resolve) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('error', () => resolve(0));
  });
}

test('every venue module: each declared path reaches that venue; the URLs it is given', async () => {
  const sim = await startSim({ rate: 10 });
  assert.deepEqual(sim.venues, [...VENUE_NAMES], 'every registered venue runs by default');
  const http = sim.baseUrl.replace('ws://', 'http://');
  for (const name of VENUE_NAMES) {
    const mod = SIM_VENUES[name];
    assert.equal(mod.name, name);
    assert.equal(sim.urls[name].ws, `${sim.baseUrl}${mod.wsPaths[0]}`, `${name}: the first path is its URL`);
    assert.equal(sim.urls[name].rest, (mod.restPaths ?? []).length > 0 ? http : undefined);
    for (const path of mod.wsPaths) {
      // A prefix: a Binance-valid stream below it (the only prefix today is Binance's /ws/*).
      const p = path.endsWith('/*') ? `${path.slice(0, -1)}btcusdt@trade` : path;
      const before = sim.stats().venues[name].connectionsTotal;
      assert.equal(await handshake(`${sim.baseUrl}${p}`), 101, `${name} ${p}`);
      assert.equal(sim.stats().venues[name].connectionsTotal, before + 1, `${p} reached ${name}`);
    }
  }
  assert.equal(await handshake(`${sim.baseUrl}/nowhere`), 404);
});
