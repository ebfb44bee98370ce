# streetchief — make run serves the demo city on http://localhost:8080; make test runs every test
# against a real PostGIS. Both install what is missing and start a private cluster under .data/pg
# unless DATABASE_URL points at a database of your own.

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
export GOTOOLCHAIN ?= auto
GO ?= go
BIN := bin/streetchief
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: run test test-faults test-tiles-node test-web web bench build stop deps db vet clean

run: build db
	@addr="$${STREETCHIEF_ADDR:-:8080}"; case "$$addr" in :*) addr="localhost$$addr";; esac; \
		echo "streetchief: serving on http://$$addr"
	@echo "streetchief: demo sign-in: admin / demo-admin-2026, lanechief / demo-lanechief-2026 (all demo users: README.md)"
	DATABASE_URL="$${DATABASE_URL:-$$(scripts/pg.sh url)}" ./$(BIN) serve --migrate --demo-if-empty

build: deps web
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/streetchief

deps:
	@scripts/deps.sh

# db starts the private PostGIS cluster unless DATABASE_URL names another database.
db:
	@if [ -z "$$DATABASE_URL" ]; then scripts/pg.sh start; fi

stop:
	@scripts/pg.sh stop

vet: deps
	$(GO) vet ./...

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

test: deps web test-tiles-node
	@scripts/browser.sh # the printed reports' PDF test renders with Chromium
	@scripts/pg.sh start
	@test -z "$$(gofmt -l cmd geo internal migrations tiles 2>/dev/null)" || { gofmt -l cmd geo internal tiles; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	STREETCHIEF_TEST_DATABASE_URL="$$(scripts/pg.sh admin-url)" STREETCHIEF_REQUIRE_DB=1 \
		$(GO) test -race -count=1 -timeout 15m ./...
	@$(MAKE) --no-print-directory test-web

# test-tiles-node decodes the golden vector tiles with @mapbox/vector-tile (MapLibre's decoder).
test-tiles-node: deps
	cd tiles/testdata/node && npm ci --silent --no-audit --no-fund && node --test

# web builds the dashboard into web/dist (embedded by the next go build) when its sources are newer
# than the last build; npm ci runs only when package-lock.json changed.
WEB_SOURCES := $(shell find web/src web/field -type f 2>/dev/null) web/build.mjs web/package-lock.json

web: web/dist/index.html

web/node_modules/.package-lock.json: web/package-lock.json
	@scripts/deps.sh
	cd web && npm ci --silent --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && node build.mjs

# test-web drives Debian's Chromium over the dashboard, served by the real binary against a fresh
# database with the demo city: every web/test/*.test.js (each screen at 1280×800 and 390×844).
test-web: web
	@scripts/browser.sh
	@scripts/pg.sh start
	$(GO) build -o $(BIN) ./cmd/streetchief
	cd web && STREETCHIEF_TEST_DATABASE_URL="$$(../scripts/pg.sh admin-url)" node --test test/*.test.js

# test-faults restarts the private cluster while 5,000 incidents are reported, so it runs alone,
# after the other tests; then the intake decoder is fuzzed for 200,000 inputs (about a minute here).
# A count, not a duration: with -fuzztime 60s Go's fuzzing coordinator can fail the run with
# "context deadline exceeded" when the deadline meets a busy worker (go.dev/issue/75804).
test-faults: deps
	@scripts/pg.sh start
	STREETCHIEF_TEST_DATABASE_URL="$$(scripts/pg.sh admin-url)" STREETCHIEF_REQUIRE_DB=1 STREETCHIEF_FAULT_TESTS=1 \
		$(GO) test -race -count=1 -run NoAcknowledged -timeout 10m ./internal/incidents
	$(GO) test -run '^$$' -fuzz FuzzDecodeIntake -fuzztime 200000x ./internal/incidents

# test-replicas runs only the three-replica test (also part of make test): three servers of the real
# binary on one fresh database behind HAProxy (scripts/lb.sh), docs/scale.md "Replicas".
.PHONY: test-replicas
test-replicas: deps
	@scripts/pg.sh start
	STREETCHIEF_TEST_DATABASE_URL="$$(scripts/pg.sh admin-url)" STREETCHIEF_REQUIRE_DB=1 \
		$(GO) test -count=1 -run TestReplicasBehindHAProxy -v -timeout 10m ./cmd/streetchief

# test-ha starts a Patroni cluster on loopback (scripts/ha.sh: etcd, a primary and a synchronous
# replica under .data/ha), then runs the real binary on it reading tiles and reports from the replica
# (--read-database-url) until the replica is killed, restarts it, then through a libpq multi-host URL while 5,000
# incidents are reported and the primary's node is SIGKILLed, then a pgBackRest restore drill to a
# point in time (docs/ha.md). The cluster is stopped
# afterwards, whatever the outcome; a node lost in the test rejoins on the next start.
.PHONY: test-ha
test-ha: deps
	@scripts/ha.sh start
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/streetchief
	@rc=0; STREETCHIEF_HA_TESTS=1 STREETCHIEF_HA_HOSTS="$$(scripts/ha.sh hosts)" \
		STREETCHIEF_HA_SCRIPT="$(CURDIR)/scripts/ha.sh" STREETCHIEF_HA_BINARY="$(CURDIR)/$(BIN)" \
		$(GO) test -tags ha -count=1 -v -run 'ReadsFromTheStandby' -timeout 10m ./cmd/streetchief || rc=$$?; \
		[ $$rc = 0 ] && scripts/ha.sh start; \
		[ $$rc = 0 ] && STREETCHIEF_HA_TESTS=1 STREETCHIEF_HA_HOSTS="$$(scripts/ha.sh hosts)" \
		STREETCHIEF_HA_SCRIPT="$(CURDIR)/scripts/ha.sh" STREETCHIEF_HA_BINARY="$(CURDIR)/$(BIN)" \
		$(GO) test -tags ha -count=1 -v -run 'RestoreToAPointInTime|AcknowledgedReportsSurviveAFailover' -timeout 10m ./cmd/streetchief || rc=$$?; \
		scripts/ha.sh stop; exit $$rc

# bench: Go benchmarks over the demo city and a ~100,000-area city, HTTP load against PostGIS.
bench: deps
	scripts/bench.sh

clean:
	rm -rf bin
