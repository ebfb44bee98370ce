-- wrk script: GET /api/v1/lookup at uniformly random points over the bench city's extent.
-- The extent comes from the environment (set by scripts/bench.sh). The requests are formatted once,
-- in init, and then cycled: formatting one per request in Lua cost wrk, which shares the two cores
-- with the server, more CPU than the lookup itself (pgbench draws its points in C).
local minx = tonumber(os.getenv("BENCH_MINX"))
local miny = tonumber(os.getenv("BENCH_MINY"))
local maxx = tonumber(os.getenv("BENCH_MAXX"))
local maxy = tonumber(os.getenv("BENCH_MAXY"))
local requests = {}
local n = 65536
local i = 0

function init(args)
  math.randomseed(42)
  for k = 1, n do
    local lon = minx + math.random() * (maxx - minx)
    local lat = miny + math.random() * (maxy - miny)
    requests[k] = wrk.format("GET", string.format("/api/v1/lookup?lon=%.7f&lat=%.7f", lon, lat))
  end
end

function request()
  i = i % n + 1
  return requests[i]
end
