#!/usr/bin/env bash
# Installs the build tools streetchief needs when they are missing: Go (Debian's package brings a go
# command, which then fetches the toolchain go.mod asks for through the module proxy), a C compiler
# for the race detector, GDAL for the feature service test and HAProxy for the replicas test.
# PostgreSQL and PostGIS are installed by scripts/pg.sh.
set -euo pipefail

missing=()
command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || missing+=(golang-go)
command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
# zlib's header: the OSM importer's PBF reader (paulmach/osm) inflates blocks with cgo zlib when cgo is on.
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v git >/dev/null 2>&1 || missing+=(git)
# node and npm: the vector tile check decodes the golden tiles with the decoder MapLibre uses.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# GDAL's ogrinfo and ogr2ogr: the OGC API – Features test reads /ogc with the reader QGIS uses.
command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
# HAProxy: the replicas test runs three servers behind it (scripts/lb.sh, docs/scale.md).
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
# poppler's pdftoppm: the printed reports' test rasterises their PDF to check the page is drawn.
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing ${missing[*]}; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
