#!/usr/bin/env bash
# Prints the size of the release build: the wasm file raw / gzip -9 / brotli -q 11, what a
# browser downloads for the whole site (every file in dist/, gzip -9), and where the wasm's
# bytes go, per crate and per module of ours (the cargo output run through wasm-bindgen and
# wasm-opt -Oz as Trunk does, keeping the names; scripts/wasm-profile.mjs; --no-profile
# skips it). Builds dist/ first (trunk build --release) unless --no-build is given.
#
# --check fails (exit 1) when what dist/ transfers (every file, gzip -9) is over the cap
# below, so the download cannot grow unnoticed: CI runs it after the build. Raising the cap
# is a decision for a commit of its own, saying what the bytes buy.
set -euo pipefail
cd "$(dirname "$0")/.."

# The one place the download cap lives (KiB, gzip -9, all of dist/).
CAP_KIB=890

build=true
profile=true
check=false
for arg in "$@"; do
  case "$arg" in
    --no-build) build=false ;;
    --no-profile) profile=false ;;
    --check) check=true ;;
    *) echo "size.sh: unknown argument: $arg (try --no-build, --no-profile, --check)" >&2; exit 2 ;;
  esac
done

if $build; then
  scripts/setup.sh --brotli >/dev/null
  export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"
  TRUNK_SKIP_VERSION_CHECK=true trunk build --release >/dev/null 2>&1 || {
    echo "size.sh: trunk build --release failed; run it directly to see why" >&2
    exit 1
  }
fi

shopt -s nullglob
wasm=(dist/*.wasm)
if ((${#wasm[@]} != 1)); then
  echo "size.sh: expected exactly one .wasm file in dist/, found ${#wasm[@]}" >&2
  exit 1
fi

raw() { wc -c <"$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
br() { if command -v brotli >/dev/null; then brotli -q 11 -c "$1" | wc -c | tr -d ' '; else echo "n/a"; fi; }
fmt() {
  if [[ $1 =~ ^[0-9]+$ ]]; then
    printf '%s bytes (%d KiB)' "$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1")" $((($1 + 512) / 1024))
  else echo "$1"; fi
}

w=${wasm[0]}
echo "wasm  ${w#dist/}"
echo "  raw     $(fmt "$(raw "$w")")"
echo "  gzip    $(fmt "$(gz "$w")")"
echo "  brotli  $(fmt "$(br "$w")")"

total_raw=0 total_gz=0 files=0
while IFS= read -r -d '' f; do
  total_raw=$((total_raw + $(raw "$f")))
  total_gz=$((total_gz + $(gz "$f")))
  files=$((files + 1))
done < <(find dist -type f -print0)
echo "dist/ $files files"
echo "  raw     $(fmt "$total_raw")"
echo "  transfer (gzip) $(fmt "$total_gz")"
if $check; then
  if ((total_gz > CAP_KIB * 1024)); then
    echo "size.sh: dist/ transfers $(fmt "$total_gz") gzip, over the cap of $CAP_KIB KiB (scripts/size.sh, CAP_KIB)" >&2
    exit 1
  fi
  echo "  within the cap of $CAP_KIB KiB ($(((CAP_KIB * 1024 - total_gz) / 1024)) KiB to spare)"
fi

if $profile; then
  export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"
  cargo_wasm=target/wasm32-unknown-unknown/wasm-release/netpol-web.wasm
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  wasm-bindgen --target web --no-typescript --keep-debug --out-dir "$tmp" "$cargo_wasm"
  wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals -o "$tmp/named.wasm" "$tmp/netpol-web_bg.wasm"
  echo
  node scripts/wasm-profile.mjs "$tmp/named.wasm" --top 20 --detail netpol,netpol_web
fi
