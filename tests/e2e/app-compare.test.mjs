// Issue 13, item 3: Compare in the playground. A snapshot of the docs' example is kept
// while a policy is edited: the diagram marks the flow that opened and the one that closed
// (pattern, badge and accessible name, not colour alone), the Changes tab lists each change
// with the policy change that caused it, and activating a change explains it before and
// after (axe-core finds nothing serious in that state, in either theme). A share link
// carries both sides into a fresh browser; a ClusterNetworkPolicy added while comparing is
// named as the cause, with its Admin rule in the explanation after; the docs embed shows the marked diagram and
// "Open in playground" keeps the comparison. Comparing with pasted manifests and with the
// workspace without its generated policies; leaving compare mode keeps the editor's text.
// Typing while comparing is measured (from outside and by the app's netpol:update, which
// must agree; recorded in tests/e2e/out/perf.json as app-perf.test.mjs does). Screenshots
// in light and dark.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hooks, openApp, screenshot, setupHarness, waitForApp, withApp } from './lib/harness.mjs';
import { audit, blocking, report } from './lib/axe.mjs';
import { POD1, POD2, POD3, assertAgree, dragArrow, median, typeAndMeasure } from './app-helpers.mjs';

const h = setupHarness();
const DNS = 'kube-system/kube-dns';

/** The docs' example with pod-3's policy admitting kube-dns from kube-system instead of
 * pod-2 from team-one: one policy edited, one flow opened and one closed. */
function editPod3Policy(text) {
  const at = text.indexOf('name: "pod-3-netpol"');
  assert.ok(at > 0, 'the docs example has pod-3-netpol');
  const head = text.slice(0, at);
  const policy = text
    .slice(at)
    .replace('name: "team-one-namespace"', 'name: "kube-system"')
    .replace('app: "pod-2"', 'k8s-app: "kube-dns"');
  return head + policy;
}

async function setTheme(page, theme) {
  await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
  await page.waitForTimeout(400);
}

