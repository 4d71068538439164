#!/usr/bin/env bash
# Builds the static site into dist/ (what `trunk build --release` does), after installing
# what is missing (scripts/setup.sh). Trunk needs wasm-opt, which the set-up installs under
# tools/node_modules/.bin: this script puts it on PATH, so the build works in a fresh shell.
#
#   scripts/build.sh            → dist/
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
exec trunk build --release
