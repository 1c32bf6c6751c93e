#!/usr/bin/env bash
# Builds the wasm packages — the library's (www/pkg, WebGPU and Flex) and the exported web apps'
# (www/pkg/cpu, Flex only) —, vendors idb into www/lib/vendor and packs the web apps' runtime
# (www/pkg/app-runtime.zip): cargo's release profile for wasm32, then the wasm-bindgen CLI (the
# version Cargo.lock pins, installed by setup) writes the JS glue, and wasm-opt strips it. What
# `wasm-pack build --target web` does, without needing wasm-pack (a test-only tool now:
# `wasm-pack test`), so `npm start` installs one tool fewer.
#
#   bash .ci/build.sh [trainer|app]    (both by default)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-both}
if [[ ! "$what" =~ ^(trainer|app|both)$ ]]; then
  echo "usage: bash .ci/build.sh [trainer|app]" >&2
  exit 2
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
# The library's one npm dependency, idb (a single ES module), copied beside the module that
# imports it, so the library loads from any static server without an import map or a bundler.
mkdir -p www/lib/vendor
cp node_modules/idb/build/index.js www/lib/vendor/idb.js
target="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/burnish.wasm"

# One wasm package: cargo's release build with `features`, wasm-bindgen's glue and wasm-opt's
# strip into `out`. Skipped when `out` was made from this very build, names kept or not as now
# (set-up builds before converting the weights, then `npm start` builds again).
package() {
  local features=$1 out=$2
  cargo build --release --lib --target wasm32-unknown-unknown ${features:+--features "$features"}
  # Both builds write the same file, so `out` records what it was made from by content.
  local stamp="$out/.built-from" made_from
  made_from="$(sha256sum < "$target" | cut -d' ' -f1) names=${KEEP_NAMES:-0}"
  if [[ -f "$out/burnish_bg.wasm" && -f "$out/burnish.js" && "$(cat "$stamp" 2>/dev/null)" == "$made_from" ]]; then
    echo "$out is up to date with this build" >&2
    return
  fi
  # Made aside and moved in at the end: `npm start` may be serving `out` meanwhile.
  local made="$out.partial"
  rm -rf "$made"
  wasm-bindgen --target web --out-dir "$made" --no-typescript "$target"
  # npm binaryen (v132): Debian's wasm-opt 108 predates reference types and corrupts the table.
  # Stripping names/producers only: -O3 costs ~4 min here for a larger brotli size (measured).
  # KEEP_NAMES=1 keeps the function names, for profiles (bench/profile.js).
  local strip=(--strip-debug --strip-producers)
  [[ "${KEEP_NAMES:-}" == 1 ]] && strip=(--debuginfo --strip-producers)
  node_modules/.bin/wasm-opt "$made/burnish_bg.wasm" -o "$made/burnish_bg.wasm" "${strip[@]}" \
    --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-simd
  mkdir -p "$out"
  mv -f "$made/burnish_bg.wasm" "$made/burnish.js" "$out/"
  rm -rf "$made"
  ls -l "$out/burnish_bg.wasm" >&2
  echo "$made_from" > "$stamp"
}

# The trainer's and the library's: WebGPU and Flex.
[[ "$what" == app ]] || package wgpu www/pkg
if [[ "$what" != trainer ]]; then
  # The exported web apps': Flex only (no cubecl GPU kernels), a quarter of the size.
  package "" www/pkg/cpu
  # Every exported web app copies this archive (the app page, the library, the wasm).
  python3 .ci/app-runtime.py
fi