async function compareWith(page, item) {
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

const change = (page, from, to) => page.locator(`[data-change-from="${from}"][data-change-to="${to}"]`);
const changeList = (page) => page.getByRole('list', { name: 'Changes', exact: true });

/** Takes a snapshot of the docs' example and edits pod-3's policy; returns the text before
 * and after the edit. */
async function snapshotAndEdit(page) {
  await waitForApp(page);
  await hooks.endpoint(page, POD1).first().waitFor();
  await compareWith(page, /A snapshot of this workspace/);
  const bar = page.getByRole('region', { name: 'Comparison' });
  await bar.waitFor();
  assert.match(await bar.innerText(), /\+ 0 opened/);
  await changeList(page).or(page.getByText('No flow opened or closed.')).first().waitFor();
  const editor = hooks.editor(page);
  const original = await editor.inputValue();
  const edited = editPod3Policy(original);
  await editor.fill(edited);
  await change(page, DNS, POD3).waitFor();
  return { original, edited };
}

test('a snapshot, an edited policy: the opened and closed flows, their causes, before and after', async () => {
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    const { edited } = await snapshotAndEdit(page);

    // The diagram: one opened and one closed flow, said in words as well as drawn.
    const opened = change(page, DNS, POD3);
    const closed = change(page, POD2, POD3);
    assert.equal(await opened.getAttribute('data-change'), 'opened');
    assert.equal(await closed.getAttribute('data-change'), 'closed');
    assert.equal(await page.locator('[data-change]').count(), 2);
    assert.match(await opened.getAttribute('aria-label'), /^Change from kube-system\/kube-dns to team-two-namespace\/pod-3: opened all connections\. Because: edited NetworkPolicy team-two-namespace\/pod-3-netpol \(ingress\[0\]\) allows it\./);
    assert.match(await closed.getAttribute('aria-label'), /closed all connections\. Because: edited NetworkPolicy team-two-namespace\/pod-3-netpol \(ingress\[0\]\) no longer allows it/);
    assert.equal(await opened.locator('.change-badge text').textContent(), '+');
    assert.equal(await closed.locator('.change-badge text').textContent(), '−');
    // Not colour alone: the closed line is dotted, the opened one solid.
    const dash = (loc) => loc.evaluate((el) => getComputedStyle(el).strokeDasharray);
    assert.equal(await dash(opened.locator('.opened-line')), 'none');
    assert.notEqual(await dash(closed.locator('.closed-line')), 'none');
    assert.match(await page.getByRole('region', { name: 'Comparison' }).innerText(), /\+ 1 opened[\s\S]*− 1 closed/);

    // The Changes tab: each change with its cause.
    const list = changeList(page);
    const items = list.getByRole('listitem').filter({ has: page.locator('.change-head') });
    assert.equal(await items.count(), 2);
    const closedItem = items.filter({ hasText: `${POD2} → ${POD3}` });
    assert.match(await closedItem.innerText(), /closed all connections/);
    assert.match(
      await closedItem.getByRole('list', { name: 'Causes' }).innerText(),
      /edited NetworkPolicy team-two-namespace\/pod-3-netpol \(ingress\[0\]\) no longer allows it: /,
    );

    // Activating a change (keyboard) explains it on both sides.
    const head = closedItem.locator('.change-head');
    await head.focus();
    await page.keyboard.press('Enter');
    assert.equal(await head.getAttribute('aria-expanded'), 'true');
    const before = closedItem.getByRole('region', { name: /^Before: Snapshot/ });
    const after = closedItem.getByRole('region', { name: /^After: Now/ });
    assert.match(await before.locator('.verdict-line').innerText(), /Allowed/i);
    assert.match(await after.locator('.verdict-line').innerText(), /Denied/i);
    // At the truth table's port (8080/TCP), which closed, not at the first port of the range.
    assert.match(await closedItem.innerText(), /Explained at 8080\/TCP, a port that closed\./);
    assert.match(await after.innerText(), /pod-3-netpol/);
    // The diagram marks the same change as selected, and its inspector says why.
    assert.match(await closed.getAttribute('class'), /selected/);
    const inspector = page.getByRole('complementary', { name: 'Selection details' });
    assert.match(await inspector.innerText(), /no longer allows it/);
    assert.match(await inspector.innerText(), /At 8080\/TCP:\s*Snapshot\s*allowed\s*Now\s*denied/i);

    // The editor's text is the user's, untouched by the comparison.
    assert.equal(await hooks.editor(page).inputValue(), edited);
    // Screenshots, and no serious or critical axe-core finding, in both themes.
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `app-compare-${theme}`);
      const found = blocking(await audit(page));
      assert.deepEqual(found, [], `${theme}:\n${report(found)}`);
    }
    // Clicking the opened flow on the diagram selects it there.
    await inspector.getByRole('button', { name: 'Close' }).click();
    await opened.locator('.change-badge').click();
    await inspector.waitFor();
    assert.match(await inspector.innerText(), /^opened[\s\S]*allows it[\s\S]*At 8080\/TCP:\s*Snapshot\s*denied\s*Now\s*allowed/i);
    await setTheme(page, 'light');
    await screenshot(page, 'app-compare-inspector');

    // Leaving compare mode keeps the workspace and removes every mark.
    await page.getByRole('button', { name: 'Exit compare' }).click();
    await page.getByRole('region', { name: 'Comparison' }).waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-change]').count(), 0);
    assert.equal(await hooks.editor(page).inputValue(), edited);
    assert.equal(await page.getByRole('tab', { name: /^Changes/ }).count(), 0);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

/** An Admin-tier ClusterNetworkPolicy that denies all ingress into pod-3. */
const LOCK_POD3 = `
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: lock-pod-3
spec:
  tier: Admin
  priority: 5
  subject:
    pods:
      namespaceSelector: {}
      podSelector:
        matchLabels:
          app: pod-3
  ingress:
    - name: deny-all
      action: Deny
      from:
        - namespaces: {}
`;

