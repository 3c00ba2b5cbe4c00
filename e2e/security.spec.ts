/**
 * The security checklist, end to end. In Electron: new windows, navigation away and permission
 * requests are refused by the main process (src/main/electron/hardening.ts), and the page sees
 * only `window.tickscope`. In the headless host in Chromium: what the served headers make the
 * browser enforce — the CSP refuses inline script, eval, foreign frames and form submissions,
 * frame-ancestors refuses embedding, the Permissions-Policy refuses devices — and, on both, no
 * Node in the page, no external link, cross-origin isolation.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const EXTERNAL = 'https://example.com/';

/** The documented API (TickscopeApi in src/common/api.ts): `transport` and these functions. */
const API_FUNCTIONS = [
  'appInfo',
  'feedCommand',
  'getConfig',
  'inspectSession',
  'requestFramePort',
  'revealExport',
  'sessionCommand',
  'sessions',
  'setConfig',
].sort();

/**
 * Appends an iframe or submits a form to `to` and resolves with the CSP violation it causes (null
 * if none within 3 s). The action is spelt out here, not passed as code: eval is refused.
 */
async function violationOf(
  page: Page,
  kind: 'frame' | 'form',
  to: string,
): Promise<{ directive: string; blocked: string } | null> {
  return page.evaluate(
    async ({ kind, to }) => {
      const seen = new Promise<{ directive: string; blocked: string } | null>((resolve) => {
        document.addEventListener(
          'securitypolicyviolation',
          (e) => resolve({ directive: e.effectiveDirective, blocked: e.blockedURI }),
          { once: true },
        );
        setTimeout(() => resolve(null), 3000);
      });
      if (kind === 'frame') {
        const f = document.createElement('iframe');
        f.src = to;
        document.body.append(f);
      } else {
        const f = document.createElement('form');
        f.method = 'post';
        f.action = to;
        document.body.append(f);
        f.submit();
      }
      return seen;
    },
    { kind, to },
  );
}

test('the page has no Node: no require, no process, no module', async ({ dashboard }) => {
  const { page } = dashboard;
  await expect(page.getByTestId('panel-throughput')).toBeVisible();
  expect(
    await page.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (globalThis as unknown as { process?: unknown }).process,
      module: typeof (globalThis as unknown as { module?: unknown }).module,
      buffer: typeof (globalThis as unknown as { Buffer?: unknown }).Buffer,
    })),
  ).toEqual({ require: 'undefined', process: 'undefined', module: 'undefined', buffer: 'undefined' });
});

test('the page is cross-origin isolated', async ({ dashboard }) => {
  expect(await dashboard.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
});

test('no link leaves the app and none opens a new window', async ({ dashboard }) => {
  const { page } = dashboard;
  await expect(page.getByTestId('panel-throughput')).toBeVisible();
  const links = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll<HTMLAnchorElement | HTMLAreaElement | HTMLFormElement>('a, area, form'),
    ).map((el) => ({
      url: el instanceof HTMLFormElement ? el.action : el.href,
      target: el.getAttribute('target'),
      sameOrigin:
        new URL(el instanceof HTMLFormElement ? el.action : el.href || location.href, location.href)
          .origin === location.origin,
    })),
  );
  for (const l of links) {
    expect(l.sameOrigin, l.url).toBe(true);
    expect(l.target, l.url).not.toBe('_blank');
  }
});

test('window.tickscope is exactly the documented API (Electron), and absent in a browser', async ({
  dashboard,
}) => {
  const { page, target } = dashboard;
  const api = await page.evaluate(() => {
    const t = (window as unknown as { tickscope?: Record<string, unknown> }).tickscope;
    if (t === undefined) return null;
    return {
      keys: Object.keys(t).sort(),
      functions: Object.keys(t)
        .filter((k) => typeof t[k] === 'function')
        .sort(),
      transport: t.transport,
    };
  });
  if (target === 'chromium-host') {
    expect(api).toBeNull();
    return;
  }
  expect(api).not.toBeNull();
  expect(api!.functions).toEqual(API_FUNCTIONS);
  expect(api!.keys).toEqual([...API_FUNCTIONS, 'transport'].sort());
  expect(api!.transport).toBe('electron');
});

test('permission requests are denied', async ({ dashboard }) => {
  const { page, target } = dashboard;
  await expect(page.getByTestId('panel-throughput')).toBeVisible();
  const result = await page.evaluate(async () => {
    const media = await navigator.mediaDevices?.getUserMedia({ video: true, audio: true }).then(
      () => 'granted',
      (e: Error) => e.name,
    );
    const geo = await new Promise<string>((resolve) =>
      navigator.geolocation.getCurrentPosition(
        () => resolve('granted'),
        (e) => resolve(e.code === e.PERMISSION_DENIED ? 'denied' : `error ${e.code}`),
        { timeout: 5000 },
      ),
    );
    const camera = await navigator.permissions.query({ name: 'camera' as PermissionName }).then(
      (s) => s.state,
      (e: Error) => e.name,
    );
    return { media, geo, camera };
  });
  // Without a camera, Chromium answers NotFoundError before it asks for permission; either way
  // nothing is granted, and the permission states below say why.
  expect(['NotAllowedError', 'NotFoundError']).toContain(result.media);
  expect(result.geo).toBe('denied');
  expect(result.camera).toBe('denied');
  if (target === 'electron') {
    // The permission request handler answers false to everything, notifications included.
    expect(await page.evaluate(() => Notification.requestPermission())).toBe('denied');
  }
});

