package widget

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The scripts, styles and manifest go out gzipped to clients that accept
// gzip, as the same bytes, under their own ETag; the PNG icons, which
// gzip cannot shrink, and clients that accept no coding get the file as is.
func TestHandler_assetsGzip(t *testing.T) {
	f := newFixture(t)
	for _, tc := range servedPaths {
		if tc.path == "/" || strings.HasPrefix(tc.path, "/?") || tc.path == "/app.css" || tc.contentType == "application/wasm" {
			continue // go-app's page and style sheet; the wasm has its own test
		}
		p := "/liaison" + tc.path
		plain, want := f.get(t, p)
		if plain.Header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s without Accept-Encoding: Content-Encoding %q", p, plain.Header.Get("Content-Encoding"))
		}
		res, body := f.get(t, p, "Accept-Encoding", "gzip, deflate, br")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != tc.contentType {
			t.Errorf("GET %s: %d %q", p, res.StatusCode, res.Header.Get("Content-Type"))
			continue
		}
		if tc.contentType == "image/png" {
			if res.Header.Get("Content-Encoding") != "" || body != want {
				t.Errorf("GET %s: Content-Encoding %q; a PNG goes out as is", p, res.Header.Get("Content-Encoding"))
			}
			continue
		}
		if got := res.Header.Get("Content-Encoding"); got != "gzip" {
			t.Errorf("GET %s accepting gzip: Content-Encoding %q, want gzip", p, got)
			continue
		}
		if got := res.Header.Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("GET %s: Vary %q", p, got)
		}
		if res.Header.Get("Content-Length") != strconv.Itoa(len(body)) || len(body) >= len(want) {
			t.Errorf("GET %s: Content-Length %q for %d bytes, %d unencoded", p, res.Header.Get("Content-Length"), len(body), len(want))
		}
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		if got, err := io.ReadAll(zr); err != nil || string(got) != want {
			t.Errorf("GET %s: the gzipped body does not decode to the file (err %v)", p, err)
		}
		etag := res.Header.Get("ETag")
		if etag == "" || etag == plain.Header.Get("ETag") {
			t.Errorf("GET %s: gzip ETag %q, identity ETag %q: want two distinct ones", p, etag, plain.Header.Get("ETag"))
		}
		if res, _ := f.get(t, p, "Accept-Encoding", "gzip", "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s If-None-Match its gzip ETag: %d, want 304", p, res.StatusCode)
		}
		if res, _ := f.get(t, p, "Accept-Encoding", "gzip;q=0", "If-None-Match", etag); res.StatusCode != http.StatusOK ||
			res.Header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s refusing gzip, with the gzip ETag: %d %q, want 200 unencoded", p, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
	}
}
