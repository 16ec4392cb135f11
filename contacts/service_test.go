package contacts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
)

var vendor = contacts.Actor{Vendor: "test"}

// fixture is one org with a contact per default role.
type fixture struct {
	svc                          *contacts.Service
	store                        contacts.Store
	org                          string
	owner, admin, business, norm contacts.Contact
}

func (f *fixture) as(c contacts.Contact) contacts.Actor {
	return contacts.Actor{Org: c.Org, Contact: c.ID, RequestID: "req-" + c.Name}
}

func (f *fixture) vendor() contacts.Actor { return contacts.Actor{Org: f.org, Vendor: "test"} }

// reload returns the current state of c.
func (f *fixture) reload(t *testing.T, c contacts.Contact) contacts.Contact {
	t.Helper()
	got, err := f.svc.Contact(context.Background(), f.vendor(), c.Org, c.ID)
	if err != nil {
		t.Fatalf("reload %s: %v", c.Name, err)
	}
	return got
}

func newService(t testing.TB) *contacts.Service {
	t.Helper()
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	return contacts.New(store, pol)
}

func newFixture(t testing.TB, org string) *fixture {
	t.Helper()
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	f := &fixture{svc: contacts.New(store, pol), store: store, org: org}
	f.add(t, org, nil)
	return f
}

// add creates org in f's service with one contact per role.
func (f *fixture) add(t testing.TB, org string, into *fixture) {
	t.Helper()
	ctx := context.Background()
	if into == nil {
		into = f
	}
	_, owner, err := f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: org, Name: org + " Inc",
		Owner: contacts.NewContact{Name: "Olga", Email: "olga@" + org + ".example"}})
	if err != nil {
		t.Fatal(err)
	}
	into.owner = owner
	mk := func(name, role string) contacts.Contact {
		c, err := f.svc.CreateContact(ctx, f.asOf(owner), org, contacts.NewContact{Name: name, Email: strings.ToLower(name) + "@" + org + ".example"})
		if err != nil {
			t.Fatal(err)
		}
		c, err = f.svc.GrantRole(ctx, f.asOf(owner), org, c.ID, c.Version, role)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	into.admin, into.business, into.norm = mk("Alice", "admin"), mk("Bob", "business"), mk("Nina", "normal")
}

func (f *fixture) asOf(c contacts.Contact) contacts.Actor {
	return contacts.Actor{Org: c.Org, Contact: c.ID}
}

