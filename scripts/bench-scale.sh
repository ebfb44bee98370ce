#!/usr/bin/env bash
# make bench-scale: a synthetic province in a PostgreSQL cluster of its own, then what it costs.
#
#   SCALE_AREAS   areas (default 5,000,000: the issue's province); the demo generator's city at
#                 Scale ⌈SCALE_AREAS / 2,500⌉ — one district with 7 subdistricts, its communities grown
#   SCALE_CASES   cases over the last 12 months (default 50,000,000), SQL set-based (bench-scale/cases.sql)
#   SCALE_BATCHES statements the cases are inserted in, oldest first (default: one per 100,000 cases)
#   SCALE_PG_DATA the cluster's folder, outside the project (default /var/tmp/streetchief-province)
#   SCALE_PG_PORT its port (default 57200)
#   SCALE_STEPS   any of: load cases lookup http (default all four; "lookup http" reuse a province)
#   SCALE_KEEP=1  leave the cluster running at the end (it is stopped otherwise; its data stays)
#
# Prints the figures for docs/scale.md and docs/benchmarks.md. Generation uses one backend for the
# areas (the registry's import) and one for the cases, so the machine stays usable.
set -euo pipefail
cd "$(dirname "$0")/.."
areas=${SCALE_AREAS:-5000000} cases=${SCALE_CASES:-50000000}
batches=${SCALE_BATCHES:-$(( (cases + 99999) / 100000 ))}
steps=${SCALE_STEPS:-load cases lookup http}
seconds=${SCALE_SECONDS:-20} http_port=${SCALE_HTTP_PORT:-57201}
export STREETCHIEF_PG_DATA=${SCALE_PG_DATA:-/var/tmp/streetchief-province}
export STREETCHIEF_PG_PORT=${SCALE_PG_PORT:-57200} STREETCHIEF_PG_DB=province
export PATH=/usr/local/go/bin:$PATH
for v in "$areas" "$cases" "$batches"; do
    [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "bench-scale: SCALE_AREAS, SCALE_CASES and SCALE_BATCHES must be positive integers" >&2; exit 2; }
