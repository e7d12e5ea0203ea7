# `make test` is the test command of README.md and CI.
FUZZTIME ?= 20s

.PHONY: test vet unit smoke fuzz bench build

test: vet unit unit-pg smoke fuzz

build:
	go build ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo 'gofmt needed'; exit 1; }
	go vet ./...

unit:
	go test -count=1 -timeout 20m ./...

# PostgreSQL (issue 16): every package whose tests choose their backend
# from BUILDER_WEB_TEST_DATABASE (the ones that import
# internal/testkit/pgtest, directly or through apptest; `go list` finds
# them, so a new one is included without editing this file) runs a second
# time, whole, against a throw-away cluster (scripts/pg-test-cluster) when
# PostgreSQL is installed, without the browser tests (their pages are the
# same HTTP tests' pages). The packages whose tests never open a database
# of their own choosing run once. PG=0 skips the pass, PG=1 fails when
# PostgreSQL is missing (CI).
PG ?= auto
PG_PACKAGES = $$(go list -test -f '{{if .ForTest}}{{.ForTest}} {{join .Deps " "}}{{end}}' ./... | \
	grep -E ' github.com/builder-web/builder-web/internal/testkit/pgtest( |$$)' | cut -d' ' -f1 | grep -v /internal/testkit/ | sort -u)
.PHONY: unit-pg
unit-pg:
	@if [ "$(PG)" = 0 ]; then echo "PostgreSQL tests skipped (PG=0)"; exit 0; fi; \
	if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		if [ "$(PG)" = 1 ]; then echo "PG=1 but PostgreSQL is not installed"; exit 1; fi; \
		echo "PostgreSQL is not installed: its tests are skipped (apt-get install postgresql, or PG=0)"; exit 0; \
	fi; \
	dir=$$(mktemp -d) && url=$$(scripts/pg-test-cluster start $$dir) || exit 1; \
	echo "PostgreSQL tests against $$url"; \
	pkgs=$(PG_PACKAGES); [ -n "$$pkgs" ] || { echo "go list found no PostgreSQL test packages"; scripts/pg-test-cluster stop $$dir; exit 1; }; echo $$pkgs | sed 's|github.com/builder-web/builder-web/||g'; \
	BUILDER_WEB_TEST_DATABASE=$$url go test -count=1 -timeout 15m -skip Browser $$pkgs; rc=$$?; \
	scripts/pg-test-cluster stop $$dir; exit $$rc

# The reference README's operator workflow, end to end (../shared/bin/smoke-upload).
smoke:
	../shared/bin/smoke-upload

# Each fuzz target runs for FUZZTIME; crashers land in the package's testdata/fuzz.
fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

bench:
	go test -run '^$$' -bench . -benchmem ./app/... ./handlers

# Load and page benchmarks over a generated data directory (BENCHMARKS.md):
# make load DATADIR=/tmp/gen200k; make bench-pages DATADIR=/tmp/gen200k
.PHONY: load bench-pages
load:
	@test -n "$(DATADIR)" || { echo 'usage: make load DATADIR=dir'; exit 1; }
	bench/load.sh $(DATADIR)

bench-pages:
	@test -n "$(DATADIR)" || { echo 'usage: make bench-pages DATADIR=dir'; exit 1; }
	bench/pages.sh $(DATADIR)

# One node against two on one PostgreSQL database and data directory (issue
# 16): a throw-away cluster and data set of its own, a few minutes.
.PHONY: bench-nodes
bench-nodes:
	bench/nodes.sh

# Reproducible release (README.md, "Releases"): static binaries, a Debian
# package and SHA256SUMS in dist/; release-check builds it twice in two
# directories and compares the bytes (a few minutes: SQLite is compiled twice).
.PHONY: release release-check
release:
	scripts/release.sh

release-check:
	scripts/release-check.sh
