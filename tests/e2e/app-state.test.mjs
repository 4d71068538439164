// Issue 5, features 5 and 6 (examples and state) and issue 6's embed mode: reload keeps the
// work; a share link reproduces it in a fresh browser context; a damaged or hostile link
// says so and loads nothing; switching examples asks before discarding work; ?embed=1 fits
// a 600x400 iframe with no scrollbar and links back to the playground with the same state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { endpointIds, hooks, openApp, screenshot, setupHarness, waitForApp, withApp } from './lib/harness.mjs';
import { POD1, POD2, dragArrow } from './app-helpers.mjs';

const h = setupHarness();

const EXTRA = `---
apiVersion: v1
kind: Pod
metadata:
  name: cache
  namespace: team-two-namespace
  labels:
    app: cache
`;

test('a first visit shows the docs example; reload keeps edits, drawings and options', async () => {
  await withApp(h, '', async (app) => {
    const { page } = app;
    await hooks.endpoint(page, POD1).first().waitFor();
    const editor = hooks.editor(page);
    await editor.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(EXTRA);
    await hooks.endpoint(page, 'team-two-namespace/cache').waitFor();
    await dragArrow(page, POD1, POD2);
    await hooks.arrow(page, POD1, POD2).waitFor();
    await page.getByRole('tab', { name: /^Generated/ }).click();
    await page.getByLabel('Baseline', { exact: true }).selectOption('deny-all');
    const text = await editor.inputValue();
    const yaml = await hooks.generated(page).textContent();
    assert.match(yaml, /default-deny/);

    await page.reload();
    await waitForApp(page);
    await hooks.arrow(page, POD1, POD2).waitFor();
    assert.equal(await hooks.editor(page).inputValue(), text);
    await hooks.endpoint(page, 'team-two-namespace/cache').waitFor();
    assert.equal(await page.getByLabel('Baseline', { exact: true }).inputValue(), 'deny-all');
    assert.equal(await hooks.generated(page).textContent(), yaml);
  });
});

