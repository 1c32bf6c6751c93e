#!/usr/bin/env python3
""""None of these" from more of the network than its last pooled features (issue 23 part 3;
docs/quality.md, "Kinds that look alike"): do earlier blocks (textures, parts), max pooling (is a
part there at all) or a mirrored second look separate the other kinds better than ImageNet's view
alone?

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
        ~/.cache/burnish/refvenv/bin/python bench/research/none-of-these-layers.py [--seeds 42 1 2] [--few]

TensorFlow runs the frozen graph (as bench/research/none-of-these.py) once more on every photo and on its
mirror image, caching in ~/.cache/burnish/none-of-these-layers.npz the average- and max-pooled
outputs of pointwise blocks 5, 7, 9, 11, 12 and 13, and the mirror's pooled features and logits.
Everything after that reuses bench/research/none-of-these-prototypes.py (imported): the product's split,
references and calibration (`prototypes`: one class-mean prototype per class), scored per
representation. Rules: one score, lower semi-deviation 1/2/3/4%; and "either": two scores, each
with its own threshold, the photo "none of these" when either says so — ImageNet's view with each
block's, and the grid of the view's × the appearance's strictness (the appearance: the pretrained
features against class means, every reference, or k-means sub-prototypes).
"""
import argparse
import importlib.util
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


pt = _load("none_of_these_prototypes", "none-of-these-prototypes.py")
nt = pt.nt
unit, softmax = nt.unit, nt.softmax
CACHE = os.path.expanduser("~/.cache/burnish/none-of-these-layers.npz")
BLOCKS = [5, 7, 9, 11, 12, 13]


def extract(paths):
    """Pooled block outputs of every photo, and the mirror image's features and logits (cached)."""
    if os.path.exists(CACHE):
        return dict(np.load(CACHE))
    import tensorflow as tf
    from PIL import Image

    sys.path.insert(0, os.path.join(nt.REPO, "tests", "fixtures"))
    from make_golden import centre_crop_224

    graph_def = tf.compat.v1.GraphDef()
    with open(nt.GRAPH, "rb") as f:
        graph_def.ParseFromString(f.read())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    t = graph.get_tensor_by_name
    blocks = [t(f"MobilenetV1/MobilenetV1/Conv2d_{b}_pointwise/Relu6:0") for b in BLOCKS]
    heads = [t("MobilenetV1/Logits/AvgPool_1a/AvgPool:0"), t("MobilenetV1/Logits/SpatialSqueeze:0")]
    out = {f"avg{b}": [] for b in BLOCKS} | {f"max{b}": [] for b in BLOCKS} | {"flip_f": [], "flip_z": []}
    with tf.compat.v1.Session(graph=graph) as sess:
        for p in paths:
            x = np.asarray(centre_crop_224(Image.open(os.path.join(nt.PHOTOS, p))), np.float32)[None] / 127.5 - 1.0
            acts = sess.run(blocks, {t("input:0"): x})
            for b, a in zip(BLOCKS, acts):
                out[f"avg{b}"].append(a[0].mean((0, 1)))
                out[f"max{b}"].append(a[0].max((0, 1)))
            f, z = sess.run(heads, {t("input:0"): x[:, :, ::-1]})
            out["flip_f"].append(f.reshape(-1))
            out["flip_z"].append(z[0])
    out = {k: np.array(v) for k, v in out.items()}
    np.savez_compressed(CACHE, **out)
    return out


def representations(d, extra):
    z, rows = d["logits_raw"], d["rows"]
    mix = lambda logits: unit(softmax(logits / 4) @ rows)
    m4 = mix(z)
    reps = {"mix T=4 (today)": m4, "features": d["fu"]}
    for b in BLOCKS:
        reps[f"avg{b}"] = unit(extra[f"avg{b}"])
        reps[f"max{b}"] = unit(extra[f"max{b}"])
    reps["mix, mirror averaged"] = mix((z + extra["flip_z"]) / 2)
    for b in (9, 11, 12):
        for a in (0.5, 1.0):
            reps[f"mix ‖ {a:g}·avg{b}"] = unit(np.hstack([m4, a * unit(extra[f"avg{b}"])]))
    for a in (0.5, 1.0):
        reps[f"mix ‖ {a:g}·max13"] = unit(np.hstack([m4, a * unit(extra["max13"])]))
        reps[f"mix ‖ {a:g}·max11"] = unit(np.hstack([m4, a * unit(extra["max11"])]))
    return reps


