/**
 * Where published frames go: an Electron MessagePortMain, a browser's WebSocket, a test. A sink
 * must call `done` once it no longer needs the bytes (after a synchronous clone, or when a socket
 * write completes), so the frame's pooled buffer can be reused.
 */
export interface FrameSink {
  readonly name: string;
  send(frame: Uint8Array, done: () => void): void;
  /** True while the sink still has unsent frames queued (the publisher then skips it). */
  busy?(): boolean;
}