done
case $STREETCHIEF_PG_DATA in "$PWD"/*) echo "bench-scale: SCALE_PG_DATA must lie outside the project" >&2; exit 2 ;; esac

scripts/pg.sh start
url=$(scripts/pg.sh url) admin=$(scripts/pg.sh admin-url)
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
server=
stop_all() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    [ "${SCALE_KEEP:-}" = 1 ] || scripts/pg.sh stop
}
trap stop_all EXIT
# A bulk load: checkpoints far apart, big sorts for the index builds. Durability stays on.
psql "$admin" -q -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "ALTER SYSTEM SET maintenance_work_mem = '1GB'" \
    -c "ALTER SYSTEM SET work_mem = '64MB'" -c "ALTER SYSTEM SET shared_buffers = '2GB'" >/dev/null
scripts/pg.sh restart

command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } ||
    { echo "bench-scale: wrk is missing: sudo apt-get install -y wrk" >&2; exit 1; }
go build -o bin/streetchief ./cmd/streetchief
sc() { ./bin/streetchief "$@" --database-url "$url" --statement-timeout 6h; }
now() { date +%s.%N; }
took() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }

if [[ " $steps " == *" load "* ]]; then
    psql "$admin" -qc "DROP DATABASE IF EXISTS province" -c "CREATE DATABASE province"
    t=$(now)
    ./bin/streetchief migrate --database-url "$url" >/dev/null
    sc demo --scale $(( (areas + 2499) / 2500 )) | sed -n 1p
    echo "== generation: areas, people, posts (demo city, registry import) in $(took "$t") s"
fi
if [[ " $steps " == *" cases "* ]]; then
    t=$(now)
    psql "$url" -q -f scripts/bench-scale/prepare.sql
    for b in $(seq 1 "$batches"); do
        psql "$url" -q -v cases="$cases" -v batches="$batches" -v batch="$b" -f scripts/bench-scale/cases.sql
    done
    psql "$url" -q -f scripts/bench-scale/finish.sql
    psql "$url" -qc "VACUUM ANALYZE"
    echo "== generation: $cases cases with their history in $(took "$t") s (with VACUUM ANALYZE)"
fi

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== province"
psql "$url" -tA -F' ' -c "SELECT 'admin units by level:', string_agg(level || ' ' || n, ', ') FROM (SELECT level, count(*) n FROM admin_unit GROUP BY 1 ORDER BY 1) x" \
    -c "SELECT 'areas', count(*) FROM area" -c "SELECT 'people', count(*) FROM person" \
    -c "SELECT 'incidents', count(*), 'events', (SELECT count(*) FROM incident_event) FROM incident" \
    -c "SELECT 'database', pg_size_pretty(pg_database_size(current_database()))" \
    -c "SELECT t, pg_size_pretty(sum(pg_total_relation_size(p.relid))) FROM unnest(array['area', 'incident', 'incident_event', 'incident_kpi_case', 'incident_kpi_day']) t, LATERAL (SELECT relid FROM pg_partition_tree(t::regclass) UNION SELECT t::regclass) p GROUP BY t ORDER BY t"

if [[ " $steps " == *" lookup "* ]]; then
    echo "== lookup index (go test ./internal/lookup -bench, 1 load each)"
    STREETCHIEF_BENCH_DATABASE_URL=$url go test ./internal/lookup -run '^$' -bench 'IndexMemory/100k|LoadFromPostGIS/100k' -benchtime 1x |
        grep -E '^Benchmark' | sed 's#/100k#/province#'
fi
[[ " $steps " == *" http "* ]] || exit 0

read -r minx miny maxx maxy < <(psql "$url" -tA -F' ' -c \
    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry e FROM area) x")
./bin/streetchief user add bench-scale --role admin --database-url "$url" >/dev/null 2>&1 || true
token=$(./bin/streetchief user token bench-scale --name "bench-scale $(date +%s)" --database-url "$url" | grep -Eo '[A-Za-z0-9_.-]{32,}' | tail -1)
./bin/streetchief serve --database-url "$url" --addr "127.0.0.1:$http_port" --log-level error &
server=$!
for _ in $(seq 1 240); do
    kill -0 $server 2>/dev/null || { echo "bench-scale: the server did not start" >&2; exit 1; }
    curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break
    sleep 0.5
done
base=http://127.0.0.1:$http_port
get() { # get PATH: prints seconds, bytes and status of one signed-in GET
    curl -sS -o /dev/null -w '%{time_total} s, %{size_download} B, HTTP %{http_code}' -H "Authorization: Bearer $token" "$base$1"
}

echo "== queries over HTTP, cold (first after a PostgreSQL restart) then warm (the next)"
queries=("/api/v1/kpis?by=subdistrict&period=year" "/api/v1/kpis?by=community&period=month"
    "/api/v1/kpis?by=area&period=year" "/api/v1/kpis/trend?period=year" "/api/v1/reports/gaps")
scripts/pg.sh restart
for q in "${queries[@]}"; do
    cold=$(get "$q")
    echo "$q: cold $cold; warm $(get "$q")"
done

echo "== tiles at province zooms (centre of the extent; cold, then warm)"
cx=$(echo "($minx + $maxx) / 2" | bc -l) cy=$(echo "($miny + $maxy) / 2" | bc -l)
for layer in $(curl -fs "$base/tiles/index.json" | grep -Eo '"name": *"[a-z_]+"' | grep -Eo '"[a-z_]+"$' | tr -d '"' | grep -E '^(areas|incidents)$'); do
    for z in 8 9 10 11; do
        read -r x y < <(awk -v lon="$cx" -v lat="$cy" -v z="$z" 'BEGIN { n = 2 ^ z; pi = atan2(0, -1); r = lat * pi / 180;
            printf "%d %d\n", int((lon + 180) / 360 * n), int((1 - log(sin(r) / cos(r) + 1 / cos(r)) / pi) / 2 * n) }')
        echo "$layer z$z ($x,$y): cold $(get "/tiles/$layer/$z/$x/$y.mvt"); warm $(get "/tiles/$layer/$z/$x/$y.mvt")"
    done
done

echo "== case intake over HTTP (wrk, 1 thread, 8 connections, $seconds s, signed in)"
export SCALE_MINX=$minx SCALE_MINY=$miny SCALE_MAXX=$maxx SCALE_MAXY=$maxy SCALE_TOKEN=$token
SCALE_CATEGORIES=$(psql "$url" -tAc "SELECT string_agg(code, ',') FROM incident_category WHERE retired_at IS NULL AND code NOT IN (SELECT parent FROM incident_category WHERE parent IS NOT NULL)")
export SCALE_CATEGORIES
wrk -t1 -c8 -d"${seconds}s" -s scripts/bench-scale/intake.lua "$base" | grep -E '^intake|Socket errors'
