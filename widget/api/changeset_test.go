package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget/wire"
)

// send does rq as role in acme, checks the status and validates the
// response against the OpenAPI document.
func (f *fixture) send(t *testing.T, role string, rq req, want int) result {
	t.Helper()
	res := f.do(role, "acme", rq)
	if res.status != want {
		t.Fatalf("%s %s as %s = %d, want %d: %s", rq.method, rq.path, role, res.status, want, res.body)
	}
	validateResponse(t, rq.method, routeOf(t, rq), res)
	return res
}

// TestChangeSet_reviewLifecycle walks a change set through its review over
// HTTP: the admin makes it (a draft), reads the diff, submits it; the
// vendor asks, the admin answers, the vendor approves, and the edits land.
func TestChangeSet_reviewLifecycle(t *testing.T) {
	f := newFixture(t)
	tom := f.contact("acme", f.orgs["acme"].target.ID)
	body := `{"edits":[{"kind":"edit_contact","contact":"` + tom.ID + `","version":` + strconv.FormatInt(tom.Version, 10) +
		`,"patch":{"title":"Chief"}},{"kind":"grant_role","contact":"` + tom.ID + `","version":` + strconv.FormatInt(tom.Version, 10) +
		`,"role":"business"},{"kind":"add_contact","new":{"name":"Ana","email":"ana@acme.example"}}]}`
	res := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/change-sets", body: body,
		header: map[string]string{wire.HeaderIdempotencyKey: "cs-1"}}, http.StatusCreated)
	var cs wire.ChangeSet
	res.decode(t, &cs)
	if cs.State != wire.ChangeDraft || len(cs.Edits) != 3 || res.header.Get("ETag") != etag(cs.Version) ||
		res.header.Get("Location") != "/api/v1/orgs/acme/change-sets/"+cs.ID {
		t.Fatalf("created %+v with headers %v", cs, res.header)
	}
	// A retry with the same key replays the answer and makes no second one.
	again := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/change-sets", body: body,
		header: map[string]string{wire.HeaderIdempotencyKey: "cs-1"}}, http.StatusCreated)
	if again.header.Get(wire.HeaderIdempotentReplayed) != "true" || string(again.body) != string(res.body) {
		t.Errorf("the retry was not a replay: %s", again.body)
	}
	path := "/orgs/acme/change-sets/" + cs.ID

	f.send(t, "admin", req{method: "POST", path: path + "/submit"}, http.StatusPreconditionRequired)
	res = f.send(t, "admin", req{method: "POST", path: path + "/submit", header: ifm(cs.Version)}, http.StatusOK)
	res.decode(t, &cs)
	if cs.State != wire.ChangeSubmitted {
		t.Fatalf("submitted: state %s", cs.State)
	}
	if got := f.contact("acme", tom.ID); got.Title != tom.Title || got.Version != tom.Version {
		t.Fatalf("a submitted change set changed Tom: %+v", got)
	}

	res = f.send(t, "admin", req{method: "GET", path: path + "/view"}, http.StatusOK)
	var view wire.ChangeSetView
	res.decode(t, &view)
	if view.Problem != nil || len(view.Contacts) != 2 || res.header.Get("ETag") != etag(cs.Version) {
		t.Fatalf("view: %s", res.body)
	}
	diffs := map[string]wire.FieldDiff{}
	for _, fd := range view.Contacts[0].Fields {
		diffs[fd.Field] = fd
	}
	if view.Contacts[0].Contact != tom.ID || string(diffs["title"].Requested) != `"Chief"` ||
		string(diffs["roles"].Current) != `["normal"]` || string(diffs["roles"].Requested) != `["business","normal"]` {
		t.Errorf("Tom's diff: %+v", view.Contacts[0].Fields)
	}
	if added := view.Contacts[1]; added.Current != nil || added.Requested == nil || added.Requested.Email != "ana@acme.example" {
		t.Errorf("the added contact: %+v", added)
	}

	// The requester cannot approve its own change set; the vendor asks
	// first, with a question it must write.
	f.send(t, "admin", req{method: "POST", path: path + "/approve", header: ifm(cs.Version)}, http.StatusForbidden)
	res = f.send(t, "vendor", req{method: "POST", path: path + "/query", body: `{}`, header: ifm(cs.Version)}, http.StatusUnprocessableEntity)
	if p := res.problem(t); len(p.Errors) != 1 || p.Errors[0].Pointer != "/text" {
		t.Errorf("a query without text: %s, want a problem at /text", res.body)
	}
	res = f.send(t, "vendor", req{method: "POST", path: path + "/query", body: `{"text":"Who is Ana?"}`, header: ifm(cs.Version)}, http.StatusOK)
	res.decode(t, &cs)
	res = f.send(t, "admin", req{method: "POST", path: path + "/answer", body: `{"text":"Our new CFO."}`, header: ifm(cs.Version)}, http.StatusOK)
	res.decode(t, &cs)
	if cs.State != wire.ChangeAnswered || len(cs.Comments) < 2 {
		t.Fatalf("answered: %s", res.body)
	}

	// A stale version answers 412 and approves nothing.
	f.send(t, "vendor", req{method: "POST", path: path + "/approve", header: ifm(cs.Version - 1)}, http.StatusPreconditionFailed)
	if got := f.contact("acme", tom.ID); got.Title != tom.Title {
		t.Fatalf("a stale approval changed Tom: %+v", got)
	}
	// Approve, with no body at all: the comment is optional.
	res = f.send(t, "vendor", req{method: "POST", path: path + "/approve", header: ifm(cs.Version)}, http.StatusOK)
	res.decode(t, &cs)
	if cs.State != wire.ChangeApplied || len(cs.CreatedContacts) != 1 || cs.DecidedBy != "vendor:support" {
		t.Fatalf("approved: %s", res.body)
	}
	got := f.contact("acme", tom.ID)
	if got.Title != "Chief" || !got.HasRole("business") {
		t.Errorf("after approval Tom is %+v", got)
	}
	if ana := f.contact("acme", cs.CreatedContacts[0]); ana.Email != "ana@acme.example" {
		t.Errorf("the added contact is %+v", ana)
	}
	// Decided: no step moves it again, and its view is empty.
	f.send(t, "admin", req{method: "POST", path: path + "/cancel", header: ifm(cs.Version)}, http.StatusForbidden)
	res = f.send(t, "admin", req{method: "GET", path: path + "/view"}, http.StatusOK)
	res.decode(t, &view)
	if len(view.Contacts) != 0 || view.ChangeSet.State != wire.ChangeApplied {
		t.Errorf("the view of an applied change set: %s", res.body)
	}
	res = f.send(t, "admin", req{method: "GET", path: "/orgs/acme/change-sets?limit=2"}, http.StatusOK)
	var page wire.ChangeSetPage
	res.decode(t, &page)
	if len(page.Items) != 2 || page.Next == "" {
		t.Errorf("a page of 2 of 4 change sets: %s", res.body)
	}
}

