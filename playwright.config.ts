/**
 * End-to-end tests. The same specs run against the Electron app where its binary is installed,
 * and against the headless host in Debian's Chromium where it is not (machines without internet
 * cannot download Electron). `e2e/fixtures.ts` picks the target; this file only names the project.
 */
import { defineConfig } from '@playwright/test';
import { e2eTarget } from './e2e/target.ts';

const target = e2eTarget();

export default defineConfig({
  testDir: './e2e',
  timeout: 60_000,
  expect: {
    timeout: 15_000,
    toHaveScreenshot: { maxDiffPixelRatio: 0.002, animations: 'disabled', caret: 'hide', scale: 'css' },
  },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  snapshotPathTemplate: '{testDir}/__screenshots__/{testFilePath}/{arg}-{projectName}{ext}',
  projects: [{ name: target.name }],
});
