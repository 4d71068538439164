// Foundation checks against the release build in dist/: the page loads cleanly, the docs'
// example renders and arrows drawn on it get the docs' verdicts, editing the manifests
// changes the page, the site works from a sub-path, and a screenshot is saved in
// tests/e2e/out/ for a person to look at.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import {
  SUB_PATH,
  endpointIds,
  hooks,
  openApp,
  reveal,
  screenshot,
  setupHarness,
  waitForApp,
} from './lib/harness.mjs';
import { dragArrow } from './app-helpers.mjs';

const h = setupHarness();

/** The pods on the page (endpoints other than outside addresses such as `ip:8.8.8.8`). */
const podIds = async (page) => (await endpointIds(page)).filter((id) => !id.startsWith('ip:'));

const DOCS_PODS = ['team-one-namespace/pod-1', 'team-one-namespace/pod-2', 'team-two-namespace/pod-3'];

const TWO_PODS = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: demo
  labels: {app: web}
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: demo
  labels: {app: db}
`;

test('the docs example loads with no console errors and renders', async () => {
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    await waitForApp(page);
    for (const id of DOCS_PODS) await hooks.endpoint(page, id).first().waitFor();
    const ids = await endpointIds(page);
    for (const id of DOCS_PODS) assert.ok(ids.includes(id), `node ${id} in ${JSON.stringify(ids)}`);

    // Arrows drawn with the pointer agree with the docs' table: on the manifests alone, pod-1
    // may reach pod-2 but not pod-3; the policies generated for the pod-3 arrow allow it.
    const [pod1, pod2, pod3] = DOCS_PODS;
    await dragArrow(page, pod1, pod2);
    await dragArrow(page, pod1, pod3);
    const verdicts = async (from, to) => {
      const arrow = hooks.arrow(page, from, to);
      await arrow.waitFor();
      return [await arrow.getAttribute('data-verdict-manifests'), await arrow.getAttribute('data-verdict')];
    };
    assert.deepEqual(await verdicts(pod1, pod2), ['allowed', 'allowed'], 'pod-1 -> pod-2: manifests, with generated');
    assert.deepEqual(await verdicts(pod1, pod3), ['denied', 'allowed'], 'pod-1 -> pod-3: manifests, with generated');

    await reveal(page, hooks.generated(page), 'Generated', 'attached');
    const editorText = await hooks.editor(page).inputValue();
    assert.match(editorText, /kind: NetworkPolicy/, 'the editor holds the example manifests');

    const png = await screenshot(page, 'docs-example');
    assert.ok((await stat(png)).size > 1000, `${png} was written`);
    assert.deepEqual(app.problems, [], 'no console errors, page errors or failed requests');
  } finally {
    await app.close();
  }
});

test('typing in the editor changes what the page shows', async () => {
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    await waitForApp(page);
    await hooks.endpoint(page, 'team-one-namespace/pod-1').first().waitFor();

    const editor = hooks.editor(page);
    await editor.fill(TWO_PODS);
    await hooks.endpoint(page, 'demo/web').first().waitFor();
    await hooks.endpoint(page, 'team-one-namespace/pod-1').first().waitFor({ state: 'detached' });
    assert.deepEqual(await podIds(page), ['demo/db', 'demo/web']);

    // Real key presses at the end of the text add a third pod.
    await editor.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('---\napiVersion: v1\nkind: Pod\nmetadata: {name: cache, namespace: demo}\n');
    await hooks.endpoint(page, 'demo/cache').first().waitFor();
    assert.deepEqual(await podIds(page), ['demo/cache', 'demo/db', 'demo/web']);

    // Broken YAML shows up in the diagnostics list.
    await editor.fill('apiVersion: v1\nkind: Pod\nmetadata: [\n');
    await reveal(page, hooks.diagnostics(page), 'Diagnostics');
    await hooks.diagnostics(page).getByRole('listitem').first().waitFor();

    await screenshot(page, 'edited');
    assert.deepEqual(app.problems, [], 'no console errors, page errors or failed requests');
  } finally {
    await app.close();
  }
});

test(`the site works from a sub-path (${SUB_PATH}) and shows the docs example by default`, async () => {
  const seen = h.server.requests.length;
  const app = await openApp(h, '', { base: SUB_PATH });
  try {
    const { page } = app;
    await waitForApp(page);
    for (const id of DOCS_PODS) await hooks.endpoint(page, id).first().waitFor();
    const outside = h.server.requests.slice(seen).filter((p) => p !== '/favicon.ico' && !p.startsWith(SUB_PATH));
    assert.deepEqual(outside, [], 'every request stays under the sub-path');
    assert.deepEqual(app.problems, [], 'no console errors, page errors or failed requests');
  } finally {
    await app.close();
  }
});
