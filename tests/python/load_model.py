#!/usr/bin/env python3
"""Uses a model exported by burnish (head only: fine_tune_blocks = 0) from Python.

    python3 tests/python/load_model.py MODEL.safetensors PREDICTIONS.jsonl

PREDICTIONS.jsonl is `burnish predict --model MODEL --features IMAGE...`: for each image the
base MobileNetV1's pooled 1024-d features, burnish's probabilities and its "none of these"
similarity. This recomputes both from the features with the exported tensors in NumPy and checks
they match. With
PyTorch, `safetensors.torch.load_file` gives the same tensors (Linear weights are stored
[in, out]: use `x @ w + b`, or transpose for `torch.nn.Linear`).
"""
import json
import sys

import numpy as np
from safetensors import safe_open


def load(path):
    with safe_open(path, framework="numpy") as f:
        meta = json.loads(f.metadata()["burnish"])
        tensors = {name: f.get_tensor(name) for name in f.keys()}
    return meta, tensors


def head(meta, t, features):
    """Dense(100, ReLU) -> Dense(N) -> softmax (dropout is off at inference), or Dense(N)."""
    x = features
    if meta["head"] == "mlp":
        x = np.maximum(x @ t["tail.head.hidden.weight"] + t["tail.head.hidden.bias"], 0.0)
    logits = x @ t["tail.head.output.weight"] + t["tail.head.output.bias"]
    e = np.exp(logits - logits.max())
    return e / e.sum()


def similarity(t, features):
    """Cosine similarity to the nearest training sample kept as a reference ("none of these")."""
    refs = t["novelty.references"]
    return float((refs @ (features / np.linalg.norm(features))).max())


def main(model_path, predictions_path):
    meta, tensors = load(model_path)
    assert meta["fine_tune_blocks"] == 0, "this example runs head-only models"
    print("classes:", meta["class_names"], "| preprocessing:", meta["preprocessing"])
    worst = 0.0
    for line in open(predictions_path):
        row = json.loads(line)
        features = np.asarray(row["features"], dtype=np.float32)
        probs = head(meta, tensors, features)
        worst = max(worst, float(np.abs(probs - np.asarray(row["probs"])).max()))
        worst = max(worst, abs(similarity(tensors, features) - row["similarity"]))
        print(row["file"], "->", meta["class_names"][int(probs.argmax())], probs.round(4).tolist())
    print(f"max |difference| to burnish: {worst:.2e}")
    assert worst < 1e-5, worst


if __name__ == "__main__":
    main(*sys.argv[1:3])
