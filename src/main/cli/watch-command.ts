/**
 * `tickscope watch`: a terminal monitor for one venue connection. It runs the real feed worker and
 * ring, prints per-second statistics (or JSON lines), and ends after --duration, after
 * --max-messages, or on Ctrl-C with a summary of what arrived over the wire, so a test can
 * reconcile it with what a server sent.
 */
import { FEED_STATE_NAMES } from '../../common/feed-model.ts';
import { Off, RecordFlag, RecordKind } from '../../common/record.ts';
import { RingReader } from '../../common/ring.ts';
import { FeedHost } from '../feeds/feed-host.ts';
import { FeedStat } from '../feeds/feed-protocol.ts';
import { VENUE_NAMES, venueSpec } from '../feeds/venues/registry.ts';
import { instrumentsFlag, intFlag, parseFlags, UsageError, urlFlag } from './args.ts';
import { sourceFeedWorkerUrl } from './paths.ts';
import { untilStopped } from './until-stopped.ts';

export const WATCH_USAGE = `usage: tickscope watch --venue V --symbols A,B [--url WS_URL] [--rest-url URL]
                      [--duration SECONDS] [--max-messages N] [--trades-only] [--json]
  Connects to one venue and prints live per-second statistics, then a summary of what arrived
  over the wire. Venues: ${VENUE_NAMES.join(', ')}. Symbols in the venue's spelling or as
  BASE-QUOTE (BTC-USDT). --url / --rest-url point the connection elsewhere (e.g. the simulator:
  tickscope sim); --trades-only skips the order book and top of book.`;

