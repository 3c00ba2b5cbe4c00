/**
 * How an untrusted value is named in an error message: short, printable and safe to build. The
 * validators quote what they refuse, and `String(v)` is not safe on what arrives from outside — it
 * throws on an object without a prototype, overflows the stack on an array nested 10,000 deep, and
 * copies a 1 MB string into every message (a list of them into a reply too big to send).
 */

/** Longest piece of a refused string kept in a message. */
const MAX_SHOWN = 40;

/** Control characters (NUL included) and the line/paragraph separators, shown escaped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it escapes
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function clip(s: string): string {
  const head = s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}… (${s.length} characters)` : s;
  return head.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A string in quotes ('BTC-USDT'), clipped; anything else by its kind (a number or boolean by its
 * value). Never throws, never recurses into the value.
 */
export function quoteValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return `'${clip(v)}'`;
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'bigint':
      return clip(String(v));
    case 'symbol':
      return clip(v.toString());
    case 'function':
      return 'a function';
    default:
      if (v === null) return 'null';
      return Array.isArray(v) ? `a list of ${v.length}` : 'an object';
  }
}
