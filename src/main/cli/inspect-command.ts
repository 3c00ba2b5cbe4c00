/**
 * `tickscope inspect DIR`: what a recorded session holds, counted from the segments themselves
 * (counts per kind, venue and instrument; gaps; time span; size and compression ratio; the block
 * codecs and bytes per record, per codec and per kind) and what is damaged in it (corrupt blocks with their offsets, torn tails). `--json` prints one JSON object.
 */
import { type Inspection, inspectSession, openSession, SessionError } from '../recorder/session-reader.ts';
import { parseFlags, UsageError } from './args.ts';

export const INSPECT_USAGE = `usage: tickscope inspect DIR [--json] [--repair]
  Reads every block of the session in DIR and prints its counts (per kind, venue, instrument),
  gaps, time span, size and compression ratio, the block codecs (v1 zstd, v2 columnar, shuffled)
  with bytes per record for each codec and each kind, and any damage: corrupt blocks (skipped, with their
  offsets) and torn tails. The data is counted from the segment files; manifest.json only names
  instruments. --json prints one JSON object. --repair truncates torn or corrupt segment tails
  (everything after the last good block) so that the session ends on a good block.`;

export async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { json: { type: 'boolean' }, repair: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    console.log(INSPECT_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('a session folder is required: tickscope inspect DIR');
  if (positionals.length > 1) throw new UsageError(`one session folder at a time, got ${positionals.length}`);
  const dir = positionals[0]!;
  let info: Inspection;
  try {
    info = await inspectSession(await openSession(dir), { repair: values.repair === true });
  } catch (err) {
    if (err instanceof SessionError) {
      console.error(`tickscope inspect: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (values.json) console.log(JSON.stringify(info));
  else console.log(formatInspection(info));
  return 0;
}

/** A codec's name with its version, as `record --codec` spells it. */
function codecLabel(name: string): string {
  return name === 'columnar' ? 'v2 columnar' : name === 'zstd' ? 'v1 zstd' : name;
}

const iso = (t: number | null): string =>
  t === null || !Number.isFinite(t) ? '—' : new Date(t).toISOString();

function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function durationText(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

function table(counts: Record<string, number>, total: number): string[] {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(
    ([k, n]) =>
      `    ${k.padEnd(width)}  ${n.toLocaleString('en-US').padStart(14)}  ${total > 0 ? ((n / total) * 100).toFixed(1).padStart(5) : '    0'} %`,
  );
}

export function formatInspection(i: Inspection): string {
  const lines: string[] = [];
  lines.push(`session ${i.dir}`);
  const m = i.manifest;
  lines.push(
    m.status === 'ok'
      ? `  manifest    ${m.app ?? '?'}, created ${m.created ?? '?'}, ${m.closed ? 'closed' : 'not closed (still recording, or the recorder stopped abruptly)'}${m.records !== null && m.records !== i.records ? `; it counts ${m.records.toLocaleString('en-US')} records, the segments hold ${i.records.toLocaleString('en-US')}` : ''}`
      : `  manifest    ${m.status}${m.problem && m.status !== 'missing' ? ` (${m.problem})` : ''}: instruments shown by id`,
  );
  if (m.error) lines.push(`  stopped     recording stopped early: ${m.error}`);
  lines.push(
    `  span        ${iso(i.start)} → ${iso(i.end)}${i.start !== null && i.end !== null ? ` (${durationText(i.end - i.start)})` : ''}`,
  );
  lines.push(
    `  records     ${i.records.toLocaleString('en-US')} in ${i.blocks} blocks, ${i.segments.length} segments`,
  );
  lines.push(
    `  size        ${bytesText(i.bytes)} on disk, ${bytesText(i.rawBytes)} raw: ratio ${i.compressionRatio.toFixed(2)}×, ${i.bytesPerRecord.toFixed(2)} bytes/record`,
  );
  const codecs = Object.entries(i.codecs);
  if (codecs.length > 0)
    lines.push(
      `  codecs      ${codecs.map(([name, c]) => `${codecLabel(name)}: ${c.blocks} blocks, ${c.records.toLocaleString('en-US')} records, ${c.bytesPerRecord.toFixed(2)} bytes/record`).join('; ')}`,
    );
  lines.push(
    `  gaps        ${i.gaps.toLocaleString('en-US')} gap records, ${i.missing.toLocaleString('en-US')} events known missing` +
      (i.gaps > 0
        ? ` (${Object.entries(i.gapsByCause)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`
        : ''),
  );
  lines.push('  by kind                                      bytes/record');
  const kindRows = table(i.byKind, i.records);
  const named = Object.entries(i.byKind).filter(([, n]) => n > 0);
  lines.push(
    ...kindRows.map((row, k) => {
      const b = i.bytesPerRecordByKind[named[k]![0]];
      return b === undefined ? row : `${row}  ${b.toFixed(2).padStart(10)}`;
    }),
  );
  lines.push('  by venue');
  lines.push(...table(i.byVenue, i.records));
  lines.push('  by instrument');
  lines.push(...table(i.byInstrument, i.records));
  if (i.corruptBlocks === 0 && i.truncatedBytes === 0 && i.missingBlocks === 0)
    lines.push('  damage      none');
  else {
    lines.push(
      `  damage      ${i.corruptBlocks} corrupt span(s) skipped, ${i.truncatedBytes} bytes of torn tail${i.missingBlocks > 0 ? `, ${i.missingBlocks} block(s) missing by sequence number` : ''}`,
    );
    for (const c of i.corruptSpans)
      lines.push(`    corrupt   ${c.segment} at offset ${c.offset}, ${c.bytes} bytes: ${c.reason}`);
    for (const t of i.truncated)
      lines.push(`    torn tail ${t.segment} at offset ${t.offset}, ${t.bytes} bytes`);
  }
  if (i.repairedBytes > 0) lines.push(`  repaired    ${i.repairedBytes} bytes of bad tail truncated`);
  return lines.join('\n');
}
