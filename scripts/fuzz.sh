#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of every parser that reads
# outside input: one target per parser, in fuzz/fuzz_targets/.
#
#   scripts/fuzz.sh [--smoke] [--runs N | --seconds S] [target...]
#
#   --smoke      10 seconds per target (what CI runs)
#   --runs N     N executions per target (the default is 10,000,000)
#   --seconds S  S seconds per target (with --runs: whichever ends first)
#   target...    only these targets (the default is all of them)
#
# Installs what is missing (the pinned nightly Rust, the pinned cargo-fuzz, a
# C++ compiler for libFuzzer), builds every target, seeds each target's corpus
# from fuzz/seeds/ and the repository's own documents, runs the targets one
# after another, and prints executions, crashes (with the file holding each
# crashing input), executions per second and wall time per target. Exits
# non-zero when any target crashed, hung (10 s) or ran out of memory (2 GiB).
#
# A crash is replayed with `cargo +<nightly> fuzz run --release
# --debug-assertions --sanitizer none <target> <file>` and minimised with
# `cargo fuzz tmin` (same flags); keep the minimised input under
# fuzz/regressions/<target>/, which every run replays first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

CARGO_FUZZ_VERSION="0.13.2"
# libFuzzer needs nightly Rust: the nightly the release build already pins.
NIGHTLY="$(sed -n 's/^RELEASE_TOOLCHAIN="\([^"]*\)".*/\1/p' scripts/ensure-tools.sh)"
[ -n "$NIGHTLY" ] || { echo "no RELEASE_TOOLCHAIN in scripts/ensure-tools.sh" >&2; exit 2; }
# Release code with overflow checks and debug assertions: an overflow is a
# crash here even though the browser build would wrap silently. No address
# sanitizer: the core forbids unsafe code, and it would halve the speed.
BUILD_FLAGS=(--release --debug-assertions --sanitizer none)
DEFAULT_RUNS=10000000
SMOKE_SECONDS=10

say() { printf '\033[1;34m[fuzz]\033[0m %s\n' "$*" >&2; }
usage() {
  sed -n '5,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

runs=""
seconds=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) seconds="$SMOKE_SECONDS" ;;
    --runs)
      [ $# -ge 2 ] || usage
      runs="$2"
      shift
      ;;
    --seconds)
      [ $# -ge 2 ] || usage
      seconds="$2"
      shift
      ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) targets+=("$1") ;;
  esac
  shift
done
# Given both a number of runs and seconds, a target stops at whichever comes first.
budget=()
[ -z "$runs" ] || budget+=(-runs="$runs")
[ -z "$seconds" ] || budget+=(-max_total_time="$seconds")
[ "${#budget[@]}" -gt 0 ] || budget=(-runs="$DEFAULT_RUNS")

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_tools() {
  if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
    say "installing Rust $NIGHTLY (libFuzzer needs nightly)"
    rustup toolchain install "$NIGHTLY" --profile minimal
  fi
  if ! cargo fuzz --version 2>/dev/null | grep -qxF "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION (a minute or two, once)"
    # Without its lock file if a locked dependency has left the registry.
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" ||
      cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION"
  fi
  # libfuzzer-sys compiles libFuzzer itself, which is C++.
  if ! command -v c++ >/dev/null 2>&1; then
    say "installing g++ (to compile libFuzzer)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ >/dev/null
  fi
}

# Longest input libFuzzer may make, per target: whole dashboards and Grafana
# exports are larger than anything else read here.
max_len() {
  case "$1" in
    grafana_import) echo 1048576 ;;
    dashboard_json) echo 262144 ;;
    # A link's values against a variable's options: what is checked does not
    # grow with their number (the scale is a unit test's), and each input's
    # sorting is n log n, so long inputs only slow the search down.
    variable_choice) echo 2048 ;;
    *) echo 65536 ;;
  esac
}

