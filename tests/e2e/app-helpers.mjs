// Helpers for the app feature tests (tests/e2e/app-*.test.mjs): pointer drags between
// diagram nodes, the docs' files as one paste, and reading the app's performance measures.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_DIR, hooks } from './lib/harness.mjs';

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

/** Closes the inspector (it floats over the diagram's right side). */
export async function closeInspector(page) {
  const close = page.locator('.inspector [aria-label="Close"]');
  if (await close.count()) await close.first().click();
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

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

/** N namespaces × pods with M policies, as one YAML string (the 200 pods / 100 policies case). */
export function bigCluster({ namespaces = 10, podsPerNamespace = 20, policies = 100, prefix = 'ns' } = {}) {
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