// snapshot is every contact of org plus the audit head, to prove that a
// failed operation changed nothing.
func (f *fixture) snapshot(t *testing.T, org string) string {
	t.Helper()
	var b strings.Builder
	err := f.store.View(context.Background(), func(tx contacts.ReadTx) error {
		list, err := tx.Contacts(org, contacts.Page{Limit: contacts.MaxPageSize})
		if err != nil {
			return err
		}
		head, err := tx.AuditHead(org)
		if err != nil {
			return err
		}
		return json.NewEncoder(&b).Encode(map[string]any{"contacts": list, "head": head})
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestService_CreateOrg(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	org, owner, err := svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "acme", Name: "Acme",
		Owner: contacts.NewContact{Name: "Olga", Email: "Olga@Example.COM"}})
	if err != nil {
		t.Fatal(err)
	}
	if org.ID != "acme" || org.Version != 1 {
		t.Errorf("org = %+v", org)
	}
	if want := []string{"owner"}; !cmp.Equal(owner.Roles, want) || owner.Email != "Olga@example.com" || owner.Language != "en" {
		t.Errorf("owner = %+v; want roles %v, domain lower-cased, default language", owner, want)
	}

	t.Run("only the vendor", func(t *testing.T) {
		_, _, err := svc.CreateOrg(ctx, contacts.Actor{Org: "acme", Contact: owner.ID}, contacts.NewOrg{Name: "X",
			Owner: contacts.NewContact{Name: "X", Email: "x@example.com"}})
		if fe, ok := errors.AsType[*contacts.ForbiddenError](err); !ok || fe.Rule != contacts.RuleVendorOnly {
			t.Errorf("member creating an org: %v, want vendor-only denial", err)
		}
	})
	t.Run("duplicate id", func(t *testing.T) {
		_, _, err := svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "acme", Name: "Again",
			Owner: contacts.NewContact{Name: "X", Email: "x@example.com"}})
		if !errors.Is(err, contacts.ErrConflict) {
			t.Errorf("err = %v, want conflict", err)
		}
	})
	t.Run("every bad field named", func(t *testing.T) {
		_, _, err := svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "no spaces", Name: " ", Parent: "ghost",
			AllowedEmailDomains: []string{"localhost"},
			Owner:               contacts.NewContact{Name: "X", Email: "x@example.com"}})
		ie, ok := errors.AsType[*contacts.InvalidError](err)
		if !ok {
			t.Fatalf("err = %v, want InvalidError", err)
		}
		var paths []string
		for _, f := range ie.Fields {
			paths = append(paths, f.Path)
		}
		if want := []string{"/name", "/id", "/allowed_email_domains/0"}; !cmp.Equal(paths, want) {
			t.Errorf("paths = %v, want %v", paths, want)
		}
	})
	t.Run("owner fields are prefixed", func(t *testing.T) {
		_, _, err := svc.CreateOrg(ctx, vendor, contacts.NewOrg{Name: "Y", Owner: contacts.NewContact{Name: "Y", Email: "Y <y@example.com>"}})
		ie, ok := errors.AsType[*contacts.InvalidError](err)
		if !ok || ie.Fields[0].Path != "/owner/email" {
			t.Errorf("err = %v, want /owner/email named", err)
		}
	})
	t.Run("child inherits allowed domains", func(t *testing.T) {
		_, _, err := svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "parent", Name: "P", AllowedEmailDomains: []string{"p.example"},
			Owner: contacts.NewContact{Name: "P", Email: "p@p.example"}})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "child", Name: "C", Parent: "parent",
			Owner: contacts.NewContact{Name: "C", Email: "c@elsewhere.example"}})
		if ie, ok := errors.AsType[*contacts.InvalidError](err); !ok || ie.Fields[0].Path != "/owner/email" {
			t.Errorf("err = %v, want the parent's domain rule on /owner/email", err)
		}
		if _, _, err = svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "child", Name: "C", Parent: "parent",
			Owner: contacts.NewContact{Name: "C", Email: "c@sub.p.example"}}); err != nil {
			t.Errorf("subdomain of the parent's domain: %v", err)
		}
	})
}

func TestService_CreateContact_invalid(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	tests := []struct {
		name  string
		in    contacts.NewContact
		paths []string
	}{
		{"empty", contacts.NewContact{}, []string{"/name", "/email"}},
		{"display name", contacts.NewContact{Name: "A", Email: "A <a@example.com>"}, []string{"/email"}},
		{"quoted local part", contacts.NewContact{Name: "A", Email: `"a b"@example.com`}, []string{"/email"}},
		{"underscore language", contacts.NewContact{Name: "A", Email: "a@example.com", Language: "en_US"}, []string{"/language"}},
		{"unsupported language", contacts.NewContact{Name: "A", Email: "a@example.com", Language: "it"}, []string{"/language"}},
		{"und", contacts.NewContact{Name: "A", Email: "a@example.com", Language: "und"}, []string{"/language"}},
		{"national phone without region", contacts.NewContact{Name: "A", Email: "a@example.com", Phone: "030 1234567"}, []string{"/phone"}},
		{"bad kind and availability", contacts.NewContact{Name: "A", Email: "a@example.com", Kind: "vip", Availability: "away"}, []string{"/kind", "/availability"}},
		{"line break in name", contacts.NewContact{Name: "A\r\nB", Email: "a@example.com"}, []string{"/name"}},
		{"long title", contacts.NewContact{Name: "A", Email: "a@example.com", Title: strings.Repeat("t", 201)}, []string{"/title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot(t, "acme")
			_, err := f.svc.CreateContact(ctx, f.as(f.admin), "acme", tt.in)
			ie, ok := errors.AsType[*contacts.InvalidError](err)
			if !ok || !errors.Is(err, contacts.ErrInvalid) {
				t.Fatalf("err = %v, want InvalidError", err)
			}
			var paths []string
			for _, fe := range ie.Fields {
				paths = append(paths, fe.Path)
			}
			if diff := cmp.Diff(tt.paths, paths); diff != "" {
				t.Errorf("field paths (-want +got):\n%s", diff)
			}
			if after := f.snapshot(t, "acme"); after != before {
				t.Error("a refused create changed the store")
			}
		})
	}
}