# The committed seeds, and documents the repository already has. Existing
# corpus files (what earlier runs found) are kept.
seed_corpus() {
  local target="$1" corpus="fuzz/corpus/$1" file
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  if [ -d "fuzz/seeds/$target" ]; then
    cp -n fuzz/seeds/"$target"/* "$corpus"/ 2>/dev/null || true
  fi
  # Inputs that once crashed a target are replayed on every run.
  if [ -d "fuzz/regressions/$target" ]; then
    cp -n fuzz/regressions/"$target"/* "$corpus"/ 2>/dev/null || true
  fi
  case "$target" in
    dashboard_json | json)
      cp -n public/dashboards/*.json "$corpus"/ 2>/dev/null || true
      ;;
  esac
  case "$target" in
    rule_file)
      cp -n crates/core/tests/rule-files/* "$corpus"/ 2>/dev/null || true
      ;;
  esac
  case "$target" in
    grafana_import | json)
      # Real community dashboards, when scripts/fetch-community-dashboards.sh has run.
      for file in .tools/community-dashboards/*.json; do
        [ -f "$file" ] && [ "$(wc -c <"$file")" -le "$(max_len "$target")" ] &&
          cp -n "$file" "$corpus/community-$(basename "$file")"
      done
      ;;
  esac
  return 0
}

stat_of() { # log name
  sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

ensure_tools
mapfile -t all_targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -vx foresight-fuzz)
if [ "${#targets[@]}" -eq 0 ]; then
  targets=("${all_targets[@]}")
fi
for target in "${targets[@]}"; do
  printf '%s\n' "${all_targets[@]}" | grep -qxF "$target" || {
    echo "unknown target $target; targets: ${all_targets[*]}" >&2
    exit 2
  }
done

say "building ${#all_targets[@]} fuzz targets with Rust $NIGHTLY"
nice -n 15 cargo "+$NIGHTLY" fuzz build "${BUILD_FLAGS[@]}"
HOST="$(rustc "+$NIGHTLY" -vV | sed -n 's/^host: //p')"

results=()
crashed=0
for target in "${targets[@]}"; do
  seed_corpus "$target"
  # Each run logs to its own file, renamed when it ends: runs started at the
  # same time (a CI job and someone fuzzing by hand) keep their logs apart.
  log="fuzz/artifacts/$target/run-$$.log"
  say "$target: ${budget[*]}"
  started=$SECONDS
  status=0
  # The binary itself rather than `cargo fuzz run`, which would rebuild first
  # if a source changed since: the time measured is fuzzing only.
  nice -n 15 "fuzz/target/$HOST/release/$target" \
    "${budget[@]}" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$ROOT/fuzz/artifacts/$target/" \
    "$ROOT/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  wall=$((SECONDS - started))
  executions="$(stat_of "$log" number_of_executed_units)"
  per_second="$(stat_of "$log" average_exec_per_sec)"
  mapfile -t found < <(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
  if [ "$status" -ne 0 ] || [ "${#found[@]}" -gt 0 ]; then
    crashed=1
    [ "${#found[@]}" -gt 0 ] || found=("(none written; see fuzz/artifacts/$target/last-run.log)")
    grep -a -m 1 -E "panicked at|ERROR: libFuzzer" "$log" >&2 || tail -n 20 "$log" >&2
  fi
  results+=("$target|${executions:-?}|${#found[@]}|${per_second:-?}|$wall|${found[*]}")
  mv -f "$log" "fuzz/artifacts/$target/last-run.log"
done

printf '\n%-20s %12s %8s %9s %7s  %s\n' target executions crashes exec/s wall-s "crashing inputs"
for row in "${results[@]}"; do
  IFS='|' read -r target executions crashes per_second wall files <<<"$row"
  [ "$crashes" != 0 ] || files=""
  printf '%-20s %12s %8s %9s %7s  %s\n' "$target" "$executions" "$crashes" "$per_second" "$wall" "$files"
done
if [ "$crashed" -ne 0 ]; then
  printf '\n\033[1;31mA fuzz target crashed.\033[0m Logs: fuzz/artifacts/<target>/last-run.log\n' >&2
  exit 1
fi
