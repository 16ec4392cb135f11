package contacts_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// outbox is a Notifier that keeps what it is given.
type outbox struct {
	mu   sync.Mutex
	msgs []contacts.Message
}

func (o *outbox) Notify(_ context.Context, m contacts.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	return nil
}

func (o *outbox) last(t *testing.T) contacts.Message {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.msgs) == 0 {
		t.Fatal("no message was sent")
	}
	return o.msgs[len(o.msgs)-1]
}

// secret pulls the token out of a message's link.
func (o *outbox) secret(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(o.last(t).Data["link"])
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// newNotifyingFixture is a fixture whose Service sends to an outbox.
func newNotifyingFixture(t testing.TB, cfg policy.Config) (*fixture, *outbox) {
	t.Helper()
	pol, err := policy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	box := &outbox{}
	f := &fixture{svc: contacts.New(store, pol, contacts.WithNotifier(box)), store: store, org: "acme"}
	f.add(t, "acme", nil)
	return f, box
}

func holders(cs ...contacts.Contact) []contacts.Holder {
	var out []contacts.Holder
	for _, c := range cs {
		out = append(out, contacts.Holder{Kind: contacts.HolderContact, ID: c.ID})
	}
	return out
}

func TestService_AssignSlot(t *testing.T) {
	ctx := context.Background()
	cfg := policy.Default()
	cfg.Slots[4].Groups = false // security_legal: people only
	f, box := newNotifyingFixture(t, cfg)
	admin := f.as(f.admin)

	sh, err := f.svc.AssignSlot(ctx, admin, "acme", "billing", 0, holders(f.business, f.norm))
	if err != nil {
		t.Fatal(err)
	}
	if sh.Version != 1 || len(sh.Holders) != 2 || sh.Holders[0].ID != f.business.ID {
		t.Errorf("after assigning: %+v", sh)
	}

	tests := []struct {
		name    string
		actor   contacts.Actor
		slot    string
		version int64
		holders []contacts.Holder
		want    error
		rule    policy.Rule
		path    string
	}{
		{name: "stale version", actor: admin, slot: "billing", version: 0, holders: holders(f.business), want: contacts.ErrConflict},
		{name: "unknown slot", actor: admin, slot: "lunch", version: 0, want: contacts.ErrInvalid, path: "/slot"},
		{name: "below min", actor: admin, slot: "billing", version: 1, holders: nil, want: contacts.ErrForbidden, rule: contacts.RuleSlotMinimum},
		{name: "above max", actor: admin, slot: "billing", version: 1, holders: holders(f.business, f.norm, f.admin, f.owner), want: contacts.ErrInvalid, path: "/holders"},
		{name: "twice", actor: admin, slot: "billing", version: 1, holders: holders(f.business, f.business), want: contacts.ErrInvalid, path: "/holders/1"},
		{name: "missing contact", actor: admin, slot: "billing", version: 1, holders: []contacts.Holder{{Kind: contacts.HolderContact, ID: "nobody"}}, want: contacts.ErrInvalid, path: "/holders/0/id"},
		{name: "group where people only", actor: admin, slot: "security_legal", version: 0, holders: []contacts.Holder{{Kind: contacts.HolderGroup, ID: "g"}}, want: contacts.ErrInvalid, path: "/holders/0/kind"},
		{name: "lapsed end date", actor: admin, slot: "finance", version: 0, holders: []contacts.Holder{{Kind: contacts.HolderContact, ID: f.norm.ID, Until: time.Now().Add(-time.Hour)}}, want: contacts.ErrInvalid, path: "/holders/0/until"},
		{name: "admin assigns owner", actor: admin, slot: "finance", version: 0, holders: holders(f.owner), want: contacts.ErrForbidden, rule: policy.RuleOutrank},
		{name: "business manages slots", actor: f.as(f.business), slot: "finance", version: 0, holders: holders(f.business), want: contacts.ErrForbidden, rule: policy.RuleNoPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot(t, "acme")
			_, err := f.svc.AssignSlot(ctx, tt.actor, "acme", tt.slot, tt.version, tt.holders)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if fe, ok := errors.AsType[*contacts.ForbiddenError](err); ok && fe.Rule != tt.rule {
				t.Errorf("rule = %s, want %s", fe.Rule, tt.rule)
			}
			if ie, ok := errors.AsType[*contacts.InvalidError](err); ok && ie.Fields[0].Path != tt.path {
				t.Errorf("path = %s, want %s", ie.Fields[0].Path, tt.path)
			}
			if tt.rule == "" && f.snapshot(t, "acme") != before {
				t.Error("a refused assignment changed the store")
			}
		})
	}

	// Replacing Nina tells her she no longer holds billing.
	if _, err := f.svc.AssignSlot(ctx, admin, "acme", "billing", 1, holders(f.business)); err != nil {
		t.Fatal(err)
	}
	m := box.last(t)
	if m.Kind != contacts.SlotRemoved || len(m.To) != 1 || m.To[0].Email != f.norm.Email || m.Data["slot"] != "billing" {
		t.Errorf("message = %+v, want slot_removed to Nina", m)
	}

	// Deleting the only holder of a required slot is refused (C5)...
	b := f.reload(t, f.business)
	if err := f.svc.DeleteContact(ctx, f.as(f.owner), "acme", b.ID, b.Version); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("deleting the only billing holder: %v, want forbidden", err)
	}
	// ...but with a second holder the deletion cascades out of the slot.
	if _, err := f.svc.AssignSlot(ctx, admin, "acme", "billing", 2, holders(f.business, f.norm)); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteContact(ctx, f.as(f.owner), "acme", b.ID, b.Version); err != nil {
		t.Fatal(err)
	}
	sh, err = f.svc.SlotHolders(ctx, admin, "acme", "billing")
	if err != nil || len(sh.Holders) != 1 || sh.Holders[0].ID != f.norm.ID {
		t.Errorf("after deleting Bob: %+v, %v", sh, err)
	}
}

