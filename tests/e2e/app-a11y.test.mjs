// Issue 11, item 7: a page everyone can use. axe-core finds no serious or critical violation
// on the main states (the docs example, a drawn arrow with its inspector open, the lessons
// panel, a dialog showing a field error, the embed, a ClusterNetworkPolicy's deciding tier in
// the inspector and its chain in the explain view, a Cilium entry in both), in the light and
// the dark theme; and
// the diagram works with the keyboard alone: draw an arrow, open its inspector, delete it,
// with key presses only (and focus follows, so a keyboard user never falls back to the top
// of the page).
// Screenshots of every audited state land in out/a11y-<state>-<theme>.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hooks, openApp, screenshot, setupHarness } from './lib/harness.mjs';
import { audit, blocking, report } from './lib/axe.mjs';
import { POD1, POD2, POD3, dragArrow } from './app-helpers.mjs';

const h = setupHarness();

/** The states audited: how to open each, and what to do before the audit. */
const STATES = [
  {
    name: 'docs',
    path: '?example=docs',
    ready: async (page) => hooks.endpoint(page, POD1).first().waitFor(),
  },
  {
    name: 'arrow-inspector',
    path: '?example=docs',
    ready: async (page) => {
      await hooks.endpoint(page, POD1).first().waitFor();
      await dragArrow(page, POD1, POD2);
      const arrow = hooks.arrow(page, POD1, POD2);
      await arrow.locator('.edge-hit').click({ force: true });
      await page.locator('.inspector').getByRole('button', { name: 'Delete arrow' }).waitFor();
    },
  },
  {
    name: 'lessons',
    path: '?lesson=default-policy',
    viewport: { width: 1440, height: 900 },
    ready: async (page) => page.locator('.lesson-panel [aria-label="Goal"] li').first().waitFor(),
  },
  {
    name: 'add-pod-dialog',
    path: '?example=docs',
    ready: async (page) => {
      await hooks.endpoint(page, POD1).first().waitFor();
      await page.getByRole('button', { name: 'Pod', exact: true }).click();
      await page.getByLabel('Name', { exact: true }).fill('Bad_Name');
      await page.getByRole('button', { name: 'Add pod' }).click();
      await page.locator('.modal .field-error').waitFor();
    },
  },
  {
    name: 'tier-inspector',
    path: '?example=baseline-default-deny',
    ready: async (page) => {
      const flow = page.locator('[data-flow-from="team-two-namespace/pod-3"][data-flow-to="kube-system/kube-dns"]');
      await flow.waitFor({ state: 'attached' });
      await flow.dispatchEvent('click');
      await page.locator('.inspector .tier-badge').first().waitFor();
    },
  },
  {
    name: 'tier-explain',
    path: '?example=pass-to-owners',
    ready: async (page) => {
      await page.getByRole('tab', { name: /^Explain/ }).click();
      await page.getByLabel('From', { exact: true }).selectOption('system-ingress/ingress-nginx');
      await page.getByLabel('To', { exact: true }).selectOption('team-two-namespace/pod-3');
      await page.locator('.explain-tab .step[data-stage="Admin"][data-outcome="passes"]').waitFor();
    },
  },
  {
    name: 'cilium-inspector',
    path: '?example=cilium-egress-deny',
    ready: async (page) => {
      const flow = page.locator('[data-flow-from="team-one/web"][data-flow-to="ip:1.1.1.1"]');
      await flow.waitFor({ state: 'attached' });
      await flow.dispatchEvent('click');
      await page.locator('.inspector .tier-badge').first().waitFor();
    },
  },
  {
    name: 'cilium-explain',
    path: '?example=cilium-egress-deny',
    ready: async (page) => {
      await page.getByRole('tab', { name: /^Explain/ }).click();
      await page.getByLabel('From', { exact: true }).selectOption('team-one/web');
      await page.getByLabel('To', { exact: true }).selectOption('payments/ledger');
      await page.locator('.explain-tab .side[data-direction="Egress"] .cilium .rules.miss').waitFor();
    },
  },
  {
    name: 'embed',
    path: '?embed=1&example=docs',
    viewport: { width: 600, height: 400 },
    ready: async (page) => hooks.endpoint(page, POD1).first().waitFor(),
  },
];

for (const colorScheme of ['light', 'dark']) {
  for (const state of STATES) {
    test(`axe: no serious or critical violation (${state.name}, ${colorScheme})`, async () => {
      const app = await openApp(h, state.path, { colorScheme, ...(state.viewport && { viewport: state.viewport }) });
      try {
        const { page } = app;
        await state.ready(page);
        // Let transitions (theme colours, the inspector sliding in) finish before colours are read.
        await page.waitForTimeout(400);
        await screenshot(page, `a11y-${state.name}-${colorScheme}`);
        const violations = await audit(page);
        if (violations.length) console.log(`${state.name} (${colorScheme}):\n${report(violations, 3)}`);
        assert.deepEqual(blocking(violations).map((v) => v.id), [], report(blocking(violations)));
        assert.deepEqual(app.problems, []);
      } finally {
        await app.close();
      }
    });
  }
}

