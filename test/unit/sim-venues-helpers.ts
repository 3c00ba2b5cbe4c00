/**
 * Shared by the test/unit/sim-venues-*.test.ts files: a simulator per test (closed after it), raw
 * `ws` clients that record every text frame, a plain local order book keyed by the wire strings,
 * CRC32, and the fixture sessions to compare frame shapes with.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach } from 'node:test';
import WebSocket from 'ws';
import { VenueSim, type VenueSimOptions } from '../../src/main/sim/venue-sim.ts';

const sims: VenueSim[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const s of sims.splice(0)) await s.close();
});

export async function startSim(opts: VenueSimOptions = {}): Promise<VenueSim> {
  const s = await VenueSim.start({ port: 0, ...opts });
  sims.push(s);
  return s;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Conn {
  ws: WebSocket;
  /** Every text frame received, in order. */
  frames: string[];
  closed: Promise<number>;
  send(o: unknown): void;
  /** Resolves with the first frame at index ≥ `from` matching pred. */
  next(pred: (f: string) => boolean, timeoutMs?: number, from?: number): Promise<string>;
}

export async function connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<Conn> {
  const ws = new WebSocket(url, opts);
  sockets.push(ws);
  const frames: string[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d, isBinary) => {
    if (!isBinary) frames.push(String(d));
    for (const w of waiters.splice(0)) w();
  });
  ws.on('error', () => {});
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (pred: (f: string) => boolean, timeoutMs = 3000, from = 0): Promise<string> =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no matching frame in ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        for (let i = from; i < frames.length; i++) {
          if (pred(frames[i]!)) {
            clearTimeout(deadline);
            resolve(frames[i]!);
            return;
          }
        }
        waiters.push(check);
      };
      check();
    });
  return { ws, frames, closed, send: (o) => ws.send(typeof o === 'string' ? o : JSON.stringify(o)), next };
}

/** Waits until cond() holds, polling. */
export async function until(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A local book keyed by the numeric price, keeping the wire strings. */
export class LocalBook {
  bids = new Map<number, [string, string]>();
  asks = new Map<number, [string, string]>();
  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }
  set(side: 'bid' | 'ask', price: string, qty: string): void {
    const m = side === 'bid' ? this.bids : this.asks;
    if (Number(qty) === 0) m.delete(Number(price));
    else m.set(Number(price), [price, qty]);
  }
  sorted(side: 'bid' | 'ask', n = Number.POSITIVE_INFINITY): [string, string][] {
    const m = side === 'bid' ? this.bids : this.asks;
    const keys = [...m.keys()].sort((a, b) => (side === 'bid' ? b - a : a - b)).slice(0, n);
    return keys.map((k) => m.get(k)!);
  }
  truncate(depth: number): void {
    for (const side of ['bid', 'ask'] as const) {
      const keep = new Set(this.sorted(side, depth).map(([p]) => Number(p)));
      const m = side === 'bid' ? this.bids : this.asks;
      for (const k of [...m.keys()]) if (!keep.has(k)) m.delete(k);
    }
  }
  best(side: 'bid' | 'ask'): [number, number] | undefined {
    const l = this.sorted(side, 1)[0];
    return l ? [Number(l[0]), Number(l[1])] : undefined;
  }
  assertNotCrossed(where: string): void {
    const b = this.best('bid');
    const a = this.best('ask');
    if (b && a) assert.ok(b[0] < a[0], `book crossed at ${where}: bid ${b[0]} ≥ ask ${a[0]}`);
  }
  /** As numbers, best first, for comparison with VenueSim.bookOf. */
  view(depth = Number.POSITIVE_INFINITY): { bids: [number, number][]; asks: [number, number][] } {
    const num = (l: [string, string]): [number, number] => [Number(l[0]), Number(l[1])];
    return { bids: this.sorted('bid', depth).map(num), asks: this.sorted('ask', depth).map(num) };
  }
}

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Standard CRC-32 of an ASCII string, unsigned (written independently of the simulator's). */
export function crc32(s: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < s.length; i++) c = TABLE[(c ^ s.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The fixture session of a venue, one frame per line. */
export function fixture(venue: string): string[] {
  const text = readFileSync(
    new URL(`../../../shared/fixtures/${venue}-session.jsonl`, import.meta.url),
    'utf8',
  );
  return text.split('\n').filter((l) => l.length > 0);
}

/** Same keys in the same order, recursively, and the same primitive types; an empty array matches any. */
export function sameShape(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    return a.length === 0 || b.length === 0 || sameShape(a[0], b[0]);
  }
  if (a !== null && typeof a === 'object') {
    if (b === null || typeof b !== 'object') return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.join() !== kb.join()) return false;
    return ka.every((k) => sameShape((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return typeof a === typeof b;
}

/** Asserts that `frame` has the shape of some fixture line matching pred. */
export function assertShapeLike(venue: string, frame: string, pred: (line: string) => boolean): void {
  const lines = fixture(venue).filter(pred);
  assert.ok(lines.length > 0, `no fixture line for ${frame.slice(0, 80)}`);
  const v = JSON.parse(frame) as unknown;
  assert.ok(
    lines.some((l) => sameShape(v, JSON.parse(l))),
    `shape of ${frame.slice(0, 160)} differs from the fixture's ${lines[0]!.slice(0, 160)}`,
  );
}
