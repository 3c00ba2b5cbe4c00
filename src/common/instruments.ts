/**
 * Instrument ids as each venue writes them, for every type of market it lists, and the one rule
 * for what Tickscope takes: spot markets (derivatives come in a later issue). Used by the config
 * contract (file, command line, settings panel) to refuse a derivative with a sentence that names
 * its type and venue, and by the venue adapters to turn a spot symbol into the venue's spelling.
 *
 * | venue    | spot                         | perpetual                                   | dated future                                         | option                     |
 * | -------- | ---------------------------- | ------------------------------------------- | ---------------------------------------------------- | -------------------------- |
 * | binance  | BTCUSDT                      | BTCUSD_PERP (COIN-M)                        | BTCUSDT_250627, BTCUSD_250627                        | BTC-250627-100000-C        |
 * | coinbase | BTC-USD                      | BTC-PERP-INTX (International)               | BIT-27JUN25-CDE, BIP-20DEC30-CDE (US derivatives)    |                            |
 * | kraken   | BTC/USD, XBT/USD, XXBTZUSD   | PF_XBTUSD, PI_XBTUSD (Futures)              | FI_XBTUSD_250627, FF_XBTUSD_250627 (Futures)         |                            |
 * | bybit    | BTCUSDT                      | BTCPERP, BTC-PERP (USDC)                    | BTC-27JUN25, BTCUSDT-27JUN25, BTCUSDM25 (inverse)    | BTC-27JUN25-100000-C(-USDT) |
 * | okx      | BTC-USDT                     | BTC-USDT-SWAP, BTC-USD-SWAP                 | BTC-USD-250627, BTC-USDT-250627                      | BTC-USD-250627-100000-C    |
 *
 * Binance's USDⓈ-M and Bybit's linear perpetuals are spelled like spot (BTCUSDT): only the endpoint
 * tells them apart, and a spot feed's endpoint is the spot one. Any venue also takes Tickscope's
 * own BASE-QUOTE spelling (BTC-USDT, BTC/USDT, BTC_USDT) for spot.
 *
 * A venue of the venue list (venues.ts) that is not in these tables is a spot venue spelled
 * BASE-QUOTE with no derivative ids known: adding a venue needs no line here unless its ids differ.
 */
import { VENUE_LIST, type VenueName } from './venues.ts';

export type MarketType = 'spot' | 'perpetual' | 'future' | 'option' | 'index';

export interface InstrumentKind {
  type: MarketType;
  /** What it is, as a sentence needs it: "an OKX perpetual swap". */
  name: string;
}

/** The venue's label (venues.ts), as the sentences name it. */
const title = (venue: VenueName): string => VENUE_LIST.find((v) => v.name === venue)?.label ?? venue;

/** What each venue's ids look like, for the sentence that refuses one that is none of them. */
const EXAMPLES: Partial<Record<VenueName, string>> = {
  binance:
    'spot BTCUSDT or BTC-USDT; perpetual BTCUSD_PERP, future BTCUSDT_250627, option BTC-250627-100000-C',
  coinbase: 'spot BTC-USD; perpetual BTC-PERP-INTX, future BIT-27JUN25-CDE',
  kraken: 'spot BTC/USD or XBT/USD; Kraken Futures PF_XBTUSD, FI_XBTUSD_250627',
  bybit:
    'spot BTCUSDT or BTC-USDT; perpetual BTCPERP, future BTC-27JUN25 or BTCUSDM25, option BTC-27JUN25-100000-C',
  okx: 'spot BTC-USDT; perpetual swap BTC-USDT-SWAP, future BTC-USD-250627, option BTC-USD-250627-100000-C',
};

const T = '[A-Z0-9]{1,16}';
const SPOT_ONE = new RegExp(`^${T}$`);
const SPOT_TWO = new RegExp(`^${T}[-/_]${T}$`);
const NUM = '\\d+(?:\\.\\d+)?';
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** Futures month codes (F = January … Z = December), as in Bybit's inverse futures BTCUSDM25. */
const MONTH_CODES = 'FGHJKMNQUVXZ';

/** "250627" → "2025-06-27" when it is a date, else null. */
function yymmdd(s: string): string | null {
  const m = /^(\d\d)(\d\d)(\d\d)$/.exec(s);
  if (!m) return null;
  return isDate(2000 + Number(m[1]), Number(m[2]), Number(m[3]));
}
/** "27JUN25" → "2025-06-27" when it is a date, else null. */
function ddmmmyy(s: string): string | null {
  const m = /^(\d{1,2})([A-Z]{3})(\d\d)$/.exec(s);
  if (!m) return null;
  return isDate(2000 + Number(m[3]), MONTHS.indexOf(m[2]!) + 1, Number(m[1]));
}
function isDate(y: number, mo: number, d: number): string | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCMonth() !== mo - 1) return null; // 31 June
  return t.toISOString().slice(0, 10);
}

const expiring = (date: string | null): string => (date ? ` expiring ${date}` : '');

