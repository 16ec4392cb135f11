// Package wasmbuild builds the widget's WebAssembly client reproducibly:
// the generator that writes widget/web and the test that checks those
// artifacts are fresh both build through [Build], so they cannot disagree
// on flags.
package wasmbuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Package is the import path of the client's main package.
const Package = "github.com/liaisonhq/liaison/widget/wasm"

// Flags are the build flags: no file paths, no VCS stamp, no symbol table
// and no build ID, so the same source and toolchain give the same bytes;
// and no inlining (-gcflags=all=-l). Without inlining the raw module is
// about 9 % larger (9.56 MB instead of 8.78) but compresses better: 6 %
// less brotli (1.556 MB instead of 1.658) and 5 % less gzip, which is what
// travels. In headless Chromium, cold loads at 9 Mbit/s got 40–70 ms
// faster and loopback ones no slower (the larger module compiles as fast
// while it streams in).
var Flags = []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", GCFlags}

// GCFlags are the compiler's flags of [Flags], which builds of the client
// for inspection (with names) use too.
const GCFlags = "-gcflags=all=-l"

// Command is the build command as a person would type it, for docs and
// BENCHMARKS.md.
const Command = "GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags='-s -w -buildid=' -gcflags=all=-l ./widget/wasm"

// Env returns the environment of the build: the caller's, with the target
// set and every variable that could change the output cleared.
func Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GOOS", "GOARCH", "GOWASM", "GOFLAGS", "GOEXPERIMENT", "CGO_ENABLED", "GOCOVERDIR":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=-mod=readonly")
}

// Build compiles the client with the go command goBin into the file out.
// dir is any directory inside the module.
func Build(ctx context.Context, goBin, dir, out string) error {
	args := append([]string{"build"}, Flags...)
	args = append(args, "-o", out, Package)
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = dir
	cmd.Env = Env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("wasmbuild: %s: %w\n%s", Command, err, stderr.Bytes())
	}
	return nil
}

// GoEnv returns `go env key` as the go command goBin reports it for the
// build's environment (GOROOT, GOVERSION).
func GoEnv(ctx context.Context, goBin, dir, key string) (string, error) {
	cmd := exec.CommandContext(ctx, goBin, "env", key)
	cmd.Dir = dir
	cmd.Env = Env()
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("wasmbuild: go env %s: %w", key, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Manifest describes the committed artifacts in widget/web: which
// toolchain built them, with which command, and each file's size and
// SHA-256. The widget reads it at start-up (the raw wasm's hash is its
// default version); the freshness test compares a rebuild against it.
type Manifest struct {
	// Go is the toolchain that built the wasm, as `go env GOVERSION` says.
	Go string `json:"go"`
	// Command is [Command].
	Command string `json:"command"`
	// Wasm is the raw client; its file is not committed, only compressed.
	Wasm Artifact `json:"wasm"`
	// Gzip and Brotli are the wasm compressed.
	Gzip   Artifact `json:"gzip"`
	Brotli Artifact `json:"brotli"`
	// WasmExecJS is $(go env GOROOT)/lib/wasm/wasm_exec.js of that
	// toolchain, the loader the wasm needs.
	WasmExecJS Artifact `json:"wasm_exec_js"`
}

// Artifact is one file of the [Manifest].
type Artifact struct {
	File   string `json:"file"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}