export async function watchCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    venue: { type: 'string' },
    symbols: { type: 'string' },
    url: { type: 'string' },
    'rest-url': { type: 'string' },
    duration: { type: 'string' },
    'max-messages': { type: 'string' },
    'trades-only': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(WATCH_USAGE);
    return 0;
  }
  if (values.venue === undefined) throw new UsageError(`--venue is required (${VENUE_NAMES.join(', ')})`);
  const venueName = values.venue.toLowerCase();
  const spec = venueSpec(venueName);
  if (!spec) throw new UsageError(`unknown --venue '${values.venue}' (venues: ${VENUE_NAMES.join(', ')})`);
  if (values.symbols === undefined)
    throw new UsageError('--symbols is required (e.g. --symbols BTC-USDT,ETH-USDT)');
  const symbols = instrumentsFlag(values.symbols, 'symbols', [], spec.name).map((s) => spec.venueSymbol(s));
  const url = urlFlag(values.url, 'url', ['ws:', 'wss:']) ?? spec.defaultUrl;
  const restUrl = urlFlag(values['rest-url'], 'rest-url', ['http:', 'https:']);
  const duration = intFlag(values.duration, 'duration', 1, 7 * 24 * 3600, 0);
  const maxMessages = intFlag(values['max-messages'], 'max-messages', 1, Number.MAX_SAFE_INTEGER, 0);
  const json = values.json === true;

  const feed = new FeedHost(
    {
      feedId: 1,
      venue: spec.venue,
      name: venueName,
      url,
      ...(restUrl ? { restUrl } : {}),
      symbols,
      books: values['trades-only'] !== true,
    },
    sourceFeedWorkerUrl(),
    {
      onChange() {},
      onLog: (line) => {
        if (!json) console.error(line);
      },
    },
  );
  // A lossless reader: every record the feed wrote is seen here, gaps included.
  const reader = new RingReader(feed.ring, 'lossless');
  // Records the ring dropped (a reader a full ring behind): counted in overflow gap records.
  let ringDropped = 0;
  const drain = (): void => {
    const n = reader.available();
    for (let k = 0; k < n; k++) {
      const at = reader.offsetOf(reader.cursor + k);
      if (
        reader.data.getUint8(at + Off.kind) === RecordKind.gap &&
        (reader.data.getUint16(at + Off.flags, true) & RecordFlag.ringOverflow) !== 0
      )
        ringDropped += reader.data.getFloat64(at + Off.quantity, true);
    }
    reader.advance(n);
  };

  const started = Date.now();
  const s = feed.stats;
  let last = { messages: 0, bytes: 0, trades: 0, book: 0 };
  let stop!: () => void;
  const reachedMax = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const poll = setInterval(() => {
    drain();
    if (maxMessages > 0 && s[FeedStat.messages]! >= maxMessages) stop();
  }, 10);
  const report = setInterval(() => {
    const now = {
      messages: s[FeedStat.messages]!,
      bytes: s[FeedStat.bytes]!,
      trades: s[FeedStat.trades]!,
      book: s[FeedStat.bookUpdates]!,
    };
    const line = {
      t: Math.round((Date.now() - started) / 1000),
      state: FEED_STATE_NAMES[feed.state] ?? 'unknown',
      messagesPerSec: now.messages - last.messages,
      tradesPerSec: now.trades - last.trades,
      bookUpdatesPerSec: now.book - last.book,
      bytesPerSec: now.bytes - last.bytes,
      messages: now.messages,
      gaps: s[FeedStat.gaps]!,
      resyncs: s[FeedStat.resyncs]!,
      reconnects: s[FeedStat.reconnects]!,
      malformed: s[FeedStat.malformed]!,
      checksumErrors: s[FeedStat.checksumErrors]!,
    };
    last = now;
    console.log(
      json
        ? JSON.stringify(line)
        : `${String(line.t).padStart(4)}s  ${line.state.padEnd(11)} ${String(line.messagesPerSec).padStart(7)} msg/s  ${String(line.tradesPerSec).padStart(6)} trades/s  ${String(line.bookUpdatesPerSec).padStart(6)} book/s  ${(line.bytesPerSec / 1024).toFixed(1).padStart(8)} KiB/s  ${line.gaps} gaps  ${line.resyncs} resyncs  ${line.reconnects} reconnects  ${line.malformed} malformed  ${line.checksumErrors} checksum errors`,
    );
  }, 1000);

  feed.start();
  if (!json) console.error(`watching ${venueName} ${symbols.join(',')} on ${url} (Ctrl-C to stop)`);
  const limit = await Promise.race([
    untilStopped(duration).then(() => 'stopped'),
    reachedMax.then(() => 'max'),
  ]);
  if (limit === 'max') {
    // Every message has arrived; a book snapshot still on its way decides what they meant.
    const deadline = Date.now() + 5000;
    while (s[FeedStat.snapshotsInFlight]! > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
  }
  clearInterval(poll);
  clearInterval(report);
  await feed.stop();
  drain();
  const summary = {
    summary: true,
    venue: venueName,
    url,
    seconds: (Date.now() - started) / 1000,
    messages: s[FeedStat.messages]!,
    bytes: s[FeedStat.bytes]!,
    trades: s[FeedStat.trades]!,
    bookUpdates: s[FeedStat.bookUpdates]!,
    bookSnapshots: s[FeedStat.snapshots]!,
    topOfBook: s[FeedStat.tops]!,
    heartbeats: s[FeedStat.heartbeats]!,
    control: s[FeedStat.control]!,
    gaps: s[FeedStat.gaps]!,
    missing: s[FeedStat.missingEvents]!,
    resyncs: s[FeedStat.resyncs]!,
    bookDiscarded: s[FeedStat.bookDiscarded]!,
    reconnects: s[FeedStat.reconnects]!,
    rolls: s[FeedStat.rolls]!,
    malformed: s[FeedStat.malformed]!,
    checksumErrors: s[FeedStat.checksumErrors]!,
    ringDropped,
    transitions: s[FeedStat.transitions]!,
    lastConnectMs: s[FeedStat.lastConnectMs]!,
  };
  console.log(
    json
      ? JSON.stringify(summary)
      : `summary: ${summary.messages} messages (${summary.trades} trades, ${summary.bookUpdates} book updates, ${summary.topOfBook} top of book), ${summary.gaps} gaps, ${summary.resyncs} resyncs, ${summary.checksumErrors} checksum errors, ${summary.reconnects} reconnects, ${summary.malformed} malformed, ${summary.ringDropped} dropped by the ring, in ${summary.seconds.toFixed(1)} s`,
  );
  return 0;
}
