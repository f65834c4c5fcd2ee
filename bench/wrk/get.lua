-- GET a path template over input lines: BENCH_PATH has {1}, {2}… replaced by the tab-separated
-- columns of a line of BENCH_INPUT (each request takes the next line, round robin per thread).
-- BENCH_TOKEN adds a bearer token, BENCH_COOKIE a cookie header.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local rows, i, template, headers

function init(args)
  rows = c.lines(os.getenv("BENCH_INPUT"))
  template = os.getenv("BENCH_PATH")
  i = thread_index or 0
  headers = {}
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  local cookie = os.getenv("BENCH_COOKIE")
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  ok, conflict, other = 0, 0, 0
end

function request()
  local path = template
  if #rows > 0 then
    i = i + 1
    local cols = c.split(rows[(i % #rows) + 1])
    path = string.gsub(template, "{(%d)}", function(n) return cols[tonumber(n)] end)
  end
  return wrk.format("GET", path, headers)
end

function response(status, hdrs, body)
  c.response(status)
end

done = c.done
