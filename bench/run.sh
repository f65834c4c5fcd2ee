#!/usr/bin/env bash
# One-command benchmark of the Privacy Portal (issue 9). Writes BENCHMARKS.md.
#
#   bench/run.sh                                  sizes 10000 and 1000000, 10 s per path
#   BENCH_SIZES="10000 100000" bench/run.sh       other sizes (the first is the baseline)
#   BENCH_DURATION=20s BENCH_WASM=0 bench/run.sh  longer runs; skip the release wasm build
#
# Steps: release server build (own target dir, target/release-bench), the bare-axum floor
# (bench/bare, own workspace, target/bench-bare), optionally the size-optimised wasm bundle
# (target/release-bench-front + target/bench-site, never touching target/site), one SQLite
# database per size under target/bench-data (seeded once with `server seed`, reused after),
# then for each size: start the server (demo mode off), wait for the first response, drive
# every path with wrk (16 connections, 2 threads, loopback), read the server's peak RSS.
# Everything heavy (builds, seeding, the servers, wrk) runs under `nice -n 19`: the machine is
# shared, so figures taken while others work are upper bounds. Needs wrk (`apt-get install -y wrk`), sqlite3, curl.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SIZES="${BENCH_SIZES:-10000 1000000}"
DURATION="${BENCH_DURATION:-10s}"
CONNS="${BENCH_CONNECTIONS:-16}"
THREADS="${BENCH_THREADS:-2}"
PORT="${BENCH_PORT:-3977}"
BARE_PORT="${BENCH_BARE_PORT:-3978}"
WASM="${BENCH_WASM:-1}"
SEED=1
DATA="${BENCH_DATA:-$ROOT/target/bench-data}"
OUT="${BENCH_OUT_DIR:-$ROOT/target/bench-results}"
SERVER_TARGET="$ROOT/target/release-bench"
SERVER="${BENCH_SERVER_BIN:-$SERVER_TARGET/release/server}"
BARE="$ROOT/target/bench-bare/release/bench-bare"
export BENCH_LUA_DIR="$ROOT/bench/wrk"
export BENCH_THREADS="$THREADS"
mkdir -p "$DATA" "$OUT"
RESULTS="$OUT/results.jsonl"
# BENCH_APPEND=1 adds sizes to the previous run's results instead of starting over.
[[ "${BENCH_APPEND:-0}" == 1 ]] || : > "$RESULTS"
say() { printf '\n== %s\n' "$*" >&2; }
kv() { printf '%s=%s\n' "$1" "$2" >> "$OUT/facts.env"; }
[[ "${BENCH_APPEND:-0}" == 1 ]] || : > "$OUT/facts.env"
kv server_bin "\"$SERVER\""

for tool in wrk sqlite3 curl gzip; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk sqlite3 curl)" >&2; exit 1; }
done

if [[ -z "${BENCH_SERVER_BIN:-}" ]]; then
  say "building the release server into $SERVER_TARGET"
  # With `--cfg erase_components`, as scripts/build-site.sh --release builds it.
  (export RUSTFLAGS="--cfg erase_components"; CARGO_TARGET_DIR="$SERVER_TARGET" nice -n 19 cargo build -p server --release)
fi
say "building the bare axum floor (bench/bare)"
(unset RUSTFLAGS; cd bench/bare && nice -n 19 cargo build --release --target-dir "$ROOT/target/bench-bare")

