// The shipped lessons (www/lessons/) for the browser walk-through (app-lessons-walk.test.mjs)
// and the grading figures (app-perf.test.mjs): each lesson's start, solution, right and
// wrong answers as complete workspaces, and what each wrong answer must fail.
//
// The engine reads them, not this file: `netpol lesson show FILE -o json` prints what its
// lesson reader returns (manifests joined, `add_manifests` appended, what a solution leaves
// out taken from the start, `patch` edits applied), each workspace in the JSON the
// playground saves one in. So a lesson edited tomorrow is walked through as the engine reads
// it then, and a change to the lesson format needs no change here.
//
// The binary: $NETPOL when set, else the one `cargo build -p netpol-cli` leaves (built once
// per test run, a no-op when it is up to date; cargo is $CARGO, else on PATH, else
// ~/.cargo/bin/cargo).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { REPO_DIR } from './lib/harness.mjs';

export const LESSONS_DIR = join(REPO_DIR, 'www', 'lessons');

const run = promisify(execFile);
const BIG = 64 * 1024 * 1024;

let binary;

/** The path of the `netpol` binary, built by cargo the first time it is asked for. */
function netpolBinary() {
  binary ??= (async () => {
    if (process.env.NETPOL) return process.env.NETPOL;
    const home = join(homedir(), '.cargo', 'bin', 'cargo');
    const cargos = [process.env.CARGO, 'cargo', existsSync(home) ? home : undefined].filter(Boolean);
    const args = ['build', '-q', '-p', 'netpol-cli', '--bin', 'netpol', '--message-format=json'];
    let out;
    for (const cargo of cargos) {
      try {
        out = await run(cargo, args, { cwd: REPO_DIR, maxBuffer: BIG });
        break;
      } catch (e) {
        if (e.code !== 'ENOENT') throw new Error(`cargo build -p netpol-cli failed:\n${e.stderr ?? e.message}`);
      }
    }
    if (!out) throw new Error('no cargo to build the netpol binary with (set NETPOL to a built one)');
    const exe = out.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .find((m) => m.reason === 'compiler-artifact' && m.executable && m.target?.name === 'netpol')?.executable;
    if (!exe) throw new Error('cargo build -p netpol-cli named no netpol executable');
    return exe;
  })();
  return binary;
}

/** Every lesson of the course, in the index's order. */
export async function readCourse() {
  const index = parse(await readFile(join(LESSONS_DIR, 'index.yaml'), 'utf8'));
  return Promise.all(index.lessons.map((file) => readLesson(file)));
}

/** One lesson file as the engine reads it (`netpol lesson show FILE -o json`): `{ file, id,
 * title, goal, constraints, flows, start, solution, rightAnswers, wrongAnswers }`. A
 * workspace is `{ manifests, namespaces, pods, externals, arrows, options, kustomize }`,
 * its arrows in the intent syntax (`ns/a -> ns/b:8080/TCP`, see parseArrow); a goal line
 * is `{ from, to, port, protocol, allowed }`. A wrong answer's `fails` is `{ goal: index }`
 * or `{ constraint: index }`, or `null` when a probe catches it. */
export async function readLesson(file) {
  const path = join(LESSONS_DIR, file);
  let stdout;
  try {
    ({ stdout } = await run(await netpolBinary(), ['lesson', 'show', path, '-o', 'json'], { maxBuffer: BIG }));
  } catch (e) {
    throw new Error(`netpol lesson show ${file}: ${e.stderr?.trim() || e.message}`);
  }
  const shown = JSON.parse(stdout);
  return {
    file,
    id: shown.id,
    title: shown.title,
    goal: shown.goal,
    constraints: shown.constraints,
    flows: shown.flows,
    start: shown.start,
    solution: shown.solution,
    rightAnswers: shown.right_answers,
    wrongAnswers: shown.wrong_answers,
  };
}

/** An arrow as the engine writes it (`ns/a -> ns/b:8080/TCP,53/UDP`) as the walk-through
 * draws it: `{ from, to, ports }`, the ports as the inspector's field takes them;
 * `external` when an end is an address, which the walk-through does not draw. */
export function parseArrow(text) {
  const [from, rest] = text.split('->').map((s) => s.trim());
  if (!from || !rest) throw new Error(`not an arrow: \`${text}\``);
  if (from.startsWith('ip:') || rest.startsWith('ip:')) return { from, to: rest, ports: '', external: true };
  const colon = rest.indexOf(':');
  const to = colon < 0 ? rest : rest.slice(0, colon).trim();
  const ports = colon < 0 ? '' : rest.slice(colon + 1).trim();
  return { from, to, ports };
}

/** True when the walk-through can make `ws` from the lesson's start: typed manifests and
 * arrows between pods, nothing else drawn. */
export function walkable(ws, start) {
  return sameDrawnObjects(ws, start) && ws.arrows.every((a) => !parseArrow(a).external);
}

/** True when two workspaces differ only in manifests and arrows (what the walk-through edits). */
export function sameDrawnObjects(a, b) {
  const pick = (w) => JSON.stringify([w.namespaces, w.pods, w.externals, w.options, w.kustomize]);
  return pick(a) === pick(b);
}
