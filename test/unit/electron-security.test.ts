/**
 * Electron's security checklist, checked statically where the Electron binary cannot run: the
 * window's web preferences, the hardening handlers, the IPC handlers' shape and the preload's one
 * API are read from their TypeScript syntax trees (the compiler API, not regular expressions);
 * the headers are read from real responses of the app:// handler and the headless host; the
 * built page is read as HTML.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseHtml } from 'parse5';
import ts from 'typescript';
import { IpcChannel } from '../../src/common/api.ts';
import { APP_SCHEME_PRIVILEGES, APP_URL, serveAppRequest } from '../../src/main/electron/app-request.ts';
import { ipcArgs } from '../../src/main/electron/ipc-rules.ts';
import { HttpHost } from '../../src/main/host/http-host.ts';
import { contentSecurityPolicy, securityHeaders } from '../../src/main/host/security-headers.ts';

const root = new URL('../../', import.meta.url);
const path = (rel: string): string => new URL(rel, root).pathname;

// ---- syntax-tree helpers -------------------------------------------------------------------

function parse(rel: string): ts.SourceFile {
  const kind = rel.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.createSourceFile(rel, readFileSync(path(rel), 'utf8'), ts.ScriptTarget.Latest, true, kind);
}

function descendants(node: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (n: ts.Node): void => {
    out.push(n);
    n.forEachChild(visit);
  };
  node.forEachChild(visit);
  return out;
}

function callsIn(node: ts.Node): ts.CallExpression[] {
  return descendants(node).filter(ts.isCallExpression);
}

/** `a.b.c(...)` → 'a.b.c'; `f(...)` → 'f'. */
function calleeText(call: ts.CallExpression): string {
  return call.expression.getText();
}

function stringArg(call: ts.CallExpression, i: number): string | undefined {
  const a = call.arguments[i];
  return a && ts.isStringLiteralLike(a) ? a.text : undefined;
}

type Fn = ts.ArrowFunction | ts.FunctionExpression;
function fnArg(call: ts.CallExpression, i: number): Fn {
  const a = call.arguments[i];
  assert.ok(a && (ts.isArrowFunction(a) || ts.isFunctionExpression(a)), `${call.getText()}: argument ${i}`);
  return a;
}

/** What a function can return: its expression body, or every return statement not in a nested function. */
function returnsOf(fn: Fn): ts.Expression[] {
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    n.forEachChild(visit);
  };
  fn.body.forEachChild(visit);
  return out;
}

function props(obj: ts.ObjectLiteralExpression): Map<string, ts.Expression> {
  const m = new Map<string, ts.Expression>();
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p)) m.set(p.name.getText(), p.initializer);
    else if (ts.isShorthandPropertyAssignment(p)) m.set(p.name.getText(), p.name);
    else if (ts.isMethodDeclaration(p)) m.set(p.name.getText(), p as unknown as ts.Expression);
  }
  return m;
}

function boolValue(e: ts.Expression | undefined): boolean | undefined {
  if (e?.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e?.kind === ts.SyntaxKind.FalseKeyword) return false;
  return undefined;
}

