// Helpers for the app feature tests (tests/e2e/app-*.test.mjs): pointer drags between
// diagram nodes, the docs' files as one paste, reading the app's performance measures, and
// typing key by key while timing each keystroke from outside the app as the app times it.

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { OUT_DIR, REPO_DIR, hooks } from './lib/harness.mjs';

export const POD1 = 'team-one-namespace/pod-1';
export const POD2 = 'team-one-namespace/pod-2';
export const POD3 = 'team-two-namespace/pod-3';

/** The docs' files (tests/fixtures/docs-example) as one multi-document paste. */
export async function docsFiles() {
  const dir = join(REPO_DIR, 'tests', 'fixtures', 'docs-example');
  const names = [
    'cluster.yaml',
    'namespace-default-team-one.yaml',
    'namespace-default-team-two.yaml',
    'pod-1-networkpolicy.yaml',
    'pod-2-networkpolicy.yaml',
    'pod-3-networkpolicy.yaml',
  ];
  const texts = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
  return texts.map((t) => t.trimEnd()).join('\n---\n') + '\n';
}

/** Closes the inspector (it floats over the diagram's right side). Closing hands focus back
 *  to the node or arrow it was about a task later; this returns once that has happened, so a
 *  focus the test moves next is not taken back by the app (a race a loaded CI machine lost). */
export async function closeInspector(page) {
  const close = page.locator('.inspector [aria-label="Close"]');
  if (!(await close.count())) return;
  await close.first().click();
  await page.locator('aside.inspector').waitFor({ state: 'detached' });
  await appTasksRun(page);
}

/** Waits until the tasks the app queued so far with a zero delay (focus moves after a
 *  render) have run: a timer queued now fires after them. */
