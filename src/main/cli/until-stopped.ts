/** Resolves on Ctrl-C, SIGTERM, or after `seconds` (0 = no limit): how long-running commands end. */
export function untilStopped(seconds: number): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (seconds > 0) setTimeout(resolve, seconds * 1000).unref();
  });
}
