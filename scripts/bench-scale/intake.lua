-- wrk script: POST /api/v1/incidents, signed in (no per-address limit), each a report at a uniformly
-- random point over the province's extent in one of the open categories. The extent, the categories
-- (comma-separated) and the token come from the environment (scripts/bench-scale.sh). Bodies are
-- formatted once, in init, and cycled, so that wrk's Lua costs the shared cores little.
local minx = tonumber(os.getenv("SCALE_MINX"))
local miny = tonumber(os.getenv("SCALE_MINY"))
local maxx = tonumber(os.getenv("SCALE_MAXX"))
local maxy = tonumber(os.getenv("SCALE_MAXY"))
local token = os.getenv("SCALE_TOKEN")
local categories = {}
for c in string.gmatch(os.getenv("SCALE_CATEGORIES"), "[^,]+") do categories[#categories + 1] = c end
local requests = {}
local n = 16384
local i = 0
local statuses = {}

function init(args)
  math.randomseed(7)
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  for k = 1, n do
    local lon = minx + math.random() * (maxx - minx)
    local lat = miny + math.random() * (maxy - miny)
    local body = string.format('{"category":"%s","lon":%.7f,"lat":%.7f,"description":"bench-scale intake"}',
      categories[math.random(#categories)], lon, lat)
    requests[k] = wrk.format("POST", "/api/v1/incidents", headers, body)
  end
end

function request()
  i = i % n + 1
  return requests[i]
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("intake: %d requests, %.0f/s; p50 %.1f ms, p99 %.1f ms; non-2xx %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    (summary.errors.status or 0)))
end
