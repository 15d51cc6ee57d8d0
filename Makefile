# Marquee — see README.md. `make run` and `make test` are the two commands a newcomer needs.
GO        ?= go
TOOL      := $(GO) tool -modfile=tools/go.mod
BIN       := bin/marquee
PKGS      := ./...

.PHONY: run build test test-race lint generate generate-check ci bench web clean

run: build
	./$(BIN) serve --demo

build:
	$(GO) build -o $(BIN) ./cmd/marquee

generate:
	$(TOOL) buf generate
	$(GO) tool gqlgen generate --config api/graphql/gqlgen.yml

generate-check: generate
	@git diff --exit-code -- api internal/gateway/graph || (echo "generated code is out of date: run 'make generate' and commit"; exit 1)
	@test -z "$$(git status --porcelain -- api internal/gateway/graph)" || (echo "generate produced untracked files:"; git status --porcelain -- api internal/gateway/graph; exit 1)

lint:
	$(GO) vet $(PKGS)
	$(TOOL) buf lint
	$(TOOL) staticcheck $(PKGS)

test:
	$(GO) test -count=1 -timeout 20m $(PKGS)

test-race:
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

ci: lint generate-check test

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

clean:
	rm -rf bin
