/**
 * What the app says and does when it cannot start: the engine failing to start, a worker file
 * missing from a package, anything thrown on the way to the first window. Electron would show an
 * uncaught exception's box and keep running with no window (and a test's firstWindow() would only
 * time out); instead index.ts logs this, shows one dialog and exits non-zero. No Electron import
 * here, so a test decides the text and the exit code.
 */

export interface StartupFailure {
  /** The dialog's title and text. */
  title: string;
  message: string;
  exitCode: number;
}

const MISSING_FILE = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ENOENT', 'ERR_WORKER_PATH']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string' && err.length > 0) return err;
  return `a value that is not an error was thrown (${err === null ? 'null' : typeof err})`;
}

/** One entry for stderr and the log file: the whole error, stack included. */
export function failureLog(err: unknown, version: string): string {
  return `tickscope ${version}: failed to start: ${err instanceof Error && err.stack ? err.stack : errorText(err)}`;
}

/** The dialog and the exit code; `logFile` is where failureLog's entry was written, if it was. */
export function startupFailure(err: unknown, logFile: string | null): StartupFailure {
  const lines = [errorText(err)];
  if (MISSING_FILE.has(codeOf(err) ?? '')) {
    lines.push('', 'A file of the application is missing; reinstalling Tickscope restores it.');
  }
  if (logFile) lines.push('', `The details are in ${logFile}.`);
  return { title: 'Tickscope could not start', message: lines.join('\n'), exitCode: 1 };
}
