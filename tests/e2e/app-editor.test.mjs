// Issue 5, features 1 and 2 (editor and diagram from pasted manifests): pasting the docs'
// files draws every endpoint in its namespace with the right verdicts; broken YAML shows a
// diagnostic at its line and the rest is still drawn; hostile input never freezes the page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointIds, hooks, openApp, reveal, screenshot, setupHarness, waitForApp, withApp } from './lib/harness.mjs';
import { POD1, POD2, POD3, closeInspector, docsFiles, dragArrow, paste } from './app-helpers.mjs';

const h = setupHarness();

test('pasting the docs files draws 7 endpoints in 4 namespaces, and arrows get the docs verdicts', async () => {
  await withApp(h, '?example=allow-dns', async (app) => {
    const { page } = app;
    await hooks.editor(page).fill(await docsFiles());
    await hooks.endpoint(page, POD3).first().waitFor();
    const ids = await endpointIds(page);
    const pods = ids.filter((id) => !id.startsWith('ip:'));
    assert.deepEqual(pods, [
      'kube-system/kube-dns',
      'system-ingress/ingress-nginx',
      POD1,
      POD2,
      POD3,
    ]);
    const namespaces = await page.locator('[data-namespace]').evaluateAll((els) => els.map((e) => e.dataset.namespace).sort());
    assert.deepEqual(namespaces, ['kube-system', 'system-ingress', 'team-one-namespace', 'team-two-namespace']);
    // Every pod sits inside its namespace box.
    for (const id of pods) {
      const node = await hooks.endpoint(page, id).first().boundingBox();
      const box = await page.locator(`[data-namespace="${id.split('/')[0]}"] .ns-box`).boundingBox();
      assert.ok(node.x >= box.x && node.y >= box.y && node.x + node.width <= box.x + box.width + 1 && node.y + node.height <= box.y + box.height + 1, `${id} inside its namespace`);
    }

    // The docs' table, as arrows: pod-1 -> pod-2 is allowed by the manifests, pod-1 -> pod-3
    // is not (it is allowed only once the generated policies are applied).
    await dragArrow(page, POD1, POD2);
    await dragArrow(page, POD1, POD3);
    await dragArrow(page, POD2, POD3);
    const a12 = hooks.arrow(page, POD1, POD2);
    const a13 = hooks.arrow(page, POD1, POD3);
    const a23 = hooks.arrow(page, POD2, POD3);
    await a13.waitFor();
    assert.equal(await a12.getAttribute('data-verdict-manifests'), 'allowed');
    assert.equal(await a13.getAttribute('data-verdict-manifests'), 'denied');
    assert.equal(await a23.getAttribute('data-verdict-manifests'), 'allowed');
    for (const a of [a12, a13, a23]) assert.equal(await a.getAttribute('data-verdict'), 'allowed');

    // The blocked arrow's reason is one click away.
    await closeInspector(page);
    await a13.locator('.edge-hit').click({ force: true });
    const inspector = page.locator('.inspector');
    await inspector.waitFor();
    const text = await inspector.innerText();
    assert.match(text, /Blocked by the manifests/);
    assert.match(text, /pod-1-netpol/);
    assert.match(text, /podSelector wants/);
    await screenshot(page, 'app-docs-pasted-arrows');
  });
});