func TestService_CreateContact_normalises(t *testing.T) {
	f := newFixture(t, "acme")
	c, err := f.svc.CreateContact(context.Background(), f.as(f.admin), "acme", contacts.NewContact{
		Name: "  Jörg  ", Email: "joerg@BÜCHER.de", Language: "pt-br", Phone: "030 1234567", PhoneRegion: "de", Kind: contacts.Client})
	if err != nil {
		t.Fatal(err)
	}
	want := contacts.Contact{Name: "Jörg", Email: "joerg@xn--bcher-kva.de", Language: "pt-BR", Phone: "+49301234567", Kind: contacts.Client,
		Verification: contacts.Unverified, Status: contacts.Active, Version: 1}
	got := c
	got.Org, got.ID, got.Created, got.Updated = "", "", time.Time{}, time.Time{}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created contact (-want +got):\n%s", diff)
	}
}

func TestService_emailUniqueness(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	for _, email := range []string{"ALICE@acme.example", "alice@ACME.EXAMPLE"} {
		_, err := f.svc.CreateContact(ctx, f.as(f.admin), "acme", contacts.NewContact{Name: "Dup", Email: email})
		if !errors.Is(err, contacts.ErrConflict) {
			t.Errorf("create %s: err = %v, want conflict with Alice", email, err)
		}
	}
	// Changing the case of one's own address is not a conflict.
	n := f.reload(t, f.norm)
	email := "NINA@acme.example"
	if _, err := f.svc.UpdateContact(ctx, f.as(f.norm), "acme", n.ID, n.Version, contacts.ContactPatch{Email: &email}); err != nil {
		t.Errorf("own case change: %v", err)
	}
	// Another org may use the same address.
	f.add(t, "globex", &fixture{})
	_, err := f.svc.CreateContact(ctx, f.vendorOf("globex"), "globex", contacts.NewContact{Name: "Alice", Email: "alice@acme.example"})
	if err != nil {
		t.Errorf("same address in another org: %v", err)
	}
}

func (f *fixture) vendorOf(org string) contacts.Actor {
	return contacts.Actor{Org: org, Vendor: "test"}
}

func TestService_isolation(t *testing.T) {
	f := newFixture(t, "acme")
	g := &fixture{}
	f.add(t, "globex", g)
	ctx := context.Background()
	before := f.snapshot(t, "acme")

	// A globex owner, with acme's real IDs, sees exactly what a missing ID
	// shows.
	intruder := f.asOf(g.owner)
	for _, tt := range []struct {
		name string
		call func(org, id string) error
	}{
		{"read", func(org, id string) error { _, err := f.svc.Contact(ctx, intruder, org, id); return err }},
		{"update", func(org, id string) error {
			name := "pwned"
			_, err := f.svc.UpdateContact(ctx, intruder, org, id, 1, contacts.ContactPatch{Name: &name})
			return err
		}},
		{"grant", func(org, id string) error { _, err := f.svc.GrantRole(ctx, intruder, org, id, 1, "owner"); return err }},
		{"delete", func(org, id string) error { return f.svc.DeleteContact(ctx, intruder, org, id, 1) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			real := tt.call("acme", f.admin.ID)
			missing := tt.call("acme", "no-such-contact")
			if !errors.Is(real, contacts.ErrNotFound) || !errors.Is(missing, contacts.ErrNotFound) {
				t.Fatalf("real ID: %v; missing ID: %v; want both not found", real, missing)
			}
			if got, want := strings.ReplaceAll(real.Error(), f.admin.ID, "ID"), strings.ReplaceAll(missing.Error(), "no-such-contact", "ID"); got != want {
				t.Errorf("errors differ:\n%s\n%s", got, want)
			}
		})
	}
	if after := f.snapshot(t, "acme"); after != before {
		t.Error("cross-org attempts changed acme (even its audit trail)")
	}
}

