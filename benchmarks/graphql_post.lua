-- wrk script for bench_http: POSTs one JSON body (read from a file) to the URL's path, with a
-- resident's bearer token cycled from a file (or none when that argument is "-"), and counts
-- the answers that are 200, contain an expected string and carry no "errors".
--   wrk ... -s graphql_post.lua URL -- BODY_FILE TOKENS_FILE|- EXPECTED
local tokens = {}
local counter = 0
thread_id = 0
ok, bad = 0, 0
local threads = {}
local body, expected, plain

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  body = file:read("*a")
  file:close()
  if args[2] ~= "-" then
    for line in io.lines(args[2]) do table.insert(tokens, line) end
  end
  expected = args[3]
  plain = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function request()
  if #tokens == 0 then return plain end
  counter = counter + 1
  local token = tokens[(counter * 7 + thread_id) % #tokens + 1]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function response(status, headers, answer)
  if status == 200 and answer:find(expected, 1, true) and not answer:find('"errors"', 1, true)
  then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local good, wrong = 0, 0
  for _, t in ipairs(threads) do good = good + t:get("ok"); wrong = wrong + t:get("bad") end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "mean_ms": %.3f, "p50_ms": %.2f, '
    .. '"p99_ms": %.2f, "ok": %d, "bad": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency.mean / 1e3, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, good, wrong,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
