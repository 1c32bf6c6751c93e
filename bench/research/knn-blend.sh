#!/usr/bin/env bash
# Would nearest-neighbour votes help the trained head? (docs/quality.md, "Against simple
# baselines".) For gcompris-all and tuxpaint-all and seeds 42, 1, 2: trains the default model
# with the CLI, then `burnish predict --model --features` gives every photo's class
# probabilities and pretrained features; bench/research/knn-blend.py blends the head's probabilities with
# a softmax of each class's nearest-training-photo cosine and prints held-out accuracy.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="$HOME/.cache/burnish/pyvenv"
source bench/photo-sets.sh
for set in gcompris-all tuxpaint-all; do
  for seed in 42 1 2; do
    "$burnish" train "$sets/$set/train" --seed "$seed" --out "$work/model.safetensors" > /dev/null 2>&1
    for dir in "$sets/$set"/{train,eval}/*/; do
      "$burnish" predict --model "$work/model.safetensors" --features "$dir"* 2> /dev/null |
        SET=$set SEED=$seed PART=$(basename "$(dirname "$dir")") CLASS=$(basename "$dir") node -e '
          const { SET: set, SEED: seed, PART: part, CLASS: cls } = process.env;
          for (const line of require("fs").readFileSync(0, "utf8").trim().split("\n")) {
            const r = JSON.parse(line);
            console.log(JSON.stringify({ set, seed, part, cls, probs: r.probs, top5: r.top5, f: r.features }));
          }'
    done
  done
done > "$work/predictions.jsonl"
"$VENV/bin/python" bench/research/knn-blend.py "$work/predictions.jsonl"
