// Issue 11, items 1 and 2: the forms apply the API server's name and label rules (the
// engine's), and a drawn object the API server would reject, arriving by a link, is
// reported in the Diagnostics tab instead of silently making a generated policy vanish.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { hooks, reveal, screenshot, setupHarness, withApp } from './lib/harness.mjs';

const h = setupHarness();

async function setTheme(page, theme) {
  await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
  // Colours change with a short transition: let it end before the screenshot.
  await page.waitForTimeout(400);
}

test('the pod form refuses a label key the loader refuses, and says what a key is', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Pod', exact: true }).click();
    await page.getByLabel('Namespace', { exact: true }).selectOption('team-one-namespace');
    await page.getByLabel('Name', { exact: true }).fill('api');
    // The prefix `-a.b` is no DNS subdomain: kubectl refuses this pod.
    await page.getByLabel('Labels', { exact: true }).fill('-a.b/x=1');
    await page.getByRole('button', { name: 'Add pod' }).click();
    const error = page.locator('.modal .field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /`-a\.b\/x` is not a valid label key: a label key is `\[prefix\/\]name`/);
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `app-form-label-error-${theme}`);
    }
    // A pod name is a DNS subdomain, as for kubectl: dots are fine, capitals are not.
    await page.getByLabel('Labels', { exact: true }).fill('app=api');
    await page.getByLabel('Name', { exact: true }).fill('Api');
    await page.getByRole('button', { name: 'Add pod' }).click();
    await page.locator('.modal .field-error').filter({ hasText: /`Api` is not a valid Pod name/ }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('api.v2');
    await page.getByRole('button', { name: 'Add pod' }).click();
    await hooks.endpoint(page, 'team-one-namespace/api.v2').first().waitFor();
  });
});

test('a drawn pod the API server would reject is listed in the Diagnostics tab', async () => {
  const state = {
    v: 1,
    namespaces: [{ name: 'shop' }],
    pods: [
      { namespace: 'shop', name: 'web', labels: { '-a.b/x': '1' } },
      { namespace: 'shop', name: 'db', labels: { app: 'db' } },
    ],
    arrows: ['shop/db -> shop/web'],
  };
  const hash = '#s=' + deflateRawSync(JSON.stringify(state)).toString('base64url');
  await withApp(h, hash, async (app) => {
    const { page } = app;
    const list = await reveal(page, hooks.diagnostics(page), 'Diagnostics');
    const item = list.locator('li').filter({ hasText: 'drawn pod `shop/web` is left out' });
    await item.waitFor();
    assert.match(await item.innerText(), /`-a\.b\/x` is not a valid label key/);
    assert.match(await item.innerText(), /drawn on the diagram/);
    // It has no line in the editor to jump to.
    assert.equal(await item.locator('button').count(), 0);
    // The pod is left out of the diagram, and the arrow to it says so rather than vanishing.
    await hooks.endpoint(page, 'shop/db').first().waitFor();
    assert.equal(await hooks.endpoint(page, 'shop/web').count(), 0);
    await list.locator('li').filter({ hasText: 'arrow shop/db → shop/web: an end no longer exists' }).waitFor();
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `app-drawn-diagnostics-${theme}`);
    }
  });
});
