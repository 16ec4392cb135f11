package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

// benchContacts is the directory size of the target: a page of 50
// of 100,000 contacts.
const benchContacts = 100_000

// benchFixture is the fixture with benchContacts more contacts in acme.
func benchFixture(b *testing.B) *fixture {
	b.Helper()
	f := newFixture(b)
	rows := make([]contacts.NewContact, benchContacts)
	for i := range rows {
		rows[i] = contacts.NewContact{Name: fmt.Sprintf("Person %06d", i), Email: fmt.Sprintf("p%06d@acme.example", i)}
	}
	if _, err := f.svc.ImportContacts(context.Background(), contacts.Actor{Org: "acme", Vendor: "bench"}, "acme", rows); err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkDirectoryPage serves GET directory pages of 50 through the
// whole handler (identity, routing, checks, Service, JSON), as a normal
// member: the first page, a search, and a page deep in the walk.
func BenchmarkDirectoryPage(b *testing.B) {
	f := benchFixture(b)
	var deep string
	for _, bc := range []struct{ name, query string }{
		{"first", "limit=50"},
		{"search", "limit=50&q=person%2000"},
		{"deep", ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			query := bc.query
			if bc.name == "deep" {
				query = "limit=50&after=" + deep
			}
			a, _ := f.actor("normal", "acme")
			r := withActor(httptest.NewRequest("GET", "/api/v1/orgs/acme/directory?"+query, nil), a)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				f.h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
		if bc.name == "first" {
			deep = f.directoryCursor(b, 1000)
		}
	}
}

// directoryCursor walks n pages of 50 and returns the cursor after them.
func (f *fixture) directoryCursor(b *testing.B, n int) string {
	b.Helper()
	a, _ := f.actor("normal", "acme")
	after := ""
	for range n {
		p, err := f.svc.Directory(context.Background(), a, "acme", contacts.DirectoryQuery{Limit: 50, After: after})
		if err != nil {
			b.Fatal(err)
		}
		after = p.Next
	}
	return after
}
