// Issue 5, features 2 and 3 (drawing and output): a pointer drag draws an arrow and the
// generated YAML gets the sender's Egress and the receiver's Ingress; arrows take ports and
// can be deleted; namespaces, pods and externals are added without YAML; the keyboard path
// draws arrows too; the flows toggle, truth table and explain tab answer from the engine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hooks, reveal, screenshot, setupHarness, waitForApp, withApp } from './lib/harness.mjs';
import { POD1, POD2, POD3, closeInspector, dragArrow } from './app-helpers.mjs';

const h = setupHarness();

async function generatedText(page) {
  await reveal(page, hooks.generated(page), 'Generated', 'attached');
  return hooks.generated(page).textContent();
}

/** The endpoint id of the diagram node that has keyboard focus, if any. */
async function focusedEndpoint(page) {
  return page.evaluate(() => document.activeElement?.closest('[data-endpoint]')?.dataset.endpoint ?? null);
}

test('dragging pod-1 onto pod-2 generates the sender Egress and the receiver Ingress', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    await hooks.endpoint(page, POD1).first().waitFor();
    assert.equal(await hooks.arrow(page, POD1, POD2).count(), 0);
    await dragArrow(page, POD1, POD2);
    const arrow = hooks.arrow(page, POD1, POD2);
    await arrow.waitFor();
    assert.equal(await arrow.getAttribute('data-verdict'), 'allowed');

    const yaml = await generatedText(page);
    const docs = yaml.split(/^---$/m);
    const sender = docs.find((d) => /namespace: team-one-namespace/.test(d) && /app: pod-1/.test(d.split('spec:')[1] ?? ''));
    const receiver = docs.find((d) => /namespace: team-one-namespace/.test(d) && /app: pod-2/.test(d.split('spec:')[1] ?? '') && /ingress:/.test(d));
    assert.ok(sender, `a policy selecting pod-1 in:\n${yaml}`);
    assert.match(sender, /policyTypes:\s*\n\s*- Egress/);
    assert.match(sender, /egress:/);
    assert.ok(receiver, `a policy selecting pod-2 with ingress in:\n${yaml}`);
    assert.match(receiver, /- Ingress/);
    await screenshot(page, 'app-drawn-arrow');

    // Ports on the arrow, from its inspector.
    await arrow.locator('.edge-hit').click({ force: true });
    await page.getByLabel('Ports', { exact: true }).fill('8080/TCP');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => /8080\/TCP asked/.test(document.querySelector('[data-from][data-verdict]')?.getAttribute('aria-label') ?? ''));
    assert.match(await generatedText(page), /port: 8080/);
    // A bad port list says what is wrong and changes nothing.
    await page.getByLabel('Ports', { exact: true }).fill('99999/TCP');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.inspector .field-error').waitFor();

    // Delete it: the generated policies go away.
    await page.getByRole('button', { name: 'Delete arrow' }).click();
    await arrow.waitFor({ state: 'detached' });
    assert.equal((await generatedText(page)).trim(), '');
  });
});

test('namespaces, pods and externals are added from the diagram; the keyboard draws arrows', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Namespace', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('team-three');
    await page.getByLabel('Labels', { exact: true }).fill('team=three');
    await page.getByRole('button', { name: 'Add namespace' }).click();
    await page.locator('[data-namespace="team-three"]').waitFor();

    await page.getByRole('button', { name: 'Pod', exact: true }).click();
    await page.getByLabel('Namespace', { exact: true }).selectOption('team-three');
    await page.getByLabel('Name', { exact: true }).fill('Bad_Name');
    await page.getByRole('button', { name: 'Add pod' }).click();
    await page.locator('.modal .field-error').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('api');
    await page.getByRole('button', { name: 'Add pod' }).click();
    await hooks.endpoint(page, 'team-three/api').waitFor();
    assert.match(await hooks.endpoint(page, 'team-three/api').getAttribute('aria-label'), /app=api/);

    await page.getByRole('button', { name: 'External', exact: true }).click();
    await page.getByRole('button', { name: /Internet 0\.0\.0\.0\/0/ }).click();
    await hooks.endpoint(page, 'ip:0.0.0.0/0').waitFor();
    await closeInspector(page);
    // Closing the inspector hands focus back to the node it was about.
    assert.equal(await focusedEndpoint(page), 'ip:0.0.0.0/0');

    // Keyboard: focus a node, Enter, focus another, Enter.
    await hooks.endpoint(page, 'team-three/api').focus();
    assert.equal(await focusedEndpoint(page), 'team-three/api');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Drawing an arrow from team-three/api' }).waitFor();
    await hooks.endpoint(page, 'ip:0.0.0.0/0').focus();
    await page.keyboard.press('Enter');
    const arrow = hooks.arrow(page, 'team-three/api', 'ip:0.0.0.0/0');
    await arrow.waitFor();
    assert.equal(await arrow.getAttribute('data-verdict'), 'allowed');
    // Delete with the keyboard.
    await arrow.focus();
    await page.keyboard.press('Delete');
    await arrow.waitFor({ state: 'detached' });

    // Arrow keys move the focused node, and it keeps its place.
    const node = hooks.endpoint(page, 'team-three/api');
    const before = await node.boundingBox();
    await node.focus();
    await page.keyboard.press('Shift+ArrowDown');
    await page.waitForFunction(
      (y) => document.querySelector('[data-endpoint="team-three/api"]').getBoundingClientRect().y > y + 5,
      before.y,
    );
    await screenshot(page, 'app-added-from-diagram');
  });
});

