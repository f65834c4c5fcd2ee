#!/usr/bin/env bash
# Builds the portal without cargo-leptos: the browser bundle (wasm + JS glue + CSS + assets in
# target/site) and the server binary. These are the steps `cargo leptos build` runs, with the
# same flags, so developers who have cargo-leptos share this cache.
#   scripts/build-site.sh            debug build (fast; what the run and test commands use)
#   scripts/build-site.sh --release  size-optimised wasm (profile wasm-release) + release server
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

mode=debug
[[ "${1:-}" == "--release" ]] && mode=release

mkdir -p "$SITE/pkg"
if [[ $mode == release ]]; then
  # Release builds keep env.sh's `--cfg erase_components` on both halves (they must agree for
  # hydration): cargo-leptos leaves it out of release builds, but with it the size-optimised
  # bundle is a quarter smaller (issue 9, measured: 781 KB instead of 1,052 KB gzip after
  # wasm-opt -Oz), and a release build is then configured like the debug build the tests run.
  say "building the browser bundle (wasm-release profile)"
  cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
    --target-dir target/front --profile wasm-release
  wasm="target/front/wasm32-unknown-unknown/wasm-release/app.wasm"
else
  say "building the browser bundle (debug)"
  cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
    --target-dir target/front
  wasm="target/front/wasm32-unknown-unknown/debug/app.wasm"
fi

say "generating the JavaScript glue"
wasm-bindgen --target web --out-name "$LEPTOS_OUTPUT_NAME" --out-dir "$SITE/pkg" --no-typescript "$wasm"
mv "$SITE/pkg/${LEPTOS_OUTPUT_NAME}_bg.wasm" "$SITE/pkg/$LEPTOS_OUTPUT_NAME.wasm"

if [[ $mode == release ]]; then
  # npm's binaryen, never Debian's (version 108 produces a bundle that fails to hydrate).
  opt="$ROOT/end2end/node_modules/.bin/wasm-opt"
  [[ -x "$opt" ]] || opt="$ROOT/target/bench-tools/node_modules/.bin/wasm-opt"
  if [[ -x "$opt" ]]; then
    say "optimising the wasm for size"
    "$opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      -o "$SITE/pkg/$LEPTOS_OUTPUT_NAME.wasm" "$SITE/pkg/$LEPTOS_OUTPUT_NAME.wasm"
  fi
fi

cp style/main.css "$SITE/pkg/$LEPTOS_OUTPUT_NAME.css"
cp -r public/. "$SITE/"

# Hashed names, hash.txt and compressed copies (scripts/fingerprint-site.sh).
scripts/fingerprint-site.sh "$SITE" "$mode"

say "building the server ($mode)"
if [[ $mode == release ]]; then
  cargo build -p server --release
else
  cargo build -p server
fi
