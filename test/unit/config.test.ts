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
    recording: { fsyncMs: 0, compressors: 4, codec: 'none', segmentMiB: 64 },
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
    [{ recording: 5 }, /recording must be an object/],
    [{ recording: { fsync: 10 } }, /recording: unknown key 'fsync'/],
    [{ recording: { fsyncMs: -1 } }, /recording.fsyncMs must be an integer 0 … 60,000/],
    [{ recording: { fsyncMs: 2.5 } }, /recording.fsyncMs/],
    [{ recording: { compressors: 0 } }, /recording.compressors must be an integer 1 … 16/],
    [{ recording: { compressors: '2' } }, /recording.compressors/],
    [{ recording: { codec: 'gzip' } }, /recording.codec must be one of columnar, zstd, none/],
    [{ recording: { segmentMiB: 0 } }, /recording.segmentMiB must be an integer 1 … 4,096/],
    [{ recording: { segmentMiB: 5000 } }, /recording.segmentMiB/],
  ];
  for (const [input, msg] of cases) {
    const r = parseConfig(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.match(r.errors.join('\n'), msg);
  }
});

test('recording policy: defaults (codec v2 since issue 16), a v1 choice kept, a part fills the rest', () => {
  const r = parseConfig({});
  assert.ok(r.ok);
  assert.deepEqual(r.config.recording, { fsyncMs: 1000, compressors: 2, codec: 'columnar', segmentMiB: 256 });
  // A file written before codec v2 keeps its v1 choice.
  const v1 = parseConfig({ recording: { codec: 'zstd' } });
  assert.ok(v1.ok);
  assert.equal(v1.config.recording.codec, 'zstd');
  const part = parseConfig({ recording: { codec: 'none' } });
  assert.ok(part.ok);
  assert.deepEqual(part.config.recording, { fsyncMs: 1000, compressors: 2, codec: 'none', segmentMiB: 256 });
  // Every bad field is named, all at once.
  const bad = parseConfig({ recording: { fsyncMs: 'soon', codec: 'lz4', segmentMiB: -3 } });
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.equal(bad.errors.length, 3, bad.errors.join('\n'));
});

test('config file: a file written before the recording policy existed still loads, with the defaults', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tickscope-config-'));
  const path = join(dir, 'config.json');
  await writeFile(
    path,
    JSON.stringify({
      version: 1,
      simulator: { venues: ['okx'], symbols: ['BTC-USDT'], rate: 100, seed: 2, faults: '' },
      feeds: [],
    }),
  );
  const { config, found } = await loadConfig(path);
  assert.equal(found, true);
  assert.deepEqual(config.recording, DEFAULT_CONFIG.recording);
  assert.deepEqual(config.simulator.venues, ['okx']);
  // Saved again, the policy is written out in full.
  await saveConfig(path, { ...config, recording: { ...config.recording, fsyncMs: 250 } });
  assert.equal((await loadConfig(path)).config.recording.fsyncMs, 250);
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
