#!/usr/bin/env python3
""""None of these" within the prototype family the product can build (issue 23 part 3;
docs/quality.md, "Kinds that look alike"): score = max over stored L2-normalised prototypes μ_k
(each belonging to one class) of (e · μ_k + o_c(k)), one global threshold fitted to calibration
scores, the photo "none of these" below it.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
        ~/.cache/burnish/refvenv/bin/python bench/research/none-of-these-prototypes.py [--seeds 42 1 2]

Reuses bench/research/none-of-these.py (imported, not copied): its feature cache, `prepare`, `scenarios`,
`Model` (the product's split, references, held-out photos per fold and seed) and threshold rules.
Grid (each axis a flag; the defaults run in ~3.5 min on 2 cores):
* representation e (--temps): the row mix unit(softmax(logits / T) @ unit(W.T)), T = 3, 4, 5, and
  "fmix", unit(concat(unit(features), row mix));
* prototypes per class (--kinds): the class mean (1), spherical k-means with k = 2, 3, one per 8 or
  16 references (deterministic: farthest-first init from the reference nearest the class mean, ≤ 25
  Lloyd steps, empty clusters dropped), or every reference ("all": nearest reference); each
  prototype unit(unit(sum of its references) − β · unit(sum of all references)), β = 0, 0.25, 0.5
  (--centres: less of what the taught classes share);
* per-class offsets o_c, one for all of a class's prototypes (--offsets): none; "median",
  −(median of the class's own-prototype calibration scores); "tail", −(the class's own lower
  semi-deviation 2% threshold): class-conditional thresholds folded into the score;
* calibration: each reference against the prototypes with its own contribution taken out of its
  prototype (a prototype of that reference alone dropped), then the held-out photos against the full
  prototypes; rules (--rules) lower semi-deviation 1/2/3% and percentile 1/2%.
Cells: kept (held-out taught photos not flagged) / flagged (other kinds flagged) on the fixture fold
(i % 4 == 3) · the same over all four folds (CV); -all sets: means over pairs; seeds pooled. A
variant's "worst" is its lowest kept and lowest flagged over the cells, fixture and CV alike. Also:
the best worst-flagged at lower kept floors, the ceiling (flagged at a perfectly placed threshold
keeping 95% of the held-out known photos, no calibration) and the cross-package selection as
bench/research/none-of-these.py --select does it (chosen on one package's sets, tested on the other's).
"""
import argparse
import importlib.util
import os
import time

import numpy as np

_spec = importlib.util.spec_from_file_location(
    "none_of_these", os.path.join(os.path.dirname(os.path.abspath(__file__)), "none-of-these.py"))
nt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nt)
unit, softmax = nt.unit, nt.softmax

RULES = [("lower", 1), ("lower", 2), ("lower", 3), ("percentile", 1), ("percentile", 2)]
GROUPS = ["gcompris", "gcompris-all", "tuxpaint", "tuxpaint-all"]
FAMS = {"gcompris": ["gcompris", "gcompris-all"], "tuxpaint": ["tuxpaint", "tuxpaint-all"]}


def representations(d, temps):
    z, rows = d["logits_raw"], d["rows"]
    reps = {}
    for t in temps:
        mix = unit(softmax(z / t) @ rows)
        reps[f"mix T={t}"] = mix
        reps[f"fmix T={t}"] = unit(np.hstack([d["fu"], mix]))
    return reps


def skmeans(x, k, iters=25):
    """Spherical k-means of the unit rows x: cluster index per row (deterministic)."""
    n = len(x)
    if k >= n:
        return np.arange(n)
    if k <= 1:
        return np.zeros(n, int)
    centres = [int(np.argmax(x @ unit(x.sum(0))))]  # the most central, then farthest-first
    for _ in range(k - 1):
        centres.append(int(np.argmin((x @ x[centres].T).max(1))))
    c = x[centres]
    assign = None
    for _ in range(iters):
        new = np.argmax(x @ c.T, 1)
        if assign is not None and np.array_equal(new, assign):
            break
        assign = new
        used = np.unique(assign)
        c = unit(np.stack([x[assign == j].sum(0) for j in used]))
        assign = np.searchsorted(used, assign)
    return np.argmax(x @ c.T, 1) if assign is None else assign


def n_protos(kind, n):
    if kind == "all":
        return n
    if kind.startswith("per"):
        return max(1, int(round(n / int(kind[3:]))))
    return int(kind)


