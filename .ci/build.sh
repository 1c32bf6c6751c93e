#!/usr/bin/env bash
# Builds the wasm package the page loads (www/pkg), release profile, then strips it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
wasm-pack build --release --target web --out-dir www/pkg --no-typescript --no-pack
# npm binaryen (v132): Debian's wasm-opt 108 predates reference types and corrupts the table.
# Stripping names/producers only: -O3 costs ~4 min here for a larger brotli size (measured).
# KEEP_NAMES=1 keeps the function names, for profiles (bench/profile.js).
strip=(--strip-debug --strip-producers)
[[ "${KEEP_NAMES:-}" == 1 ]] && strip=(--debuginfo --strip-producers)
node_modules/.bin/wasm-opt www/pkg/burnish_bg.wasm -o www/pkg/burnish_bg.wasm "${strip[@]}" \
  --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-simd
ls -l www/pkg/burnish_bg.wasm >&2