function srcFiles(dir: string): string[] {
  return readdirSync(path(dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(ts|tsx|mts)$/.test(d.name) && !d.name.endsWith('.d.ts'))
    .map((d) => join(d.parentPath, d.name).slice(path('').length));
}

const SRC = srcFiles('src').map(parse);

// ---- the window ------------------------------------------------------------------------------

test('window.ts: every security-relevant web preference is set, to the safe value', () => {
  const sf = parse('src/main/electron/window.ts');
  const windows = descendants(sf).filter(
    (n): n is ts.NewExpression => ts.isNewExpression(n) && n.expression.getText() === 'BrowserWindow',
  );
  assert.equal(windows.length, 1, 'one BrowserWindow');
  const options = windows[0]!.arguments?.[0];
  assert.ok(options && ts.isObjectLiteralExpression(options));
  const wp = props(options).get('webPreferences');
  assert.ok(wp && ts.isObjectLiteralExpression(wp), 'webPreferences is an object literal');
  const p = props(wp);
  const expected: Record<string, boolean> = {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
  };
  for (const [key, value] of Object.entries(expected))
    assert.equal(boolValue(p.get(key)), value, `webPreferences.${key} is the literal ${value}`);
  assert.equal(p.has('enableBlinkFeatures'), false, 'no enableBlinkFeatures');
  const disabled = p.get('disableBlinkFeatures');
  assert.ok(
    disabled && ts.isStringLiteralLike(disabled) && disabled.text === 'Auxclick',
    'Auxclick disabled',
  );
  assert.equal(p.get('preload')?.getText(), 'opts.preload', 'the preload is set');
  // The only page the window ever loads is the one it is given (app:// or the dev server).
  const loads = callsIn(sf).filter((c) => /\.(loadURL|loadFile)$/.test(calleeText(c)));
  assert.deepEqual(
    loads.map((c) => c.getText()),
    ['win.loadURL(opts.url)'],
  );
});

test('no file anywhere in src weakens a web preference, opens externally or relaxes Chromium', () => {
  const unsafe: Record<string, boolean> = {
    contextIsolation: false,
    sandbox: false,
    nodeIntegration: true,
    nodeIntegrationInWorker: true,
    nodeIntegrationInSubFrames: true,
    webSecurity: false,
    allowRunningInsecureContent: true,
    experimentalFeatures: true,
    webviewTag: true,
    bypassCSP: true,
  };
  const problems: string[] = [];
  for (const sf of SRC) {
    for (const n of descendants(sf)) {
      const where = `${sf.fileName}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
      if (ts.isPropertyAssignment(n)) {
        const key = n.name.getText();
        if (key in unsafe && boolValue(n.initializer) === unsafe[key])
          problems.push(`${where} ${n.getText()}`);
        if (key === 'enableBlinkFeatures') problems.push(`${where} enableBlinkFeatures`);
      }
      if (ts.isPropertyAccessExpression(n)) {
        const name = n.name.text;
        // openExternal: the app opens nothing outside itself (no link leaves the page).
        if (
          [
            'openExternal',
            'appendSwitch',
            'appendArgument',
            'setCertificateVerifyProc',
            'loadFile',
            'registerFileProtocol',
            'interceptFileProtocol',
          ].includes(name)
        )
          problems.push(`${where} ${n.getText()}`);
      }
      if (ts.isCallExpression(n) && /\.on$/.test(calleeText(n)) && stringArg(n, 0) === 'certificate-error')
        problems.push(`${where} a certificate-error handler`);
    }
  }
  assert.deepEqual(problems, []);
});

// ---- the main process ----------------------------------------------------------------------

test('index.ts: app.enableSandbox() and the app:// scheme before ready; hardening before the window', () => {
  const sf = parse('src/main/index.ts');
  const topLevel = sf.statements
    .filter(ts.isExpressionStatement)
    .map((s) => s.expression)
    .filter(ts.isCallExpression)
    .map(calleeText);
  assert.ok(topLevel.includes('app.enableSandbox'), 'app.enableSandbox() at top level');
  assert.ok(topLevel.includes('registerAppScheme'), 'registerAppScheme() at top level');
  const ready = sf.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === 'ready',
  );
  assert.ok(ready);
  const order = callsIn(ready).map(calleeText);
  const harden = order.indexOf('hardenSessions');
  const protocolAt = order.indexOf('handleAppProtocol');
  const window = order.indexOf('createMainWindow');
  assert.ok(harden >= 0 && protocolAt >= 0 && window > harden && window > protocolAt, order.join(', '));
  // The dev server's URL is honoured only in an unpackaged app.
  const devUrl = descendants(sf).find(
    (n): n is ts.VariableDeclaration => ts.isVariableDeclaration(n) && n.name.getText() === 'devUrl',
  );
  assert.match(devUrl?.initializer?.getText() ?? '', /^!app\.isPackaged \?/);
});

test('app:// is a secure standard scheme with no CSP bypass, service workers or CORS relaxation', () => {
  assert.deepEqual(APP_SCHEME_PRIVILEGES, {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    codeCache: true,
  });
  assert.equal(APP_URL, 'app://tickscope/index.html');
});

test('hardening.ts: navigation, redirects, frames, webviews and new windows are refused', () => {
  const sf = parse('src/main/electron/hardening.ts');
  const calls = callsIn(sf);
  const on = (event: string): Fn => {
    const c = calls.filter((c) => calleeText(c) === 'contents.on' && stringArg(c, 0) === event);
    assert.equal(c.length, 1, `one contents.on('${event}')`);
    return fnArg(c[0]!, 1);
  };
  const prevents = (fn: Fn): boolean => callsIn(fn).some((c) => /\.preventDefault$/.test(calleeText(c)));
  const checksOrigin = (fn: Fn): boolean => callsIn(fn).some((c) => calleeText(c) === 'isAllowedOrigin');
  for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
    const fn = on(event);
    assert.ok(prevents(fn) && checksOrigin(fn), `${event}: refused unless the origin is the app's`);
    // The URL is read from the event's details: the positional url argument is deprecated.
    assert.equal(fn.parameters.length, 1, `${event}: one parameter, the details`);
    const origin = callsIn(fn).find((c) => calleeText(c) === 'isAllowedOrigin')!;
    assert.equal(origin.arguments[0]!.getText(), 'details.url', `${event}: checks details.url`);
  }
  // Unconditional: preventDefault is a statement of the handler's body, not inside an if.
  for (const event of ['will-attach-webview', 'select-bluetooth-device']) {
    const fn = on(event);
    const body = ts.isBlock(fn.body) ? fn.body.statements.map((s) => s.getText()) : [fn.body.getText()];
    assert.ok(
      body.some((s) => /^event\.preventDefault\(\);?$/.test(s)),
      `${event}: always refused`,
    );
  }
  const open = calls.filter((c) => calleeText(c) === 'contents.setWindowOpenHandler');
  assert.equal(open.length, 1);
  const returns = returnsOf(fnArg(open[0]!, 0)).map((e) =>
    e
      .getText()
      .replace(/^\(|\)$/g, '')
      .replace(/\s+/g, ' '),
  );
  assert.deepEqual(returns, ["{ action: 'deny' }"], 'every window.open is denied');
});

test('hardening.ts: every permission, device, capture and download is refused, in every session', () => {
  const sf = parse('src/main/electron/hardening.ts');
  const calls = callsIn(sf);
  const handler = (name: string): Fn => {
    const c = calls.filter((c) => calleeText(c) === `ses.${name}`);
    assert.equal(c.length, 1, `one ses.${name}`);
    return fnArg(c[0]!, 0);
  };
  const callbackArgs = (fn: Fn): string[] =>
    callsIn(fn)
      .filter((c) => calleeText(c) === 'callback')
      .map((c) => c.arguments.map((a) => a.getText()).join(', '));
  assert.deepEqual(callbackArgs(handler('setPermissionRequestHandler')), ['false']);
  for (const name of ['setPermissionCheckHandler', 'setDevicePermissionHandler'])
    assert.deepEqual(
      returnsOf(handler(name)).map((e) => e.getText()),
      ['false'],
      `${name} always answers false`,
    );
  assert.deepEqual(callbackArgs(handler('setDisplayMediaRequestHandler')), ['null']);
  assert.deepEqual(callbackArgs(handler('setBluetoothPairingHandler')), ['{ confirmed: false }']);
  const sesOn = (event: string): Fn => {
    const c = calls.filter((c) => calleeText(c) === 'ses.on' && stringArg(c, 0) === event);
    assert.equal(c.length, 1, `one ses.on('${event}')`);
    return fnArg(c[0]!, 1);
  };
  for (const [event, cancel] of [
    ['select-hid-device', ''],
    ['select-serial-port', "''"],
    ['select-usb-device', ''],
  ] as const) {
    const fn = sesOn(event);
    assert.ok(
      callsIn(fn).some((c) => calleeText(c) === 'event.preventDefault'),
      event,
    );
    assert.deepEqual(callbackArgs(fn), [cancel], `${event}: answered with no device`);
  }
  assert.ok(callsIn(sesOn('will-download')).some((c) => calleeText(c) === 'event.preventDefault'));
  // Every session: the default one, every later one, and each web contents' own.
  const entry = sf.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === 'hardenSessions',
  );
  assert.ok(entry);
  const texts = callsIn(entry).map((c) => c.getText().replace(/\s+/g, ' '));
  assert.ok(texts.includes('hardenSession(session.defaultSession)'));
  assert.ok(texts.includes("app.on('session-created', hardenSession)"));
  assert.ok(texts.includes('hardenSession(contents.session)'));
  assert.ok(texts.includes('hardenContents(contents, allowedOrigins)'));
});

test('ipc.ts: every handler checks its sender first, then its whole argument list against its schema', () => {
  const sf = parse('src/main/electron/ipc.ts');
  const handles = callsIn(sf).filter((c) => calleeText(c) === 'ipcMain.handle');
  const seen: string[] = [];
  for (const h of handles) {
    const channel = h.arguments[0]?.getText() ?? '';
    const m = /^IpcChannel\.(\w+)$/.exec(channel);
    assert.ok(m, `${channel}: a named IpcChannel`);
    const key = m[1]!;
    seen.push(key);
    const fn = fnArg(h, 1);
    assert.deepEqual(
      fn.parameters.map((p) => `${p.dotDotDotToken ? '...' : ''}${p.name.getText()}`),
      ['event', '...args'],
      `${key}: (event, ...args) — no argument reaches the handler unchecked`,
    );
    assert.ok(ts.isBlock(fn.body));
    const [first, second] = fn.body.statements;
    assert.equal(first?.getText(), 'validateSender(event, deps.allowedOrigins);', `${key}: sender first`);
    const schemaCall = second && callsIn(second).find((c) => calleeText(c) === `ipcArgs.${key}`);
    assert.equal(schemaCall?.getText(), `ipcArgs.${key}(args)`, `${key}: its schema second`);
    const argsUses = descendants(fn.body).filter((n) => ts.isIdentifier(n) && n.text === 'args');
    assert.equal(argsUses.length, 1, `${key}: args is read only by its schema`);
  }
  assert.deepEqual(seen.sort(), Object.keys(ipcArgs).sort(), 'every invoke channel has its handler');
  // ipcMain is used nowhere else, and only through handle (no fire-and-forget listeners).
  for (const s of SRC) {
    for (const c of callsIn(s)) {
      const text = calleeText(c);
      if (!text.startsWith('ipcMain.')) continue;
      assert.equal(s.fileName, 'src/main/electron/ipc.ts', `${text} outside ipc.ts`);
      assert.equal(text, 'ipcMain.handle', `${text}: only ipcMain.handle`);
    }
  }
});

// ---- the preload ---------------------------------------------------------------------------

test('preload: one object on window.tickscope, exactly the documented API, never ipcRenderer itself', () => {
  const files = srcFiles('src/preload').map(parse);
  const exposes = files.flatMap((f) => callsIn(f).filter((c) => calleeText(c).startsWith('contextBridge.')));
  assert.equal(exposes.length, 1, 'one contextBridge call');
  const expose = exposes[0]!;
  assert.equal(calleeText(expose), 'contextBridge.exposeInMainWorld');
  assert.equal(stringArg(expose, 0), 'tickscope');
  const sf = expose.getSourceFile();
  const apiName = expose.arguments[1]?.getText();
  const decl = descendants(sf).find(
    (n): n is ts.VariableDeclaration => ts.isVariableDeclaration(n) && n.name.getText() === apiName,
  );
  assert.ok(decl?.initializer && ts.isObjectLiteralExpression(decl.initializer), 'an object literal');
  // The documented API: the members of TickscopeApi in src/common/api.ts.
  const apiTs = parse('src/common/api.ts');
  const iface = apiTs.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'TickscopeApi',
  );
  assert.ok(iface);
  const documented = iface.members.map((m) => m.name?.getText() ?? '').sort();
  assert.deepEqual([...props(decl.initializer).keys()].sort(), documented);
  // ipcRenderer is only ever called (invoke, and the one frame-port listener), never passed on.
  for (const f of files) {
    for (const id of descendants(f).filter((n) => ts.isIdentifier(n) && n.text === 'ipcRenderer')) {
      if (ts.isImportSpecifier(id.parent)) continue;
      const access = id.parent;
      assert.ok(ts.isPropertyAccessExpression(access) && access.expression === id, id.parent.getText());
      assert.ok(ts.isCallExpression(access.parent) && access.parent.expression === access);
      assert.ok(['invoke', 'on'].includes(access.name.text), `ipcRenderer.${access.name.text}`);
      if (access.name.text === 'on')
        assert.equal(access.parent.arguments[0]?.getText(), 'IpcChannel.framePort');
    }
  }
});

