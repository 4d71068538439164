// Shared helpers for the end-to-end tests (node --test + playwright-core).
//
// - startServer(): a static server on a free 127.0.0.1 port serving the release build in dist/
//   at "/" and again under SUB_PATH ("/tools/netpol/"), to prove the site works from a sub-path.
// - launchBrowser(): Debian's /usr/bin/chromium, headless (never a downloaded browser).
// - setupHarness(): registers before/after hooks that start both and shut them down.
// - openApp(): a fresh browser context (empty storage) and page that records console errors,
//   page errors and failed requests, then navigates.
// - screenshot(): writes tests/e2e/out/<name>.png (git-ignored) for a person to look at.
//
// Environment: DIST (default: <repo>/dist), CHROMIUM (default: /usr/bin/chromium),
// E2E_TIMEOUT_MS (default 20000).

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
export const E2E_DIR = resolve(here, '..');
export const REPO_DIR = resolve(E2E_DIR, '..', '..');
export const DIST_DIR = resolve(process.env.DIST ?? join(REPO_DIR, 'dist'));
export const OUT_DIR = join(E2E_DIR, 'out');
export const SUB_PATH = '/tools/netpol/';
export const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 20000);

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves `root` (default dist/) at "/" and at SUB_PATH on a free port of 127.0.0.1.
 * Directories serve their index.html; a directory without its trailing slash redirects, as
 * static hosts do, so the build's relative asset URLs resolve.
 * @returns {Promise<{origin: string, url: (path?: string, base?: string) => string, requests: string[], close: () => Promise<void>}>}
 */
export async function startServer({ root = DIST_DIR, prefixes = ['/', SUB_PATH] } = {}) {
  try {
    await stat(join(root, 'index.html'));
  } catch {
    throw new Error(`${root}/index.html not found: build the site first (trunk build --release)`);
  }
  const requests = [];
  const bases = [...prefixes].sort((a, b) => b.length - a.length); // longest prefix first
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const send = (status, body = '', headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    if (prefixes.includes(path + '/')) return send(301, '', { location: path + '/' });
    const base = bases.find((b) => path.startsWith(b));
    if (!base) return send(404, 'not found');
    const rel = normalize(path.slice(base.length));
    let file = resolve(root, '.' + sep + rel);
    if (file !== root && !file.startsWith(root + sep)) return send(403, 'forbidden');
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        if (!path.endsWith('/')) return send(301, '', { location: path + '/' });
        file = join(file, 'index.html');
        info = await stat(file);
      }
      res.writeHead(200, {
        'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-store',
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch {
      send(404, 'not found');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    requests,
    url: (path = '', base = '/') => origin + base + path.replace(/^\//, ''),
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

/** Launches Debian's Chromium headless. Playwright gives each launch a fresh temporary profile. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  try {
    await stat(executablePath);
  } catch {
    throw new Error(`${executablePath} not found: run scripts/setup.sh --browser (apt chromium)`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
}

/**
 * Starts the server and the browser before the file's tests and stops both after them.
 * Use the returned object's `server` and `browser` inside tests.
 */
export function setupHarness() {
  const h = { server: /** @type {any} */ (null), browser: /** @type {any} */ (null) };
  before(async () => {
    h.server = await startServer();
    h.browser = await launchBrowser();
  });
  after(async () => {
    await h.browser?.close().catch(() => {});
    await h.server?.close();
  });
  return h;
}

/**
 * Opens `path` (relative to `base`, e.g. "?example=docs") in a new context with empty storage.
 * `colorScheme` ('light' or 'dark') is what the page's prefers-color-scheme reports, so the
 * app's "system" theme follows it. `problems` collects console errors, uncaught page errors
 * and failed requests (status >= 400), each as a string. `beforeNavigation(page)` runs before
 * the page is opened (to listen to its requests). Close the context when done (`await app.close()`).
 */
export async function openApp(
  h,
  path = '',
  { base = '/', viewport = { width: 1280, height: 800 }, colorScheme = 'light', beforeNavigation } = {},
) {
  const context = await h.browser.newContext({ viewport, colorScheme });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  if (beforeNavigation) await beforeNavigation(page);
  await page.goto(h.server.url(path, base), { waitUntil: 'load' });
  return { page, context, problems, close: () => context.close() };
}

/**
 * The skeleton of most tests: opens `path` (as openApp, with its `options`), waits until the
 * app is up (waitForApp), runs `body(app)`, then checks that nothing went wrong on the page
 * (no console error, page error or failed request) and closes it, also when `body` throws.
 * Returns what `body` returns.
 */
export async function withApp(h, path, options, body) {
  if (typeof options === 'function') [options, body] = [{}, options];
  const app = await openApp(h, path, options);
  try {
    await waitForApp(app.page);
    const result = await body(app);
    assert.deepEqual(app.problems, [], 'no console errors, page errors or failed requests');
    return result;
  } finally {
    await app.close();
  }
}

/** The stable hooks the app promises (see crates/web). */
export const hooks = {
  editor: (page) => page.getByRole('textbox', { name: 'Manifests', exact: true }),
  endpoint: (page, id) => page.locator(`[data-endpoint="${id}"]`),
  endpoints: (page) => page.locator('[data-endpoint]'),
  arrow: (page, from, to) => page.locator(`[data-from="${from}"][data-to="${to}"][data-verdict]`),
  generated: (page) => page.getByLabel('Generated policies', { exact: true }),
  diagnostics: (page) => page.getByRole('list', { name: 'Diagnostics', exact: true }),
};

/**
 * Brings a pane forward: when `locator` is not visible and a tab whose name starts with
 * `tabName` exists (the output panes are tabs), clicks that tab, then waits for `state`
 * ('attached' for a pane that may be empty). Returns `locator`.
 */
export async function reveal(page, locator, tabName, state = 'visible') {
  if (!(await locator.first().isVisible())) {
    const tab = page.getByRole('tab', { name: new RegExp(`^${tabName}`) });
    if ((await tab.count()) > 0) await tab.first().click();
  }
  await locator.first().waitFor({ state });
  return locator;
}

/** Waits until the app is up: the editor is visible and nothing is being fetched (an example). */
export async function waitForApp(page) {
  await hooks.editor(page).waitFor({ state: 'visible' });
  await page.locator('.app:not([aria-busy="true"])').waitFor({ state: 'attached' });
}

/** The sorted `data-endpoint` values on the page. */
export async function endpointIds(page) {
  const ids = await hooks.endpoints(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-endpoint')));
  return [...new Set(ids)].sort();
}

/** Saves a full-page PNG to tests/e2e/out/<name>.png and returns its path. */
export async function screenshot(page, name) {
  await mkdir(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
