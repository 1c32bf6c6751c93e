#!/usr/bin/env bash
# Quality on real photos the model never saw (docs/quality.md): for each photo set of
# tests/fixtures/photo-sets.js, train with the CLI on the training split and report held-out
# accuracy, "none of these" on held-out photos (kept) and on photos of other kinds (flagged,
# AUROC), for each variant given (default: k = 0, 1, 2). One JSON line per run.
# BURNISH_SETS picks sets (default: all of them).
#   bash bench/quality.sh                      # k = 0, 1, 2
#   BURNISH_SETS="gcompris-all tuxpaint-all" bash bench/quality.sh "--fine-tune-blocks 1 --augment"
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/photo-sets.sh
variants=("$@")
((${#variants[@]})) || variants=("--fine-tune-blocks 0" "--fine-tune-blocks 1" "--fine-tune-blocks 2")
for name in ${BURNISH_SETS:-$(ls "$sets")}; do
  set="$sets/$name"
  for variant in "${variants[@]}"; do
    # shellcheck disable=SC2086 # a variant is a list of flags
    unknown=(); [ -d "$set/unknown" ] && unknown=(--unknown "$set/unknown")
    summary=$("$burnish" train "$set/train" --eval "$set/eval" "${unknown[@]}" \
      $variant --out "$work/model.safetensors" 2>/dev/null | tail -1)
    node -e 'const [set, variant, line] = process.argv.slice(1); const s = JSON.parse(line);
      const pick = ["val_accuracy", "eval_accuracy", "eval_kept", "eval_named_right", "unknown_flagged", "auroc", "seconds", "eval_photos", "unknown_photos", "samples"];
      console.log(JSON.stringify({ set, variant, ...Object.fromEntries(pick.map((k) => [k, s[k]])) }));' \
      "$(basename "$set")" "$variant" "$summary"
  done
done