test('broken YAML: a diagnostic at the right line, a marker in the gutter, the rest still drawn', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    const good = await hooks.editor(page).inputValue();
    // Break the first document (a Namespace) with an unclosed flow sequence on line 13.
    const lines = good.split('\n');
    const at = lines.findIndex((l) => l.startsWith('metadata:'));
    lines.splice(at + 1, 0, '  bad: [oops');
    const broken = lines.join('\n');
    await hooks.editor(page).fill(broken);
    const badLine = at + 2;

    await reveal(page, hooks.diagnostics(page), 'Diagnostics');
    const first = hooks.diagnostics(page).getByRole('listitem').first();
    await first.waitFor();
    const items = await hooks.diagnostics(page).getByRole('listitem').allInnerTexts();
    assert.ok(items.some((t) => /NP100/.test(t)), `a YAML syntax diagnostic in ${JSON.stringify(items)}`);
    const lineNumbers = items.flatMap((t) => [...t.matchAll(/line (\d+)/g)].map((m) => Number(m[1])));
    assert.ok(lineNumbers.some((n) => Math.abs(n - badLine) <= 1), `near line ${badLine}: ${lineNumbers}`);

    // A marker in the gutter at that line, with the message for hover and focus.
    const marker = page.locator('.gutter .mk-error').first();
    await marker.waitFor();
    const markerLine = Number((await marker.getAttribute('aria-label')).match(/line (\d+)/)[1]);
    assert.ok(Math.abs(markerLine - badLine) <= 1, `marker at ${markerLine}, broken line ${badLine}`);

    // The other documents still load: the pods are still drawn.
    for (const id of [POD1, POD2, POD3]) await hooks.endpoint(page, id).first().waitFor();

    // Clicking the diagnostic selects its line in the editor.
    await first.getByRole('button').click();
    const selected = await hooks.editor(page).evaluate((ta) => ta.value.slice(0, ta.selectionStart).split('\n').length);
    assert.ok(Math.abs(selected - badLine) <= 1, `editor at line ${selected}`);
    // The text was not rewritten.
    assert.equal(await hooks.editor(page).inputValue(), broken);
    await screenshot(page, 'app-broken-yaml');
  });
});

test('garbage, a 5 MB paste and deeply nested YAML leave the page responsive and say what is wrong', async () => {
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    await waitForApp(page);
    const editor = hooks.editor(page);

    await editor.fill('\u0000\u0001 :: ][ }{ --- !!binary ***\n'.repeat(50));
    await reveal(page, hooks.diagnostics(page), 'Diagnostics');
    await hooks.diagnostics(page).getByRole('listitem').first().waitFor();

    const nested = '['.repeat(5000) + ']'.repeat(5000);
    let t0 = Date.now();
    await editor.fill(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: ${nested}\n`);
    await hooks.diagnostics(page).getByRole('listitem').first().waitFor();
    const deepMs = Date.now() - t0;

    const mapNested = Array.from({ length: 1000 }, (_, i) => ' '.repeat(i) + 'a:').join('\n');
    await paste(page, mapNested);
    await hooks.diagnostics(page).getByRole('listitem').first().waitFor();

    // A 5 MB paste (one input event, as a real paste is) is refused with a message.
    const before = await editor.inputValue();
    const big = '# filler line to make the paste large\n'.repeat(Math.ceil((5 * 1024 * 1024) / 38));
    t0 = Date.now();
    await paste(page, big);
    await page.getByRole('alert').filter({ hasText: /the editor takes at most/ }).waitFor();
    const bigMs = Date.now() - t0;
    assert.equal(await editor.inputValue(), before, 'the editor keeps its text');
    // Still responsive: a click answers.
    t0 = Date.now();
    await page.getByRole('tab', { name: /^Truth table/ }).click();
    const clickMs = Date.now() - t0;
    assert.ok(clickMs < 3000, `a click after a 5 MB paste took ${clickMs} ms`);
    console.log(`deep nesting: ${deepMs} ms, 5 MB paste: ${bigMs} ms, next click: ${clickMs} ms`);

    // And it recovers.
    await editor.fill(await docsFiles());
    await hooks.endpoint(page, POD1).first().waitFor();
    assert.deepEqual(app.problems.filter((p) => !/not saved/.test(p)), []);
  } finally {
    await app.close();
  }
});

test('opening files appends them as documents, without touching what was typed', async () => {
  const app = await openApp(h, '?example=deny-all-egress');
  try {
    const { page } = app;
    await waitForApp(page);
    const before = await hooks.editor(page).inputValue();
    await page.locator('.editor-pane input[type="file"]').setInputFiles([
      { name: 'extra.yaml', mimeType: 'text/yaml', buffer: Buffer.from('apiVersion: v1\nkind: Pod\nmetadata: {name: late, namespace: batch, labels: {app: late}}\n') },
    ]);
    await hooks.endpoint(page, 'batch/late').waitFor();
    const after = await hooks.editor(page).inputValue();
    assert.ok(after.startsWith(before), 'the earlier text is kept as it was');
    assert.match(after, /---\n# file: extra.yaml\napiVersion: v1/);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});
