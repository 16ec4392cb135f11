package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/widget/api"
)

// BenchmarkServe_page measures the handler "liaison serve" runs answering
// one page of 50 contacts of a 100,000-contact org, in process (no
// network): the server's share of the wrk figure in BENCHMARKS.md.
func BenchmarkServe_page(b *testing.B) {
	store, err := openStore(b.Context(), "mem://")
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	pol, err := loadPolicy("")
	if err != nil {
		b.Fatal(err)
	}
	svc := contacts.New(store, pol)
	if _, err := seedOrg(b.Context(), svc, "demo", 100_000); err != nil {
		b.Fatal(err)
	}
	h := api.New(svc, api.Options{Actor: bearerActor("t"), Prefix: "/api", Logger: slog.New(slog.DiscardHandler)})
	req := httptest.NewRequest("GET", "/api/orgs/demo/contacts?limit=50", nil)
	req.Header.Set("Authorization", "Bearer t")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
