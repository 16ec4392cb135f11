package contacts_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"pgregory.net/rapid"
)

func reviewConfig() policy.Config {
	cfg := policy.Default()
	cfg.ChangeMode = policy.Review
	return cfg
}

func TestChangeSet_direct(t *testing.T) {
	ctx := context.Background()
	f, box := newNotifyingFixture(t, policy.Default())
	n := f.reload(t, f.norm)
	title := "Buyer"
	edits := []contacts.Edit{
		{Kind: contacts.EditAddContact, New: &contacts.NewContact{Name: "Nova", Email: "nova@acme.example"}},
		{Kind: contacts.EditGrantRole, Contact: "new:0", Version: 1, Role: "business"},
		{Kind: contacts.EditFields, Contact: n.ID, Version: n.Version, Patch: &contacts.ContactPatch{Title: &title}},
		{Kind: contacts.EditGrantRole, Contact: n.ID, Version: n.Version, Role: "business"},
		{Kind: contacts.EditAssignSlot, Slot: "billing", Holders: []contacts.Holder{{Kind: contacts.HolderContact, ID: n.ID}}},
	}
	cs, err := f.svc.CreateChangeSet(ctx, f.as(f.admin), "acme", edits)
	if err != nil {
		t.Fatal(err)
	}
	if cs.State != contacts.Draft {
		t.Fatalf("state %s, want draft", cs.State)
	}
	if _, err := f.svc.SubmitChangeSet(ctx, f.as(f.owner), "acme", cs.ID, cs.Version); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("someone else submitting: %v", err)
	}
	cs, err = f.svc.SubmitChangeSet(ctx, f.as(f.admin), "acme", cs.ID, cs.Version)
	if err != nil {
		t.Fatal(err)
	}
	if cs.State != contacts.Applied || len(cs.CreatedContacts) != 1 {
		t.Fatalf("after submit in direct mode: %+v", cs)
	}
	n = f.reload(t, n)
	if n.Title != "Buyer" || !n.HasRole("business") {
		t.Errorf("Nina after the change set: %+v", n)
	}
	nova, err := f.svc.Contact(ctx, f.vendor(), "acme", cs.CreatedContacts[0])
	if err != nil || !nova.HasRole("business") {
		t.Errorf("Nova: %+v, %v", nova, err)
	}
	// The new contact got the welcome invitation.
	found := false
	for _, m := range box.msgs {
		found = found || m.Kind == contacts.InvitationMessage && m.To[0].Email == "nova@acme.example"
	}
	if !found {
		t.Error("no invitation went to the new contact")
	}
}

func TestChangeSet_invalidEditAppliesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "acme")
	before := f.snapshot(t, "acme")
	o := f.reload(t, f.owner)
	_, err := f.svc.CreateChangeSet(ctx, f.as(f.admin), "acme", []contacts.Edit{
		{Kind: contacts.EditAddContact, New: &contacts.NewContact{Name: "Ok", Email: "ok@acme.example"}},
		{Kind: contacts.EditRevokeRole, Contact: o.ID, Version: o.Version, Role: "owner"}, // admins cannot
	})
	fe, ok := errors.AsType[*contacts.ForbiddenError](err)
	if !ok || fe.Rule != policy.RuleOwnerOnly || !strings.Contains(fe.Action, "edits/1") {
		t.Fatalf("err = %v, want the owner-only rule on edit 1", err)
	}
	_, err = f.svc.CreateChangeSet(ctx, f.as(f.admin), "acme", []contacts.Edit{
		{Kind: contacts.EditAddContact, New: &contacts.NewContact{Name: "", Email: "bad"}},
	})
	if ie, ok := errors.AsType[*contacts.InvalidError](err); !ok || ie.Fields[0].Path != "/edits/0/name" {
		t.Fatalf("err = %v, want /edits/0/name", err)
	}
	// Denials are audited, nothing else changed.
	after := f.snapshot(t, "acme")
	if strings.Split(after, `"head"`)[0] != strings.Split(before, `"head"`)[0] {
		t.Error("a refused change set changed contacts")
	}
}

