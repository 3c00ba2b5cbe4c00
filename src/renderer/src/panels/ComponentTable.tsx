/**
 * Every buffer pool, ring and burst dispatcher of the engine with its own figures, from the
 * COMPONENTS section (a few updates a second): one block per kind, its column titles in a header
 * row, numbers right-aligned in tabular figures, zeros receding, trouble in colour. Every title
 * and every figure says in its tooltip what it counts.
 */
import { ComponentKind, type ComponentStats } from '../../../common/feed-model.ts';
import { fmtInt, fmtPct } from '../format.ts';
import { useAppStore } from '../store/app-store.ts';
import './buffer-reuse.css';

type Tone = 'warn' | 'bad' | undefined;

interface Column {
  title: string;
  help: string;
  value(v: Float64Array): number;
  fmt(x: number): string;
  tone?(x: number): Tone;
}

interface Kind {
  kind: number;
  title: string;
  help: string;
  /** The row's name without the kind's prefix ("ring binance-sim" → "binance-sim"). */
  prefix: string;
  columns: Column[];
  /** The name cell's tooltip: what else the row knows. */
  about(c: ComponentStats): string;
}

const KINDS: Kind[] = [
  {
    kind: ComponentKind.pool,
    title: 'pool',
    help: 'Buffer pools: pre-allocated buffers handed out and returned, instead of allocated',
    prefix: '',
    columns: [
      {
        title: 'reuse',
        help: 'Acquires served by a reused buffer, % of all acquires since start',
        value: (v) => (v[0]! > 0 ? (v[1]! / v[0]!) * 100 : 100),
        fmt: fmtPct,
        tone: (x) => (x < 99 ? 'warn' : undefined),
      },
      {
        title: 'misses',
        help: 'Acquires the pool could not serve from its free buffers (a buffer allocated), since start',
        value: (v) => v[2]!,
        fmt: fmtInt,
      },
      {
        title: 'in use',
        help: 'Buffers handed out and not yet returned, now',
        value: (v) => v[4]!,
        fmt: fmtInt,
      },
      {
        title: 'high-w',
        help: 'High-water mark: the most buffers in use at once, since start',
        value: (v) => v[3]!,
        fmt: fmtInt,
      },
      { title: 'acquires', help: 'Buffers asked for, since start', value: (v) => v[0]!, fmt: fmtInt },
    ],
    about: (c) =>
      `${c.name}: ${fmtInt(c.values[0]!)} acquires, ${fmtInt(c.values[1]!)} reused, ${fmtInt(c.values[2]!)} allocated, ${fmtInt(c.values[5]!)} larger than the largest class`,
  },
  {
    kind: ComponentKind.ring,
    title: 'ring',
    help: 'Rings: one writer (a feed), many readers each with its own cursor',
    prefix: 'ring ',
    columns: [
      {
        title: 'fill',
        help: 'The slowest reader’s backlog, % of the ring’s capacity, now',
        value: (v) => v[1]! * 100,
        fmt: fmtPct,
        tone: (x) => (x > 50 ? 'bad' : x > 25 ? 'warn' : undefined),
      },
      {
        title: 'laps',
        help: 'Times a lossy reader (metrics, UI) was overtaken by the writer, since start',
        value: (v) => v[5]!,
        fmt: fmtInt,
        tone: (x) => (x > 0 ? 'warn' : undefined),
      },
      {
        title: 'returned',
        help: 'Writes returned to the sender because a lossless reader (the recorder) was a full ring behind, since start',
        value: (v) => v[3]!,
        fmt: fmtInt,
        tone: (x) => (x > 0 ? 'bad' : undefined),
      },
      {
        title: 'skipped',
        help: 'Records lossy readers skipped after being lapped, since start',
        value: (v) => v[6]!,
        fmt: fmtInt,
        tone: (x) => (x > 0 ? 'warn' : undefined),
      },
      { title: 'readers', help: 'Readers attached now', value: (v) => v[4]!, fmt: fmtInt },
    ],
    about: (c) =>
      `${c.name}: ${fmtInt(c.values[0]!)} slots, ${fmtInt(c.values[2]!)} records written, ${fmtInt(c.values[4]!)} readers, ${fmtInt(c.values[7]!)} detached by the stall policy`,
  },
  {
    kind: ComponentKind.dispatcher,
    title: 'dispatcher',
    help: 'Burst dispatchers: work goes to an idle worker now, or back to the sender',
    prefix: '',
    columns: [
      { title: 'workers', help: 'Workers in the pool', value: (v) => v[0]!, fmt: fmtInt },
      { title: 'busy', help: 'Workers busy now', value: (v) => v[1]!, fmt: fmtInt },
      { title: 'sent', help: 'Items handed to a worker, since start', value: (v) => v[2]!, fmt: fmtInt },
      {
        title: 'returned',
        help: 'Items returned to the sender because no worker was idle, since start',
        value: (v) => v[3]!,
        fmt: fmtInt,
        tone: (x) => (x > 0 ? 'warn' : undefined),
      },
      {
        title: 'failed',
        help: 'Items a worker failed, since start',
        value: (v) => v[5]!,
        fmt: fmtInt,
        tone: (x) => (x > 0 ? 'bad' : undefined),
      },
    ],
    about: (c) =>
      `${c.name}: ${fmtInt(c.values[4]!)} completed, enqueue → start p99 ${fmtInt(c.values[6]!)} µs`,
  },
];

function Row({ k, c }: { k: Kind; c: ComponentStats }) {
  const name = c.name.startsWith(k.prefix) ? c.name.slice(k.prefix.length) : c.name;
  return (
    <tr data-kind={k.title}>
      <th scope="row" data-tip={k.about(c)}>
        {name}
      </th>
      {k.columns.map((col) => {
        const x = col.value(c.values);
        return (
          <td
            key={col.title}
            data-tip={`${name} — ${col.title}: ${col.help}`}
            data-zero={x === 0 ? '' : undefined}
            data-tone={col.tone?.(x)}
          >
            {col.fmt(x)}
          </td>
        );
      })}
    </tr>
  );
}

/** The components of the given kinds (ComponentKind), each kind in its block. */
export function ComponentTable({ kinds }: { kinds: readonly number[] }) {
  const components = useAppStore((s) => s.components);
  if (!components.some((c) => kinds.includes(c.kind))) return null;
  return (
    <div className="components-box">
      <table className="components" data-testid="components">
        {KINDS.filter((k) => kinds.includes(k.kind)).map((k) => {
          const rows = components.filter((c) => c.kind === k.kind);
          if (rows.length === 0) return null;
          return (
            <tbody key={k.kind}>
              <tr className="components-head">
                <th scope="col" data-tip={k.help}>
                  {k.title}
                </th>
                {k.columns.map((col) => (
                  <th scope="col" key={col.title} data-tip={col.help}>
                    {col.title}
                  </th>
                ))}
              </tr>
              {rows.map((c) => (
                <Row key={c.name} k={k} c={c} />
              ))}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}
