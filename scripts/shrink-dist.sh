#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml), release builds only: orders the wasm's
# functions so that similar ones sit together (for gzip), shortens the names
# the wasm imports from its JS glue and minifies the JS and CSS (esbuild), then
# updates the integrity hashes in index.html (scripts/shrink-dist.cjs). Debug
# builds are left as they are. Without node or esbuild (a plain `trunk build`
# before scripts/ensure-tools.sh ran) nothing is changed and the build still works.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = "release" ] || exit 0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/.tools/node_modules/.bin:$PATH"
if ! command -v node >/dev/null || ! command -v esbuild >/dev/null; then
  echo "shrink-dist: node or esbuild is missing (run scripts/ensure-tools.sh); the build is left as it is" >&2
  exit 0
fi
NODE_PATH="$root/.tools/node_modules" exec node "$root/scripts/shrink-dist.cjs" "${TRUNK_STAGING_DIR:?trunk sets TRUNK_STAGING_DIR}"
