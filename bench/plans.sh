#!/usr/bin/env bash
# Query plans of every statement the read paths run, on PostgreSQL and SQLite.
#
#   bench/plans.sh            (after bench/run.sh built the server and seeded target/bench-data)
#
# PostgreSQL: seeds the 10,000-user tenant into $BENCH_PG_URL (default the local `test`
# database; reused when present), ANALYZEs, starts the release server on it with one pooled
# connection whose session loads auto_explain (log_min_duration 0), makes one request per
# read path, and copies every plan that backend logged from the PostgreSQL server log.
# SQLite: the same statement texts ($n placeholders turned into ?n) go through
# EXPLAIN QUERY PLAN on each database in target/bench-data (unbound parameters: the plan does
# not depend on their values). Output: target/bench-results/plans-pg.txt, plans-sqlite-N.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SERVER="${BENCH_SERVER_BIN:-$ROOT/target/release-bench/release/server}"
OUT="$ROOT/target/bench-results"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_LOG="${BENCH_PG_LOG:-/var/log/postgresql/postgresql-15-main.log}"
PORT="${BENCH_PORT:-3977}"
mkdir -p "$OUT"

say() { printf '\n== %s\n' "$*" >&2; }
psqlq() { psql "$PG_URL" -v ON_ERROR_STOP=1 -Atc "$1"; }

say "seeding 10000 users into $PG_URL (reused when present)"
DATABASE_URL="$PG_URL" nice -n 19 "$SERVER" seed --users 10000 --seed 1 >&2
psqlq "ANALYZE" >/dev/null
TENANT=$(psqlq "SELECT id FROM tenants WHERE name = 'Generated tenant 1'")
TOKEN=$(DATABASE_URL="$PG_URL" "$SERVER" api-token create --tenant "$TENANT" --role tenant_admin \
  --name "plans-$(date +%s)" --days 1 | tail -n 1)
USER_ID=$(psqlq "SELECT id FROM directory_users WHERE tenant_id = '$TENANT' ORDER BY id LIMIT 1 OFFSET 500")
SERIAL=$(psqlq "SELECT serial_number FROM devices WHERE tenant_id = '$TENANT' AND serial_number IS NOT NULL LIMIT 1")
IMEI=$(psqlq "SELECT imei FROM devices WHERE tenant_id = '$TENANT' AND imei IS NOT NULL LIMIT 1")

opts="-c application_name=ppbench -c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0"
opts_enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$opts")
start_size=$(stat -c %s "$PG_LOG")
DATABASE_URL="$PG_URL?options=$opts_enc" PORTAL_DATABASE_MAX_CONNECTIONS=1 PORTAL_DEMO_MODE=false \
  PORTAL_SHARING_INTERVAL_SECONDS=0 PORTAL_PORT="$PORT" PORTAL_LOG_LEVEL=warn "$SERVER" > "$OUT/plans-server.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
BACKENDS=$(psqlq "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE application_name = 'ppbench'")
get() { curl -s -o /dev/null -w "$1 %{http_code}\n" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1" >&2; }
get "/api/v1/users?q=a"
get "/api/v1/users?q=ada"
get "/api/v1/users?q=a&sort=upn"
get "/api/v1/users?q=$SERIAL"
get "/api/v1/users?q=$IMEI"
get "/api/v1/users/$USER_ID"
get "/api/v1/disclosures?user_id=$USER_ID"
get "/api/v1/requests"
sleep 1
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
trap - EXIT

say "extracting the plans of backend(s) $BACKENDS from $PG_LOG"
tail -c +"$((start_size + 1))" "$PG_LOG" > "$OUT/pg-log-segment.txt"
python3 - "$BACKENDS" "$OUT/pg-log-segment.txt" > "$OUT/plans-pg.txt" <<'PY'
import re, sys
pids = set(sys.argv[1].split())
cur, keep, out = None, False, []
for line in open(sys.argv[2]):
    m = re.match(r"^\S+ \S+ \S+ \[(\d+)\] ", line)
    if m:
        keep = m.group(1) in pids and "plan:" in line
        if keep:
            out.append("-" * 80)
        continue
    if keep:
        out.append(line.rstrip("\n").replace("\t", "  ", 1))
print("\n".join(out))
PY
grep -c 'Query Text' "$OUT/plans-pg.txt" >&2 || true

say "SQLite: EXPLAIN QUERY PLAN of the same statements"
python3 - "$OUT/plans-pg.txt" > "$OUT/statements.sql" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
seen, out = set(), []
for block in text.split("-" * 80):
    m = re.search(r"Query Text: (.*?)(?:\n  \S|\Z)", block, re.S)
    if not m:
        continue
    sql = " ".join(m.group(1).split())
    if sql in seen or not sql.upper().startswith(("SELECT", "WITH")):
        continue
    seen.add(sql)
    sql = re.sub(r"\$(\d+)", r"?\1", sql)
    sql = re.sub(r"::\w+", "", sql)
    out.append(sql)
print("\n".join(out))
PY
say "PostgreSQL: generic plans of the same statements with enable_seqscan = off"
# At 10,000 users PostgreSQL reads the small tables (tenants, tokens, requests, recipients)
# sequentially because that is cheaper; with sequential scans priced out, each statement
# shows the index it would use as the table grows.
python3 - "$OUT/plans-pg.txt" > "$OUT/generic.psql" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
seen = set()
print("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off;")
for block in text.split("-" * 80):
    m = re.search(r"Query Text: (.*?)(?:\n  \S|\Z)", block, re.S)
    if not m:
        continue
    sql = " ".join(m.group(1).split())
    if sql in seen or not sql.upper().startswith(("SELECT", "WITH")) or "seaql_migrations" in sql:
        continue
    seen.add(sql)
    n = max([int(x) for x in re.findall(r"\$(\d+)", sql)] or [0])
    print("\\echo ------------------------------------------------------------------------")
    print("\\echo " + sql.replace("'", "''")[:2000])
    print("PREPARE s AS " + sql + ";")
    args = "(" + ", ".join(["NULL"] * n) + ")" if n else ""
    print("EXPLAIN EXECUTE s" + args + ";")
    print("DEALLOCATE s;")
PY
psql "$PG_URL" -At -f "$OUT/generic.psql" > "$OUT/plans-pg-generic.txt" 2>&1 || true

for db in ${BENCH_PLANS_DBS:-"$ROOT"/target/bench-data/users-*.db}; do
  n=$(basename "$db" .db); n=${n#users-}
  : > "$OUT/plans-sqlite-$n.txt"
  while IFS= read -r sql; do
    { echo "--------------------------------------------------------------------------------"
      echo "$sql"
      sqlite3 "$db" "EXPLAIN QUERY PLAN $sql" 2>&1 || true; } >> "$OUT/plans-sqlite-$n.txt"
  done < "$OUT/statements.sql"
done
first=$(ls "$OUT"/plans-sqlite-*.txt | head -n 1)
python3 "$ROOT/bench/plans_md.py" "$OUT" "$first" > "$ROOT/bench/plans.md"
echo "plans in $OUT/plans-pg.txt, $OUT/plans-sqlite-*.txt and bench/plans.md" >&2
