/**
 * Rewrites of a venue's JSON frame that a venue could send and that mean the same thing (or, for a
 * few, a named other thing): members in another order, fields and channels we do not know, extra
 * whitespace, numbers as JSON numbers instead of strings and back, exponent forms (`1e-8`), escaped
 * characters in instrument names. The frame is parsed keeping each number's source text, rewritten
 * as a tree (which can hold what JSON.parse would not show: key order, number spelling) and
 * printed again. Randomness comes from the caller's PRNG, so a failing case replays from its seed.
 */
import { parseJson, Raw } from './venue-reference.ts';

export type Node = { t: 'o'; e: [string, Node][] } | { t: 'a'; e: Node[] } | { t: 'l'; s: string };

export function toTree(text: string): Node {
  const walk = (x: unknown): Node => {
    if (x instanceof Raw) return { t: 'l', s: x.src };
    if (Array.isArray(x)) return { t: 'a', e: x.map(walk) };
    if (x !== null && typeof x === 'object')
      return { t: 'o', e: Object.entries(x).map(([k, v]) => [k, walk(v)] as [string, Node]) };
    return { t: 'l', s: JSON.stringify(x) };
  };
  return walk(parseJson(text));
}

/** Prints the tree; `gap()` is written between every two tokens (and around the whole). */
export function print(n: Node, gap: () => string = () => ''): string {
  const p = (x: Node): string => {
    if (x.t === 'l') return x.s;
    if (x.t === 'a') return `[${gap()}${x.e.map((c) => p(c)).join(`${gap()},${gap()}`)}${gap()}]`;
    return `{${gap()}${x.e.map(([k, v]) => `${JSON.stringify(k)}${gap()}:${gap()}${p(v)}`).join(`${gap()},${gap()}`)}${gap()}}`;
  };
  return `${gap()}${p(n)}${gap()}`;
}

/** A leaf with the path of keys (and '[]' for array items) that leads to it. */
export interface Leaf {
  node: { t: 'l'; s: string };
  path: string[];
}

export function leaves(n: Node, path: string[] = [], out: Leaf[] = []): Leaf[] {
  if (n.t === 'l') out.push({ node: n, path });
  else if (n.t === 'a') for (const c of n.e) leaves(c, [...path, '[]'], out);
  else for (const [k, v] of n.e) leaves(v, [...path, k], out);
  return out;
}

export function objects(
  n: Node,
  out: { t: 'o'; e: [string, Node][] }[] = [],
): { t: 'o'; e: [string, Node][] }[] {
  if (n.t === 'o') out.push(n);
  if (n.t !== 'l') for (const c of n.e) objects(Array.isArray(c) ? c[1] : c, out);
  return out;
}

type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** The leaf's number text, whether bare or quoted; null when it is not a JSON number. */
export function numberText(leaf: { s: string }): { text: string; quoted: boolean } | null {
  const quoted = leaf.s.startsWith('"');
  const text = quoted ? (JSON.parse(leaf.s) as string) : leaf.s;
  return JSON_NUMBER.test(text) ? { text, quoted } : null;
}

/** Every object's members shuffled. */
export function shuffleKeys(root: Node, rnd: Rnd): void {
  for (const o of objects(root)) {
    for (let i = o.e.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [o.e[i], o.e[j]] = [o.e[j]!, o.e[i]!];
    }
  }
}

const EXTRA_VALUES = [
  '1',
  '-2.5e-3',
  '"x"',
  '""',
  'null',
  'true',
  '[]',
  '{}',
  '[1,"a",{"b":[null]}]',
  '{"data":[{"price":"1","qty":"2"}],"channel":"book"}',
  '"\\u00e9\\n"',
];

/** Members no decoder knows, here and there (the value may look like data: it must be skipped). */
export function addUnknownFields(root: Node, rnd: Rnd): void {
  for (const o of objects(root)) {
    if (rnd() < 0.5) continue;
    const key = `zz${Math.floor(rnd() * 1e6).toString(36)}`;
    const value = toTree(pick(rnd, EXTRA_VALUES));
    o.e.splice(Math.floor(rnd() * (o.e.length + 1)), 0, [key, value]);
  }
}

/** Whitespace JSON allows, between any two tokens. */
export function spacer(rnd: Rnd): () => string {
  const ws = [' ', '\t', '\n', '\r\n', '  '];
  return () => (rnd() < 0.3 ? pick(rnd, ws) : '');
}

/** Numbers flip between bare and quoted; `keep` leaves some as they are. */
export function flipQuotes(root: Node, rnd: Rnd, keep: (l: Leaf) => boolean = () => false): void {
  for (const l of leaves(root)) {
    const n = numberText(l.node);
    if (n === null || keep(l) || rnd() < 0.5) continue;
    l.node.s = n.quoted ? n.text : JSON.stringify(n.text);
  }
}

/**
 * The same decimal value in exponent form, with the same digits after the point once written out
 * (67250.10 → 6.725010e4, 0.00000001 → 1e-8, 5102934401 → 5.102934401E+9): the value a parser reads
 * and the precision a checksum prints are both unchanged.
 */
export function exponentForm(text: string, rnd: Rnd): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text; // already an exponent: leave it
  const sign = m[1]!;
  const frac = (m[3] ?? '').length;
  let digits = `${m[2]}${m[3] ?? ''}`.replace(/^0+(?=\d)/, '');
  // value = digits × 10^-frac; written as M × 10^k with M having f fraction digits: k = f − frac.
  const f = Math.floor(rnd() * (digits.length + 3));
  if (digits.length <= f) digits = digits.padStart(f + 1, '0');
  const int = digits.slice(0, digits.length - f).replace(/^0+(?=\d)/, '');
  const mant = f > 0 ? `${int}.${digits.slice(digits.length - f)}` : int;
  const k = f - frac;
  const e = rnd() < 0.5 ? 'e' : 'E';
  const ks = k < 0 ? `${k}` : rnd() < 0.5 ? `+${k}` : `${k}`;
  return `${sign}${mant}${e}${ks}`;
}

export function toExponents(root: Node, rnd: Rnd, keep: (l: Leaf) => boolean = () => false): void {
  for (const l of leaves(root)) {
    const n = numberText(l.node);
    if (n === null || keep(l) || rnd() < 0.5) continue;
    const t = exponentForm(n.text, rnd);
    l.node.s = n.quoted ? JSON.stringify(t) : t;
  }
}

/** A string escaped: some or all characters as \uXXXX, '/' sometimes as '\/'. */
export function escapeText(s: string, rnd: Rnd): string {
  const all = rnd() < 0.3;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '/' && rnd() < 0.5) out += '\\/';
    else if (all || rnd() < 0.4) {
      if (c > 0xffff) {
        const h = Math.floor((c - 0x10000) / 0x400) + 0xd800;
        const l = ((c - 0x10000) % 0x400) + 0xdc00;
        out += `\\u${h.toString(16)}\\u${l.toString(16).toUpperCase()}`;
      } else out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += JSON.stringify(ch).slice(1, -1);
  }
  return `${out}"`;
}

/** String values that name an instrument (`is` says which) escaped. */
export function escapeStrings(root: Node, rnd: Rnd, is: (value: string) => boolean): void {
  for (const l of leaves(root)) {
    if (!l.node.s.startsWith('"')) continue;
    const v = JSON.parse(l.node.s) as string;
    if (v.length > 0 && is(v)) l.node.s = escapeText(v, rnd);
  }
}
