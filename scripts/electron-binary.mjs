// Finds an installed Electron binary without triggering the electron package's lazy download
// (which fails on machines without internet). Returns the executable path or null.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));

export function electronBinary() {
  const pathFile = join(pkgDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = join(override, rel ?? 'electron');
    return existsSync(p) ? p : null;
  }
  if (!rel) return null;
  const p = join(pkgDir, 'dist', rel);
  return existsSync(p) ? p : null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const p = electronBinary();
  console.log(p ?? 'not installed');
  process.exit(p ? 0 : 1);
}
