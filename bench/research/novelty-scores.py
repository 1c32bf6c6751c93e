#!/usr/bin/env python3
"""Which "none of these" score separates best (docs/quality.md): run by bench/research/novelty-scores.sh.

Reads FEATURES.jsonl (one line per photo: set, part = train | eval | unknown, class, the pretrained
MobileNetV1's pooled 1024-d features from `burnish predict --features`) and the weights file (for
the ImageNet classifier), and prints, per set and score, the AUROC of held-out photos of the
taught classes against photos of other kinds, and the share of other kinds flagged at the
threshold that keeps 95% of the held-out known photos (the best any calibration could do).
Sets: the two-class sets as defined, and every pair of classes of the `-all` sets with the
package's other classes as "other kinds".
"""
import itertools
import json
import sys

import numpy as np
from safetensors.numpy import load_file


def unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-12)


def auroc(known, other):
    k, o = np.asarray(known)[:, None], np.asarray(other)[None, :]
    return float((k > o).mean() + 0.5 * (k == o).mean())


def scores(train, labels, logits):
    """score name -> function of features [N, 1024] -> [N] (higher: more like the taught)."""
    refs = unit(train)
    centre = train.mean(0)
    centred = unit(train - centre)
    classes = sorted(set(labels))
    protos = unit(np.stack([centred[labels == c].mean(0) for c in classes]))
    means = [refs[labels == c].mean(0) for c in classes]
    within = np.concatenate([refs[labels == c] - means[i] for i, c in enumerate(classes)])
    cov = within.T @ within / len(within)
    precision = np.linalg.inv(cov + 0.1 * np.trace(cov) / len(cov) * np.eye(len(cov)))
    logit_refs = unit(logits(train))
    # Each reference's own nearest other reference (leave-one-out): how crowded its place is.
    among = refs @ refs.T
    np.fill_diagonal(among, -np.inf)
    own = among.max(1)
    # Per class: its references' leave-one-out nearest same-class similarity, median and MAD.
    same = np.where(labels[:, None] == labels[None, :], among, -np.inf).max(1)
    stats = {c: (np.median(same[labels == c]),
                 1.4826 * np.median(np.abs(same[labels == c] - np.median(same[labels == c]))) + 1e-3)
             for c in classes}
    def per_class_z(x):
        s = unit(x) @ refs.T
        return np.max([(np.where(labels == c, s, -np.inf).max(1) - stats[c][0]) / stats[c][1]
                       for c in classes], 0)
    return {
        "nearest sample, cosine (burnish)": lambda x: (unit(x) @ refs.T).max(1),
        "3 nearest samples, mean cosine": lambda x: np.sort(unit(x) @ refs.T, 1)[:, -3:].mean(1),
        "nearest sample, centred cosine": lambda x: (unit(x - centre) @ centred.T).max(1),
        "nearest class mean, centred cosine": lambda x: (unit(x - centre) @ protos.T).max(1),
        "Mahalanobis (shared, shrunk covariance)": lambda x: -np.min(
            [np.einsum("ij,jk,ik->i", unit(x) - m, precision, unit(x) - m) for m in means], 0),
        "nearest sample, cosine of ImageNet logits": lambda x: (unit(logits(x)) @ logit_refs.T).max(1),
        "nearest sample, cosine minus its own nearest": lambda x: (lambda s: s.max(1) - own[s.argmax(1)])(unit(x) @ refs.T),
        "best sample of cosine minus its own nearest": lambda x: (unit(x) @ refs.T - own[None, :]).max(1),
        "cosine over its own nearest, best sample": lambda x: (unit(x) @ refs.T / own[None, :]).max(1),
        "per-class z of nearest same-class cosine": per_class_z,
    }


def measure(train, labels, known, other, logits, out):
    for name, score in scores(train, labels, logits).items():
        k, o = score(known), score(other)
        threshold = np.percentile(k, 5)
        out.setdefault(name, []).append((auroc(k, o), float((o < threshold).mean())))


def main(features_path, weights_path):
    w = load_file(weights_path)
    # Kernels are int16 with one float32 scale per output channel (src/weights/int16.rs).
    w = {name: t * w[name + ":scale"] if t.dtype == np.int16 else t for name, t in w.items()}
    logits = lambda x: x @ w["classifier.weight"] + w["classifier.bias"]
    rows = [json.loads(line) for line in open(features_path)]
    table = {}
    for name in sorted({r["set"] for r in rows}):
        rs = [r for r in rows if r["set"] == name]
        f = np.array([r["f"] for r in rs], dtype=np.float64)
        part = np.array([r["part"] for r in rs])
        cls = np.array([r["class"] for r in rs])
        if name.endswith("-all"):
            pairs = list(itertools.combinations(sorted(set(cls)), 2))
            label = f"{name}: {len(pairs)} pairs"
            for pair in pairs:
                taught = np.isin(cls, pair)
                train = taught & (part == "train")
                measure(f[train], cls[train], f[taught & (part == "eval")], f[~taught], logits,
                        table.setdefault(label, {}))
        else:
            train = part == "train"
            measure(f[train], cls[train], f[part == "eval"], f[part == "unknown"], logits,
                    table.setdefault(name, {}))
    print("| score | " + " | ".join(table) + " |")
    print("| --- |" + " --- |" * len(table))
    for score in next(iter(table.values())):
        cells = []
        for results in table.values():
            a = np.array(results[score])
            cells.append(f"{a[:, 0].mean():.3f} / {a[:, 1].mean():.2f}")
        print(f"| {score} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(*sys.argv[1:3])