/**
 * One shape of derivative id: its pattern, the expiry in it (group 1; a shape whose date is no
 * date is no match), and what it is called.
 */
interface Rule {
  re: RegExp;
  type: MarketType;
  name: (m: RegExpExecArray) => string;
  date?: (text: string) => string | null;
}
const rule = (
  re: string,
  type: MarketType,
  name: string | ((m: RegExpExecArray) => string),
  date?: (text: string) => string | null,
): Rule => ({
  re: new RegExp(`^${re}$`),
  type,
  name: typeof name === 'string' ? (m) => `${name}${date ? expiring(date(m[1]!)) : ''}` : name,
  ...(date ? { date } : {}),
});

const DDMMMYY = '(\\d{1,2}[A-Z]{3}\\d\\d)';
/**
 * Each venue's derivative ids, in the order a symbol of no venue in particular tries them (the
 * shapes overlap: OKX's BTC-USD-250627 before Bybit's, …).
 */
const RULES: Partial<Record<VenueName, Rule[]>> = {
  okx: [
    rule(`${T}-${T}-SWAP`, 'perpetual', 'an OKX perpetual swap'),
    rule(`${T}-${T}-(\\d{6})`, 'future', 'an OKX dated future', yymmdd),
    rule(`${T}-${T}-(\\d{6})-${NUM}-[CP]`, 'option', 'an OKX option', yymmdd),
  ],
  binance: [
    rule(`${T}_PERP`, 'perpetual', 'a Binance COIN-M perpetual'),
    rule(`${T}_(\\d{6})`, 'future', 'a Binance delivery future', yymmdd),
    rule(`${T}-(\\d{6})-${NUM}-[CP]`, 'option', 'a Binance option', yymmdd),
  ],
  bybit: [
    rule(`(?!PERP$)${T}-?PERP`, 'perpetual', 'a Bybit USDC perpetual'),
    rule(`${T}-${DDMMMYY}`, 'future', 'a Bybit dated future', ddmmmyy),
    rule(`${T}-${DDMMMYY}-${NUM}-[CP](?:-${T})?`, 'option', 'a Bybit option', ddmmmyy),
    rule(
      `[A-Z0-9]{1,12}USD([${MONTH_CODES}])(\\d\\d)`,
      'future',
      (m) => `a Bybit inverse future expiring in ${MONTH_NAMES[MONTH_CODES.indexOf(m[1]!)]} 20${m[2]}`,
    ),
  ],
  kraken: [
    rule(`P[FIV]_${T}`, 'perpetual', 'a Kraken Futures perpetual'),
    rule(`F[FI]_${T}_(\\d{6})`, 'future', 'a Kraken Futures dated future', yymmdd),
    rule(`(?:IN|RR)_${T}`, 'index', 'a Kraken Futures index, not a market'),
  ],
  coinbase: [
    rule(`${T}-PERP-INTX`, 'perpetual', 'a Coinbase International perpetual'),
    rule(`${T}-${DDMMMYY}-CDE`, 'future', 'a Coinbase Derivatives (US) future', ddmmmyy),
  ],
};

/** The derivative (or index) a venue's id names; null when it is not one of the venue's derivative ids. */
function derivative(venue: VenueName, s: string): InstrumentKind | null {
  for (const r of RULES[venue] ?? []) {
    const m = r.re.exec(s);
    if (m && (!r.date || r.date(m[1]!) !== null)) return { type: r.type, name: r.name(m) };
  }
  return null;
}

/**
 * What `symbol` is on `venue`: a spot market (the venue's id or Tickscope's BASE-QUOTE), one of
 * its derivatives, or null when it is none of the venue's ids.
 */
export function instrumentKind(venue: VenueName, symbol: string): InstrumentKind | null {
  const s = symbol.toUpperCase();
  const d = derivative(venue, s);
  if (d) return d;
  // A derivative's shape with a date that is none (BTC-31JUN25) is no spot market either.
  if ((RULES[venue] ?? []).some((r) => r.re.test(s))) return null;
  if (SPOT_ONE.test(s) || SPOT_TWO.test(s))
    return { type: 'spot', name: `${article(title(venue))} spot market` };
  return null;
}

/** The venues in the order their derivative ids are tried for a symbol of no venue in particular. */
const VENUE_ORDER = Object.keys(RULES) as VenueName[];

