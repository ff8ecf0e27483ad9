#!/usr/bin/env bash
# Installs what Foresight's demo and tests need, only when missing, at pinned versions.
# Safe to run again and again. Source it to get PATH set up: `. scripts/ensure-tools.sh`.
set -euo pipefail

FORESIGHT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
WASM_BINDGEN_VERSION="0.2.130" # must equal the wasm-bindgen crate pinned in Cargo.toml and Trunk.toml
BINARYEN_VERSION="132.0.0"     # wasm-opt; Debian's binaryen 108 breaks the optimised page
ESBUILD_VERSION="0.25.12"      # minifies the release build's JS and CSS (scripts/shrink-dist.sh)
REACT_GRID_LAYOUT_VERSION="1.4.4" # Grafana's grid; the layout conformance test compares against it
AXE_CORE_VERSION="4.14.1"         # the accessibility check the browser tests run in the page
# The release build (with_release_toolchain) uses this pinned nightly Rust to
# rebuild the standard library for size; every other build uses stable Rust.
RELEASE_TOOLCHAIN="nightly-2026-05-20"
APT_PACKAGES=(prometheus prometheus-node-exporter prometheus-alertmanager chromium chromium-driver nodejs npm)
TOOLS_DIR="$FORESIGHT_ROOT/.tools"

export PATH="$TOOLS_DIR/node_modules/.bin:$TOOLS_DIR/victoria-metrics/usr/bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_debian_packages() {
  local missing=()
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  # npm may come from another Node.js installation; only ask Debian for it when there is none.
  if command -v npm >/dev/null 2>&1; then
    local filtered=()
    for package in "${missing[@]}"; do
      case "$package" in nodejs | npm) ;; *) filtered+=("$package") ;; esac
    done
    missing=("${filtered[@]+"${filtered[@]}"}")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# VictoriaMetrics (victoria-metrics, vmagent, vmalert) from Debian's package,
# unpacked into .tools/ rather than installed: installing it would also start
# a system service on port 8428, which the demo and tests do not want.
ensure_victoria_metrics() {
  if [ -x "$TOOLS_DIR/victoria-metrics/usr/bin/vmalert" ]; then return; fi
  say "unpacking Debian's victoria-metrics package into .tools/ (no service is installed)"
  local download
  download="$(mktemp -d)"
  chmod a+rwx "$download" # apt-get download fetches as the _apt user
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  (cd "$download" && apt-get download -qq victoria-metrics)
  mkdir -p "$TOOLS_DIR"
  rm -rf "$TOOLS_DIR/victoria-metrics"
  dpkg-deb -x "$download"/victoria-metrics_*.deb "$TOOLS_DIR/victoria-metrics"
  rm -rf "$download"
}

ensure_cargo_tool() { # crate version binary
  local crate="$1" version="$2" binary="$3"
  if "$binary" --version 2>/dev/null | grep -qF "$version"; then return; fi
  say "installing $crate $version (a few minutes, once)"
  cargo install --locked "$crate" --version "$version" || cargo install "$crate" --version "$version"
}

ensure_rust_tools() {
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding the $component Rust component"
      rustup component add "$component"
    fi
  done
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
  fi
  ensure_cargo_tool trunk "$TRUNK_VERSION" trunk
  ensure_cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
}

ensure_release_toolchain() {
  if ! rustup component list --toolchain "$RELEASE_TOOLCHAIN" --installed 2>/dev/null | grep -q '^rust-src'; then
    say "installing Rust $RELEASE_TOOLCHAIN with its sources (the release build rebuilds std for size)"
    rustup toolchain install "$RELEASE_TOOLCHAIN" --profile minimal --component rust-src --target wasm32-unknown-unknown
  fi
  # The standard library's own dependencies, so that `trunk build --offline` can rebuild it.
  local sysroot fetched
  sysroot="$(rustup run "$RELEASE_TOOLCHAIN" rustc --print sysroot)"
  if ! fetched="$(cargo "+$RELEASE_TOOLCHAIN" fetch --locked --manifest-path "$sysroot/lib/rustlib/src/rust/library/Cargo.toml" 2>&1)"; then
    printf '%s\n' "$fetched" >&2
    return 1
  fi
}

# Runs a command (trunk build/serve --release) so that the wasm it builds is as
# small as we know how: the standard library rebuilt with the app at opt-level
# "z" (`optimize_for_size`), and a panic traps at once instead of formatting a
# message (`-Cpanic=immediate-abort`). About a tenth less wasm than stable Rust
# (README, "size"); plain `trunk build --release` still works, only larger.
with_release_toolchain() {
  RUSTUP_TOOLCHAIN="$RELEASE_TOOLCHAIN" \
    CARGO_UNSTABLE_BUILD_STD="std,panic_abort" \
    CARGO_UNSTABLE_BUILD_STD_FEATURES="optimize_for_size" \
    RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
    "$@"
}

npm_package_version() {
  node -p "require('$TOOLS_DIR/node_modules/$1/package.json').version" 2>/dev/null
}

# wasm-opt, esbuild, react-grid-layout and axe-core from npm, into .tools/ (one install:
# npm prunes what it did not just install).
ensure_npm_tools() {
  if wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}" &&
    [ "$(esbuild --version 2>/dev/null)" = "$ESBUILD_VERSION" ] &&
    [ "$(npm_package_version react-grid-layout)" = "$REACT_GRID_LAYOUT_VERSION" ] &&
    [ "$(npm_package_version axe-core)" = "$AXE_CORE_VERSION" ]; then
    return
  fi
  say "installing wasm-opt (binaryen $BINARYEN_VERSION), esbuild $ESBUILD_VERSION, react-grid-layout $REACT_GRID_LAYOUT_VERSION and axe-core $AXE_CORE_VERSION from npm into .tools/"
  mkdir -p "$TOOLS_DIR"
  npm install --prefix "$TOOLS_DIR" --no-save --no-audit --no-fund --loglevel=error \
    "binaryen@$BINARYEN_VERSION" "esbuild@$ESBUILD_VERSION" \
    "react-grid-layout@$REACT_GRID_LAYOUT_VERSION" "axe-core@$AXE_CORE_VERSION" >/dev/null
}

ensure_debian_packages
ensure_victoria_metrics
ensure_rust_tools
ensure_release_toolchain
ensure_npm_tools
