#!/usr/bin/env bash
# The release build of the app into dist/ (what the tests, the demo and the
# benchmarks run): trunk with wasm-opt, the standard library rebuilt for size by
# the pinned nightly Rust (see with_release_toolchain in ensure-tools.sh).
# Extra arguments go to trunk, e.g. `--dist elsewhere` or `--public-url /foresight/`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/ensure-tools.sh
with_release_toolchain trunk build --release --offline "$@"
