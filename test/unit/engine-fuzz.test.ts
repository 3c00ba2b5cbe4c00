/**
 * The engine behind the IPC and HTTP API, fed a few hundred malformed and unauthorised calls the
 * way the handlers make them (the input structured-cloned as IPC does, then parsed, then handed to
 * the EngineRunner): configs, feed commands, session commands, inspect and export look-ups with
 * traversal, absolute paths, NUL, device names and values of every wrong kind. The runner is real
 * — the embedded simulator on 127.0.0.1, feed worker, ring, publisher — with a temporary config
 * file and sessions folder. Afterwards: every call got a clear refusal, nothing was thrown or left
 * rejected, the config in force and on disk is byte-identical, not a file was created, changed or
 * deleted, no recording started, the same engine still runs, and frames keep arriving with
 * consecutive sequence numbers while the feed's message count grows.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseFeedCommand, parseSessionCommand, type SessionCommand } from '../../src/common/api.ts';
import { parseConfig, type TickscopeConfig } from '../../src/common/config.ts';
import { createDecodedFrame, decodeFrame } from '../../src/common/frame.ts';
import { quoteValue } from '../../src/common/quote-value.ts';
import {
  sourceCompressWorkerUrl,
  sourceExportWorkerUrl,
  sourceFeedWorkerUrl,
  sourceRecorderWorkerUrl,
  sourceReplayWorkerUrl,
  sourceSimWorkerUrl,
} from '../../src/main/cli/paths.ts';
import { saveConfig } from '../../src/main/config/config-file.ts';
import { EngineRunner } from '../../src/main/engine/engine-runner.ts';
import { checkSessionName } from '../../src/main/recorder/sessions.ts';

const SEED = Number(process.env.FC_SEED ?? 20_260_407);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- what is thrown at it ----

const MB = 'x'.repeat(1 << 20);
function deep(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
const BAD_NAMES: unknown[] = [
  '../../etc/passwd',
  '../secret.txt',
  '..',
  '.',
  '/etc/passwd',
  'C:\\Windows\\win.ini',
  '\\\\server\\share',
  'keep-me/../../secret.txt',
  'keep-me/manifest.json',
  'keep-me\0',
  'a\0b',
  'exports/keep-me.csv',
  'CON',
  'nul.csv',
  'LPT1',
  'keep-me.',
  'keep-me ',
  'ｋｅｅｐ-ｍｅ',
  'keep․me',
  '∕etc∕passwd',
  '',
  ' ',
  MB,
  -1,
  Number.NaN,
  null,
  undefined,
  true,
  {},
  ['keep-me'],
  Object.create(null),
  JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  deep(2_000), // IPC carries it
  deep(10_000), // IPC cannot clone it: refused in the page, never sent
];
const BAD_FORMATS: unknown[] = [
  'CSV',
  'csv ',
  'csv\0',
  '../csv',
  'exe',
  'json',
  '',
  MB,
  1,
  null,
  ['csv'],
  {},
];
/** Valid names of no session (the folder's one session, keep-me, is never a target). */
const ABSENT_NAMES = ['no-such-session', 'session-2020-01-01T00-00-00', 'e2e run'];

const hostile = fc.oneof(
  fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true }),
  fc.jsonValue(),
  fc.constantFrom(...BAD_NAMES, ...BAD_FORMATS),
);
const sample = <T>(arb: fc.Arbitrary<T>, n: number): T[] => fc.sample(arb, { seed: SEED, numRuns: n });

