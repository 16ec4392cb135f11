package widget

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liaisonhq/liaison/widget/internal/wasmbuild"
)

// goCommand returns the go command and its GOVERSION, or skips the test.
func goCommand(t *testing.T) (goBin, version string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: no go command on PATH to build the wasm with")
	}
	version, err = wasmbuild.GoEnv(context.Background(), goBin, ".", "GOVERSION")
	if err != nil {
		t.Fatal(err)
	}
	return goBin, version
}

// The embedded client is what its source builds to: a change to
// widget/ui, widget/wasm, widget/wire or go-app without `make widget`
// fails here. The build is the generator's, so reproducible: the same
// source and toolchain give the same bytes.
func TestArtifacts_fresh(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: rebuilds the wasm")
	}
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	goBin, version := goCommand(t)
	if version != art.manifest.Go {
		t.Skipf("skipped: widget/web was built with %s, this toolchain is %s; builds differ across toolchains (run make widget with %s to compare)",
			art.manifest.Go, version, art.manifest.Go)
	}
	out := filepath.Join(t.TempDir(), "app.wasm")
	if err := wasmbuild.Build(t.Context(), goBin, ".", out); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := sha(raw); got != art.manifest.Wasm.SHA256 || int64(len(raw)) != art.manifest.Wasm.Size {
		t.Fatalf("widget/web is stale: the client's source builds to %d bytes (SHA-256 %s), the embedded wasm is %d bytes (%s).\n"+
			"Regenerate it with `make widget` and commit widget/web.", len(raw), got, art.manifest.Wasm.Size, art.manifest.Wasm.SHA256)
	}
}

// The gzip copy decodes to the wasm the manifest describes (the brotli
// copy is checked by the generator, the only holder of a decoder).
func TestArtifacts_gzipIsTheWasm(t *testing.T) {
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	_, body := f.get(t, "/liaison/web/app.wasm", "Accept-Encoding", "identity")
	if sha([]byte(body)) != art.manifest.Wasm.SHA256 {
		t.Fatalf("web/app.wasm.gz does not decode to the wasm of web/manifest.json")
	}
}

// The wasm_exec.js served is the one of the toolchain that built the
// wasm, not the one go-app picks by the server's Go version (GOAPP.md §4,
// pitfall 3); and, when this toolchain is that one, it is byte for byte
// $(go env GOROOT)/lib/wasm/wasm_exec.js.
func TestArtifacts_wasmExecJS(t *testing.T) {
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	_, served := f.get(t, "/liaison/wasm_exec.js")
	if !bytes.Equal([]byte(served), art.wasmExecJS) {
		t.Fatal("/liaison/wasm_exec.js is not the embedded web/wasm_exec.js")
	}
	goBin, version := goCommand(t)
	if version != art.manifest.Go {
		t.Skipf("skipped: widget/web was built with %s, this toolchain is %s", art.manifest.Go, version)
	}
	goroot, err := wasmbuild.GoEnv(t.Context(), goBin, ".", "GOROOT")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(art.wasmExecJS, want) {
		t.Fatalf("web/wasm_exec.js differs from %s's lib/wasm/wasm_exec.js: run make widget", version)
	}
}

// The default version follows the wasm and the options that shape app.js,
// so browsers pick up a new build or configuration.
func TestHandler_defaultVersion(t *testing.T) {
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	base := Options{Prefix: "/liaison", FrameAncestors: []string{"https://portal.example.com"}}
	v := defaultVersion(art, base)
	changed := *art
	changed.manifest.Wasm.SHA256 = strings.Repeat("0", 64)
	for name, other := range map[string]string{
		"another wasm":     defaultVersion(&changed, base),
		"another prefix":   defaultVersion(art, Options{Prefix: "/x", FrameAncestors: base.FrameAncestors}),
		"another ancestor": defaultVersion(art, Options{Prefix: base.Prefix}),
	} {
		if other == v {
			t.Errorf("%s: same version %s", name, v)
		}
	}
	if defaultVersion(art, base) != v {
		t.Error("the version is not a function of its inputs")
	}
	f := newFixture(t, func(o *Options) { o.Version = "release-42" })
	_, js := f.get(t, "/liaison/app.js")
	if !strings.Contains(js, `"GOAPP_VERSION":"release-42"`) {
		t.Error("Options.Version does not reach app.js")
	}
	_, worker := f.get(t, "/liaison/app-worker.js")
	if !strings.HasPrefix(worker, "// version release-42\n") {
		t.Error("Options.Version does not reach the service worker, so browsers would not replace it")
	}
}

// The client, as built for the browser (GOOS=js, so js-only files count),
// links none of the server: no contacts domain, storage driver, policy,
// schema or API, and none of their weight (x/text, phonenumbers); nor,
// with net/http replaced (widget/internal/nethttp), the standard
// library's network and TLS stack that go-app's server half would bring.
func TestWasm_linksNoServerCode(t *testing.T) {
	goBin, _ := goCommand(t)
	deps, err := wasmbuild.Deps(t.Context(), goBin, ".")
	if err != nil {
		t.Fatal(err)
	}
	prefixes := []string{
		"github.com/liaisonhq/liaison/contacts", "github.com/liaisonhq/liaison/storage",
		"github.com/liaisonhq/liaison/policy", "github.com/liaisonhq/liaison/schema",
		"github.com/liaisonhq/liaison/widget/api", "github.com/liaisonhq/liaison/widget/internal",
		"golang.org/x/text", "github.com/nyaruka/phonenumbers", "github.com/hashicorp/",
		"github.com/jackc/", "github.com/santhosh-tekuri/", "github.com/andybalholm/",
		"crypto/tls", "crypto/x509", "crypto/ecdsa", "crypto/rsa", "crypto/mlkem", "crypto/hpke",
		"net/http/", "net/textproto", "mime", "vendor/golang.org/x/net/",
	}
	linked := map[string]bool{}
	for _, pkg := range deps {
		linked[pkg] = true
		if pkg == "net" {
			t.Errorf("the wasm client links %s", pkg)
		}
		for _, b := range prefixes {
			if strings.HasPrefix(pkg, b) {
				t.Errorf("the wasm client links %s", pkg)
			}
		}
	}
	if !linked["github.com/maxence-charriere/go-app/v10/pkg/app"] || !linked["net/http"] {
		t.Fatalf("go list -deps %s lists no go-app or net/http: %v", wasmbuild.Package, deps)
	}
}
