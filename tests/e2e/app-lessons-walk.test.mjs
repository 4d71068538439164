// Issue 10: every lesson of the course walked through in the browser, and the goal shown on
// the diagram.
//
// The walk-through takes www/lessons/ as the engine reads it (tests/e2e/lesson-files.mjs runs
// `netpol lesson show FILE -o json`) and, for each lesson:
// opens `?lesson=<id>`, checks the start is not done, completes the lesson the way its
// solution says (typing the manifests, or drawing the arrows and typing their ports) and
// checks the panel says done and every goal chip on the diagram is met, then the same with
// one of its right answers; then, from done, loads every known wrong answer the page can
// make (typed manifests, arrows between pods) and checks the panel turns back to not done:
// with the goal line it fails marked not met in the panel and on the diagram (or the rule it
// breaks marked in the panel), or, for one that a probe catches, with the difference from
// the solution in the panel, and for the first of those, its probe on the diagram while the
// explanation is open. Last, the lesson list shows the whole course done. One browser and one
// page for all of it; every wait is on a condition, none is a fixed sleep.
//
// The goal overlay test clicks and keyboard-activates goal chips, compares the inspector's
// explanation with the panel's "Why?", and takes screenshots in both themes (out/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hooks, screenshot, setupHarness, waitForApp, withApp } from './lib/harness.mjs';
import { dragArrow, paste, POD1, POD2 } from './app-helpers.mjs';
import { parseArrow, readCourse, readLesson, sameDrawnObjects, walkable } from './lesson-files.mjs';

const h = setupHarness();
const WIDE = { viewport: { width: 1440, height: 900 } };

const panel = (page) => page.getByRole('complementary', { name: 'Lesson' });
const goalList = (page) => page.getByRole('list', { name: 'Goal', exact: true });
const rulesList = (page) => page.getByRole('list', { name: 'Constraints', exact: true });
const panelGoal = (page, i) => goalList(page).locator(`li[data-goal-index="${i}"]`);
const chips = (page) => page.locator('svg .goal-chips .goal-chip');
const chip = (page, i) => page.locator(`svg .goal-chips .goal-chip[data-goal-index="${i}"]`);
const done = (page) => panel(page).getByText('Goal reached.');

/** Switches the theme; transitions are off (`stillStyles`) so the screenshot is of one theme. */
async function setTheme(page, theme) {
  await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
}

async function stillStyles(page) {
  await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' });
}

/** Opens `?lesson=<id>` and waits for its panel, goal checklist and goal overlay. */
async function openLesson(page, lesson) {
  await page.goto(h.server.url(`?lesson=${lesson.id}`));
  await waitForApp(page);
  await page.locator(`.lesson-panel[data-lesson="${lesson.id}"]`).waitFor();
  await panelGoal(page, 0).waitFor();
  await chips(page).first().waitFor();
}

/** Waits until every goal line and rule is met and the panel says so; else fails saying
 * what is still not met. */
async function waitDone(page, lesson, what) {
  try {
    await page.waitForFunction((n) => {
      const items = [...document.querySelectorAll('[aria-label="Goal"] li[data-met]')];
      const rules = [...document.querySelectorAll('[aria-label="Constraints"] li[data-met]')];
      return items.length === n && [...items, ...rules].every((li) => li.dataset.met === 'true');
    }, lesson.goal.length);
    await done(page).waitFor();
  } catch (e) {
    const left = await page
      .locator('.lesson-panel li[data-met="false"]')
      .evaluateAll((lis) => lis.map((li) => li.dataset.expectation ?? li.innerText.trim()));
    throw new Error(`${lesson.file}: ${what} does not complete the lesson in the browser; not met: ${JSON.stringify(left)} (${e.message.split('\n')[0]})`);
  }
}

/** Makes the workspace `ws`: its manifests typed into the editor, its arrows drawn (when
 * the arrows must change, the lesson restarts first, so only `ws`'s arrows are there). */
async function enter(page, lesson, ws, drawn) {
  if (!sameDrawnObjects(ws, lesson.start)) {
    throw new Error(`${lesson.file}: the walk-through types manifests and draws arrows; this workspace also draws pods, namespaces, addresses or options`);
  }
  const arrows = JSON.stringify(ws.arrows);
  if (arrows !== JSON.stringify(drawn.arrows)) {
    if (drawn.arrows.length > 0) await restart(page, lesson);
    drawn.arrows = [];
    for (const a of ws.arrows) await drawArrow(page, a);
    drawn.arrows = ws.arrows;
  }
  if ((await hooks.editor(page).inputValue()) !== ws.manifests) await paste(page, ws.manifests);
}

