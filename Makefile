# appstore: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.package-lock.json

.PHONY: help install gen gen-engine check-gen peers build web typecheck lint test test-unit test-web test-engine test-integration run fuzz bench bench-web clean

help:
	@echo "make run    - the whole local system: control plane, Tiller, chart repository, the store"
	@echo "make test   - unit and integration tests against the real peers (built on first use); release suites on both engines"
	@echo "make gen    - regenerate gen/ from proto/ (and gen-engine: engine/gen/, Go)"
	@echo "make peers  - build (or reuse) the Go peers: etcd, kube-apiserver, kwok, Tiller, helm"
	@echo "make bench  - benchmarks against same-run baselines; writes docs/BENCHMARKS.md (~13 min)"
	@echo "make fuzz   - schemathesis and the chart loader's property test; writes docs/FUZZING.md (~10 min)"

# npm ci only when package-lock.json changed since the last install.
$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NPM_STAMP)

install: $(NPM_STAMP)

gen: install
	node scripts/gen-proto.mjs

# The Helm 4 engine's Go code for proto/hapi (protoc-gen-go, protoc-gen-go-grpc at pinned versions).
gen-engine: install
	node scripts/gen-engine-proto.mjs

# Fails when gen/ or engine/gen/ differs from what proto/ generates.
check-gen: gen gen-engine
	@git diff --exit-code --stat -- gen/ engine/gen/ && test -z "$$(git status --porcelain -- gen/ engine/gen/)" \
		|| (echo "gen/ or engine/gen/ is stale: run 'make gen gen-engine' and commit them" >&2; exit 1)

peers: install
	npx tsx test/harness/build-peers.ts

build: install web
	npx tsc -p tsconfig.build.json

# The web UI (src/web → dist/web), served by the store at /.
web: install
	npx vite build --logLevel warn

typecheck: install
	npx tsc --noEmit -p tsconfig.json
	npx tsc --noEmit -p tsconfig.web.json

lint: install
	npx eslint .

test-unit: install
	npx jest --selectProjects unit

# The web UI's component tests (vitest + jsdom); its browser tests are jest integration files (web-ui.test.ts).
test-web: install
	npx vitest run

# The engine's Go unit tests (no cluster).
test-engine:
	cd engine && go vet ./... && go test ./...

test-integration: peers
	npx jest --selectProjects integration

# The release suites run twice: on Tiller v2.17 (with everything else), then on the Helm 4 engine in Tiller's place.
RELEASE_SUITES := integration/(releases-|tenancy|provisioning-|faults-|operate-|access-matrix|development-gating|sample-charts|protocol|identity-)

test: install peers test-engine test-web
	@mkdir -p .run
	npx jest --json --outputFile=.run/jest-results.json
	APPSTORE_ENGINE=helm4 npx jest --selectProjects integration --testPathPatterns '$(RELEASE_SUITES)' --json --outputFile=.run/jest-results-helm4.json

run: build peers
	node dist/test/harness/run-local.js

# schemathesis against a local store, and the chart loader's property test; writes docs/FUZZING.md
fuzz: build peers
	bash scripts/fuzz/run.sh

# the catalog and releases benchmarks against the compiled store on the local control plane; writes docs/BENCHMARKS.md
bench: build peers
	npx tsx bench/run.ts

# first load of the web UI's catalog page with a 20 000-chart catalog, in chromium; writes docs/BENCHMARKS-WEB.md
bench-web: install
	npx tsx bench/web/first-load.ts

clean:
	rm -rf dist .run
