/**
 * `npm run test:electron-security`: runs Doyensec's electronegativity over the sources (src/: main,
 * preload, renderer and its index.html) and holds every finding to the explanations in
 * security/electronegativity-findings.json. It fails, listing them, if a finding is not explained
 * there, or if an explained finding no longer occurs (so the file stays true).
 *
 * It runs the tool in-process, offline and deterministically: the CLI fetches translations from
 * S3 at every start (and under Node 24 the failed request's retry crashes it) and its
 * AvailableSecurityFixesGlobalCheck downloads Electron's release list, so this script loads the
 * package's own en-US translations instead, excludes that one check (the Electron version is
 * pinned in package-lock.json instead) and fails if anything still tries to open a socket.
 * The findings come from the SARIF file the tool writes.
 *
 * Usage: node scripts/electronegativity.ts [--sarif FILE]   (keeps the SARIF report)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const input = join(root, 'src');
const explanationsFile = join(root, 'security', 'electronegativity-findings.json');

interface Explanation {
  check: string;
  file: string;
  occurrences: number;
  reason: string;
}
interface Explanations {
  excludedChecks: { check: string; reason: string }[];
  findings: Explanation[];
}
interface Finding {
  check: string;
  file: string;
  line: number;
}

const { values } = parseArgs({ options: { sarif: { type: 'string' } } });

// Any socket opened from here on is a bug in this setup: record it and fail at the end.
const connections: string[] = [];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  connections.push(JSON.stringify(args[0]));
  this.destroy(new Error('electronegativity must run offline'));
  return this;
} as typeof connect;

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
const toolVersion = (require('@doyensec/electronegativity/package.json') as { version: string }).version;
const electronVersion = (require('electron/package.json') as { version: string }).version;

// Replace the tool's translation loader (which downloads) with its bundled en-US strings.
const i18nLoader = join(pkgDir, 'dist', 'locales', 'i18n.js');
const i18n = require(require.resolve('i18n', { paths: [pkgDir] })) as {
  configure(o: object): void;
  setLocale(l: string): void;
};
const localI18n = async (): Promise<void> => {
  i18n.configure({
    locales: ['en-US'],
    defaultLocale: 'en-US',
    directory: dirname(i18nLoader),
    updateFiles: false,
    objectNotation: true,
    retryInDefaultLocale: true,
    register: globalThis,
  });
  i18n.setLocale('en-US');
};
const stub = new Module(i18nLoader);
stub.filename = i18nLoader;
stub.loaded = true;
stub.exports = localI18n;
require.cache[i18nLoader] = stub;

const explanations = JSON.parse(readFileSync(explanationsFile, 'utf8')) as Explanations;

const run = require('@doyensec/electronegativity') as (
  options: object,
  forCli: boolean,
) => Promise<{ errors: { file: string; message: string; tolerable?: boolean }[] }>;

const work = mkdtempSync(join(tmpdir(), 'electronegativity-'));
const sarifPath = values.sarif ? resolve(values.sarif) : join(work, 'report.sarif');
const started = performance.now();
let result: Awaited<ReturnType<typeof run>>;
try {
  result = await run(
    {
      input,
      output: sarifPath,
      isSarif: true,
      customScan: [],
      excludeFromScan: explanations.excludedChecks.map((c) => c.check.toLowerCase()),
      isRelative: true,
      isVerbose: false,
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    },
    false,
  );
} finally {
  net.Socket.prototype.connect = connect;
}

interface Sarif {
  runs: {
    results: {
      ruleId: string;
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region?: { startLine?: number } };
      }[];
    }[];
  }[];
}
/** The tool writes its report with a fire-and-forget fs.writeFile: wait until it is complete. */
async function readReport(): Promise<Sarif> {
  for (let waited = 0; ; waited += 20) {
    try {
      return JSON.parse(readFileSync(sarifPath, 'utf8')) as Sarif;
    } catch (err) {
      if (waited >= 10_000)
        throw new Error(`no complete SARIF report at ${sarifPath}: ${(err as Error).message}`);
      await sleep(20);
    }
  }
}
const sarif = await readReport();
if (!values.sarif) rmSync(work, { recursive: true, force: true });

const findings: Finding[] = sarif.runs.flatMap((r) =>
  r.results.map((res) => {
    const loc = res.locations[0]?.physicalLocation;
    const uri = loc?.artifactLocation.uri ?? 'N/A';
    // Findings about the whole app (global checks) have no file; name them N/A as the tool does.
    const file = uri === 'file:///' || uri === 'N/A' ? 'N/A' : relative(root, join(input, uri));
    return { check: res.ruleId, file, line: loc?.region?.startLine ?? 0 };
  }),
);

const key = (check: string, file: string): string => `${check} ${file}`;
const found = new Map<string, Finding[]>();
for (const f of findings) found.set(key(f.check, f.file), [...(found.get(key(f.check, f.file)) ?? []), f]);
const explained = new Map(explanations.findings.map((e) => [key(e.check, e.file), e]));

const problems: string[] = [];
for (const [k, fs] of found) {
  const e = explained.get(k);
  const where = fs.map((f) => `${f.file}:${f.line}`).join(', ');
  if (!e) problems.push(`unexplained: ${fs[0]!.check} at ${where}`);
  else if (e.occurrences !== fs.length)
    problems.push(`${k}: ${fs.length} occurrence(s) at ${where}, ${e.occurrences} explained`);
}
for (const [k, e] of explained) {
  if (!found.has(k)) problems.push(`explained but no longer found (remove it): ${k}`);
  if (e.reason.trim().length < 80) problems.push(`${k}: the reason is too short to explain anything`);
}
for (const c of explanations.excludedChecks)
  if (c.reason.trim().length < 80) problems.push(`excluded ${c.check}: the reason is too short`);
for (const err of result.errors) problems.push(`could not parse ${err.file}: ${err.message}`);
for (const c of connections) problems.push(`tried to open a connection to ${c}`);

const ms = Math.round(performance.now() - started);
const summary = `electronegativity ${toolVersion} (Electron ${electronVersion}) over ${relative(root, input)}/: ${findings.length} finding(s), ${explanations.findings.length} explanation(s), ${ms} ms`;
if (problems.length > 0) {
  console.error(`${summary}\n${problems.map((p) => `  ✗ ${p}`).join('\n')}`);
  console.error(`Explain each finding (or fix it) in ${relative(root, explanationsFile)}.`);
  process.exit(1);
}
console.log(`${summary}; every finding explained in ${relative(root, explanationsFile)}`);
for (const f of findings) console.log(`  ${f.check} ${f.file}:${f.line}`);
