#!/usr/bin/env bash
# Builds the wasm package the library loads (www/pkg), vendors idb into www/lib/vendor and packs
# the exported web apps' runtime (www/pkg/app-runtime.zip): cargo's release profile for wasm32, then the
# wasm-bindgen CLI (the version Cargo.lock pins, installed by setup) writes the JS glue, and
# wasm-opt strips it. What `wasm-pack build --target web` does, without needing wasm-pack (a
# test-only tool now: `wasm-pack test`), so `npm start` installs one tool fewer.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
# The library's one npm dependency, idb (a single ES module), copied beside the module that
# imports it, so the library loads from any static server without an import map or a bundler.
mkdir -p www/lib/vendor
cp node_modules/idb/build/index.js www/lib/vendor/idb.js
cargo build --release --lib --target wasm32-unknown-unknown
built="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/burnish.wasm"
# Already made from this build (set-up builds before converting the weights, then `npm start`
# builds again): nothing to redo. KEEP_NAMES builds always redo it.
if [[ -z "${KEEP_NAMES:-}" && www/pkg/burnish_bg.wasm -nt "$built" && www/pkg/burnish.js -nt "$built" ]]; then
  echo "www/pkg is up to date with $built" >&2
  python3 .ci/app-runtime.py
  exit 0
fi
wasm-bindgen --target web --out-dir www/pkg --no-typescript "$built"
# npm binaryen (v132): Debian's wasm-opt 108 predates reference types and corrupts the table.
# Stripping names/producers only: -O3 costs ~4 min here for a larger brotli size (measured).
# KEEP_NAMES=1 keeps the function names, for profiles (bench/profile.js).
strip=(--strip-debug --strip-producers)
[[ "${KEEP_NAMES:-}" == 1 ]] && strip=(--debuginfo --strip-producers)
node_modules/.bin/wasm-opt www/pkg/burnish_bg.wasm -o www/pkg/burnish_bg.wasm "${strip[@]}" \
  --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-simd
ls -l www/pkg/burnish_bg.wasm >&2
# Every exported web app copies this archive (the app page, the library, the wasm).
python3 .ci/app-runtime.py
