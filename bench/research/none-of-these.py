#!/usr/bin/env python3
""""None of these" on kinds that look alike (issue 23 part 3; docs/quality.md): candidate rules,
each calibrated as the page would calibrate it, measured on the photo sets.

    ~/.cache/burnish/refvenv/bin/python bench/research/none-of-these.py [--seeds 42 1 2] [--only NAME ...]
    … --explore    every score tried, with a perfectly placed threshold (no calibration)
    … --select     scores × threshold rules, chosen on one package and tested on the other

TensorFlow runs the frozen graph (~/.cache/burnish/weights/retrained_graph.pb, as
tests/fixtures/make_golden.py: centre square crop, bilinear 224², RGB / 127.5 - 1) once on every
photo of ~/.cache/burnish/photos (.ci/photos.sh) and caches the pooled 1024-d features
(`MobilenetV1/Logits/AvgPool_1a/AvgPool`), the 1001 ImageNet logits and the classifier's weights
(`MobilenetV1/Logits/Conv2d_1c_1x1/{weights,biases}`) in ~/.cache/burnish/none-of-these.npz. The
rest is NumPy (+ scikit-learn for the logistic-regression heads).

Splits: tests/fixtures/photo-sets.js (read through node). Scenarios: `gcompris`, `tuxpaint`, and
every pair of classes of `gcompris-all` (15) and `tuxpaint-all` (21) taught with the package's
other classes as the other kinds. Per scenario and seed, the product's pipeline (src/train/run.rs
`finish`, src/train/novelty.rs), emulated: 15% of each class's training photos held out
(stratified; NumPy's RNG, not the product's), the rest the references (seeded order, near-copies at
cosine 0.95 of the pretrained features dropped, ≤ 64 a class), calibration scores = each reference
against the others (leave-one-out) + the held-out photos (those ≥ 0.95 from a reference left
out), a robust normal fit (median, 1.4826 · MAD) and the threshold median − z(1 − s) · spread at
strictness s = 1%. Nothing is calibrated on the other kinds. The head that names the class is a
logistic regression on the frozen features (the product's default is an MLP head; on these sets
both name the held-out photos alike, docs/quality.md).

kept: held-out photos of the taught classes answered with a class; named right: answered with
their own class; flagged: photos of other kinds answered "none of these"; AUROC of the score,
held-out known against other kinds; "CV kept": kept over every taught photo, each fold of four
(the fixture's i % 4) held out in turn and the model + calibration rebuilt from the other three
(4× the held-out photos: the figure to trust on the two-class sets, whose 14–16 held-out photos
make 95% mean "all of them").
"""
import argparse
import itertools
import json
import os
import subprocess
import sys
from statistics import NormalDist

import numpy as np

HOME = os.path.expanduser("~")
PHOTOS = os.environ.get("BURNISH_PHOTOS_DIR", f"{HOME}/.cache/burnish/photos")
GRAPH = f"{HOME}/.cache/burnish/weights/retrained_graph.pb"
CACHE = f"{HOME}/.cache/burnish/none-of-these.npz"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEAR_COPY = 0.95  # src/train/novelty.rs
PER_CLASS = 64  # REFERENCES_PER_CLASS
VALIDATION = 0.15  # TrainConfig::validation_fraction
STRICTNESS = 1.0  # DEFAULT_STRICTNESS, percent


def extract():
    """Features, logits and classifier weights of every photo (cached)."""
    if os.path.exists(CACHE):
        return dict(np.load(CACHE))
    import glob

    import tensorflow as tf
    from PIL import Image

    sys.path.insert(0, os.path.join(REPO, "tests", "fixtures"))
    from make_golden import centre_crop_224  # the golden test's own crop

    paths = sorted(p for p in glob.glob(f"{PHOTOS}/*/*/*")
                   if p.lower().endswith((".png", ".jpg", ".jpeg", ".webp")))
    graph_def = tf.compat.v1.GraphDef()
    with open(GRAPH, "rb") as f:
        graph_def.ParseFromString(f.read())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    t = graph.get_tensor_by_name
    with tf.compat.v1.Session(graph=graph) as sess:
        w, b = sess.run([t("MobilenetV1/Logits/Conv2d_1c_1x1/weights:0"),
                         t("MobilenetV1/Logits/Conv2d_1c_1x1/biases:0")])
        feats, logits = [], []
        for p in paths:  # the graph's input is [1, 224, 224, 3]
            x = np.asarray(centre_crop_224(Image.open(p)), np.float32)[None] / 127.5 - 1.0
            f, z = sess.run([t("MobilenetV1/Logits/AvgPool_1a/AvgPool:0"),
                             t("MobilenetV1/Logits/SpatialSqueeze:0")], {t("input:0"): x})
            feats.append(f.reshape(-1))
            logits.append(z[0])
    out = dict(paths=np.array([os.path.relpath(p, PHOTOS) for p in paths]),
               features=np.array(feats), logits=np.array(logits),
               weights=w.reshape(1024, 1001), biases=b)
    np.savez_compressed(CACHE, **out)
    return out


def unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True).clip(1e-12)


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def auroc(known, other):
    k, o = np.asarray(known)[:, None], np.asarray(other)[None, :]
    return float((k > o).mean() + 0.5 * (k == o).mean())


def robust_fit(scores):
    s = np.asarray(scores, float)
    m = np.median(s)
    return m, 1.4826 * np.median(np.abs(s - m))


def threshold(scores, strictness=STRICTNESS):
    m, spread = robust_fit(scores)
    return m - spread * NormalDist().inv_cdf(1 - strictness / 100)


def scenarios(data):
    """(group, name, {taught class: [photo ids in sorted order]}, other-kind photo ids)."""
    sets = json.loads(subprocess.check_output(
        ["node", "-e", "import('./tests/fixtures/photo-sets.js').then(m => console.log(JSON.stringify("
         "Object.fromEntries(Object.keys(m.SETS).map(s => [s, m.photoSplit(s)])))))"], cwd=REPO))
    index = {p: i for i, p in enumerate(data["paths"])}
    ids = lambda paths: [index[os.path.relpath(p, PHOTOS)] for p in paths]
    out = []
    for name, split in sets.items():
        # every photo of a class in its sorted order: the fixture holds out i % 4 == 3
        photos = {c: sorted(ids(split["train"][c]) + ids(split["eval"][c]), key=lambda i: data["paths"][i])
                  for c in split["train"]}
        if name.endswith("-all"):
            for pair in itertools.combinations(sorted(photos), 2):
                others = [i for c in photos if c not in pair for i in photos[c]]
                out.append((name, "+".join(pair), {c: photos[c] for c in pair}, np.array(others)))
        else:
            others = [i for v in split["unknown"].values() for i in ids(v)]
            out.append((name, name, photos, np.array(others)))
    return out


def background_photos(data, group, taught, others):
    """For the "Other / background" option: classes of the same package taught as the person's
    "other" class, none of them among the other kinds scored ([(photo ids, other kinds)])."""
    classes = {}
    for i, p in enumerate(data["paths"]):
        src, cls, _ = p.split("/")
        classes.setdefault((src, cls), []).append(i)
    source = data["paths"][next(iter(taught.values()))[0]].split("/")[0]
    if group in ("gcompris", "tuxpaint"):  # the package's classes the set does not use
        used = set(taught) | {data["paths"][i].split("/")[1] for i in others}
        extra = [i for (s, c), v in classes.items() if s == source and c not in used and c != "CREDITS" for i in v]
        return [(np.array(extra), others)]
    # -all pairs: each other class in turn is the background, the rest the other kinds
    rest = sorted({data["paths"][i].split("/")[1] for i in others})
    return [(np.array(classes[(source, c)]), np.array([i for i in others if data["paths"][i].split("/")[1] != c]))
            for c in rest]


