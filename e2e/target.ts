/**
 * Which app the end-to-end specs drive: the Electron build where an Electron binary is installed,
 * otherwise the headless host (`tickscope serve`) in Debian's Chromium. TICKSCOPE_E2E=electron or
 * =browser forces one; TICKSCOPE_E2E_APP=EXECUTABLE drives a packaged app instead (the smoke test
 * of `npm run dist` in the GitHub workflow), which carries its app inside and takes no app folder.
 */
import { existsSync } from 'node:fs';
// @ts-expect-error: plain .mjs helper shared with scripts/start.mjs
import { electronBinary } from '../scripts/electron-binary.mjs';

export interface E2eTarget {
  name: 'electron' | 'chromium-host';
  electron: string | null;
  /** True for a packaged executable: launched without the repository as its app folder. */
  packaged: boolean;
  chromium: string;
}

export function e2eTarget(): E2eTarget {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const packagedApp = process.env.TICKSCOPE_E2E_APP;
  if (packagedApp) {
    if (!existsSync(packagedApp)) throw new Error(`TICKSCOPE_E2E_APP=${packagedApp}: no such executable`);
    return { name: 'electron', electron: packagedApp, packaged: true, chromium };
  }
  const forced = process.env.TICKSCOPE_E2E;
  const electron = forced === 'browser' ? null : (electronBinary() as string | null);
  if (forced === 'electron' && !electron)
    throw new Error(
      'TICKSCOPE_E2E=electron but no Electron binary is installed: run `npx install-electron --no` first',
    );
  if (!electron && !existsSync(chromium)) {
    throw new Error(
      `no Electron binary and no Chromium at ${chromium}: install Debian's chromium (see .ci/run)`,
    );
  }
  return { name: electron ? 'electron' : 'chromium-host', electron, packaged: false, chromium };
}
