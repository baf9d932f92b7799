# Two commands do everything on a fresh machine: `make run` and `make test`.
SWIFT ?= swift
DATA_DIR ?= .gitopsd
BIN := .build/debug/gitopsd

.PHONY: all deps deps-test deps-bench build release run test bench clean

all: build

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

deps-bench:
	@scripts/install-deps.sh bench

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: build
	@scripts/run-example.sh $(BIN) $(DATA_DIR)

test: deps-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2

bench: deps-bench release
	@scripts/bench.sh

clean:
	rm -rf .build $(DATA_DIR) $(DATA_DIR)-pods
