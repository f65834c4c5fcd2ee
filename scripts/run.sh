#!/usr/bin/env bash
# The one run command: installs what is missing, builds, migrates the SQLite file
# data/portal.db, loads the demo data once, and serves the portal with demo sign-in on
# http://127.0.0.1:3000. Running it again keeps the existing data. Extra arguments and
# PORTAL_* variables are passed to the server (see README, "Configuration").
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

scripts/setup.sh
scripts/build-site.sh

export PORTAL_DEMO_MODE="${PORTAL_DEMO_MODE:-true}"
export PORTAL_SITE_ROOT="${PORTAL_SITE_ROOT:-$SITE}"
say "migrating the database"
./target/debug/server migrate
say "loading the demo data (once)"
./target/debug/server seed-demo
say "starting the portal (Ctrl-C to stop)"
exec ./target/debug/server serve
