/**
 * The layering rule, in the spirit of VS Code's code-layering lint: which folder of src/ may import
 * which. Data flows one way — feed → ring → readers → frame → panel — so lower layers never
 * import higher ones: src/common imports nothing outside itself; feeds, sim, pipeline, metrics,
 * recorder and publisher only what is below them; the engine composes them; host, cli and
 * electron sit on top; the renderer and the preload only ever see src/common. Imports are read
 * with the TypeScript compiler's own pre-processor (static, re-exports and dynamic import()).
 * Any edge not listed here fails, naming the file and the import.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** Each layer and the layers it may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  common: [],
  renderer: ['common'],
  preload: ['common'],
  'main/fs': ['common'],
  'main/config': ['common', 'main/fs'],
  'main/pipeline': ['common'],
  'main/feeds': ['common'],
  'main/sim': ['common'],
  'main/metrics': ['common', 'main/pipeline', 'main/feeds'],
  'main/publisher': ['common', 'main/pipeline', 'main/metrics', 'main/feeds'],
  'main/recorder': ['common', 'main/fs', 'main/pipeline', 'main/feeds'],
  'main/bench': ['common', 'main/pipeline', 'main/feeds', 'main/sim', 'main/recorder'],
  'main/engine': [
    'common',
    'main/config',
    'main/pipeline',
    'main/feeds',
    'main/sim',
    'main/metrics',
    'main/publisher',
    'main/recorder',
  ],
  'main/host': ['common', 'main/publisher'],
  'main/cli': [
    'common',
    'main/config',
    'main/feeds',
    'main/sim',
    'main/recorder',
    'main/engine',
    'main/host',
    'main/bench',
  ],
  'main/electron': ['common', 'main/host', 'main/publisher', 'main/recorder', 'main/engine'],
  'main/index.ts': ['common', 'main/config', 'main/electron', 'main/engine'],
};

/** Benchmarks load peers (Playwright, ringbuf.js, ccxt) that other commands must not need. */
const DYNAMIC_ONLY: Record<string, readonly string[]> = { 'main/cli': ['main/bench'] };
const BENCH_PACKAGES = ['playwright', '@playwright/test', 'ringbuf.js', 'ccxt'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(ts|tsx)$/.test(f) && !f.endsWith('.d.ts') ? [p] : [];
  });
}

function layerOf(file: string): string {
  const parts = relative(src, file).split('/');
  if (parts[0] !== 'main') return parts[0]!;
  return parts.length === 2 ? `main/${parts[1]}` : `main/${parts[1]}`;
}

interface Import {
  spec: string;
  target: string | null;
  dynamic: boolean;
  /** `import type` / `export type`: erased, never loaded at run time. */
  typeOnly: boolean;
}

/** Every import of a file, from its syntax tree: static, re-exports and dynamic import(). */
function importsOf(file: string): Import[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Import[] = [];
  const add = (spec: ts.Expression | undefined, dynamic: boolean, typeOnly: boolean): void => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const s = spec.text;
    out.push({ spec: s, target: s.startsWith('.') ? resolve(dirname(file), s) : null, dynamic, typeOnly });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) {
      const c = n.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : null;
      const typeOnly =
        !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(n.moduleSpecifier, false, typeOnly);
    } else if (ts.isExportDeclaration(n)) {
      add(n.moduleSpecifier, false, n.isTypeOnly);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(n.arguments[0], true, false);
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

const all = files(src);
const graph = new Map(all.map((f) => [f, importsOf(f)]));

test('layering: every import between src/ folders is an allowed edge', () => {
  const bad: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    const allowed = ALLOWED[from];
    assert.ok(allowed, `${relative(src, file)}: its folder has no layer in the table (add it)`);
    for (const i of imports) {
      if (!i.target) continue;
      if (!i.target.startsWith(src)) {
        bad.push(`${relative(src, file)} imports ${i.spec}, outside src/`);
        continue;
      }
      const to = layerOf(i.target);
      if (to === from) continue;
      if (!allowed.includes(to)) bad.push(`${relative(src, file)} (${from}) imports ${i.spec} (${to})`);
      else if (DYNAMIC_ONLY[from]?.includes(to) && !i.dynamic)
        bad.push(`${relative(src, file)} imports ${i.spec} statically: ${to} only by import()`);
    }
  }
  assert.deepEqual(bad, []);
});

test('layering: the table itself points one way (no two layers may import each other)', () => {
  for (const [a, tos] of Object.entries(ALLOWED))
    for (const b of tos) assert.ok(!ALLOWED[b]?.includes(a), `${a} ↔ ${b}`);
});

// Every module each of these commands can load, statically or by import(), type-only imports aside.
const PEERLESS = ['serve', 'record', 'replay', 'watch', 'sim', 'inspect', 'export'];

for (const command of PEERLESS) {
  test(`layering: \`tickscope ${command}\` never loads a benchmark peer (Playwright, ringbuf.js, ccxt)`, () => {
    const seen = new Set<string>();
    const offending: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of graph.get(file) ?? []) {
        if (i.typeOnly) continue;
        if (!i.target) {
          if (BENCH_PACKAGES.some((p) => i.spec === p || i.spec.startsWith(`${p}/`)))
            offending.push(`${relative(src, file)} imports ${i.spec}`);
          continue;
        }
        if (graph.has(i.target)) visit(i.target);
      }
    };
    visit(join(src, `main/cli/${command}-command.ts`));
    assert.ok(seen.size > 3, `the walk reached ${seen.size} modules`);
    assert.deepEqual(offending, []);
  });
}

test('layering: src/common imports no package at all (it runs in the engine, the preload and the page)', () => {
  const bad: string[] = [];
  for (const [file, imports] of graph) {
    if (layerOf(file) !== 'common') continue;
    for (const i of imports) if (!i.target) bad.push(`${relative(src, file)} imports ${i.spec}`);
  }
  assert.deepEqual(bad, []);
});