test('Electron: window.open gets null and no window appears', async ({ dashboard }) => {
  test.skip(
    dashboard.target !== 'electron',
    'a browser tab may open windows; the refusal is the Electron main process (setWindowOpenHandler)',
  );
  const { page } = dashboard;
  const context = page.context();
  const before = context.pages().length;
  let opened = 0;
  context.on('page', () => opened++);
  expect(await page.evaluate((url) => window.open(url) === null, EXTERNAL)).toBe(true);
  expect(await page.evaluate(() => window.open('app://tickscope/index.html') === null)).toBe(true);
  // A middle click or a target=_blank link asks for a window the same way.
  await page.evaluate((url) => {
    const a = document.createElement('a');
    a.href = url;
    a.target = '_blank';
    a.textContent = 'external';
    a.id = 'security-test-link';
    document.body.append(a);
  }, EXTERNAL);
  await page.locator('#security-test-link').click();
  await page.waitForTimeout(1000);
  expect(opened).toBe(0);
  expect(context.pages().length).toBe(before);
});

test('Electron: navigation away from the app is refused; the page stays', async ({ dashboard }) => {
  test.skip(
    dashboard.target !== 'electron',
    'a browser tab may navigate anywhere; the refusal is the Electron main process (will-navigate)',
  );
  const { page, url } = dashboard;
  await expect(page.getByTestId('panel-throughput')).toBeVisible();
  await page.evaluate((to) => {
    location.href = to;
  }, EXTERNAL);
  await page.waitForTimeout(1000);
  expect(page.url()).toBe(url);
  await page.evaluate((to) => {
    const a = document.createElement('a');
    a.href = to;
    a.textContent = 'external';
    a.id = 'security-test-nav';
    document.body.append(a);
  }, EXTERNAL);
  await page.locator('#security-test-nav').click();
  await page.waitForTimeout(1000);
  expect(page.url()).toBe(url);
  await expect(page.getByTestId('panel-throughput')).toBeVisible();
});

test.describe('what the served headers make the browser enforce', () => {
  test('the CSP refuses an inline script and eval', async ({ dashboard }) => {
    const { page } = dashboard;
    await expect(page.getByTestId('panel-throughput')).toBeVisible();
    const v = await page.evaluate(async () => {
      const seen = new Promise<string>((resolve) =>
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), {
          once: true,
        }),
      );
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.append(s);
      return { directive: await seen, ran: (window as unknown as { __inlineRan?: boolean }).__inlineRan };
    });
    expect(v).toEqual({ directive: 'script-src-elem', ran: undefined });
    // Code evaluated by the test itself may eval (DevTools allows it), so the page's own code
    // does it: in a timer task, after the evaluation has returned control to the page.
    const evalResult = await page.evaluate(
      () =>
        new Promise<Record<string, string>>((resolve) => {
          const attempt = (f: () => unknown): string => {
            try {
              f();
              return 'ran';
            } catch (e) {
              return (e as Error).name;
            }
          };
          setTimeout(() =>
            resolve({
              // biome-ignore lint/security/noGlobalEval: the test is that the page's CSP refuses it
              eval: attempt(() => eval('1 + 1')),
              function: attempt(() => new Function('return 1')()),
            }),
          );
        }),
    );
    expect(evalResult).toEqual({ eval: 'EvalError', function: 'EvalError' });
  });

  test('the CSP refuses a frame from another origin and a form submission', async ({ dashboard }) => {
    const { page, url } = dashboard;
    await expect(page.getByTestId('panel-throughput')).toBeVisible();
    const frame = await violationOf(page, 'frame', EXTERNAL);
    expect(frame?.directive).toBe('frame-src');
    const form = await violationOf(page, 'form', EXTERNAL);
    expect(form?.directive).toBe('form-action');
    await page.waitForTimeout(500);
    expect(page.url()).toBe(url);
  });

  test('frame-ancestors refuses embedding the dashboard in another page', async ({ dashboard }) => {
    test.skip(dashboard.target !== 'chromium-host', 'app:// pages cannot be framed from a web origin at all');
    const { page, url } = dashboard;
    const context = page.context();
    const embedder = 'http://embedder.test/';
    await context.route(embedder, (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!doctype html><iframe src="${url}"></iframe>` }),
    );
    const outer = await context.newPage();
    await outer.goto(embedder);
    // The embedder has no COEP, so CORP does not apply to the frame: only frame-ancestors refuses
    // it, and Chromium shows its error page in the frame instead of the dashboard.
    const inner = () => outer.frames().find((f) => f !== outer.mainFrame());
    await expect.poll(() => inner()?.url(), { timeout: 10_000 }).toMatch(/^chrome-error:/);
    expect(await inner()!.evaluate(() => document.getElementById('root') === null)).toBe(true);
    await outer.close();
  });
});
