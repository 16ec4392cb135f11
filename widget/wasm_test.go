package widget

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestHandler_wasmEncodings(t *testing.T) {
	f := newFixture(t)
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	m := art.manifest
	for _, tc := range []struct {
		acceptEncoding string
		wantEncoding   string // Content-Encoding
		wantSize       int64
	}{
		{"gzip, deflate, br, zstd", "br", m.Brotli.Size},
		{"gzip;q=1, br;q=0.5", "gzip", m.Gzip.Size},
		{"gzip", "gzip", m.Gzip.Size},
		{"", "", m.Wasm.Size},
		{"deflate", "", m.Wasm.Size},
		{"br;q=0, gzip;q=0", "", m.Wasm.Size},
	} {
		res, body := f.get(t, "/liaison/web/app.wasm", "Accept-Encoding", tc.acceptEncoding)
		name := "Accept-Encoding " + strconv.Quote(tc.acceptEncoding)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", name, res.StatusCode)
		}
		h := res.Header
		if h.Get("Content-Type") != "application/wasm" || h.Get("Content-Encoding") != tc.wantEncoding ||
			h.Get("Vary") != "Accept-Encoding" || h.Get("Content-Length") != strconv.FormatInt(tc.wantSize, 10) {
			t.Errorf("%s: Content-Type %q, Content-Encoding %q, Vary %q, Content-Length %q; want application/wasm, %q, Accept-Encoding, %d",
				name, h.Get("Content-Type"), h.Get("Content-Encoding"), h.Get("Vary"), h.Get("Content-Length"), tc.wantEncoding, tc.wantSize)
		}
		if int64(len(body)) != tc.wantSize {
			t.Errorf("%s: %d body bytes, want %d", name, len(body), tc.wantSize)
		}
		// The body is the built wasm, once decoded. (Brotli has no decoder
		// outside the generator, which checks its round trip; here the
		// body must be exactly the file the manifest hashes.)
		raw := []byte(body)
		switch tc.wantEncoding {
		case "br":
			if sha(raw) != m.Brotli.SHA256 {
				t.Errorf("%s: the brotli body is not web/app.wasm.br", name)
			}
			continue
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if raw, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if sha(raw) != m.Wasm.SHA256 {
			t.Errorf("%s: the decoded body's SHA-256 is %s, want the wasm's %s", name, sha(raw), m.Wasm.SHA256)
		}
		if !bytes.HasPrefix(raw, []byte("\x00asm")) {
			t.Errorf("%s: the decoded body is not WebAssembly", name)
		}
	}
}

// Each encoding is a representation of its own, with its own ETag; a
// client holding the current one gets 304.
func TestHandler_wasmRevalidation(t *testing.T) {
	f := newFixture(t)
	etags := map[string]string{}
	for _, enc := range []string{"br", "gzip", ""} {
		res, _ := f.get(t, "/liaison/web/app.wasm", "Accept-Encoding", enc)
		etag := res.Header.Get("ETag")
		if etag == "" || res.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("Accept-Encoding %q: ETag %q, Cache-Control %q", enc, etag, res.Header.Get("Cache-Control"))
		}
		for other, e := range etags {
			if e == etag {
				t.Errorf("encodings %q and %q share the ETag %s", other, enc, etag)
			}
		}
		etags[enc] = etag
		res, body := f.get(t, "/liaison/web/app.wasm", "Accept-Encoding", enc, "If-None-Match", `"other", W/`+etag)
		if res.StatusCode != http.StatusNotModified || body != "" || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q, If-None-Match its ETag: %d with %d bytes, Vary %q; want 304, none, Accept-Encoding",
				enc, res.StatusCode, len(body), res.Header.Get("Vary"))
		}
	}
	// A client that switches encodings does not get a 304 for the other one.
	res, _ := f.get(t, "/liaison/web/app.wasm", "Accept-Encoding", "gzip", "If-None-Match", etags["br"])
	if res.StatusCode != http.StatusOK {
		t.Errorf("gzip with brotli's ETag: %d, want 200", res.StatusCode)
	}
}

