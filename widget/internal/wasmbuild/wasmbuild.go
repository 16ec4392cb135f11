// Package wasmbuild builds the widget's WebAssembly client reproducibly:
// the generator that writes widget/web and the test that checks those
// artifacts are fresh both build through [Build], so they cannot disagree
// on flags.
package wasmbuild

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package is the import path of the client's main package.
const Package = "github.com/liaisonhq/liaison/widget/wasm"

// NetHTTP is the import path of the package the client links as net/http
// (see its doc): [Build] and [Deps] compile it in net/http's place with
// the go command's -overlay flag.
const NetHTTP = "github.com/liaisonhq/liaison/widget/internal/nethttp"

// Flags are the build flags: no file paths, no VCS stamp, no symbol table
// and no build ID, so the same source and toolchain give the same bytes;
// and no inlining (-gcflags=all=-l). Without inlining the raw module is
// larger (7.47 MB instead of 7.23) but compresses better: 9 % less brotli
// (1.19 MB instead of 1.31), which is what travels. In headless Chromium,
// cold loads at 9 Mbit/s are faster for it and loopback ones no slower.
var Flags = []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", GCFlags}

// GCFlags are the compiler's flags of [Flags], which builds of the client
// for inspection (with names) use too.
const GCFlags = "-gcflags=all=-l"

// Command is the build command as a person would type it, for docs and
// BENCHMARKS.md. nethttp.json is the overlay [Build] writes: it hides
// every file of $GOROOT/src/net/http and adds widget/internal/nethttp's
// http.go there.
const Command = "GOOS=js GOARCH=wasm go build -overlay=nethttp.json -trimpath -buildvcs=false -ldflags='-s -w -buildid=' -gcflags=all=-l ./widget/wasm"

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
	return BuildWith(ctx, goBin, dir, out, Flags...)
}

// BuildWith is [Build] with other build flags in place of [Flags], for
// builds of the client for inspection; the net/http overlay is always
// added.
func BuildWith(ctx context.Context, goBin, dir, out string, flags ...string) error {
	overlay, done, err := writeOverlay(ctx, goBin, dir)
	if err != nil {
		return err
	}
	defer done()
	args := append([]string{"build", "-overlay=" + overlay}, flags...)
	args = append(args, "-o", out, Package)
	if _, err := run(ctx, goBin, dir, args...); err != nil {
		return fmt.Errorf("wasmbuild: %s: %w", Command, err)
	}
	return nil
}

// Deps returns the import paths of every package the client links, as
// `go list -deps` reports them for its build (overlay included).
func Deps(ctx context.Context, goBin, dir string) ([]string, error) {
	overlay, done, err := writeOverlay(ctx, goBin, dir)
	if err != nil {
		return nil, err
	}
	defer done()
	out, err := run(ctx, goBin, dir, "list", "-overlay="+overlay, "-deps", Package)
	if err != nil {
		return nil, fmt.Errorf("wasmbuild: go list -deps %s: %w", Package, err)
	}
	return strings.Fields(string(out)), nil
}

// writeOverlay writes the go command's overlay file that compiles
// [NetHTTP]'s http.go as net/http, into a temporary directory that done
// removes. The file names every non-test .go file of the toolchain's
// net/http as absent, so it follows the toolchain it is written for.
func writeOverlay(ctx context.Context, goBin, dir string) (path string, done func(), err error) {
	goroot, err := GoEnv(ctx, goBin, dir, "GOROOT")
	if err != nil {
		return "", nil, err
	}
	stub, err := run(ctx, goBin, dir, "list", "-f", "{{.Dir}}", NetHTTP)
	if err != nil {
		return "", nil, fmt.Errorf("wasmbuild: finding %s: %w", NetHTTP, err)
	}
	std := filepath.Join(goroot, "src", "net", "http")
	files, err := filepath.Glob(filepath.Join(std, "*.go"))
	if err != nil || len(files) == 0 {
		return "", nil, fmt.Errorf("wasmbuild: no net/http sources in %s", std)
	}
	replace := map[string]string{}
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			replace[f] = ""
		}
	}
	replace[filepath.Join(std, "zz_liaison_client.go")] = filepath.Join(strings.TrimSpace(string(stub)), "http.go")
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", nil, err
	}
	tmp, err := os.MkdirTemp("", "liaison-wasmbuild-")
	if err != nil {
		return "", nil, err
	}
	done = func() { os.RemoveAll(tmp) }
	path = filepath.Join(tmp, "nethttp.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		done()
		return "", nil, err
	}
	return path, done, nil
}

// run runs the go command goBin in dir with the build's environment and
// returns its standard output; an error carries its standard error.
func run(ctx context.Context, goBin, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = dir
	cmd.Env = Env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, stderr.Bytes())
	}
	return out, nil
}

// GoEnv returns `go env key` as the go command goBin reports it for the
// build's environment (GOROOT, GOVERSION).
func GoEnv(ctx context.Context, goBin, dir, key string) (string, error) {
	out, err := run(ctx, goBin, dir, "env", key)
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