class Model:
    """What one training run would hold: the product's split of the taught photos `train`
    (labels `labels`), its references and the photos calibration reads, for one seed."""

    def __init__(self, data, train, labels, seed):
        self.d = data
        rng = np.random.default_rng(seed)
        tr, va = [], []
        for c in sorted(set(labels)):  # stratified_split
            m = np.flatnonzero(labels == c)
            rng.shuffle(m)
            n = len(m)
            held = min(max(round(n * VALIDATION), 1), n - 1) if n >= 2 else 0
            va += list(m[:held])
            tr += list(m[held:])
        self.train, self.labels = train[tr], labels[tr]
        fu = data["fu"][self.train]
        kept = []  # distinct_references: seeded order per class, near-copies dropped
        for c in sorted(set(self.labels)):
            m = np.flatnonzero(self.labels == c)
            rng.shuffle(m)
            for i in m[:4 * PER_CLASS]:
                same = [k for k in kept if self.labels[k] == c]
                if len(same) < PER_CLASS and all(fu[i] @ fu[k] < NEAR_COPY for k in same):
                    kept.append(i)
        self.refs, self.ref_labels = self.train[kept], self.labels[kept]
        val = train[va]
        near = (data["fu"][val] @ data["fu"][self.refs].T).max(1) >= NEAR_COPY
        self.val, self.val_labels = val[~near], labels[va][~near]
        self._heads = {}

    def nn(self, rep, refs=None):
        """Nearest-reference cosine on representation `rep`: (score function, calibration scores
        = leave-one-out over the references, then the held-out photos)."""
        r = self.d[rep]
        refs = self.refs if refs is None else refs
        among = r[refs] @ r[refs].T
        np.fill_diagonal(among, -4.0)
        calib = np.concatenate([among.max(1), (r[self.val] @ r[refs].T).max(1)])
        return (lambda x: (r[x] @ r[refs].T).max(1)), calib

    def head(self, extra=None, folds=0, key=None):
        """A logistic regression on the frozen features of the training photos (+ `extra`:
        (features, label) of more training rows); with `folds`, also its out-of-fold decision
        values on the references (for calibration)."""
        from sklearn.linear_model import LogisticRegression
        key = (key, folds)
        if key in self._heads:
            return self._heads[key]
        f, y = self.d["features"][self.train], self.labels
        if extra is not None:
            f, y = np.vstack([f, extra[0]]), np.concatenate([y, extra[1]])
        fit = lambda a, b: LogisticRegression(C=1.0, max_iter=2000).fit(a, b)
        full = fit(f, y)
        oof = None
        if folds:
            pos = {t: k for k, t in enumerate(self.train)}
            rows = np.array([pos[t] for t in self.refs])
            oof = np.zeros((len(rows), len(full.classes_)))
            for k in range(folds):
                out = rows[k::folds]
                keep = np.setdiff1d(np.arange(len(y)), out)
                oof[k::folds] = _decision(fit(f[keep], y[keep]), f[out], full.classes_)
        self._heads[key] = (full, oof)
        return full, oof


def _decision(model, x, classes):
    """Per-class decision values [N, C] (binary models give one column: ±d/2)."""
    d = model.decision_function(x)
    if d.ndim == 1:
        d = np.stack([-d / 2, d / 2], 1)
    full = np.full((len(x), len(classes)), -1e9)
    for j, c in enumerate(model.classes_):
        full[:, list(classes).index(c)] = d[:, j]
    return full


def lower_threshold(scores, strictness):
    """The median minus z(1 − s) × the lower semi-deviation: the root mean square distance
    below the median of the scores under it (the fit of the tail that decides, not of the bulk)."""
    s = np.asarray(scores, float)
    m = np.median(s)
    return m - NormalDist().inv_cdf(1 - strictness / 100) * np.sqrt(np.mean((m - s[s <= m]) ** 2))


RULES = {
    "robust": threshold,  # today's: median − z · 1.4826 · MAD
    "lower": lower_threshold,
    "percentile": lambda s, q: np.percentile(s, q),  # the empirical quantile (linear)
}


def calibrated(score, calib, ev, un, strictness=STRICTNESS, rule="robust"):
    """Flags of the held-out and other-kind photos under the threshold `rule` fits to `calib`."""
    t = RULES[rule](np.asarray(calib), strictness)
    se, su = score(ev), score(un)
    return [(se < t, su < t, auroc(se, su))]


def zscored(parts):
    """Each (score, calib) as a z value under its own robust fit."""
    out = []
    for score, calib in parts:
        m, s = robust_fit(calib)
        s = max(s, 1e-6)
        out.append(((lambda score, m, s: lambda x: (score(x) - m) / s)(score, m, s), (calib - m) / s))
    return out


def combine(parts, how):
    """min or mean of z-scored parts, with its own calibration scores."""
    z = zscored(parts)
    op = np.minimum.reduce if how == "min" else (lambda a: np.mean(a, 0))
    return (lambda x: op([s(x) for s, _ in z])), op([c for _, c in z])