function configInputs(base: TickscopeConfig): unknown[] {
  const spoil = fc
    .tuple(
      fc.constantFrom(
        ['version'],
        ['simulator'],
        ['simulator', 'venues'],
        ['simulator', 'symbols'],
        ['simulator', 'rate'],
        ['simulator', 'seed'],
        ['simulator', 'faults'],
        ['feeds'],
        ['recording'],
        ['recording', 'fsyncMs'],
        ['recording', 'codec'],
        ['extra'],
      ),
      hostile,
    )
    .map(([path, bad]) => {
      const c = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
      if (path.length === 1) c[path[0]!] = bad as Record<string, unknown>;
      else c[path[0]!]![path[1]!] = bad;
      return c;
    });
  return [
    ...sample(hostile, 60),
    ...sample(spoil, 120),
    { ...base, feeds: [{ venue: 'binance', symbols: ['BTC-USDT'], url: 'file:///etc/passwd' }] },
    { ...base, feeds: [{ venue: 'binance', symbols: ['../../etc'], url: 'ws://127.0.0.1:1' }] },
    { ...base, simulator: { ...base.simulator, venues: new Array(100_000).fill('binance') } },
    { ...base, feeds: new Array(17).fill({ venue: 'okx', symbols: ['BTC-USDT'] }) },
    JSON.parse('{"__proto__":{"version":1},"constructor":{"prototype":{"polluted":"yes"}}}'),
  ];
}

function feedInputs(): unknown[] {
  const badId = fc.oneof(
    fc.constantFrom(-1, 0, 1e9, 65_536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0, '1', null, [1]),
    hostile,
  );
  const badCommand = fc.oneof(fc.constantFrom('RECONNECT', 'reconnect ', 'stop', '', 'roll\0'), hostile);
  return [
    ...sample(hostile, 40),
    ...sample(fc.record({ feedId: badId, command: fc.constantFrom('reconnect', 'roll', 'resync') }), 40),
    ...sample(fc.record({ feedId: fc.constant(1), command: badCommand }), 30),
    // Well-formed, but no such feed (the engine runs feed 1 only).
    ...sample(
      fc.record({ feedId: fc.integer({ min: 2, max: 0xffff }), command: fc.constant('reconnect') }),
      10,
    ),
    { feedId: 1, command: 'reconnect', extra: true },
  ];
}

function sessionInputs(): unknown[] {
  const name = fc.oneof(fc.constantFrom(...BAD_NAMES), hostile);
  const absent = fc.constantFrom(...ABSENT_NAMES);
  return [
    ...sample(hostile, 40),
    ...sample(fc.record({ action: fc.constantFrom('rename', 'delete', 'replay', 'export'), name }), 50),
    ...sample(fc.record({ action: fc.constant('rename'), name: fc.constant('keep-me'), to: name }), 20),
    ...sample(fc.record({ action: fc.constant('rename'), name, to: fc.constant('renamed') }), 10),
    ...sample(
      fc.record({ action: fc.constant('export'), name: absent, format: fc.constantFrom('csv', 'jsonl') }),
      3,
    ),
    ...sample(
      fc.record({ action: fc.constant('export'), name: fc.constant('keep-me'), format: hostile }),
      10,
    ),
    ...sample(fc.record({ action: fc.constantFrom('rename', 'delete'), name: absent, to: absent }), 6),
    ...sample(
      fc.record({ action: fc.constantFrom('speed', 'seek', 'replay'), speed: hostile, to: hostile }),
      20,
    ),
    // Well-formed, but with nothing to act on: no recording, no replay, already live.
    { action: 'stop' },
    { action: 'pause' },
    { action: 'resume' },
    { action: 'speed', speed: 2 },
    { action: 'seek', to: 0 },
    { action: 'live' },
    { action: 'replay', name: 'no-such-session', speed: 1 },
    { action: 'record', now: true },
    { action: 'RECORD' },
    JSON.parse('{"action":"record","__proto__":{"x":1}}'),
  ];
}

/** A well-formed command that would really rename, delete, replay or export the folder's session. */
function actsOnKeepMe(c: SessionCommand): boolean {
  if (!('name' in c) || c.name !== 'keep-me') return false;
  if (c.action !== 'rename') return true;
  try {
    checkSessionName(c.to);
    return true;
  } catch {
    return false;
  }
}

// ---- the folder, before and after ----

async function tree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        out.set(`${relative(root, p)}/`, 'dir');
        await walk(p);
      } else {
        const s = await stat(p);
        const hash = createHash('sha256')
          .update(await readFile(p))
          .digest('hex');
        out.set(relative(root, p), `${s.size} ${s.mtimeMs} ${hash}`);
      }
    }
  };
  await walk(root);
  return out;
}

/** Clones as Electron's IPC does; what cannot be cloned never leaves the page. */
function overIpc(input: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: structuredClone(input) };
  } catch {
    return { ok: false };
  }
}

