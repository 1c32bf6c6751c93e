#!/usr/bin/env python3
"""Which layers carry the error of int16 kernels, and what fixes it: TensorFlow runs the frozen
graph on real photos with the original float32 kernels and with variants (every kernel
int16-roundtripped as src/weights/int16.rs does, one layer at a time, some layers float32, finer
scales, bias correction), and prints the largest |Δprobability| over the 1001 classes each makes
against the original: max over the photos, 99th percentile, median, top-1 / top-5 agreement.
`--weights FILE` runs a file burnish's converter wrote (expanded, in TF's layout) the same way.

    ~/.cache/burnish/refvenv/bin/python bench/research/int16-layers.py \
        ~/.cache/burnish/weights/retrained_graph.pb [--no-sweep] [--sweep-photos N] \
        [--bias-correction none,analytic] [--variant 'stem:f32,dw*:f32'] [--weights FILE]

The figures in docs/benchmarks.md ("Within 1e-3 on any photo") came from
    --bias-correction none,analytic --sweep-photos 400      (per-layer table; 366 photos)
    --no-sweep --bias-correction none,empirical,analytic \
        --variant 'stem:f32,dw*:f32' --variant 'stem:f32,dw*:f32,pw1:f32,pw2:f32,pw3:f32' ...
    --no-sweep --weights www/models/mobilenet_v1_1.0_224.safetensors

Photos: every PNG of ~/.cache/burnish/photos (.ci/photos.sh), darknet's JPEGs and skimage's
samples, centre-cropped and resized to 224² as tests/fixtures/make_golden.py does. Kernels and
BatchNorm vectors are overridden by feeding their `…/read` tensors; the graph is not modified.
Needs the reference venv of make_golden.py plus scipy (a dependency of scikit-image).
"""
import argparse
import fnmatch
import glob
import json
import os
import sys

import numpy as np
import scipy.stats
import skimage.data
import tensorflow as tf
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures"))
from make_golden import centre_crop_224  # noqa: E402  (the golden test's own crop)

LEVELS = 32767.0


def photos():
    """(name, 224² uint8 RGB) of every real photo at hand, in a fixed order."""
    paths = sorted(glob.glob(os.path.expanduser("~/.cache/burnish/photos/*/*/*.png")))
    paths += sorted(glob.glob("/usr/share/darknet/data/*.jpg"))
    out = [(p, np.asarray(centre_crop_224(Image.open(p)))) for p in paths]
    for name in ["chelsea", "coffee", "rocket", "astronaut"]:
        out.append((name, np.asarray(centre_crop_224(Image.fromarray(getattr(skimage.data, name)())))))
    return out


def kernels(graph_def):
    """(layer name, TF node name, output-channel axis in TF's layout) of every kernel."""
    out = [("stem", "MobilenetV1/Conv2d_0/weights", 3)]
    for n in range(1, 14):
        out.append((f"dw{n}", f"MobilenetV1/Conv2d_{n}_depthwise/depthwise_weights", 2))
        out.append((f"pw{n}", f"MobilenetV1/Conv2d_{n}_pointwise/weights", 3))
    out.append(("logits", "MobilenetV1/Logits/Conv2d_1c_1x1/weights", 3))
    names = {n.name for n in graph_def.node}
    assert all(node in names for _, node, _ in out)
    return out


def round_half_away(x):
    """Rust's f32::round."""
    return np.sign(x) * np.floor(np.abs(x) + np.float32(0.5))


