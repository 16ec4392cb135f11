package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"testing"
)

// A long JSON reply (a page of the directory) goes out gzipped to a client
// that accepts gzip, as the same bytes; short replies, replies with an
// ETag, and clients that do not accept gzip get it as is.
func TestReply_gzip(t *testing.T) {
	f := newFixture(t)
	o := f.orgs["acme"]
	for i := range 30 {
		if r := f.do("owner", "acme", req{method: "POST", path: "/orgs/acme/contacts",
			body: `{"name":"Person ` + strconv.Itoa(i) + `","email":"p` + strconv.Itoa(i) + `@acme.example"}`}); r.status != http.StatusCreated {
			t.Fatalf("adding a contact: %d %s", r.status, r.body)
		}
	}
	plain := f.do("owner", "acme", req{method: "GET", path: "/orgs/acme/directory?limit=50"})
	if plain.status != http.StatusOK || len(plain.body) < minGzipReply || plain.header.Get("Content-Encoding") != "" {
		t.Fatalf("directory without Accept-Encoding: %d, %d bytes, Content-Encoding %q", plain.status, len(plain.body), plain.header.Get("Content-Encoding"))
	}
	gz := f.do("owner", "acme", req{method: "GET", path: "/orgs/acme/directory?limit=50", header: map[string]string{"Accept-Encoding": "gzip, deflate, br, zstd"}})
	if gz.header.Get("Content-Encoding") != "gzip" || gz.header.Get("Vary") != "Accept-Encoding" ||
		gz.header.Get("Content-Length") != strconv.Itoa(len(gz.body)) || len(gz.body) >= len(plain.body) {
		t.Fatalf("directory accepting gzip: Content-Encoding %q, Vary %q, Content-Length %q for %d bytes (%d unencoded)",
			gz.header.Get("Content-Encoding"), gz.header.Get("Vary"), gz.header.Get("Content-Length"), len(gz.body), len(plain.body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.body))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, plain.body) {
		t.Errorf("the gzipped directory does not decode to the plain one (err %v)", err)
	}
	for _, tc := range []struct {
		name string
		rq   req
	}{
		{"gzip refused", req{method: "GET", path: "/orgs/acme/directory?limit=50", header: map[string]string{"Accept-Encoding": "gzip;q=0, br"}}},
		{"a short reply", req{method: "GET", path: "/orgs/acme/groups", header: map[string]string{"Accept-Encoding": "gzip"}}},
		{"a reply with an ETag", req{method: "GET", path: "/orgs/acme/contacts/" + o.owner.ID, header: map[string]string{"Accept-Encoding": "gzip"}}},
	} {
		r := f.do("owner", "acme", tc.rq)
		if r.status != http.StatusOK || r.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: %d, Content-Encoding %q, want 200 as is", tc.name, r.status, r.header.Get("Content-Encoding"))
		}
	}
}
