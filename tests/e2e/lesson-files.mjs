// The shipped lessons (www/lessons/), read the way the engine reads them, for the browser
// walk-through (app-lessons-walk.test.mjs): each lesson's start, solution and wrong answers
// as complete workspaces, and what each wrong answer must fail. The test types and draws
// what the files say, so a lesson edited tomorrow is walked through as it is then.
//
// What mirrors the engine (crates/netpol/src/lesson/read.rs, build.rs, patch.rs): manifests
// as one string or a list joined as YAML documents, `add_manifests` appended to the start's,
// fields a solution leaves out taken from the start, and `patch` edits matched as whole lines
// at any indentation. Anything this reader does not know is an error, never a skip.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_DIR } from './lib/harness.mjs';

export const LESSONS_DIR = join(REPO_DIR, 'www', 'lessons');

const WORKSPACE_FIELDS = ['manifests', 'add_manifests', 'namespaces', 'pods', 'externals', 'arrows', 'options'];

/** Every lesson of the course, in the index's order. */
export async function readCourse() {
  const index = parse(await readFile(join(LESSONS_DIR, 'index.yaml'), 'utf8'));
  return Promise.all(index.lessons.map((file) => readLesson(file)));
}

/** One lesson file: `{ file, id, title, goal, constraints, start, solution, rightAnswers,
 * wrongAnswers }`. A wrong answer's `fails` is `null` when it names no goal line or
 * constraint (a probe catches it). */
export async function readLesson(file) {
  const raw = parse(await readFile(join(LESSONS_DIR, file), 'utf8'));
  const start = build(raw.start, undefined, `${file}: start`);
  const solution = build(raw.solution, raw.start, `${file}: solution`);
  const goal = raw.goal.map((line) => ({ ...line }));
  const constraints = raw.constraints ?? [];
  const answer = (a, i, which) => {
    const where = `${file}: ${which}[${i}] (${a.title})`;
    return a.patch
      ? { ...solution, manifests: a.patch.reduce((text, edit) => replaceLines(text, edit.replace, edit.with, where), solution.manifests) }
      : build(a.workspace, raw.start, where);
  };
  const rightAnswers = (raw.right_answers ?? []).map((r, i) => ({ title: r.title, workspace: answer(r, i, 'right_answers') }));
  const wrongAnswers = (raw.wrong_answers ?? []).map((w, i) => {
    const where = `${file}: wrong_answers[${i}] (${w.title})`;
    const fails = w.fails === undefined ? null : failing(w.fails, goal, constraints, where);
    return { title: w.title, workspace: answer(w, i, 'wrong_answers'), fails };
  });
  return { file, id: raw.id, title: raw.title, goal, constraints, start, solution, rightAnswers, wrongAnswers, flows: raw.flows ?? '' };
}

/** A workspace spec, with what it leaves out taken from `base` (the start's spec). */
function build(spec, base, where) {
  for (const key of Object.keys(spec ?? {})) {
    if (!WORKSPACE_FIELDS.includes(key)) throw new Error(`${where}: unknown workspace field \`${key}\``);
  }
  const pick = (key, empty) => spec?.[key] ?? base?.[key] ?? empty;
  let manifests = manifestsText(spec?.manifests) ?? manifestsText(base?.manifests) ?? '';
  if (spec?.add_manifests != null) manifests = joinDocuments([manifests, manifestsText(spec.add_manifests)]);
  return {
    manifests,
    namespaces: pick('namespaces', []),
    pods: pick('pods', []),
    externals: pick('externals', []).map(String),
    arrows: pick('arrows', []).map(parseArrow),
    options: pick('options', {}),
  };
}

function manifestsText(value) {
  if (value == null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return joinDocuments(value);
  throw new Error(`manifests must be a string or a list of strings, not ${JSON.stringify(value)}`);
}

/** YAML texts as one multi-document text, one `---` between non-empty parts. */
function joinDocuments(parts) {
  let out = '';
  for (const part of parts.filter((p) => p.trim() !== '')) {
    if (out !== '') {
      if (!out.endsWith('\n')) out += '\n';
      out += '---\n';
    }
    out += part;
  }
  return out;
}

/** `ns/a -> ns/b:8080/TCP,53/UDP` as `{ from, to, ports }` (ports as the inspector takes
 * them); `external` when an end is an address, which the walk-through does not draw. */
export function parseArrow(text) {
  const [from, rest] = text.split('->').map((s) => s.trim());
  if (!from || !rest) throw new Error(`not an arrow: \`${text}\``);
  if (from.startsWith('ip:') || rest.startsWith('ip:')) return { from, to: rest, ports: '', external: true };
  const colon = rest.indexOf(':');
  const to = colon < 0 ? rest : rest.slice(0, colon).trim();
  const ports = colon < 0 ? '' : rest.slice(colon + 1).trim();
  return { from, to, ports };
}

/** What a wrong answer fails: `{ goal: index }` or `{ constraint: index }`. */
function failing(fails, goal, constraints, where) {
  const norm = (v) => JSON.stringify(v, (_, x) => (typeof x === 'string' ? x.replace(/\s+/g, ' ').trim() : x));
  const g = goal.findIndex((line) => norm(line) === norm(fails));
  if (g >= 0) return { goal: g };
  const c = constraints.findIndex((rule) => norm(rule) === norm(fails));
  if (c >= 0) return { constraint: c };
  throw new Error(`${where}: fails ${JSON.stringify(fails)}, which is neither a goal line nor a constraint`);
}

/** The engine's `replace_lines`: the one place where `find`'s lines occur (at a common indentation). */
export function replaceLines(text, find, withText, where = '') {
  const needle = significantLines(find);
  if (needle.length === 0) throw new Error(`${where}: an empty replace`);
  const lines = text.split('\n');
  const hits = [];
  for (let i = 0; i < lines.length; i++) {
    const indent = indentOfMatch(lines, i, needle);
    if (indent !== null) hits.push([i, indent]);
  }
  if (hits.length !== 1) throw new Error(`${where}: \`${needle[0].trim()}\` occurs ${hits.length} times in the solution`);
  const [at, indent] = hits[0];
  const replacement = significantLines(withText).map((l) => (l === '' ? '' : indent + l));
  return [...lines.slice(0, at), ...replacement, ...lines.slice(at + needle.length)].join('\n');
}

function significantLines(snippet) {
  const lines = snippet.split('\n');
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}

function indentOfMatch(lines, at, needle) {
  const first = lines[at];
  const head = needle[0];
  if (first.length < head.length) return null;
  const indent = first.slice(0, first.length - head.length);
  if (first.slice(first.length - head.length) !== head || !/^ *$/.test(indent)) return null;
  for (let k = 1; k < needle.length; k++) {
    const got = lines[at + k];
    if (got === undefined) return null;
    const want = needle[k];
    const same = want === '' ? got.trim() === '' : got.startsWith(indent) && got.slice(indent.length) === want;
    if (!same) return null;
  }
  return indent;
}

/** True when two workspaces differ only in manifests and arrows (what the walk-through edits). */
/** True when the walk-through can make `ws` from the lesson's start: typed manifests and
 * arrows between pods, nothing else drawn. */
export function walkable(ws, start) {
  return sameDrawnObjects(ws, start) && ws.arrows.every((a) => !a.external);
}

export function sameDrawnObjects(a, b) {
  const pick = (w) => JSON.stringify([w.namespaces, w.pods, w.externals, w.options]);
  return pick(a) === pick(b);
}
