/**
 * `tickscope record` and `tickscope watch` as a user runs them — child processes — against every
 * venue of the simulator on loopback, on a fast feed and on a quiet one (nothing arriving when the
 * stop comes). Both must end by themselves with exit 0 and their summary line. A recording must
 * hold every record its feed wrote, from the first: read back with the session reader, each
 * instrument's book rows begin with its bookReset (a recorder attached late starts mid-book).
 * Under them, the engine's two guarantees: its stop settles with nothing else keeping the process
 * alive, and feeds it holds write nothing until a recorder has attached.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Off, RECORD_SIZE, RecordKind, Venue } from '../../src/common/record.ts';
import { RingView } from '../../src/common/ring.ts';
import {
  sourceCompressWorkerUrl,
  sourceFeedWorkerUrl,
  sourceRecorderWorkerUrl,
} from '../../src/main/cli/paths.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { FeedStat } from '../../src/main/feeds/feed-protocol.ts';
import { Recorder } from '../../src/main/recorder/recorder.ts';
import { openSession, readRecords } from '../../src/main/recorder/session-reader.ts';
import { VENUE_NAMES, VenueSim } from '../../src/main/sim/venue-sim.ts';
import { type NodeRun, runNode } from '../helpers/run-node.ts';

const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'tickscope-record-venues-'));
const SYMBOLS = ['BTC-USDT', 'ETH-USDT'];
/**
 * Venues whose book snapshot is the first thing the subscription brings: within a second every
 * book is there. Binance's comes over REST after the first diff (protocols/binance.md §7), so on a
 * quiet or busy machine a short session may end before it; its books are checked when present.
 */
const snapshotOnSubscribe = (venue: string): boolean => venue !== 'binance';

