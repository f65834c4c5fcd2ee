#!/usr/bin/env python3
"""Turns target/bench-results (results.jsonl, facts.env) into BENCHMARKS.md on stdout.

Hand-written parts come from bench/notes.md (analysis, targets) and bench/plans.md (query
plans), so a rerun keeps them.
"""
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

out = Path(sys.argv[1])
root = Path(__file__).resolve().parent.parent
sizes = os.environ.get("SIZES", "10000 1000000").split()
duration = os.environ.get("DURATION", "10s")
conns = os.environ.get("CONNS", "16")
threads = os.environ.get("THREADS", "2")

facts = {}
for line in (out / "facts.env").read_text().splitlines():
    if "=" in line:
        k, v = line.split("=", 1)
        facts[k] = v.strip('"')  # a later line (BENCH_APPEND) wins
rows = [json.loads(l) for l in (out / "results.jsonl").read_text().splitlines() if l.strip()]
by = {(r["size"], r["name"]): r for r in rows}


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"


cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
mem = sh("free -g | awk '/Mem:/{print $2}'")
nproc = sh("nproc")
load = sh("cut -d' ' -f1-3 /proc/loadavg")
rustc = sh("rustc --version")
wrk = sh("wrk -v 2>&1 | head -n 1")
commit = sh(f"git -C {root} rev-parse --short HEAD")
date = sh("date -u '+%Y-%m-%d %H:%M UTC'")

paths = [
    ("search_prefix_1letter", "directory search, 1-letter prefix (`q=a`…`q=w`)", True),
    ("search_prefix_3letter", "directory search, 3-letter prefix of real names", True),
    ("search_exact_serial_imei", "directory search, exact serial number / IMEI", True),
    ("user_page_ssr", "user page, SSR HTML (`/users/{id}`, admin session)", True),
    ("user_json", "user JSON (`/api/v1/users/{id}`)", True),
    ("disclosures_of_user", "disclosure list of a user (`/api/v1/disclosures?user_id=`)", True),
    ("review_queue", "review queue (`/api/v1/requests`)", True),
    ("correction_write", "field correction, write (`POST …/corrections`, If-Match)", False),
]
small, large = sizes[0], sizes[-1]
bare = by.get(("bare", "bare_axum_json"))

print("# Benchmarks\n")
print(f"Run of `bench/run.sh` on {date} (commit {commit}). Sizes: "
      + ", ".join(f"{int(s):,} users" for s in sizes)
      + f". Load: wrk, {conns} connections, {threads} threads, {duration} per path, loopback, "
      "after a 3 s warm-up; SQLite (the default backend), server binary `"
      + facts.get("server_bin", "?").replace(str(root) + "/", "") + "`, demo mode off, "
      "rate limit raised for the bench token.\n")
if "release" not in facts.get("server_bin", "release"):
    print("> **Warning: this run used a non-release server binary (`" + facts.get("server_bin", "?")
          + "`). Latency and req/s figures are not the product's; see “Read this first” below.**\n")
print("## Machine\n")
print(f"- CPU: {cpu}, `nproc` = {nproc} (shared with other work during the run; "
      f"load average at the end: {load})")
print(f"- Memory: {mem} GiB; OS: {platform.platform()}")
print(f"- {rustc}; {wrk}\n")
print("## Reproduce\n")
print("```sh\nbench/run.sh                                # 10,000 and 1,000,000 users\n"
      f"BENCH_SIZES=\"{' '.join(sizes)}\" BENCH_WASM=0 bench/run.sh   # these sizes, no wasm build\n"
      "bench/plans.sh                              # the query plans (after run.sh)\n```\n")
print("Needs `wrk` (`apt-get install -y wrk`), `sqlite3`, `curl`, `python3`. Databases are kept "
      "in `target/bench-data/` and reused; raw wrk output in `target/bench-results/`.\n")

print("## Results\n")
hdr = "| path | " + " | ".join(f"{int(s):,}: p50 / p95 / p99 ms | req/s" for s in sizes)
hdr += f" | p95 ratio {int(large):,} ÷ {int(small):,} |"
print(hdr)
print("| --- |" + " --- | --- |" * len(sizes) + " --- |")
if bare:
    print(f"| **bare axum floor** (`bench/bare`, small JSON) | {bare['p50_ms']:.2f} / {bare['p95_ms']:.2f} / "
          f"{bare['p99_ms']:.2f} | {bare['rps']:,.0f} |" + " | |" * (len(sizes) - 1) + " |")
