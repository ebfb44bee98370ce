#!/usr/bin/env bash
# make bench: Go benchmarks over the demo city and the ~100,000-area city, then the HTTP lookup load
# test side by side with pgbench asking PostGIS the same question. Prints figures for
# docs/benchmarks.md. The bench city is loaded once into the database streetchief_bench and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/pg.sh start
admin=$(scripts/pg.sh admin-url)
bench_url=${admin/\/postgres\?/\/streetchief_bench?}
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
export PATH=/usr/local/go/bin:$PATH

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
        echo "bench: wrk is missing: sudo apt-get install -y wrk" >&2
        exit 1
    fi
fi

go build -o bin/streetchief ./cmd/streetchief

areas=$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = 'streetchief_bench'" | grep -q 1 &&
    psql "$bench_url" -tAc "SELECT count(*) FROM area" 2>/dev/null || echo 0)
if [ "${areas:-0}" -lt 90000 ]; then
    echo "bench: loading the 100,000-area city (once)" >&2
    psql "$admin" -qc "DROP DATABASE IF EXISTS streetchief_bench" -c "CREATE DATABASE streetchief_bench"
    ./bin/streetchief migrate --database-url "$bench_url" >/dev/null
    ./bin/streetchief demo --database-url "$bench_url" --scale 40 | head -1
fi
psql "$bench_url" -qc "VACUUM ANALYZE"

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "go: $(go version | cut -d' ' -f3); $("$bindir/postgres" --version); PostGIS $(psql "$bench_url" -tAc 'SELECT postgis_lib_version()')"

echo "== Go benchmarks"
STREETCHIEF_TEST_DATABASE_URL="$admin" STREETCHIEF_REQUIRE_DB=1 STREETCHIEF_BENCH_DATABASE_URL="$bench_url" \
    go test -run '^$' -bench "${BENCH:-.}" -benchmem -count=1 -timeout 60m ./... | grep -E '^(Benchmark|ok|FAIL|---)'

echo "== HTTP lookup vs PostGIS (100,000-area city, ${BENCH_SECONDS:=10} s each, ${BENCH_CLIENTS:=16} clients)"
read -r minx miny maxx maxy < <(psql "$bench_url" -tA -F' ' -c \
    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry e FROM area) x")
export BENCH_MINX=$minx BENCH_MINY=$miny BENCH_MAXX=$maxx BENCH_MAXY=$maxy
port=18080
./bin/streetchief serve --database-url "$bench_url" --addr "127.0.0.1:$port" --log-level warn &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
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
