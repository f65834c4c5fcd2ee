#!/usr/bin/env bash
# Fuzzes the REST API against its own OpenAPI document with schemathesis (from PyPI): a server
# on a free port with a fresh SQLite database and the demo data, one API token per role, and a
# run per token that must find no server error and no answer that contradicts the document.
#
# Self-contained: builds the server if needed, installs schemathesis into target/ once, cleans
# up the server and the database on exit. Options (environment):
#   ST_MAX_EXAMPLES  test cases per operation and role (default 50)
#   ST_ROLES         roles to run as (default "tenant_admin auditor support_reviewer end_user")
#   SKIP_BUILD=1     use the existing target/debug/server
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

SCHEMATHESIS_VERSION=4.32.5
VENV="$ROOT/target/schemathesis-venv"
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-50}"
ROLES="${ST_ROLES:-tenant_admin auditor support_reviewer end_user}"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  say "building the server"
  cargo build -p server
fi
if [[ ! -x "$VENV/bin/st" ]] || [[ "$("$VENV/bin/st" --version)" != *"$SCHEMATHESIS_VERSION"* ]]; then
  say "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export DATABASE_URL="sqlite://$work/portal.db?mode=rwc"
export PORTAL_DEMO_MODE=true PORTAL_PORT=0 PORTAL_LOG_LEVEL=warn
# The fuzzer sends thousands of requests; the rate limit has its own integration test.
export PORTAL_API_RATE_PER_MINUTE=1000000
server="$ROOT/target/debug/server"

say "loading the demo data into a fresh database"
"$server" seed-demo >/dev/null
declare -A tokens
for role in $ROLES; do
  end_user=()
  [[ "$role" == end_user ]] && end_user=(--end-user ben.okafor@contoso.com)
  tokens[$role]="$("$server" api-token create --tenant "Contoso Ltd" --role "$role" \
    --name "schemathesis $role" --days 1 "${end_user[@]}")"
done

"$server" serve >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 120); do
  url="$(grep -o 'http://[0-9.]*:[0-9]*' "$work/server.log" | head -n1 || true)"
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
[[ -n "$url" ]] || { echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
say "server at $url"

status=0
for role in $ROLES; do
  say "schemathesis as $role"
  # Run from the temporary folder: schemathesis keeps a `.schemathesis/` cache in the working
  # directory, which must not land in the repository.
  (cd "$work" && "$VENV/bin/st" run "$url/api/openapi.json" \
    --header "Authorization: Bearer ${tokens[$role]}" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --seed 1 \
    --no-color \
    --report junit --report-dir "$ROOT/target/schemathesis/$role") \
    || status=1
done
if grep -q "panicked" "$work/server.log"; then
  echo "the server log shows a panic:" >&2
  grep -A3 "panicked" "$work/server.log" >&2
  status=1
fi
exit "$status"