func TestService_roles(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		actor  func(f *fixture) contacts.Contact
		target func(f *fixture) contacts.Contact
		grant  bool
		role   string
		rule   policy.Rule // empty: allowed
	}{
		{"admin grants admin to normal", func(f *fixture) contacts.Contact { return f.admin }, func(f *fixture) contacts.Contact { return f.norm }, true, "admin", ""},
		{"admin grants owner", func(f *fixture) contacts.Contact { return f.admin }, func(f *fixture) contacts.Contact { return f.norm }, true, "owner", policy.RuleOwnerOnly},
		{"admin demotes owner", func(f *fixture) contacts.Contact { return f.admin }, func(f *fixture) contacts.Contact { return f.owner }, false, "owner", policy.RuleOwnerOnly},
		{"admin edits owner's roles", func(f *fixture) contacts.Contact { return f.admin }, func(f *fixture) contacts.Contact { return f.owner }, true, "business", policy.RuleOutrank},
		{"business grants", func(f *fixture) contacts.Contact { return f.business }, func(f *fixture) contacts.Contact { return f.norm }, true, "normal", policy.RuleNoPermission},
		{"normal raises itself", func(f *fixture) contacts.Contact { return f.norm }, func(f *fixture) contacts.Contact { return f.norm }, true, "admin", policy.RuleSelfRaise},
		{"only owner demotes itself", func(f *fixture) contacts.Contact { return f.owner }, func(f *fixture) contacts.Contact { return f.owner }, false, "owner", policy.RuleLastOwner},
		{"owner grants owner", func(f *fixture) contacts.Contact { return f.owner }, func(f *fixture) contacts.Contact { return f.business }, true, "owner", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "acme")
			actor, target := tt.actor(f), f.reload(t, tt.target(f))
			change := f.svc.RevokeRole
			if tt.grant {
				change = f.svc.GrantRole
			}
			got, err := change(ctx, f.as(actor), "acme", target.ID, target.Version, tt.role)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("err = %v, want allowed", err)
				}
				if got.HasRole(tt.role) != tt.grant || got.Version != target.Version+1 {
					t.Errorf("after change: roles %v version %d", got.Roles, got.Version)
				}
				return
			}
			fe, ok := errors.AsType[*contacts.ForbiddenError](err)
			if !ok || fe.Rule != tt.rule || !errors.Is(err, contacts.ErrForbidden) {
				t.Fatalf("err = %v, want denial by %s", err, tt.rule)
			}
			// The denial itself is recorded, and nothing else changed.
			events, err := f.svc.AuditEvents(ctx, f.as(f.owner), "acme", 0, contacts.MaxPageSize)
			if err != nil {
				t.Fatal(err)
			}
			last := events[len(events)-1]
			if last.Action != "denied" || !strings.Contains(string(last.After), string(tt.rule)) {
				t.Errorf("last audit event = %s %s, want the denial", last.Action, last.After)
			}
			if f.reload(t, target).Version != target.Version {
				t.Error("a denied change bumped the version")
			}
		})
	}
}

func TestService_lastOwner(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	owner := f.reload(t, f.owner)
	err := f.svc.DeleteContact(ctx, f.as(owner), "acme", owner.ID, owner.Version)
	if fe, ok := errors.AsType[*contacts.ForbiddenError](err); !ok || fe.Rule != policy.RuleLastOwner {
		t.Fatalf("deleting the last owner: %v", err)
	}
	// With a second owner, the first may leave.
	b := f.reload(t, f.business)
	if _, err := f.svc.GrantRole(ctx, f.as(owner), "acme", b.ID, b.Version, "owner"); err != nil {
		t.Fatal(err)
	}
	owner = f.reload(t, owner)
	if err := f.svc.DeleteContact(ctx, f.as(owner), "acme", owner.ID, owner.Version); err != nil {
		t.Fatalf("deleting one of two owners: %v", err)
	}
}