// TestChangeSet_refused checks that a change set with an edit that would
// fail, or none at all, is refused naming the field, and changes nothing.
func TestChangeSet_refused(t *testing.T) {
	f := newFixture(t)
	tom := f.contact("acme", f.orgs["acme"].target.ID)
	v := strconv.FormatInt(tom.Version, 10)
	tests := []struct {
		name    string
		body    string
		status  int
		pointer string
	}{
		{"no edits", `{"edits":[]}`, http.StatusUnprocessableEntity, "/edits"},
		{"bad address", `{"edits":[{"kind":"edit_contact","contact":"` + tom.ID + `","version":` + v + `,"patch":{"title":"x"}},` +
			`{"kind":"edit_contact","contact":"` + tom.ID + `","version":` + v + `,"patch":{"email":"not an address"}}]}`,
			http.StatusUnprocessableEntity, "/edits/1/email"},
		{"unknown kind", `{"edits":[{"kind":"promote","contact":"` + tom.ID + `"}]}`, http.StatusUnprocessableEntity, "/edits/0/kind"},
		{"dangling new: reference", `{"edits":[{"kind":"grant_role","contact":"new:0","version":1,"role":"normal"}]}`,
			http.StatusUnprocessableEntity, "/edits/0/contact"},
		{"stale version", `{"edits":[{"kind":"edit_contact","contact":"` + tom.ID + `","version":1,"patch":{"title":"x"}}]}`,
			http.StatusConflict, ""},
		{"a role above the admin's", `{"edits":[{"kind":"grant_role","contact":"` + tom.ID + `","version":` + v + `,"role":"owner"}]}`,
			http.StatusForbidden, ""},
		{"a field the edit has not", `{"edits":[{"kind":"edit_contact","contact":"` + tom.ID + `","version":` + v + `,"patch":{"roles":["owner"]}}]}`,
			http.StatusBadRequest, "/edits/0/patch/roles"},
		{"requester in the body", `{"edits":[],"requester":"` + f.orgs["acme"].owner.ID + `"}`, http.StatusBadRequest, "/requester"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshots()
			res := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/change-sets", body: tt.body}, tt.status)
			if tt.pointer != "" {
				p := res.problem(t)
				found := false
				for _, e := range p.Errors {
					found = found || e.Pointer == tt.pointer
				}
				if !found {
					t.Errorf("no problem at %s: %s", tt.pointer, res.body)
				}
			}
			if diff := cmp.Diff(before, f.snapshots()); diff != "" {
				t.Errorf("changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestChangeSet_direct checks that in direct mode a change set is applied
// when it is sent.
func TestChangeSet_direct(t *testing.T) {
	f := newFixtureWith(t, memstore.New(), directPolicy(t), nil)
	tom := f.contact("acme", f.orgs["acme"].target.ID)
	body := `{"edits":[{"kind":"edit_contact","contact":"` + tom.ID + `","version":` + strconv.FormatInt(tom.Version, 10) +
		`,"patch":{"title":"Chief"}},{"kind":"add_contact","new":{"name":"Ana","email":"ana@acme.example"}},` +
		`{"kind":"grant_role","contact":"new:1","version":1,"role":"normal"}]}`
	res := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/change-sets", body: body}, http.StatusCreated)
	var cs wire.ChangeSet
	res.decode(t, &cs)
	if cs.State != wire.ChangeApplied || len(cs.CreatedContacts) != 1 || res.header.Get("ETag") != etag(cs.Version) {
		t.Fatalf("direct change set: %s", res.body)
	}
	if got := f.contact("acme", tom.ID); got.Title != "Chief" {
		t.Errorf("Tom's title is %q", got.Title)
	}
	if ana := f.contact("acme", cs.CreatedContacts[0]); !ana.HasRole("normal") {
		t.Errorf("the added contact is %+v", ana)
	}
	// The same edits again name a stale version of Tom: refused, and no
	// draft is left behind.
	before := f.snapshots()
	f.send(t, "admin", req{method: "POST", path: "/orgs/acme/change-sets", body: strings.Replace(body, "ana@", "ana2@", 1)}, http.StatusConflict)
	if diff := cmp.Diff(before, f.snapshots()); diff != "" {
		t.Errorf("a refused change set changed (-before +after):\n%s", diff)
	}
}

// TestChangeSet_foreignIDs checks that an edit naming another org's
// contact answers exactly like one naming a contact that does not exist
// (RELIABILITY A2), and changes nothing.
func TestChangeSet_foreignIDs(t *testing.T) {
	f := newFixture(t)
	edit := func(id string) req {
		return req{method: "POST", path: "/orgs/acme/change-sets",
			body: `{"edits":[{"kind":"edit_contact","contact":"` + id + `","version":1,"patch":{"title":"x"}}]}`}
	}
	before := f.snapshots()
	foreign := f.send(t, "admin", edit(f.orgs["other"].target.ID), http.StatusNotFound)
	missing := f.send(t, "admin", edit("01ZZZZZZZZZZZZZZZZZZZZZZZZ"), http.StatusNotFound)
	sameAnswer(t, "foreign id", "missing id", foreign, missing)
	if diff := cmp.Diff(before, f.snapshots()); diff != "" {
		t.Errorf("changed (-before +after):\n%s", diff)
	}
}

// TestChangeSet_directRace makes the direct-mode application fail after
// the draft was stored (Tom changes in between, as a concurrent request
// would change him): the answer is the conflict, and the draft is
// cancelled rather than left behind.
func TestChangeSet_directRace(t *testing.T) {
	f := newFixtureWith(t, memstore.New(), directPolicy(t), nil)
	tom := f.contact("acme", f.orgs["acme"].target.ID)
	raced := false
	unsubscribe := f.svc.Subscribe(func(e contacts.AuditEvent) {
		if e.Action != "changeset.create" || raced {
			return
		}
		raced = true
		// Straight to the store: the Service's own calls publish, and this
		// runs inside its publication.
		err := f.store.Update(context.Background(), func(tx contacts.Tx) error {
			c, err := tx.Contact("acme", tom.ID)
			if err != nil {
				return err
			}
			next := c.Clone()
			next.Title, next.Version = "Changed meanwhile", c.Version+1
			return tx.UpdateContact(next, c.Version)
		})
		if err != nil {
			t.Error(err)
		}
	})
	defer unsubscribe()
	body := `{"edits":[{"kind":"edit_contact","contact":"` + tom.ID + `","version":` + strconv.FormatInt(tom.Version, 10) + `,"patch":{"title":"Chief"}}]}`
	f.send(t, "admin", req{method: "POST", path: "/orgs/acme/change-sets", body: body}, http.StatusConflict)
	if !raced {
		t.Fatal("the race was not staged")
	}
	list, _, err := f.svc.ChangeSets(context.Background(), contacts.Actor{Org: "acme", Vendor: "test"}, "acme", contacts.Page{})
	if err != nil {
		t.Fatal(err)
	}
	last := list[len(list)-1]
	if last.State != contacts.Cancelled {
		t.Errorf("the draft that failed to apply is %s, want cancelled", last.State)
	}
	if got := f.contact("acme", tom.ID); got.Title != "Changed meanwhile" {
		t.Errorf("Tom's title is %q", got.Title)
	}
}

// dryRunFailingStore fails every read of a contact inside a write
// transaction once armed: an internal error, such as a lost database
// connection, in the middle of a change set's dry run.
type dryRunFailingStore struct {
	contacts.Store
	armed *atomic.Bool
}

var errDiskOnFire = errors.New("disk on fire at 10.0.0.7")

func (s dryRunFailingStore) Update(ctx context.Context, fn func(contacts.Tx) error) error {
	return s.Store.Update(ctx, func(tx contacts.Tx) error {
		if s.armed.Load() {
			return fn(failingTx{tx})
		}
		return fn(tx)
	})
}

type failingTx struct{ contacts.Tx }

func (failingTx) Contact(org, id string) (contacts.Contact, error) {
	return contacts.Contact{}, errDiskOnFire
}

// TestChangeSet_viewHidesInternalErrors checks that the view of a change
// set whose dry run meets an internal error answers 500, without the
// error's text, instead of showing it as the reason the change set would
// not apply.
func TestChangeSet_viewHidesInternalErrors(t *testing.T) {
	var armed atomic.Bool
	f := newFixtureWith(t, dryRunFailingStore{Store: memstore.New(), armed: &armed}, testPolicy(t), nil)
	path := "/orgs/acme/change-sets/" + f.orgs["acme"].submitted.ID + "/view"
	f.send(t, "admin", req{method: "GET", path: path}, http.StatusOK)
	armed.Store(true)
	res := f.send(t, "admin", req{method: "GET", path: path}, http.StatusInternalServerError)
	if strings.Contains(string(res.body), "10.0.0.7") {
		t.Errorf("the internal error shows: %s", res.body)
	}
}

// TestChangeSet_approvalReauthorizes checks RELIABILITY A5 over HTTP: the
// admin submits a change set, the owner then takes the admin role away,
// and the vendor's approval is refused with the rule that now denies the
// requester; the change set and the org stay as they were.
func TestChangeSet_approvalReauthorizes(t *testing.T) {
	f := newFixture(t)
	o := f.orgs["acme"]
	tom := f.contact("acme", o.target.ID)
	body := `{"edits":[{"kind":"grant_role","contact":"` + tom.ID + `","version":` + strconv.FormatInt(tom.Version, 10) + `,"role":"business"}]}`
	var cs wire.ChangeSet
	f.send(t, "admin", req{method: "POST", path: "/orgs/acme/change-sets", body: body}, http.StatusCreated).decode(t, &cs)
	path := "/orgs/acme/change-sets/" + cs.ID
	f.send(t, "admin", req{method: "POST", path: path + "/submit", header: ifm(cs.Version)}, http.StatusOK).decode(t, &cs)

	alice := f.contact("acme", o.admin.ID)
	f.send(t, "owner", req{method: "DELETE", path: "/orgs/acme/contacts/" + alice.ID + "/roles/admin", header: ifm(alice.Version)}, http.StatusOK)

	before := f.snapshots()
	res := f.send(t, "vendor", req{method: "POST", path: path + "/approve", body: `{"text":"ok"}`, header: ifm(cs.Version)}, http.StatusForbidden)
	if p := res.problem(t); p.Rule != "no-permission" {
		t.Errorf("approval of a demoted requester's change set: %s, want rule no-permission", res.body)
	}
	if diff := cmp.Diff(before, f.snapshots()); diff != "" {
		t.Errorf("changed (-before +after):\n%s", diff)
	}
	var after wire.ChangeSet
	f.send(t, "vendor", req{method: "GET", path: path}, http.StatusOK).decode(t, &after)
	if after.State != wire.ChangeSubmitted || after.Version != cs.Version {
		t.Errorf("the change set moved: %+v", after)
	}
}
