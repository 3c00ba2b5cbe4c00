/**
 * Which state the dashboard is in, from what the page knows (transport, data, feeds, replay, a
 * fatal error). One pure function, so that every state has one definition, the same in the page's
 * data-state attribute, the notice over the panels and the banner, and in tests.
 *
 * - error: nothing can be shown (no cross-origin isolation, the frame receiver failed).
 * - connecting: the page is reaching the engine, or the engine answered and its feeds are still
 *   connecting (none has delivered a message yet).
 * - disconnected: the engine was reached and then lost; the charts keep the last data.
 * - empty: the engine runs but has no feeds configured, or its live feeds have sent nothing yet.
 * - replay: a recorded session is being replayed.
 * - live: data is flowing.
 */
import { FeedState, type FeedStatus } from '../../../common/feed-model.ts';

export type AppStateKind = 'error' | 'connecting' | 'disconnected' | 'empty' | 'replay' | 'live';

/** What the state needs of the transport (worker/messages.ts TransportStatus has it). */
export interface TransportLike {
  state: 'connecting' | 'open' | 'closed';
  /** Frames received since the page opened. */
  frames: number;
}

export interface AppStateInput {
  isolated: boolean;
  fatal: string | null;
  transport: TransportLike | null;
  /** At least one metrics interval has arrived. */
  hasData: boolean;
  feeds: readonly FeedStatus[];
  replaying: boolean;
}

export interface AppState {
  kind: AppStateKind;
  /** For connecting: what is connecting (the page to the engine, or the engine to its feeds). */
  phase?: 'engine' | 'feeds';
  /** For empty: why (no feed configured, or feeds up and silent). */
  reason?: 'no-feeds' | 'no-data';
}

export function appState(i: AppStateInput): AppState {
  if (!i.isolated || i.fatal) return { kind: 'error' };
  const t = i.transport;
  if (t?.state !== 'open') {
    // Lost after frames came: disconnected. Never reached yet: still connecting.
    return (t?.frames ?? 0) > 0 ? { kind: 'disconnected' } : { kind: 'connecting', phase: 'engine' };
  }
  if (i.replaying) return { kind: 'replay' };
  if (!i.hasData) return { kind: 'connecting', phase: 'engine' };
  if (i.feeds.length === 0) return { kind: 'empty', reason: 'no-feeds' };
  if (i.feeds.some((f) => f.messages > 0)) return { kind: 'live' };
  if (i.feeds.some((f) => f.state === FeedState.live)) return { kind: 'empty', reason: 'no-data' };
  return { kind: 'connecting', phase: 'feeds' };
}