def class_means(m, rep):
    """Cosine to the nearest class mean of the references on representation `rep` (each mean
    normalised); calibration: each reference against its class's mean without it (and the other
    classes' means), then the held-out photos."""
    r = m.d[rep]
    classes = sorted(set(m.ref_labels))
    sums = np.stack([r[m.refs[m.ref_labels == c]].sum(0) for c in classes])
    protos = unit(sums)
    calib = []
    for ref, c in zip(m.refs, m.ref_labels):
        p = protos.copy()
        k = classes.index(c)
        if (m.ref_labels == c).sum() > 1:
            p[k] = unit(sums[k] - r[ref])
        else:  # a class of one reference has no mean without it
            p = np.delete(p, k, 0)
        calib.append((r[ref] @ p.T).max() if len(p) else -1.0)
    calib = np.concatenate([calib, (r[m.val] @ protos.T).max(1)])
    return (lambda x: (r[x] @ protos.T).max(1)), calib


def imagenet_rows_margin(m, rows, lam=1.0):
    """Nearest-reference cosine minus `lam` × the cosine to the nearest ImageNet row."""
    d = m.d
    score_nn, calib_nn = m.nn("fu")
    neg = lambda x: (d["fu"][x] @ d[rows].T).max(1)
    calib = calib_nn - lam * np.concatenate([neg(m.refs), neg(m.val)])
    return (lambda x: score_nn(x) - lam * neg(x)), calib


def head_other(m):
    """(c) A head with an extra "other" class made of the ImageNet rows (ReLU'd, scaled to the
    median feature norm): the score is 1 − p(other); calibration from out-of-fold values."""
    d = m.d
    extra = (d["protos"], np.full(len(d["protos"]), -1))
    full, oof = m.head(extra, folds=5, key="imagenet rows")
    other = list(full.classes_).index(-1)
    p = lambda dec: softmax(dec)[:, other]
    score = lambda x: 1 - p(_decision(full, d["features"][x], full.classes_))
    calib = np.concatenate([1 - p(oof), score(m.val)])
    return score, calib, full, other


def head_margin(m):
    """(d) The head's margin (top decision value minus the runner-up), out-of-fold on the
    references for calibration."""
    full, oof = m.head(folds=5)
    margin = lambda dec: np.diff(np.sort(dec, 1)[:, -2:], axis=1)[:, 0]
    score = lambda x: margin(_decision(full, m.d["features"][x], full.classes_))
    return score, np.concatenate([margin(oof), score(m.val)])


