package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHandler_hostileBodiesEveryRoute sends every route that reads a body
// the bodies of RELIABILITY B5, as the org's owner: each answers 4xx (400,
// or 413 for the oversize one), and nothing changes.
func TestHandler_hostileBodiesEveryRoute(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxBodyBytes = 4096 })
	hostile := []struct {
		name, body string
		status     int
	}{
		{"Role", `{"Role":"owner"}`, http.StatusBadRequest},
		{"duplicate key", `{"role":"normal","role":"owner"}`, http.StatusBadRequest},
		{"org", `{"org":"other"}`, http.StatusBadRequest},
		{"trailing }{", `{}}{`, http.StatusBadRequest},
		{"oversize", `{"x":"` + strings.Repeat("x", 5000) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, rt := range compiledRoutes() {
		if rt.method == http.MethodGet {
			continue // safe methods read no body
		}
		key := rt.method + " " + rt.path
		for _, h := range hostile {
			t.Run(key+"/"+h.name, func(t *testing.T) {
				rq := matrixRequests[key](f.target("acme"))
				rq.body = h.body
				before := f.snapshots()
				res := f.do("owner", "acme", rq)
				if res.status != h.status {
					t.Errorf("= %d, want %d: %s", res.status, h.status, res.body)
				}
				validateResponse(t, rq.method, rt.path, res)
				if diff := cmp.Diff(before, f.snapshots()); diff != "" {
					t.Errorf("changed (-before +after):\n%s", diff)
				}
			})
		}
	}
}

// TestHandler_safeMethodsChangeNothing sends every GET route, as the owner
// and as the vendor, and checks that no org changed (RELIABILITY H4): the
// change-set view's dry run, among others, is rolled back.
func TestHandler_safeMethodsChangeNothing(t *testing.T) {
	f := newFixture(t)
	for _, rt := range compiledRoutes() {
		if rt.method != http.MethodGet {
			continue
		}
		key := rt.method + " " + rt.path
		for _, role := range []string{"owner", "vendor"} {
			t.Run(key+"/"+role, func(t *testing.T) {
				before := f.snapshots()
				rq := matrixRequests[key](f.target("acme"))
				// The owner may not read recipients (vendor only): 403.
				if res := f.do(role, "acme", rq); res.status != http.StatusOK && res.status != http.StatusForbidden {
					t.Fatalf("= %d: %s", res.status, res.body)
				}
				if diff := cmp.Diff(before, f.snapshots()); diff != "" {
					t.Errorf("changed (-before +after):\n%s", diff)
				}
			})
		}
	}
}