/** "an OKX", "a Binance". */
const article = (name: string): string => `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;

const LATER = 'Tickscope reads spot markets only for now (derivatives come in a later issue)';

/**
 * Why Tickscope cannot take `symbol` on `venue` (null: every venue, as the simulator's symbols
 * are), as the end of a sentence that starts with the quoted symbol; null when it can.
 */
export function symbolRefusal(venue: VenueName | null, symbol: string): string | null {
  const s = symbol.toUpperCase();
  if (venue !== null) {
    const k = instrumentKind(venue, s);
    if (k === null)
      return `is not ${article(title(venue))} instrument id (${EXAMPLES[venue] ?? 'spot BTC-USDT'})`;
    if (k.type === 'index') return `is ${k.name}`;
    if (k.type !== 'spot') return `is ${k.name}: ${LATER}`;
    return null;
  }
  for (const v of VENUE_ORDER) {
    const k = derivative(v, s);
    if (k?.type === 'index') return `is ${k.name}`;
    if (k)
      return `is ${k.name}: the simulator, like the live feeds, reads spot markets only for now (derivatives come in a later issue)`;
  }
  // A derivative's shape with a date that is none (BTC-31JUN25): no venue's spot market either.
  if (VENUE_ORDER.some((v) => RULES[v]!.some((r) => r.re.test(s)))) return 'is not a symbol';
  if (SPOT_ONE.test(s) || SPOT_TWO.test(s)) return null;
  return 'is not a symbol';
}

// ---- spot spellings ----

/** Quote assets tried longest first, so `FDUSD` wins over `USD`. */
const QUOTES = [
  'FDUSD',
  'USDT',
  'USDC',
  'TUSD',
  'BUSD',
  'EUR',
  'TRY',
  'BRL',
  'GBP',
  'JPY',
  'BTC',
  'ETH',
  'BNB',
  'USD',
];

/** BTCUSDT → BTC-USDT by the longest known quote asset at the end (unchanged if none). */
export function splitQuote(venueSymbol: string): string {
  const s = venueSymbol.toUpperCase();
  for (const q of QUOTES) {
    if (s.length > q.length && s.endsWith(q)) return `${s.slice(0, -q.length)}-${q}`;
  }
  return s;
}

/**
 * BASE-QUOTE from any spot spelling: a separator (BTC-USDT, BTC/USD, BTC_USDT) splits it; without
 * one (BTCUSDT) the longest known quote asset at the end does.
 */
export function toBaseQuote(symbol: string): string {
  const s = symbol.toUpperCase();
  return /[-/_]/.test(s) ? s.replace(/[/_]/, '-') : splitQuote(s);
}

/**
 * Kraken's legacy asset codes (REST pair names like XXBTZUSD, WebSocket v1's XBT/USD) → the
 * names WebSocket v2 wants ("Currency pair not supported XBT/USD" is the classic v1→v2 mistake).
 */
const KRAKEN_ASSETS: Record<string, string> = {
  XBT: 'BTC',
  XDG: 'DOGE',
  XXBT: 'BTC',
  XXDG: 'DOGE',
  XETH: 'ETH',
  XLTC: 'LTC',
  XXRP: 'XRP',
  XXLM: 'XLM',
  XXMR: 'XMR',
  XZEC: 'ZEC',
  XETC: 'ETC',
  XREP: 'REP',
  XMLN: 'MLN',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  ZGBP: 'GBP',
  ZJPY: 'JPY',
  ZCAD: 'CAD',
  ZAUD: 'AUD',
  ZCHF: 'CHF',
};

/** Kraken's quote assets, longest first (no TUSD: DOTUSD is DOT/USD there). */
const KRAKEN_QUOTES = [
  'USDT',
  'USDC',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'CAD',
  'CHF',
  'AUD',
  'XBT',
  'BTC',
  'ETH',
  'DAI',
];

/** A Kraken spot symbol in WebSocket v2's spelling: BTC/USD from XBT/USD, XBTUSD, XXBTZUSD, BTC-USD. */
export function krakenV2Symbol(symbol: string): string {
  const s = symbol.toUpperCase();
  const legacy = /^(X[A-Z]{3})([XZ][A-Z]{3})$/.exec(s);
  if (legacy && KRAKEN_ASSETS[legacy[1]!] && KRAKEN_ASSETS[legacy[2]!])
    return `${KRAKEN_ASSETS[legacy[1]!]}/${KRAKEN_ASSETS[legacy[2]!]}`;
  let pair = s;
  if (!/[-/_]/.test(s)) {
    const q = KRAKEN_QUOTES.find((x) => s.length > x.length && s.endsWith(x));
    if (q) pair = `${s.slice(0, -q.length)}-${q}`;
  }
  const [base, quote] = toBaseQuote(pair).split('-');
  const b = base && KRAKEN_ASSETS[base] && base.length === 3 ? KRAKEN_ASSETS[base] : base;
  const q = quote && KRAKEN_ASSETS[quote] && quote.length === 3 ? KRAKEN_ASSETS[quote] : quote;
  return q === undefined ? `${b}` : `${b}/${q}`;
}

/** A spot symbol in `venue`'s own spelling (what its subscribe messages and frames carry). */
export function venueSpotSymbol(venue: VenueName, symbol: string): string {
  switch (venue) {
    case 'binance':
    case 'bybit':
      return toBaseQuote(symbol).replace('-', '');
    case 'coinbase':
    case 'okx':
      return toBaseQuote(symbol);
    case 'kraken':
      return krakenV2Symbol(symbol);
    default:
      // A venue without a spelling of its own here: Tickscope's BASE-QUOTE.
      return toBaseQuote(symbol);
  }
}