def methods():
    """name -> f(model, held-out ids, other-kind ids, background choices) -> [(flag held-out,
    flag others, AUROC)] (one entry per background choice where the method uses one)."""
    out = {}

    def nn_rule(rep, strictness=STRICTNESS):
        return lambda m, ev, un, bg: calibrated(*m.nn(rep), ev, un, strictness)
    out["nearest reference, cosine (today)"] = nn_rule("fu")
    out["  same, strictness 5%"] = nn_rule("fu", 5.0)
    out["(a) ImageNet rows as negatives: cosine − nearest row's"] = \
        lambda m, ev, un, bg: calibrated(*imagenet_rows_margin(m, "rows"), ev, un)
    out["(a) same, ReLU'd rows"] = lambda m, ev, un, bg: calibrated(*imagenet_rows_margin(m, "protos_u"), ev, un)
    out["(a) uncalibrated: a ReLU'd row nearer than every reference"] = lambda m, ev, un, bg: [
        (s(ev) < 0, s(un) < 0, auroc(s(ev), s(un))) for s in [imagenet_rows_margin(m, "protos_u")[0]]]

    def head_other_rule(m, ev, un, bg):
        score, calib, full, other = head_other(m)
        return calibrated(score, calib, ev, un)

    def head_other_argmax(m, ev, un, bg):
        score, calib, full, other = head_other(m)
        pick = lambda x: _decision(full, m.d["features"][x], full.classes_).argmax(1) == other
        return [(pick(ev), pick(un), auroc(score(ev), score(un)))]
    out["(c) head + \"other\" class of ReLU'd ImageNet rows: 1 − p(other)"] = head_other_rule
    out["(c) same, uncalibrated: answered \"other\""] = head_other_argmax
    out["(d) head's margin alone"] = lambda m, ev, un, bg: calibrated(*head_margin(m), ev, un)
    out["(d) cosine and head's margin, mean of z"] = lambda m, ev, un, bg: calibrated(
        *combine([m.nn("fu"), head_margin(m)], "mean"), ev, un)
    out["(e) nearest reference, cosine of ImageNet logits"] = nn_rule("logits")
    for t in (2, 4, 8):
        out[f"(e) nearest reference, ImageNet-row mix, T = {t}"] = nn_rule(f"mix{t}")
    for t in (2, 4):
        for how in ("min", "mean"):
            out[f"(e) cosine and row mix T = {t}, {how} of z"] = (lambda t, how: lambda m, ev, un, bg: calibrated(
                *combine([m.nn("fu"), m.nn(f"mix{t}")], how), ev, un))(t, how)
    out["(e) cosine and logits cosine, min of z"] = lambda m, ev, un, bg: calibrated(
        *combine([m.nn("fu"), m.nn("logits")], "min"), ev, un)
    for t in (3, 4):
        out[f"(e) nearest class mean, row mix T = {t}"] = (lambda t: lambda m, ev, un, bg: calibrated(
            *class_means(m, f"mix{t}"), ev, un))(t)
        for s_ in (1, 2):
            out[f"(e) nearest class mean, row mix T = {t}, lower semi-deviation {s_}%"] = \
                (lambda t, s_: lambda m, ev, un, bg: calibrated(*class_means(m, f"mix{t}"), ev, un, s_, "lower"))(t, s_)
    out["(e) nearest reference, row mix T = 4, lower semi-deviation 2%"] = lambda m, ev, un, bg: calibrated(
        *m.nn("mix4"), ev, un, 2.0, "lower")
    out["nearest reference, cosine (today), lower semi-deviation 2%"] = lambda m, ev, un, bg: calibrated(
        *m.nn("fu"), ev, un, 2.0, "lower")

    def background(m, ev, un, bg, rule):
        res = []
        for photos, others in bg:
            score, calib = m.nn("fu")
            t = threshold(calib)
            r = m.d["fu"]
            # nearest taught reference minus nearest background photo: < 0 is "nearer to other"
            gap = lambda x: score(x) - (r[x] @ r[photos].T).max(1)
            if rule == "nearest":
                fe, fu_ = (score(ev) < t) | (gap(ev) < 0), (score(others) < t) | (gap(others) < 0)
            else:  # the head with an "Other" class (K + 1), and today's threshold
                full, _ = m.head((m.d["features"][photos], np.full(len(photos), -1)),
                                 key=("background", int(photos[0]), len(photos)))
                other = list(full.classes_).index(-1)
                pick = lambda x: _decision(full, m.d["features"][x], full.classes_).argmax(1) == other
                fe, fu_ = (score(ev) < t) | pick(ev), (score(others) < t) | pick(others)
            res.append((fe, fu_, auroc(gap(ev), gap(others))))
        return res
    def background_means(m, ev, un, bg):
        res = []
        for photos, others in bg:
            score, calib = class_means(m, "mix4")
            t = lower_threshold(calib, 2.0)
            r = m.d["mix4"]
            other_mean = unit(r[photos].mean(0))
            gap = lambda x: score(x) - r[x] @ other_mean  # < 0: nearer the "Other" class's mean
            flag = lambda x: (score(x) < t) | (gap(x) < 0)
            res.append((flag(ev), flag(others), auroc(gap(ev), gap(others))))
        return res
    out["(f) \"Other\" class, nearest class mean (row mix T = 4) is its, or below lower semi-deviation 2%"] = \
        background_means
    out["(f) \"Other\" class of background photos: nearest photo is one, or today's rule"] = \
        lambda m, ev, un, bg: background(m, ev, un, bg, "nearest")
    out["(f) same, the head answers \"Other\", or today's rule"] = \
        lambda m, ev, un, bg: background(m, ev, un, bg, "head")
    return out


