#!/usr/bin/env bash
# Browser benchmarks (prints tables; not part of the tests): the app's size
# against its budget; Foresight's chart drawing against uPlot in the same
# headless Chromium; time to dashboard (default and 30 panels, 7 days, real
# Prometheus with generated history); refresh cost; a memory soak; and "What
# else moved?" on a dashboard with thousands of series (responsiveness).
# Installs what is missing first (uPlot from npm, pinned, and brotli, only for
# this benchmark). Arguments go to the driver:
#   [chart|size|dashboard|refresh|soak|related] [--quick] [--repeats N] [--soak-minutes M]
# --quick runs every part once at its smallest (the tests do, so no part rots).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/ensure-tools.sh

# brotli (Debian) for the size table's third column.
APT_PACKAGES=(brotli)
ensure_debian_packages

UPLOT_VERSION="1.6.32"
BENCH_TOOLS=".tools/bench"
if ! grep -q "\"version\": \"$UPLOT_VERSION\"" "$BENCH_TOOLS/node_modules/uplot/package.json" 2>/dev/null; then
  say "installing uPlot $UPLOT_VERSION (npm) into $BENCH_TOOLS/"
  npm install --prefix "$BENCH_TOOLS" --no-save --no-audit --no-fund --loglevel=error "uplot@$UPLOT_VERSION" >/dev/null
fi
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export FORESIGHT_ARTIFACTS="${FORESIGHT_ARTIFACTS:-$PWD/artifacts}"
mkdir -p "$FORESIGHT_ARTIFACTS"

# What users get, and the same build with the chart drawing exported to the benchmark page.
with_release_toolchain trunk build --release --offline >/dev/null
with_release_toolchain trunk build --release --offline --features bench --dist target/bench-dist >/dev/null
cargo build --quiet --locked -p sample-service
cargo run --quiet --locked --release -p e2e --bin browser-benchmarks -- "$@"