/** A short description of an input for a failure message (it may hold a megabyte). */
function show(v: unknown): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return quoteValue(v);
  const keys = Reflect.ownKeys(v).slice(0, 6);
  const entry = (k: string | symbol) =>
    `${k.toString().slice(0, 20)}: ${quoteValue((v as Record<string | symbol, unknown>)[k])}`;
  return `{${keys.map(entry).join(', ')}}`;
}

function assertRefused(reply: unknown, what: string): void {
  const r = reply as { ok?: unknown; error?: unknown; errors?: unknown };
  assert.equal(r.ok, false, `${what}: accepted`);
  const errors = r.errors ?? [r.error];
  assert.ok(Array.isArray(errors) && errors.length > 0, `${what}: no reason`);
  for (const e of errors as unknown[]) {
    assert.equal(typeof e, 'string', `${what}: a reason that is not text`);
    assert.ok((e as string).trim().length > 0 && (e as string).length < 2_500, `${what}: '${e}'`);
  }
}

test('engine: hundreds of malformed IPC/HTTP calls, each refused clearly, nothing touched', async () => {
  const problems: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    problems.push(reason);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onRejection);

  const tmp = await mkdtemp(join(tmpdir(), 'tickscope-engine-fuzz-'));
  const root = join(tmp, 'sessions');
  const configPath = join(tmp, 'config.json');
  const parsed = parseConfig({
    version: 1,
    simulator: { venues: ['binance'], symbols: ['BTC-USDT'], rate: 200, seed: 7 },
    recording: { fsyncMs: 100, compressors: 1 },
  });
  assert.ok(parsed.ok);
  const config = parsed.config;
  await saveConfig(configPath, config);
  // Something to protect: a session with a foreign file, a finished export, a file beside the folder.
  await mkdir(join(root, 'keep-me'), { recursive: true });
  await writeFile(join(root, 'keep-me', 'manifest.json'), JSON.stringify({ start: 1, closed: true }));
  await writeFile(join(root, 'keep-me', 'notes.txt'), 'not the engine’s');
  await mkdir(join(root, 'exports'));
  await writeFile(join(root, 'exports', 'keep-me.csv'), 'kind,time\n');
  await writeFile(join(tmp, 'secret.txt'), 'outside the sessions folder');

  const log: string[] = [];
  const runner = await EngineRunner.start(
    {
      feedWorkerUrl: sourceFeedWorkerUrl(),
      simWorkerUrl: sourceSimWorkerUrl(),
      fps: 30,
      log: (l) => log.push(l),
    },
    config,
    configPath,
    {
      root,
      app: 'engine fuzz test',
      recorderWorkerUrl: sourceRecorderWorkerUrl(),
      compressWorkerUrl: sourceCompressWorkerUrl(),
      replayWorkerUrl: sourceReplayWorkerUrl(),
      exportWorkerUrl: sourceExportWorkerUrl(),
    },
  );
  // A sink as the IPC layer attaches one (the frame port): frames decoded, sequence kept.
  const seqs: number[] = [];
  const totals: number[] = [];
  const d = createDecodedFrame();
  const removeSink = runner.addSink({
    name: 'fuzz',
    send(frame, done) {
      decodeFrame(frame, d);
      done();
      seqs.push(d.seq);
      if (d.hasMetrics && d.metrics.feedCount > 0) totals.push(d.metrics.feeds[0]!.totalMessages);
    },
  });

  try {
    // Live first: the one feed has messages flowing.
    const t0 = Date.now();
    while (totals.at(-1) === undefined || totals.at(-1)! === 0) {
      assert.ok(Date.now() - t0 < 15_000, 'the feed never went live');
      await sleep(100);
    }
    const engineBefore = runner.engine;
    const configBefore = JSON.stringify(runner.config);
    const fileBefore = await readFile(configPath);
    const treeBefore = await tree(tmp);
    const messagesBefore = totals.at(-1)!;
    const seqFrom = seqs.length;

    let calls = 0;
    let unsendable = 0;
    const call = async (what: string, f: (input: unknown) => unknown, input: unknown): Promise<void> => {
      const sent = overIpc(input);
      if (!sent.ok) {
        unsendable++;
        return;
      }
      calls++;
      let reply: unknown;
      try {
        reply = await f(sent.value);
      } catch (err) {
        assert.fail(`${what} threw ${(err as Error)?.name}: ${(err as Error)?.message}`);
      }
      assertRefused(reply, `${what} ${show(input)}`);
    };

    // setConfig: parseConfig inside apply. Inputs that happen to be valid are not fuzz: skipped.
    for (const input of configInputs(config)) {
      if (parseConfig(input).ok) continue;
      await call('setConfig', (i) => runner.apply(i), input);
    }
    // feedCommand: parsed as the handler does, then to the runner; and raw ids straight to it.
    for (const input of feedInputs()) {
      const c = parseFeedCommand(input);
      if (c.ok && runner.engine.feeds.some((f) => f.config.feedId === c.feedId)) continue; // a valid command
      await call(
        'feedCommand',
        (i) => {
          const c = parseFeedCommand(i);
          return c.ok ? runner.feedCommand(c.feedId, c.command) : c;
        },
        input,
      );
    }
    for (const id of [-1, 0, 1e9, Number.NaN, Number.POSITIVE_INFINITY, 1.5])
      assertRefused(runner.feedCommand(id, 'reconnect'), `feedCommand ${id}`);
    // sessionCommand: parsed, then to the runner.
    for (const input of sessionInputs()) {
      const c = parseSessionCommand(input);
      if (c.ok && actsOnKeepMe(c.command)) continue; // a valid command on the one session
      await call(
        'sessionCommand',
        (i) => {
          const c = parseSessionCommand(i);
          return c.ok ? runner.sessionCommand(c.command) : c;
        },
        input,
      );
    }
    // inspect, the export download (HTTP) and reveal (IPC): names and formats of every kind.
    const names = [...BAD_NAMES, ...ABSENT_NAMES, ...sample(hostile, 40)];
    for (const name of names) await call('inspect', (i) => runner.inspect(i), name);
    for (const name of [...names, 'keep-me'])
      for (const format of ['csv', 'jsonl', ...BAD_FORMATS.slice(0, 6)]) {
        if (name === 'keep-me' && format === 'csv') continue; // that one exists: a valid download
        await call('exportedFile', (i) => runner.exportedFile((i as unknown[])[0], (i as unknown[])[1]), [
          name,
          format,
        ]);
      }
    await sleep(1_000);

    console.log(
      `engine fuzz: ${calls} calls refused (${unsendable} values IPC could not clone), ${seqs.length - seqFrom} frames meanwhile`,
    );
    assert.ok(calls >= 400, `${calls} calls`);
    assert.deepEqual(problems, [], 'no unhandled rejection or exception');
    assert.equal(runner.engine, engineBefore, 'the same engine runs');
    assert.equal(JSON.stringify(runner.config), configBefore, 'the config in force');
    assert.deepEqual(await readFile(configPath), fileBefore, 'the config file');
    assert.deepEqual(await tree(tmp), treeBefore, 'no file created, changed or deleted');
    const s = await runner.sessions();
    assert.equal(s.recording.active, false, 'no recording started');
    assert.equal(s.replaying, null, 'no replay started');
    assert.deepEqual(s.exports, [], 'no export started');
    assert.deepEqual(
      s.sessions.map((x) => x.name),
      ['keep-me'],
    );
    // Frames kept coming, numbered one after another, and the feed's count kept growing.
    const during = seqs.slice(seqFrom);
    assert.ok(during.length >= 20, `${during.length} frames`);
    for (let i = 1; i < during.length; i++)
      assert.equal(during[i], (during[i - 1]! + 1) >>> 0, `frame ${during[i - 1]} then ${during[i]}`);
    const messagesAfter = totals.at(-1)!;
    await sleep(500);
    assert.ok(messagesAfter > messagesBefore, `messages ${messagesBefore} → ${messagesAfter}`);
    assert.ok(totals.at(-1)! > messagesAfter, 'still growing');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  } finally {
    removeSink();
    await runner.stop();
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onRejection);
    await rm(tmp, { recursive: true, force: true });
  }
});
