package main

import (
	"context"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// openPortal opens a durable store in dir and a portal over it.
func openPortal(t *testing.T, dir string) (*portal, *memstore.Store) {
	t.Helper()
	store, err := memstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPortal(store, options{})
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	return p, store
}

func TestSeed_contents(t *testing.T) {
	ctx := context.Background()
	p, store := openPortal(t, t.TempDir())
	defer store.Close()
	if wrote, err := seed(ctx, p.direct, demoData); err != nil || !wrote {
		t.Fatalf("seed: wrote %v, err %v; want a first seed", wrote, err)
	}
	total := 0
	for _, o := range demoData {
		v := seedActor(o.ID)
		list, _, err := p.direct.Contacts(ctx, v, o.ID, contacts.Page{Limit: contacts.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(o.People) {
			t.Errorf("%s: %d contacts, want %d", o.ID, len(list), len(o.People))
		}
		total += len(list)
		withdrawn := 0
		for _, c := range list {
			for _, cs := range c.Consent {
				if !cs.Granted {
					withdrawn++
				}
			}
		}
		if withdrawn == 0 {
			t.Errorf("%s: no consent is withdrawn", o.ID)
		}
		for slot, names := range o.Slots {
			sh, err := p.direct.SlotHolders(ctx, v, o.ID, slot)
			if err != nil {
				t.Fatal(err)
			}
			if len(sh.Holders) != len(names) {
				t.Errorf("%s slot %s: %d holders, want %d", o.ID, slot, len(sh.Holders), len(names))
			}
		}
	}
	if total < 25 {
		t.Errorf("%d contacts in all, want about 30", total)
	}
	// Every demo member can sign in: its contact exists with the role the
	// banner promises.
	for _, u := range demoUsers {
		if u.Vendor != "" {
			continue
		}
		c, err := p.service(u.Org).ContactByEmail(ctx, seedActor(u.Org), u.Org, u.Email)
		if err != nil {
			t.Errorf("%s: %v", u.Login, err)
			continue
		}
		if !c.HasRole(u.Role) {
			t.Errorf("%s: roles %v, want %s", u.Login, c.Roles, u.Role)
		}
	}
	if p.service("acme").Policy().Config().ChangeMode != policy.Review || p.service("globex").Policy().Config().ChangeMode != policy.Direct {
		t.Error("acme should review change sets and globex apply them at once")
	}
}

// A restart keeps the data: the second start seeds nothing and sees the
// change made before it.
func TestSeed_restartKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p, store := openPortal(t, dir)
	if _, err := seed(ctx, p.direct, demoData); err != nil {
		t.Fatal(err)
	}
	v := seedActor("globex")
	nina, err := p.direct.ContactByEmail(ctx, v, "globex", "nina.novak@globex.example")
	if err != nil {
		t.Fatal(err)
	}
	title := "Head of Customer Success"
	if _, err := p.direct.UpdateContact(ctx, v, "globex", nina.ID, nina.Version, contacts.ContactPatch{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	p, store = openPortal(t, dir)
	defer store.Close()
	wrote, err := seed(ctx, p.direct, demoData)
	if err != nil || wrote {
		t.Fatalf("second seed: wrote %v, err %v; want nothing written", wrote, err)
	}
	got, err := p.direct.Contact(ctx, v, "globex", nina.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != title {
		t.Errorf("after a restart the title is %q, want %q", got.Title, title)
	}
}
