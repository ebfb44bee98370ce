#!/usr/bin/env bash
# Go benchmarks of every package, over the demo city and (where a benchmark asks for it) the bench city.
set -euo pipefail
echo "== Go benchmarks"
STREETCHIEF_TEST_DATABASE_URL="$BENCH_ADMIN_URL" STREETCHIEF_REQUIRE_DB=1 STREETCHIEF_BENCH_DATABASE_URL="$BENCH_URL" \
    go test -run '^$' -bench "${BENCH:-.}" -benchmem -count=1 -timeout 60m ./... | grep -E '^(Benchmark|ok|FAIL|---)'
