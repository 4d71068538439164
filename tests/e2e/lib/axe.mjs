// Accessibility audits with axe-core (a dev dependency of tests/e2e, pinned in
// package-lock.json), injected into the page under test and run in Debian's Chromium.
//
// - audit(page): axe's violations on the page as it is now, every rule axe runs by default
//   (WCAG 2.x A and AA plus best practices), each with the nodes it found.
// - blocking(violations): the serious and critical ones, which the suite does not accept.
// - report(violations): one readable line per rule and node, for assertion messages and logs.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let axeSource = null;

/**
 * Runs axe-core on the whole document.
 * @returns {Promise<{id: string, impact: string, help: string, nodes: {target: string, html: string, summary: string}[]}[]>}
 */
export async function audit(page) {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(' '),
        html: n.html.replace(/\s+/g, ' ').slice(0, 140),
        summary: (n.failureSummary ?? '').replace(/\s+/g, ' '),
      })),
    }));
  });
}

/** The violations a person with a disability would be blocked or seriously hindered by. */
export function blocking(violations) {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The violations as text: one header per rule, one line per node (at most `perRule`). */
export function report(violations, perRule = 8) {
  const lines = [];
  for (const v of violations) {
    lines.push(`${v.impact} ${v.id} (${v.nodes.length} nodes): ${v.help}`);
    for (const n of v.nodes.slice(0, perRule)) lines.push(`    ${n.target}  ${n.html}\n      ${n.summary}`);
    if (v.nodes.length > perRule) lines.push(`    … ${v.nodes.length - perRule} more`);
  }
  return lines.join('\n');
}
