package widget

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/liaisonhq/liaison/widget/internal/accept"
)

// wasmFile serves app.wasm from its two embedded compressed forms.
type wasmFile struct {
	br, gz []byte
	size   int64  // of the raw wasm
	tag    string // from the raw wasm's hash; each encoding's ETag extends it
	log    *slog.Logger
	// raw is the wasm decompressed, for clients that accept neither
	// coding: done once, on the first such request, since decompressing
	// per request would cost tens of milliseconds of CPU each.
	raw func() ([]byte, error)
}

func newWasmFile(br, gz []byte, size int64, tag string, log *slog.Logger) *wasmFile {
	return &wasmFile{br: br, gz: gz, size: size, tag: tag, log: log, raw: sync.OnceValues(func() ([]byte, error) {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(zr)
		if err == nil && int64(len(b)) != size {
			err = fmt.Errorf("app.wasm.gz holds %d bytes, the manifest says %d", len(b), size)
		}
		return b, err
	})}
}

// serve sends the wasm in the encoding negotiated from Accept-Encoding:
// brotli or gzip as stored, or decompressed (once, then kept) for a
// client that accepts neither. Each encoding has its own ETag, as they are
// distinct representations, and Vary tells caches the choice depends on
// the header. Under a path named by its hash (immutable), caches may keep
// it for a year without revalidating; otherwise they must revalidate.
func (f *wasmFile) serve(w http.ResponseWriter, r *http.Request, immutable bool) {
	coding := accept.Encoding(r.Header.Values("Accept-Encoding"), accept.Brotli, accept.Gzip)
	etag := `"` + f.tag + "-" + coding + `"`
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/wasm")
	var body io.Reader
	switch coding {
	case accept.Brotli:
		h.Set("Content-Encoding", accept.Brotli)
		h.Set("Content-Length", strconv.Itoa(len(f.br)))
		body = bytes.NewReader(f.br)
	case accept.Gzip:
		h.Set("Content-Encoding", accept.Gzip)
		h.Set("Content-Length", strconv.Itoa(len(f.gz)))
		body = bytes.NewReader(f.gz)
	default:
		raw, err := f.raw()
		if err != nil { // the embedded file's hash was checked at start-up
			f.log.Error("widget: decompressing app.wasm", "err", err)
			h.Del("ETag")
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(raw)))
		body = bytes.NewReader(raw)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, body); err != nil {
		f.log.Debug("widget: sending app.wasm", "encoding", coding, "err", err)
	}
}
