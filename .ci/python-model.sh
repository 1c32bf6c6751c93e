#!/usr/bin/env bash
# Exported models used from Python (docs/using-a-model.md), in a venv in ~/.cache/burnish/pyvenv:
# * a head-only model's .safetensors: tests/python/load_model.py recomputes burnish's predictions
#   from the pooled features with NumPy + safetensors;
# * a model with its last block fine-tuned, exported to ONNX (`burnish export-model --format
#   onnx`): tests/python/onnx_model.py runs it in ONNX Runtime on the fixture photos and checks
#   probabilities and "none of these" similarity against `burnish predict` within 1e-4.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
VENV="$HOME/.cache/burnish/pyvenv"
PACKAGES=(safetensors==0.8.0 numpy==2.4.6 onnxruntime==1.32.0 pillow==13.0.0)
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
missing=$(comm -23 <(printf '%s\n' "${PACKAGES[@]}" | sort) <("$VENV/bin/pip" freeze | sort))
[ -z "$missing" ] || "$VENV/bin/pip" install --quiet "${PACKAGES[@]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data/animal" "$work/data/thing"
cp tests/fixtures/images/{dog,chelsea,eagle}.png "$work/data/animal/"
cp tests/fixtures/images/{coffee,rocket,astronaut}.png "$work/data/thing/"
burnish() { cargo run --quiet --bin burnish -- "$@"; }

burnish train "$work/data" --fine-tune-blocks 0 --epochs 10 --out "$work/head.safetensors" > /dev/null 2>&1
burnish predict --model "$work/head.safetensors" --features tests/fixtures/images/*.png > "$work/head.jsonl"
"$VENV/bin/python" tests/python/load_model.py "$work/head.safetensors" "$work/head.jsonl" \
  www/models/mobilenet_v1_1.0_224.safetensors

# Nothing held out: the fine-tuned block is kept, so the export carries fine-tuned weights.
burnish train "$work/data" --fine-tune-blocks 1 --validation-fraction 0 --epochs 5 \
  --fine-tune-epochs 3 --out "$work/tuned.safetensors" > /dev/null 2>&1
burnish export-model "$work/tuned.safetensors" --format onnx --out "$work/tuned.onnx"
burnish predict --model "$work/tuned.safetensors" tests/fixtures/images/*.png > "$work/tuned.jsonl"
"$VENV/bin/python" tests/python/onnx_model.py "$work/tuned.onnx" "$work/tuned.jsonl"
