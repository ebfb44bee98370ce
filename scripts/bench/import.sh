#!/usr/bin/env bash
# GeoJSON import of the bench city against ogr2ogr, and the OSM PBF import of the largest shared extract.
set -euo pipefail
admin=$BENCH_ADMIN_URL bench_url=$BENCH_URL
echo "== Import: GeoJSON of the bench city (streetchief import vs ogr2ogr) and the Liechtenstein OSM extract"
work=$(mktemp -d)
scratch() { # scratch NAME: a fresh database on the cluster, echoing its URL
    psql "$admin" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null
    echo "${admin/\/postgres\?/\/$1?}"
}
./bin/streetchief export --database-url "$bench_url" --format geojson -o "$work/bench-areas.geojson"
echo "file: $(du -m "$work/bench-areas.geojson" | cut -f1) MB"
TIMEFORMAT='%R s wall'
# streetchief loads into a migrated database holding the bench city's admin units, so every area is
# also validated (ST_IsValid), located in its community, indexed, checked against the area table's
# constraints and announced; ogr2ogr loads a bare table (its own primary key and GiST index, no
# constraints, no foreign keys) and checks nothing. Three runs of each, alternating, since the
# machine is shared; each says the load average it started at.
imp_db() {
    imp=$(scratch streetchief_import_bench)
    ./bin/streetchief migrate --database-url "$imp" >/dev/null
    psql "$bench_url" -qc "\copy (SELECT id, level, parent_id, code, name, boundary, attributes FROM admin_unit ORDER BY id) to stdout" |
        psql "$imp" -qc "\copy admin_unit (id, level, parent_id, code, name, boundary, attributes) from stdin"
}
ogr_db() {
    ogr=$(scratch streetchief_ogr_bench)
    psql "$ogr" -qc "CREATE EXTENSION postgis"
    ogr_conn=$(sed -E 's#postgres://([^@]+)@([^:/]+):([0-9]+)/([^?]+).*#host=\2 port=\3 user=\1 dbname=\4#' <<<"$ogr")
}
for run in 1 2 3; do
    imp_db
    echo "streetchief import geojson (run $run, load $(cut -d' ' -f1-3 /proc/loadavg)):"
    time ./bin/streetchief import geojson "$work/bench-areas.geojson" --database-url "$imp" | sed -n 1p
    ogr_db
    echo "ogr2ogr -f PostgreSQL, $(ogr2ogr --version | cut -d, -f1) (run $run, load $(cut -d' ' -f1-3 /proc/loadavg)):"
    time ogr2ogr -f PostgreSQL "PG:$ogr_conn" "$work/bench-areas.geojson" -nln ogr_area -lco GEOMETRY_NAME=geom -nlt MULTIPOLYGON -gt 65536
done
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
