import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

test('tests run on Node 24, the Node that Electron 45 ships', () => {
  const major = Number(process.versions.node.split('.')[0]);
  assert.equal(major, 24, `running on ${process.version}; npm scripts should put node@24 first on PATH`);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.match(pkg.devDependencies.electron, /^\^?45\./);
  assert.match(pkg.devDependencies.node, /^\^?24\./);
});
