/**
 * The Electron main process's startup-failure path: the pure part (startup-failure.ts) that
 * decides the dialog, the log entry and the exit code, fed the errors a real start produces; and
 * index.ts's wiring of it, read from its syntax tree (Electron cannot run here).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { DEFAULT_CONFIG } from '../../src/common/config.ts';
import {
  sourceCompressWorkerUrl,
  sourceExportWorkerUrl,
  sourceFeedWorkerUrl,
  sourceRecorderWorkerUrl,
  sourceReplayWorkerUrl,
} from '../../src/main/cli/paths.ts';
import { failureLog, startupFailure } from '../../src/main/electron/startup-failure.ts';
import { EngineRunner } from '../../src/main/engine/engine-runner.ts';

test('startup failure: a worker file missing from the package stops the engine start; the dialog says reinstall, exit 1', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'tickscope-startup-'));
  try {
    // What a package without simWorker.js does: EngineRunner.start rejects with Node's own error.
    const err = await EngineRunner.start(
      {
        feedWorkerUrl: sourceFeedWorkerUrl(),
        simWorkerUrl: new URL('./simWorker.js', `file://${tmp}/out/main/`),
        log: () => {},
      },
      DEFAULT_CONFIG,
      join(tmp, 'config.json'),
      {
        root: join(tmp, 'sessions'),
        app: 'startup failure test',
        recorderWorkerUrl: sourceRecorderWorkerUrl(),
        compressWorkerUrl: sourceCompressWorkerUrl(),
        replayWorkerUrl: sourceReplayWorkerUrl(),
        exportWorkerUrl: sourceExportWorkerUrl(),
      },
    ).then(
      async (runner) => {
        await runner.stop();
        return null;
      },
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error, 'the start is refused');
    const f = startupFailure(err, '/home/u/.config/Tickscope/logs/startup-error.log');
    assert.equal(f.exitCode, 1);
    assert.equal(f.title, 'Tickscope could not start');
    assert.match(f.message, /simWorker\.js/);
    assert.match(f.message, /A file of the application is missing; reinstalling Tickscope restores it\./);
    assert.match(f.message, /The details are in \/home\/u\/\.config\/Tickscope\/logs\/startup-error\.log\./);
    const entry = failureLog(err, '0.1.0');
    assert.match(entry, /^tickscope 0\.1\.0: failed to start: Error: Cannot find module/);
    assert.match(entry, /\n {4}at /, 'the log keeps the stack');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('startup failure: any other error is named as it is, without the reinstall hint; no log line when none was written', () => {
  const f = startupFailure(new Error('listen EACCES: permission denied /run/tickscope.sock'), null);
  assert.equal(f.message, 'listen EACCES: permission denied /run/tickscope.sock');
  assert.equal(f.exitCode, 1);
  for (const thrown of [undefined, null, 42, '']) {
    const g = startupFailure(thrown, null);
    assert.match(g.message, /^a value that is not an error was thrown \((undefined|null|number|string)\)$/);
    assert.equal(g.exitCode, 1);
    assert.match(failureLog(thrown, '1'), /failed to start: a value that is not an error/);
  }
  assert.equal(
    startupFailure('the config folder is read-only', null).message,
    'the config folder is read-only',
  );
});

test('index.ts: a throw inside ready() reaches failStartup, which logs, shows one dialog and exits with its code', async () => {
  const src = await readFile(new URL('../../src/main/index.ts', import.meta.url), 'utf8');
  const sf = ts.createSourceFile('index.ts', src, ts.ScriptTarget.Latest, true);
  const calls: ts.CallExpression[] = [];
  const fns = new Map<string, ts.FunctionDeclaration>();
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) calls.push(n);
    if (ts.isFunctionDeclaration(n) && n.name) fns.set(n.name.text, n);
    n.forEachChild(visit);
  };
  visit(sf);
  // `.then(ready, onRejected)` would leave a throw inside ready() unhandled: the catch is after it.
  const chain = calls.filter(
    (c) => ts.isExpressionStatement(c.parent) && c.getText().startsWith('app.whenReady()'),
  );
  assert.equal(chain.length, 1, 'one start chain');
  assert.equal(chain[0]!.getText().replace(/\s+/g, ''), 'app.whenReady().then(ready).catch(failStartup)');
  const fail = fns.get('failStartup');
  assert.ok(fail, 'failStartup is declared');
  const inside = fail.getText();
  for (const needed of [
    'failureLog(err',
    'console.error(entry)',
    'startupFailure(err',
    'dialog.showErrorBox(failure.title, failure.message)',
    'app.exit(failure.exitCode)',
  ]) {
    assert.ok(inside.includes(needed), `failStartup: ${needed}`);
  }
});
