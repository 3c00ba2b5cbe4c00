/**
 * Symbol normalisation: venues spell instruments their own way (Binance `BTCUSDT`); Tickscope
 * shows them as BASE-QUOTE (`BTC-USDT`) and keeps the venue's own spelling beside it. The
 * spellings of every venue, and which ids are spot, live in common/instruments.ts.
 */
import { splitQuote } from '../../common/instruments.ts';

/** BTCUSDT → BTC-USDT by the longest known quote asset at the end (FDUSD before USD). */
export function normaliseBinanceSymbol(venueSymbol: string): string {
  return splitQuote(venueSymbol);
}
