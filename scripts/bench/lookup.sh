#!/usr/bin/env bash
# HTTP GET /api/v1/lookup under wrk against pgbench asking PostGIS the same ST_Covers question, in
# two set-ups, each applied alike to both servers:
#   shared    server, database and load generator all float over every core (as a laptop would);
#   split     the server under test (streetchief, or PostgreSQL's backends) on the first half of the
#             cores, its load generator (wrk, or pgbench) on the other half, so the generator's CPU
#             time is not taken from the server it measures and p99 is the server's, not the
#             scheduler's. Standard practice for load tests on one box.
set -euo pipefail
bench_url=$BENCH_URL bindir=$BENCH_PG_BIN
seconds=${BENCH_SECONDS:-10} clients=${BENCH_CLIENTS:-16}
read -r minx miny maxx maxy < <(psql "$bench_url" -tA -F' ' -c \
    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry e FROM area) x")
export BENCH_MINX=$minx BENCH_MINY=$miny BENCH_MAXX=$maxx BENCH_MAXY=$maxy
port=${BENCH_PORT:-18931}
cores=$(nproc)
all_cpus=0-$((cores - 1))
server_cpus=0-$((cores / 2 - 1)) client_cpus=$((cores / 2))-$((cores - 1))

cat > /tmp/streetchief-covers.sql <<SQL
\set xi random(0, 1000000)
\set yi random(0, 1000000)
SELECT array_agg(id) FROM area WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($minx + :xi * ($maxx - $minx) / 1000000.0, $miny + :yi * ($maxy - $miny) / 1000000.0), 4326));
SQL

# postmaster finds PostgreSQL's postmaster: the parent of a backend. Backends forked after its CPU
# affinity changes inherit it.
postmaster=$(awk '{print $4}' "/proc/$(psql "$bench_url" -tAc 'SELECT pg_backend_pid()')/stat")
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; taskset -p -c "$all_cpus" "$postmaster" >/dev/null 2>&1 || true' EXIT

run() { # run SETUP SERVER_CPUS CLIENT_CPUS
    local setup=$1 scpus=$2 ccpus=$3
    echo "== HTTP lookup vs PostGIS, $setup (100,000-area city, $seconds s each, $clients clients; server CPUs $scpus, load CPUs $ccpus)"
    taskset -c "$scpus" ./bin/streetchief serve --database-url "$bench_url" --addr "127.0.0.1:$port" --log-level error &
    server=$!
    for _ in $(seq 1 120); do
        kill -0 $server 2>/dev/null || { echo "bench: the server did not start" >&2; exit 1; }
        curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
        sleep 0.5
    done
    taskset -c "$ccpus" wrk -t1 -c"$clients" -d"${seconds}s" --latency -s scripts/bench/lookup.lua "http://127.0.0.1:$port" |
        grep -E 'Requests/sec|Latency|50%|99%|requests in|Non-2xx'
    kill $server
    wait $server 2>/dev/null || true
    server=

    taskset -p -c "$scpus" "$postmaster" >/dev/null
    taskset -c "$ccpus" "$bindir/pgbench" -n -M prepared -c "$clients" -j 1 -T "$seconds" -f /tmp/streetchief-covers.sql "$bench_url" 2>&1 |
        grep -E 'tps|latency average|number of transactions actually processed'
    taskset -p -c "$all_cpus" "$postmaster" >/dev/null
}

run shared "$all_cpus" "$all_cpus"
if [ "$cores" -ge 2 ]; then
    run split "$server_cpus" "$client_cpus"
fi

# The index's memory, in a process of its own so that nothing else has grown the heap first.
echo "== lookup index memory (100,000-area city; growth of HeapInuse and VmRSS over the process before the load, settled)"
STREETCHIEF_TEST_DATABASE_URL="$BENCH_ADMIN_URL" STREETCHIEF_REQUIRE_DB=1 STREETCHIEF_BENCH_DATABASE_URL="$bench_url" \
    go test -run '^$' -bench 'IndexMemory/100k' -benchtime 1x -count 3 ./internal/lookup | grep -E '^Benchmark'

# 1,000,000 uniform random points over the city as CSV, POSTed whole, answered with area ids as CSV:
# the batch path end to end over HTTP, with the server's CPU time and resident memory beside it.
points=/tmp/streetchief-1m.csv
awk -v minx="$minx" -v miny="$miny" -v maxx="$maxx" -v maxy="$maxy" 'BEGIN { srand(42); print "lon,lat";
    for (i = 0; i < 1000000; i++) printf "%.7f,%.7f\n", minx + rand() * (maxx - minx), miny + rand() * (maxy - miny) }' > "$points"
echo "== batch lookup, 1,000,000 points as CSV, fields=ids, over HTTP (server on CPUs $all_cpus)"
./bin/streetchief serve --database-url "$bench_url" --addr "127.0.0.1:$port" --log-level error &
server=$!
for _ in $(seq 1 120); do
    kill -0 $server 2>/dev/null || { echo "bench: the server did not start" >&2; exit 1; }
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.5
done
echo "server after load: $(grep VmRSS /proc/$server/status | xargs)"
ticks=$(getconf CLK_TCK)
for run in 1 2 3 4 5 6; do
    cpu0=$(awk '{print $14 + $15}' /proc/$server/stat)
    wall=$(curl -fs -o /dev/null -w '%{time_total}' -H 'Content-Type: text/csv' -H 'Accept: text/csv' \
        --data-binary @"$points" "http://127.0.0.1:$port/api/v1/lookup?fields=ids")
    cpu1=$(awk '{print $14 + $15}' /proc/$server/stat)
    echo "run $run: ${wall} s end to end, server CPU $(awk -v a="$cpu0" -v b="$cpu1" -v t="$ticks" 'BEGIN { printf "%.2f", (b - a) / t }') s"
done
echo "server after the batches: $(grep VmRSS /proc/$server/status | xargs)"
kill $server
wait $server 2>/dev/null || true
server=

# The same points through the CLI, which answers them in process on the batch path (index load included).
echo "== CLI lookup, the same 1,000,000 points: streetchief lookup --csv, answers to /dev/null (load average $(cut -d' ' -f1-3 /proc/loadavg))"
for run in 1 2 3; do
    for fields in full ids; do
        TIMEFORMAT="run $run, fields=$fields: %R s wall, %U s user, %S s sys"
        { time ./bin/streetchief lookup --database-url "$bench_url" --csv "$points" --fields $fields > /dev/null; } 2>&1
    done
done
rm -f "$points"
