/**
 * Reading a recorded session back: a folder of segment files (`segment-000001.tsb`, …) and a
 * `manifest.json`. The data comes from the segments alone, found by listing the folder and read
 * block by block (segment-scan.ts), so a session whose manifest is missing or stale after a crash
 * reads in full; the manifest only gives names (venues, instrument symbols) and is checked, not
 * trusted. Everything streams: one block's records in memory at a time.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Off,
  RECORD_KIND_NAMES,
  RECORD_SIZE,
  RecordFlag,
  RecordKind,
  venueName,
} from '../../common/record.ts';
import { type BlockHeader, codecName } from './block.ts';
import type { ColumnarKinds } from './codec-v2.ts';
import { type FileScanEvent, scanSegmentFileEvents } from './segment-scan.ts';
import type { ManifestInstrument, SessionManifest } from './session-writer.ts';

export const MANIFEST_NAME = 'manifest.json';
const SEGMENT_NAME = /^segment-(\d+)\.tsb$/;

export type { ManifestInstrument, SessionManifest };

export class SessionError extends Error {
  override name = 'SessionError';
}

export interface SessionSegment {
  name: string;
  path: string;
  /** Size when the session was opened. */
  bytes: number;
}

export interface Session {
  dir: string;
  /** The manifest if present and valid, else null (see manifestProblem). */
  manifest: SessionManifest | null;
  /** Why the manifest is not used ('missing', or what is wrong with it); null when it is fine. */
  manifestProblem: string | null;
  segments: SessionSegment[];
  /** Bytes in the segment files. */
  bytes: number;
  /** instrumentId → instrument, from the manifest (empty without one). */
  instruments: Map<number, ManifestInstrument>;
}

/** Opens a session folder: lists its segments and reads its manifest. Throws SessionError. */
export async function openSession(dir: string): Promise<Session> {
  let names: string[];
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new SessionError(`${dir} is not a folder`);
    names = await readdir(dir);
  } catch (err) {
    if (err instanceof SessionError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SessionError(`no session at ${dir}: no such folder`);
    throw new SessionError(`cannot read ${dir}: ${(err as Error).message}`);
  }
  const segmentNames = names
    .map((n) => ({ n, m: SEGMENT_NAME.exec(n) }))
    .filter((x) => x.m !== null)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]) || (a.n < b.n ? -1 : 1))
    .map((x) => x.n);
  const hasManifest = names.includes(MANIFEST_NAME);
  if (segmentNames.length === 0 && !hasManifest)
    throw new SessionError(`${dir} is not a session: no ${MANIFEST_NAME} and no segment files`);
  const segments: SessionSegment[] = [];
  for (const name of segmentNames) {
    const path = join(dir, name);
    try {
      const st = await stat(path);
      if (st.isFile()) segments.push({ name, path, bytes: st.size });
    } catch {
      // Gone between the listing and now (a writer rotating?): not part of this read.
    }
  }
  let manifest: SessionManifest | null = null;
  let manifestProblem: string | null = null;
  if (!hasManifest) manifestProblem = 'missing';
  else {
    try {
      const parsed = JSON.parse(await readFile(join(dir, MANIFEST_NAME), 'utf8')) as unknown;
      manifestProblem = checkManifest(parsed);
      if (manifestProblem === null) manifest = parsed as SessionManifest;
    } catch (err) {
      manifestProblem = `unreadable: ${(err as Error).message}`;
    }
  }
  const instruments = new Map<number, ManifestInstrument>();
  for (const i of manifest?.instruments ?? []) instruments.set(i.instrumentId, i);
  return {
    dir,
    manifest,
    manifestProblem,
    segments,
    bytes: segments.reduce((s, x) => s + x.bytes, 0),
    instruments,
  };
}

function checkManifest(m: unknown): string | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'not a JSON object';
  const o = m as Record<string, unknown>;
  if (o.layout !== 1) return `unknown layout ${JSON.stringify(o.layout)}`;
  if (!Array.isArray(o.instruments)) return 'no instruments table';
  for (const i of o.instruments as unknown[]) {
    const r = i as Record<string, unknown> | null;
    if (
      typeof r !== 'object' ||
      r === null ||
      typeof r.instrumentId !== 'number' ||
      typeof r.venue !== 'string' ||
      typeof r.symbol !== 'string'
    )
      return 'malformed instrument entry';
  }
  if (o.venues !== undefined && !Array.isArray(o.venues)) return 'venues is not a list';
  return null;
}

