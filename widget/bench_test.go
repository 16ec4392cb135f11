package widget

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// discard is a ResponseWriter that keeps nothing, so benchmarks measure
// the handler rather than a recorder's buffer.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

var _ io.Writer = (*discard)(nil)

func benchmarkGet(b *testing.B, target string, header ...string) {
	f := newFixture(b)
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	b.ReportAllocs()
	for b.Loop() {
		f.h.ServeHTTP(&discard{h: http.Header{}}, r)
	}
}

// The page: go-app pre-renders the components for each request.
func BenchmarkHandler_page(b *testing.B) { benchmarkGet(b, "/liaison/?org=acme") }

// The wasm as stored (brotli), and decompressed on the fly for a client
// that accepts no coding.
func BenchmarkHandler_wasmBrotli(b *testing.B) {
	benchmarkGet(b, "/liaison/web/app.wasm", "Accept-Encoding", "br")
}

func BenchmarkHandler_wasmIdentity(b *testing.B) {
	benchmarkGet(b, "/liaison/web/app.wasm", "Accept-Encoding", "identity")
}