SPLIT_A, SPLIT_B = [1.0, 1.5, 2.0, 2.5], [0.1, 0.25, 0.5, 1.0, 1.5, 2.0]
# The appearance's prototypes: the class mean (adopted), every reference (nearest sample, the rule
# before issue 23), spherical k-means one per 8 references.
APPEARANCE_KINDS = {"1": "class mean", "all": "nearest reference", "per8": "k-means, one per 8"}
WHITEN = [0.3, 0.6, 0.9]


def whitened(r, m, lam):
    """r through the inverse square root of the references' within-class covariance, shrunk
    towards its mean variance by `lam` (cosine there ~ a Mahalanobis distance)."""
    x = r[m.refs]
    centred = np.concatenate([x[m.ref_labels == c] - x[m.ref_labels == c].mean(0) for c in set(m.ref_labels)])
    cov = centred.T @ centred / max(len(centred) - 1, 1)
    cov = (1 - lam) * cov + lam * np.trace(cov) / len(cov) * np.eye(len(cov))
    vals, vecs = np.linalg.eigh(cov)
    return unit(r @ (vecs / np.sqrt(vals.clip(1e-12))) @ vecs.T)


PAIRS = [("mix T=4 (today)", "avg11"), ("mix T=4 (today)", "avg12"), ("mix T=4 (today)", "max13"),
         ("mix T=4 (today)", "avg9"), ("mix T=4 (today)", "max11"), ("mix T=4 (today)", "features")]


def run(d, reps, seeds, rules):
    res, oracle = {}, {}
    for group, name, taught, others in nt.scenarios(d):
        pooled = {}
        for fold, held, train, labels in pt.folds(taught):
            for seed in seeds:
                m = nt.Model(d, train, labels, seed)
                scored = {}
                local = dict(reps)
                for lam in WHITEN:
                    local[f"mix whitened by the taught photos' spread, shrinkage {lam:g}"] = whitened(
                        reps["mix T=4 (today)"], m, lam)
                for rn, r in local.items():
                    score, calib = pt.prototypes(m, r, "1")
                    sh, so = score(held), score(others)
                    scored[rn] = (sh, so, calib)
                    pooled.setdefault((rn, seed), []).append((sh, so, fold))
                    for q in rules:
                        t = nt.lower_threshold(calib, q)
                        res.setdefault((rn, f"lower {q:g}%"), {}).setdefault(group, []).append(
                            ((sh >= t).mean(), (so < t).mean(), fold == 3))
                (ah, ao, ac) = scored["mix T=4 (today)"]
                for kind, what in APPEARANCE_KINDS.items():
                    score, bc = pt.prototypes(m, d["fu"], kind)
                    bh, bo = score(held), score(others)
                    for qa in SPLIT_A:
                        for qb in SPLIT_B:
                            ta, tb = nt.lower_threshold(ac, qa), nt.lower_threshold(bc, qb)
                            res.setdefault((f"either: mix at {qa:g}% or features ({what}) at {qb:g}%", "lower"), {}).setdefault(
                                group, []).append((((ah >= ta) & (bh >= tb)).mean(), ((ao < ta) | (bo < tb)).mean(), fold == 3))
                for a, b in PAIRS:
                    for q in rules:
                        (ah, ao, ac), (bh, bo, bc) = scored[a], scored[b]
                        ta, tb = nt.lower_threshold(ac, q / 2), nt.lower_threshold(bc, q / 2)
                        res.setdefault((f"either: {a} or {b}", f"lower {q:g}%, halves"), {}).setdefault(group, []).append(
                            (((ah >= ta) & (bh >= tb)).mean(), ((ao < ta) | (bo < tb)).mean(), fold == 3))
        pt.ceilings({((rn, "1", "none", 0.0), seed): v for (rn, seed), v in pooled.items()}, oracle, group)
    return res, oracle