func TestService_TransferOwnership(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	admin := f.reload(t, f.admin)

	if _, _, err := f.svc.TransferOwnership(ctx, f.as(admin), "acme", f.norm.ID, f.reload(t, f.norm).Version); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("admin transferring: %v, want forbidden", err)
	}
	if _, _, err := f.svc.TransferOwnership(ctx, f.as(f.owner), "acme", admin.ID, admin.Version-1); !errors.Is(err, contacts.ErrConflict) {
		t.Errorf("stale version: %v, want conflict", err)
	}
	from, to, err := f.svc.TransferOwnership(ctx, f.as(f.owner), "acme", admin.ID, admin.Version)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(from.Roles, []string{"admin"}) || !cmp.Equal(to.Roles, []string{"admin", "owner"}) {
		t.Errorf("after transfer: from %v, to %v", from.Roles, to.Roles)
	}
	events, _ := f.svc.AuditEvents(ctx, f.as(to), "acme", 0, contacts.MaxPageSize)
	last := events[len(events)-1]
	if last.Action != "ownership.transfer" || string(last.Before) != fmt.Sprintf(`{"owner":%q}`, f.owner.ID) || string(last.After) != fmt.Sprintf(`{"owner":%q}`, admin.ID) {
		t.Errorf("audit = %s %s -> %s", last.Action, last.Before, last.After)
	}
}

// TestService_transferReaders checks B4: readers running during many
// transfers never see an org with no owner, or with both owners.
func TestService_transferReaders(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	a, b := f.owner, f.reload(t, f.admin)
	done := make(chan struct{})
	var wg sync.WaitGroup
	var bad error
	var once sync.Once
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				err := f.store.View(ctx, func(tx contacts.ReadTx) error {
					owners, err := tx.ContactsWithRole("acme", "owner")
					if err == nil && len(owners) != 1 {
						return fmt.Errorf("a reader saw %d owners", len(owners))
					}
					return err
				})
				if err != nil {
					once.Do(func() { bad = err })
					return
				}
			}
		})
	}
	for range 200 {
		b = f.reload(t, b)
		if _, _, err := f.svc.TransferOwnership(ctx, f.as(a), "acme", b.ID, b.Version); err != nil {
			t.Fatal(err)
		}
		a, b = b, a
	}
	close(done)
	wg.Wait()
	if bad != nil {
		t.Fatal(bad)
	}
}

// TestService_concurrentUpdates checks C1: of writers naming the same
// version, exactly one wins and the others get a conflict.
func TestService_concurrentUpdates(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	n := f.reload(t, f.norm)
	const writers = 8
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			title := fmt.Sprintf("title %d", i)
			_, err := f.svc.UpdateContact(ctx, f.as(f.admin), "acme", n.ID, n.Version, contacts.ContactPatch{Title: &title})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	won, lost := 0, 0
	for err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, contacts.ErrConflict):
			lost++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 || lost != writers-1 {
		t.Errorf("%d won and %d conflicted; want 1 and %d", won, lost, writers-1)
	}
	if got := f.reload(t, n).Version; got != n.Version+1 {
		t.Errorf("version = %d, want %d", got, n.Version+1)
	}
}

func TestService_selfService(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	n := f.reload(t, f.norm)
	title := "Buyer"
	if _, err := f.svc.UpdateContact(ctx, f.as(n), "acme", n.ID, n.Version, contacts.ContactPatch{Title: &title}); err != nil {
		t.Errorf("normal editing itself: %v", err)
	}
	b := f.reload(t, f.business)
	if _, err := f.svc.UpdateContact(ctx, f.as(n), "acme", b.ID, b.Version, contacts.ContactPatch{Title: &title}); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("normal editing another: %v, want forbidden", err)
	}
}