export async function appTasksRun(page) {
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

/** Presses on one node, moves in steps, releases on another: the way a person draws an arrow. */
export async function dragArrow(page, from, to) {
  await closeInspector(page);
  const a = await hooks.endpoint(page, from).first().boundingBox();
  const b = await hooks.endpoint(page, to).first().boundingBox();
  if (!a || !b) throw new Error(`node ${!a ? from : to} is not on screen`);
  // 65% across: away from the move grip on the node's left.
  await page.mouse.move(a.x + a.width * 0.65, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width * 0.65 + 12, a.y + a.height / 2 + 6, { steps: 3 });
  await page.mouse.move(b.x + b.width * 0.65, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** The app's `netpol:*` performance measures, by name, in ms. */
export async function measures(page, name = 'netpol:update') {
  return page.evaluate(
    (n) => performance.getEntriesByName(n, 'measure').map((m) => m.duration),
    name,
  );
}

/** Clears the recorded measures (so a test reads only its own). */
export async function clearMeasures(page) {
  await page.evaluate(() => performance.clearMeasures());
}

/** How long one keystroke may take to show any update at all before the test says it got
 * none: a liveness bound, far above any budget, not a speed check. */
export const NO_UPDATE_MS = 15000;

/**
 * Installs, once per page, the outside view of an edit: a capture-phase `input` listener
 * notes the event's `timeStamp` and a MutationObserver on the whole document notes when
 * mutations arrive, so a keystroke's time is input event → last DOM mutation it causes,
 * the definition the app's `netpol:update` measure uses (crates/web/src/update_timer.rs).
 */
async function watchEdits(page) {
  await page.evaluate(() => {
    if (window.__edits) return;
    const w = { input: NaN, last: NaN, mutations: 0 };
    window.__edits = w;
    document.addEventListener('input', (e) => { w.input = e.timeStamp; w.last = NaN; }, { capture: true });
    new MutationObserver(() => { w.last = performance.now(); w.mutations += 1; })
      .observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

/** Resolves once the DOM has been quiet for two frames and the app has closed measure
 * `n + 1`, with that keystroke's time from outside: last mutation − input (0 when the
 * keystroke changed nothing on the page). */
async function settled(page, n) {
  return page.evaluate(
    ([n, limit]) =>
      new Promise((done, fail) => {
        const w = window.__edits;
        const t0 = performance.now();
        let seen = w.mutations;
        let quiet = 0;
        const frame = () => {
          if (w.mutations !== seen) { seen = w.mutations; quiet = 0; } else quiet += 1;
          const closed = performance.getEntriesByName('netpol:update', 'measure').length > n;
          if (quiet >= 2 && closed) done(Number.isNaN(w.last) ? 0 : Math.max(0, w.last - w.input));
          else if (performance.now() - t0 > limit) fail(new Error('no netpol:update'));
          else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
    [n, NO_UPDATE_MS],
  );
}

/**
 * Types `keys` one at a time, each once the previous one's update has landed and the page
 * is quiet (a person types about one key per 100 ms; keys typed faster are coalesced into
 * one update, which would hide the per-key figure). A key is a character to type or a key
 * name to press (`Backspace`). The caret is where the editor has it, or at the end with
 * `{ atEnd: true }`. Fails, naming the key, when a keystroke produces no update. Returns
 * every keystroke's figures in order: `outside` (input event → last DOM mutation, seen from
 * the page), `update` (the app's `netpol:update`), `evaluate` (the engine alone).
 */
export async function typeAndMeasure(page, keys, { atEnd = true } = {}) {
  const editor = hooks.editor(page);
  await editor.focus();
  if (atEnd) await page.keyboard.press('Control+End');
  await watchEdits(page);
  await clearMeasures(page);
  const outside = [];
  for (const [i, k] of keys.entries()) {
    if (k.length > 1 && /^[A-Z][A-Za-z]+$/.test(k)) await page.keyboard.press(k);
    else await page.keyboard.type(k);
    outside.push(
      await settled(page, i).catch(() => {
        throw new Error(`keystroke ${i + 1} of ${keys.length} (${JSON.stringify(k)}) produced no netpol:update`);
      }),
    );
  }
  const update = await measures(page, 'netpol:update');
  const evaluate = await measures(page, 'netpol:evaluate');
  return { outside, update, evaluate };
}

/**
 * Puts the editor's caret right after `port: 8080` in policy `policy` and scrolls it into
 * view (an arrow key left and right: the scroll is not part of the first measured
 * keystroke), so keys typed next change that port number.
 */
export async function caretAfterPort(page, policy) {
  await hooks.editor(page).evaluate((ta, name) => {
    const at = ta.value.indexOf(`name: ${name}\n`);
    // A NetworkPolicy's port is a number, a CiliumNetworkPolicy's a string.
    const spelling = ['port: 8080', 'port: "8080'].find((p) => ta.value.indexOf(p, at) >= 0);
    const port = spelling ? ta.value.indexOf(spelling, at) : -1;
    if (at < 0 || port < 0) throw new Error(`no port: 8080 in ${name}`);
    ta.focus();
    const end = port + spelling.length;
    ta.setSelectionRange(end, end);
  }, policy);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(300);
}

/** Port-changing keystrokes from `port: 8080`: every one changes the number (808, 8081,
 * 808, 8082, … 808, 8080), 16 in all, ending where they started. */
export const PORT_KEYS = [
  'Backspace',
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((d) => [String(d), 'Backspace']),
  '0',
];

/** The keystroke figures of `typeAndMeasure`, as the fields of tests/e2e/out/perf.json. */
export function keystrokeFigures({ outside, update, evaluate }) {
  const ms = (xs) => xs.map((x) => Number(x.toFixed(2)));
  const spread = (xs) => [Number(Math.min(...xs).toFixed(2)), Number(Math.max(...xs).toFixed(2))];
  return {
    keystrokes: update.length,
    outside_median_ms: median(outside), outside_range_ms: spread(outside),
    update_median_ms: median(update), update_range_ms: spread(update),
    evaluate_median_ms: median(evaluate), evaluate_max_ms: Math.max(...evaluate),
    outside_ms: ms(outside), update_ms: ms(update), evaluate_ms: ms(evaluate),
  };
}

/**
 * Checks that the app's own `netpol:update` agrees with the outside measure: one per
 * keystroke, and medians within 10% (plus half a millisecond, for the docs' example's
 * small figures). Per keystroke they may differ now and then: each side decides that the
 * page is quiet on its own frames, so a late mutation (a timer's) can land in one window
 * and not the other; the medians do not move for that.
 */
export function assertAgree({ outside, update }, what) {
  assert.equal(update.length, outside.length, `${what}: one netpol:update per keystroke: ${update.length} for ${outside.length} keys`);
  const [o, a] = [median(outside), median(update)];
  assert.ok(
    Math.abs(a - o) <= 0.1 * o + 0.5,
    `${what}: the app's netpol:update median ${a.toFixed(1)} ms disagrees with the outside measure's ${o.toFixed(1)} ms`,
  );
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

/** N namespaces × pods with M policies, as one YAML string (the 200 pods / 100 policies case). */
export function bigCluster({ namespaces = 10, podsPerNamespace = 20, policies = 100, prefix = 'ns', cilium = false } = {}) {
  const docs = [];
  for (let n = 0; n < namespaces; n++) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${prefix}-${n}\n  labels:\n    team: t${n % 4}`);
    for (let p = 0; p < podsPerNamespace; p++) {
      docs.push(
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-${p}\n  namespace: ${prefix}-${n}\n  labels:\n    app: app-${p}\n    tier: t${p % 3}\nspec:\n  containers:\n    - name: c\n      image: nginx\n      ports:\n        - name: http\n          containerPort: 8080`,
      );
    }
  }
  for (let i = 0; i < policies; i++) {
    const n = i % namespaces;
    if (cilium && i % 2 === 1) {
      // The same policy as a CiliumNetworkPolicy (issue 22: half the policies Cilium ones).
      docs.push(
        `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: pol-${i}\n  namespace: ${prefix}-${n}\nspec:\n  endpointSelector:\n    matchLabels:\n      app: app-${i % podsPerNamespace}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            k8s:io.cilium.k8s.namespace.labels.team: t${i % 4}\n            tier: t${i % 3}\n      toPorts:\n        - ports:\n            - port: "8080"\n              protocol: TCP\n  egress:\n    - toEndpoints:\n        - matchLabels:\n            app: app-${(i + 1) % podsPerNamespace}\n    - toCIDRSet:\n        - cidr: 0.0.0.0/0\n          except: [10.0.0.0/8]`,
      );
      continue;
    }
    docs.push(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: pol-${i}\n  namespace: ${prefix}-${n}\nspec:\n  podSelector:\n    matchLabels:\n      app: app-${i % podsPerNamespace}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: t${i % 4}\n          podSelector:\n            matchLabels:\n              tier: t${i % 3}\n      ports:\n        - port: 8080\n  egress:\n    - to:\n        - podSelector:\n            matchLabels:\n              app: app-${(i + 1) % podsPerNamespace}\n    - to:\n        - ipBlock:\n            cidr: 0.0.0.0/0\n            except: [10.0.0.0/8]`,
    );
  }
  return docs.join('\n---\n') + '\n';
}

/** Replaces the editor text in one input event, as a real paste does (Playwright's fill is
 * slow on 100 KB). */
export async function paste(page, text) {
  await hooks.editor(page).evaluate((ta, t) => {
    ta.value = t;
    ta.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, text);
}

/** An example's manifests, as `www/examples/<name>.yaml` holds them. */
export const example = (name) => readFile(join(REPO_DIR, 'www', 'examples', `${name}.yaml`), 'utf8');

/** The 1-based line of the first line of `text` that contains `needle`. */
export const lineOf = (text, needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** Saves a PNG of one element (the inspector, the explanation) to out/<name>.png. */
export async function shot(locator, name) {
  await mkdir(OUT_DIR, { recursive: true });
  await locator.screenshot({ path: join(OUT_DIR, `${name}.png`) });
}

/** Tall enough for a whole explanation with two sides in the output pane. */
export const TALL = { viewport: { width: 1280, height: 1500 } };

/** Switches the theme and waits for the colours to settle. */
export async function setTheme(page, theme) {
  await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
  await page.waitForTimeout(300);
}

/** Clicks the allowed flow `from → to` on the diagram and waits for its inspector. */
export async function openFlow(page, from, to) {
  const flow = page.locator(`[data-flow-from="${from}"][data-flow-to="${to}"]`);
  await flow.waitFor({ state: 'attached' });
  // A click event on the flow itself: its middle may lie under a node the line passes.
  await flow.dispatchEvent('click');
  const inspector = page.getByRole('complementary', { name: 'Selection details' });
  await inspector.locator(`h3[title="${from} → ${to}"]`).waitFor();
  await inspector.locator('.tier-badge').first().waitFor();
  return inspector;
}