test('a node dragged by its grip keeps its place across a reload', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    const grip = hooks.endpoint(page, POD3).locator('.grip');
    const g = await grip.boundingBox();
    const before = await hooks.endpoint(page, POD3).boundingBox();
    await page.mouse.move(g.x + g.width / 2, g.y + g.height / 2);
    await page.mouse.down();
    await page.mouse.move(g.x + 60, g.y + 40, { steps: 10 });
    await page.mouse.up();
    const after = await hooks.endpoint(page, POD3).boundingBox();
    assert.ok(after.x > before.x + 20 && after.y > before.y + 10, 'the node moved under the pointer');
    // No arrow was drawn by moving.
    assert.equal(await page.locator('[data-from][data-verdict]').count(), 0);
    // Its place in the diagram's coordinates survives a reload (the view itself refits).
    const place = await hooks.endpoint(page, POD3).getAttribute('transform');
    await page.reload();
    await waitForApp(page);
    assert.equal(await hooks.endpoint(page, POD3).getAttribute('transform'), place);
  });
});

test('allowed flows, truth table and explain come from the engine', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    // The docs example shows every allowed flow: pod-1 -> pod-2 but not pod-1 -> pod-3.
    await page.locator(`[data-flow-from="${POD1}"][data-flow-to="${POD2}"]`).waitFor({ state: 'attached' });
    assert.equal(await page.locator(`[data-flow-from="${POD1}"][data-flow-to="${POD3}"]`).count(), 0);
    await page.getByText('Allowed flows', { exact: true }).click();
    await page.locator('.flow').first().waitFor({ state: 'detached' });

    await page.getByRole('tab', { name: /^Truth table/ }).click();
    const cell = page.getByRole('button', { name: `${POD1} to ${POD3} on 8080/TCP: denied` });
    await cell.waitFor();
    await page.getByRole('button', { name: `${POD1} to ${POD2} on 8080/TCP: allowed` }).waitFor();
    await cell.click();
    // The cell opens the Explain tab on that pair.
    await page.getByRole('tab', { name: /^Explain/, selected: true }).waitFor();
    const explanation = page.locator('.explain-tab .explanation');
    await explanation.waitFor();
    const text = await explanation.innerText();
    assert.match(text, /Denied/i);
    assert.match(text, /pod-1-netpol/);
    assert.match(text, /pod-3-netpol/);
    await screenshot(page, 'app-explain');
    // Change the question: pod-2 -> pod-3 is allowed.
    await page.getByLabel('From', { exact: true }).selectOption(POD2);
    await page.locator('.explain-tab .explanation.allowed').waitFor();
  });
});

test('the diagram exports as SVG and PNG', async () => {
  await withApp(h, '?example=docs', async (app) => {
    const { page } = app;
    for (const [item, name, magic] of [
      ['Diagram as SVG', 'netpol-diagram.svg', '<?xml'],
      ['Diagram as PNG', 'netpol-diagram.png', '\x89PNG'],
    ]) {
      await page.getByRole('button', { name: 'Export' }).click();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('menuitem', { name: new RegExp(item) }).click(),
      ]);
      assert.equal(download.suggestedFilename(), name);
      const stream = await download.createReadStream();
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      const body = Buffer.concat(chunks);
      assert.ok(body.length > 2000, `${name} has content (${body.length} bytes)`);
      assert.equal(body.subarray(0, magic.length).toString('latin1'), magic);
      if (name.endsWith('.svg')) {
        const svg = body.toString('utf8');
        assert.match(svg, /<style>/, 'styles travel with the SVG');
        assert.match(svg, /pod-1/);
        assert.doesNotMatch(svg, /class="grip/, 'no move handles in the export');
      }
    }
  });
});
