/**
 * The response headers every page and asset of Tickscope is served with — by the app:// protocol
 * in Electron, by the headless host and by the dev server. COOP + COEP make the page
 * cross-origin isolated (needed for the renderer's SharedArrayBuffer series store); the CSP
 * allows only same-origin scripts, styles, fonts, workers and connections; the Permissions-Policy
 * turns off the device and capture features the dashboard never uses — in a browser, where
 * Electron's permission handlers do not apply. test/unit/electron-security.test.ts checks them.
 */

/** Features no frame of the page may use (only names Chromium knows, or it logs an error). */
export const DENIED_FEATURES = [
  'camera',
  'microphone',
  'geolocation',
  'display-capture',
  'usb',
  'serial',
  'hid',
  'payment',
] as const;

export function contentSecurityPolicy(opts: { dev: boolean }): string {
  const connect = opts.dev
    ? "connect-src 'self' ws: http://localhost:* http://127.0.0.1:*"
    : "connect-src 'self'";
  // Vite's dev client injects inline React-refresh preamble; only the dev server allows it.
  const script = opts.dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'";
  return [
    "default-src 'none'",
    script,
    opts.dev ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "font-src 'self'",
    "img-src 'self' data:",
    "worker-src 'self'",
    connect,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function securityHeaders(opts: { dev: boolean }): Record<string, string> {
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(opts),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': DENIED_FEATURES.map((f) => `${f}=()`).join(', '),
  };
}
