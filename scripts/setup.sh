#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test the portal, and nothing it already has:
# the wasm target, the wasm-bindgen CLI pinned to the crate's version, the npm packages of the
# browser suite and, with --browser, Debian's Chromium. Safe to run again.
set -euo pipefail
source "$(dirname "$0")/env.sh"

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v wasm-bindgen >/dev/null || [[ "$(wasm-bindgen --version)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once)"
  # Without --locked: the tool's own lock file names a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [[ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]]; then
  say "installing the browser-suite npm packages"
  (cd "$ROOT/end2end" && npm ci --no-audit --no-fund)
fi

if [[ $want_browser == 1 ]] && [[ ! -x /usr/bin/chromium ]]; then
  say "installing Debian's chromium (Playwright must not download its own browser)"
  if [[ $(id -u) == 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
fi