def student_threshold(scores, strictness):
    """The lower semi-deviation threshold with a small-sample correction: Student's t quantile
    (n − 1 degrees of freedom) × √(1 + 1/n), a prediction interval's, instead of the normal's."""
    from scipy import stats

    s = np.asarray(scores, float)
    m, n = np.median(s), len(s)
    spread = np.sqrt(np.mean((m - s[s <= m]) ** 2))
    return m - stats.t.ppf(1 - strictness / 100, max(n - 1, 1)) * np.sqrt(1 + 1 / n) * spread


def few(d, seeds, sizes=(3, 5, 8, 12, None)):
    """The adopted rule (the view at 2% or the appearance at 0.25%) against the view alone, and
    with a small-sample correction, when only `n` training photos a class are taught (a seeded
    choice; None: all of them), for n in `sizes`."""
    mix = unit(softmax(d["logits_raw"] / 4) @ d["rows"])
    print("| photos a class | rule | " + " | ".join(pt.GROUPS) + " |")
    print("| --- | --- |" + " --- |" * len(pt.GROUPS))
    for n in sizes:
        res = {}
        for group, name, taught, others in nt.scenarios(d):
            for fold, held, train, labels in pt.folds(taught):
                for seed in seeds:
                    rng = np.random.default_rng(seed)
                    keep = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:n] for c in sorted(set(labels))])
                    keep.sort()
                    m = nt.Model(d, train[keep], labels[keep], seed)
                    (view, view_calib), (look, look_calib) = pt.prototypes(m, mix, "1"), pt.prototypes(m, d["fu"], "1")
                    vh, vo, fh, fo = view(held), view(others), look(held), look(others)
                    ta, tb = nt.lower_threshold(view_calib, 2.0), nt.lower_threshold(look_calib, 0.25)
                    res.setdefault("the view alone", {}).setdefault(group, []).append(
                        ((vh >= ta).mean(), (vo < ta).mean(), fold == 3))
                    res.setdefault("the view or the appearance", {}).setdefault(group, []).append(
                        (((vh >= ta) & (fh >= tb)).mean(), ((vo < ta) | (fo < tb)).mean(), fold == 3))
                    ta, tb = student_threshold(view_calib, 2.0), student_threshold(look_calib, 0.25)
                    res.setdefault("the same, Student's t for few scores", {}).setdefault(group, []).append(
                        (((vh >= ta) & (fh >= tb)).mean(), ((vo < ta) | (fo < tb)).mean(), fold == 3))
        for rule in res:
            print(f"| {n or 'all'} | {rule} | " + " | ".join(
                "{:.2f} / {:.2f} · {:.2f} / {:.2f}".format(*pt.cell(res, rule, g)) for g in pt.GROUPS) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2])
    ap.add_argument("--rules", type=float, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--few", action="store_true", help="only: the adopted rule with 3-12 training photos a class")
    args = ap.parse_args()
    t0 = time.time()
    raw = nt.extract()
    d = nt.prepare(raw)
    d["logits_raw"] = raw["logits"].astype(np.float64)
    if args.few:
        return few(d, args.seeds)
    extra = extract(list(raw["paths"]))
    reps = representations(d, extra)
    res, oracle = run(d, reps, args.seeds, args.rules)
    res = {(k[0], "1", "none", 0.0, k[1]): v for k, v in res.items()}
    print(f"{len(res)} variants, seeds {args.seeds}\n")
    pt.report(res, oracle, args.top)
    print("\nevery rule of two scores:")
    for k in (k for k in res if k[0].startswith("either: mix at") or k[0] == "mix T=4 (today)"):
        print(f"| {pt.label(k)} | " + "{:.3f}, {:.3f}".format(*pt.worst(res, k, pt.GROUPS)) + " | " + " | ".join(
            "{:.2f} / {:.2f} · {:.2f} / {:.2f}".format(*pt.cell(res, k, g)) for g in pt.GROUPS) + " |")
    print(f"\n({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
