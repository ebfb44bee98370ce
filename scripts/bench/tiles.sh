#!/usr/bin/env bash
# Vector tiles: the Go pipeline against ST_AsMVT, uncached, over the demo city's z14 tiles.
set -euo pipefail
echo "== Vector tiles (Go pipeline vs ST_AsMVT, uncached)"
STREETCHIEF_TEST_DATABASE_URL="$BENCH_ADMIN_URL" STREETCHIEF_REQUIRE_DB=1 STREETCHIEF_BENCH_DATABASE_URL="$BENCH_URL" \
    go test -run '^$' -bench 'AreasZ14' -benchtime 30x -count=1 ./internal/maptiles | grep -E '^(Benchmark|ok|FAIL|---)'
