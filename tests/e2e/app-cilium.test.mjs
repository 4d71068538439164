// Issue 22, item 5: Cilium in the playground. A pasted CiliumNetworkPolicy loads and is
// highlighted like any manifest (a broken one is a located diagnostic, the rest still
// evaluates); the three Cilium examples give the verdicts their headers document; a flow's
// inspector names the Cilium kind, policy and entry that decided each direction; the explain
// view lists the Cilium rules and entries, and an entry jumps to its line in the editor.
// Screenshots of each example in both themes land in out/cilium-*-{light,dark}.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hooks, reveal, screenshot, setupHarness, withApp } from './lib/harness.mjs';
import { TALL, example, lineOf, openFlow, paste, setTheme, shot } from './app-helpers.mjs';

const h = setupHarness();

/** What decided each direction, as the inspector says it in one line (its title: the badge
 * and the detail, `CiliumNetworkPolicy · default/rule1 · ingress[0]`); the shown text is the
 * same but for the dot after the badge. */
async function badges(inspector) {
  const rows = await inspector.locator('dd.decided').evaluateAll((els) =>
    els.map((e) => [e.getAttribute('title'), e.innerText.replace(/\s+/g, ' ').trim()]),
  );
  for (const [title, shown] of rows) assert.equal(shown, title.replace(/^(Cilium\w*) · /, '$1 '));
  return { egress: rows[0][0], ingress: rows[1][0] };
}

/** Explains `from → to` on `port`/TCP in the Explain tab; returns the explanation card. */
async function explain(page, from, to, port) {
  const tab = page.getByRole('tab', { name: /^Explain/ });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  await page.getByLabel('From', { exact: true }).selectOption(from);
  await page.getByLabel('To', { exact: true }).selectOption(to);
  const portField = page.getByLabel('Port', { exact: true });
  await portField.fill(String(port));
  await portField.dispatchEvent('change');
  const card = page.locator('.explain-tab .explanation');
  await card.locator('.verdict-line', { hasText: `on ${port}/TCP` }).waitFor();
  await page.waitForFunction(
    ([f, t]) => {
      const codes = [...document.querySelectorAll('.explain-tab .explanation .verdict-line code')].map((c) => c.textContent);
      return codes[0] === f && codes[1] === t;
    },
    [from, to],
  );
  return card;
}

/** `allowed` or `denied`, from the explanation card's class. */
async function verdictOf(card) {
  return (await card.getAttribute('class')).includes('allowed') ? 'allowed' : 'denied';
}

/** Both themes: the whole page, then the inspector or explanation alone. */
async function shots(page, locator, name) {
  for (const theme of ['light', 'dark']) {
    await setTheme(page, theme);
    await screenshot(page, `${name}-${theme}`);
    await shot(locator, `${name}-panel-${theme}`);
  }
  await setTheme(page, 'light');
}

test('a pasted CiliumNetworkPolicy is highlighted, a bad field is located, the rest evaluates', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    const yaml = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: a, namespace: default, labels: {app: a}}',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: b, namespace: default, labels: {app: b}}',
      '---',
      'apiVersion: cilium.io/v2',
      'kind: CiliumNetworkPolicy',
      'metadata: {name: b-from-a, namespace: default}',
      'spec:',
      '  endpointSelector: {matchLabels: {app: b}}',
      '  ingress:',
      '  - fromEndpoints: [{matchLabels: {app: a}}]',
      '---',
      'apiVersion: cilium.io/v2',
      'kind: CiliumClusterwideNetworkPolicy',
      'metadata: {name: broken}',
      'spec:',
      '  endpointSelector: {}',
      '  egressDeny:',
      '  - toPorts:',
      '    - ports:',
      '      - port: 80',
      '',
    ].join('\n');
    await paste(page, yaml);
    // Highlighted as any YAML: the Cilium keys are keys.
    const keys = await page.locator('.code-backdrop .t-key').allInnerTexts();
    for (const k of ['endpointSelector', 'fromEndpoints', 'egressDeny', 'toPorts']) assert.ok(keys.includes(k), `${k} is coloured as a key`);
    await page.locator('.pane-status', { hasText: '2 Cilium policies' }).waitFor();

    const diagnostics = await reveal(page, hooks.diagnostics(page), 'Diagnostics');
    const error = diagnostics.locator('li.diag.error');
    await error.first().waitFor();
    const errors = await error.allInnerTexts();
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], new RegExp(`line ${lineOf(yaml, 'port: 80')}:`));
    await page.locator('.gutter .mk-error').first().waitFor();

    // The good policy still decides: a → b allowed by its ingress[0].
    const inspector = await openFlow(page, 'default/a', 'default/b');
    assert.deepEqual(await badges(inspector), {
      egress: 'Default allow',
      ingress: 'CiliumNetworkPolicy · default/b-from-a · ingress[0]',
    });
    assert.equal(await page.locator('[data-flow-from="default/b"][data-flow-to="default/a"]').count(), 1);
  });
});