// ---- headers ---------------------------------------------------------------------------------

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

test('the production CSP: nothing inline, nothing remote, no frames, forms, plugins or base changes', () => {
  const d = directives(contentSecurityPolicy({ dev: false }));
  assert.deepEqual(d.get('default-src'), ["'none'"]);
  assert.deepEqual(d.get('script-src'), ["'self'"]);
  assert.deepEqual(d.get('style-src'), ["'self'"]);
  assert.deepEqual(d.get('connect-src'), ["'self'"]);
  assert.deepEqual(d.get('worker-src'), ["'self'"]);
  assert.deepEqual(d.get('font-src'), ["'self'"]);
  for (const name of ['frame-ancestors', 'object-src', 'base-uri', 'form-action'])
    assert.deepEqual(d.get(name), ["'none'"], name);
  assert.equal(d.has('frame-src') || d.has('child-src'), false, 'frames fall back to default-src none');
  for (const [name, values] of d) {
    for (const v of values) {
      assert.doesNotMatch(v, /unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval/, `${name} ${v}`);
      assert.doesNotMatch(v, /^(https?:|ws:|wss:|\*|blob:)/, `${name} allows ${v}`);
    }
  }
  const h = securityHeaders({ dev: false });
  assert.equal(h['Cross-Origin-Opener-Policy'], 'same-origin');
  assert.equal(h['Cross-Origin-Embedder-Policy'], 'require-corp');
  assert.equal(h['Cross-Origin-Resource-Policy'], 'same-origin');
  assert.equal(h['X-Content-Type-Options'], 'nosniff');
  assert.equal(h['Referrer-Policy'], 'no-referrer');
  assert.match(h['Permissions-Policy'] ?? '', /(^|, )camera=\(\)/);
  assert.match(h['Permissions-Policy'] ?? '', /(^|, )microphone=\(\)/);
});