# ---------- browser bundle sizes ----------
site="$ROOT/target/site"
label="debug bundle found in target/site (not size-optimised)"
if [[ "$WASM" == 1 ]]; then
  say "building the size-optimised wasm bundle (profile wasm-release) into target/bench-site"
  (export RUSTFLAGS="--cfg erase_components"; nice -n 19 cargo build -p app --lib --target wasm32-unknown-unknown \
     --no-default-features --features hydrate --target-dir "$ROOT/target/release-bench-front" \
     --profile wasm-release)
  site="$ROOT/target/bench-site"
  mkdir -p "$site/pkg"
  nice -n 19 wasm-bindgen --target web --out-name privacy-portal --out-dir "$site/pkg" --no-typescript \
    "$ROOT/target/release-bench-front/wasm32-unknown-unknown/wasm-release/app.wasm"
  mv "$site/pkg/privacy-portal_bg.wasm" "$site/pkg/privacy-portal.wasm"
  # npm's binaryen (never Debian's: its version 108 breaks hydration), installed once under
  # target/bench-tools so that the browser suite's package.json stays as it is.
  opt="$ROOT/target/bench-tools/node_modules/.bin/wasm-opt"
  if [[ ! -x "$opt" ]]; then
    mkdir -p "$ROOT/target/bench-tools"
    npm install --no-audit --no-fund --prefix "$ROOT/target/bench-tools" binaryen >&2 || true
  fi
  label="release bundle (wasm-release profile, wasm-bindgen)"
  if [[ -x "$opt" ]]; then
    nice -n 19 "$opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      -o "$site/pkg/privacy-portal.wasm" "$site/pkg/privacy-portal.wasm"
    label="release bundle (wasm-release profile, wasm-bindgen, wasm-opt -Oz)"
  fi
  cp style/main.css "$site/pkg/privacy-portal.css"
  cp -r public/. "$site/"
  # Hashed names and compressed copies, as scripts/build-site.sh --release makes them.
  nice -n 19 "$ROOT/scripts/fingerprint-site.sh" "$site" release
fi
kv wasm_label "\"$label\""
kv wasm_raw "$(stat -c %s "$site/pkg/privacy-portal.wasm")"
kv wasm_gzip "$(gzip -9 -c "$site/pkg/privacy-portal.wasm" | wc -c)"
kv js_gzip "$(gzip -9 -c "$site/pkg/privacy-portal.js" | wc -c)"
kv css_raw "$(stat -c %s "$site/pkg/privacy-portal.css")"
kv css_gzip "$(gzip -9 -c "$site/pkg/privacy-portal.css" | wc -c)"

# ---------- helpers ----------
PID=""
stop_server() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
  fi
  PID=""
}
trap stop_server EXIT

# wrk NAME URL_PATH SCRIPT [INPUT] -- one measured run, appended to $RESULTS with size and label.
load() {
  local name="$1" path="$2" script="$3" input="${4:-}" base="${5:-http://127.0.0.1:$PORT}"
  BENCH_NAME="$name" BENCH_PATH="$path" BENCH_INPUT="$input" BENCH_OUT="$OUT/one.jsonl" \
    nice -n 19 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s -s "$BENCH_LUA_DIR/$script" "$base" \
    > "$OUT/wrk-$CURRENT-$name.txt"
  tail -n 1 "$OUT/one.jsonl" | sed "s/^{/{\"size\":\"$CURRENT\",/" | tee -a "$RESULTS" >&2
}

sql() { sqlite3 -batch -noheader -separator $'\t' "$DB" "$@"; }

# ---------- the floor ----------
if [[ "${BENCH_APPEND:-0}" != 1 ]]; then
say "bare axum floor"
for p in "$PORT" "$BARE_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$p/"; then echo "port $p is in use; set BENCH_PORT / BENCH_BARE_PORT" >&2; exit 1; fi
done
nice -n 19 "$BARE" "127.0.0.1:$BARE_PORT" > "$OUT/bare.log" 2>&1 &
BARE_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$BARE_PORT/" >/dev/null && break; sleep 0.05; done
CURRENT=bare
: > "$OUT/one.jsonl"
load bare_axum_json "/" get.lua "" "http://127.0.0.1:$BARE_PORT"
kv bare_rss_kb "$(awk '/VmHWM/{print $2}' /proc/$BARE_PID/status)"
kill -TERM "$BARE_PID"; wait "$BARE_PID" 2>/dev/null || true
fi

