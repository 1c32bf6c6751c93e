#!/usr/bin/env bash
# Builds the wasm package the page loads (www/pkg), release profile, wasm-opt'ed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
wasm-pack build --release --target web --out-dir www/pkg --no-typescript --no-pack
ls -l www/pkg/*.wasm >&2
