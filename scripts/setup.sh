#!/usr/bin/env bash
# Installs what is missing to build and serve the app; with --browser also what the tests need.
# Idempotent: every step checks first and is skipped when the right version is there, so a
# second run takes well under a second and touches no network. First it checks the tools it
# cannot install itself (rustc at least the workspace's rust-version, Node.js 20 or newer)
# and says what to install when one is missing or too old.
#
#   scripts/setup.sh             wasm32 target, Trunk, wasm-bindgen CLI, wasm-opt, crates
#   scripts/setup.sh --browser   + Chromium, chromedriver, brotli (Debian) and the e2e Node packages
#   scripts/setup.sh --brotli    + brotli only (for scripts/size.sh)
#   scripts/setup.sh --rust      only rustfmt, clippy and the crates: what cargo fmt, clippy and
#                                the native tests need (no Node.js, no browser, no Trunk)
#
# The first run on a fresh machine takes about 15 minutes, nearly all of it compiling Trunk
# and wasm-bindgen-cli from source with `cargo install`.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14 # 0.22.x needs rustc >= 1.96.1
BINARYEN_MAJOR=132    # tools/package.json pins binaryen@132.0.0; Debian's 108 cannot parse our wasm

browser=false
brotli=false
rust_only=false
for arg in "$@"; do
  case "$arg" in
    --browser) browser=true; brotli=true ;;
    --brotli) brotli=true ;;
    --rust) rust_only=true ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }
need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "setup: '$1' is required but not installed ($2)" >&2
    exit 1
  }
}

# Crates into cargo's cache: Trunk.toml has offline = true, which passes --offline to cargo.
fetch_crates() {
  if ! cargo fetch --locked --offline --quiet 2>/dev/null; then
    say "cargo fetch --locked"
    cargo fetch --locked --quiet
  fi
}

# True when version $1 is at least $2 (dotted numbers: 1.85 <= 1.95.0).
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

need cargo "install Rust with rustup: https://rustup.rs"
need rustup "install Rust with rustup: https://rustup.rs"
need rustc "install Rust with rustup: https://rustup.rs"
# The workspace's rust-version (Cargo.toml) is the oldest rustc the code compiles with;
# its tests and benchmarks need more: proptest 1.12 declares 1.88, criterion 0.8 1.86
# (crates/cli/tests/msrv.rs checks the normal dependencies against rust-version).
rust_min=$(awk -F'"' '/^rust-version *=/ { print $2; exit }' Cargo.toml)
tests_rust_min=1.88
if [ -z "$rust_min" ] || at_least "$tests_rust_min" "$rust_min"; then
  rust_min=$tests_rust_min
fi
rust_have=$(rustc --version 2>/dev/null | awk '{ print $2 }') || true
if [ -z "$rust_have" ]; then
  echo "setup: 'rustc --version' fails: with rustup, choose a toolchain: 'rustup default stable'" >&2
  exit 1
fi
if [ -n "$rust_min" ] && ! at_least "${rust_have%%-*}" "$rust_min"; then
  echo "setup: rustc $rust_have is older than $rust_min, which the workspace and its tests need;" >&2
  echo "setup: install a newer one: 'rustup update stable' (or see https://rustup.rs)" >&2
  exit 1
fi
if ! $rust_only; then
  need node "install Node.js 20 or newer, with npm: https://nodejs.org or your package manager"
  need npm "install npm (it comes with Node.js 20 or newer: https://nodejs.org)"
  node_have=$(node --version)
  if ! at_least "${node_have#v}" 20; then
    echo "setup: Node.js $node_have is too old: install Node.js 20 or newer (https://nodejs.org or your package manager)" >&2
    exit 1
  fi
fi

# --- Rust: wasm32 target, rustfmt, clippy -----------------------------------------------------
if ! $rust_only && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    say "adding rustup component $component"
    rustup component add "$component"
  fi
done

if $rust_only; then
  fetch_crates
  say "ok (rustc $rust_have, rustfmt, clippy, crates)"
  exit 0
fi

# --- Debian packages ---------------------------------------------------------------------------
# Not binaryen: Debian's wasm-opt 108 fails on rustc 1.95 output; wasm-opt comes from npm below.
apt_packages=()
if $browser; then apt_packages+=(chromium chromium-driver); fi
if $brotli; then apt_packages+=(brotli); fi
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  need apt-get "this script installs ${missing[*]} with apt-get (Debian/Ubuntu)"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  say "apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Trunk ---------------------------------------------------------------------------------------
if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "cargo install trunk $TRUNK_VERSION (about 8 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION" --force
fi

# --- wasm-bindgen CLI (and wasm-bindgen-test-runner) at the version in Cargo.lock ---------------
if [ ! -f Cargo.lock ]; then
  echo "setup: Cargo.lock is missing; it pins the wasm-bindgen version (run 'cargo generate-lockfile')" >&2
  exit 1
fi
wb_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then
  echo "setup: no wasm-bindgen package in Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wb_version" ||
  ! wasm-bindgen-test-runner --version 2>/dev/null | grep -q " $wb_version\$"; then
  say "cargo install wasm-bindgen-cli $wb_version (about 5 minutes on 2 cores)"
  # Not --locked: its lockfile pins webpki-roots 1.0.11, which some registries lack.
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# --- npm: wasm-opt (binaryen) and the e2e test packages ------------------------------------------
# npm ci when node_modules is missing or older than the lockfile (e.g. after a pull).
npm_ci() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
  fi
}
npm_ci tools
# (Checked through package.json: `wasm-opt --version` takes half a second under Node.)
if ! grep -q "\"version\": \"$BINARYEN_MAJOR\." tools/node_modules/binaryen/package.json 2>/dev/null ||
  [ "$(command -v wasm-opt)" != "$PWD/tools/node_modules/.bin/wasm-opt" ]; then
  echo "setup: expected wasm-opt from npm binaryen $BINARYEN_MAJOR at tools/node_modules/.bin, found: $(command -v wasm-opt || echo none)" >&2
  exit 1
fi
if $browser; then npm_ci tests/e2e; fi

fetch_crates

say "ok (trunk $TRUNK_VERSION, wasm-bindgen $wb_version, wasm-opt $BINARYEN_MAJOR$($browser && echo ', chromium, chromedriver, playwright-core'))"
