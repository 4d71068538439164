// Issue 12, item 4: ClusterNetworkPolicies in the app. A pasted one loads like any manifest
// (a broken one is a located diagnostic and the rest still evaluates); a flow's inspector
// names the stage that decided each direction (the tier, its action, policy and priority);
// the explain view shows the whole chain, Admin tier to default, and a tier rule jumps to
// its line in the editor. Screenshots of the inspector and the explain view in both themes
// land in out/tiers-*.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hooks, reveal, screenshot, setupHarness, waitForApp, withApp } from './lib/harness.mjs';
import { TALL, example, lineOf, openFlow, paste, setTheme, shot } from './app-helpers.mjs';

const h = setupHarness();

const POD1 = 'team-one-namespace/pod-1';
const POD3 = 'team-two-namespace/pod-3';
const DNS = 'kube-system/kube-dns';
const NGINX = 'system-ingress/ingress-nginx';

/** What decided each direction, as the inspector says it (badge and detail), by direction. */
async function badges(inspector) {
  const texts = (await inspector.locator('dd.decided').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  return { egress: texts[0], ingress: texts[1] };
}

test('a pasted ClusterNetworkPolicy: located errors, the deciding tier in the inspector, the chain in explain', async () => {
  await withApp(h, '?example=docs', TALL, async (app) => {
    const { page } = app;
    const yaml = await example('baseline-default-deny');
    // A second, broken ClusterNetworkPolicy at the end: its priority is out of range.
    const broken = `${yaml.trimEnd()}\n---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: too-high\nspec:\n  tier: Admin\n  priority: 1001\n  subject:\n    namespaces: {}\n`;
    await paste(page, broken);
    const badLine = lineOf(broken, 'priority: 1001');
    const diagnostics = await reveal(page, hooks.diagnostics(page), 'Diagnostics');
    const error = diagnostics.locator('li.diag.error');
    await error.first().waitFor();
    const errors = await error.allInnerTexts();
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /priority/);
    assert.match(errors[0], new RegExp(`line ${badLine}:`));
    await page.locator('.gutter .mk-error').first().waitFor();

    // The rest still evaluates: pod-3 (no NetworkPolicy) reaches DNS through the Baseline.
    const inspector = await openFlow(page, POD3, DNS);
    assert.deepEqual(await badges(inspector), {
      egress: 'Baseline Accept · team-default · priority 100',
      ingress: 'Default allow',
    });
    assert.equal(await inspector.locator('.tier-badge[data-stage="Baseline"]').count(), 1);
    await inspector.getByText('53/TCP', { exact: true }).waitFor();
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `tiers-inspector-${theme}`);
      await shot(inspector, `tiers-inspector-panel-${theme}`);
    }
    await setTheme(page, 'light');

    // pod-1's own NetworkPolicy decides its egress: the baseline is not reached.
    const np = await openFlow(page, POD1, DNS);
    assert.equal((await badges(np)).egress, 'NetworkPolicy');

    // Explain: the whole chain of pod-3's egress to DNS.
    const again = await openFlow(page, POD3, DNS);
    await again.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('tab', { name: /^Explain/, selected: true }).waitFor();
    const egress = page.locator('.explain-tab .side[data-direction="Egress"]');
    await egress.locator('.chain').waitFor();
    const steps = await egress.locator('.step').evaluateAll((els) =>
      els.map((e) => `${e.dataset.stage}:${e.dataset.outcome}`),
    );
    assert.deepEqual(steps, ['Admin:absent', 'NetworkPolicy:absent', 'Baseline:decides', 'Default:not-reached']);
    const chain = await egress.innerText();
    assert.match(chain, /No Admin policy selects this pod/);
    assert.match(chain, /No NetworkPolicy selects this pod for egress: on to the Baseline tier/);
    assert.match(chain, /egress\[0\] accept-dns/);
    assert.match(chain, /Accept · priority 100 · team-default/);
    assert.match(chain, /DECIDES/i);
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `tiers-explain-${theme}`);
      await shot(page.locator('.explain-tab .explanation'), `tiers-explain-panel-${theme}`);
    }
    await setTheme(page, 'light');

    // The rule jumps to its line in the editor.
    await egress.getByRole('button', { name: /egress\[0\] accept-dns/ }).click();
    const at = await hooks.editor(page).evaluate((ta) => ta.value.slice(0, ta.selectionStart).split('\n').length);
    const ruleLine = lineOf(broken, 'name: accept-dns');
    assert.equal(at, ruleLine, `the editor is at line ${at}, the rule at ${ruleLine}`);
    assert.equal(await hooks.editor(page).inputValue(), broken, 'the text was not rewritten');
  });
});

test('an Admin Deny decides before the NetworkPolicies; a Pass hands over to them', async () => {
  await withApp(h, '?example=admin-deny', TALL, async (app) => {
    const { page } = app;
    await page.getByRole('tab', { name: /^Explain/ }).click();
    await page.getByLabel('From', { exact: true }).selectOption(POD3);
    await page.getByLabel('To', { exact: true }).selectOption('ip:169.254.169.254');
    const egress = page.locator('.explain-tab .explanation.denied .side[data-direction="Egress"]');
    await egress.locator('.step[data-stage="Admin"][data-outcome="decides"]').waitFor();
    const text = await egress.innerText();
    assert.match(text, /egress\[0\] deny-metadata-endpoint/);
    assert.match(text, /Deny · priority 10 · deny-cloud-metadata/);
    assert.match(text, /Not reached: the Admin tier decided \(isolated by team-two-namespace\/namespace-default, team-two-namespace\/cloud-access\)/);
    assert.equal(await egress.locator('.step[data-stage="NetworkPolicy"]').getAttribute('data-outcome'), 'not-reached');
    await shot(page.locator('.explain-tab .explanation'), 'tiers-explain-admin');

    // The Pass example: the controller's traffic goes on to each team's NetworkPolicies.
    await page.goto(h.server.url('?example=pass-to-owners'));
    await waitForApp(page);
    const inspector = await openFlow(page, NGINX, POD1);
    assert.deepEqual(await badges(inspector), { egress: 'Default allow', ingress: 'Default allow' });
    await inspector.getByRole('button', { name: 'Explain' }).click();
    const ingress = page.locator('.explain-tab .side[data-direction="Ingress"]');
    await ingress.locator('.step[data-stage="Admin"][data-outcome="passes"]').waitFor();
    assert.match(await ingress.innerText(), /Pass: the rest of the Admin tier is skipped, on to the NetworkPolicies/);
    assert.equal(await ingress.locator('.step[data-stage="Default"]').getAttribute('data-outcome'), 'decides');
  });
});
