#!/usr/bin/env bash
# `npm start`: set-up, the trainer's wasm, then the page served at once while the exported web
# apps' CPU-only runtime builds behind it (a few minutes on a fresh machine; until it is there,
# Export → Web app says so). PORT picks the port (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
bash .ci/build.sh trainer
log="${TMPDIR:-/tmp}/burnish-app-runtime.log"
(
  if bash .ci/build.sh app > "$log" 2>&1; then
    echo "npm start: the web apps' runtime is built (Export → Web app is ready)"
  else
    echo "npm start: building the web apps' runtime failed (log: $log)" >&2
  fi
) &
exec node_modules/.bin/vite --host 127.0.0.1 --port "${PORT:-8080}" --strictPort
