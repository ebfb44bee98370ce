#!/usr/bin/env bash
# HTTP GET /api/v1/lookup under wrk against pgbench asking PostGIS the same ST_Covers question.
set -euo pipefail
bench_url=$BENCH_URL bindir=$BENCH_PG_BIN
echo "== HTTP lookup vs PostGIS (100,000-area city, ${BENCH_SECONDS:=10} s each, ${BENCH_CLIENTS:=16} clients)"
read -r minx miny maxx maxy < <(psql "$bench_url" -tA -F' ' -c \
    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry e FROM area) x")
export BENCH_MINX=$minx BENCH_MINY=$miny BENCH_MAXX=$maxx BENCH_MAXY=$maxy
port=${BENCH_PORT:-18931}
./bin/streetchief serve --database-url "$bench_url" --addr "127.0.0.1:$port" --log-level warn &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    kill -0 $server 2>/dev/null || { echo "bench: the server did not start" >&2; exit 1; }
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.5
done
wrk -t1 -c"$BENCH_CLIENTS" -d"${BENCH_SECONDS}s" --latency -s scripts/bench/lookup.lua "http://127.0.0.1:$port" |
    grep -E 'Requests/sec|Latency|50%|99%|requests in|Non-2xx'
kill $server
wait $server 2>/dev/null || true
trap - EXIT

cat > /tmp/streetchief-covers.sql <<SQL
\set xi random(0, 1000000)
\set yi random(0, 1000000)
SELECT array_agg(id) FROM area WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($minx + :xi * ($maxx - $minx) / 1000000.0, $miny + :yi * ($maxy - $miny) / 1000000.0), 4326));
SQL
"$bindir/pgbench" -n -M prepared -c "$BENCH_CLIENTS" -j 1 -T "$BENCH_SECONDS" -f /tmp/streetchief-covers.sql "$bench_url" 2>&1 |
    grep -E 'tps|latency average|number of transactions actually processed'

