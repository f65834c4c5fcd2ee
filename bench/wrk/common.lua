-- Shared by every wrk script of bench/run.sh: reads input lines, spreads them over threads,
-- and writes one JSON result line (p50/p95/p99 in ms, req/s, status counts) to $BENCH_OUT.
local M = {}
local threads = {}
local counter = 0

function M.lines(path)
  local t = {}
  if path == nil or path == "" then return t end
  local f = io.open(path, "r")
  if f == nil then return t end
  for line in f:lines() do
    if line ~= "" then t[#t + 1] = line end
  end
  f:close()
  return t
end

function M.split(line)
  local parts = {}
  for p in string.gmatch(line, "[^\t]+") do parts[#parts + 1] = p end
  return parts
end

function M.setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

function M.response(status)
  if status >= 200 and status < 300 then ok = (ok or 0) + 1
  elseif status == 412 then conflict = (conflict or 0) + 1
  else other = (other or 0) + 1 end
end

function M.done(summary, latency, requests)
  local ok_n, conflict_n, other_n = 0, 0, 0
  for _, t in ipairs(threads) do
    ok_n = ok_n + (t:get("ok") or 0)
    conflict_n = conflict_n + (t:get("conflict") or 0)
    other_n = other_n + (t:get("other") or 0)
  end
  local secs = summary.duration / 1e6
  local line = string.format(
    '{"name":"%s","requests":%d,"seconds":%.2f,"rps":%.1f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"ok":%d,"conflict_412":%d,"other_status":%d,"socket_errors":%d}',
    os.getenv("BENCH_NAME") or "?", summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, ok_n, conflict_n, other_n,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout)
  io.write(line .. "\n")
  local out = os.getenv("BENCH_OUT")
  if out then
    local f = io.open(out, "a")
    f:write(line .. "\n")
    f:close()
  end
end

return M