func TestService_groups(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	admin := f.as(f.admin)
	g, err := f.svc.CreateGroup(ctx, admin, "acme", contacts.NewGroup{Name: "Support", Kind: contacts.Team})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateGroup(ctx, admin, "acme", contacts.NewGroup{Name: "X", Kind: "gang"}); !errors.Is(err, contacts.ErrInvalid) {
		t.Errorf("bad kind: %v", err)
	}
	for _, c := range []contacts.Contact{f.norm, f.business, f.norm} {
		if _, err := f.svc.AddToGroup(ctx, admin, "acme", g.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	members, err := f.svc.GroupMembers(ctx, f.as(f.norm), "acme", g.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("members = %v, %v; want Bob and Nina once each", members, err)
	}
	if _, err := f.svc.AddToGroup(ctx, f.as(f.norm), "acme", g.ID, f.norm.ID); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("normal managing groups: %v", err)
	}
	if err := f.svc.DeleteGroup(ctx, admin, "acme", g.ID, g.Version); err != nil {
		t.Fatal(err)
	}
	if n := f.reload(t, f.norm); len(n.Groups) != 0 {
		t.Errorf("after deleting the group Nina still has groups %v", n.Groups)
	}
}

func TestService_pagination(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	for i := range 7 {
		if _, err := f.svc.CreateContact(ctx, f.as(f.admin), "acme", contacts.NewContact{Name: fmt.Sprint("P", i), Email: fmt.Sprintf("p%d@acme.example", i)}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	page := contacts.Page{Limit: 3}
	for {
		list, next, err := f.svc.Contacts(ctx, f.as(f.norm), "acme", page)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if seen[c.ID] {
				t.Errorf("%s returned twice", c.Name)
			}
			seen[c.ID] = true
		}
		if next == "" {
			break
		}
		page.After = next
	}
	if len(seen) != 11 {
		t.Errorf("walked %d contacts, want 11", len(seen))
	}
	if _, _, err := f.svc.Contacts(ctx, f.as(f.norm), "acme", contacts.Page{Limit: contacts.MaxPageSize + 1}); !errors.Is(err, contacts.ErrInvalid) {
		t.Errorf("oversized page: %v", err)
	}
}

func TestService_audit(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	var got []string
	unsubscribe := f.svc.Subscribe(func(e contacts.AuditEvent) { got = append(got, e.Action) })
	name := "Nina \"the\r\nboss\" \u2028 {}"
	n := f.reload(t, f.norm)
	// The name is refused (line breaks), so use a title with hostile text.
	if _, err := f.svc.UpdateContact(ctx, f.as(f.admin), "acme", n.ID, n.Version, contacts.ContactPatch{Name: &name}); !errors.Is(err, contacts.ErrInvalid) {
		t.Fatalf("hostile name: %v", err)
	}
	title := `"},{"action":"forged`
	if _, err := f.svc.UpdateContact(ctx, f.as(f.admin), "acme", n.ID, n.Version, contacts.ContactPatch{Title: &title}); err != nil {
		t.Fatal(err)
	}
	unsubscribe()
	if !cmp.Equal(got, []string{"contact.update"}) {
		t.Errorf("subscriber saw %v", got)
	}

	head, err := f.svc.VerifyAudit(ctx, f.as(f.owner), "acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.svc.ExportAudit(ctx, f.as(f.owner), "acme", &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if uint64(len(lines)) != head.Seq {
		t.Fatalf("export has %d lines, head is event %d", len(lines), head.Seq)
	}
	var events []contacts.AuditEvent
	for _, l := range lines {
		var e contacts.AuditEvent
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		events = append(events, e)
	}
	if err := contacts.VerifyChain("acme", events, &head); err != nil {
		t.Errorf("exported chain: %v", err)
	}
	if _, err := f.svc.AuditEvents(ctx, f.as(f.business), "acme", 0, 10); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("business reading the audit: %v", err)
	}
}

func TestService_ImportContacts(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	before := f.snapshot(t, "acme")
	_, err := f.svc.ImportContacts(ctx, f.as(f.admin), "acme", []contacts.NewContact{
		{Name: "Ok", Email: "ok@acme.example"},
		{Name: "", Email: "bad"},
		{Name: "Dup", Email: "OK@acme.example"},
		{Name: "Taken", Email: "alice@acme.example"},
	})
	ie, ok := errors.AsType[*contacts.InvalidError](err)
	if !ok {
		t.Fatalf("err = %v, want InvalidError", err)
	}
	var paths []string
	for _, fe := range ie.Fields {
		paths = append(paths, fe.Path)
	}
	if diff := cmp.Diff([]string{"/rows/1/name", "/rows/1/email", "/rows/2/email", "/rows/3/email"}, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	if f.snapshot(t, "acme") != before {
		t.Fatal("a refused import wrote something")
	}
	got, err := f.svc.ImportContacts(ctx, f.as(f.admin), "acme", []contacts.NewContact{
		{Name: "One", Email: "one@acme.example"}, {Name: "Two", Email: "two@acme.example"}})
	if err != nil || len(got) != 2 {
		t.Fatalf("import: %v, %d contacts", err, len(got))
	}
	if _, err := f.svc.ImportContacts(ctx, f.as(f.business), "acme", nil); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("business importing: %v", err)
	}
}

func TestNewID_monotonic(t *testing.T) {
	// Contacts created in one millisecond still list in creation order.
	f := newFixture(t, "acme")
	ctx := context.Background()
	var made []string
	for i := range 50 {
		c, err := f.svc.CreateContact(ctx, f.as(f.admin), "acme", contacts.NewContact{Name: "M", Email: fmt.Sprintf("m%d@acme.example", i)})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, c.ID)
	}
	if !slices.IsSorted(made) {
		t.Errorf("IDs made in sequence are not sorted: %v", made)
	}
}

