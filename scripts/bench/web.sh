#!/usr/bin/env bash
# The dashboard's first map render on the demo city: the browser tests' harness serves a fresh demo
# database, Debian's Chromium opens the page at 1280×800 with a cold cache, and the time runs from
# navigation to the first idle frame with the boundary and area tiles drawn (median of 5 runs).
set -euo pipefail
echo "== Dashboard first map render (demo city, cold cache, median of 5)"
scripts/browser.sh
(cd web && node build.mjs >/dev/null)
go build -o bin/streetchief ./cmd/streetchief
(cd web && STREETCHIEF_TEST_DATABASE_URL="$BENCH_ADMIN_URL" node test/first-render.mjs 5)
echo "== Field app: a phone's outbox of 1,000 inspections synced when the network returns"
(cd web && STREETCHIEF_TEST_DATABASE_URL="$BENCH_ADMIN_URL" node test/field-sync.bench.mjs)