func TestService_slotLapse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f := newFixture(t, "acme")
		deputy := holders(f.norm)
		deputy[0].Until = time.Now().Add(24 * time.Hour)
		if _, err := f.svc.AssignSlot(ctx, f.as(f.admin), "acme", "technical", 0, append(deputy, holders(f.business)...)); err != nil {
			t.Fatal(err)
		}
		names := func() []string {
			rs, err := f.svc.Recipients(ctx, "acme", "technical", "")
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rs {
				out = append(out, r.Name)
			}
			return out
		}
		if diff := cmp.Diff([]string{"Nina", "Bob"}, names()); diff != "" {
			t.Errorf("before the deputy lapses (-want +got):\n%s", diff)
		}
		time.Sleep(25 * time.Hour)
		if diff := cmp.Diff([]string{"Bob"}, names()); diff != "" {
			t.Errorf("after the deputy lapsed (-want +got):\n%s", diff)
		}
	})
}

func TestService_Recipients(t *testing.T) {
	ctx := context.Background()
	f, _ := newNotifyingFixture(t, policy.Default())
	admin := f.as(f.admin)
	g, err := f.svc.CreateGroup(ctx, admin, "acme", contacts.NewGroup{Name: "Finance team", Kind: contacts.Team})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []contacts.Contact{f.business, f.norm} {
		if _, err := f.svc.AddToGroup(ctx, admin, "acme", g.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Nina holds billing herself and through the group: listed once,
	// with both reasons.
	hs := append(holders(f.norm), contacts.Holder{Kind: contacts.HolderGroup, ID: g.ID})
	if _, err := f.svc.AssignSlot(ctx, admin, "acme", "billing", 0, hs); err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.ExplainRecipients(ctx, "acme", "billing", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Recipients) != 2 || rep.Recipients[0].Name != "Nina" || len(rep.Recipients[0].Reasons) != 2 || rep.Recipients[1].Name != "Bob" {
		t.Fatalf("billing recipients = %+v", rep.Recipients)
	}
	if rep.Recipients[0].Language != "en" || rep.Recipients[0].Email != f.norm.Email {
		t.Errorf("recipient lacks address or language: %+v", rep.Recipients[0])
	}

	// technical has no holder and falls back to primary, which has none
	// either; with a primary holder the fallback answers.
	if _, err := f.svc.AssignSlot(ctx, admin, "acme", "primary", 0, holders(f.admin)); err != nil {
		t.Fatal(err)
	}
	rep, err = f.svc.ExplainRecipients(ctx, "acme", "technical", "")
	if err != nil || !rep.Fallback || len(rep.Recipients) != 1 || rep.Recipients[0].Name != "Alice" {
		t.Errorf("technical via fallback = %+v, %v", rep, err)
	}

	// Consent: product_updates is default-on, but not in force before the
	// org confirms its contacts.
	if _, err := f.svc.AssignSlot(ctx, admin, "acme", "product_updates", 0, holders(f.norm, f.business)); err != nil {
		t.Fatal(err)
	}
	rep, _ = f.svc.ExplainRecipients(ctx, "acme", "product_updates", "")
	if len(rep.Recipients) != 0 || len(rep.Excluded) != 2 || !strings.Contains(rep.Excluded[0].Reason, "not confirmed") {
		t.Errorf("before confirmation = %+v", rep)
	}
	if _, err := f.svc.ConfirmReview(ctx, admin, "acme"); err != nil {
		t.Fatal(err)
	}
	rep, _ = f.svc.ExplainRecipients(ctx, "acme", "product_updates", "")
	if len(rep.Recipients) != 2 {
		t.Errorf("after confirmation = %+v", rep)
	}
	// Nina withdraws: she is excluded at once (D4), her history kept.
	if _, err := f.svc.SetConsent(ctx, f.as(f.norm), "acme", f.norm.ID, "product_updates", false, contacts.ChannelWidget); err != nil {
		t.Fatal(err)
	}
	rep, _ = f.svc.ExplainRecipients(ctx, "acme", "product_updates", "")
	if len(rep.Recipients) != 1 || rep.Recipients[0].Name != "Bob" || rep.Excluded[0].Name != "Nina" {
		t.Errorf("after withdrawal = %+v", rep)
	}
	// A bounce excludes too.
	if _, err := f.svc.ReportBounce(ctx, f.vendor(), "acme", f.business.Email); err != nil {
		t.Fatal(err)
	}
	if rs, _ := f.svc.Recipients(ctx, "acme", "product_updates", ""); len(rs) != 0 {
		t.Errorf("after Bob's bounce: %+v", rs)
	}

	if _, err := f.svc.Recipients(ctx, "acme", "nope", ""); !errors.Is(err, contacts.ErrInvalid) {
		t.Errorf("unknown slot: %v", err)
	}
	if _, err := f.svc.Recipients(ctx, "ghost", "billing", ""); !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("unknown org: %v", err)
	}
}

func TestService_Recipients_inherited(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "parent")
	if _, err := f.svc.AssignSlot(ctx, f.as(f.admin), "parent", "security_legal", 0, holders(f.norm)); err != nil {
		t.Fatal(err)
	}
	_, child, err := f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "child", Name: "Child", Parent: "parent",
		Owner: contacts.NewContact{Name: "Carl", Email: "carl@child.example"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.ExplainRecipients(ctx, "child", "security_legal", "")
	if err != nil || rep.Source != "parent" || len(rep.Recipients) != 1 || rep.Recipients[0].Reasons[0].InheritedFrom != "parent" {
		t.Fatalf("inherited = %+v, %v", rep, err)
	}
	// The child's own holder takes over.
	if _, err := f.svc.AssignSlot(ctx, contacts.Actor{Org: "child", Contact: child.ID}, "child", "security_legal", 0, holders(child)); err != nil {
		t.Fatal(err)
	}
	rep, _ = f.svc.ExplainRecipients(ctx, "child", "security_legal", "")
	if rep.Source != "child" || rep.Recipients[0].Name != "Carl" {
		t.Errorf("own holder = %+v", rep)
	}
}

func TestService_sensitiveChangesNotify(t *testing.T) {
	ctx := context.Background()
	f, box := newNotifyingFixture(t, policy.Default())
	n := f.reload(t, f.norm)
	email := "nina@elsewhere.example"
	if _, err := f.svc.UpdateContact(ctx, f.as(f.admin), "acme", n.ID, n.Version, contacts.ContactPatch{Email: &email}); err != nil {
		t.Fatal(err)
	}
	if m := box.last(t); m.Kind != contacts.AddressChanged || m.To[0].Email != f.norm.Email || m.OrgName != "acme Inc" {
		t.Errorf("after an address change: %+v, want a message to the old address", m)
	}
	a := f.reload(t, f.admin)
	if _, _, err := f.svc.TransferOwnership(ctx, f.as(f.owner), "acme", a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	if m := box.last(t); m.Kind != contacts.OwnerChanged || m.To[0].Email != f.owner.Email || m.Data["new_owner"] != "Alice" {
		t.Errorf("after a transfer: %+v, want a message to the previous owner", m)
	}
	// A test message reaches every current holder.
	if _, err := f.svc.AssignSlot(ctx, f.as(f.owner), "acme", "security_legal", 0, holders(f.business, f.norm)); err != nil {
		t.Fatal(err)
	}
	to, err := f.svc.SendTestMessage(ctx, f.as(f.owner), "acme", "security_legal")
	if err != nil || len(to) != 2 {
		t.Fatalf("test message to %v, %v", to, err)
	}
	if m := box.last(t); m.Kind != contacts.TestMessage || m.Data["slot_name"] != "Security and legal" {
		t.Errorf("test message = %+v", m)
	}
}

// TestService_SlotRecipients: the board's view of a slot's recipients is
// for members who manage slots, and the vendor; others are refused by the
// policy, and another org's slot is not found.
func TestService_SlotRecipients(t *testing.T) {
	f := newFixture(t, "acme")
	f.add(t, "globex", &fixture{})
	ctx := context.Background()
	if _, err := f.svc.AssignSlot(ctx, f.as(f.admin), "acme", "billing", 0, holders(f.business, f.norm)); err != nil {
		t.Fatal(err)
	}
	for _, a := range []contacts.Actor{f.as(f.owner), f.as(f.admin), f.vendor()} {
		rep, err := f.svc.SlotRecipients(ctx, a, "acme", "billing", "")
		if err != nil {
			t.Errorf("%s: %v", a, err)
			continue
		}
		want, err := f.svc.ExplainRecipients(ctx, "acme", "billing", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Recipients) != len(want.Recipients) || len(rep.Recipients) == 0 {
			t.Errorf("%s: %d recipients, want %d (ExplainRecipients), at least one", a, len(rep.Recipients), len(want.Recipients))
		}
	}
	if _, err := f.svc.SlotRecipients(ctx, f.as(f.norm), "acme", "primary", ""); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("a normal member: %v, want forbidden", err)
	}
	if _, err := f.svc.SlotRecipients(ctx, f.as(f.admin), "globex", "primary", ""); !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("an admin asking about another org: %v, want not found", err)
	}
	if _, err := f.svc.SlotRecipients(ctx, f.as(f.admin), "acme", "nosuch", ""); !errors.Is(err, contacts.ErrInvalid) {
		t.Errorf("an unknown slot: %v, want invalid", err)
	}
}

