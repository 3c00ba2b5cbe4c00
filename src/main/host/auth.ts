/**
 * Token authentication for the headless host when it listens beyond loopback: the token (random,
 * or read from a file), its constant-time comparison, and where a request may carry it — the
 * `?token=` of a first page load (traded for a cookie), the cookie, or `Authorization: Bearer`.
 * The token is a bearer secret: nothing here logs it or puts it in an error.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';

/** 32 random bytes: 43 base64url characters. */
export const TOKEN_BYTES = 32;
/** A fixed token (from a file) must be at least this long, and cookie-safe. */
export const MIN_TOKEN_LENGTH = 32;
const TOKEN_RE = /^[A-Za-z0-9._~+/=-]+$/;

export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Why a fixed token is unfit, or null when it is fine. */
export function tokenProblem(token: string): string | null {
  if (token.length < MIN_TOKEN_LENGTH) return `a token needs at least ${MIN_TOKEN_LENGTH} characters`;
  if (token.length > 1024) return 'a token may have at most 1024 characters';
  if (!TOKEN_RE.test(token)) return 'a token may only hold letters, digits and . _ ~ + / = -';
  return null;
}

/**
 * Reads a fixed token from a file (one line). Strict: the file must be a regular file that only its
 * owner can read (on POSIX), and the token must pass tokenProblem().
 */
export function readTokenFile(path: string): string {
  const info = statSync(path);
  if (!info.isFile()) throw new Error(`token file ${path} is not a regular file`);
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0)
    throw new Error(
      `token file ${path} is readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`,
    );
  const token = readFileSync(path, 'utf8').trim();
  const problem = tokenProblem(token);
  if (problem) throw new Error(`token file ${path}: ${problem}`);
  return token;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Constant-time comparison. Both sides are hashed first, so the comparison always runs over 32
 * bytes and neither the length nor a common prefix of the guess shows in the timing.
 */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  return timingSafeEqual(sha256(expected), sha256(given));
}

/**
 * The cookie's name carries the port: browsers share cookies across the ports of one host, so two
 * hosts on one machine would otherwise overwrite (and receive) each other's token.
 */
export function tokenCookieName(port: number): string {
  return `tickscope_token_${port}`;
}

export function tokenCookie(name: string, token: string): string {
  // HttpOnly: page scripts never see it. SameSite=Strict: another site's page cannot make the
  // browser send it. No Secure: the host speaks plain HTTP (put TLS in front for untrusted networks).
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Every value the Cookie header gives `name` (a browser may send several, from other paths). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out.push(value);
  }
  return out;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? m[1]! : null;
}

export type AuthResult = { ok: true } | { ok: false; reason: string };

/** Checks the cookie and the Authorization header of a request (not the query: see the host). */
export function checkRequestToken(req: IncomingMessage, token: string, cookieName: string): AuthResult {
  const bearer = bearerToken(req.headers.authorization);
  const cookies = cookieValues(req.headers.cookie, cookieName);
  if (bearer === null && cookies.length === 0) {
    return {
      ok: false,
      reason:
        'this dashboard needs its access token: open the URL with ?token= printed when it started, ' +
        'or send Authorization: Bearer <token>',
    };
  }
  // Check every candidate (no early exit) so the timing says nothing about which one matched.
  let ok = false;
  if (bearer !== null) ok = tokenMatches(token, bearer) || ok;
  for (const c of cookies) ok = tokenMatches(token, c) || ok;
  return ok ? { ok: true } : { ok: false, reason: 'the access token does not match' };
}