test('a ClusterNetworkPolicy added while comparing: the change names the Admin rule, before and after', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    await hooks.endpoint(page, POD1).first().waitFor();
    await compareWith(page, /A snapshot of this workspace/);
    await page.getByRole('region', { name: 'Comparison' }).waitFor();
    const editor = hooks.editor(page);
    await editor.fill(`${(await editor.inputValue()).trimEnd()}\n${LOCK_POD3}`);
    const closed = change(page, POD2, POD3);
    await closed.waitFor();
    const cause = 'added Admin ClusterNetworkPolicy lock-pod-3 (ingress[0] `deny-all`, priority 5) denies it';
    assert.match(await closed.getAttribute('aria-label'), /closed all connections\. Because: added Admin ClusterNetworkPolicy lock-pod-3/);
    const item = changeList(page)
      .getByRole('listitem')
      .filter({ has: page.locator('.change-head') })
      .filter({ hasText: `${POD2} → ${POD3}` });
    assert.equal(await item.getByRole('list', { name: 'Causes' }).innerText(), cause);
    // Activating it explains both sides: a NetworkPolicy allowed it, the Admin rule denies it.
    const head = item.locator('.change-head');
    await head.focus();
    await page.keyboard.press('Enter');
    const before = item.getByRole('region', { name: /^Before: Snapshot/ });
    const after = item.getByRole('region', { name: /^After: Now/ });
    assert.match(await before.locator('.verdict-line').innerText(), /Allowed/i);
    assert.match(await after.locator('.verdict-line').innerText(), /Denied/i);
    assert.match(await after.innerText(), /lock-pod-3/);
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `app-compare-tiers-${theme}`);
    }
  });
});

test('a share link carries both sides, and the docs embed shows the marked diagram', async () => {
  let link;
  let original;
  let edited;
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    ({ original, edited } = await snapshotAndEdit(page));
    await page.getByRole('button', { name: 'Share' }).click();
    link = await page.getByLabel('Share link', { exact: true }).inputValue();
    assert.match(link, /#s=[A-Za-z0-9_-]+$/);
  } finally {
    await app.close();
  }
  // A fresh context: only the link holds the snapshot.
  const other = await openApp(h, link.replace(h.server.origin + '/', ''));
  try {
    const { page } = other;
    await waitForApp(page);
    await change(page, DNS, POD3).waitFor();
    assert.equal(await change(page, POD2, POD3).getAttribute('data-change'), 'closed');
    assert.equal(await hooks.editor(page).inputValue(), edited);
    assert.match(await page.getByRole('region', { name: 'Comparison' }).innerText(), /a snapshot of this workspace/);
    // The snapshot came along: undoing the edit empties the diff.
    await hooks.editor(page).fill(original);
    await page.locator('[data-change]').first().waitFor({ state: 'detached' });
    assert.deepEqual(other.problems, []);
  } finally {
    await other.close();
  }

  // The docs embed with the same state: the marks and the counts, and the way back.
  const payload = link.slice(link.indexOf('#s='));
  const host = await openApp(h, '?example=docs', { viewport: { width: 900, height: 600 } });
  try {
    const { page } = host;
    await waitForApp(page);
    await page.setContent(
      `<!doctype html><html><body><h1>What this change does</h1>` +
        `<iframe id="f" src="${h.server.url('?embed=1' + payload)}" width="600" height="400" style="border:1px solid #ccc"></iframe></body></html>`,
    );
    const frame = page.frameLocator('#f');
    await frame.locator(`[data-change-from="${DNS}"][data-change-to="${POD3}"]`).waitFor();
    assert.equal(await frame.locator(`[data-change-from="${POD2}"][data-change-to="${POD3}"]`).getAttribute('data-change'), 'closed');
    const bar = frame.getByRole('region', { name: 'Comparison' });
    assert.match(await bar.innerText(), /\+ 1 opened[\s\S]*− 1 closed/);
    assert.equal(await bar.getByRole('button').count(), 0, 'the embed only shows the comparison');
    const inner = await (await page.$('#f')).contentFrame();
    const sizes = await inner.evaluate(() => ({
      sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight,
      cw: document.documentElement.clientWidth, ch: document.documentElement.clientHeight,
    }));
    assert.ok(sizes.sw <= sizes.cw && sizes.sh <= sizes.ch, `no scrollbar: ${JSON.stringify(sizes)}`);
    for (const theme of ['light', 'dark']) {
      await inner.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
      await page.waitForTimeout(400);
      await screenshot(page, `app-compare-embed-${theme}`);
    }
    const href = await frame.getByRole('link', { name: /Open in playground/ }).getAttribute('href');
    assert.doesNotMatch(href, /embed=1/);
    const full = await host.context.newPage();
    await full.goto(href);
    await waitForApp(full);
    await change(full, DNS, POD3).waitFor();
    await full.getByRole('region', { name: 'Comparison' }).waitFor();
    assert.deepEqual(host.problems, []);
  } finally {
    await host.close();
  }
});

