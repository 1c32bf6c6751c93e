#!/usr/bin/env python3
"""Uses a model exported by burnish (head only: fine_tune_blocks = 0) from Python.

    python3 tests/python/load_model.py MODEL.safetensors PREDICTIONS.jsonl BASE.safetensors

PREDICTIONS.jsonl is `burnish predict --model MODEL --features IMAGE...`: for each image the
base MobileNetV1's pooled 1024-d features, burnish's probabilities and its "none of these"
similarity. This recomputes both from the features with the exported tensors in NumPy and checks
they match. The similarity also needs the base network's ImageNet classifier, read from BASE (the
weights burnish runs, www/models/mobilenet_v1_1.0_224.safetensors: large kernels as int16 with
a float32 scale per output). With
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


def classifier(base_path):
    """The base network's ImageNet classifier: weights [1024, 1001] (int16 × scale, or float32)
    and bias [1001]."""
    with safe_open(base_path, framework="numpy") as f:
        names = set(f.keys())
        w = f.get_tensor("classifier.weight").astype(np.float64)
        if "classifier.weight:scale" in names:
            w = w * f.get_tensor("classifier.weight:scale")
        return w, f.get_tensor("classifier.bias").astype(np.float64)


def similarity(meta, t, base, features, temperature=4.0, margin=0.75):
    """ "None of these": ImageNet's view of the image (softmax of the ImageNet logits at T = 4
    mixing the classifier's rows, each of unit length), its cosine to the nearest class prototype;
    or, where lower, the appearance (the unit features' cosine to the nearest appearance
    prototype) on the view's scale: as many view spreads from the view's median as it is
    appearance spreads from the appearance's, plus `margin` (burnish's APPEARANCE_MARGIN)."""
    w, b = base
    z = (features @ w + b) / temperature
    p = np.exp(z - z.max())
    view = (w / np.linalg.norm(w, axis=0)) @ (p / p.sum())
    score = float((t["novelty.prototypes"] @ (view / np.linalg.norm(view))).max())
    fit_view, fit_look = meta["novelty"]["view"], meta["novelty"]["appearance"]
    if fit_look["spread"] > 0:
        look = float((t["novelty.appearance"] @ (features / np.linalg.norm(features))).max())
        on_view_scale = fit_view["median"] + fit_view["spread"] * (
            (look - fit_look["median"]) / fit_look["spread"] + margin)
        return min(score, on_view_scale), on_view_scale < score
    return score, False


def main(model_path, predictions_path, base_path):
    meta, tensors = load(model_path)
    base = classifier(base_path)
    assert meta["fine_tune_blocks"] == 0, "this example runs head-only models"
    print("classes:", meta["class_names"], "| preprocessing:", meta["preprocessing"])
    worst, by_appearance, images = 0.0, 0, 0
    for line in open(predictions_path):
        row = json.loads(line)
        features = np.asarray(row["features"], dtype=np.float32)
        probs = head(meta, tensors, features)
        worst = max(worst, float(np.abs(probs - np.asarray(row["probs"])).max()))
        score, appearance = similarity(meta, tensors, base, features)
        worst = max(worst, abs(score - row["similarity"]))
        by_appearance, images = by_appearance + appearance, images + 1
        print(row["file"], "->", meta["class_names"][int(probs.argmax())], probs.round(4).tolist())
    print(f"max |difference| to burnish: {worst:.2e} (the appearance was the lower for {by_appearance} of {images})")
    assert worst < 1e-5, worst


if __name__ == "__main__":
    main(*sys.argv[1:4])
