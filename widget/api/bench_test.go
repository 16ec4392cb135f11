package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/widget/wire"
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

// BenchmarkContactPageJSON encodes a directory page of 50 contacts, the
// handler's way (jsonenc.go) and encoding/json's, with the contacts' times
// all different (the encoder's worst case) or, as in a batch import, one.
func BenchmarkContactPageJSON(b *testing.B) {
	base := time.Date(2026, 11, 23, 8, 0, 0, 123456789, time.UTC)
	page := make([]contacts.Contact, 50)
	for i := range page {
		page[i] = contacts.Contact{Org: "acme", ID: fmt.Sprintf("01J%023d", i), Name: fmt.Sprintf("Person %06d", i),
			Email: fmt.Sprintf("p%06d@acme.example", i), Language: "en", Kind: contacts.Client, Availability: contacts.Available,
			Verification: "unverified", Status: "active", Version: 3}
	}
	for _, times := range []string{"distinct", "shared"} {
		for i := range page {
			t := base
			if times == "distinct" {
				t = base.Add(time.Duration(i) * time.Minute)
				page[i].Created, page[i].AvailabilitySince, page[i].Updated = t, t.Add(time.Second), t.Add(time.Hour)
			} else {
				page[i].Created, page[i].AvailabilitySince, page[i].Updated = t, t, t
			}
		}
		b.Run("append/"+times, func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = appendContactPageJSON(buf[:0], "contacts", page, "next"); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(buf)))
		})
		b.Run("encoding_json/"+times, func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := json.NewEncoder(&buf).Encode(wire.DirectoryPage{Contacts: wireContacts(page), Next: "next"}); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}