/** Events a second over both instruments: busy to the last moment, or all but silent. */
const RATES = { fast: 3000, quiet: 1 } as const;
const sims: Partial<Record<keyof typeof RATES, VenueSim>> = {};
before(async () => {
  for (const speed of Object.keys(RATES) as (keyof typeof RATES)[])
    sims[speed] = await VenueSim.start({ port: 0, rate: RATES[speed], seed: 7, symbols: SYMBOLS });
});
after(async () => {
  for (const sim of Object.values(sims)) await sim.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Run = NodeRun;

/** Runs a Node child process; one that does not end by itself within 20 s is killed and fails the test. */
const run = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> =>
  runNode(args, { env, timeoutMs: 20_000 });

const tickscope = (args: string[]): Promise<Run> => run([bin, ...args]);

/** The flags that point a command at one simulated venue: its WebSocket and, if any, REST URL. */
function feedFlags(venue: string, urls: { ws: string; rest?: string }): string[] {
  return [
    '--venue',
    venue,
    '--symbols',
    SYMBOLS.join(','),
    '--url',
    urls.ws,
    ...(urls.rest ? ['--rest-url', urls.rest] : []),
  ];
}

/** The one JSON summary line a --json run ends with on stdout. */
function summaryOf(r: Run): Record<string, unknown> {
  assert.equal(r.code, 0, `exit code ${r.code}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  const summary = JSON.parse(lines.at(-1) ?? 'null') as Record<string, unknown> | null;
  assert.equal(summary?.summary, true, `a summary line: ${r.stdout}`);
  return summary!;
}

/**
 * Reads a session back and checks it from its first record: per instrument, the first of its
 * book rows (bookReset, bookDelta) is a bookReset. Returns the records read and the symbols seen.
 */
async function checkBooksStartWithReset(dir: string): Promise<{ records: number; symbols: string[] }> {
  const session = await openSession(dir);
  const firstBookRow = new Map<number, number>();
  let records = 0;
  for await (const block of readRecords(session)) {
    const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
    for (let at = 0; at < block.byteLength; at += RECORD_SIZE) {
      records++;
      const kind = v.getUint8(at + Off.kind);
      if (kind !== RecordKind.bookReset && kind !== RecordKind.bookDelta) continue;
      const id = v.getUint32(at + Off.instrumentId, true);
      if (!firstBookRow.has(id)) firstBookRow.set(id, kind);
    }
  }
  const symbols: string[] = [];
  for (const [id, kind] of firstBookRow) {
    const label = session.instruments.get(id);
    assert.ok(label, `instrument ${id} is in the manifest`);
    assert.equal(
      kind,
      RecordKind.bookReset,
      `${label.venue}:${label.symbol}: book rows begin with bookReset`,
    );
    symbols.push(`${label.venue}:${label.symbol}`);
  }
  return { records, symbols: symbols.sort() };
}

test('Engine.stop settles on a quiet feed when nothing else keeps the process alive', async () => {
  // A process of its own, as the CLI's: the test runner would keep the event loop alive itself.
  const src = (f: string): string => JSON.stringify(new URL(`../../src/main/${f}`, import.meta.url).href);
  const script = `
    import { Engine } from ${src('engine/engine.ts')};
    import { sourceFeedWorkerUrl } from ${src('cli/paths.ts')};
    import { FeedStat } from ${src('feeds/feed-protocol.ts')};
    const engine = await Engine.start({
      feedWorkerUrl: sourceFeedWorkerUrl(),
      log: console.error,
      feeds: [{ feedId: 1, venue: ${Venue.okx}, name: 'okx', url: process.env.OKX_URL, symbols: ['BTC-USDT'] }],
    });
    for (let t = 0; engine.feeds[0].stats[FeedStat.snapshots] < 1; t++) {
      if (t === 250) throw new Error('no book snapshot in 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    await engine.stop();
    console.log('stopped');`;
  // A file, not --eval: worker threads inherit the process's execArgv, --input-type included.
  const file = join(tmp, 'engine-stop.mjs');
  writeFileSync(file, script);
  const r = await run([file], { ...process.env, OKX_URL: sims.quiet!.urls.okx.ws });
  assert.equal(r.code, 0, `exit code ${r.code}: ${r.stderr}`);
  assert.equal(r.stdout.trim(), 'stopped');
});

test('an engine holding its feeds writes nothing until startFeeds: a recorder however slow to start gets the first record', async () => {
  const urls = sims.quiet!.urls.okx;
  const engine = await Engine.start({
    feedWorkerUrl: sourceFeedWorkerUrl(),
    feeds: [{ feedId: 1, venue: Venue.okx, name: 'okx', url: urls.ws, symbols: SYMBOLS }],
    holdFeeds: true,
  });
  const feed = engine.feeds[0]!;
  const ring = new RingView(feed.ring);
  let recorder: Recorder | null = null;
  try {
    // Long enough for a started feed to connect and write its snapshots (~100 ms here).
    await sleep(500);
    assert.equal(ring.writes, 0, 'nothing written while the feeds are held');
    const dir = join(tmp, 'held');
    recorder = await Recorder.start({
      dir,
      app: 'test',
      feeds: engine.feeds,
      workerUrl: sourceRecorderWorkerUrl(),
      compressWorkerUrl: sourceCompressWorkerUrl(),
      workers: 0,
    });
    engine.startFeeds();
    for (let t = 0; feed.stats[FeedStat.snapshots]! < SYMBOLS.length && t < 100; t++) await sleep(50);
    await engine.stop();
    const { stats } = await recorder.stop();
    assert.ok(ring.writes > 0);
    assert.equal(stats.records, ring.writes, 'every record the feed wrote');
    const back = await checkBooksStartWithReset(dir);
    assert.deepEqual(
      back.symbols,
      SYMBOLS.map((x) => `okx:${x}`),
    );
  } finally {
    await engine.stop();
    await recorder?.stop();
  }
});

for (const venue of VENUE_NAMES) {
  for (const speed of Object.keys(RATES) as (keyof typeof RATES)[]) {
    test(`record ${venue}, ${speed} feed: exit 0, the summary, every record from the first`, async () => {
      const urls = sims[speed]!.urls[venue];
      const dir = join(tmp, `${venue}-${speed}`);
      const r = await tickscope([
        'record',
        ...feedFlags(venue, urls),
        '--out',
        dir,
        '--duration',
        '1',
        '--json',
      ]);
      const s = summaryOf(r);
      assert.equal(s.error, null);
      assert.equal(s.records, s.written, 'the session holds every record the feed wrote');
      const back = await checkBooksStartWithReset(dir);
      assert.equal(back.records, s.records, 'the session reads back in full');
      if (snapshotOnSubscribe(venue))
        assert.deepEqual(
          back.symbols,
          SYMBOLS.map((x) => `${venue}:${x}`),
          'both books recorded, from their snapshots',
        );
    });
  }
}

test('record on the embedded simulator, all five venues at once: every book from its reset', async () => {
  const dir = join(tmp, 'embedded');
  const r = await tickscope([
    'record',
    '--sim-venues',
    VENUE_NAMES.join(','),
    '--symbols',
    SYMBOLS.join(','),
    '--rate',
    '2000',
    '--out',
    dir,
    // Five feed workers boot at once: two seconds leave room on a busy two-core machine.
    '--duration',
    '2',
    '--json',
  ]);
  const s = summaryOf(r);
  assert.equal(s.records, s.written);
  const back = await checkBooksStartWithReset(dir);
  assert.equal(back.records, s.records);
  const expected = VENUE_NAMES.filter(snapshotOnSubscribe).flatMap((v) => SYMBOLS.map((x) => `${v}:${x}`));
  for (const e of expected) assert.ok(back.symbols.includes(e), `${e} recorded: ${back.symbols.join(' ')}`);
});

for (const venue of VENUE_NAMES) {
  for (const speed of Object.keys(RATES) as (keyof typeof RATES)[]) {
    test(`watch ${venue}, ${speed} feed: exit 0 and the summary`, async () => {
      const urls = sims[speed]!.urls[venue];
      const r = await tickscope(['watch', ...feedFlags(venue, urls), '--duration', '1', '--json']);
      const s = summaryOf(r);
      assert.equal(s.venue, venue);
      if (snapshotOnSubscribe(venue))
        assert.ok((s.bookSnapshots as number) >= SYMBOLS.length, `a snapshot per book: ${s.bookSnapshots}`);
    });
  }
}
