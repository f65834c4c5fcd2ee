#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test the portal, and nothing it already has:
# the wasm target, the wasm-bindgen CLI pinned to the crate's version, the npm packages of the
# browser suite and, with --browser (what the test command asks for), Debian's Chromium and
# cargo-deny. Safe to run again.
set -euo pipefail
source "$(dirname "$0")/env.sh"

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# cargo-deny checks the dependency policy (deny.toml) in the test command; a few minutes, once.
if [[ $want_browser == 1 ]] && ! command -v cargo-deny >/dev/null; then
  say "installing cargo-deny (dependency licences, bans and sources)"
  cargo install cargo-deny --locked
fi

if ! command -v wasm-bindgen >/dev/null || [[ "$(wasm-bindgen --version)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once)"
  # Without --locked: the tool's own lock file names a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# The site build stores a brotli copy of each bundle file; without the tool it stores gzip only.
if ! command -v brotli >/dev/null; then
  say "installing brotli (compressed copies of the browser bundle)"
  if [[ $(id -u) == 0 ]]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli; } \
      || say "brotli could not be installed; the bundle gets gzip copies only"
  else
    { sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli; } \
      || say "brotli could not be installed; the bundle gets gzip copies only"
  fi
fi

# npm ci whenever node_modules does not hold exactly what package-lock.json names (first run, or
# a package added or upgraded since); a no-op check otherwise. Never downloads a browser.
npm_packages_current() {
  (cd "$ROOT/end2end" && node -e '
    const lock = require("./package-lock.json");
    for (const [path, meta] of Object.entries(lock.packages)) {
      if (!path || meta.optional || meta.link) continue;
      let installed;
      try { installed = require(`./${path}/package.json`).version; } catch { process.exit(1); }
      if (installed !== meta.version) process.exit(1);
    }' 2>/dev/null)
}
if ! npm_packages_current; then
  say "installing the browser-suite npm packages"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if [[ $want_browser == 1 ]] && [[ ! -x /usr/bin/chromium ]]; then
  say "installing Debian's chromium (Playwright must not download its own browser)"
  if [[ $(id -u) == 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
fi
