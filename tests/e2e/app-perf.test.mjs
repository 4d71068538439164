// Issue 5, feature 4: every edit re-evaluates with no button, within budget. The app records
// `netpol:update` (keystroke to rendered view) and `netpol:evaluate` (the engine alone) with
// performance.measure; this test types real keys, one at a time, and reads them. Budgets:
// 16 ms for the docs' example, 100 ms for 200 pods and 100 policies. Speed is a measurement,
// not a pass/fail (a shared CI machine would make a timed assertion flaky): the test checks
// that every keystroke, each one, produced its own update and evaluation, and writes every
// figure to tests/e2e/out/perf.json and the log, which is where the README's figures come from.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hooks, openApp, setupHarness, waitForApp } from './lib/harness.mjs';
import { POD1, bigCluster, clearMeasures, measures, median, paste } from './app-helpers.mjs';

const h = setupHarness();

/** How long one keystroke may take to show any update at all before the test says it got
 * none: a liveness bound, far above any budget, not a speed check. */
const NO_UPDATE_MS = 15000;

/**
 * Types `keys` at the end of the editor one at a time, each once the previous one's update
 * has landed (a person types about one key per 100 ms; keys typed faster are coalesced into
 * one update, which would hide the per-key figure). Fails, naming the key, when a keystroke
 * produces no update. Returns every keystroke's figures, in order.
 */
async function typeAndMeasure(page, keys) {
  const editor = hooks.editor(page);
  await editor.focus();
  await page.keyboard.press('Control+End');
  await clearMeasures(page);
  for (const [i, k] of keys.entries()) {
    await page.keyboard.type(k);
    await page
      .waitForFunction((n) => performance.getEntriesByName('netpol:update', 'measure').length > n, i, {
        timeout: NO_UPDATE_MS,
      })
      .catch(() => {
        throw new Error(`keystroke ${i + 1} of ${keys.length} (${JSON.stringify(k)}) produced no netpol:update`);
      });
  }
  const update = await measures(page, 'netpol:update');
  const evaluate = await measures(page, 'netpol:evaluate');
  assert.equal(update.length, keys.length, `one netpol:update per keystroke: ${update.length} for ${keys.length} keys`);
  assert.equal(evaluate.length, keys.length, `one netpol:evaluate per keystroke: ${evaluate.length} for ${keys.length} keys`);
  return { update, evaluate };
}

function record(name, update, evaluate) {
  const dir = new URL('./out/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('perf.json', dir);
  let all = {};
  try { all = JSON.parse(readFileSync(file, 'utf8')); } catch { /* first figure */ }
  const ms = (xs) => xs.map((x) => Number(x.toFixed(2)));
  all[name] = {
    keystrokes: update.length,
    update_median_ms: median(update), update_max_ms: Math.max(...update),
    evaluate_median_ms: median(evaluate), evaluate_max_ms: Math.max(...evaluate),
    update_ms: ms(update), evaluate_ms: ms(evaluate),
  };
  writeFileSync(file, JSON.stringify(all, null, 2));
}

const fmt = (xs) =>
  `median ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms over ${xs.length} keystrokes ` +
  `[${xs.map((x) => x.toFixed(1)).join(' ')}]`;

test('every keystroke updates the view (docs example; figures recorded)', async () => {
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    await waitForApp(page);
    await hooks.endpoint(page, POD1).first().waitFor();
    const { update, evaluate } = await typeAndMeasure(page, [...'\n# a comment typed key by key']);
    console.log(`docs example: netpol:update ${fmt(update)}; netpol:evaluate ${fmt(evaluate)}`);
    record('docs example', update, evaluate);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('200 pods and 100 policies update on every keystroke (figures recorded)', async () => {
  const app = await openApp(h, '?example=docs');
  try {
    const { page } = app;
    await waitForApp(page);
    await paste(page, bigCluster());
    await hooks.endpoint(page, 'ns-9/pod-19').waitFor({ state: 'attached', timeout: 60000 });
    assert.equal(await page.locator('[data-endpoint]:not([data-endpoint^="ip:"])').count(), 200);
    const { update, evaluate } = await typeAndMeasure(page, [...'\n# typing']);
    console.log(`200 pods / 100 policies: netpol:update ${fmt(update)}; netpol:evaluate ${fmt(evaluate)}`);
    record('200 pods / 100 policies', update, evaluate);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});