def int16_roundtrip(w, axis, groups=1, levels=LEVELS):
    """w quantised to int16 with one scale per output channel (× `groups` contiguous slices of
    the input channels, for convolutions), as src/weights/int16.rs stores it, and back."""
    w = w.astype(np.float32)
    levels = np.float32(levels)
    moved = np.moveaxis(w, axis, 0)  # [O, ...]
    o = moved.shape[0]
    flat = moved.reshape(o, -1)
    if groups > 1:
        # [O, H, W, I] for HWIO kernels: split I.
        shaped = np.moveaxis(w, axis, 0)
        i = shaped.shape[-1]
        g = shaped.reshape(o, -1, groups, i // groups)
        m = np.abs(g).max(axis=(1, 3), keepdims=True).astype(np.float32)
        s = m / levels
        q = np.where(s > 0, np.clip(round_half_away(g / np.where(s > 0, s, 1)), -levels, levels), 0)
        back = (q.astype(np.float32) * s).reshape(shaped.shape)
        return np.moveaxis(back, 0, axis).astype(np.float32)
    m = np.abs(flat).max(axis=1, keepdims=True).astype(np.float32)
    s = m / levels
    q = np.where(s > 0, np.clip(round_half_away(flat / np.where(s > 0, s, 1)), -levels, levels), 0)
    back = (q.astype(np.float32) * s).reshape(moved.shape)
    return np.moveaxis(back, 0, axis).astype(np.float32)


def read_burnish(path):
    """{TF node name: float32 value in TF's layout} of a burnish weights file."""
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    def tensor(name):
        h = header[name]
        a, b = h["data_offsets"]
        dtype = {"F32": "<f4", "I16": "<i2"}[h["dtype"]]
        v = np.frombuffer(body[a:b], dtype=dtype).reshape(h["shape"]).astype(np.float32)
        if h["dtype"] == "I16":
            v = v * tensor(name + ":scale")
        return v
    out = {}
    bn = {"gamma": "gamma", "beta": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}
    for name in header:
        if name == "__metadata__" or name.endswith(":scale"):
            continue
        v = tensor(name)
        parts = name.split(".")
        if parts[0] == "classifier":
            scope = "MobilenetV1/Logits/Conv2d_1c_1x1/"
            out[scope + ("weights" if parts[1] == "weight" else "biases")] = (
                v.reshape(1, 1, *v.shape) if parts[1] == "weight" else v)
            continue
        if parts[0] == "stem":
            scope, rest = "MobilenetV1/Conv2d_0/", parts[1:]
        else:
            kind = parts[2]
            scope, rest = f"MobilenetV1/Conv2d_{int(parts[1]) + 1}_{kind}/", parts[3:]
        if rest[0] == "conv":
            if "depthwise" in scope:
                out[scope + "depthwise_weights"] = v.transpose(2, 3, 0, 1)
            else:
                out[scope + "weights"] = v.transpose(2, 3, 1, 0)
        else:
            out[scope + "BatchNorm/" + bn[rest[1]]] = v
    return out


def softmax(logits):
    logits = logits.astype(np.float64)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("graph")
    ap.add_argument("--sweep-photos", type=int, default=120,
                    help="photos for the one-layer-at-a-time sweep (evenly spaced subsample)")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--bias-correction", default="none",
                    help="comma-separated: none, empirical (E[input] over the photos), analytic "
                         "(E[relu6(N(beta, gamma²))] of the previous BatchNorm); each variant runs "
                         "with each")
    ap.add_argument("--weights", action="append", default=[],
                    help="also run a burnish weights file (.safetensors, int16 kernels expanded) "
                         "with TensorFlow: checks the converter's output itself")
    ap.add_argument("--dump", help="write each variant's per-photo max |Δprob| to this JSON file")
    ap.add_argument("--variant", action="append", default=[],
                    help="LAYERGLOB:MODE,... with MODE f32, i16 (the default for layers not named), "
                         "i16g<N> (scales per output channel and N groups of input channels), "
                         "bits<B> (B-bit per-channel), e.g. 'stem:f32,dw*:f32,pw1:f32'")
    args = ap.parse_args()

    graph_def = tf.compat.v1.GraphDef()
    with open(args.graph, "rb") as f:
        graph_def.ParseFromString(f.read())
    graph = tf.Graph()
    with graph.as_default():
        # The graph's own input is [1, 224, 224, 3]; batches go through a placeholder mapped on it.
        input_t = tf.compat.v1.placeholder(tf.float32, [None, 224, 224, 3])
        tf.compat.v1.import_graph_def(graph_def, input_map={"input:0": input_t}, name="")
    logits_t = graph.get_tensor_by_name("MobilenetV1/Logits/SpatialSqueeze:0")
    sess = tf.compat.v1.Session(graph=graph)
    layers = kernels(graph_def)
    consts = {node: sess.run(graph.get_tensor_by_name(node + ":0")) for _, node, _ in layers}

    shots = photos()
    names = [n for n, _ in shots]
    x_all = np.stack([a for _, a in shots]).astype(np.float32) / 127.5 - 1.0
    print(f"{len(shots)} photos")

    def probs(x, overrides):
        feed = {graph.get_tensor_by_name(node + "/read:0"): w for node, w in overrides.items()}
        out = []
        for i in range(0, len(x), 32):
            feed[input_t] = x[i:i + 32]
            out.append(sess.run(logits_t, feed))
        return softmax(np.concatenate(out))

    def report(label, ref, p, who):
        d = np.abs(p - ref).max(axis=1)
        worst = int(d.argmax())
        top1 = (p.argmax(1) == ref.argmax(1)).mean()
        top5 = (np.argsort(-p, 1)[:, :5] == np.argsort(-ref, 1)[:, :5]).all(1).mean()
        print(f"{label:<44} max {d.max():.2e}  p99 {np.quantile(d, 0.99):.2e}  "
              f"median {np.median(d):.2e}  top-1 {top1:.3f}  top-5 order {top5:.3f}  worst {os.path.basename(who[worst])}",
              flush=True)
        return d

    ref = probs(x_all, {})
    dump = {}

    # Each kernel's input channel means, for bias correction.
    conv_input = {}
    for op in graph.get_operations():
        if op.type in ("Conv2D", "DepthwiseConv2dNative"):
            conv_input[op.inputs[1].name[:-len("/read:0")]] = op.inputs[0]
    def bn(layer_node, field):
        return consts_all(layer_node.rsplit("/", 1)[0] + "/BatchNorm/" + field)
    def consts_all(node):
        return sess.run(graph.get_tensor_by_name(node + ":0"))
    means = {"none": {}, "empirical": {}, "analytic": {}}
    for i, (layer, node, ax) in enumerate(layers):
        if layer == "stem":
            continue
        t = conv_input[node]
        acc = 0
        for j in range(0, len(x_all), 32):
            acc = acc + sess.run(t, {input_t: x_all[j:j + 32]}).astype(np.float64).mean(axis=(1, 2)).sum(0)
        means["empirical"][node] = acc / len(x_all)
        prev = layers[i - 1][1]
        mu, sd = bn(prev, "beta").astype(np.float64), np.abs(bn(prev, "gamma")).astype(np.float64)
        a, b = -mu / sd, (6 - mu) / sd
        n = scipy.stats.norm
        means["analytic"][node] = mu * (n.cdf(b) - n.cdf(a)) + sd * (n.pdf(a) - n.pdf(b)) + 6 * n.sf(b)

    def corrected(overrides, kind):
        """overrides plus, for each quantised kernel, its BatchNorm mean (the logits' bias) moved
        by the expected change of its output."""
        out = dict(overrides)
        for layer, node, ax in layers:
            if node not in overrides or node not in means[kind]:
                continue
            dw = (overrides[node] - consts[node]).astype(np.float64)
            # Sum over everything but the input and output channel axes.
            if ax == 2:  # depthwise [H, W, C, 1]
                delta = dw.sum(axis=(0, 1, 3)) * means[kind][node]
            else:  # [H, W, I, O]
                delta = np.einsum("hwio,i->o", dw, means[kind][node])
            if layer == "logits":
                b = "MobilenetV1/Logits/Conv2d_1c_1x1/biases"
                out[b] = (consts_all(b) - delta).astype(np.float32)
            else:
                m = node.rsplit("/", 1)[0] + "/BatchNorm/moving_mean"
                out[m] = (consts_all(m) + delta).astype(np.float32)
        return out
    variants = {
        "all int16 (per output channel)": {node: int16_roundtrip(consts[node], ax)
                                           for _, node, ax in layers},
    }
    for spec in args.variant:
        rules = [r.split(":") for r in spec.split(",")]
        overrides = {}
        for layer, node, ax in layers:
            mode = next((m for g, m in rules if fnmatch.fnmatchcase(layer, g)), "i16")
            if mode == "f32":
                continue
            if mode.startswith("bits"):
                overrides[node] = int16_roundtrip(consts[node], ax, levels=2.0 ** (int(mode[4:]) - 1) - 1)
            else:
                groups = int(mode[4:]) if mode.startswith("i16g") else 1
                overrides[node] = int16_roundtrip(consts[node], ax, groups=groups)
        variants[spec] = overrides
    dump = {}
    for path in args.weights:
        d = report(os.path.basename(path), ref, probs(x_all, read_burnish(path)), names)
        dump[path] = dict(zip(names, map(float, d)))
    for label, overrides in variants.items():
        for kind in args.bias_correction.split(","):
            tag = "" if kind == "none" else f" +bc {kind}"
            d = report(label + tag, ref, probs(x_all, corrected(overrides, kind)), names)
            dump[label + tag] = dict(zip(names, map(float, d)))
    if args.dump:
        with open(args.dump, "w") as f:
            json.dump(dump, f, indent=1)

    if not args.no_sweep:
        idx = np.linspace(0, len(shots) - 1, min(args.sweep_photos, len(shots))).astype(int)
        x, ref_s, who = x_all[idx], ref[idx], [names[i] for i in idx]
        print(f"one layer int16 at a time, {len(idx)} photos:")
        for layer, node, ax in layers:
            for kind in args.bias_correction.split(","):
                tag = "" if kind == "none" else f" +bc {kind}"
                overrides = corrected({node: int16_roundtrip(consts[node], ax)}, kind)
                report(layer + tag, ref_s, probs(x, overrides), who)


if __name__ == "__main__":
    main()
