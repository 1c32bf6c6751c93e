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
cargo build --quiet --bin burnish
burnish="$CARGO_TARGET_DIR/debug/burnish"
