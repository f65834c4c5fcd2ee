-- POST /api/v1/users/{user}/corrections with If-Match "0" on a device field never corrected
-- before (BENCH_INPUT lines: user_id<TAB>device_id). Threads take disjoint lines, so a run
-- writes each field once; 412s only appear if the run outlasts the list.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local rows, i, step, headers

function init(args)
  rows = c.lines(os.getenv("BENCH_INPUT"))
  step = tonumber(os.getenv("BENCH_THREADS") or "2")
  i = thread_index or 0
  headers = {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
    ["Content-Type"] = "application/json",
    ["If-Match"] = '"0"',
  }
  ok, conflict, other = 0, 0, 0
end

function request()
  local cols = c.split(rows[(i % #rows) + 1])
  i = i + step
  local body = string.format(
    '{"record_id":"%s","field":"device_category","value":"Bench","reason":"benchmark write path"}',
    cols[2])
  return wrk.format("POST", "/api/v1/users/" .. cols[1] .. "/corrections", headers, body)
end

function response(status, hdrs, body)
  c.response(status)
end

done = c.done
