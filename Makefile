# Liaison's two entry points are `make demo` and `make test`; the rest are
# the steps of `make test`, runnable alone.

GO          ?= go
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
MODULES     := . examples

.PHONY: demo test fmt vet staticcheck imports unit bench

## demo: run the demo (for now: validate the presets and print the default rules)
demo:
	$(GO) run ./cmd/liaison demo

## test: everything CI runs, over every module
test: fmt vet staticcheck imports unit

fmt:
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	@for m in $(MODULES); do (cd $$m && echo "go vet ($$m)" && $(GO) vet ./...) || exit 1; done

staticcheck:
	@for m in $(MODULES); do (cd $$m && echo "staticcheck ($$m)" && $(STATICCHECK) ./...) || exit 1; done

imports:
	bash .ci/imports

unit:
	@for m in $(MODULES); do (cd $$m && echo "go test -race ($$m)" && $(GO) test -race -count=1 ./...) || exit 1; done

## bench: the benchmarks recorded in BENCHMARKS.md
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...
	cd examples && $(GO) test -run='^$$' -bench=. -benchmem ./...
