#!/usr/bin/env python3
"""Formats the plans captured by bench/plans.sh as Markdown (bench/plans.md, included in
BENCHMARKS.md): per distinct statement, the SQLite EXPLAIN QUERY PLAN and the PostgreSQL plan
as logged by auto_explain at 10,000 users (after ANALYZE), plus its generic plan with
sequential scans priced out."""
import re
import sys
from pathlib import Path

out = Path(sys.argv[1])
sqlite_file = Path(sys.argv[2])
paths = (out / "plans-paths.txt").read_text() if (out / "plans-paths.txt").exists() else ""


def short(sql):
    sql = " ".join(sql.split())
    sql = re.sub(r'SELECT ((?:"\w+"\."\w+"(?: AS "\w+")?, ){4,}"\w+"\."\w+"(?: AS "\w+")?) FROM',
                 "SELECT … FROM", sql)
    sql = re.sub(r"(\?\d+|\$\d+)(, (\?\d+|\$\d+)){3,}", lambda m: m.group(1) + ", …", sql)
    return sql


def key(sql):
    sql = sql.replace("'", "")
    return short(re.sub(r"\$(\d+)", r"?\1", re.sub(r"::\w+", "", sql)))


pg = {}
text = (out / "plans-pg.txt").read_text()
for block in text.split("-" * 80):
    lines = [l for l in block.strip("\n").split("\n") if l.strip()]
    if not lines or "Query Text:" not in lines[0]:
        continue
    sql = lines[0].split("Query Text:", 1)[1].strip()
    pg.setdefault(key(sql), "\n".join(l[2:] for l in lines[1:]))

generic = {}
gtext = (out / "plans-pg-generic.txt").read_text()
for block in gtext.split("-" * 72):
    lines = [l for l in block.strip().split("\n") if l and l not in ("PREPARE", "DEALLOCATE", "SET")]
    if not lines:
        continue
    generic[key(lines[0])] = "\n".join(lines[1:])

print("## Query plans of the read paths\n")
print("Captured by `bench/plans.sh` (after `bench/run.sh`): one request per read path against "
      "PostgreSQL 15 (10,000-user tenant in the `test` database, after `ANALYZE`), every "
      "statement of that server connection logged by `auto_explain`; the same statements through "
      f"SQLite's `EXPLAIN QUERY PLAN` on `{sqlite_file.name}` (SQLite has no statistics here, so "
      "its plans do not depend on the size); and PostgreSQL's generic plan with "
      "`enable_seqscan = off`, which shows the index each statement uses once the small tables "
      "(tenants, tokens, requests, the 8-row recipient catalogue) grow. Requests made: "
      "`/api/v1/users?q=a`, `?q=ada`, `?q=a&sort=upn`, `?q=<serial>`, `?q=<IMEI>`, "
      "`/api/v1/users/{id}`, `/api/v1/disclosures?user_id={id}`, `/api/v1/requests` (the SSR "
      "page runs the same service calls as the user JSON). Statements that walk a whole tenant "
      "are marked ⚠.\n")
blocks = sqlite_file.read_text().split("-" * 80)
n = 0
for block in blocks:
    lines = [l for l in block.strip().split("\n") if l]
    if not lines:
        continue
    sql = lines[0]
    if "seaql_migrations" in sql:
        continue
    splan = "\n".join(l for l in lines[1:] if l != "QUERY PLAN")
    k = key(sql)
    p = pg.get(k, "(not matched)")
    g = generic.get(k, "(not matched)")
    warn = ""
    if re.search(r"\(tenant_id=\?\)\s*$", splan, re.M) and " IN (" in sql:
        warn = " ⚠ SQLite walks the whole tenant in this index"
    if re.search(r"^\S*SCAN (?!.*USING)", splan, re.M) or "SCAN accounts" in splan:
        warn = warn or " (full scan of a small or non-tenant table, or behind a constant-false filter)"
    n += 1
    print(f"**{n}.** `{short(sql)}`{warn}\n")
    print("```text\nSQLite:\n" + splan + "\nPostgreSQL (10k, ANALYZEd):\n" + p.rstrip()
          + "\nPostgreSQL generic, enable_seqscan=off:\n" + g.rstrip() + "\n```\n")
