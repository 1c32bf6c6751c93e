#!/usr/bin/env bash
# The project's own size rule (docs/design.md): a Rust file under src/ over 400 lines or a JS
# file under www/ over 300 holds more than one concept. Lists each offender and fails.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
check() {
  local limit=$1
  shift
  for file in "$@"; do
    local lines
    lines=$(wc -l < "$file")
    if ((lines > limit)); then
      echo "$file: $lines lines (limit $limit): split it by concept" >&2
      status=1
    fi
  done
}
check 400 $(find src -name '*.rs')
check 300 $(find www -name '*.js' -not -path 'www/pkg/*')
((status == 0)) && echo "file sizes: every src/*.rs ≤ 400 lines, every www/*.js ≤ 300"
exit $status