test('the Star Wars demo: Empire ships land on 80, an X-wing and port 443 do not', async () => {
  await withApp(h, '?example=cilium-starwars', TALL, async (app) => {
    const { page } = app;
    const inspector = await openFlow(page, 'default/tiefighter', 'default/deathstar');
    assert.deepEqual(await badges(inspector), {
      egress: 'Default allow',
      ingress: 'CiliumNetworkPolicy · default/rule1 · ingress[0]',
    });
    await inspector.getByText('80/TCP', { exact: true }).waitFor();
    assert.equal(await page.locator('[data-flow-from="default/xwing"][data-flow-to="default/deathstar"]').count(), 0);
    await shots(page, inspector, 'cilium-starwars');

    const denied = await explain(page, 'default/xwing', 'default/deathstar', 80);
    assert.equal(await verdictOf(denied), 'denied');
    const ingress = denied.locator('.side[data-direction="Ingress"]');
    const text = await ingress.innerText();
    assert.match(text, /Isolated for ingress, and no rule allows it/);
    assert.match(text, /CiliumNetworkPolicy default\/rule1\s*default deny/i);
    assert.match(text, /No ingress entry of theirs matches/);
    await shots(page, denied, 'cilium-starwars-explain');
    assert.equal(await verdictOf(await explain(page, 'default/tiefighter', 'default/deathstar', 443)), 'denied');
    const ok = await explain(page, 'default/tiefighter', 'default/deathstar', 80);
    assert.equal(await verdictOf(ok), 'allowed');
    assert.match(await ok.locator('.side[data-direction="Ingress"]').innerText(), /Allowed by\s*CiliumNetworkPolicy default\/rule1 ingress\[0\]/);
  });
});

test('an egressDeny overrides a team allow; the entry jumps to its line in the editor', async () => {
  await withApp(h, '?example=cilium-egress-deny', TALL, async (app) => {
    const { page } = app;
    const yaml = await example('cilium-egress-deny');
    const inspector = await openFlow(page, 'team-one/web', 'ip:1.1.1.1');
    assert.deepEqual(await badges(inspector), {
      egress: 'CiliumNetworkPolicy · team-one/team-one-allow-all · egress[0]',
      ingress: 'Outside the cluster',
    });
    const other = await openFlow(page, 'team-two/app', 'ip:1.1.1.1');
    assert.equal((await badges(other)).egress, 'Default allow');
    for (const [from, to] of [['team-one/web', 'payments/ledger'], ['team-one/web', 'ip:169.254.169.254'], ['team-two/app', 'payments/ledger']]) {
      assert.equal(await page.locator(`[data-flow-from="${from}"][data-flow-to="${to}"]`).count(), 0, `${from} → ${to} is no flow`);
    }
    const back = await openFlow(page, 'team-one/web', 'ip:1.1.1.1');
    await shots(page, back, 'cilium-egress-deny');

    const card = await explain(page, 'team-one/web', 'payments/ledger', 8443);
    assert.equal(await verdictOf(card), 'denied');
    const egress = card.locator('.side[data-direction="Egress"]');
    const text = await egress.innerText();
    assert.match(text, /A Cilium deny matches: denied, whatever allows/);
    assert.match(text, /CiliumClusterwideNetworkPolicy platform-deny egressDeny\[0\]\s*a deny overrides every allow/);
    assert.match(text, /Also allowed by \(overridden\)\s*CiliumNetworkPolicy team-one\/team-one-allow-all egress\[0\]/);
    assert.match(text, /CiliumNetworkPolicy team-one\/team-one-allow-all\s*default deny/i);
    assert.match(text, /CiliumClusterwideNetworkPolicy platform-deny\s*opts out/i);
    await shots(page, card, 'cilium-egress-deny-explain');

    const metadata = await explain(page, 'team-one/web', 'ip:169.254.169.254', 80);
    assert.equal(await verdictOf(metadata), 'denied');
    assert.match(await metadata.innerText(), /platform-deny egressDeny\[1\]/);

    // The deny entry jumps to its own line: the second item under `egressDeny:`.
    await page.locator('.explain-tab .side[data-direction="Egress"]').getByRole('button', { name: /platform-deny egressDeny\[1\]/ }).click();
    const at = await hooks.editor(page).evaluate((ta) => ta.value.slice(0, ta.selectionStart).split('\n').length);
    const lines = yaml.split('\n');
    const list = lines.findIndex((l) => l.trim() === 'egressDeny:');
    const items = lines.map((l, i) => [l, i + 1]).filter(([l, i]) => i > list && /^\s*- /.test(l) && l.indexOf('-') === lines[list + 1].indexOf('-'));
    assert.equal(at, items[1][1], `the editor is at line ${at}, egressDeny[1] starts at ${items[1][1]}`);
    assert.equal(await hooks.editor(page).inputValue(), yaml, 'the text was not rewritten');
  });
});

