package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/schema"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// FuzzImportCSV reads any bytes as an import CSV file and imports what it
// accepts into an org of an in-memory store. It checks that:
//   - reading never panics, and every problem names a line of the file;
//   - the Service's problems all map to lines of records that were read;
//   - an accepted file round-trips: the org exported as CSV reads back
//     without problems and imports into a fresh org, which then holds the
//     same contacts (what import sets: name, email, language, phone, title,
//     kind, availability).
//
// The seeds are the files of testdata/import and the committed corpus in
// testdata/fuzz/FuzzImportCSV.
func FuzzImportCSV(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "import", "*.csv"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	pol := defaultPolicy(f)
	const owner = "owner@fuzz.invalid"
	f.Fuzz(func(t *testing.T, data []byte) {
		file := readCSV(data)
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for _, p := range file.problems {
			if p.line < 1 || p.line > lines || p.msg == "" || strings.Contains(p.String(), "\n") {
				t.Fatalf("malformed problem %q in a file of %d lines", p, lines)
			}
		}
		if len(file.problems) > 0 {
			return
		}

		ctx := context.Background()
		store := memstore.New()
		defer store.Close()
		svc := contacts.New(store, pol)
		mkOrg := func(id string) {
			_, _, err := svc.CreateOrg(ctx, contacts.Actor{Vendor: "fuzz"}, contacts.NewOrg{
				ID: id, Name: id, Owner: contacts.NewContact{Name: "Owner", Email: owner},
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		mkOrg("a")
		batch, batchLines, repeats := dedupe(file.rows)
		if len(repeats) > 0 || len(batch) == 0 {
			return
		}
		_, err := svc.ImportContacts(ctx, vendor("a"), "a", batch)
		if err != nil {
			ps, ok := serviceProblems(err, batchLines)
			if !ok {
				t.Fatalf("ImportContacts: %v", err)
			}
			for _, p := range ps {
				if p.line < 2 || p.field == "" {
					t.Fatalf("service problem %q maps to no record", p)
				}
			}
			return
		}

		var exported bytes.Buffer
		if _, err := exportContacts(ctx, store, pol, "a", formatCSV, &exported); err != nil {
			t.Fatalf("export: %v", err)
		}
		again := readCSV(exported.Bytes())
		if len(again.problems) > 0 {
			t.Fatalf("the export of an accepted file reads with problems %v:\n%q", again.problems, exported.String())
		}
		mkOrg("b")
		// The export holds a's owner, whose address b's owner shares.
		var rows []row
		for _, r := range again.rows {
			if r.rec.Email != owner {
				rows = append(rows, r)
			}
		}
		batch, _, repeats = dedupe(rows)
		if len(repeats) > 0 {
			t.Fatalf("the export repeats addresses: %v", repeats)
		}
		if _, err := svc.ImportContacts(ctx, vendor("b"), "b", batch); err != nil {
			t.Fatalf("the export of an accepted file does not import: %v\n%q", err, exported.String())
		}
		list := func(org string) []contacts.Contact {
			var all []contacts.Contact
			page := contacts.Page{Limit: contacts.MaxPageSize}
			for {
				l, next, err := svc.Contacts(ctx, vendor(org), org, page)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, l...)
				if next == "" {
					return all
				}
				page.After = next
			}
		}
		if diff := cmp.Diff(importable(list("a"), ""), importable(list("b"), "")); diff != "" {
			t.Fatalf("contacts after export and import (-a +b):\n%s\nexport:\n%q", diff, exported.String())
		}
	})
}

// FuzzImportJSONL reads any bytes as an import JSON Lines file. It checks
// that reading never panics, that every problem names a line of the file,
// and that every accepted record is a fixed point: marshalled and parsed
// again it is the same record. The seeds are the files of testdata/import.
func FuzzImportJSONL(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "import", "*.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := readJSONL(data)
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for _, p := range file.problems {
			if p.line < 1 || p.line > lines || p.msg == "" || strings.Contains(p.String(), "\n") {
				t.Fatalf("malformed problem %q in a file of %d lines", p, lines)
			}
		}
		for _, r := range file.rows {
			out, err := json.Marshal(r.rec)
			if err != nil {
				t.Fatalf("line %d: marshal: %v", r.line, err)
			}
			again, err := schema.ParseContact(out)
			if err != nil {
				t.Fatalf("line %d: the marshalled record %s does not parse: %v", r.line, out, err)
			}
			if diff := cmp.Diff(r.rec, again, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("line %d: marshal and parse is not a fixed point (-first +again):\n%s", r.line, diff)
			}
		}
	})
}