// The page runs the widget's own loader, not go-app's: app.js hands the
// client go-app's environment and instantiates what boot.js compiles from
// a plain fetch (which the browser may cache compiled), and boot.js is
// told where the wasm and the API are and which reads start with the page.
func TestHandler_loader(t *testing.T) {
	f := newFixture(t)
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	wasm := "/liaison" + wasmPath(art)
	_, js := f.get(t, "/liaison/app.js")
	for _, want := range []string{
		`"GOAPP_ROOT_PREFIX":"/liaison/"`,
		`"GOAPP_STATIC_RESOURCES_URL":"/liaison/web"`,
		`"LIAISON_API":"/liaison/api"`,
		`WebAssembly.compileStreaming(fetch("` + wasm + `"))`,
		"function goappGetenv(k)",
		"go.run(instance)",
	} {
		if !strings.Contains(js, want) {
			t.Errorf("app.js lacks %s", want)
		}
	}
	if strings.Contains(js, "fetchWithProgress") || strings.Contains(js, "ReadableStream") {
		t.Error("app.js streams the wasm through JavaScript, which keeps its compiled code out of the browser's cache")
	}
	_, page := f.get(t, "/liaison/?org=acme")
	want := `<script src="/liaison/boot.js" data-wasm="` + wasm + `" data-wasm-size="` + strconv.FormatInt(art.manifest.Wasm.Size, 10) +
		`" data-api="/liaison/api" data-prefetch="me directory?limit=50 completeness groups"></script>`
	if !strings.Contains(page, want) {
		t.Errorf("the page lacks %s", want)
	}
	res, boot := f.get(t, "/liaison/boot.js")
	if res.StatusCode != http.StatusOK || !strings.Contains(boot, "WebAssembly.compileStreaming(res)") {
		t.Errorf("GET /liaison/boot.js: %d, or not the boot script", res.StatusCode)
	}
}

// The pages load the wasm from a path named by its hash, which caches may
// keep without revalidating; /web/app.wasm stays, under revalidation, and
// a stale hash is not found.
func TestHandler_wasmImmutablePath(t *testing.T) {
	f := newFixture(t)
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	p := wasmPath(art)
	if !strings.HasPrefix(p, "/web/app.") || !strings.HasSuffix(p, ".wasm") || !strings.Contains(p, art.manifest.Wasm.SHA256[:20]) {
		t.Fatalf("wasmPath = %q", p)
	}
	res, body := f.get(t, "/liaison"+p, "Accept-Encoding", "br")
	if res.StatusCode != http.StatusOK || body != string(art.br) || res.Header.Get("Content-Encoding") != "br" {
		t.Errorf("GET %s: %d, %s, %d bytes; want 200, br, web/app.wasm.br", p, res.StatusCode, res.Header.Get("Content-Encoding"), len(body))
	}
	if got, want := res.Header.Get("Cache-Control"), "public, max-age=31536000, immutable"; got != want {
		t.Errorf("GET %s: Cache-Control %q, want %q", p, got, want)
	}
	res, _ = f.get(t, "/liaison/web/app.wasm", "Accept-Encoding", "br")
	if got := res.Header.Get("Cache-Control"); got != "no-cache" {
		t.Errorf("GET /web/app.wasm: Cache-Control %q, want no-cache", got)
	}
	stale := "/liaison/web/app." + strings.Repeat("0", 20) + ".wasm"
	if res, _ := f.get(t, stale); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET %s: %d, want 404", stale, res.StatusCode)
	}
}

// ClientPath names the immutable path, under the host's prefix, that
// embed.js asks for: a host page's preload of it answers embed.js's
// request.
func TestClientPath(t *testing.T) {
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"/liaison", "/admin/contacts", ""} {
		if got, want := ClientPath(prefix), prefix+wasmPath(art); got != want {
			t.Errorf("ClientPath(%q) = %q, want %q", prefix, got, want)
		}
	}
	f := newFixture(t)
	res, _ := f.get(t, ClientPath("/liaison"), "Accept-Encoding", "br")
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET ClientPath: %d", res.StatusCode)
	}
	_, js := f.get(t, "/liaison/embed.js")
	if !strings.Contains(js, `var wasmPath = "`+strings.TrimPrefix(ClientPath("/liaison"), "/liaison")+`";`) {
		t.Error("embed.js does not fetch the client from ClientPath")
	}
}