def prototypes(m, r, kind, offsets="none", centre=0.0):
    """(score function, calibration scores) for prototypes `kind` on representation r; `centre` β:
    each prototype unit(unit(sum) − β · unit(sum of every reference)), less of what all share."""
    refs, labels = m.refs, m.ref_labels
    classes = sorted(set(labels))
    x = r[refs]
    cls_of, members = [], []  # per prototype: its class, its reference rows
    assign = np.zeros(len(refs), int)
    for c in classes:
        rows = np.flatnonzero(labels == c)
        a = skmeans(x[rows], n_protos(kind, len(rows)))
        for j in range(a.max() + 1):
            assign[rows[a == j]] = len(members)
            members.append(rows[a == j])
            cls_of.append(c)
    cls_of = np.array(cls_of)
    g = unit(x.sum(0))
    shape = lambda s: unit(unit(s) - centre * g)
    sums = np.stack([x[grp].sum(0) for grp in members])
    counts = np.array([len(grp) for grp in members])
    protos = shape(sums)
    # leave-one-out: each reference against its own prototype with itself taken out
    sims = x @ protos.T
    loo = np.einsum("ij,ij->i", x, shape(sums[assign] - x))
    sims[np.arange(len(refs)), assign] = np.where(counts[assign] > 1, loo, -4.0)
    vsims = r[m.val] @ protos.T
    off = np.zeros(len(protos))
    if offsets != "none":  # per class, from its own-prototype calibration scores
        own_of = lambda s, lab: np.where(cls_of[None] == lab[:, None], s, -4.0).max(1)
        own_r, own_v = own_of(sims, labels), own_of(vsims, m.val_labels)
        for c in classes:
            s = np.concatenate([own_r[labels == c], own_v[m.val_labels == c]])
            s = s[s > -2]  # a lone reference of a class has no score against its own class
            if len(s) >= 2:
                off[cls_of == c] = -(np.median(s) if offsets == "median" else nt.lower_threshold(s, 2.0))
    calib = np.concatenate([(sims + off).max(1), (vsims + off).max(1)])
    return (lambda ids: (r[ids] @ protos.T + off).max(1)), calib


def folds(taught):
    """(fold, held-out ids, training ids, their labels) for each quarter of every class held out
    in turn (the fixture holds out i % 4 == 3)."""
    for fold in range(4):
        pick = lambda keep: [(j, i) for j, c in enumerate(taught) for k, i in enumerate(taught[c]) if keep(k % 4)]
        held = np.array([i for _, i in pick(lambda f: f == fold)])
        train = pick(lambda f: f != fold)
        yield fold, held, np.array([i for _, i in train]), np.array([j for j, _ in train])


