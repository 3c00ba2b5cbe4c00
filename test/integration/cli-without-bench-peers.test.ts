/**
 * Every command but `bench` works with Playwright, ringbuf.js and ccxt absent from node_modules
 * (a user who installs without dev dependencies, or a collector machine): each runs as a real
 * child process with a resolve hook that refuses those packages (test/helpers/hide-bench-peers.mjs),
 * and `bench` under the same hook fails naming the missing package — proof the hook works.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tickscope.mjs', import.meta.url));
const hide = fileURLToPath(new URL('../helpers/hide-bench-peers.mjs', import.meta.url));

interface Result {
  code: number | null;
  out: string;
  err: string;
}

function run(args: string[], opts: { untilLine?: RegExp; timeoutMs?: number } = {}): Promise<Result> {
  const child = spawn(process.execPath, ['--import', hide, bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d;
  });
  if (opts.untilLine) {
    const re = opts.untilLine;
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (re.test(l)) child.kill('SIGTERM');
    });
  }
  const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    }),
  );
}

let tmp = '';
let session = '';
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tickscope-nopeers-'));
  session = join(tmp, 'session');
});
after(() => rm(tmp, { recursive: true, force: true }));

test('without bench peers: record, inspect, export and replay a session', async () => {
  const rec = await run(['record', '--out', session, '--sim-venues', 'binance,okx', '--duration', '2']);
  assert.equal(rec.code, 0, rec.err);
  const ins = await run(['inspect', session, '--json']);
  assert.equal(ins.code, 0, ins.err);
  assert.ok(JSON.parse(ins.out).records > 0);
  const exp = await run(['export', session, '--format', 'csv']);
  assert.equal(exp.code, 0, exp.err);
  assert.ok(exp.out.split('\n').length > 10);
  const rep = await run(['replay', session, '--speed', 'max']);
  assert.equal(rep.code, 0, rep.err);
});

test('without bench peers: sim, serve and watch', async () => {
  const sim = await run(['sim', '--venue', 'binance', '--port', '0', '--duration', '1']);
  assert.equal(sim.code, 0, sim.err);
  const serve = await run(['serve', '--port', '0'], { untilLine: /^http:\/\/127\.0\.0\.1:\d+\/$/ });
  assert.ok(/^http:\/\/127\.0\.0\.1:\d+\/$/m.test(serve.out), serve.err);
  assert.ok(serve.code === 0 || serve.code === null, `serve stopped cleanly (${serve.code})\n${serve.err}`);
  // watch against a simulator of its own
  const simChild = spawn(
    process.execPath,
    [bin, 'sim', '--venue', 'binance', '--port', '0', '--duration', '20'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the simulator printed no URL')), 30_000);
      createInterface({ input: simChild.stdout! }).on('line', (l) => {
        const m = /(ws:\/\/127\.0\.0\.1:\d+\S*)/.exec(l);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    const watch = await run([
      'watch',
      '--venue',
      'binance',
      '--symbols',
      'BTC-USDT',
      '--url',
      url,
      '--duration',
      '1',
    ]);
    assert.equal(watch.code, 0, watch.err);
  } finally {
    simChild.kill('SIGTERM');
  }
});

test('the hook is real: bench pipeline under it fails, naming ringbuf.js', async () => {
  const b = await run(['bench', 'pipeline', '--scale', '0.001', '--repeat', '1']);
  assert.notEqual(b.code, 0);
  assert.match(b.err, /ringbuf\.js/);
});
