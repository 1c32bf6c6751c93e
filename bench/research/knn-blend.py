"""Held-out accuracy of the trained head blended with nearest-neighbour votes (bench/research/knn-blend.sh).

Input: JSON lines {set, seed, part (train|eval), cls, probs, top5, f} from `burnish predict
--model --features`. The votes: for each class, the cosine to its nearest training photo on the
pretrained features, softmax with temperature T. Blend: (1 - w) * head + w * votes; w = 0 is the
head alone, w = 1 the votes alone (1-NN's answer). Prints one line per set and (T, w): the
accuracy of each seed and their mean.
"""

import collections
import json
import sys

import numpy as np


def unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def main(path):
    runs = collections.defaultdict(list)
    for line in open(path):
        r = json.loads(line)
        runs[(r["set"], r["seed"])].append(r)
    table = collections.defaultdict(list)
    for (name, _), rows in runs.items():
        classes = sorted({r["cls"] for r in rows})  # the CLI's order: folder names, sorted
        assert all(classes[t["index"]] == t["label"] for r in rows for t in r["top5"])
        train = [r for r in rows if r["part"] == "train"]
        held = [r for r in rows if r["part"] == "eval"]
        train_f = unit(np.array([r["f"] for r in train]))
        train_label = np.array([classes.index(r["cls"]) for r in train])
        held_label = np.array([classes.index(r["cls"]) for r in held])
        head = np.array([r["probs"] for r in held])
        sim = unit(np.array([r["f"] for r in held])) @ train_f.T
        nearest = np.stack([np.where(train_label == c, sim, -1).max(1) for c in range(len(classes))], 1)
        for t in (0.02, 0.05):
            votes = np.exp((nearest - nearest.max(1, keepdims=True)) / t)
            votes /= votes.sum(1, keepdims=True)
            for w in (0, 0.25, 0.5, 0.75, 1):
                blend = (1 - w) * head + w * votes
                table[(name, t, w)].append(float((blend.argmax(1) == held_label).mean()))
    for (name, t, w), accs in sorted(table.items()):
        print(f"{name} T={t} w={w}: " + " ".join(f"{a:.3f}" for a in accs) + f"  mean {np.mean(accs):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