def prepare(data):
    """Unit features, the ImageNet representations and the classifier's rows."""
    d = dict(data)
    f, z, w = d["features"].astype(np.float64), d["logits"].astype(np.float64), d["weights"].astype(np.float64)
    d["features"], d["fu"] = f, unit(f)
    d["logits"] = unit(z - z.mean(1, keepdims=True))  # centred: the softmax ignores the mean
    d["rows"] = unit(w.T)  # [1001, 1024]: the classifier's weight rows
    relu = np.maximum(w.T, 0)
    d["protos"] = unit(relu) * np.median(np.linalg.norm(f, axis=1))  # ReLU'd rows, feature-sized
    d["protos_u"] = unit(relu)
    for t in (2, 3, 4, 6, 8):  # the softmax at temperature t mixing the normalised rows
        d[f"mix{t}"] = unit(softmax(z / t) @ d["rows"])
        d[f"fmix{t}"] = unit(np.hstack([d["fu"], d[f"mix{t}"]]))  # both, concatenated
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2])
    ap.add_argument("--only", nargs="*", help="substrings of option names")
    ap.add_argument("--folds", type=int, nargs="+", default=[0, 1, 2, 3], help="3 is the fixture's held out")
    ap.add_argument("--explore", action="store_true",
                    help="every representation tried, scored with a perfectly placed threshold")
    ap.add_argument("--select", action="store_true",
                    help="the grid of scores × calibration rules, chosen on one package, tested on the other")
    args = ap.parse_args()
    d = prepare(extract())
    if args.select:
        return select(d, args.seeds)
    if args.explore:
        return explore(d)
    all_methods = {k: v for k, v in methods().items() if not args.only or any(o in k for o in args.only)}
    from sklearn.linear_model import LogisticRegression
    rows = {}  # (method, group) -> list of dicts
    for group, name, taught, others in scenarios(d):
        for fold in args.folds:
            held = np.array([i for c in taught for k, i in enumerate(taught[c]) if k % 4 == fold])
            held_l = np.array([j for j, c in enumerate(taught) for k, i in enumerate(taught[c]) if k % 4 == fold])
            train = np.array([i for c in taught for k, i in enumerate(taught[c]) if k % 4 != fold])
            labels = np.array([j for j, c in enumerate(taught) for k, i in enumerate(taught[c]) if k % 4 != fold])
            bg = background_photos(d, group, taught, others)
            for seed in args.seeds:
                m = Model(d, train, labels, seed)
                named = LogisticRegression(C=1.0, max_iter=2000).fit(d["features"][m.train], m.labels)
                right = named.predict(d["features"][held]) == held_l
                for mname, method in all_methods.items():
                    if mname.startswith("(c)") and seed != args.seeds[0]:
                        continue  # 1001 extra rows, 6 fits per run: the first seed only
                    for fe, fo, a in method(m, held, others, bg):
                        rows.setdefault((mname, group), []).append(dict(
                            fold=fold, kept=1 - fe.mean(), named=(~fe & right).mean(), flagged=fo.mean(), auroc=a))
    groups = ["gcompris", "tuxpaint", "gcompris-all", "tuxpaint-all"]
    print(f"seeds {args.seeds}; cells: kept / named right / flagged / AUROC on the fixture's held-out photos"
          " (fold 3; -all: means over pairs) · CV kept / CV flagged (every fold)\n")
    print("| option | " + " | ".join(groups) + " |")
    print("| --- |" + " --- |" * len(groups))
    for mname in all_methods:
        cells = []
        for g in groups:
            r = rows.get((mname, g), [])
            off = [x for x in r if x["fold"] == 3]
            mean = lambda rs, k: np.mean([x[k] for x in rs]) if rs else float("nan")
            cells.append(f"{mean(off, 'kept'):.2f} / {mean(off, 'named'):.2f} / {mean(off, 'flagged'):.2f} / "
                         f"{mean(off, 'auroc'):.3f} · {mean(r, 'kept'):.2f} / {mean(r, 'flagged'):.2f}")
        print(f"| {mname.strip()} | " + " | ".join(cells) + " |")


