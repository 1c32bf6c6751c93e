#!/usr/bin/env bash
# Held-out accuracy of the default MLP head vs a logistic regression (--head linear: one dense
# layer, softmax, same split, optimiser and early stopping) on the same frozen embeddings, over
# five seeds, with the native CLI on Fashion-MNIST ImageFolder trees:
#   python3 tests/fixtures/fashion_folders.py /tmp/f4 20 60   (FASHION_ALL=1 … /tmp/f10 for 10 classes)
#   bash bench/research/heads.sh /tmp/f4 [/tmp/f10 …]
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
cargo build --quiet --bin burnish
BIN="$CARGO_TARGET_DIR/debug/burnish"
for set in "$@"; do
  for head in mlp linear; do
    flag=(); [ "$head" = linear ] && flag=(--head linear)
    for seed in 1 2 3 4 5; do
      "$BIN" train "$set/train" --eval "$set/eval" --seed "$seed" "${flag[@]}" --out /dev/null 2>/dev/null | tail -1
    done | node -e '
      const runs = require("fs").readFileSync(0, "utf8").trim().split("\n").map(JSON.parse);
      const mean = (k) => runs.reduce((s, r) => s + r[k], 0) / runs.length;
      console.log(`${process.argv[1]} ${process.argv[2]}: eval accuracy mean ${mean("eval_accuracy").toFixed(4)} over ${runs.length} seeds (${runs.map((r) => r.eval_accuracy.toFixed(3)).join(" ")}), ${mean("seconds").toFixed(1)} s per run`)' "$set" "$head"
  done
done
