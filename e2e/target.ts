/**
 * Which app the end-to-end specs drive: the Electron build where an Electron binary is installed,
 * otherwise the headless host (`tickscope serve`) in Debian's Chromium. TICKSCOPE_E2E=electron or
 * =browser forces one.
 */
import { existsSync } from 'node:fs';
// @ts-expect-error: plain .mjs helper shared with scripts/start.mjs
import { electronBinary } from '../scripts/electron-binary.mjs';

export interface E2eTarget {
  name: 'electron' | 'chromium-host';
  electron: string | null;
  chromium: string;
}

export function e2eTarget(): E2eTarget {
  const forced = process.env.TICKSCOPE_E2E;
  const electron = forced === 'browser' ? null : (electronBinary() as string | null);
  if (forced === 'electron' && !electron)
    throw new Error('TICKSCOPE_E2E=electron but no Electron binary is installed');
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!electron && !existsSync(chromium)) {
    throw new Error(
      `no Electron binary and no Chromium at ${chromium}: install Debian's chromium (see .ci/run)`,
    );
  }
  return { name: electron ? 'electron' : 'chromium-host', electron, chromium };
}
