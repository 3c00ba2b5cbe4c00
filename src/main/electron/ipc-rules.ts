/**
 * The checks every IPC call and navigation passes, as pure functions (no Electron import), so they
 * are unit-tested here even where the Electron binary cannot run.
 */

/**
 * Exact origin comparison on the parsed URL (a prefix test would let app.attacker.com in). The
 * origin is built as scheme://host[:port] because Node's URL reports `origin === "null"` for
 * non-special schemes such as our app://, although Chromium treats it as a standard scheme.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

export function isAllowedOrigin(url: string, allowedOrigins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && allowedOrigins.includes(origin);
}

const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

/** A frame-port request's nonce: a string of 16–64 URL-safe characters, nothing else. */
export function isValidNonce(nonce: unknown): nonce is string {
  return typeof nonce === 'string' && NONCE.test(nonce);
}

export interface SenderFacts {
  /** The sending frame's URL, or null if the frame is gone. */
  frameUrl: string | null;
  /** Whether the sending frame is the window's main frame (not an iframe). */
  isMainFrame: boolean;
}

/** Only the main frame of our own window, at our own origin, may call the API. */
export function isTrustedSender(sender: SenderFacts, allowedOrigins: readonly string[]): boolean {
  return sender.frameUrl !== null && sender.isMainFrame && isAllowedOrigin(sender.frameUrl, allowedOrigins);
}
