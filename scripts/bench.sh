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
./bin/streetchief migrate --database-url "$bench_url" >/dev/null
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

echo "== Import: GeoJSON of the bench city (streetchief import vs ogr2ogr) and the Liechtenstein OSM extract"
if ! command -v ogr2ogr >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gdal-bin >/dev/null
    else
        echo "bench: ogr2ogr is missing: sudo apt-get install -y gdal-bin" >&2
        exit 1
    fi
fi
work=$(mktemp -d)
scratch() { # scratch NAME: a fresh database on the cluster, echoing its URL
    psql "$admin" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null
    echo "${admin/\/postgres\?/\/$1?}"
}
./bin/streetchief export --database-url "$bench_url" --format geojson -o "$work/bench-areas.geojson"
echo "file: $(du -m "$work/bench-areas.geojson" | cut -f1) MB"
TIMEFORMAT='%R s wall'
# streetchief loads into a migrated database holding the bench city's admin units, so every area is
# also checked, located in its community and announced; ogr2ogr loads a bare table.
imp=$(scratch streetchief_import_bench)
./bin/streetchief migrate --database-url "$imp" >/dev/null
psql "$bench_url" -qc "\copy (SELECT id, level, parent_id, code, name, boundary, attributes FROM admin_unit ORDER BY id) to stdout" |
    psql "$imp" -qc "\copy admin_unit (id, level, parent_id, code, name, boundary, attributes) from stdin"
echo "streetchief import geojson:"
time ./bin/streetchief import geojson "$work/bench-areas.geojson" --database-url "$imp" | sed -n 1p
ogr=$(scratch streetchief_ogr_bench)
psql "$ogr" -qc "CREATE EXTENSION postgis"
ogr_conn=$(sed -E 's#postgres://([^@]+)@([^:/]+):([0-9]+)/([^?]+).*#host=\2 port=\3 user=\1 dbname=\4#' <<<"$ogr")
echo "ogr2ogr -f PostgreSQL ($(ogr2ogr --version | cut -d, -f1)):"
time ogr2ogr -f PostgreSQL "PG:$ogr_conn" "$work/bench-areas.geojson" -nln ogr_area -lco GEOMETRY_NAME=geom -nlt MULTIPOLYGON -gt 65536
pbf=../shared/data/liechtenstein-2013-08-03.osm.pbf
if [ -f "$pbf" ]; then
    osm=$(scratch streetchief_osm_bench)
    ./bin/streetchief migrate --database-url "$osm" >/dev/null
    echo "streetchief import osm $(basename "$pbf") (exits 1: the extract's incomplete boundaries are skipped):"
    time ./bin/streetchief import osm "$pbf" --database-url "$osm" 2>/dev/null | grep -E '^loaded|^read' || true
else
    echo "bench: $pbf is absent; skipping the OSM import" >&2
fi
for db in streetchief_import_bench streetchief_ogr_bench streetchief_osm_bench; do
    psql "$admin" -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null
done
rm -rf "$work"