// TestService_SlotRecipients_inheritedWithheld: a child org's admin sees
// that a slot is inherited from the parent, but not the parent's people;
// the vendor sees them.
func TestService_SlotRecipients_inheritedWithheld(t *testing.T) {
	f := newFixture(t, "parent")
	ctx := context.Background()
	if _, err := f.svc.AssignSlot(ctx, f.as(f.admin), "parent", "billing", 0, holders(f.business)); err != nil {
		t.Fatal(err)
	}
	_, childOwner, err := f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "child", Name: "Child", Parent: "parent",
		Owner: contacts.NewContact{Name: "Cleo", Email: "cleo@child.example"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.SlotRecipients(ctx, f.as(childOwner), "child", "billing", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Source != "parent" || len(rep.Recipients) != 0 || len(rep.Excluded) != 0 || rep.Withheld != 1 {
		t.Errorf("the child's owner: source %q, %d recipients, %d excluded, %d withheld; want parent, 0, 0, 1 (%+v)",
			rep.Source, len(rep.Recipients), len(rep.Excluded), rep.Withheld, rep)
	}
	rep, err = f.svc.SlotRecipients(ctx, contacts.Actor{Org: "child", Vendor: "test"}, "child", "billing", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Recipients) != 1 || rep.Recipients[0].Contact != f.business.ID || rep.Withheld != 0 {
		t.Errorf("the vendor: %+v; want the parent's holder, nothing withheld", rep)
	}
}