test('comparing with pasted manifests and with the workspace without its generated policies', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    await hooks.endpoint(page, POD1).first().waitFor();
    const editor = hooks.editor(page);
    const text = await editor.inputValue();

    // Other manifests: the base version had no pod-2; the workspace adds it.
    await compareWith(page, /Other manifests/);
    const dialog = page.getByRole('dialog', { name: 'Compare with other manifests' });
    await dialog.getByRole('button', { name: 'Compare' }).click();
    await dialog.getByRole('alert').filter({ hasText: /paste the manifests/ }).waitFor();
    const base = text.replace('  name: pod-2\n', '  name: pod-2-old\n');
    await dialog.getByLabel('Manifests to compare with').fill(base);
    await dialog.getByRole('button', { name: 'Compare' }).click();
    await dialog.waitFor({ state: 'detached' });
    const addedTag = page.locator('.endpoint-tag.added');
    await addedTag.first().waitFor();
    await page.locator(`[data-removed-endpoint="team-one-namespace/pod-2-old"]`).waitFor();
    assert.match(await hooks.endpoint(page, POD2).first().getAttribute('aria-label'), /added since the compared side/);
    const tab = page.getByRole('tabpanel');
    assert.match(await tab.getByRole('list', { name: 'Endpoints added' }).innerText(), /team-one-namespace\/pod-2/);
    assert.match(await tab.getByRole('list', { name: 'Endpoints removed' }).innerText(), /pod-2-old/);
    assert.equal(await editor.inputValue(), text, 'the editor is not the pasted side');
    await screenshot(page, 'app-compare-manifests');

    // Without the generated policies: what a drawn arrow opens, caused by the generated policy.
    await compareWith(page, /Without the generated policies/);
    await page.getByRole('region', { name: 'Comparison' }).filter({ hasText: 'without the generated policies' }).waitFor();
    await dragArrow(page, POD1, POD3);
    await hooks.arrow(page, POD1, POD3).first().waitFor();
    const opened = change(page, POD1, POD3);
    await opened.waitFor();
    assert.equal(await opened.getAttribute('data-change'), 'opened');
    // The generator extends the docs' own policies (same names), so they count as edited.
    const why = await opened.getAttribute('aria-label');
    assert.match(why, /Because: .*edited NetworkPolicy team-two-namespace\/pod-3-netpol \(ingress\[\d\]\) allows it/);
    assert.match(why, /edited NetworkPolicy team-one-namespace\/pod-1-netpol \(egress\[\d\]\) allows it/);
    await page.getByRole('tab', { name: /^Changes/ }).click();
    const item = changeList(page).getByRole('listitem').filter({ hasText: `${POD1} → ${POD3}` });
    await item.locator('.change-head').click();
    assert.match(await item.getByRole('region', { name: /^Before: Manifests alone/ }).innerText(), /Denied/i);
    assert.match(await item.getByRole('region', { name: /^After: With generated policies/ }).innerText(), /Allowed/i);
    await screenshot(page, 'app-compare-generated');
  });
});

test('typing while comparing stays fast (docs example; figures recorded)', async () => {
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    await snapshotAndEdit(page);
    const typed = await typeAndMeasure(page, [...'\n# typed while comparing']);
    const { update, evaluate } = typed;
    assertAgree(typed, 'docs example, comparing');
    // Still comparing: the marks are there after all that typing.
    await change(page, DNS, POD3).waitFor();
    const fmt = (xs) => `median ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms over ${xs.length}`;
    console.log(`docs example, comparing: outside ${fmt(typed.outside)}; netpol:update ${fmt(update)}; netpol:evaluate ${fmt(evaluate)}`);
    const dir = new URL('./out/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL('perf.json', dir);
    let all = {};
    try { all = JSON.parse(readFileSync(file, 'utf8')); } catch { /* first figure */ }
    all['docs example, comparing with a snapshot'] = {
      outside_median_ms: median(typed.outside), outside_max_ms: Math.max(...typed.outside),
      update_median_ms: median(update), update_max_ms: Math.max(...update),
      evaluate_median_ms: median(evaluate), keystrokes: update.length,
    };
    writeFileSync(file, JSON.stringify(all, null, 2));
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});