test('entities: world is the internet, cluster every pod, {} the own namespace', async () => {
  await withApp(h, '?example=cilium-entities', TALL, async (app) => {
    const { page } = app;
    const WORLD = 'ip:203.0.113.7';
    const inspector = await openFlow(page, WORLD, 'shop/storefront');
    assert.deepEqual(await badges(inspector), {
      egress: 'Outside the cluster',
      ingress: 'CiliumNetworkPolicy · shop/storefront-from-world · ingress[0]',
    });
    await shots(page, inspector, 'cilium-entities');
    const prom = await openFlow(page, 'monitoring/prom', 'shop/orders');
    assert.equal((await badges(prom)).ingress, 'CiliumNetworkPolicy · shop/orders-from-cluster · ingress[0]');
    const cart = await openFlow(page, 'shop/storefront', 'shop/cart');
    assert.equal((await badges(cart)).ingress, 'CiliumNetworkPolicy · shop/cart-from-namespace · ingress[0]');
    for (const [from, to] of [['monitoring/prom', 'shop/storefront'], [WORLD, 'shop/orders'], ['monitoring/prom', 'shop/cart'], [WORLD, 'shop/cart']]) {
      assert.equal(await page.locator(`[data-flow-from="${from}"][data-flow-to="${to}"]`).count(), 0, `${from} → ${to} is no flow`);
    }

    const card = await explain(page, 'monitoring/prom', 'shop/cart', 7000);
    assert.equal(await verdictOf(card), 'denied');
    assert.match(await card.locator('.side[data-direction="Ingress"]').innerText(), /CiliumNetworkPolicy shop\/cart-from-namespace\s*default deny/i);
    await shots(page, card, 'cilium-entities-explain');
    assert.equal(await verdictOf(await explain(page, WORLD, 'shop/orders', 9000)), 'denied');
    assert.equal(await verdictOf(await explain(page, 'monitoring/prom', 'shop/storefront', 8080)), 'denied');
  });
});

test('with a Baseline tier, the chain shows the Cilium policies at the NetworkPolicy stage', async () => {
  await withApp(h, '?example=cilium-egress-deny', TALL, async (app) => {
    const { page } = app;
    const baseline = [
      'apiVersion: policy.networking.k8s.io/v1alpha2',
      'kind: ClusterNetworkPolicy',
      'metadata:',
      '  name: no-internet',
      'spec:',
      '  tier: Baseline',
      '  priority: 100',
      '  subject:',
      '    namespaces: {}',
      '  egress:',
      '  - name: deny-outside',
      '    action: Deny',
      '    to:',
      '    - networks: [0.0.0.0/0]',
      '',
    ].join('\n');
    await paste(page, `${(await example('cilium-egress-deny')).trimEnd()}\n---\n${baseline}`);
    // team-two: the deny-only Cilium policy is consulted, matches nothing, and the Baseline denies.
    const card = await explain(page, 'team-two/app', 'ip:1.1.1.1', 443);
    assert.equal(await verdictOf(card), 'denied');
    const egress = card.locator('.side[data-direction="Egress"]');
    await egress.locator('.chain').waitFor();
    const steps = await egress.locator('.step').evaluateAll((els) => els.map((e) => `${e.dataset.stage}:${e.dataset.outcome}`));
    assert.deepEqual(steps, ['Admin:absent', 'NetworkPolicy:no-match', 'Baseline:decides', 'Default:not-reached']);
    const text = await egress.innerText();
    assert.match(text, /NetworkPolicies and Cilium policies/);
    assert.match(text, /none puts it in default deny for egress and no deny matches: on to the Baseline tier/);
    assert.match(text, /CiliumClusterwideNetworkPolicy platform-deny\s*opts out/i);
    await shots(page, card, 'cilium-chain');
    // team-one: its own allow decides at the NetworkPolicy stage; the Baseline is not reached.
    const one = await explain(page, 'team-one/web', 'ip:1.1.1.1', 443);
    assert.equal(await verdictOf(one), 'allowed');
    const oneEgress = one.locator('.side[data-direction="Egress"]');
    assert.equal(await oneEgress.locator('.step[data-stage="NetworkPolicy"]').getAttribute('data-outcome'), 'decides');
    assert.equal(await oneEgress.locator('.step[data-stage="Baseline"]').getAttribute('data-outcome'), 'not-reached');
    assert.match(await oneEgress.innerText(), /Allowed by\s*CiliumNetworkPolicy team-one\/team-one-allow-all egress\[0\]/);
  });
});
