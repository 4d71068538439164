// Observed flows in the playground: a Hubble log dropped on the docs' example. The
// connection the docs' policies would drop (Prometheus scraping pod-2:9090, recorded as
// FORWARDED before enforcing) is drawn as an observed line with a ✕ and a count, listed
// under "Would be dropped" in the Flows tab with Hubble's own verdict, and explained; the
// endpoint seen only in flows is drawn as such. "Keep these flows" turns the observed
// connections into arrows, and the generated YAML then allows it. The 20,000-line drop is
// timed from the drop event to the frame after the observed line is drawn, and typing
// afterwards is measured from outside and by the app (all recorded in
// tests/e2e/out/perf.json). Screenshots in light and dark.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hooks, screenshot, setupHarness, withApp } from './lib/harness.mjs';
import { POD1, POD2, assertAgree, bigCluster, measures, median, typeAndMeasure } from './app-helpers.mjs';

const h = setupHarness();
const PROM = 'monitoring/prometheus';
const LOG = readFileSync(new URL('../../www/examples/hubble-prometheus.flows.json', import.meta.url), 'utf8');

const observed = (page, from, to) => page.locator(`[data-observed-from="${from}"][data-observed-to="${to}"]`);

async function setTheme(page, theme) {
  await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
  await page.waitForTimeout(400);
}

/** Drops `text` as a file on the diagram; resolves with the milliseconds from the drop
 * event to the frame after the observed line `from` → `to` is drawn. */
async function dropLog(page, text, [from, to]) {
  await page.evaluate((t) => { window.__flowLog = t; }, text);
  return page.evaluate(
    ([a, b]) =>
      new Promise((done, fail) => {
        const target = document.querySelector('.diagram-wrap');
        const dt = new DataTransfer();
        dt.items.add(new File([window.__flowLog], 'flows.json', { type: 'application/json' }));
        const t0 = performance.now();
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        const sel = `[data-observed-from="${a}"][data-observed-to="${b}"]`;
        const check = () => {
          if (performance.now() - t0 > 60000) fail(new Error(`${sel} never drawn`));
          else if (document.querySelector(sel)) requestAnimationFrame(() => done(performance.now() - t0));
          else requestAnimationFrame(check);
        };
        check();
      }),
    [from, to],
  );
}

function record(name, figures) {
  const dir = new URL('./out/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('perf.json', dir);
  let all = {};
  try { all = JSON.parse(readFileSync(file, 'utf8')); } catch { /* first figure */ }
  all[name] = { ...(all[name] ?? {}), ...figures };
  writeFileSync(file, JSON.stringify(all, null, 2));
}

/** The example's log repeated to `n` lines, every record's source port made unique. */
function bigLog(n) {
  const lines = LOG.trim().split('\n');
  const out = [];
  for (let i = 0; out.length < n; i++) {
    const l = lines[i % lines.length];
    out.push(l.replace(/"source_port":(\d+)/, (_, p) => `"source_port":${1024 + ((Number(p) + i) % 60000)}`));
  }
  return out.join('\n') + '\n';
}

test('drop a Hubble log: the dropped connection, its explanation, keep the flows, the YAML allows it', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    await hooks.endpoint(page, POD1).first().waitFor();
    await dropLog(page, LOG, [PROM, POD2]);

    // The diagram: an observed line of its own kind, with a count and a ✕, said in words.
    const prom = observed(page, PROM, POD2);
    assert.match(await prom.getAttribute('class'), /\bdropped\b/);
    assert.match(await prom.getAttribute('aria-label'), /^Observed monitoring\/prometheus → team-one-namespace\/pod-2, 9090\/TCP seen 4 times; would be dropped: 9090\/TCP/);
    assert.equal(await prom.locator('.observed-count text').last().textContent(), '×4');
    assert.equal(await prom.locator('.observed-x').textContent(), '✕');
    assert.match(await observed(page, POD1, POD2).getAttribute('class'), /\bseen\b/);
    // Prometheus is not in the docs' manifests: seen only in flows, laid out in its namespace.
    assert.match(await page.locator(`[data-seen="${PROM}"]`).getAttribute('aria-label'), /seen only in flows/);
    assert.equal(await page.locator('.observed.dropped').count(), 1);

    // The Flows tab: one would be dropped, with Hubble's own verdict (it forwarded it).
    const tab = page.getByRole('tab', { name: /^Flows/ });
    assert.equal(await tab.getAttribute('aria-selected'), 'true');
    assert.match(await page.locator('.flows-summary').innerText(), /^8 connections from 85 lines: 1 would be dropped, 7 allowed\. 1 endpoint seen only in flows\./);
    const row = page.locator(`.flows-section.dropped [data-flow-from="${PROM}"][data-flow-to="${POD2}"]`);
    assert.match(await row.textContent(), /9090\/TCP/);
    assert.match(await row.textContent(), /Hubble: FORWARDED/);
    assert.equal(await page.locator('.flows-section.allowed .flow-row').count(), 7);
    await screenshot(page, 'flows-dropped-light');
    await setTheme(page, 'dark');
    await screenshot(page, 'flows-dropped-dark');
    await setTheme(page, 'light');

    // "Why?" opens the explanation.
    await row.getByRole('button', { name: /^Explain/ }).click();
    assert.equal(await page.getByRole('tab', { name: 'Explain' }).getAttribute('aria-selected'), 'true');
    const explainText = await page.locator('.explain-tab').innerText();
    assert.match(explainText, /denied|blocked/i);
    assert.match(explainText, /pod-2-netpol/);
    await screenshot(page, 'flows-explain-light');

    // Keep these flows: arrows, and the generated YAML allows Prometheus on 9090.
    await tab.click();
    await page.locator('#keep-flows').click();
    const yaml = await hooks.generated(page).innerText();
    assert.match(yaml, /9090/);
    assert.match(yaml, /prometheus/);
    await prom.and(page.locator('.observed.seen')).waitFor();
    assert.equal(await page.locator('.observed.dropped').count(), 0);
    await tab.click();
    assert.match(await page.locator('.flows-summary').innerText(), /0 would be dropped, 8 allowed/);
    await screenshot(page, 'flows-kept-light');
    await setTheme(page, 'dark');
    await screenshot(page, 'flows-kept-dark');

    // The share dialog says the log travels with the link.
    await page.getByRole('button', { name: /^Share/ }).first().click();
    await page.locator('[data-share-flows="included"]').waitFor();
  });
});

