#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml): minifies the release build's JS (the
# wasm-bindgen glue and snippets) and CSS with esbuild, and updates their
# integrity hashes in index.html. Debug builds are left as they are. Without
# esbuild (plain `trunk build` before scripts/ensure-tools.sh ran) the files
# stay unminified and the build still works.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = "release" ] || exit 0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/.tools/node_modules/.bin:$PATH"
if ! command -v node >/dev/null || ! command -v esbuild >/dev/null; then
  echo "minify-dist: node or esbuild is missing (run scripts/ensure-tools.sh); JS and CSS left unminified" >&2
  exit 0
fi
NODE_PATH="$root/.tools/node_modules" exec node "$root/scripts/minify-dist.cjs" "${TRUNK_STAGING_DIR:?trunk sets TRUNK_STAGING_DIR}"
