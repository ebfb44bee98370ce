-- wrk script: GET /api/v1/lookup at uniformly random points over the bench city's extent.
-- The extent comes from the environment (set by scripts/bench.sh).
local minx = tonumber(os.getenv("BENCH_MINX"))
local miny = tonumber(os.getenv("BENCH_MINY"))
local maxx = tonumber(os.getenv("BENCH_MAXX"))
local maxy = tonumber(os.getenv("BENCH_MAXY"))

function init(args)
  math.randomseed(42 + (tonumber(wrk.thread and 1 or 0)))
end

function request()
  local lon = minx + math.random() * (maxx - minx)
  local lat = miny + math.random() * (maxy - miny)
  return wrk.format("GET", string.format("/api/v1/lookup?lon=%.7f&lat=%.7f", lon, lat))
end
