# Liaison's two entry points are `make demo` and `make test`; the rest are
# the steps of `make test`, runnable alone.

GO          ?= go
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
MODULES     := . examples

.PHONY: demo test fmt vet staticcheck imports unit bench

## demo: build the widget's WebAssembly client, then run the demo portal on
## http://localhost:8080 (examples/portal; its data stays in
## examples/liaison-demo-data, delete it to start over)
demo: widget
	cd examples && $(GO) run ./portal

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

## widget: rebuild the embedded WebAssembly client (widget/web) after changing
## widget/ui, widget/wasm or go-app; commit what it writes
.PHONY: widget
widget:
	$(GO) generate ./widget
