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

# PostgreSQL (issue 16): the packages whose tests choose their backend from
# BUILDER_WEB_TEST_DATABASE run a second time against a throw-away cluster
# (scripts/pg-test-cluster) when PostgreSQL is installed, without the
# browser tests (their pages are the same HTTP tests' pages), plus the
# multi-process PostgreSQL tests of app/server and cmd/builder-web. Not the whole
# suite: twice the suite would not fit CI's time on two cores. PG=0 skips
# them, PG=1 fails when PostgreSQL is missing (CI).
PG ?= auto
PG_PACKAGES = ./db/... ./app/ingest ./cmd/builder-migrations ./handlers
PG_TESTS = TestPostgres|TestCopyDatabase|TestPageCacheSee|TestUploadPathNotUTF8|TestUpload$$|TestGracefulShutdown
.PHONY: unit-pg
unit-pg:
	@if [ "$(PG)" = 0 ]; then echo "PostgreSQL tests skipped (PG=0)"; exit 0; fi; \
	if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		if [ "$(PG)" = 1 ]; then echo "PG=1 but PostgreSQL is not installed"; exit 1; fi; \
		echo "PostgreSQL is not installed: its tests are skipped (apt-get install postgresql, or PG=0)"; exit 0; \
	fi; \
	dir=$$(mktemp -d) && url=$$(scripts/pg-test-cluster start $$dir) || exit 1; \
	echo "PostgreSQL tests against $$url"; \
	BUILDER_WEB_TEST_DATABASE=$$url go test -count=1 -timeout 15m -skip Browser $(PG_PACKAGES) && \
	BUILDER_WEB_TEST_DATABASE=$$url go test -count=1 -timeout 15m -run '$(PG_TESTS)' ./app/server ./cmd/builder-web ./cmd/builder-db; rc=$$?; \
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
