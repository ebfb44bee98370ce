#!/usr/bin/env bash
# make bench: every benchmark section side by side in one run, over the demo city and the ~100,000-area
# city (loaded once into the database streetchief_bench and reused). Prints figures for
# docs/benchmarks.md. BENCH_SECTIONS picks sections (default: all, in this order); each section is
# scripts/bench/<name>.sh and finds the databases and tools in the variables exported below.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/pg.sh start
admin=$(scripts/pg.sh admin-url)
bench_url=${admin/\/postgres\?/\/streetchief_bench?}
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
export PATH=/usr/local/go/bin:$PATH
export BENCH_ADMIN_URL=$admin BENCH_URL=$bench_url BENCH_PG_BIN=$bindir

need() { # need COMMAND PACKAGE: install a Debian package when its command is missing
    command -v "$1" >/dev/null 2>&1 && return
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
    else
        echo "bench: $1 is missing: sudo apt-get install -y $2" >&2
        exit 1
    fi
}
need wrk wrk
need ogr2ogr gdal-bin

go build -o bin/streetchief ./cmd/streetchief

areas=$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = 'streetchief_bench'" | grep -q 1 &&
    psql "$bench_url" -tAc "SELECT count(*) FROM area" 2>/dev/null || echo 0)
if [ "${areas:-0}" -lt 90000 ]; then
    echo "bench: loading the 100,000-area city (once)" >&2
    psql "$admin" -qc "DROP DATABASE IF EXISTS streetchief_bench" -c "CREATE DATABASE streetchief_bench"
    ./bin/streetchief migrate --database-url "$bench_url" >/dev/null
    ./bin/streetchief demo --database-url "$bench_url" --scale 40 | sed -n 1p
fi
./bin/streetchief migrate --database-url "$bench_url" >/dev/null
psql "$bench_url" -qc "VACUUM ANALYZE"

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "go: $(go version | cut -d' ' -f3); $("$bindir/postgres" --version); PostGIS $(psql "$bench_url" -tAc 'SELECT postgis_lib_version()')"

for section in ${BENCH_SECTIONS:-go lookup tiles import web}; do
    [ -f "scripts/bench/$section.sh" ] || { echo "bench: no section $section" >&2; exit 1; }
    bash "scripts/bench/$section.sh"
done