/** Restart: the lesson's start again (the panel asks first, the work being changed). */
async function restart(page, lesson) {
  await panel(page).getByRole('button', { name: 'Restart' }).click();
  const dialog = page.getByRole('dialog', { name: 'Replace your work?' });
  if (await dialog.isVisible()) await dialog.getByRole('button', { name: /Discard/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('svg .arrows [data-verdict]').length === 0);
  await page.locator(`.lesson-panel[data-lesson="${lesson.id}"]`).waitFor();
  await panelGoal(page, 0).waitFor();
}

/** Drags an arrow (`ns/a -> ns/b:8080/TCP`, as the engine writes it) between two nodes,
 * then types its ports into the inspector. */
async function drawArrow(page, arrow) {
  const { from, to, ports } = parseArrow(arrow);
  await dragArrow(page, from, to);
  await hooks.arrow(page, from, to).first().waitFor();
  const field = page.locator('.inspector #arrow-ports');
  await field.waitFor();
  if (ports) {
    await field.fill(ports);
    await page.locator('.inspector').getByRole('button', { name: 'Apply' }).click();
    // The arrow's accessible name says which ports it asks for: no longer all of them.
    await page.waitForFunction(
      ({ from, to }) => {
        const label = document.querySelector(`[data-from="${from}"][data-to="${to}"][data-verdict]`)?.getAttribute('aria-label') ?? '';
        return label.includes(' asked, ') && !label.includes('all ports asked');
      },
      { from, to },
    );
  }
}

/** The wrong answer is shown not done, with what it fails marked in the panel and on the diagram. */
async function checkRefused(page, lesson, wrong) {
  const what = `${lesson.file}: wrong answer “${wrong.title}”`;
  await done(page)
    .waitFor({ state: 'detached' })
    .catch(() => assert.fail(`${what} is shown as done`));
  if (wrong.fails === null) {
    // Caught on a probe: the panel says how it differs from the solution.
    const message = panel(page).locator('.lesson-difference .difference-message');
    await message.waitFor().catch(() => assert.fail(`${what}: no difference from the solution is shown`));
    assert.match(await message.innerText(), /^Your policies /, what);
  } else if (wrong.fails.goal !== undefined) {
    const i = wrong.fails.goal;
    await page.waitForFunction(
      (i) => document.querySelector(`[aria-label="Goal"] li[data-goal-index="${i}"]`)?.dataset.met === 'false',
      i,
    );
    const c = chip(page, i);
    assert.equal(await c.getAttribute('data-met'), 'false', `${what}: the diagram marks goal line ${i} not met`);
    assert.ok(await c.isVisible(), `${what}: goal line ${i} is visible on the diagram`);
    assert.match(await c.getAttribute('aria-label'), /^✕ (allow|block) [0-9]+\/[A-Z]+\. Goal not met: /, what);
  } else {
    const i = wrong.fails.constraint;
    await page.waitForFunction(
      (i) => document.querySelectorAll('[aria-label="Constraints"] li[data-met]')[i]?.dataset.met === 'false',
      i,
    );
    assert.ok(await rulesList(page).locator('li[data-met]').nth(i).isVisible(), `${what}: the broken rule is visible`);
  }
  assert.equal(await done(page).count(), 0, `${what}: the panel does not say done`);
}

/** Opens the difference's explanation: both sides explained in the panel, and its probe (if
 * it names one) on the diagram until it is closed. True when a probe was shown. */
async function checkProbeShown(page, lesson, wrong) {
  const what = `${lesson.file}: wrong answer “${wrong.title}”`;
  const section = panel(page).locator('.lesson-difference');
  await section.getByRole('button', { name: /^Why\?/ }).click();
  await section.locator('.difference-why .explanation').nth(1).waitFor();
  await page.locator('svg .probe-layer').waitFor();
  const probes = await page.locator('svg .probe-layer [data-probe]').count();
  await section.getByRole('button', { name: 'Hide' }).click();
  await page.locator('svg .probe-layer').waitFor({ state: 'detached' });
  assert.equal(await page.locator('svg [data-probe]').count(), 0, `${what}: the probe leaves the diagram`);
  return probes > 0;
}

test('every lesson is completed in the browser, and every known wrong answer is refused', async () => {
  const course = await readCourse();
  assert.ok(course.length >= 17, `the course has ${course.length} lessons`);
  // The tier lessons are 21 and 22: lessons are appended after them (23, Cilium's
  // `world`), so no lesson's number changes.
  assert.deepEqual(
    course.slice(20, 22).map((l) => l.id),
    ['admin-beats-networkpolicy', 'baseline-is-only-a-default'],
  );
  await withApp(h, '', WIDE, async (app) => {
    const { page } = app;
    for (const lesson of course) {
      await openLesson(page, lesson);
      assert.equal(await done(page).count(), 0, `${lesson.file}: the start is not done`);
      if (lesson.flows) {
        // A lesson with a recorded log opens with it replayed on the diagram.
        await page.locator('svg [data-observed-from]').first().waitFor();
      }
      assert.equal(await chips(page).count(), lesson.goal.length, `${lesson.file}: every goal line is on the diagram`);
      assert.ok(lesson.wrongAnswers.length > 0, `${lesson.file}: lists wrong answers`);
      // Done first, then each wrong answer from done: the panel must turn back to not done.
      const drawn = { arrows: [] };
      await enter(page, lesson, lesson.solution, drawn);
      await waitDone(page, lesson, 'the solution');
      const chipStates = await chips(page).evaluateAll((cs) => cs.map((c) => c.dataset.met));
      assert.deepEqual(chipStates, lesson.goal.map(() => 'true'), `${lesson.file}: every goal chip is met`);
      const right = lesson.rightAnswers.find((r) => walkable(r.workspace, lesson.start));
      assert.ok(right, `${lesson.file}: a right answer the walk-through can type or draw`);
      await enter(page, lesson, right.workspace, drawn);
      await waitDone(page, lesson, `right answer “${right.title}”`);
      const wrongs = lesson.wrongAnswers.filter((w) => walkable(w.workspace, lesson.start));
      assert.ok(wrongs.some((w) => w.fails === null), `${lesson.file}: a wrong answer caught on a probe`);
      let probeShown = false;
      for (const wrong of wrongs) {
        await enter(page, lesson, wrong.workspace, drawn);
        await checkRefused(page, lesson, wrong);
        if (wrong.fails === null && !probeShown) probeShown = await checkProbeShown(page, lesson, wrong);
        await enter(page, lesson, lesson.solution, drawn);
        await waitDone(page, lesson, `the solution (after “${wrong.title}”)`);
      }
    }
    // The course list shows every lesson done.
    await page.getByRole('button', { name: 'Lessons', exact: true }).click();
    const list = page.getByRole('list', { name: 'Lessons', exact: true });
    await list.waitFor();
    for (const lesson of course) {
      assert.equal(await list.locator(`[data-lesson="${lesson.id}"]`).getAttribute('data-done'), 'true', lesson.id);
    }
  });
});

test('the goal on the diagram: chips met or not, the explanation on click and Enter, both themes', async () => {
  const lesson = await readLesson('09-draw-the-diagram.yaml');
  await withApp(h, `?lesson=${lesson.id}`, WIDE, async (app) => {
    const { page } = app;
    await stillStyles(page);
    await chips(page).first().waitFor();
    assert.equal(await chips(page).count(), lesson.goal.length);
    // Chips and the panel agree, line by line.
    for (let i = 0; i < lesson.goal.length; i++) {
      assert.equal(await chip(page, i).getAttribute('data-met'), await panelGoal(page, i).getAttribute('data-met'), `line ${i}`);
      assert.equal(await chip(page, i).getAttribute('data-expectation'), await panelGoal(page, i).getAttribute('data-expectation'));
    }
    // A line not met says what the lesson asks in words; a met one is a small ✓ square whose
    // accessible name says the rest.
    const blocked = lesson.goal.findIndex((g) => !g.allowed);
    const unmet = lesson.goal.findIndex((g) => g.allowed);
    assert.equal(await chip(page, unmet).getAttribute('data-met'), 'false');
    assert.equal(await chip(page, unmet).locator('.goal-chip-text').textContent(), 'allow 8080/TCP');
    assert.equal(await chip(page, blocked).getAttribute('data-met'), 'true');
    assert.equal(await chip(page, blocked).locator('.goal-chip-text').count(), 0);
    assert.match(await chip(page, blocked).getAttribute('aria-label'), /^✓ block [0-9]+\/[A-Z]+\. Goal met: .* must stay blocked \(blocked now\)/);
    // Goal arcs are not drawn arrows: nothing in the arrow layer yet, arcs in their own.
    assert.equal(await page.locator('svg .arrows [data-verdict]').count(), 0);
    assert.ok((await page.locator('svg .goals .goal').count()) > 0);
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `lesson-goal-unmet-${theme}`);
    }

    // Click an unmet line: the inspector shows the engine's explanation, the same as "Why?".
    await chip(page, unmet).click();
    const details = page.locator(`.inspector .goal-details[data-goal-index="${unmet}"]`);
    await details.locator('.explanation').waitFor();
    assert.equal(await details.getAttribute('data-met'), 'false');
    assert.match(await details.locator('.headline').innerText(), /must be allowed; it is blocked now/);
    assert.equal(await panelGoal(page, unmet).getAttribute('aria-current'), 'true', 'the panel marks the line selected on the diagram');
    await panelGoal(page, unmet).getByRole('button', { name: 'Why?' }).click();
    const why = panelGoal(page, unmet).locator('.explanation');
    await why.waitFor();
    assert.equal(await details.locator('.explanation').textContent(), await why.textContent());
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `lesson-goal-explained-${theme}`);
    }

    // The keyboard: Enter on a focused chip selects it (and gives it words), Escape lets go.
    await chip(page, blocked).focus();
    await page.keyboard.press('Enter');
    await page.locator(`.inspector .goal-details[data-goal-index="${blocked}"]`).waitFor();
    assert.match(await page.locator('.inspector .headline').innerText(), /must stay blocked; it is blocked now/);
    assert.match(await chip(page, blocked).locator('.goal-chip-text').textContent(), /^block /);
    await page.keyboard.press('Escape');
    await page.locator('.inspector').waitFor({ state: 'detached' });

    // Drawing the solution turns every chip met.
    for (const a of lesson.solution.arrows) await drawArrow(page, a);
    await page.waitForFunction(() => [...document.querySelectorAll('svg .goal-chips .goal-chip')].every((c) => c.dataset.met === 'true'));
    await done(page).waitFor();
    await page.locator('.inspector [aria-label="Close"]').click();
    await page.locator('svg .goals .goal.unmet').waitFor({ state: 'detached' });
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `lesson-goal-met-${theme}`);
    }

    // The panel's switch hides the overlay and brings it back.
    const toggle = panel(page).getByRole('switch', { name: 'On the diagram' });
    const label = panel(page).locator('label.switch', { hasText: 'On the diagram' });
    assert.equal(await toggle.isChecked(), true);
    await label.click();
    await page.waitForFunction(() => !document.querySelector('svg .goals, svg .goal-chips'));
    assert.equal(await toggle.isChecked(), false);
    await label.click();
    await chips(page).first().waitFor();
    // Leaving the lesson takes the goal off the diagram.
    await panel(page).getByRole('button', { name: 'Leave the lesson' }).click();
    await page.waitForFunction(() => !document.querySelector('svg .goals, svg .goal-chips'));
    assert.equal(await hooks.arrow(page, POD1, POD2).count(), 1, 'the drawn arrows stay');
  });
});

