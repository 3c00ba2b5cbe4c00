/**
 * Reads and changes the engine's configuration from the page: through the preload's API in
 * Electron, through the headless host's /api/config in a browser. Either way the engine validates
 * and answers with the config in force or the reasons it refused.
 */
import {
  CONFIG_PATH,
  type ConfigReply,
  type ExportFormat,
  FEED_COMMAND_PATH,
  type FeedCommand,
  type FeedCommandReply,
  type InspectReply,
  SESSIONS_PATH,
  type SessionCommand,
  type SessionReply,
  type SessionsState,
} from '../../../common/api.ts';
import type { TickscopeConfig } from '../../../common/config.ts';

export async function getConfig(): Promise<TickscopeConfig> {
  if (window.tickscope) return window.tickscope.getConfig();
  const res = await fetch(CONFIG_PATH, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${CONFIG_PATH}: HTTP ${res.status}`);
  return (await res.json()) as TickscopeConfig;
}

export async function setConfig(config: TickscopeConfig): Promise<ConfigReply> {
  if (window.tickscope) return window.tickscope.setConfig(config);
  const res = await fetch(CONFIG_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(config),
  });
  const body = (await res.json().catch(() => null)) as ConfigReply | null;
  if (body && typeof body === 'object' && 'ok' in body) return body;
  return { ok: false, errors: [`POST ${CONFIG_PATH}: HTTP ${res.status}`] };
}

/** A command to one feed's connection: reconnect, roll over, or resync its books. */
export async function feedCommand(feedId: number, command: FeedCommand): Promise<FeedCommandReply> {
  if (window.tickscope) return window.tickscope.feedCommand(feedId, command);
  const res = await fetch(FEED_COMMAND_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ feedId, command }),
  });
  const body = (await res.json().catch(() => null)) as FeedCommandReply | null;
  if (body && typeof body === 'object' && 'ok' in body) return body;
  return { ok: false, error: `POST ${FEED_COMMAND_PATH}: HTTP ${res.status}` };
}

/** The recording's status, the sessions folder's list, and the replay in progress. */
export async function getSessions(): Promise<SessionsState> {
  if (window.tickscope) return window.tickscope.sessions();
  const res = await fetch(SESSIONS_PATH, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${SESSIONS_PATH}: HTTP ${res.status}`);
  return (await res.json()) as SessionsState;
}

/** Record, stop, rename, delete, replay (1×, N×, max) or go back to live. */
export async function sessionCommand(command: SessionCommand): Promise<SessionReply> {
  if (window.tickscope) return window.tickscope.sessionCommand(command);
  const res = await fetch(SESSIONS_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(command),
  });
  const body = (await res.json().catch(() => null)) as SessionReply | null;
  if (body && typeof body === 'object' && 'ok' in body) return body;
  return { ok: false, error: `POST ${SESSIONS_PATH}: HTTP ${res.status}` };
}

/** One session's contents, read from its blocks: counts by kind, venue and instrument, gaps, damage. */
export async function inspectSession(name: string): Promise<InspectReply> {
  if (window.tickscope) return window.tickscope.inspectSession(name);
  const res = await fetch(`${SESSIONS_PATH}?inspect=${encodeURIComponent(name)}`, {
    headers: { accept: 'application/json' },
  });
  const body = (await res.json().catch(() => null)) as InspectReply | null;
  if (body && typeof body === 'object' && 'ok' in body) return body;
  return { ok: false, error: `GET ${SESSIONS_PATH}: HTTP ${res.status}` };
}

/** Electron only: shows a finished export in the file manager (the browser downloads it instead). */
export async function revealExport(name: string, format: ExportFormat): Promise<SessionReply> {
  if (!window.tickscope) return { ok: false, error: 'only the desktop app can open the file manager' };
  return window.tickscope.revealExport(name, format);
}
