#!/usr/bin/env bash
# Vector tiles: the Go pipeline against one ST_AsMVT statement, uncached, over every zoom-14 tile of
# the demo city and 200 random zoom-10–16 tiles of the 100,000-area city; each path both to raw MVT
# bytes and to gzipped bytes (Go: the server's path with gzip and ETag; SQL: the statement plus the
# same gzip), in turn tile by tile; then the largest of every tile z12–14 over the 100,000-area city
# (the 500 KB ceiling), and cached tile requests over HTTP. BENCH_COUNT runs of each (default 3); the table
# shows the median of the runs.
set -euo pipefail
count=${BENCH_COUNT:-3}
echo "== Vector tiles (Go pipeline vs ST_AsMVT, uncached; median of $count runs)"
out=$(STREETCHIEF_TEST_DATABASE_URL="$BENCH_ADMIN_URL" STREETCHIEF_REQUIRE_DB=1 STREETCHIEF_BENCH_DATABASE_URL="$BENCH_URL" \
    go test -run '^$' -bench 'AreasZ14|AreasRandom100k' -benchtime 10x -count="$count" -timeout 60m ./internal/maptiles)
grep -E '^(FAIL|---|ok)|minzoom' <<<"$out" | sed 's/^ *//' || true
grep -E '^Benchmark' <<<"$out" | awk '
    function median(key,   n, i, j, t, v) {
        n = split(vals[key], v, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
        return v[int((n + 1) / 2)]
    }
    {
        name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
        if (!(name in seen)) { seen[name] = 1; order[++names] = name }
        for (i = 3; i < NF; i += 2) vals[name SUBSEP $(i + 1)] = vals[name SUBSEP $(i + 1)] " " $i
    }
    END {
        printf "%-28s %-4s %6s %10s %10s %9s %9s %10s %10s\n", "benchmark", "path", "tiles", "median µs", "p95 µs", "raw B", "gzip B", "max raw B", "max gzip B"
        for (k = 1; k <= names; k++) {
            n = order[k]
            if (n ~ /largest/) {
                printf "%-28s every tile z12–14 (%d), Go: largest %d B raw, %d B gzipped\n", n, median(n SUBSEP "tiles"),
                    median(n SUBSEP "go-max-raw-B"), median(n SUBSEP "go-max-gzip-B")
                continue
            }
            split("go sql", paths, " ")
            for (p = 1; p <= 2; p++) {
                q = n SUBSEP paths[p] "-"
                printf "%-28s %-4s %6d %10d %10d %9d %9d %10d %10d\n", n, paths[p], median(n SUBSEP "tiles"), median(q "median-µs/tile"),
                    median(q "p95-µs/tile"), median(q "raw-B/tile"), median(q "gzip-B/tile"), median(q "max-raw-B"), median(q "max-gzip-B")
            }
            if (median(n SUBSEP "skipped-tiles") > 0) printf "%-28s %d sampled tiles below the minzoom, empty on both paths, left out\n", n, median(n SUBSEP "skipped-tiles")
            printf "%-28s ST_AsMVT/Go time: %.1f× at the median, %.1f× at p95\n", n, median(n SUBSEP "sql/go-median"), median(n SUBSEP "sql/go-p95")
        }
    }'
echo "== Cached tile requests over HTTP"
STREETCHIEF_TEST_DATABASE_URL="$BENCH_ADMIN_URL" STREETCHIEF_REQUIRE_DB=1 \
    go test -run '^$' -bench 'CachedTileRequests' -benchtime 3s -count=1 ./internal/httpapi | grep -E '^(Benchmark|FAIL|---)'
