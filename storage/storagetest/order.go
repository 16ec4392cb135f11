package storagetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

var orderTests = []test{
	{"Contacts", testOrderContacts},
	{"Groups", testOrderGroups},
	{"Orgs", testOrderOrgs},
	{"DefaultPageSize", testDefaultPageSize},
}

// orderIDs are ten valid IDs whose byte order differs from their order in
// a case-, punctuation- or number-aware collation: "ordered by ID" means
// ordered as Go compares strings.
var orderIDs = []string{"b", "a_1", "a1", "a-1", "B", "A", "_x", "9", "10", "-y"}

// shuffled returns orderIDs in a random order, to insert them in.
func shuffled() []string {
	s := slices.Clone(orderIDs)
	rand.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

// checkListing checks a listing method over the ten orderIDs: order,
// pages of three walked by cursor, limits, and cursors that name no item.
func checkListing(t *testing.T, s contacts.Store, what string, list func(tx contacts.ReadTx, p contacts.Page) ([]string, error)) {
	t.Helper()
	want := slices.Sorted(slices.Values(orderIDs))
	view(t, s, func(tx contacts.ReadTx) error {
		got, err := list(tx, contacts.Page{})
		if err != nil {
			t.Fatalf("%s(first page): %v", what, err)
		}
		diff(t, what+" ordered by ID", want, got)

		var walked []string
		after := ""
		for pages := 0; ; pages++ {
			if pages > len(want) {
				t.Fatalf("%s: walking pages of 3 does not end; so far %v", what, walked)
			}
			page, err := list(tx, contacts.Page{After: after, Limit: 3})
			if err != nil {
				t.Fatalf("%s(after %q, limit 3): %v", what, after, err)
			}
			if len(page) > 3 {
				t.Errorf("%s(after %q, limit 3) = %d items", what, after, len(page))
			}
			if len(page) == 0 {
				break
			}
			walked = append(walked, page...)
			after = page[len(page)-1]
		}
		diff(t, what+" walked in pages of 3", want, walked)

		for _, c := range []struct {
			page contacts.Page
			want []string
		}{
			{contacts.Page{Limit: 1}, want[:1]},
			{contacts.Page{Limit: 10}, want},
			{contacts.Page{Limit: contacts.MaxPageSize}, want},
			{contacts.Page{After: want[3], Limit: 2}, want[4:6]},
			// Cursors that name no stored item: "a0" sorts between
			// "a-1" and "a1".
			{contacts.Page{After: "a0"}, want[slices.Index(want, "a1"):]},
			{contacts.Page{After: " "}, want},
			{contacts.Page{After: "z"}, nil},
			{contacts.Page{After: want[len(want)-1]}, nil},
		} {
			got, err := list(tx, c.page)
			if err != nil {
				t.Errorf("%s(%+v): %v", what, c.page, err)
				continue
			}
			diff(t, fmt.Sprintf("%s(%+v)", what, c.page), c.want, got)
		}
		if got, err := list(tx, contacts.Page{Limit: contacts.MaxPageSize + 1}); err == nil {
			t.Errorf("%s(limit MaxPageSize+1) = %v, want an error", what, got)
		}
		return nil
	})
}

func testOrderContacts(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"), contact("acme-eu", "0", "zed@example.com"))
	var items []any
	for i, id := range shuffled() {
		items = append(items, contact("acme", id, fmt.Sprintf("user%d@example.com", i)))
	}
	insert(t, s, items...)
	checkListing(t, s, "Contacts", func(tx contacts.ReadTx, p contacts.Page) ([]string, error) {
		l, err := tx.Contacts("acme", p)
		return ids(l), err
	})
}

func testOrderGroups(t *testing.T, s contacts.Store) {
	insert(t, s, org("acme"), org("acme-eu"), group("acme-eu", "0"))
	var items []any
	for _, id := range shuffled() {
		items = append(items, group("acme", id))
	}
	insert(t, s, items...)
	checkListing(t, s, "Groups", func(tx contacts.ReadTx, p contacts.Page) ([]string, error) {
		l, err := tx.Groups("acme", p)
		return ids(l), err
	})
}

func testOrderOrgs(t *testing.T, s contacts.Store) {
	var items []any
	for _, id := range shuffled() {
		items = append(items, org(id))
	}
	insert(t, s, items...)
	checkListing(t, s, "Orgs", func(tx contacts.ReadTx, p contacts.Page) ([]string, error) {
		l, err := tx.Orgs(p)
		return ids(l), err
	})
}

// testDefaultPageSize: a Limit of 0 means DefaultPageSize.
func testDefaultPageSize(t *testing.T, s contacts.Store) {
	n := contacts.DefaultPageSize + 5
	items := []any{org("acme")}
	for i := range n {
		items = append(items, contact("acme", fmt.Sprintf("c%03d", i), fmt.Sprintf("user%d@example.com", i)), group("acme", fmt.Sprintf("g%03d", i)))
	}
	insert(t, s, items...)
	view(t, s, func(tx contacts.ReadTx) error {
		cs, err := tx.Contacts("acme", contacts.Page{})
		if err != nil || len(cs) != contacts.DefaultPageSize {
			t.Fatalf("Contacts(limit 0) = %d contacts, %v; want %d", len(cs), err, contacts.DefaultPageSize)
		}
		gs, err := tx.Groups("acme", contacts.Page{})
		if err != nil || len(gs) != contacts.DefaultPageSize {
			t.Errorf("Groups(limit 0) = %d groups, %v; want %d", len(gs), err, contacts.DefaultPageSize)
		}
		rest, err := tx.Contacts("acme", contacts.Page{After: cs[len(cs)-1].ID})
		if err != nil || len(rest) != n-contacts.DefaultPageSize {
			t.Errorf("Contacts(second page) = %d contacts, %v; want %d", len(rest), err, n-contacts.DefaultPageSize)
		}
		return nil
	})
}
