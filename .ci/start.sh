#!/usr/bin/env bash
# `npm start`: set-up, the wasm, then the page served on PORT (default 8080).
# On a fresh machine the page is served as soon as the CPU-only wasm is built (the exported web
# apps' runtime, a quarter of the work: the weights are converted with it too), standing in for
# the trainer's, whose WebGPU build goes on behind the served page; when it is there the page
# reloads onto it (everything saved is kept). Afterwards both are rebuilt before serving, as
# `npm run build` does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
if [[ -f www/pkg/burnish_bg.wasm ]]; then
  bash .ci/build.sh
else
  bash .ci/build.sh app
  cp www/pkg/cpu/burnish.js www/pkg/cpu/burnish_bg.wasm www/pkg/
  echo "npm start: serving the CPU-only build while the trainer's WebGPU build goes on" >&2
  log="${TMPDIR:-/tmp}/burnish-trainer-build.log"
  (
    if bash .ci/build.sh trainer > "$log" 2>&1; then
      echo "npm start: the trainer's WebGPU build is in (the page reloads onto it)" >&2
    else
      # The stand-in stays; the next npm start builds the trainer's wasm before serving.
      echo "npm start: the trainer's build failed (log: $log); the page stays on the CPU" >&2
    fi
  ) &
fi
exec npm run serve