test('a wrong answer caught on a probe: the difference in the panel, its probe on the diagram, both themes', async () => {
  const lesson = await readLesson('02-pod-1-to-pod-2.yaml');
  const wrong = lesson.wrongAnswers.find((w) => w.title.startsWith('`namespaceSelector: {}` next to the podSelector'));
  assert.ok(wrong, 'the any-namespace pod-1 wrong answer');
  await withApp(h, `?lesson=${lesson.id}`, WIDE, async (app) => {
    const { page } = app;
    await stillStyles(page);
    await page.locator(`.lesson-panel[data-lesson="${lesson.id}"]`).waitFor();
    await chips(page).first().waitFor();
    await paste(page, wrong.workspace.manifests);
    // Every goal line holds; the lesson is not done, and the panel says why.
    await page.waitForFunction(() => [...document.querySelectorAll('[aria-label="Goal"] li[data-met]')].every((li) => li.dataset.met === 'true'));
    const section = panel(page).locator('.lesson-difference');
    const message = section.locator('.difference-message');
    await message.waitFor();
    assert.equal(await done(page).count(), 0);
    const text = await message.innerText();
    assert.match(text, /^Your policies let .*probe-app-pod-1.* \(a pod labelled app: pod-1 in .*\) reach team-one-namespace\/pod-2 on 8080\/TCP; the lesson's solution does not/, text);
    assert.equal(await page.locator('svg [data-probe]').count(), 0, 'no probe on the diagram until asked');
    await section.getByRole('button', { name: 'Why? Show the probe' }).click();
    const probe = page.locator('svg .probe-layer [data-probe]');
    await probe.waitFor();
    assert.match(await probe.getAttribute('data-probe'), /\/probe-app-pod-1$/);
    assert.match(await probe.getAttribute('aria-label'), /probe: a pod labelled `app: pod-1`/);
    assert.equal(await page.locator('svg .probe-layer .probe-difference.opened').count(), 1);
    const sides = section.locator('.difference-why .explanation');
    assert.equal(await sides.count(), 2, 'both sides explained');
    assert.match(await sides.nth(0).locator('.verdict-line').innerText(), /^allowed/i);
    assert.match(await sides.nth(1).locator('.verdict-line').innerText(), /^denied/i);
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      await screenshot(page, `lesson-difference-probe-${theme}`);
    }
    // The probe is the grader's, never the workspace's: closing the explanation takes it off.
    await section.getByRole('button', { name: 'Hide' }).click();
    await page.locator('svg .probe-layer').waitFor({ state: 'detached' });
    assert.doesNotMatch(await hooks.editor(page).inputValue(), /probe-/);
    // Fixing the answer makes the difference go.
    await paste(page, lesson.solution.manifests);
    await done(page).waitFor();
    assert.equal(await section.count(), 0);
  });
});