func TestChangeSet_review(t *testing.T) {
	ctx := context.Background()
	f, _ := newNotifyingFixture(t, reviewConfig())
	var handed []string
	_ = handed
	n := f.reload(t, f.norm)
	title := "Head of buying"
	cs, err := f.svc.CreateChangeSet(ctx, f.as(f.admin), "acme", []contacts.Edit{
		{Kind: contacts.EditFields, Contact: n.ID, Version: n.Version, Patch: &contacts.ContactPatch{Title: &title}},
		{Kind: contacts.EditGrantRole, Contact: n.ID, Version: n.Version, Role: "admin"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err = f.svc.SubmitChangeSet(ctx, f.as(f.admin), "acme", cs.ID, cs.Version)
	if err != nil || cs.State != contacts.Submitted {
		t.Fatalf("submit: %+v, %v", cs.State, err)
	}
	// Nothing applied yet; the pending view shows current and requested.
	if f.reload(t, n).Title != "" {
		t.Fatal("a submitted change set was applied before review")
	}
	v, err := f.svc.ChangeSetView(ctx, f.as(f.admin), "acme", cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Problem != nil || len(v.Contacts) != 1 {
		t.Fatalf("view = %+v", v)
	}
	var fields []string
	for _, d := range v.Contacts[0].Fields {
		fields = append(fields, d.Field)
	}
	if !slices.Equal(fields, []string{"title", "roles"}) {
		t.Errorf("diff fields = %v, want title and roles", fields)
	}
	if v.Contacts[0].Current.Title != "" || v.Contacts[0].Requested.Title != title {
		t.Errorf("current %q requested %q", v.Contacts[0].Current.Title, v.Contacts[0].Requested.Title)
	}

	// Members cannot approve; the vendor queries, the requester answers.
	if _, err := f.svc.ApproveChangeSet(ctx, f.as(f.owner), "acme", cs.ID, cs.Version, ""); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("owner approving: %v", err)
	}
	cs, err = f.svc.QueryChangeSet(ctx, f.vendor(), "acme", cs.ID, cs.Version, "Why admin?")
	if err != nil {
		t.Fatal(err)
	}
	cs, err = f.svc.AnswerChangeSet(ctx, f.as(f.admin), "acme", cs.ID, cs.Version, "She runs purchasing.")
	if err != nil || cs.State != contacts.Answered || len(cs.Comments) != 3 {
		t.Fatalf("answer: %+v, %v", cs, err)
	}

	// A5: the requester is demoted before approval; the approval is refused
	// with the rule, and the change set stays answered.
	a := f.reload(t, f.admin)
	if _, err := f.svc.RevokeRole(ctx, f.as(f.owner), "acme", a.ID, a.Version, "admin"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ApproveChangeSet(ctx, f.vendor(), "acme", cs.ID, cs.Version, "ok")
	if fe, ok := errors.AsType[*contacts.ForbiddenError](err); !ok || fe.Rule != policy.RuleNoPermission {
		t.Fatalf("approving after the demotion: %v", err)
	}
	if got, _ := f.svc.ChangeSet(ctx, f.vendor(), "acme", cs.ID); got.State != contacts.Answered {
		t.Errorf("state after the refused approval = %s", got.State)
	}
	// Restored, the approval applies everything at once.
	a = f.reload(t, a)
	if _, err := f.svc.GrantRole(ctx, f.as(f.owner), "acme", a.ID, a.Version, "admin"); err != nil {
		t.Fatal(err)
	}
	cs, err = f.svc.ApproveChangeSet(ctx, f.vendor(), "acme", cs.ID, cs.Version, "ok")
	if err != nil || cs.State != contacts.Applied {
		t.Fatalf("approve: %+v, %v", cs, err)
	}
	n = f.reload(t, n)
	if n.Title != title || !n.HasRole("admin") {
		t.Errorf("after approval: %+v", n)
	}
	if _, err := f.svc.CancelChangeSet(ctx, f.as(f.admin), "acme", cs.ID, cs.Version); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("cancelling an applied change set: %v", err)
	}
}

func TestChangeSet_hookAndCancel(t *testing.T) {
	ctx := context.Background()
	pol, _ := policy.New(reviewConfig())
	f := newFixture(t, "acme")
	svc := contacts.New(f.store, pol, contacts.WithChangeSetHook(func(_ context.Context, cs contacts.ChangeSet) (string, error) {
		return "TICKET-" + cs.ID[:4], nil
	}))
	n := f.reload(t, f.norm)
	title := "x"
	cs, err := svc.CreateChangeSet(ctx, f.as(f.admin), "acme", []contacts.Edit{{Kind: contacts.EditFields, Contact: n.ID, Version: n.Version, Patch: &contacts.ContactPatch{Title: &title}}})
	if err != nil {
		t.Fatal(err)
	}
	cs, err = svc.SubmitChangeSet(ctx, f.as(f.admin), "acme", cs.ID, cs.Version)
	if err != nil || !strings.HasPrefix(cs.Ticket, "TICKET-") {
		t.Fatalf("submit: %+v, %v", cs, err)
	}
	if _, err := svc.CancelChangeSet(ctx, f.as(f.owner), "acme", cs.ID, cs.Version); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("a non-requester cancelling: %v", err)
	}
	cs, err = svc.CancelChangeSet(ctx, f.as(f.admin), "acme", cs.ID, cs.Version)
	if err != nil || cs.State != contacts.Cancelled {
		t.Fatalf("cancel: %+v, %v", cs, err)
	}
}

// TestChangeSet_allOrNothing checks C4 with rapid: a change set with one bad
// edit at a random position, among good ones, applies none of them.
func TestChangeSet_allOrNothing(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		f := newFixture(t, "acme")
		n, b := f.reload(t, f.norm), f.reload(t, f.business)
		var edits []contacts.Edit
		good := rapid.IntRange(1, 6).Draw(rt, "good")
		for i := range good {
			switch rapid.IntRange(0, 2).Draw(rt, "kind") {
			case 0:
				edits = append(edits, contacts.Edit{Kind: contacts.EditAddContact,
					New: &contacts.NewContact{Name: fmt.Sprint("New ", i), Email: fmt.Sprintf("new%d@acme.example", i)}})
			case 1:
				title := rapid.StringMatching(`[A-Za-z ]{1,12}`).Draw(rt, "title")
				edits = append(edits, contacts.Edit{Kind: contacts.EditFields, Contact: n.ID, Version: n.Version,
					Patch: &contacts.ContactPatch{Title: &title}})
			default:
				role := rapid.SampledFrom([]string{"normal", "business"}).Draw(rt, "role") // below the actor: always allowed
				edits = append(edits, contacts.Edit{Kind: contacts.EditGrantRole, Contact: b.ID, Version: b.Version, Role: role})
			}
		}
		bad := []contacts.Edit{
			{Kind: contacts.EditAddContact, New: &contacts.NewContact{Name: "X", Email: "not an address"}},
			{Kind: contacts.EditFields, Contact: n.ID, Version: n.Version + 7, Patch: &contacts.ContactPatch{}},
			{Kind: contacts.EditGrantRole, Contact: b.ID, Version: b.Version, Role: "owner"},
			{Kind: contacts.EditRemoveContact, Contact: f.owner.ID, Version: 1},
			{Kind: contacts.EditAssignSlot, Slot: "billing", Holders: []contacts.Holder{{Kind: contacts.HolderContact, ID: "ghost"}}},
			{Kind: "teleport"},
		}[rapid.IntRange(0, 5).Draw(rt, "bad")]
		at := rapid.IntRange(0, len(edits)).Draw(rt, "at")
		edits = slices.Insert(edits, at, bad)

		before := f.snapshot(t, "acme")
		_, err := f.svc.CreateChangeSet(ctx, f.as(f.admin), "acme", edits)
		if err == nil {
			rt.Fatalf("a change set with a bad edit at %d was accepted", at)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("edits/%d", at)) {
			rt.Errorf("error %v does not name edit %d", err, at)
		}
		after := f.snapshot(t, "acme")
		if strings.Split(after, `"head"`)[0] != strings.Split(before, `"head"`)[0] {
			rt.Fatal("a refused change set changed contacts")
		}
	})
}
