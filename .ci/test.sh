#!/usr/bin/env bash
# Every test layer, in order of cost: native, lints, wasm in two browsers, the app build and
# what runs on it (JS units on the real core, browser end-to-end).
# Called by `npm test` after setup. Prints a 'N passed, N failed' summary of the layers.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
export CARGO_TERM_COLOR=never
# WebGPU on a software adapter is slow: a training test takes tens of seconds there.
export WASM_BINDGEN_TEST_TIMEOUT=600

passed=0
failed=0
failures=()
layer() {
  local name=$1
  shift
  printf '\n===== %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '===== %s: ok (%ss)\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf '===== %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
  fi
}

layer "rustfmt" cargo fmt --all -- --check
layer "file sizes (src ≤ 400, www ≤ 300 lines)" bash .ci/file-sizes.sh
layer "eslint (www, tests, bench)" node_modules/.bin/eslint www tests bench sw.js vite.config.js eslint.config.js .ci
layer "cargo test (native, Flex)" cargo test --all-targets
layer "clippy (native)" cargo clippy --all-targets -- -D warnings
layer "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --features wgpu --lib --test web -- -D warnings
# The exported web app's build: the same crate without WebGPU.
layer "clippy (wasm32, CPU only)" cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
layer "wasm-pack test --chrome" wasm-pack test --release --headless --chrome --chromedriver "$(command -v chromedriver)" -- --features wgpu --test web
layer "wasm-pack test --firefox" wasm-pack test --release --headless --firefox --geckodriver "$(command -v geckodriver)" -- --features wgpu --test web
layer "app build (release wasm)" bash .ci/build.sh
# After the build: the JS unit tests run the page's model on the real core (www/pkg under Node).
layer "JS unit tests (node --test)" node --test tests/js/
layer "exported model in Python (safetensors + NumPy)" bash .ci/python-model.sh
# Real photo sets (Debian packages) for the end-to-end check of what the page answers.
layer "browser end-to-end" bash -c 'bash .ci/photos.sh && node --test --test-concurrency=1 tests/e2e/'

echo
((failed)) && printf 'failed layers: %s\n' "${failures[*]}"
echo "layers: $passed passed, $failed failed"
((failed == 0))
