#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then builds the app in release mode and serves it
# on http://127.0.0.1:8080 (PORT=9000 scripts/serve.sh for another port), rebuilding on change.
# First run on a fresh machine: about 15 minutes (Trunk and wasm-bindgen-cli compile from source).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh "$@"

export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
port="${PORT:-8080}"
echo "serve: building, then serving on http://127.0.0.1:$port/ (Ctrl-C to stop)"
exec trunk serve --release --address 127.0.0.1 --port "$port"
