#!/usr/bin/env bash
# How many misfiled photos does the data check find? (docs/quality.md, "The data check".) For
# gcompris-all and tuxpaint-all (every class taught, the training photos of the fixed split) and
# seeds 1, 2, 3: files 5 photos under a wrong class (seeded choice, bench/research/data-check.py), runs
# `burnish check` on the result and counts how many of the 5 it lists (found) and how many other
# photos it lists (also listed), against the same check on the photos as filed by the package.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/photo-sets.sh
for set in gcompris-all tuxpaint-all; do
  python3 bench/research/data-check.py "$burnish" "$sets/$set/train" "$work/$set" "$set"
done
