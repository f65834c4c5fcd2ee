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

# $1 = label, $2 = database URL or empty, $3 = the instant the portal's clock starts at (issue 16:
# never today), then extra Playwright arguments.
run_browser_suite() {
  local log="$LOG_DIR/playwright-$1.log"
  local label=$1 url=$2 now=$3
  shift 3
  (cd end2end && E2E_DATABASE_URL="$url" E2E_NOW="$now" npx playwright test "$@" 2>&1 | tee "$log")
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
    # Each pass runs at another month end: a deadline a month after 29 February of a leap year is
    # 29 days away, after 30 April 30 days; the calendar pass starts in the last minute of a
    # year and crosses into the next while it runs. The Rust tests cover every instant of
    # issue 16 (server/tests/server/calendar.rs).
    step "browser suite on SQLite" run_browser_suite sqlite "" "2028-02-29T09:00:00Z"
    step "browser calendar pass (31 December 23:59 UTC)" run_browser_suite new-year "" "2026-12-31T23:59:00Z" \
      tests/dutch.spec.ts tests/requests.spec.ts tests/dashboard.spec.ts
    pg_db="portal_e2e_$$"
    if psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $pg_db" >/dev/null 2>&1; then
      # The accessibility scan and the screenshots check pages, not storage: they run once, in
      # the SQLite pass.
      step "browser suite on PostgreSQL" run_browser_suite postgres "postgres://postgres@127.0.0.1:5432/$pg_db" "2027-04-30T09:00:00Z" \
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
