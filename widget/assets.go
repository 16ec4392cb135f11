package widget

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/liaisonhq/liaison/widget/internal/accept"
	"github.com/liaisonhq/liaison/widget/internal/wasmbuild"
)

// web holds the generated artifacts (`make widget` writes them); static
// holds the hand-written files.
var (
	//go:embed web/manifest.json web/app.wasm.br web/app.wasm.gz web/wasm_exec.js web/icon-192.png web/icon-512.png
	web embed.FS
	//go:embed static/embed.js static/app-worker.js static/icon.svg static/boot.js static/app.js
	static embed.FS
)

// artifacts are the embedded client files, read and checked once.
type artifacts struct {
	manifest   wasmbuild.Manifest
	br, gz     []byte
	wasmExecJS []byte
	icon192    []byte
	icon512    []byte
	iconSVG    []byte
	embedJS    []byte
	workerJS   []byte
	bootJS     []byte
	loaderJS   []byte
}

// loadArtifacts reads the embedded files and checks each against the
// manifest: a mismatch means widget/web was edited or half-regenerated.
var loadArtifacts = sync.OnceValues(func() (*artifacts, error) {
	read := func(fs embed.FS, name string) []byte {
		b, err := fs.ReadFile(name)
		if err != nil {
			panic(err) // go:embed guarantees the file
		}
		return b
	}
	a := &artifacts{
		br:         read(web, "web/app.wasm.br"),
		gz:         read(web, "web/app.wasm.gz"),
		wasmExecJS: read(web, "web/wasm_exec.js"),
		icon192:    read(web, "web/icon-192.png"),
		icon512:    read(web, "web/icon-512.png"),
		iconSVG:    read(static, "static/icon.svg"),
		embedJS:    read(static, "static/embed.js"),
		workerJS:   read(static, "static/app-worker.js"),
		bootJS:     read(static, "static/boot.js"),
		loaderJS:   read(static, "static/app.js"),
	}
	if err := json.Unmarshal(read(web, "web/manifest.json"), &a.manifest); err != nil {
		return nil, fmt.Errorf("widget: web/manifest.json: %w (regenerate with make widget)", err)
	}
	m := a.manifest
	for _, f := range []struct {
		want wasmbuild.Artifact
		got  []byte
	}{{m.Brotli, a.br}, {m.Gzip, a.gz}, {m.WasmExecJS, a.wasmExecJS}} {
		if sum := sha256.Sum256(f.got); int64(len(f.got)) != f.want.Size || hex.EncodeToString(sum[:]) != f.want.SHA256 {
			return nil, fmt.Errorf("widget: web/%s does not match web/manifest.json (regenerate with make widget)", f.want.File)
		}
	}
	if len(m.Wasm.SHA256) != 64 || m.Wasm.Size <= 0 {
		return nil, fmt.Errorf("widget: web/manifest.json: the wasm's size or SHA-256 is missing (regenerate with make widget)")
	}
	return a, nil
})

// asset is a file served whole from memory.
type asset struct {
	body        []byte
	contentType string
	etag        string // strong, quoted
	// gz is body gzipped, for clients that accept it, or nil when that
	// would not be smaller (images); gzETag is its ETag.
	gz     []byte
	gzETag string
}

func newAsset(body []byte, contentType string) asset {
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:16])
	a := asset{body: body, contentType: contentType, etag: `"` + tag + `"`}
	if !strings.HasPrefix(contentType, "image/png") {
		if gz := gzipBytes(body); len(gz) < len(body) {
			a.gz, a.gzETag = gz, `"`+tag+"-gzip"+`"`
		}
	}
	return a
}

// gzipBytes compresses b at gzip's best level, once, at start-up: the
// page's scripts and styles travel before and beside the wasm, so every
// byte saved there is a byte of the wasm sooner on a slow link.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		panic(err) // a valid level
	}
	zw.Write(b) // a bytes.Buffer does not fail
	zw.Close()
	return buf.Bytes()
}

// serve answers r with the asset, gzipped when the client accepts it;
// browsers revalidate it on every use (no-cache) and get 304 while it is
// unchanged. Each encoding has its own ETag, and Vary says the choice
// depends on Accept-Encoding.
func (a asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	body, etag := a.body, a.etag
	if a.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if accept.Encoding(r.Header.Values("Accept-Encoding"), accept.Gzip) == accept.Gzip {
			body, etag = a.gz, a.gzETag
			h.Set("Content-Encoding", accept.Gzip)
		}
	}
	h.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// etagMatches reports whether an If-None-Match header value matches etag,
// by the weak comparison RFC 9110 §13.1.2 prescribes.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	for _, t := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == etag {
			return true
		}
	}
	return false
}