for name, label, read in paths:
    cells = []
    for s in sizes:
        r = by.get((s, name))
        if r is None:
            cells.append("– | –")
            continue
        if r["requests"] == 0:
            cells.append(f"no response within the {duration} window (every request took longer) | 0")
            continue
        extra = ""
        if r.get("conflict_412") or r.get("other_status") or r.get("socket_errors"):
            extra = (f" ({r['ok']} ok, {r['conflict_412']} × 412, {r['other_status']} other"
                     f"{', %d socket errors' % r['socket_errors'] if r['socket_errors'] else ''})")
        cells.append(f"{r['p50_ms']:.2f} / {r['p95_ms']:.2f} / {r['p99_ms']:.2f}{extra} | {r['rps']:,.0f}")
    a, b = by.get((small, name)), by.get((large, name))
    ratio = "–"
    if a and b and a["p95_ms"] > 0:
        ratio = (f"{b['p95_ms'] / a['p95_ms']:.2f}" if b["requests"] > 0
                 else f"> {float(duration.rstrip('s')) * 1000 / a['p95_ms']:.1f}")
    print(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
print()

print("## Other figures\n")
print("| figure | value |\n| --- | --- |")
for s in sizes:
    if f"seed_{s}_seconds" in facts:
        print(f"| seeding {int(s):,} users | {float(facts[f'seed_{s}_seconds']):.1f} s wall, "
              f"**{facts[f'seed_{s}_users_per_s']} users/s**; database {facts.get(f'db_{s}_mb', '?')} MB; "
              f"`{facts.get(f'seed_{s}_line', '')}`; seeded by `{facts.get(f'seed_{s}_binary', '?')}` |")
for s in sizes:
    if f"rss_{s}_peak_kb" in facts:
        print(f"| server peak RSS (VmHWM) after all paths, {int(s):,} users | "
              f"{int(facts[f'rss_{s}_peak_kb']) / 1024:.1f} MB (VmRSS at the end {int(facts[f'rss_{s}_now_kb']) / 1024:.1f} MB) |")
if "bare_rss_kb" in facts:
    print(f"| bare axum peak RSS | {int(facts['bare_rss_kb']) / 1024:.1f} MB |")
for s in sizes:
    if f"start_{s}_first_response_ms" in facts:
        print(f"| start to first response, {int(s):,} users (`/healthz`; migrations checked) | "
              f"{facts[f'start_{s}_first_response_ms']} ms; first user JSON answered at "
              f"{facts[f'start_{s}_first_user_json_ms']} ms |")
if "wasm_gzip" in facts:
    print(f"| wasm bundle, {facts['wasm_label']} | {int(facts['wasm_raw']) / 1024:,.0f} KB raw, "
          f"**{int(facts['wasm_gzip']) / 1024:,.0f} KB gzip -9**; JS glue {int(facts['js_gzip']) / 1024:.1f} KB gzip |")
    print(f"| CSS (`privacy-portal.css`) | {int(facts['css_raw']) / 1024:.1f} KB raw, "
          f"**{int(facts['css_gzip']) / 1024:.1f} KB gzip -9** |")
for s in sizes:
    if f"transfer_{s}_first_bytes" in facts:
        print(f"| person page in Chromium, {int(s):,} users: bytes transferred (`bench/transfer.mjs`) | "
              f"first visit **{int(facts[f'transfer_{s}_first_bytes']) / 1024:,.0f} KB** "
              f"({facts[f'transfer_{s}_first_requests']} requests), second visit in the same browser "
              f"**{int(facts[f'transfer_{s}_second_bytes']) / 1024:,.1f} KB** "
              f"({facts[f'transfer_{s}_second_requests']} requests) |")
if bare and by.get((large, "user_json")):
    uj = by[(large, "user_json")]
    print(f"| user JSON req/s ÷ bare axum req/s ({int(large):,} users) | "
          f"{uj['rps']:,.0f} ÷ {bare['rps']:,.0f} = **{100 * uj['rps'] / bare['rps']:.1f} %** |")
print()

for extra in ("notes.md", "plans.md"):
    p = root / "bench" / extra
    if p.exists():
        print(p.read_text())
