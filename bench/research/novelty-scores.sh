#!/usr/bin/env bash
# Compares "none of these" scores on real photos (docs/quality.md#which-score): the pretrained
# features of every photo of tests/fixtures/photo-sets.js through `burnish predict --features`,
# then bench/research/novelty-scores.py (NumPy) prints AUROC / share of other kinds flagged at 95% kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="$HOME/.cache/burnish/pyvenv"
source bench/photo-sets.sh
weights=www/models/mobilenet_v1_1.0_224.safetensors
# Any model gives the pretrained features; train a small one on the first set.
"$burnish" train "$sets/gcompris/train" --fine-tune-blocks 0 --augment false --epochs 1 \
  --weights "$weights" --out "$work/model.safetensors" > /dev/null 2>&1
for set in gcompris tuxpaint gcompris-all tuxpaint-all; do
  for dir in "$sets/$set"/*/*/; do
    part=$(basename "$(dirname "$dir")")
    class=$(basename "$dir")
    # -all sets: train and eval are enough (each pair's others come from the other classes)
    "$burnish" predict --weights "$weights" --model "$work/model.safetensors" --features "$dir"* 2> /dev/null |
      SET=$set PART=$part CLASS=$class node -e '
        const { SET: set, PART: part, CLASS: cls } = process.env;
        for (const line of require("fs").readFileSync(0, "utf8").trim().split("\n"))
          console.log(JSON.stringify({ set, part, class: cls, f: JSON.parse(line).features }));'
  done
done > "$work/features.jsonl"
"$VENV/bin/python" bench/research/novelty-scores.py "$work/features.jsonl" "$weights"
