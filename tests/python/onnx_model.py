#!/usr/bin/env python3
"""Runs a model exported by `burnish export-model --format onnx` in ONNX Runtime.

    python3 tests/python/onnx_model.py MODEL.onnx PREDICTIONS.jsonl

PREDICTIONS.jsonl is `burnish predict --model MODEL.safetensors IMAGE...` on 224x224 images:
burnish's probabilities and "none of these" similarity. This feeds each image, prepared as the
model's `preprocessing` metadata says, to ONNX Runtime and checks both outputs agree within 1e-4.
It is also the snippet docs/using-a-model.md shows.
"""
import json
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image


def prepare(path):
    """RGB, centre square crop, 224x224, value/127.5 - 1, NCHW with a batch of one."""
    image = Image.open(path).convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((224, 224), Image.BILINEAR)
    x = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    return x.transpose(2, 0, 1)[None]


def main(model_path, predictions_path):
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    labels = json.loads(meta["labels"])
    below = float(meta["none_of_these_below"])
    print("labels:", labels, "| none of these below similarity", round(below, 4))
    worst = 0.0
    for line in open(predictions_path):
        row = json.loads(line)
        probs, similarity = session.run(["probabilities", "similarity"], {"image": prepare(row["file"])})
        answer = "none of these" if similarity[0] < below else labels[int(probs[0].argmax())]
        print(row["file"], "->", answer, probs[0].round(4).tolist())
        worst = max(worst, float(np.abs(probs[0] - np.asarray(row["probs"])).max()))
        worst = max(worst, abs(float(similarity[0]) - row["similarity"]))
        assert (similarity[0] < below) == row["none_of_these"], row["file"]
    print(f"max |difference| to burnish: {worst:.2e}")
    assert worst < 1e-4, worst


if __name__ == "__main__":
    main(*sys.argv[1:3])
