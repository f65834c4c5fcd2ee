#!/usr/bin/env bash
# The one test command: formatting, lints, every Rust test (unit and integration, on SQLite and
# PostgreSQL) and the browser suite in headless Chromium (on SQLite and PostgreSQL). Installs
# what is missing first. Runs every step even after a failure, then prints a summary and exits
# non-zero if anything failed. With CI set, PostgreSQL and Chromium are required.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

LOG_DIR="$ROOT/target/test-logs"
mkdir -p "$LOG_DIR"
failed_steps=()
passed=0
failed=0

step() {
  local name=$1
  shift
  say "$name"
  if ! "$@"; then
    failed_steps+=("$name")
    return 1
  fi
}

count_cargo() { # adds up "test result: ... N passed; M failed" lines of a cargo test log
  local p f
  # Only the harness's own summary lines: a test's log output can say "… 1000 failed; …" too.
  p=$(grep -E '^test result: ' "$1" | grep -Eo '[0-9]+ passed;' | awk '{s+=$1} END {print s+0}')
  f=$(grep -E '^test result: ' "$1" | grep -Eo '[0-9]+ failed;' | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
}

count_playwright() { # reads the list reporter's closing "N passed" / "N failed" lines
  local p f
  p=$(grep -Eo '^ +[0-9]+ passed' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '^ +[0-9]+ (failed|flaky|interrupted|did not run)' "$1" | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
}

step "setup" scripts/setup.sh --browser || { echo "setup failed; cannot test"; exit 1; }

step "cargo fmt --check" cargo fmt --all -- --check
step "dependency policy (cargo deny: licences, bans, sources)" cargo deny check licenses bans sources
step "clippy (server side)" cargo clippy --workspace --all-targets -- -D warnings
step "clippy (browser side)" cargo clippy -p app --lib --target wasm32-unknown-unknown \
  --no-default-features --features hydrate --target-dir target/front -- -D warnings
step "build the site and the server" scripts/build-site.sh
built=$?

cargo_log="$LOG_DIR/cargo-test.log"
step "Rust tests (SQLite and PostgreSQL)" bash -c "set -o pipefail; cargo test --workspace --no-fail-fast 2>&1 | tee '$cargo_log'"
count_cargo "$cargo_log"

run_browser_suite() { # $1 = label, $2 = database URL or empty, then extra Playwright arguments
  local log="$LOG_DIR/playwright-$1.log"
  local label=$1 url=$2
  shift 2
  (cd end2end && E2E_DATABASE_URL="$url" npx playwright test "$@" 2>&1 | tee "$log")
  local status=${PIPESTATUS[0]}
  count_playwright "$log"
  if ! grep -Eq '^ +[0-9]+ passed' "$log"; then
    echo "the browser suite ($label) ran no test" >&2
    return 1
  fi
  return "$status"
}

if [[ $built == 0 ]]; then
  if [[ -x /usr/bin/chromium || -n "${CHROMIUM_PATH:-}" ]]; then
    step "browser suite on SQLite" run_browser_suite sqlite ""
    pg_db="portal_e2e_$$"
    if psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $pg_db" >/dev/null 2>&1; then
      # The accessibility scan and the screenshots check pages, not storage: they run once, in
      # the SQLite pass.
      step "browser suite on PostgreSQL" run_browser_suite postgres "postgres://postgres@127.0.0.1:5432/$pg_db" \
        --grep-invert "accessibility violations|screenshots of the main pages"
      psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1
    elif [[ -n "${CI:-}" ]]; then
      echo "PostgreSQL is required in CI but unreachable" >&2
      failed_steps+=("browser suite on PostgreSQL")
    else
      echo "PostgreSQL unreachable: browser suite on PostgreSQL skipped (required in CI)" >&2
    fi
  else
    echo "Chromium missing: browser suite not run" >&2
    failed_steps+=("browser suite (no Chromium)")
  fi
else
  failed_steps+=("browser suite (build failed)")
fi

# The REST API against its own OpenAPI document, with a token of each role: no 5xx, no answer
# that contradicts the schema.
if [[ $built == 0 ]]; then
  st_log="$LOG_DIR/schemathesis.log"
  if step "schemathesis (REST API against its OpenAPI document)" \
    bash -c "set -o pipefail; ST_MAX_EXAMPLES=\${ST_MAX_EXAMPLES:-25} scripts/schemathesis.sh 2>&1 | tee '$st_log'"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
fi

echo
if ((${#failed_steps[@]})); then
  echo "Failed steps: ${failed_steps[*]}"
fi
echo "Summary: $passed passed, $failed failed"
if ((${#failed_steps[@]} || failed)); then
  exit 1
fi
