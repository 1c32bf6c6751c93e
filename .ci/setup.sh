#!/usr/bin/env bash
# Idempotent set-up: installs what is missing, then fetches and converts the ImageNet weights.
# `npm start` runs it for building and serving only (the wasm target, wasm-bindgen-cli, npm
# packages, the weights: converted by the wasm build under Node, no native build); `npm test`
# (and so CI) adds `--tests`: wasm-pack, browsers and drivers, datasets. Only package
# registries are used.
set -euo pipefail
cd "$(dirname "$0")/.."
TESTS=0
[[ "${1:-}" == --tests ]] && TESTS=1

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/burnish/target}"
CACHE="$HOME/.cache/burnish"
WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1
GRAPH_PACKAGE=nudity==0.2.3
GRAPH_SHA256=3b90af536f810f5f75e9f6d431bc2e8a3c4fc2ff4f693aa0dd4ae429816f8735
MODELS=www/models
WEIGHTS="$MODELS/mobilenet_v1_1.0_224.safetensors"

step() { printf '\n== %s\n' "$*" >&2; }

# --- Rust target and tools ----------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
# .ci/build.sh (and wasm-pack, for the tests) use the wasm-bindgen matching Cargo.lock exactly.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG_VERSION" ]]; then
  step "cargo install wasm-bindgen-cli $WBG_VERSION"
  # Not --locked: its lock file pins a yanked webpki-roots, so a locked install always failed
  # first (a red error a newcomer reads as failure) before this one succeeded.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi

# --- npm packages ----------------------------------------------------------------------------
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

# --- Test-only tools (npm test) -------------------------------------------------------------
install_test_tools() {
  if [[ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]]; then
    step "cargo install wasm-pack $WASM_PACK_VERSION"
    cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked \
      || cargo install wasm-pack --version "$WASM_PACK_VERSION"
  fi
  # Browsers and drivers (Debian packages; only possible as root).
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v firefox-esr >/dev/null || missing+=(firefox-esr)
  # WebKit: WebKitGTK's MiniBrowser through WebKitWebDriver; MiniBrowser has no headless mode, so
  # the test runs it on its own Xvfb.
  command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
  command -v Xvfb >/dev/null || missing+=(xvfb)
  # Firefox's WebGPU needs a Vulkan driver: Mesa's lavapipe is the software one.
  compgen -G "/usr/share/vulkan/icd.d/lvp_icd*" >/dev/null || missing+=(mesa-vulkan-drivers libvulkan1)
  # Real few-shot training data for the native tests (MIT).
  [[ -d /usr/share/datasets/fashion-mnist ]] || missing+=(dataset-fashion-mnist)
  # Real photos for the CLI demo and end-to-end tests.
  [[ -d /usr/share/darknet/data ]] || missing+=(darknet)
  if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
      step "apt-get install ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "warning: missing ${missing[*]}; install them (as root: apt-get install ${missing[*]})" >&2
    fi
  fi
  if [[ "$(geckodriver --version 2>/dev/null | head -1)" != "geckodriver $GECKODRIVER_VERSION"* ]]; then
    step "cargo install geckodriver $GECKODRIVER_VERSION"
    cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked \
      || cargo install geckodriver --version "$GECKODRIVER_VERSION"
  fi
}
if ((TESTS)); then install_test_tools; fi

# --- ImageNet weights: PyPI sdist → sha256-checked frozen graph → our converter ----------------
graph="$CACHE/weights/retrained_graph.pb"
if [[ ! -f "$graph" ]] || ! echo "$GRAPH_SHA256  $graph" | sha256sum -c --status; then
  step "pip download $GRAPH_PACKAGE (frozen TF-slim MobileNetV1 graph)"
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps -d "$tmp" "$GRAPH_PACKAGE"
  mkdir -p "$CACHE/weights"
  tar -xzf "$tmp"/nudity-*.tar.gz -C "$tmp" --wildcards '*/nudity/files/retrained_graph.pb'
  mv "$tmp"/nudity-*/nudity/files/retrained_graph.pb "$graph"
  rm -rf "$tmp"
  if ! echo "$GRAPH_SHA256  $graph" | sha256sum -c --status; then
    echo "error: $graph does not have the expected sha256 $GRAPH_SHA256" >&2
    rm -f "$graph"
    exit 1
  fi
fi
# What the weights were made from and in which format (int16 kernels since #15; small kernels
# float32 and bias-corrected BatchNorm means since #24): a change to either converts again.
stamp="$MODELS/.source-sha256"
made_from="$GRAPH_SHA256 int16-large-kernels-bias-corrected"
if [[ ! -f "$WEIGHTS" || ! -f "$stamp" || "$(cat "$stamp")" != "$made_from" ]]; then
  step "convert the frozen graph with burnish's converter (the wasm build, under Node)"
  bash .ci/build.sh app
  node .ci/convert-weights.mjs "$graph" "$MODELS"
  echo "$made_from" > "$stamp"
  rm -f "$WEIGHTS.sha256"
fi
# The page checks the download against this (the file's own sha256, served beside it).
[[ -f "$WEIGHTS.sha256" ]] || sha256sum "$WEIGHTS" | cut -d' ' -f1 > "$WEIGHTS.sha256"
echo "setup: ok ($WEIGHTS)" >&2
