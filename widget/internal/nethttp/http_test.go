package http_test

import (
	"errors"
	"io"
	stdhttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	http "github.com/liaisonhq/liaison/widget/internal/nethttp"
)

// Header keys are canonical as net/http makes them, so that what go-app's
// Handler sets and reads means the same in both builds.
func FuzzCanonicalHeaderKey(f *testing.F) {
	for _, k := range []string{"content-type", "ETAG", "if-none-match", "x-1-a", "a b", "ünï", "foo:bar", "-x-", "", "Cache-Control"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if got, want := http.CanonicalHeaderKey(key), stdhttp.CanonicalHeaderKey(key); got != want {
			t.Fatalf("CanonicalHeaderKey(%q) = %q, net/http says %q", key, got, want)
		}
	})
}

func TestHeader(t *testing.T) {
	h := http.Header{}
	h.Set("content-type", "text/css")
	if got := h.Get("Content-Type"); got != "text/css" {
		t.Errorf("Get after Set = %q", got)
	}
	if got := h.Get("etag"); got != "" {
		t.Errorf("Get of an absent field = %q", got)
	}
	h.Set("CONTENT-TYPE", "text/html")
	if len(h) != 1 || h.Get("content-type") != "text/html" {
		t.Errorf("Set did not replace the field: %v", h)
	}
}

// responseWriter adapts httptest's recorder to this package's interface.
type responseWriter struct{ *httptest.ResponseRecorder }

func (w responseWriter) Header() http.Header { return http.Header(w.ResponseRecorder.Header()) }

// What would need a network or a file system says so instead of
// pretending.
func TestNotInClient(t *testing.T) {
	if res, err := http.Get("https://example.com/robots.txt"); res != nil || !errors.Is(err, http.ErrNotInClient) {
		t.Errorf("Get = %v, %v; want nil, ErrNotInClient", res, err)
	}
	if f, err := http.Dir("/").Open("/etc/passwd"); f != nil || !errors.Is(err, http.ErrNotInClient) {
		t.Errorf("Dir.Open = %v, %v; want nil, ErrNotInClient", f, err)
	}
	rec := httptest.NewRecorder()
	http.FileServer(http.Dir("web")).ServeHTTP(responseWriter{rec}, &http.Request{Method: http.MethodGet})
	if rec.Code != http.StatusNotImplemented || !strings.Contains(rec.Body.String(), "WebAssembly client") {
		t.Errorf("FileServer answered %d %q", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	http.NotFound(responseWriter{rec}, &http.Request{})
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != stdhttp.StatusNotFound || string(body) != "404 page not found\n" {
		t.Errorf("NotFound answered %d %q", rec.Code, body)
	}
}