# ---------- each size ----------
for N in $SIZES; do
  CURRENT="$N"
  DB="$DATA/users-$N.db"
  export DATABASE_URL="sqlite://$DB?mode=rwc"
  export PORTAL_DEMO_MODE=false PORTAL_LOG_LEVEL=warn PORTAL_SITE_ROOT="$site" \
         PORTAL_API_RATE_PER_MINUTE=100000000 PORTAL_SHARING_INTERVAL_SECONDS=0 \
         PORTAL_PORT="$PORT" PORTAL_HOST=127.0.0.1
  if [[ ! -s "$DATA/seed-$N.txt" ]]; then
    say "seeding $N users into $DB"
    rm -f "$DB" "$DB-wal" "$DB-shm"
    start=$(date +%s.%N)
    nice -n 19 "$SERVER" seed --users "$N" --seed "$SEED" > "$DATA/seed-$N.out"
    end=$(date +%s.%N)
    { cat "$DATA/seed-$N.out"; echo "wall_seconds=$(echo "$end - $start" | bc)"; echo "binary=$SERVER"; } > "$DATA/seed-$N.txt"
  else
    say "reusing $DB (seeded before: $DATA/seed-$N.txt)"
  fi
  seed_wall=$(sed -n 's/^wall_seconds=//p' "$DATA/seed-$N.txt")
  kv "seed_${N}_seconds" "$seed_wall"
  kv "seed_${N}_users_per_s" "$(echo "scale=0; $N / $seed_wall" | bc)"
  kv "seed_${N}_binary" "\"$(sed -n 's/^binary=//p' "$DATA/seed-$N.txt")\""
  kv "seed_${N}_line" "\"$(head -n 1 "$DATA/seed-$N.txt")\""
  kv "db_${N}_mb" "$(( $(stat -c %s "$DB") / 1048576 ))"
  TENANT=$(sql "SELECT id FROM tenants WHERE name = 'Generated tenant $SEED'")

  # A tenant admin session for the SSR page: an account with the demo issuer in the generated
  # tenant, signed in once through /auth/demo by a short demo-mode start; the session lives in
  # the database, so the measured server (demo mode off) accepts its cookie.
  sql "INSERT INTO accounts (tenant_id, issuer, subject, display_name, email, directory_user_id, created_at)
       SELECT '$TENANT', 'demo', 'bench:admin', 'Bench admin', NULL, NULL, 0
       WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE issuer = 'demo' AND subject = 'bench:admin');
       INSERT INTO role_assignments (account_id, role, tenant_id, granted_by, granted_at)
       SELECT id, 'tenant_admin', '$TENANT', 'bench', 0 FROM accounts
       WHERE issuer = 'demo' AND subject = 'bench:admin'
         AND NOT EXISTS (SELECT 1 FROM role_assignments r JOIN accounts a ON a.id = r.account_id
                         WHERE a.subject = 'bench:admin');"
  ACCOUNT=$(sql "SELECT id FROM accounts WHERE issuer = 'demo' AND subject = 'bench:admin'")
  PORTAL_DEMO_MODE=true nice -n 19 "$SERVER" > "$OUT/demo-$N.log" 2>&1 &
  PID=$!
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  COOKIE=$(curl -s -o /dev/null -D - -H 'Sec-Fetch-Site: same-origin' -H "Origin: http://127.0.0.1:$PORT" \
    --data "account=$ACCOUNT" "http://127.0.0.1:$PORT/auth/demo" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \(portal_session=[^;]*\).*/\1/p' | tail -n 1)
  stop_server
  TOKEN=$("$SERVER" api-token create --tenant "$TENANT" --role tenant_admin --name "bench-$(date +%s)" --days 1 | tail -n 1)

  # Inputs: random users, exact identifiers, never-corrected devices, prefixes.
  sql "SELECT id FROM directory_users WHERE tenant_id = '$TENANT' ORDER BY random() LIMIT 2000" > "$OUT/users-$N.tsv"
  sql "SELECT serial_number FROM devices WHERE tenant_id = '$TENANT' AND serial_number IS NOT NULL ORDER BY random() LIMIT 500;
       SELECT imei FROM devices WHERE tenant_id = '$TENANT' AND imei IS NOT NULL ORDER BY random() LIMIT 500" \
       | shuf > "$OUT/exact-$N.tsv"
  sql "SELECT d.primary_user_id, d.id FROM devices d WHERE d.tenant_id = '$TENANT' AND d.primary_user_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM field_versions f WHERE f.record_id = d.id AND f.field = 'device_category')
       ORDER BY random() LIMIT 50000" > "$OUT/targets-$N.tsv"
  printf '%s\n' a b c d e f g h i j k l m n o p r s t w > "$OUT/prefix1.tsv"
  sql "SELECT DISTINCT lower(substr(display_name, 1, 3)) FROM directory_users
       WHERE tenant_id = '$TENANT' AND id IN (SELECT id FROM directory_users WHERE tenant_id = '$TENANT' LIMIT 5000)
       LIMIT 200" > "$OUT/prefix3-$N.tsv"
  FIRST_USER=$(head -n 1 "$OUT/users-$N.tsv")

  say "starting the server on $N users (demo mode off)"
  t0=$(date +%s%N)
  nice -n 19 "$SERVER" > "$OUT/server-$N.log" 2>&1 &
  PID=$!
  for _ in $(seq 6000); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.01; done
  t1=$(date +%s%N)
  curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/users/$FIRST_USER"
  t2=$(date +%s%N)
  kv "start_${N}_first_response_ms" "$(( (t1 - t0) / 1000000 ))"
  kv "start_${N}_first_user_json_ms" "$(( (t2 - t0) / 1000000 ))"
  ssr_status=$(curl -s -o "$OUT/ssr-$N.html" -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/users/$FIRST_USER")
  kv "ssr_${N}_status" "$ssr_status"
  kv "ssr_${N}_bytes" "$(stat -c %s "$OUT/ssr-$N.html")"
  # The page must be the user's page (their UPN in it), not a sign-in page.
  upn=$(sql "SELECT upn FROM directory_users WHERE id = '$FIRST_USER'")
  kv "ssr_${N}_shows_user" "$(grep -c -F "$upn" "$OUT/ssr-$N.html" || true)"
  # What Chromium transfers for the person page, first and second visit (bench/transfer.mjs).
  if [[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" && -d "$ROOT/end2end/node_modules/@playwright/test" ]]; then
    if transfer=$(node "$ROOT/bench/transfer.mjs" "http://127.0.0.1:$PORT/users/$FIRST_USER" "$COOKIE" 2>"$OUT/transfer-$N.err"); then
      for key in first_bytes first_requests second_bytes second_requests; do
        kv "transfer_${N}_$key" "$(printf '%s' "$transfer" | python3 -c "import json,sys; print(json.load(sys.stdin)['$key'])")"
      done
    else
      say "measuring the transfer failed (see $OUT/transfer-$N.err)"
    fi
  fi

  : > "$OUT/one.jsonl"
  export BENCH_TOKEN="$TOKEN" BENCH_COOKIE=""
  # Warm-up (not recorded): the page cache and the pool.
  BENCH_DURATION_SAVED="$DURATION"; DURATION=3s
  load warmup "/api/v1/users/{1}" get.lua "$OUT/users-$N.tsv" > /dev/null 2>&1; sed -i '$d' "$RESULTS"
  DURATION="$BENCH_DURATION_SAVED"

  load search_prefix_1letter "/api/v1/users?q={1}" get.lua "$OUT/prefix1.tsv"
  load search_prefix_3letter "/api/v1/users?q={1}" get.lua "$OUT/prefix3-$N.tsv"
  load search_exact_serial_imei "/api/v1/users?q={1}" get.lua "$OUT/exact-$N.tsv"
  load user_json "/api/v1/users/{1}" get.lua "$OUT/users-$N.tsv"
  load disclosures_of_user "/api/v1/disclosures?user_id={1}" get.lua "$OUT/users-$N.tsv"
  load review_queue "/api/v1/requests" get.lua ""
  BENCH_TOKEN="" BENCH_COOKIE="$COOKIE" load user_page_ssr "/users/{1}" get.lua "$OUT/users-$N.tsv"
  load correction_write "" correct.lua "$OUT/targets-$N.tsv"
  kv "rss_${N}_peak_kb" "$(awk '/VmHWM/{print $2}' /proc/$PID/status)"
  kv "rss_${N}_now_kb" "$(awk '/VmRSS/{print $2}' /proc/$PID/status)"
  stop_server
done

say "writing BENCHMARKS.md"
SIZES="${BENCH_REPORT_SIZES:-$SIZES}" DURATION="$DURATION" CONNS="$CONNS" THREADS="$THREADS" \
  python3 "$ROOT/bench/report.py" "$OUT" > "$ROOT/BENCHMARKS.md"
echo "BENCHMARKS.md written; raw results in $OUT" >&2