def explore(d):
    """The first look (no calibration): per score, the AUROC and the share of other kinds flagged
    at the threshold keeping 95% of the held-out known photos (the best any calibration could do),
    on the fixture's held-out photos and pooled over the four folds (CV: one threshold for the
    four folds' raw scores). References: every training photo of the fold."""
    z = np.load(CACHE)["logits"].astype(np.float64)
    f = d["features"]
    lc = d["logits"]
    reps = {
        "nearest sample, cosine (today)": d["fu"],
        "nearest sample, cosine of √features": unit(np.sqrt(f)),
        "nearest sample, cosine of features^¼": unit(f ** 0.25),
        "nearest sample, cosine of centred logits": lc,
        "nearest sample, cosine ‖ ½ logits": unit(np.hstack([d["fu"], 0.5 * lc])),
        "nearest sample, cosine ‖ logits": unit(np.hstack([d["fu"], lc])),
        "nearest sample, √features ‖ ½ logits": unit(np.hstack([unit(np.sqrt(f)), 0.5 * lc])),
    }
    for t in (1, 2, 4):
        reps[f"nearest sample, Bhattacharyya of softmax(z/{t})"] = np.sqrt(softmax(z / t))
    for t in (1, 2, 3, 4, 6, 8):
        reps[f"nearest sample, row mix T={t}"] = unit(softmax(z / t) @ d["rows"])
    for t in (1, 2, 4):
        reps[f"nearest sample, cosine ‖ row mix T={t}"] = unit(np.hstack([d["fu"], unit(softmax(z / t) @ d["rows"])]))
    p = softmax(z)

    def special(train, labels):
        pr = p[train]
        out = {f"ImageNet mass on the training photos' top-{k} classes": (lambda c: lambda x: p[x][:, c].sum(1))(
            np.unique(np.argsort(-pr, 1)[:, :k])) for k in (1, 3, 5, 10)}
        q = np.stack([pr[labels == c].mean(0) for c in sorted(set(labels))])
        out["Bhattacharyya to a class's mean softmax"] = lambda x: (np.sqrt(p[x]) @ np.sqrt(q).T).max(1)
        out["log Σ p · mean training softmax"] = lambda x: np.log(p[x] @ pr.mean(0))
        out["nearest sample cosine − nearest row's (ImageNet rows as negatives)"] = \
            lambda x: (d["fu"][x] @ d["fu"][train].T).max(1) - (d["fu"][x] @ d["rows"].T).max(1)
        out["nearest sample cosine − nearest ReLU'd row's"] = \
            lambda x: (d["fu"][x] @ d["fu"][train].T).max(1) - (d["fu"][x] @ d["protos_u"].T).max(1)
        return out
    res = {}
    for group, name, taught, others in scenarios(d):
        pooled = {}
        for fold in range(4):
            held = np.array([i for c in taught for k, i in enumerate(taught[c]) if k % 4 == fold])
            train = np.array([i for c in taught for k, i in enumerate(taught[c]) if k % 4 != fold])
            labels = np.array([j for j, c in enumerate(taught) for k, i in enumerate(taught[c]) if k % 4 != fold])
            fns = {k: (lambda r: lambda x: (r[x] @ r[train].T).max(1))(r) for k, r in reps.items()}
            fns.update(special(train, labels))
            for k, fn in fns.items():
                sh, so = fn(held), fn(others)
                a = pooled.setdefault(k, [[], []])
                a[0] += list(sh)
                a[1] += list(so)
                if fold == 3:
                    res.setdefault(k, {}).setdefault(group, []).append(
                        [auroc(sh, so), (so < np.percentile(sh, 5)).mean()])
        for k, (kh, ko) in pooled.items():
            res[k][group][-1] += [auroc(kh, ko), (np.array(ko) < np.percentile(kh, 5)).mean()]
    # Which kinds each space catches on tuxpaint: the 5th percentile of the training photos'
    # leave-one-out scores as the threshold.
    group, name, taught, others = next(x for x in scenarios(d) if x[1] == "tuxpaint")
    train = np.array([i for c in taught for k, i in enumerate(taught[c]) if k % 4 != 3])
    kinds = np.array([d["paths"][i].split("/")[1] for i in others])
    for label, rep in (("cosine", d["fu"]), ("centred logits", lc), ("row mix T=4", d["mix4"])):
        among = rep[train] @ rep[train].T
        np.fill_diagonal(among, -4.0)
        t = np.percentile(among.max(1), 5)
        flagged = (rep[others] @ rep[train].T).max(1) < t
        print(f"tuxpaint, {label}: flagged " + ", ".join(
            f"{k} {flagged[kinds == k].mean():.2f}" for k in dict.fromkeys(kinds)))
    groups = ["gcompris", "tuxpaint", "gcompris-all", "tuxpaint-all"]
    print("cells: AUROC / flagged at 95% kept, fixture's held-out photos · the same pooled over four folds (CV)")
    print("| score | " + " | ".join(groups) + " |")
    print("| --- |" + " --- |" * 4)
    for k in res:
        print(f"| {k} | " + " | ".join("{:.3f} / {:.2f} · {:.3f} / {:.2f}".format(*np.mean(res[k][g], 0))
                                      for g in groups) + " |")


