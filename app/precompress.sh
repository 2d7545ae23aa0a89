#!/usr/bin/env bash
# Trunk's post-build hook: writes a brotli (.br) and a gzip (.gz) copy beside every compressible
# file of the build, which the server sends to browsers that accept them (tower-http ServeDir,
# `precompressed_br` / `precompressed_gzip`). Compressing once here at the highest levels beats
# compressing on every request.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?this script is run by trunk build}"
shopt -s nullglob
for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css "$dir"/*.html "$dir"/*.webmanifest "$dir"/*.svg; do
  gzip -9 -n -k -f "$f"
  if command -v brotli >/dev/null; then
    brotli -q 11 -k -f "$f"
  fi
done
command -v brotli >/dev/null || echo "precompress: brotli not installed; only .gz written" >&2
