/**
 * kill -9 at random moments of a real `tickscope record` child process: every block on disk
 * before the tear reads back whole (header and payload CRCs, records of known kinds, block
 * sequence numbers without a hole), at most the last block is torn, and manifest.json is either
 * absent or a complete JSON document (it is replaced atomically).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RECORD_SIZE } from '../../src/common/record.ts';
import { BLOCK_HEADER_SIZE, decodePayload, readHeader } from '../../src/main/recorder/block.ts';

const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));

/** Resolves once a segment holds more than one block header's worth of bytes (writing has begun). */
async function writing(dir: string, child: ReturnType<typeof spawn>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`record exited with ${child.exitCode} before writing`);
    const segs = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.tsb'));
    for (const s of segs) if ((await stat(join(dir, s))).size > BLOCK_HEADER_SIZE) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('record wrote nothing in 60 s');
}

// Killed at random moments after writing began (counted from then, not from the spawn, so a
// slow start on a loaded machine moves the kill with it instead of killing before the first block).
for (const [i, after] of [200, 1000, 1800].entries()) {
  test(`SIGKILL ${after} ms into writing (#${i + 1}): everything before the tear reads back`, async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'tickscope-crash-')), 'session');
    const child = spawn(
      process.execPath,
      [bin, 'record', '--out', dir, '--rate', '4000', '--compressors', '1', '--fsync-ms', '0'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await writing(dir, child);
    const jitter = Math.floor(Math.random() * 400);
    await new Promise((r) => setTimeout(r, after + jitter));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const files = await readdir(dir);
    const segs = files.filter((f) => f.endsWith('.tsb')).sort();
    assert.ok(segs.length >= 1, 'a segment was written');
    let blocks = 0;
    let records = 0;
    let torn = 0;
    let expectSeq = 0;
    for (const [k, s] of segs.entries()) {
      const bytes = await readFile(join(dir, s));
      let at = 0;
      while (at < bytes.length) {
        const h = readHeader(bytes, at);
        const end = h ? at + BLOCK_HEADER_SIZE + h.payloadLength : -1;
        if (!h || end > bytes.length) {
          torn = bytes.length - at;
          assert.equal(k, segs.length - 1, 'only the last segment can end torn');
          break;
        }
        const recs = decodePayload(h, bytes.subarray(at + BLOCK_HEADER_SIZE, end));
        for (let r = 0; r < h.records; r++) {
          const kind = recs[r * RECORD_SIZE]!;
          assert.ok(kind >= 1 && kind <= 5, `record kind ${kind}`);
        }
        assert.equal(h.sequence, expectSeq++, 'no hole in the block sequence');
        blocks++;
        records += h.records;
        at = end;
      }
    }
    assert.ok(blocks > 0 && records > 0, `${blocks} blocks, ${records} records before the kill`);
    if (files.includes('manifest.json')) {
      const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      assert.equal(m.layout, 1);
      assert.equal(m.closed, false, 'killed: never closed');
    }
    console.log(
      `kill ${after + jitter} ms into writing: ${blocks} blocks, ${records} records intact, torn tail ${torn} bytes`,
    );
  });
}