test('a share link reproduces the workspace in a fresh browser context', async () => {
  const app = await openApp(h, '?example=docs');
  let link;
  let want;
  try {
    const { page } = app;
    await waitForApp(page);
    const editor = hooks.editor(page);
    await editor.fill((await editor.inputValue()) + EXTRA);
    await hooks.endpoint(page, 'team-two-namespace/cache').waitFor();
    await dragArrow(page, POD1, 'team-two-namespace/cache');
    await hooks.arrow(page, POD1, 'team-two-namespace/cache').waitFor();
    want = {
      text: await editor.inputValue(),
      ids: await endpointIds(page),
      yaml: await hooks.generated(page).textContent(),
    };
    await page.getByRole('button', { name: 'Share' }).click();
    link = await page.getByLabel('Share link', { exact: true }).inputValue();
    assert.match(link, /#s=[A-Za-z0-9_-]+$/);
  } finally {
    await app.close();
  }
  // A new context has empty storage: only the link carries the state.
  const other = await openApp(h, link.replace(h.server.origin + '/', ''));
  try {
    const { page } = other;
    await waitForApp(page);
    await hooks.arrow(page, POD1, 'team-two-namespace/cache').waitFor();
    assert.equal(await hooks.editor(page).inputValue(), want.text);
    assert.deepEqual(await endpointIds(page), want.ids);
    assert.equal(await hooks.generated(page).textContent(), want.yaml);
    // The one-shot fragment is gone from the URL; the work is now saved locally.
    assert.doesNotMatch(page.url(), /#s=/);
    assert.deepEqual(other.problems, []);
  } finally {
    await other.close();
  }
});

test('a damaged, hostile or oversized link says so and loads nothing from it', async () => {
  const b64 = (buf) => Buffer.from(buf).toString('base64url');
  const cases = [
    ['#s=not*base64!', /damaged/],
    ['#s=' + b64('plain text, not deflate'), /damaged|unpack/],
    ['#s=' + b64(deflateRawSync(Buffer.alloc(40 * 1024 * 1024, 32))), /damaged|too large/],
    ['#s=' + b64(deflateRawSync('{"v":99}')), /newer playground/],
    ['#s=' + b64(deflateRawSync('{"v":1,"manifests":' + '['.repeat(100000) + '}')), /does not hold/],
    ['#s=' + 'A'.repeat(600 * 1024), /too long/],
  ];
  for (const [hash, message] of cases) {
    const app = await openApp(h, hash);
    try {
      const { page } = app;
      await waitForApp(page);
      const alert = page.getByRole('alert').filter({ hasText: message });
      await alert.first().waitFor();
      assert.match(await alert.first().innerText(), /nothing was loaded/);
      // What shows is the default workspace (the docs example), not anything from the link.
      await hooks.endpoint(page, POD1).first().waitFor();
      assert.deepEqual(app.problems, [], hash.slice(0, 40));
    } finally {
      await app.close();
    }
  }
});

test('loading an example asks before discarding unsaved work', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    // Unchanged work switches at once.
    await page.getByRole('button', { name: 'Examples' }).click();
    await page.getByRole('menuitem', { name: /Default deny/ }).click();
    await hooks.endpoint(page, 'shop/web').waitFor();

    // Changed work: a question first; Cancel keeps it.
    const editor = hooks.editor(page);
    await editor.fill((await editor.inputValue()) + '\n# my notes\n');
    await page.getByRole('button', { name: 'Examples' }).click();
    await page.getByRole('menuitem', { name: /Allow DNS/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Replace your work?' });
    await dialog.waitFor();
    await screenshot(page, 'app-confirm-example');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.match(await editor.inputValue(), /# my notes/);

    // Confirming replaces it.
    await page.getByRole('button', { name: 'Examples' }).click();
    await page.getByRole('menuitem', { name: /Allow DNS/ }).click();
    await dialog.getByRole('button', { name: 'Discard and load' }).click();
    await hooks.endpoint(page, 'app/frontend').waitFor();
    assert.doesNotMatch(await editor.inputValue(), /# my notes/);
  });
});

test('opening a link over unsaved work keeps that work, one click from coming back', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    const editor = hooks.editor(page);
    await editor.fill((await editor.inputValue()) + '\n# precious\n');
    await page.goto(h.server.url('?example=default-deny'));
    await waitForApp(page);
    await hooks.endpoint(page, 'shop/web').waitFor();
    await page.getByRole('button', { name: 'Restore previous work' }).click();
    await hooks.endpoint(page, POD1).first().waitFor();
    assert.match(await hooks.editor(page).inputValue(), /# precious/);
  });
});

test('embed mode fits a 600x400 iframe with no scrollbar, reacts, and opens in the playground', async () => {
  await withApp(h, '?example=docs', { viewport: { width: 900, height: 600 } }, async (app) => {
    const { page } = app;
    // A docs-like host page with the app in an iframe.
    const src = h.server.url('?embed=1&example=docs');
    await page.setContent(
      `<!doctype html><html><body style="font-family:sans-serif"><h1>Network policies</h1>` +
        `<iframe id="f" src="${src}" width="600" height="400" style="border:1px solid #ccc"></iframe></body></html>`,
    );
    const frame = page.frameLocator('#f');
    await frame.locator(`[data-endpoint="${POD1}"]`).first().waitFor();
    await frame.getByRole('textbox', { name: 'Manifests', exact: true }).waitFor();
    const handle = await page.$('#f');
    const inner = await handle.contentFrame();
    const overflow = await inner.evaluate(() => ({
      sw: document.documentElement.scrollWidth,
      sh: document.documentElement.scrollHeight,
      cw: document.documentElement.clientWidth,
      ch: document.documentElement.clientHeight,
    }));
    assert.ok(overflow.sw <= overflow.cw && overflow.sh <= overflow.ch, `no page scrollbar: ${JSON.stringify(overflow)}`);
    // It reacts: an edit redraws.
    await frame.getByRole('textbox', { name: 'Manifests', exact: true }).fill(
      'apiVersion: v1\nkind: Pod\nmetadata: {name: solo, namespace: demo, labels: {app: solo}}\n',
    );
    await frame.locator('[data-endpoint="demo/solo"]').waitFor();
    await page.screenshot({ path: new URL('./out/app-embed.png', import.meta.url).pathname });
    // "Open in playground" carries the same state.
    const href = await frame.getByRole('link', { name: /Open in playground/ }).getAttribute('href');
    assert.match(href, /#s=/);
    assert.doesNotMatch(href, /embed=1/);
    // (A new tab, as target=_blank opens: this page holds the host document.)
    const full = await app.context.newPage();
    await full.goto(href);
    await waitForApp(full);
    await hooks.endpoint(full, 'demo/solo').waitFor();
    await hooks.editor(full).waitFor();
  });
});