// A renderer folder with index.html and a secret beside it, served by both hosts.
const parent = mkdtempSync(join(tmpdir(), 'tickscope-security-'));
const rendererDir = join(parent, 'renderer');
mkdirSync(rendererDir);
const INDEX = '<!doctype html><title>t</title><script type="module" src="./a.js"></script>';
writeFileSync(join(rendererDir, 'index.html'), INDEX);
writeFileSync(join(parent, 'secret.txt'), 'secret');
let host: HttpHost;
before(async () => {
  host = await HttpHost.start({ port: 0, root: rendererDir, source: { addSink: () => () => {} } });
});
after(async () => {
  await host.close();
  rmSync(parent, { recursive: true, force: true });
});

function assertSecurityHeaders(res: Response, what: string): void {
  for (const [name, value] of Object.entries(securityHeaders({ dev: false })))
    assert.equal(res.headers.get(name), value, `${what}: ${name}`);
}

test('app:// serves index.html with exactly the security headers, and nothing off its host or folder', async () => {
  const index = await serveAppRequest(rendererDir, new Request(APP_URL));
  assert.equal(index.status, 200);
  assertSecurityHeaders(index, 'app:// index.html');
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(await index.text(), INDEX);
  for (const [url, status] of [
    ['app://tickscope/missing.js', 404],
    ['app://tickscope/../secret.txt', 404],
    ['app://tickscope/%2e%2e/secret.txt', 404],
    ['app://evil/index.html', 404],
  ] as const) {
    const res = await serveAppRequest(rendererDir, new Request(url));
    assert.equal(res.status, status, url);
    assertSecurityHeaders(res, url);
    assert.notEqual(await res.text(), 'secret');
  }
  const post = await serveAppRequest(rendererDir, new Request(APP_URL, { method: 'POST', body: 'x' }));
  assert.equal(post.status, 405);
  assertSecurityHeaders(post, 'app:// POST');
});