func TestService_Orgs(t *testing.T) {
	f := newFixture(t, "acme")
	f.add(t, "globex", &fixture{})
	ctx := context.Background()
	list, next, err := f.svc.Orgs(ctx, vendor, contacts.Page{Limit: 1})
	if err != nil || len(list) != 1 || list[0].ID != "acme" || next != "acme" {
		t.Fatalf("first page: %v, %q, %v", list, next, err)
	}
	list, next, err = f.svc.Orgs(ctx, vendor, contacts.Page{After: next, Limit: 1})
	if err != nil || len(list) != 1 || list[0].ID != "globex" || next != "" {
		t.Fatalf("second page: %v, %q, %v", list, next, err)
	}
	if _, _, err := f.svc.Orgs(ctx, f.as(f.owner), contacts.Page{}); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("a member listing orgs: %v", err)
	}
}

func TestService_maxPage(t *testing.T) {
	// The largest page the Service accepts is one the store can serve.
	f := newFixture(t, "acme")
	list, next, err := f.svc.Contacts(context.Background(), f.as(f.admin), "acme", contacts.Page{Limit: contacts.MaxPageSize})
	if err != nil || len(list) != 4 || next != "" {
		t.Errorf("a page of MaxPageSize: %d contacts, next %q, %v", len(list), next, err)
	}
}

