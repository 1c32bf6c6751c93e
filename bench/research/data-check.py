"""Misfiles a known number of photos in a class-folder tree and counts what `burnish check` lists.

python3 bench/research/data-check.py BURNISH TRAIN_DIR WORK_DIR SET_NAME  (run by bench/research/data-check.sh)
"""
import json
import os
import random
import subprocess
import sys

MISFILED = 5
SEEDS = [1, 2, 3]
# How much more like the other class a listed photo must be (other − own): 0 is what the page
# lists; the larger margins show what a stricter rule would trade.
MARGINS = [0.0, 0.02, 0.05]


def check(burnish, tree):
    out = subprocess.run([burnish, "check", tree], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def build(train, tree, moves):
    """Links every photo of `train` into `tree`, each under its class or the one `moves` gives."""
    for cls in sorted(os.listdir(train)):
        for name in sorted(os.listdir(os.path.join(train, cls))):
            target = moves.get((cls, name), cls)
            os.makedirs(os.path.join(tree, target), exist_ok=True)
            os.symlink(os.path.realpath(os.path.join(train, cls, name)), os.path.join(tree, target, f"{cls}--{name}"))


def main(burnish, train, work, set_name):
    classes = sorted(os.listdir(train))
    photos = [(c, n) for c in classes for n in sorted(os.listdir(os.path.join(train, c)))]
    clean = os.path.join(work, "as-filed")
    build(train, clean, {})
    baseline = check(burnish, clean)["suspects"]
    listed_as_filed = {m: sum(s["other"] - s["own"] > m for s in baseline) for m in MARGINS}
    print(json.dumps({"set": set_name, "photos": len(photos), "classes": len(classes), "listed_as_filed": listed_as_filed}))
    for seed in SEEDS:
        rng = random.Random(seed)
        chosen = rng.sample(photos, MISFILED)
        moves = {(c, n): rng.choice([o for o in classes if o != c]) for c, n in chosen}
        tree = os.path.join(work, f"seed-{seed}")
        build(train, tree, moves)
        suspects = check(burnish, tree)["suspects"]
        misfiled = {f"{c}--{n}" for c, n in chosen}
        # The list is most convincing first: how many of its first MISFILED are the misfiled ones.
        top = sum(os.path.basename(s["file"]) in misfiled for s in suspects[:MISFILED])
        print(json.dumps({"set": set_name, "seed": seed, "misfiled": MISFILED, "in_the_first_listed": top}))
        for margin in MARGINS:
            listed = {os.path.basename(s["file"]) for s in suspects if s["other"] - s["own"] > margin}
            found = len(listed & misfiled)
            print(json.dumps({"set": set_name, "seed": seed, "margin": margin, "misfiled": MISFILED, "found": found, "also_listed": len(listed - misfiled)}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
