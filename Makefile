# PartnerRisk — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
SWIFT ?= swift
BIN := .build/debug/partner-risk
RELEASE_BIN := .build/release/partner-risk

# System packages: what running needs, and what the tests add (real mail servers, sqlite3, a browser).
RUN_PACKAGES := libcurl4-openssl-dev libgmime-3.0-dev libsqlite3-dev libxml2
TEST_PACKAGES := $(RUN_PACKAGES) python3-aiosmtpd python3-websocket postfix dovecot-imapd postgresql sqlite3 openssl curl chromium time

.PHONY: demo test build release deps test-deps bench-import bench-send bench-ingest bench-mail-ingest bench-score bench-screen bench-web bench-pg clean

## Install missing system packages, build, and run the main job on embedded defaults.
demo: deps build
	@bash scripts/demo.sh $(BIN)

## Install what the tests need (mail servers included) and run every test.
test: test-deps
	$(SWIFT) build
	$(SWIFT) test
	bash scripts/test-smtp.sh
	bash scripts/test-web.sh
	bash scripts/test-import-faults.sh
	bash scripts/test-offline-browser.sh
	bash scripts/test-officer.sh
	bash scripts/test-service.sh
	bash scripts/test-postgres.sh
	bash scripts/test-workspace-browser.sh

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

deps:
	@bash scripts/install-packages.sh $(RUN_PACKAGES)

test-deps:
	@bash scripts/install-packages.sh $(TEST_PACKAGES)

## Import 50,000 generated partners into a fresh database and print the rate.
bench-import: deps release
	@bash scripts/bench-import.sh $(RELEASE_BIN)

## Send 5,000 invitations into postfix's smtp-sink and compare with smtp-source.
bench-send: test-deps release
	@bash scripts/bench-send.sh $(RELEASE_BIN)

## Import 10,000 answer files (validated and scored) and compare with sqlite3's CSV import.
bench-ingest: test-deps release
	@bash scripts/bench-ingest.sh $(RELEASE_BIN)

## Import 5,000 replies as .eml files (half with a PDF) and compare with Python's email parser and sqlite3.
bench-mail-ingest: test-deps release
	@bash scripts/bench-mail-ingest.sh $(RELEASE_BIN)

## Score and rank 100,000 partners' responses from the database.
bench-score: deps release
	@bash scripts/bench-score.sh $(RELEASE_BIN)

## The web server under wrk (demo data scaled to 100,000 partners), beside nginx serving the same pages as static files.
bench-web: release
	@bash scripts/install-packages.sh wrk nginx curl
	@bash scripts/bench-web.sh $(RELEASE_BIN)

## Import and rescore on PostgreSQL beside SQLite in one run, and 4 importers at once on PostgreSQL.
bench-pg: test-deps release
	@bash scripts/bench-pg.sh $(RELEASE_BIN)

bench-screen: test-deps release
	@bash scripts/bench-screen.sh $(RELEASE_BIN)

clean:
	rm -rf .build demo-out
