/**
 * Symbol normalisation: venues spell instruments their own way (Binance `BTCUSDT`); Tickscope
 * shows them as BASE-QUOTE (`BTC-USDT`) and keeps the venue's own spelling beside it.
 */

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

export function normaliseBinanceSymbol(venueSymbol: string): string {
  const s = venueSymbol.toUpperCase();
  for (const q of QUOTES) {
    if (s.length > q.length && s.endsWith(q)) return `${s.slice(0, -q.length)}-${q}`;
  }
  return s;
}
