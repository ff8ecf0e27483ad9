#!/usr/bin/env bash
# Foresight's alert rules against Prometheus's own rule engine, at length:
# randomized rules, series (gaps, staleness, NaN, ±Inf, −0, extreme values) and
# templates, evaluated minute by minute by Foresight and by `promtool test
# rules`, every firing alert's labels and annotations compared. Each
# disagreement is shrunk to a minimal case and printed.
#
#   scripts/conformance.sh [SCENARIOS] [SEED]     (default 5000, a random seed)
#
# The test suite runs the same comparison on 500 scenarios of a fixed seed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/ensure-tools.sh

SCENARIOS="${1:-5000}"
SEED="${2:-$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}"
say "comparing $SCENARIOS generated scenarios (seed $SEED) with promtool"
FORESIGHT_CONFORMANCE_SCENARIOS="$SCENARIOS" FORESIGHT_CONFORMANCE_SEED="$SEED" \
  cargo test --locked --release -p e2e --test alerting_conformance \
  generated_rules_and_templates_agree_with_promtool -- --nocapture 2>&1 |
  grep -E '^(seed|scenario| +(Labels|Annotations))|disagreements;|test result'