def select(d, seeds):
    """Scores on the ImageNet-row mix (T) × calibration rules, every fold and seed; the
    configurations keeping ≥ 95% on one package's sets (the two-class set and the pairs, fixture
    fold and CV alike), best worst-case flagged first, and what they give on the other package."""
    scores = {"nearest reference, cosine (today)": lambda m: m.nn("fu")}
    for t in (2, 3, 4, 6):
        scores[f"nearest reference, mix T={t}"] = (lambda t: lambda m: m.nn(f"mix{t}"))(t)
        scores[f"nearest class mean, mix T={t}"] = (lambda t: lambda m: class_means(m, f"mix{t}"))(t)
        scores[f"both, mean of z, mix T={t}"] = (lambda t: lambda m: combine(
            [m.nn(f"mix{t}"), class_means(m, f"mix{t}")], "mean"))(t)
        scores[f"nearest reference, cosine ‖ mix T={t}"] = (lambda t: lambda m: m.nn(f"fmix{t}"))(t)
        scores[f"both, mean of z, cosine ‖ mix T={t}"] = (lambda t: lambda m: combine(
            [m.nn(f"fmix{t}"), class_means(m, f"fmix{t}")], "mean"))(t)
    rules = [("robust", 1), ("robust", 2), ("lower", 1), ("lower", 2), ("lower", 5), ("percentile", 1),
             ("percentile", 2.5)]
    res = {}
    for group, name, taught, others in scenarios(d):
        for fold in range(4):
            held = np.array([i for c in taught for k, i in enumerate(taught[c]) if k % 4 == fold])
            train = np.array([i for c in taught for k, i in enumerate(taught[c]) if k % 4 != fold])
            labels = np.array([j for j, c in enumerate(taught) for k, i in enumerate(taught[c]) if k % 4 != fold])
            for seed in seeds:
                m = Model(d, train, labels, seed)
                for sname, fn in scores.items():
                    score, calib = fn(m)
                    sh, so = score(held), score(others)
                    for rule, q in rules:
                        t = RULES[rule](np.asarray(calib), q)
                        res.setdefault((sname, f"{rule} {q}%"), {}).setdefault(group, []).append(
                            ((sh >= t).mean(), (so < t).mean(), fold == 3))

    def cell(key, g):
        a = np.array(res[key][g])
        off = a[a[:, 2] == 1]
        return off[:, 0].mean(), off[:, 1].mean(), a[:, 0].mean(), a[:, 1].mean()

    def worst(key, groups):  # the lowest kept and the lowest flagged, fixture fold and CV
        cs = [cell(key, g) for g in groups]
        return min(min(c[0], c[2]) for c in cs), min(min(c[1], c[3]) for c in cs)
    fmt = lambda key, groups: " | ".join("{:.2f} / {:.2f} · {:.2f} / {:.2f}".format(*cell(key, g)) for g in groups)
    fams = {"gcompris": ["gcompris", "gcompris-all"], "tuxpaint": ["tuxpaint", "tuxpaint-all"]}
    print(f"{len(scores)} scores × {len(rules)} rules, seeds {seeds}; cells: kept / flagged (fixture fold) · "
          "CV kept / CV flagged")
    for pick, test in (("gcompris", "tuxpaint"), ("tuxpaint", "gcompris")):
        ranked = sorted((k for k in res if worst(k, fams[pick])[0] >= 0.95), key=lambda k: -worst(k, fams[pick])[1])
        print(f"\nchosen on {pick} (its worst flagged), tested on {test}:")
        print(f"| score | rule | {pick}: worst kept, flagged | " + " | ".join(fams[test]) + " |")
        print("| --- | --- | --- |" + " --- |" * 2)
        for k in ranked[:3]:
            print(f"| {k[0]} | {k[1]} | " + "{:.2f}, {:.2f}".format(*worst(k, fams[pick])) + " | " + fmt(k, fams[test]) + " |")
    groups = fams["gcompris"] + fams["tuxpaint"]
    ranked = sorted(res, key=lambda k: (worst(k, groups)[0] < 0.95, -worst(k, groups)[1]))
    print("\nall four sets, kept ≥ 0.95 everywhere first, by the worst flagged:")
    print("| score | rule | " + " | ".join(groups) + " |")
    print("| --- | --- |" + " --- |" * 4)
    for k in ranked[:8] + [("nearest reference, cosine (today)", "robust 1%")]:
        print(f"| {k[0]} | {k[1]} | " + fmt(k, groups) + " |")


if __name__ == "__main__":
    main()