test('the headless host serves index.html with the same security headers as app://', async () => {
  const res = await fetch(host.url);
  assert.equal(res.status, 200);
  assertSecurityHeaders(res, 'host index.html');
  assert.equal(await res.text(), INDEX);
});

// ---- the built page --------------------------------------------------------------------------

interface HtmlNode {
  nodeName: string;
  attrs?: { name: string; value: string }[];
  childNodes?: HtmlNode[];
  value?: string;
}

test('the page: no inline script or style, no inline handlers, nothing loaded from elsewhere', () => {
  const built = path('out/renderer/index.html');
  const file = existsSync(built) ? built : path('src/renderer/index.html');
  const doc = parseHtml(readFileSync(file, 'utf8')) as unknown as HtmlNode;
  const elements: HtmlNode[] = [];
  const walk = (n: HtmlNode): void => {
    if (n.attrs) elements.push(n);
    for (const c of n.childNodes ?? []) walk(c);
    // <template> content is not in childNodes.
    const content = (n as { content?: HtmlNode }).content;
    if (content) walk(content);
  };
  walk(doc);
  const remote = (url: string): boolean => /^(https?:|\/\/|ws:|wss:|data:text\/html)/i.test(url.trim());
  const attr = (n: HtmlNode, name: string): string | undefined =>
    n.attrs?.find((a) => a.name === name)?.value;
  let scripts = 0;
  for (const el of elements) {
    for (const a of el.attrs ?? [])
      assert.doesNotMatch(a.name, /^on/i, `${el.nodeName} has an inline handler ${a.name}`);
    for (const name of ['src', 'href'])
      if (attr(el, name) !== undefined)
        assert.equal(remote(attr(el, name)!), false, `${el.nodeName} ${name}=${attr(el, name)}`);
    if (el.nodeName === 'script') {
      scripts++;
      assert.ok(attr(el, 'src'), 'every script has a src');
      const text = (el.childNodes ?? []).map((c) => c.value ?? '').join('');
      assert.equal(text.trim(), '', 'no inline script');
    }
    assert.notEqual(el.nodeName, 'style', 'no inline <style>');
    assert.equal(attr(el, 'style'), undefined, `${el.nodeName}: no style attribute`);
    assert.ok(!['iframe', 'object', 'embed', 'webview', 'base'].includes(el.nodeName), el.nodeName);
    if (el.nodeName === 'meta') assert.notEqual(attr(el, 'http-equiv')?.toLowerCase(), 'refresh');
    if (el.nodeName === 'a') assert.notEqual(attr(el, 'target'), '_blank');
  }
  assert.ok(scripts >= 1, 'the page has its script');
  // The built styles load fonts and images from the app only.
  const assets = path('out/renderer/assets');
  if (existsSync(assets)) {
    for (const f of readdirSync(assets).filter((n) => n.endsWith('.css'))) {
      const css = readFileSync(join(assets, f), 'utf8');
      assert.doesNotMatch(css, /url\(\s*['"]?(https?:)?\/\//i, `${f} loads something remote`);
      assert.doesNotMatch(css, /@import\s/i, `${f} imports`);
    }
  }
});

test('the IPC channels are all prefixed, so nothing else can be mistaken for them', () => {
  for (const name of Object.values(IpcChannel)) assert.match(name, /^tickscope:[a-z-]+$/);
});
