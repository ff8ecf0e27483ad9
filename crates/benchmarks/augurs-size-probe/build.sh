#!/usr/bin/env bash
# Builds the probe twice for wasm32-unknown-unknown (features `augurs` and
# `foresight`), runs binaryen's wasm-opt -Oz and prints raw and gzip -9 sizes.
# wasm-opt: $WASM_OPT, else the repo's .tools npm copy, else PATH.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target/augurs-size-probe}"
out="$target/probe-out"
wasm_opt="${WASM_OPT:-}"
if [[ -z "$wasm_opt" ]]; then
  if [[ -x "$root/.tools/node_modules/.bin/wasm-opt" ]]; then
    wasm_opt="$root/.tools/node_modules/.bin/wasm-opt"
  else
    wasm_opt="$(command -v wasm-opt || true)"
  fi
fi
mkdir -p "$out"
size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
printf '%-10s %12s %12s %14s %14s\n' probe raw raw.gz wasm-opt-Oz wasm-opt.gz
for feature in foresight augurs; do
  CARGO_TARGET_DIR="$target" cargo build --quiet --release --manifest-path "$here/Cargo.toml" \
    --target wasm32-unknown-unknown --no-default-features --features "$feature"
  raw="$out/$feature.wasm"
  cp "$target/wasm32-unknown-unknown/release/augurs_size_probe.wasm" "$raw"
  if [[ -n "$wasm_opt" ]]; then
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals "$raw" -o "$out/$feature.opt.wasm"
    printf '%-10s %12d %12d %14d %14d\n' "$feature" "$(size "$raw")" "$(gz "$raw")" \
      "$(size "$out/$feature.opt.wasm")" "$(gz "$out/$feature.opt.wasm")"
  else
    printf '%-10s %12d %12d %14s %14s\n' "$feature" "$(size "$raw")" "$(gz "$raw")" - -
  fi
done
echo "wasm files in $out"
