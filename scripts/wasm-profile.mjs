#!/usr/bin/env node
// Where the bytes of a wasm file go, by crate: reads the code section (each function's body
// size) and the "name" custom section (each function's mangled name), demangles the names
// (legacy `_ZN...E` and v0 `_R...` rustc symbols, roughly) and sums body sizes per crate, and
// per module for the crates given with --detail. Needs a build that keeps the name section:
// the cargo output under target/wasm32-unknown-unknown/wasm-release/ (before wasm-bindgen and
// wasm-opt, which drop it). Sizes are raw (uncompressed) code bytes, but for one line: the
// gzip size of the --detail crates' code alone, against that of all the rest.
//
//   node scripts/wasm-profile.mjs FILE.wasm [--top N] [--detail netpol,netpol_web]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: wasm-profile.mjs FILE.wasm [--top N] [--detail crate,crate]');
  process.exit(2);
}
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const top = Number(opt('--top', '25'));
const DEBUG = process.env.WASM_PROFILE_DEBUG;
const detail = new Set(opt('--detail', 'netpol,netpol_web').split(','));

const bytes = readFileSync(file);
let pos = 8; // magic + version

function leb() {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
}

function name() {
  const len = leb();
  const s = bytes.toString('utf8', pos, pos + len);
  pos += len;
  return s;
}

let importedFunctions = 0;
const bodySizes = [];
const bodyStarts = [];
const names = new Map();
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  const end = pos + size;
  if (id === 2) {
    // import section: count function imports (they take the first indices)
    const count = leb();
    for (let i = 0; i < count; i++) {
      name();
      name();
      const kind = bytes[pos++];
      if (kind === 0) {
        leb();
        importedFunctions++;
      } else if (kind === 1) {
        pos++;
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 2) {
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 3) {
        pos += 2;
      } else {
        leb();
      }
    }
  } else if (id === 10) {
    const count = leb();
    for (let i = 0; i < count; i++) {
      const len = leb();
      bodySizes.push(len);
      bodyStarts.push(pos);
      pos += len;
    }
  } else if (id === 0) {
    const section = name();
    if (section === 'name') {
      while (pos < end) {
        const sub = bytes[pos++];
        const subSize = leb();
        const subEnd = pos + subSize;
        if (sub === 1) {
          const count = leb();
          for (let i = 0; i < count; i++) {
            const index = leb();
            names.set(index, name());
          }
        }
        pos = subEnd;
      }
    }
  }
  pos = end;
}

if (names.size === 0) {
  console.error(`${file}: no name section (profile the cargo output, not dist/)`);
  process.exit(1);
}

// Legacy mangling: _ZN 3foo 3bar 17h0123456789abcdefE → foo::bar
function demangleLegacy(sym) {
  let s = sym.replace(/^_?_ZN/, '');
  const parts = [];
  while (s.length && /^\d/.test(s)) {
    const m = s.match(/^(\d+)/);
    const n = Number(m[1]);
    s = s.slice(m[1].length);
    // A segment starting with `_$` escapes a leading `$` (`_$LT$` is `<`).
    parts.push(s.slice(0, n).replace(/^_\$/, '$'));
    s = s.slice(n);
  }
  const clean = parts
    .filter((p) => !/^h[0-9a-f]{16}$/.test(p))
    .map((p) => p.replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ')
      .replace(/\$C\$/g, ',').replace(/\.\./g, '::').replace(/\$RF\$/g, '&').replace(/\$u7b\$/g, '{')
      .replace(/\$u7d\$/g, '}').replace(/\$BP\$/g, '*').replace(/\$u27\$/g, "'"));
  return clean.join('::');
}

// v0 mangling (`_R...`): the first crate root `C<disambiguator>_<len><name>` names the crate.
function crateOfV0(sym) {
  const m = sym.match(/C(?:s[0-9A-Za-z]*_)?(\d+)([A-Za-z_][A-Za-z0-9_]*)/);
  if (!m) return null;
  return m[2].slice(0, Number(m[1]));
}

function crateOf(full) {
  // Yew inlines each function component's body into its generic lifecycle `view`: that code
  // is the app's components, not Yew's.
  if (full.includes("CompStateInner<COMP>") && /::view(::h[0-9a-f]{16})?$/.test(full)) {
    return { crate: 'netpol_web', module: 'netpol_web::components (inlined into yew view)' };
  }
  if (full.startsWith('_R')) {
    const crate = crateOfV0(full) ?? '(other)';
    return { crate, module: crate };
  }
  // `<a::B as c::D>::f` is code for a::B; a bare path's first segment is its crate.
  let s = full.replace(/^<+/, '').replace(/^&(mut )?/, '').replace(/^\[/, '');
  if (/^_?_ZN/.test(s)) s = demangleLegacy(s);
  const m = s.match(/^([A-Za-z_][A-Za-z0-9_]*)(::([A-Za-z_][A-Za-z0-9_]*))?/);
  if (!m) return { crate: '(other)', module: '(other)' };
  return { crate: m[1], module: m[3] ? `${m[1]}::${m[3]}` : m[1] };
}

const byCrate = new Map();
const byModule = new Map();
let total = 0;
// The --detail crates' bodies (with what was inlined into them) and all the others, to
// gzip each group together: how small the app could get by trimming libraries alone.
const own = [];
const rest = [];
bodySizes.forEach((size, i) => {
  total += size;
  const raw = names.get(i + importedFunctions) ?? '(unnamed)';
  const readable = /^_?_ZN/.test(raw) ? demangleLegacy(raw) : raw;
  const { crate, module } = crateOf(readable);
  if (DEBUG && crate === DEBUG) console.log(size, raw.slice(0, 160));
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
  if (detail.has(crate)) byModule.set(module, (byModule.get(module) ?? 0) + size);
  (detail.has(crate) ? own : rest).push(bytes.subarray(bodyStarts[i], bodyStarts[i] + size));
});

const kb = (n) => `${(n / 1024).toFixed(1).padStart(7)} KB`;
const pct = (n) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
console.log(`code: ${kb(total)} in ${bodySizes.length} functions (${file})`);
console.log('by crate:');
[...byCrate.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)
  .forEach(([c, n]) => console.log(`  ${kb(n)} ${pct(n)}  ${c}`));
const gz = (parts) => gzipSync(Buffer.concat(parts), { level: 9 }).length;
console.log(`gzip of the code alone: ${[...detail].join(', ')} ${kb(gz(own))}; the rest ${kb(gz(rest))}`);
if (byModule.size) {
  console.log(`by module (${[...detail].join(', ')}):`);
  [...byModule.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([m, n]) => console.log(`  ${kb(n)} ${pct(n)}  ${m}`));
}
