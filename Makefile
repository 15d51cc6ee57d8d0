# Marquee — see README.md. `make run` and `make test` are the two commands a newcomer needs.
GO        ?= go
TOOL      := $(GO) tool -modfile=tools/go.mod
BIN       := bin/marquee
PKGS      := ./...

.PHONY: run build test test-race lint generate generate-check ci bench web web-deps web-check web-test clean

# The web front end (web/): built by Vite into internal/gateway/web/dist/app, which the binary embeds.
NPM       ?= npm
WEB_INDEX := internal/gateway/web/dist/app/index.html
WEB_DEPS  := web/node_modules/.package-lock.json
WEB_SRC   := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package.json web/package-lock.json

# run builds the front end when it is missing or older than its sources, then the binary that embeds it.
run: web
	$(GO) build -o $(BIN) ./cmd/marquee
	./$(BIN) serve --demo

build:
	$(GO) build -o $(BIN) ./cmd/marquee

generate:
	$(TOOL) buf generate
	$(GO) tool gqlgen generate --config api/graphql/gqlgen.yml
	$(GO) run ./internal/gateway/graph/gqlinorder internal/gateway/graph/generated/generated.go

generate-check: generate
	@git diff --exit-code -- api internal/gateway/graph || (echo "generated code is out of date: run 'make generate' and commit"; exit 1)
	@test -z "$$(git status --porcelain -- api internal/gateway/graph)" || (echo "generate produced untracked files:"; git status --porcelain -- api internal/gateway/graph; exit 1)

lint:
	$(GO) vet $(PKGS)
	$(TOOL) buf lint
	$(TOOL) staticcheck $(PKGS)

# test runs the Go tests, then the web tests even when a Go test failed, and fails if either did.
test:
	@status=0; $(GO) test -count=1 -timeout 20m $(PKGS) || status=1; $(MAKE) web-test || status=1; exit $$status

# web-deps installs the front end's packages (npm ci) when node_modules is missing or older than the lock file.
web-deps: $(WEB_DEPS)
$(WEB_DEPS): web/package-lock.json web/package.json
	cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(NPM) ci --no-audit --no-fund

# web builds the production bundle (type-checked) when a source is newer than the last build.
web: $(WEB_INDEX)
$(WEB_INDEX): $(WEB_DEPS) $(WEB_SRC)
	cd web && $(NPM) run build
	@touch $(WEB_INDEX)

# web-check type-checks the front end and fails when the types generated from api/graphql are stale
# (an operation the schema no longer accepts fails generation itself).
web-check: web-deps
	cd web && $(NPM) run typecheck
	cd web && $(NPM) run codegen:check

# web-test runs the unit tests (Vitest) and the browser scenarios (playwright-core with the system
# Chromium against `marquee serve --demo`, built with the current front end embedded).
web-test: web
	cd web && $(NPM) test
	cd web && $(NPM) run e2e
	cd web && $(NPM) run size

test-race:
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

ci: lint generate-check web-check test

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

clean:
	rm -rf bin internal/gateway/web/dist/app web/test-results
