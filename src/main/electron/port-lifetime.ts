/**
 * How long a frame port lives: until the page's end of it closes (a reload, a closed window) or
 * the page's web contents are destroyed, whichever comes first. Either way the frame sink goes
 * and the port closes, once — and the contents' 'destroyed' listener goes with it, so a page that
 * reloads a hundred times does not leave a hundred listeners (and their closed ports) behind.
 * Kept apart from ipc.ts, which imports Electron, so that a test can drive it.
 */

/** What the lifetime needs of a MessagePortMain. */
export interface ClosablePort {
  on(event: 'close', listener: () => void): unknown;
  close(): void;
}

/** What it needs of the sender's WebContents. */
export interface DestroyableSender {
  once(event: 'destroyed', listener: () => void): unknown;
  off(event: 'destroyed', listener: () => void): unknown;
}

export function bindPortLifetime(
  port: ClosablePort,
  sender: DestroyableSender,
  removeSink: () => void,
): void {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    sender.off('destroyed', release);
    removeSink();
    port.close();
  };
  port.on('close', release);
  sender.once('destroyed', release);
}
