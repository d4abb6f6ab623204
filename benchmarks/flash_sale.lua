-- wrk script for bench_flash_sale: every request is a groupbuyJoin of one unit of the hot SKU
-- by a resident (tokens cycled from a file) with an idempotency key of its own.
local tokens = {}
local counter = 0
thread_id = 0
accepted, sold_out, other = 0, 0, 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do table.insert(tokens, line) end
  -- args[4]: an idempotency-key prefix, so that runs against one database never replay
  campaign, community, prefix = args[2], args[3], args[4] or "w"
end

function request()
  counter = counter + 1
  local token = tokens[(counter * 7 + thread_id) % #tokens + 1]
  local body = '{"query":"mutation($i: GroupbuyJoinInput!) { groupbuyJoin(input: $i) { id } }",'
    .. '"variables":{"i":{"campaignId":"' .. campaign .. '","communityId":"' .. community
    .. '","lines":[{"skuCode":"HOT-1","quantity":1}],"idempotencyKey":"' .. prefix .. thread_id .. '-'
    .. counter .. '"}}}'
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function response(status, headers, body)
  if status ~= 200 then other = other + 1
  elseif body:find("SOLD_OUT", 1, true) then sold_out = sold_out + 1
  elseif body:find('"groupbuyJoin":{"id"', 1, true) then accepted = accepted + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local a, s, o = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted"); s = s + t:get("sold_out"); o = o + t:get("other")
  end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, '
    .. '"accepted": %d, "sold_out": %d, "other": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, a, s, o,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
