/**
 * `tickscope record` when the disk refuses a write: a real child process under a file size limit
 * (`ulimit -f`: writes past it fail with EFBIG, as on a full disk). The recording stops with a
 * clear message, the command ends by itself with exit 1 and its summary, and what was written
 * reads back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inspectSession } from '../../src/main/recorder/session-reader.ts';
import { tickscopeBin as bin, runNode } from '../helpers/run-node.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tickscope-record-efbig-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a write error stops the recording: exit 1 with the summary, not a hang; the session reads back', async () => {
  const dir = join(tmp, 'session');
  // 4096 units of the shell's (512 or 1024 bytes): 2 or 4 MiB, room for at least one whole
  // block however far behind the recorder falls (a block is at most 16,384 records, 1 MiB
  // uncompressed), reached within seconds at this rate.
  const r = await runNode(
    [
      '-c',
      'ulimit -f 4096 && exec "$@"',
      'sh',
      process.execPath,
      bin,
      'record',
      '--out',
      dir,
      '--rate',
      '20000',
      '--compressors',
      '0',
      '--fsync-ms',
      '0',
      // Far past the 40 s runNode allows: only the write error can end this run in time.
      '--duration',
      '60',
      '--json',
    ],
    { command: '/bin/sh', timeoutMs: 40_000 },
  );
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /tickscope record: recording stopped: EFBIG/);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.summary, true);
  assert.match(summary.error, /EFBIG/);
  const i = await inspectSession(dir);
  assert.ok(i.records > 0, 'what was written reads back');
  assert.ok(i.records <= summary.records);
});
