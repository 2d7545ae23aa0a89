#!/usr/bin/env bash
# Trunk's post-build hook.
#
# 1. The sync engine's worker files (engine.js, engine_bg.wasm, engine_loader.js) come out of
#    Trunk unhashed, since a worker is named at run time. They get a content hash in their
#    names here, like every other asset, and index.html names them in <meta> tags: the app
#    reads `nx-engine` to start the worker, and the service worker caches every hashed file
#    the page names, so the engine is there offline and a new deploy replaces it.
# 2. A brotli (.br) and a gzip (.gz) copy is written beside every compressible file, which the
#    server sends to browsers that accept them (tower-http ServeDir, `precompressed_br` /
#    `precompressed_gzip`). Compressing once here at the highest levels beats compressing on
#    every request.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?this script is run by trunk build}"
shopt -s nullglob
if [ -f "$dir/engine_bg.wasm" ] && [ -f "$dir/index.html" ]; then
  hash=$(cat "$dir/engine.js" "$dir/engine_bg.wasm" | sha256sum | cut -c1-16)
  js="engine-$hash.js" wasm="engine-${hash}_bg.wasm" loader="engine-loader-$hash.js"
  mv "$dir/engine.js" "$dir/$js"
  mv "$dir/engine_bg.wasm" "$dir/$wasm"
  printf 'importScripts("./%s");wasm_bindgen({module_or_path:"./%s"});\n' "$js" "$wasm" > "$dir/$loader"
  rm -f "$dir/engine_loader.js"
  meta="<meta name=nx-engine content=/$loader><meta name=nx-engine-js content=/$js><meta name=nx-engine-wasm content=/$wasm>"
  sed -i "s#</head>#$meta</head>#" "$dir/index.html"
  grep -q "content=/$loader" "$dir/index.html"
fi
for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css "$dir"/*.html "$dir"/*.webmanifest "$dir"/*.svg; do
  gzip -9 -n -k -f "$f"
  if command -v brotli >/dev/null; then
    brotli -q 11 -k -f "$f"
  fi
done
command -v brotli >/dev/null || echo "precompress: brotli not installed; only .gz written" >&2
