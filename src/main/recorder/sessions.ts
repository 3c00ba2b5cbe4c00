/**
 * The sessions folder: list the recorded sessions (from their manifests — cheap; a session
 * without a readable manifest is still listed, by its segment files), rename and delete them.
 * Names are plain folder names, validated: nothing here ever touches a path outside the folder.
 */
import { readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionSummary } from '../../common/api.ts';
import { quoteValue } from '../../common/quote-value.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;
/**
 * Names Windows keeps for devices (with or without an extension, any case): a folder cannot be
 * called that there. A trailing dot or space is dropped by Windows, so 'a.' would be 'a'.
 */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export class SessionsError extends Error {
  override name = 'SessionsError';
}

export function checkSessionName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..'))
    throw new SessionsError(
      `${quoteValue(name)} is not a session name (letters, digits, space . _ -; up to 100)`,
    );
  if (WINDOWS_RESERVED.test(name) || /[. ]$/.test(name))
    throw new SessionsError(
      `${quoteValue(name)} is not a session name (a device name, or a trailing dot or space, on Windows)`,
    );
  return name;
}

/** The folder of an existing session, by name; throws SessionsError if the name is bad or none is there. */
export async function sessionDir(root: string, name: unknown): Promise<string> {
  const dir = join(root, checkSessionName(name));
  if (!(await isSession(dir))) throw new SessionsError(`no session ${quoteValue(name)}`);
  return dir;
}

/** A new session's default name: its start time, sortable and safe on every file system. */
export function newSessionName(now = new Date()): string {
  return `session-${now.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '')}`;
}

async function isSession(dir: string): Promise<boolean> {
  try {
    const names = await readdir(dir);
    return names.includes('manifest.json') || names.some((n) => n.endsWith('.tsb'));
  } catch {
    return false;
  }
}

export async function listSessions(root: string): Promise<SessionSummary[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: SessionSummary[] = [];
  for (const name of names) {
    const dir = join(root, name);
    if (!NAME.test(name) || !(await isSession(dir))) continue;
    let bytes = 0;
    for (const f of await readdir(dir)) if (f.endsWith('.tsb')) bytes += (await stat(join(dir, f))).size;
    const s: SessionSummary = {
      name,
      dir,
      start: null,
      end: null,
      records: 0,
      bytes,
      venues: [],
      closed: false,
      error: null,
    };
    try {
      const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      s.start = typeof m.start === 'number' ? m.start : null;
      s.end = typeof m.end === 'number' ? m.end : null;
      s.records =
        typeof (m.counts as { records?: unknown })?.records === 'number'
          ? (m.counts as { records: number }).records
          : 0;
      s.venues = Array.isArray(m.venues) ? m.venues.filter((v): v is string => typeof v === 'string') : [];
      s.closed = m.closed === true;
      s.error = typeof m.error === 'string' ? m.error : null;
    } catch {
      s.error = 'no readable manifest (inspect it to read the blocks)';
    }
    out.push(s);
  }
  return out.sort((a, b) => (b.start ?? 0) - (a.start ?? 0));
}

export async function renameSession(root: string, name: string, to: string): Promise<void> {
  const from = join(root, checkSessionName(name));
  const dest = join(root, checkSessionName(to));
  if (!(await isSession(from))) throw new SessionsError(`no session '${name}'`);
  try {
    await stat(dest);
    throw new SessionsError(`'${to}' exists already`);
  } catch (err) {
    if (err instanceof SessionsError) throw err;
  }
  await rename(from, dest);
}

export async function deleteSession(root: string, name: string): Promise<void> {
  const dir = join(root, checkSessionName(name));
  if (!(await isSession(dir))) throw new SessionsError(`no session '${name}'`);
  // Only what a session holds: its manifest, segments and temporary manifest files.
  for (const f of await readdir(dir)) {
    if (f === 'manifest.json' || f.endsWith('.tsb') || /^manifest\.json\.[0-9a-f]+\.tmp$/.test(f))
      await rm(join(dir, f), { force: true });
  }
  await rmdir(dir).catch(() => {
    // A folder with foreign files left in it: keep them, say so.
    throw new SessionsError(`'${name}' held other files; they were left in place`);
  });
}
