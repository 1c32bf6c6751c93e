# Sourced by the benches on real photos (quality.sh, novelty-scores.sh, knn-blend.sh), from the
# repository root: fetches the photos (.ci/photos.sh), writes the fixed split of every set of
# tests/fixtures/photo-sets.js under "$sets" (in "$work", a temporary folder removed on exit) and
# builds the CLI, "$burnish" — the dev profile (dependencies at opt-level 3, as the tests build
# them): these benches measure accuracy, not speed.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
bash .ci/photos.sh >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sets="$work/sets"
node tests/fixtures/photo-sets.js "$sets"
# With BURNISH_PAIRS=1, the sets are every pair of classes of the -all sets instead
# ("gcompris-all:animals+fishes"), each taught alone with the other classes' photos as the
# unknown ones (what docs/quality.md's "pair averages" average).
if [ -n "${BURNISH_PAIRS:-}" ]; then
  pairs="$work/pairs"
  for all in "$sets"/*-all; do
    classes=($(ls "$all/train"))
    for ((i = 0; i < ${#classes[@]}; i++)); do
      for ((j = i + 1; j < ${#classes[@]}; j++)); do
        a=${classes[i]} b=${classes[j]} pair="$pairs/$(basename "$all"):${classes[i]}+${classes[j]}"
        mkdir -p "$pair/train" "$pair/eval" "$pair/unknown"
        for c in "$a" "$b"; do
          ln -s "$all/train/$c" "$pair/train/$c" && ln -s "$all/eval/$c" "$pair/eval/$c"
        done
        for c in "${classes[@]}"; do
          [ "$c" = "$a" ] || [ "$c" = "$b" ] && continue
          ln -s "$all/train/$c" "$pair/unknown/$c-train" && ln -s "$all/eval/$c" "$pair/unknown/$c-eval"
        done
      done
    done
  done
  sets="$pairs"
fi
cargo build --quiet --bin burnish
burnish="$CARGO_TARGET_DIR/debug/burnish"
