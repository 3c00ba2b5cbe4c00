/**
 * Interns a feed's instrument symbols to ids without building a string per message: symbols
 * arrive as byte ranges and are matched by length and bytes against a small table. A new symbol
 * (rare: once per instrument per session) is decoded and reported to the caller.
 *
 * Ids are unique across feeds: the feed id sits in the high 16 bits.
 */

/** Symbols are UTF-8 on the wire (and when decoded from escapes): ASCII in practice. */
const utf8 = new TextDecoder();

export class InstrumentTable {
  private readonly feedId: number;
  private readonly keys: Uint8Array[] = [];
  readonly symbols: string[] = [];
  readonly max: number;

  constructor(feedId: number, max = 4096) {
    this.feedId = feedId;
    this.max = max;
  }

  /**
   * Returns the id of bytes[start, end); interns it if new (calling onNew once), or -1 when the
   * table is full (the caller counts the message as dropped).
   */
  intern(bytes: Uint8Array, start: number, end: number, onNew: (id: number, symbol: string) => void): number {
    const len = end - start;
    const keys = this.keys;
    outer: for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k.length !== len) continue;
      for (let j = 0; j < len; j++) if (k[j] !== bytes[start + j]) continue outer;
      return ((this.feedId << 16) | i) >>> 0;
    }
    if (keys.length >= this.max) return -1;
    const key = bytes.slice(start, end);
    keys.push(key);
    const symbol = utf8.decode(key);
    this.symbols.push(symbol);
    const id = ((this.feedId << 16) | (keys.length - 1)) >>> 0;
    onNew(id, symbol);
    return id;
  }
}
