/**
 * Readers shared by the venue decoders: arrays of `[price, size, …]` levels (Binance, Bybit, OKX),
 * and a few small helpers. They write straight into the FeedMessage.
 */
import { type JsonScanner, ScanError } from '../json-scan.ts';
import type { FeedMessage } from './message.ts';

/** Reads `[[p, q, …], …]` into the current section of msg (extra elements are skipped). */
export function readPairArray(sc: JsonScanner, msg: FeedMessage, bid: boolean): void {
  if (!sc.enterArray()) return;
  const num = sc.num;
  while (sc.nextItem()) {
    if (!sc.enterArray()) return;
    if (!sc.nextItem()) {
      sc.fail(ScanError.missingField);
      return;
    }
    if (!sc.decimal(0)) return;
    const pd = sc.frac;
    if (!sc.nextItem()) {
      sc.fail(ScanError.missingField);
      return;
    }
    if (!sc.decimal(1)) return;
    const qd = sc.frac;
    while (sc.nextItem()) sc.skip();
    if (sc.failed !== 0) return;
    if (!(num[0]! > 0) || !(num[1]! >= 0)) {
      sc.fail(ScanError.badNumber);
      return;
    }
    msg.addLevel(bid, num, 0, 1, pd, qd);
  }
}

/**
 * An integer epoch time in whatever unit it came → epoch ms. Binance, Bybit and OKX stamp ms;
 * Binance switches to µs on request (`timeUnit`), on some streams and servers only, and older
 * recordings are ms: so the unit is told from the value, field by field — below 1e14 ms (until
 * the year 5138), below 1e17 µs (1973 on), above that ns.
 */
export function toMs(t: number): number {
  return t < 1e14 ? t : t < 1e17 ? t / 1e3 : t / 1e6;
}
