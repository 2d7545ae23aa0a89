#!/usr/bin/env bash
# Builds the two shells into dist/, which the server serves: the rider app (app/index.html) at
# the root, and the supervisors' console (app/console.html, its own wasm) under dist/console/.
# Trunk empties its dist directory before writing it, so the console is built second.
set -euo pipefail
cd "$(dirname "$0")/.."
trunk build --release
trunk build app/console.html --release --dist dist/console --public-url /console/
