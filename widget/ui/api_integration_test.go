package ui

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget/api"
	"github.com/liaisonhq/liaison/widget/wire"
)

// The client against the real API handler over memstore: every route the
// components call, with the versions, keys and bodies they send. Only the
// transport differs from the browser's (it calls the handler in process).

// handlerTransport sends requests to an http.Handler in process.
type handlerTransport struct {
	h     http.Handler
	actor *contacts.Actor
}

type actorCtxKey struct{}

func (tr handlerTransport) RoundTrip(ctx context.Context, base string, r Request) (Response, error) {
	u := base + r.Path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	var body *bytes.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	} else {
		body = bytes.NewReader(nil)
	}
	req := httptest.NewRequestWithContext(context.WithValue(ctx, actorCtxKey{}, *tr.actor), r.Method, u, body)
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	tr.h.ServeHTTP(w, req)
	return Response{Status: w.Code, ETag: w.Header().Get("ETag"), ContentType: w.Header().Get("Content-Type"), Body: w.Body.Bytes()}, nil
}

type liveOrg struct {
	client            *Client
	actor             *contacts.Actor
	owner, admin, tom contacts.Contact
	svc               *contacts.Service
}

func newLiveOrg(t *testing.T, mode policy.ChangeMode) *liveOrg {
	t.Helper()
	cfg := policy.Default()
	cfg.ChangeMode = mode
	pol, err := policy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	svc := contacts.New(store, pol)
	ctx := context.Background()
	vendor := contacts.Actor{Org: "acme", Vendor: "setup"}
	_, owner, err := svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "acme", Name: "Acme",
		Owner: contacts.NewContact{Name: "Olga", Email: "olga@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name, role string) contacts.Contact {
		c, err := svc.CreateContact(ctx, vendor, "acme", contacts.NewContact{Name: name, Email: name + "@acme.example"})
		if err != nil {
			t.Fatal(err)
		}
		if c, err = svc.GrantRole(ctx, vendor, "acme", c.ID, c.Version, role); err != nil {
			t.Fatal(err)
		}
		return c
	}
	o := &liveOrg{owner: owner, admin: mk("alice", "admin"), tom: mk("tom", "normal"), svc: svc}
	o.actor = &contacts.Actor{Org: "acme", Contact: o.admin.ID}
	h := api.New(svc, api.Options{Prefix: "/liaison/api", Actor: func(r *http.Request) (contacts.Actor, error) {
		a, ok := r.Context().Value(actorCtxKey{}).(contacts.Actor)
		if !ok {
			return contacts.Actor{}, errors.New("no session")
		}
		return a, nil
	}})
	o.client = &Client{Base: "/liaison/api", Transport: handlerTransport{h: h, actor: o.actor}}
	return o
}

