/**
 * The configuration contract: parseConfig fills defaults, refuses every malformed part with a
 * message naming it, and the config file is read strictly and replaced atomically.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CONFIG, enabledFeeds, parseConfig } from '../../src/common/config.ts';
import {
  ConfigFileError,
  defaultConfigPath,
  loadConfig,
  saveConfig,
} from '../../src/main/config/config-file.ts';

test('an empty object is the default: the simulator on every venue', () => {
  const r = parseConfig({});
  assert.ok(r.ok);
  assert.deepEqual(r.config, DEFAULT_CONFIG);
  assert.equal(enabledFeeds(r.config).length, 0);
});

test('a full config round-trips; disabled feeds do not connect', () => {
  const input = {
    version: 1,
    simulator: {
      venues: ['okx'],
      symbols: ['BTC-USDT'],
      rate: 'max',
      seed: 7,
      faults: 'disconnect@every:30s,dropped-delta:okx@5s',
    },
    feeds: [
      { venue: 'kraken', symbols: ['BTC/USD', 'ETH-USD'], url: 'wss://ws.kraken.com/v2', books: true },
      { venue: 'binance', symbols: ['BTCUSDT'], restUrl: 'https://api.binance.com', enabled: false },
    ],
  };
  const r = parseConfig(input);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.config, input);
  assert.deepEqual(
    enabledFeeds(r.config).map((f) => f.venue),
    ['kraken'],
  );
});

test('every malformed part is named', () => {
  const cases: [unknown, RegExp][] = [
    [null, /config must be an object/],
    [[], /config must be an object/],
    [{ bogus: 1 }, /unknown key 'bogus'/],
    [{ version: 2 }, /version must be 1/],
    [{ simulator: { venues: ['nyse'] } }, /'nyse' is not a venue/],
    [{ simulator: { venues: [] } }, /simulator.venues must list/],
    [{ simulator: { rate: 0 } }, /simulator.rate/],
    [{ simulator: { rate: 'fast' } }, /simulator.rate/],
    [{ simulator: { seed: 1.5 } }, /simulator.seed/],
    [{ simulator: { faults: 'meteor' } }, /bad entry 'meteor'/],
    [{ simulator: { symbols: ['BTC USDT'] } }, /is not a symbol/],
    [{ simulator: { symbols: ['BTC-USDT', 'btc-usdt'] } }, /repeated symbol/],
    [{ feeds: [{ venue: 'okx' }] }, /feeds\[0\].symbols must be a list/],
    [
      { feeds: [{ venue: 'okx', symbols: ['BTC-USDT'], url: 'http://x' }] },
      /feeds\[0\].url: http: is not one of ws: wss:/,
    ],
    [{ feeds: [{ venue: 'okx', symbols: ['BTC-USDT'], url: 'not a url' }] }, /is not a URL/],
    [{ feeds: [{ venue: 'okx', symbols: ['BTC-USDT'], books: 'yes' }] }, /books must be true or false/],
    [{ feeds: Array.from({ length: 17 }, () => ({ venue: 'okx', symbols: ['A-B'] })) }, /at most 16/],
    [{ simulator: { symbols: Array.from({ length: 65 }, (_, i) => `S${i}-USDT`) } }, /1 to 64 symbols/],
  ];
  for (const [input, msg] of cases) {
    const r = parseConfig(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.match(r.errors.join('\n'), msg);
  }
});

test('config file: missing gives the defaults, bad JSON and bad content are clear errors, saves are atomic', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tickscope-config-'));
  const path = join(dir, 'sub', 'config.json');
  const missing = await loadConfig(path);
  assert.equal(missing.found, false);
  assert.deepEqual(missing.config, DEFAULT_CONFIG);
  const c = parseConfig({ simulator: { venues: ['bybit'] } });
  assert.ok(c.ok);
  await saveConfig(path, c.config);
  assert.deepEqual((await loadConfig(path)).config, c.config);
  assert.deepEqual(await readdir(join(dir, 'sub')), ['config.json'], 'no temporary file left behind');
  assert.match(await readFile(path, 'utf8'), /"bybit"/);
  await writeFile(path, '{"simulator": ');
  await assert.rejects(
    loadConfig(path),
    (e: Error) => e instanceof ConfigFileError && /not valid JSON/.test(e.message),
  );
  await writeFile(path, '{"simulator":{"rate":-1},"feeds":[{"venue":"x"}]}');
  await assert.rejects(
    loadConfig(path),
    (e: Error) => /simulator.rate/.test(e.message) && /'x' is not a venue/.test(e.message),
  );
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '/cfg' }), '/cfg/tickscope/config.json');
});