export interface ReadOptions {
  /** Truncate torn or corrupt segment tails (see scanSegmentFile). */
  repair?: boolean;
}

/** What reading a session yields, in order: blocks of records, and the damage met on the way. */
export type SessionEvent =
  | {
      type: 'block';
      segment: string;
      offset: number;
      size: number;
      header: BlockHeader;
      /** N × 64 bytes of records. */
      records: Uint8Array;
      /** A columnar block's encoded bytes per kind (for inspection). */
      kinds?: ColumnarKinds;
    }
  | { type: 'corrupt'; segment: string; offset: number; bytes: number; reason: string }
  | { type: 'truncated'; segment: string; offset: number; bytes: number }
  | { type: 'repaired'; segment: string; offset: number; bytes: number };

/**
 * Every block and every piece of damage of a session, segment by segment in file order. The
 * consumer pulls: one block is decoded at a time, so a session of any size streams.
 */
export async function* readSession(
  session: Session,
  options: ReadOptions = {},
): AsyncGenerator<SessionEvent, void, undefined> {
  for (const seg of session.segments) {
    let events: AsyncGenerator<FileScanEvent>;
    try {
      events = scanSegmentFileEvents(seg.path, { repair: options.repair === true });
      for await (const e of events) yield { ...e, segment: seg.name };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // removed since the listing
      throw new SessionError(`cannot read ${seg.path}: ${(err as Error).message}`);
    }
  }
}

/** Just the records of a session, one Uint8Array of N × 64 bytes per block, damage skipped. */
export async function* readRecords(session: Session, options: ReadOptions = {}): AsyncGenerator<Uint8Array> {
  for await (const e of readSession(session, options)) if (e.type === 'block') yield e.records;
}

export const KIND_NAMES = RECORD_KIND_NAMES;

export function kindName(k: number): string {
  return KIND_NAMES[k] ?? `kind${k}`;
}

/** Flag names in bit order, for export and display. */
export const FLAG_NAMES: readonly [string, number][] = Object.entries(RecordFlag);

export function flagNames(flags: number): string[] {
  const out: string[] = [];
  let rest = flags;
  for (const [name, bit] of FLAG_NAMES) {
    if ((flags & bit) !== 0) {
      out.push(name);
      rest &= ~bit;
    }
  }
  for (let b = 0; b < 16; b++) if ((rest & (1 << b)) !== 0) out.push(`bit${b}`);
  return out;
}

/** Symbol of an instrument id: from the manifest when it knows it, else `#id`. */
export function instrumentLabel(
  session: Session,
  instrumentId: number,
): { venue: string | null; symbol: string } {
  const i = session.instruments.get(instrumentId);
  return i ? { venue: i.venue, symbol: i.symbol } : { venue: null, symbol: `#${instrumentId}` };
}

export interface Inspection {
  dir: string;
  records: number;
  byKind: Record<string, number>;
  byVenue: Record<string, number>;
  /** Keyed `venue:symbol` (from the manifest), or `#instrumentId` when the manifest does not know it. */
  byInstrument: Record<string, number>;
  /** Gap records. */
  gaps: number;
  /** Events the gap records say are missing (their quantities summed; 0 where unknown). */
  missing: number;
  gapsByCause: {
    ringOverflow: number;
    sequenceGap: number;
    checksumMismatch: number;
    reconnect: number;
    other: number;
  };
  blocks: number;
  corruptBlocks: number;
  corruptSpans: { segment: string; offset: number; bytes: number; reason: string }[];
  /** Bytes of torn tails (summed over segments). */
  truncatedBytes: number;
  truncated: { segment: string; offset: number; bytes: number }[];
  /** Bytes cut off by a repair (only with repair). */
  repairedBytes: number;
  /** Block sequence numbers missing between good blocks (blocks lost to corruption). */
  missingBlocks: number;
  /** Bytes of the segment files. */
  bytes: number;
  /** records × 64. */
  rawBytes: number;
  /** rawBytes / bytes (0 for an empty session). */
  compressionRatio: number;
  bytesPerRecord: number;
  /** First / last receive time (epoch ms) over the records read; null without records. */
  start: number | null;
  end: number | null;
  /** Blocks per codec (shuffled, zstd = v1, columnar = v2). */
  byCodec: Record<string, number>;
  /** Per codec: blocks, records, bytes on disk (headers included) and bytes per record. */
  codecs: Record<string, { blocks: number; records: number; bytes: number; bytesPerRecord: number }>;
  /**
   * Bytes on disk per record of each kind: a v2 block's bytes shared out by each kind's share of
   * its encoded columns (the tags and scales by record count), a v1 block's by record count.
   */
  bytesPerRecordByKind: Record<string, number>;
  segments: {
    name: string;
    bytes: number;
    blocks: number;
    records: number;
    corrupt: number;
    truncatedBytes: number;
  }[];
  manifest: {
    status: 'ok' | 'missing' | 'invalid';
    problem: string | null;
    closed: boolean | null;
    app: string | null;
    created: string | null;
    /** The manifest's record count (may lag the data after a crash). */
    records: number | null;
    /** Why recording stopped early (disk full, IO error), as the recorder wrote it. */
    error: string | null;
  };
}