test('a 20,000-line Hubble log on the docs example: drop to drawn, then typing (figures recorded)', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    await hooks.endpoint(page, POD1).first().waitFor();
    const log = bigLog(20000);
    const drops = [];
    // Three drops: the first, then the same log twice more after clearing it.
    for (let i = 0; i < 3; i++) {
      if (i > 0) {
        await page.getByRole('tab', { name: /^Flows/ }).click();
        await page.getByRole('button', { name: 'Clear', exact: true }).click();
        await observed(page, PROM, POD2).waitFor({ state: 'detached' });
      }
      drops.push(await dropLog(page, log, [PROM, POD2]));
    }
    const flowsMeasure = await measures(page, 'netpol:flows');
    const parts = {
      read: await measures(page, 'netpol:flows-read'),
      replay: await measures(page, 'netpol:flows-replay'),
    };
    console.log(`parts: read [${parts.read.map((x) => x.toFixed(1)).join(' ')}] ms, replay [${parts.replay.map((x) => x.toFixed(1)).join(' ')}] ms`);
    console.log(`20,000-line Hubble log (${(log.length / 1048576).toFixed(1)} MB) on the docs example: drop to drawn [${drops.map((x) => x.toFixed(1)).join(' ')}] ms; read+replay+store (netpol:flows) [${flowsMeasure.map((x) => x.toFixed(1)).join(' ')}] ms`);
    assert.match(await page.locator('.flows-summary').innerText(), /^8 connections from 20,?000 lines/);
    const docs = await typeAndMeasure(page, [...'\n# a comment typed key by key']);
    console.log(`docs example + log: outside median ${median(docs.outside).toFixed(1)} ms; netpol:update median ${median(docs.update).toFixed(1)} ms, max ${Math.max(...docs.update).toFixed(1)} ms; evaluate median ${median(docs.evaluate).toFixed(1)} ms`);
    const rounded = (xs) => xs.map((x) => Number(x.toFixed(1)));
    record('docs example + 20,000-line Hubble log', {
      log_mb: Number((log.length / 1048576).toFixed(1)),
      drop_to_drawn_ms: rounded(drops),
      read_replay_ms: rounded(flowsMeasure),
      outside_median_ms: median(docs.outside), outside_ms: rounded(docs.outside),
      update_median_ms: median(docs.update), update_max_ms: Math.max(...docs.update),
      evaluate_median_ms: median(docs.evaluate), update_ms: rounded(docs.update),
    });
    assertAgree(docs, 'docs example + log');
    // 200 pods and 100 policies with the log still loaded (read once more for the new
    // endpoints on the paste, then replayed on each keystroke).
    await hooks.editor(page).evaluate((ta, t) => {
      ta.value = t;
      ta.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
    }, bigCluster());
    await hooks.endpoint(page, 'ns-9/pod-19').first().waitFor();
    const big = await typeAndMeasure(page, [...'\n# typing']);
    console.log(`200 pods + log: outside median ${median(big.outside).toFixed(1)} ms; netpol:update median ${median(big.update).toFixed(1)} ms, max ${Math.max(...big.update).toFixed(1)} ms; evaluate median ${median(big.evaluate).toFixed(1)} ms`);
    record('200 pods / 100 policies + 20,000-line Hubble log', {
      outside_median_ms: median(big.outside), outside_ms: rounded(big.outside),
      update_median_ms: median(big.update), update_max_ms: Math.max(...big.update),
      evaluate_median_ms: median(big.evaluate), update_ms: rounded(big.update),
    });
    assertAgree(big, '200 pods / 100 policies + log');
  });
});
