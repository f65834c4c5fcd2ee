# Shared build settings, sourced by the other scripts.
#
# The same RUSTFLAGS and LEPTOS_OUTPUT_NAME as `cargo leptos build` (debug) uses, so plain cargo
# and cargo-leptos share one target directory without rebuilding each other's work, and the
# server and the browser bundle agree on `erase_components` (a mismatch breaks hydration; see
# shared/stack.md, pitfalls 5 and 8). Never export RUSTFLAGS globally for release builds.
export LEPTOS_OUTPUT_NAME=privacy-portal
export RUSTFLAGS="--cfg erase_components"
export WASM_BINDGEN_VERSION=0.2.130
export PATH="$HOME/.cargo/bin:$PATH"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
SITE="$ROOT/target/site"
export SITE
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