/** Counts everything in a session by reading every block (the manifest is not trusted for data). */
export async function inspectSession(
  dirOrSession: string | Session,
  options: ReadOptions & { onProgress?: (bytesDone: number, bytesTotal: number) => void } = {},
): Promise<Inspection> {
  const session = typeof dirOrSession === 'string' ? await openSession(dirOrSession) : dirOrSession;
  const kinds = new Float64Array(256);
  const venues = new Float64Array(256);
  const instruments = new Map<number, number>();
  const gapsByCause = { ringOverflow: 0, sequenceGap: 0, checksumMismatch: 0, reconnect: 0, other: 0 };
  let records = 0;
  let gaps = 0;
  let missing = 0;
  let blocks = 0;
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let lastSeq = -1;
  let missingBlocks = 0;
  let repairedBytes = 0;
  const byCodec: Record<string, number> = {};
  const codecs: Inspection['codecs'] = {};
  const kindBytes = new Float64Array(256);
  const corruptSpans: Inspection['corruptSpans'] = [];
  const truncated: Inspection['truncated'] = [];
  const perSegment = new Map<string, Inspection['segments'][number]>();
  for (const s of session.segments)
    perSegment.set(s.name, {
      name: s.name,
      bytes: s.bytes,
      blocks: 0,
      records: 0,
      corrupt: 0,
      truncatedBytes: 0,
    });
  const segmentStart = new Map<string, number>();
  let acc = 0;
  for (const s of session.segments) {
    segmentStart.set(s.name, acc);
    acc += s.bytes;
  }

  for await (const e of readSession(session, options)) {
    const seg = perSegment.get(e.segment)!;
    if (e.type === 'block') {
      blocks++;
      seg.blocks++;
      const codec = codecName(e.header.codec);
      byCodec[codec] = (byCodec[codec] ?? 0) + 1;
      codecs[codec] ??= { blocks: 0, records: 0, bytes: 0, bytesPerRecord: 0 };
      const c = codecs[codec];
      c.blocks++;
      c.records += e.header.records;
      c.bytes += e.size;
      shareKindBytes(e.records, e.size, e.kinds, kindBytes);
      if (lastSeq >= 0 && e.header.sequence > lastSeq + 1) missingBlocks += e.header.sequence - lastSeq - 1;
      lastSeq = e.header.sequence;
      const r = e.records;
      const n = r.length / RECORD_SIZE;
      records += n;
      seg.records += n;
      const v = new DataView(r.buffer, r.byteOffset, r.byteLength);
      let lastInstrument = -1;
      let lastCount = 0;
      for (let i = 0, at = 0; i < n; i++, at += RECORD_SIZE) {
        const kind = r[at + Off.kind]!;
        kinds[kind]!++;
        venues[r[at + Off.venue]!]!++;
        const inst = v.getUint32(at + Off.instrumentId, true);
        if (inst === lastInstrument) lastCount++;
        else {
          if (lastCount > 0)
            instruments.set(lastInstrument, (instruments.get(lastInstrument) ?? 0) + lastCount);
          lastInstrument = inst;
          lastCount = 1;
        }
        const t = v.getFloat64(at + Off.receiveTime, true);
        if (t < start) start = t;
        if (t > end) end = t;
        if (kind === RecordKind.gap) {
          gaps++;
          const q = v.getFloat64(at + Off.quantity, true);
          if (Number.isFinite(q) && q > 0) missing += q;
          const f = v.getUint16(at + Off.flags, true);
          if (f & RecordFlag.ringOverflow) gapsByCause.ringOverflow++;
          else if (f & RecordFlag.sequenceGap) gapsByCause.sequenceGap++;
          else if (f & RecordFlag.checksumMismatch) gapsByCause.checksumMismatch++;
          else if (f & RecordFlag.reconnect) gapsByCause.reconnect++;
          else gapsByCause.other++;
        }
      }
      if (lastCount > 0) instruments.set(lastInstrument, (instruments.get(lastInstrument) ?? 0) + lastCount);
      options.onProgress?.(segmentStart.get(e.segment)! + e.offset + e.size, session.bytes);
    } else if (e.type === 'corrupt') {
      seg.corrupt++;
      corruptSpans.push({ segment: e.segment, offset: e.offset, bytes: e.bytes, reason: e.reason });
    } else if (e.type === 'truncated') {
      seg.truncatedBytes += e.bytes;
      truncated.push({ segment: e.segment, offset: e.offset, bytes: e.bytes });
    } else repairedBytes += e.bytes;
  }

  const byKind: Record<string, number> = {};
  for (const name of KIND_NAMES.slice(1)) byKind[name] = 0;
  kinds.forEach((c, k) => {
    if (c > 0) byKind[kindName(k)] = c;
  });
  const bytesPerRecordByKind: Record<string, number> = {};
  kinds.forEach((c, k) => {
    if (c > 0) bytesPerRecordByKind[kindName(k)] = kindBytes[k]! / c;
  });
  for (const c of Object.values(codecs)) c.bytesPerRecord = c.records > 0 ? c.bytes / c.records : 0;
  const byVenue: Record<string, number> = {};
  venues.forEach((c, k) => {
    if (c > 0) byVenue[k <= 5 ? venueName(k) : `venue${k}`] = c;
  });
  const byInstrument: Record<string, number> = {};
  for (const id of [...instruments.keys()].sort((a, b) => a - b)) {
    const l = instrumentLabel(session, id);
    byInstrument[l.venue ? `${l.venue}:${l.symbol}` : l.symbol] = instruments.get(id)!;
  }
  const m = session.manifest;
  const rawBytes = records * RECORD_SIZE;
  const truncatedBytes = truncated.reduce((s, t) => s + t.bytes, 0);
  return {
    dir: session.dir,
    records,
    byKind,
    byVenue,
    byInstrument,
    gaps,
    missing,
    gapsByCause,
    blocks,
    corruptBlocks: corruptSpans.length,
    corruptSpans,
    truncatedBytes,
    truncated,
    repairedBytes,
    missingBlocks,
    bytes: session.bytes,
    rawBytes,
    compressionRatio: session.bytes > 0 ? rawBytes / session.bytes : 0,
    bytesPerRecord: records > 0 ? session.bytes / records : 0,
    start: records > 0 ? start : null,
    end: records > 0 ? end : null,
    byCodec,
    codecs,
    bytesPerRecordByKind,
    segments: [...perSegment.values()],
    manifest: {
      status: m ? 'ok' : session.manifestProblem === 'missing' ? 'missing' : 'invalid',
      problem: session.manifestProblem,
      closed: m ? m.closed === true : null,
      app: m && typeof m.app === 'string' ? m.app : null,
      created: m && typeof m.created === 'string' ? m.created : null,
      records: m && typeof m.counts?.records === 'number' ? m.counts.records : null,
      error: m && typeof m.error === 'string' ? m.error : null,
    },
  };
}

/** Adds a block's bytes on disk to its kinds (see Inspection.bytesPerRecordByKind). */
function shareKindBytes(
  records: Uint8Array,
  size: number,
  kinds: ColumnarKinds | undefined,
  into: Float64Array,
): void {
  const n = records.length / RECORD_SIZE;
  if (n === 0) return;
  if (kinds) {
    const encoded = kinds.shared + kinds.bytes.reduce((a, b) => a + b, 0);
    for (let s = 0; s < kinds.kind.length; s++) {
      const own = kinds.bytes[s]! + (kinds.shared * kinds.records[s]!) / n;
      into[kinds.kind[s]!]! += encoded > 0 ? (size * own) / encoded : 0;
    }
    return;
  }
  for (let at = 0; at < records.length; at += RECORD_SIZE) into[records[at + Off.kind]!]! += size / n;
}