func TestClient_liveDirect(t *testing.T) {
	o := newLiveOrg(t, policy.Direct)
	ctx := context.Background()
	c := o.client

	me, err := c.Me(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	perms := newPerms(me)
	if !perms.Can(wire.ActionEditContact) || perms.Review() || perms.Self() != o.admin.ID {
		t.Fatalf("/me for the admin: %+v", me)
	}

	page, err := c.Directory(ctx, "acme", DirectoryQuery{Text: "TOM", Limit: 10})
	if err != nil || len(page.Contacts) != 1 || page.Contacts[0].ID != o.tom.ID {
		t.Fatalf("directory search: %+v, %v", page, err)
	}
	if !perms.CanEdit(page.Contacts[0]) {
		t.Error("the admin may not edit a normal contact, says CanEdit")
	}
	if _, err := c.Overview(ctx, "acme", o.tom.ID); err != nil {
		t.Errorf("overview: %v", err)
	}

	tom, err := c.Contact(ctx, "acme", o.tom.ID)
	if err != nil || tom.Version == 0 {
		t.Fatalf("contact: %+v, %v", tom, err)
	}
	f := formOf(tom.Value)
	f.Title = "Lead"
	p, _ := contactPatch(tom.Value, f)
	tom, err = c.PatchContact(ctx, "acme", o.tom.ID, tom.Version, p)
	if err != nil || tom.Value.Title != "Lead" {
		t.Fatalf("patch: %+v, %v", tom, err)
	}

	// A stale version is refused, and the form says so.
	_, err = c.PatchContact(ctx, "acme", o.tom.ID, tom.Version-1, p)
	if fe := formErrors(err, "en", contactFields...); len(fe.General) != 1 || fe.General[0][:len(T("en", msgErrStale))] != T("en", msgErrStale) {
		t.Errorf("stale patch: %v → %+v", err, fe)
	}
	// A bad address lands next to the email field.
	bad := "not-an-address"
	_, err = c.PatchContact(ctx, "acme", o.tom.ID, tom.Version, wire.ContactPatch{Email: &bad})
	if fe := formErrors(err, "en", contactFields...); fe.Field("email") == "" {
		t.Errorf("bad email: %v → %+v", err, fe)
	}

	if tom, err = c.SetRole(ctx, "acme", o.tom.ID, "business", tom.Version, true); err != nil {
		t.Fatalf("grant: %v", err)
	}
	if tom, err = c.SetRole(ctx, "acme", o.tom.ID, "business", tom.Version, false); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, err := c.SetConsent(ctx, "acme", o.tom.ID, "product_updates", false); err != nil {
		t.Fatalf("withdraw consent: %v", err)
	}
	if err := c.RequestVerification(ctx, "acme", o.tom.ID); err != nil {
		t.Fatalf("verification: %v", err)
	}

	slots, err := c.Slots(ctx, "acme")
	if err != nil || len(slots.Items) == 0 {
		t.Fatalf("slots: %+v, %v", slots, err)
	}
	var billing wire.Slot
	for _, s := range slots.Items {
		if s.Key == "billing" {
			billing = s
		}
	}
	hs := addHolder(billing.Holders, wire.Holder{Kind: "contact", ID: o.tom.ID})
	hs = addHolder(hs, wire.Holder{Kind: "contact", ID: o.admin.ID})
	if billing, err = c.AssignSlot(ctx, "acme", "billing", billing.Version, hs); err != nil {
		t.Fatalf("assign: %v", err)
	}
	if billing, err = c.AssignSlot(ctx, "acme", "billing", billing.Version, moveHolder(billing.Holders, 1, -1)); err != nil {
		t.Fatalf("reorder: %v", err)
	}
	if billing.Holders[0].ID != o.admin.ID {
		t.Errorf("reordered holders: %+v", billing.Holders)
	}
	if _, err := c.Recipients(ctx, "acme", "billing", ""); err != nil {
		// The route may be the vendor's alone; the board then says so.
		if _, ok := errors.AsType[*ProblemError](err); !ok {
			t.Errorf("recipients: %v", err)
		}
	}
	before, err := c.Completeness(ctx, "acme")
	if err != nil {
		t.Errorf("completeness: %v", err)
	}
	if !reviewDue(before) {
		t.Errorf("a never-confirmed org has no review due: %+v", before)
	}
	if err := c.ConfirmReview(ctx, "acme"); err != nil {
		t.Errorf("confirm review: %v", err)
	}
	if after, err := c.Completeness(ctx, "acme"); err != nil || reviewDue(after) {
		t.Errorf("after confirming, a review is still due: %+v, %v", after, err)
	}

	if tom, err = c.Contact(ctx, "acme", o.tom.ID); err != nil {
		t.Fatal(err)
	}
	cs, err := c.CreateChangeSet(ctx, "acme", []wire.Edit{{Kind: wire.EditGrantRole, Contact: o.tom.ID, Version: tom.Version, Role: "business"}})
	if err != nil || cs.Value.State != wire.ChangeApplied {
		t.Fatalf("direct change set: %+v, %v", cs, err)
	}
	sets, err := c.ChangeSets(ctx, "acme", "")
	if err != nil || len(sets.Items) != 1 {
		t.Errorf("change sets: %+v, %v", sets, err)
	}

	if err := c.Invite(ctx, "acme", wire.NewInvitation{Mode: wire.InviteQuiet, Contact: wire.NewContact{Name: "Ivy", Email: "ivy@acme.example"}}); err != nil {
		t.Errorf("invite: %v", err)
	}
	req, errs := invitationForm{Mode: wire.InviteWorkspace, Name: "Wes", Email: "wes@acme.example", Workspace: "ws-1"}.request("en")
	if !errs.Empty() {
		t.Fatal(errs)
	}
	if err := c.Invite(ctx, "acme", req); err != nil {
		if fe := formErrors(err, "en", "workspace"); fe.Empty() {
			t.Errorf("workspace invite: %v gave no message", err)
		}
	}

	g, err := o.svc.CreateGroup(ctx, contacts.Actor{Org: "acme", Vendor: "setup"}, "acme", contacts.NewGroup{Name: "Retail", Kind: contacts.ClientGroup})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.AddToGroup(ctx, contacts.Actor{Org: "acme", Vendor: "setup"}, "acme", g.ID, o.tom.ID); err != nil {
		t.Fatal(err)
	}
	greq, gerrs := invitationForm{Group: g.ID, Mode: wire.InviteContacts}.groupRequest("en")
	if !gerrs.Empty() {
		t.Fatal(gerrs)
	}
	if _, err := c.InviteGroup(ctx, "acme", g.ID, greq); err != nil {
		t.Errorf("group invitation: %v", err)
	}

	audit, err := c.Audit(ctx, "acme", 0, 3)
	if err != nil || len(audit.Items) != 3 || audit.Next == "" {
		t.Fatalf("audit page: %d items, next %q, %v", len(audit.Items), audit.Next, err)
	}
	next, _ := parseUint(audit.Next)
	more, err := c.Audit(ctx, "acme", next, 3)
	if err != nil || len(more.Items) == 0 || more.Items[0].Seq <= audit.Items[2].Seq {
		t.Errorf("next audit page: %+v, %v", more.Items, err)
	}

	// The owner hands ownership to the admin, naming the admin's version.
	*o.actor = contacts.Actor{Org: "acme", Contact: o.owner.ID}
	alice, err := c.Contact(ctx, "acme", o.admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.TransferOwnership(ctx, "acme", o.admin.ID, alice.Version); err != nil {
		t.Errorf("transfer: %v", err)
	}
}

func TestClient_liveReview(t *testing.T) {
	o := newLiveOrg(t, policy.Review)
	ctx := context.Background()
	c := o.client
	me, err := c.Me(ctx, "acme")
	if err != nil || !newPerms(me).Review() {
		t.Fatalf("/me: %+v, %v", me, err)
	}
	tom, err := c.Contact(ctx, "acme", o.tom.ID)
	if err != nil {
		t.Fatal(err)
	}
	title := "Lead"
	cs, err := c.CreateChangeSet(ctx, "acme", []wire.Edit{
		{Kind: wire.EditContact, Contact: o.tom.ID, Version: tom.Version, Patch: &wire.ContactPatch{Title: &title}},
		{Kind: wire.EditGrantRole, Contact: o.tom.ID, Version: tom.Version, Role: "business"},
	})
	if err != nil || cs.Value.State != wire.ChangeDraft {
		t.Fatalf("review change set: %+v, %v", cs, err)
	}
	sub, err := c.ChangeSetStep(ctx, "acme", cs.Value.ID, "submit", cs.Version, "")
	if err != nil || sub.State != wire.ChangeSubmitted {
		t.Fatalf("submit: %+v, %v", sub, err)
	}
	view, err := c.ChangeSetView(ctx, "acme", cs.Value.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows := diffRows(view, nil)
	var fields []string
	for _, r := range rows {
		fields = append(fields, r.Field+":"+r.Current+"→"+r.Requested)
	}
	want := map[string]bool{"title:→Lead": false, "roles:normal→business, normal": false}
	for _, f := range fields {
		if _, ok := want[f]; ok {
			want[f] = true
		}
	}
	for f, seen := range want {
		if !seen {
			t.Errorf("the diff lacks %s; it has %q", f, fields)
		}
	}
	if _, err := c.ChangeSetStep(ctx, "acme", cs.Value.ID, "cancel", sub.Version, ""); err != nil {
		t.Errorf("cancel: %v", err)
	}
	after, err := c.Contact(ctx, "acme", o.tom.ID)
	if err != nil || after.Value.Title != "" {
		t.Errorf("a cancelled change set changed the contact: %+v, %v", after.Value, err)
	}

	// Sent again, the vendor approves it, and it applies.
	cs, err = c.CreateChangeSet(ctx, "acme", []wire.Edit{
		{Kind: wire.EditContact, Contact: o.tom.ID, Version: after.Version, Patch: &wire.ContactPatch{Title: &title}}})
	if err != nil {
		t.Fatal(err)
	}
	if sub, err = c.ChangeSetStep(ctx, "acme", cs.Value.ID, "submit", cs.Version, ""); err != nil {
		t.Fatal(err)
	}
	*o.actor = contacts.Actor{Org: "acme", Vendor: "staff"}
	vendor, err := c.Me(ctx, "acme")
	if err != nil || !newPerms(vendor).Can(wire.ActionReviewChanges) {
		t.Fatalf("/me for the vendor: %+v, %v", vendor, err)
	}
	q, err := c.ChangeSetStep(ctx, "acme", cs.Value.ID, "query", sub.Version, "Why Lead?")
	if err != nil || q.State != wire.ChangeQueried {
		t.Fatalf("query: %+v, %v", q, err)
	}
	*o.actor = contacts.Actor{Org: "acme", Contact: o.admin.ID}
	ans, err := c.ChangeSetStep(ctx, "acme", cs.Value.ID, "answer", q.Version, "Promoted in May.")
	if err != nil || ans.State != wire.ChangeAnswered {
		t.Fatalf("answer: %+v, %v", ans, err)
	}
	view, err = c.ChangeSetView(ctx, "acme", cs.Value.ID)
	if err != nil || len(view.ChangeSet.Comments) == 0 {
		t.Fatalf("view after the answer: %+v, %v", view.ChangeSet.Comments, err)
	}
	*o.actor = contacts.Actor{Org: "acme", Vendor: "staff"}
	if done, err := c.ChangeSetStep(ctx, "acme", cs.Value.ID, "approve", ans.Version, ""); err != nil || done.State != wire.ChangeApplied {
		t.Fatalf("approve: %+v, %v", done, err)
	}
	if after, err = c.Contact(ctx, "acme", o.tom.ID); err != nil || after.Value.Title != "Lead" {
		t.Errorf("an approved change set did not apply: %+v, %v", after.Value, err)
	}
}

func parseUint(s string) (uint64, error) {
	var n uint64
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, errors.New("not a number")
		}
		n = n*10 + uint64(r-'0')
	}
	return n, nil
}
