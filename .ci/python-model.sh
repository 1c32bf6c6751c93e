#!/usr/bin/env bash
# An exported model used from Python (README "Using a trained model elsewhere"): train a head with
# the CLI on the fixture photos, then tests/python/load_model.py recomputes burnish's predictions
# from the .safetensors with NumPy + safetensors (a venv in ~/.cache/burnish/pyvenv).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
VENV="$HOME/.cache/burnish/pyvenv"
if ! "$VENV/bin/python" -c 'import numpy, safetensors' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet safetensors==0.8.0 numpy==2.4.6
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data/animal" "$work/data/thing"
cp tests/fixtures/images/{dog,chelsea,eagle}.png "$work/data/animal/"
cp tests/fixtures/images/{coffee,rocket,astronaut}.png "$work/data/thing/"
burnish() { cargo run --quiet --bin burnish -- "$@"; }
burnish train "$work/data" --fine-tune-blocks 0 --epochs 10 --out "$work/model.safetensors" > /dev/null 2>&1
burnish predict --model "$work/model.safetensors" --features tests/fixtures/images/*.png > "$work/predictions.jsonl"
"$VENV/bin/python" tests/python/load_model.py "$work/model.safetensors" "$work/predictions.jsonl"