/** What has keyboard focus: a node's id, `from -> to` for an arrow, `button:Text`, or a tag. */
const focused = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    if (!e) return null;
    if (e.hasAttribute('data-endpoint')) return e.getAttribute('data-endpoint');
    if (e.hasAttribute('data-from')) return `${e.getAttribute('data-from')} -> ${e.getAttribute('data-to')}`;
    if (e.tagName === 'BUTTON') return `button:${e.textContent.trim()}`;
    return e.tagName.toLowerCase();
  });

/** Presses Tab until `want` has focus (at most `max` times); returns how many presses it took. */
async function tabTo(page, want, max = 80) {
  const seen = [];
  for (let i = 0; i <= max; i++) {
    const now = await focused(page);
    if (now === want) return i;
    seen.push(now);
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${want}; it went through: ${seen.join(', ')}`);
}

/** Waits until `want` (as `focused` names it) has focus; fails saying what has it instead. */
async function waitForFocus(page, want) {
  for (let waited = 0; waited < 5000; waited += 50) {
    if ((await focused(page)) === want) return;
    await page.waitForTimeout(50);
  }
  assert.equal(await focused(page), want, 'keyboard focus');
}

test('the diagram works with the keyboard alone: draw an arrow, open its inspector, delete it', async () => {
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    await hooks.endpoint(page, POD1).first().waitFor();
    const live = page.locator('.diagram-wrap [aria-live="polite"]');

    // From the top of the page: Tab to pod-1, Enter; Tab on to pod-2, Enter.
    await tabTo(page, POD1);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: `Drawing an arrow from ${POD1}` }).waitFor();
    await tabTo(page, POD2);
    await page.keyboard.press('Enter');
    const arrow = hooks.arrow(page, POD1, POD2);
    await arrow.waitFor();
    assert.equal(await arrow.getAttribute('data-verdict'), 'allowed');
    // Focus is on the new arrow, and a screen reader was told so.
    await waitForFocus(page, `${POD1} -> ${POD2}`);
    assert.match(await live.textContent(), new RegExp(`Arrow drawn from ${POD1} to ${POD2}`));

    // Enter opens its inspector and moves focus into it; Tab reaches "Delete arrow".
    await page.keyboard.press('Enter');
    const inspector = page.getByRole('complementary', { name: 'Selection details' });
    await inspector.getByText('Already allowed by the manifests').waitFor();
    // The inspector moves focus after it is drawn (an effect): wait for it, then check.
    await page
      .waitForFunction(() => !!document.activeElement?.closest('.inspector'), null, { timeout: 5000 })
      .catch(() => {});
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest('.inspector')), 'focus is in the inspector');
    await tabTo(page, 'button:Delete arrow', 20);
    await page.keyboard.press('Enter');
    await arrow.waitFor({ state: 'detached' });
    await inspector.waitFor({ state: 'detached' });
    // Focus goes back to where the arrow started, not to the top of the page.
    await waitForFocus(page, POD1);

    // Again to pod-3, this time: Escape closes the inspector back onto the arrow, and
    // Delete on the arrow removes it.
    await page.keyboard.press('Enter');
    await tabTo(page, POD3);
    await page.keyboard.press('Enter');
    const second = hooks.arrow(page, POD1, POD3);
    await second.waitFor();
    await waitForFocus(page, `${POD1} -> ${POD3}`);
    await page.keyboard.press('Enter');
    await inspector.waitFor();
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'detached' });
    await waitForFocus(page, `${POD1} -> ${POD3}`);
    await page.keyboard.press('Delete');
    await second.waitFor({ state: 'detached' });
    await waitForFocus(page, POD1);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test("screen readers hear each node's visible name first", async () => {
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    await hooks.endpoint(page, POD1).first().waitFor();
    // What is drawn in each node (its <text>s, in order) and the name the browser's
    // accessibility tree gives it (Chromium's own computation, through Playwright).
    const nodes = await hooks.endpoints(page).evaluateAll((els) =>
      els.map((e) => ({ id: e.dataset.endpoint, shown: [...e.querySelectorAll('text')].map((t) => t.textContent) })),
    );
    assert.equal(nodes.length, 7);
    const tree = await page.locator('#diagram-svg').ariaSnapshot();
    for (const { id, shown } of nodes) {
      const name = shown.join(', ');
      assert.ok(tree.includes(`button "${name}`), `${id}: the accessibility tree names it starting "${name}":\n${tree}`);
      await page.getByRole('button', { name, exact: false }).first().waitFor();
    }
  } finally {
    await app.close();
  }
});