// TestService_DeleteOrg: only the vendor deletes, only a closed org
// without child orgs, at the version read; afterwards nothing of the org
// is left, other orgs are untouched, and subscribers hear of it once.
func TestService_DeleteOrg(t *testing.T) {
	f := newFixture(t, "acme")
	f.add(t, "globex", &fixture{})
	ctx := context.Background()
	var heard []contacts.AuditEvent
	f.svc.Subscribe(func(e contacts.AuditEvent) {
		if e.Action == "org.delete" {
			heard = append(heard, e)
		}
	})
	v := contacts.Actor{Org: "acme", Vendor: "test", RequestID: "req-del"}
	org := func() contacts.Org {
		t.Helper()
		o, err := f.svc.Org(ctx, v, "acme")
		if err != nil {
			t.Fatal(err)
		}
		return o
	}

	if err := f.svc.DeleteOrg(ctx, f.as(f.owner), "acme", org().Version); !isRule(err, contacts.RuleVendorOnly) {
		t.Errorf("the org's owner deleting it: %v, want forbidden (vendor only)", err)
	}
	if events, err := f.svc.AuditEvents(ctx, v, "acme", 0, contacts.MaxPageSize); err != nil || events[len(events)-1].Action != "denied" {
		t.Errorf("the refused delete was not recorded as a denial: %v", err)
	}
	if err := f.svc.DeleteOrg(ctx, contacts.Actor{Org: "globex", Vendor: "test"}, "acme", org().Version); !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("a vendor actor of another org: %v, want not found", err)
	}
	if err := f.svc.DeleteOrg(ctx, v, "acme", org().Version); !isRule(err, contacts.RuleAccountOpen) {
		t.Errorf("deleting an open org: %v, want forbidden by %s", err, contacts.RuleAccountOpen)
	}
	if _, _, err := f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "acme-eu", Name: "Acme EU", Parent: "acme",
		Owner: contacts.NewContact{Name: "Eve", Email: "eve@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	closed, err := f.svc.CloseOrg(ctx, f.as(f.owner), "acme", org().Version)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteOrg(ctx, v, "acme", closed.Version-1); !errors.Is(err, contacts.ErrConflict) || !strings.Contains(err.Error(), "stale") {
		t.Errorf("deleting at a stale version: %v, want a stale-version conflict", err)
	}
	if err := f.svc.DeleteOrg(ctx, v, "acme", closed.Version); !isRule(err, contacts.RuleHasChildOrgs) {
		t.Errorf("deleting a parent org: %v, want forbidden by %s", err, contacts.RuleHasChildOrgs)
	}
	if _, err := f.svc.Contact(ctx, v, "acme", f.admin.ID); err != nil {
		t.Fatalf("a refused delete removed something: %v", err)
	}
	if len(heard) != 0 {
		t.Fatalf("refused deletes published %d events", len(heard))
	}

	// Move the child away by deleting it (it must be closed too).
	euVendor := contacts.Actor{Org: "acme-eu", Vendor: "test"}
	eu, err := f.svc.Org(ctx, euVendor, "acme-eu")
	if err != nil {
		t.Fatal(err)
	}
	if eu, err = f.svc.CloseOrg(ctx, euVendor, "acme-eu", eu.Version); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteOrg(ctx, euVendor, "acme-eu", eu.Version); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteOrg(ctx, v, "acme", closed.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Org(ctx, v, "acme"); !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("the deleted org: %v, want not found", err)
	}
	if err := f.svc.DeleteOrg(ctx, v, "acme", closed.Version); !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("deleting it again: %v, want not found", err)
	}
	if list, _, err := f.svc.Orgs(ctx, vendor, contacts.Page{}); err != nil || len(list) != 1 || list[0].ID != "globex" {
		t.Errorf("orgs left: %v, %v; want globex alone", list, err)
	}
	if _, err := f.svc.VerifyAudit(ctx, contacts.Actor{Org: "globex", Vendor: "test"}, "globex", nil); err != nil {
		t.Errorf("globex's audit chain after deleting acme: %v", err)
	}
	if len(heard) != 2 || heard[1].Org != "acme" || heard[1].Seq != 0 || heard[1].RequestID != "req-del" || heard[1].Actor != v.String() {
		t.Errorf("org.delete events heard: %+v; want acme-eu's then acme's, Seq 0, with the request ID", heard)
	}
	// The ID is free again, and the new org starts a fresh chain.
	if _, _, err := f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "acme", Name: "Acme again",
		Owner: contacts.NewContact{Name: "Olga", Email: "olga@acme.example"}}); err != nil {
		t.Fatalf("creating acme again: %v", err)
	}
	if _, _, err := f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "initech", Name: "Initech",
		Owner: contacts.NewContact{Name: "Olga", Email: "olga@initech.example"}}); err != nil {
		t.Fatal(err)
	}
	fresh, err := f.svc.VerifyAudit(ctx, contacts.Actor{Org: "initech", Vendor: "test"}, "initech", nil)
	if err != nil {
		t.Fatal(err)
	}
	if head, err := f.svc.VerifyAudit(ctx, v, "acme", nil); err != nil || head.Seq != fresh.Seq {
		t.Errorf("the new acme's audit chain: %+v, %v; want as long as a fresh org's (%d events)", head, err, fresh.Seq)
	}
}

// isRule reports whether err is a denial by rule.
func isRule(err error, rule policy.Rule) bool {
	fe, ok := errors.AsType[*contacts.ForbiddenError](err)
	return ok && fe.Rule == rule
}