def ceilings(pooled, oracle, group):
    """Adds to `oracle[variant][group]` the share flagged at a perfectly placed threshold (95% of
    the held-out known kept, no calibration), fixture fold and CV, from `pooled[(variant, seed)]`
    = [(held-out scores, other kinds' scores, fold)]."""
    at95 = lambda sh, so: (so < np.percentile(sh, 5)).mean()
    for (v, seed), parts in pooled.items():
        fix = next(at95(sh, so) for sh, so, f in parts if f == 3)
        cv = at95(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
        oracle.setdefault(v, {}).setdefault(group, []).append((fix, cv))


def run(d, seeds, temps, kinds, offsets, centres, rules=RULES):
    reps = representations(d, temps)
    variants = [(rn, k, o, c) for rn in reps for k in kinds for o in offsets for c in centres]
    res = {}  # (rep, kind, offsets, centre, rule) -> group -> [(kept, flagged, fixture fold)]
    oracle = {}  # (rep, kind, offsets, centre) -> group -> [flagged at 95% kept: fixture, CV pooled]
    for group, name, taught, others in nt.scenarios(d):
        pooled = {}
        for fold, held, train, labels in folds(taught):
            for seed in seeds:
                m = nt.Model(d, train, labels, seed)
                for v in variants:
                    score, calib = prototypes(m, reps[v[0]], *v[1:])
                    sh, so = score(held), score(others)
                    pooled.setdefault((v, seed), []).append((sh, so, fold))
                    for rule, q in rules:
                        t = nt.RULES[rule](calib, q)
                        res.setdefault(v + (f"{rule} {q:g}%",), {}).setdefault(group, []).append(
                            ((sh >= t).mean(), (so < t).mean(), fold == 3))
        ceilings(pooled, oracle, group)
    return res, oracle


def cell(res, key, g):
    a = np.array(res[key][g])
    off = a[a[:, 2] == 1]
    return off[:, 0].mean(), off[:, 1].mean(), a[:, 0].mean(), a[:, 1].mean()


def worst(res, key, groups):
    cs = [cell(res, key, g) for g in groups]
    return min(min(c[0], c[2]) for c in cs), min(min(c[1], c[3]) for c in cs)


def label(key):
    rn, kind, off, centre = key[:4]
    k = {"1": "class mean", "all": "every reference"}.get(kind, f"k-means {kind.replace('per', '1 per ')}"
                                                         if kind.startswith("per") else f"k-means k={kind}")
    extra = (f", {off} offsets" if off != "none" else "") + (f", centred β={centre}" if centre else "")
    return f"{rn} | {k}{extra}" + (f" | {key[4]}" if len(key) > 4 else "")


def report(res, oracle, top):
    fmt = lambda key, groups: " | ".join("{:.2f} / {:.2f} · {:.2f} / {:.2f}".format(*cell(res, key, g)) for g in groups)
    w = lambda key, groups: "{:.3f}, {:.3f}".format(*worst(res, key, groups))
    print("cells: kept / flagged (fixture fold) · CV kept / CV flagged; worst: min over cells, fixture and CV\n")
    ranked = sorted(res, key=lambda k: (worst(res, k, GROUPS)[0] < 0.95, -worst(res, k, GROUPS)[1]))
    print("all four sets, kept ≥ 0.95 everywhere first, by the worst flagged:")
    print("| representation | prototypes | rule | worst kept, flagged | " + " | ".join(GROUPS) + " |")
    print("| --- | --- | --- | --- |" + " --- |" * 4)
    base = ("mix T=4", "1", "none", 0.0, "lower 2%")
    for k in ranked[:top] + ([base] if base in res and base not in ranked[:top] else []):
        print(f"| {label(k)} | {w(k, GROUPS)} | " + fmt(k, GROUPS) + " |")
    print("\nbest worst-flagged variant at each worst-kept floor (all four sets):")
    for floor in (0.95, 0.945, 0.94, 0.93, 0.92, 0.90):
        ok = [k for k in res if worst(res, k, GROUPS)[0] >= floor]
        if ok:
            k = max(ok, key=lambda k: worst(res, k, GROUPS)[1])
            print(f"  kept ≥ {floor:.3f}: {label(k)}: worst {w(k, GROUPS)}")
    orc = {v: [np.mean(oracle[v][g], 0) for g in GROUPS] for v in oracle}
    print("\nceiling: flagged at a perfectly placed threshold (95% of the held-out known kept; fixture · "
          "CV pooled over folds), best worst-case first:")
    print("| representation | prototypes | worst | " + " | ".join(GROUPS) + " |")
    print("| --- | --- | --- |" + " --- |" * 4)
    for v in sorted(orc, key=lambda v: -np.min(orc[v]))[:top] + ([base[:4]] if base[:4] in orc else []):
        print(f"| {label(v)} | {np.min(orc[v]):.2f} | " + " | ".join("{:.2f} · {:.2f}".format(*c) for c in orc[v]) + " |")
    for pick, test in (("gcompris", "tuxpaint"), ("tuxpaint", "gcompris")):
        ranked = sorted((k for k in res if worst(res, k, FAMS[pick])[0] >= 0.95),
                        key=lambda k: -worst(res, k, FAMS[pick])[1])
        print(f"\nchosen on {pick} (worst kept ≥ 0.95, best worst flagged), tested on {test}:")
        print(f"| representation | prototypes | rule | {pick}: worst kept, flagged | " + " | ".join(FAMS[test])
              + f" | {test}: worst kept, flagged |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for k in ranked[:3]:
            print(f"| {label(k)} | {w(k, FAMS[pick])} | " + fmt(k, FAMS[test]) + f" | {w(k, FAMS[test])} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2])
    ap.add_argument("--temps", type=float, nargs="+", default=[3, 4, 5])
    ap.add_argument("--kinds", nargs="+", default=["1", "2", "3", "per8", "per16", "all"],
                    help="prototypes per class: k, perN (one per N references), all")
    ap.add_argument("--offsets", nargs="+", default=["none", "median", "tail"],
                    help="per-class offsets: none, median (equalise medians), tail (equalise lower 2%% thresholds)")
    ap.add_argument("--centres", type=float, nargs="+", default=[0.0, 0.25, 0.5])
    ap.add_argument("--rules", nargs="+", default=[f"{r}:{q}" for r, q in RULES],
                    help="threshold rules, lower:S (semi-deviation, strictness S%%) or percentile:Q")
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    t0 = time.time()
    raw = nt.extract()
    d = nt.prepare(raw)
    d["logits_raw"] = raw["logits"].astype(np.float64)
    temps = [int(t) if t == int(t) else t for t in args.temps]
    res, oracle = run(d, args.seeds, temps, args.kinds, args.offsets, args.centres,
                      [(r, float(q)) for r, q in (x.split(":") for x in args.rules)])
    print(f"{len(res)} variants (representation × prototypes × offsets × rule), seeds {args.seeds}\n")
    report(res, oracle, args.top)
    print(f"\n({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
