package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget/wire"
)

// TestInvitation_acceptOnce accepts an invitation: the contact becomes
// active with the role the invitation carries; a second acceptance is
// refused and changes nothing.
func TestInvitation_acceptOnce(t *testing.T) {
	f := newFixture(t)
	o := f.orgs["acme"]
	accept := req{method: "POST", path: "/invitations/accept", body: `{"token":"` + o.inviteToken + `"}`}
	res := f.send(t, "none", accept, http.StatusOK)
	var got wire.Redeemed
	res.decode(t, &got)
	if diff := cmp.Diff(wire.Redeemed{Org: "acme", Contact: o.invitee.ID, Result: "accepted"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if ivy := f.contact("acme", o.invitee.ID); ivy.Status != contacts.Active || !ivy.HasRole("normal") {
		t.Errorf("after acceptance Ivy is %+v", ivy)
	}
	before := f.snapshots()
	res = f.send(t, "none", accept, http.StatusUnprocessableEntity)
	if p := res.problem(t); len(p.Errors) != 1 || p.Errors[0].Pointer != "/token" {
		t.Errorf("second acceptance: %s", res.body)
	}
	if diff := cmp.Diff(before, f.snapshots()); diff != "" {
		t.Errorf("a second acceptance changed (-before +after):\n%s", diff)
	}
}

// TestInvitation_hostileBodies sends bodies that try to hand out more than
// the admin may: each is refused, and nothing changes.
func TestInvitation_hostileBodies(t *testing.T) {
	f := newFixture(t)
	ivy := `{"name":"Eve","email":"eve@acme.example"}`
	tests := []struct {
		name   string
		rq     req
		status int
		rule   string
	}{
		{"role owner", req{method: "POST", path: "/orgs/acme/invitations", body: `{"mode":"contacts","contact":` + ivy + `,"role":"owner"}`}, http.StatusForbidden, "owner-only"},
		{"role owner, quietly", req{method: "POST", path: "/orgs/acme/invitations", body: `{"mode":"quiet","contact":` + ivy + `,"role":"owner"}`}, http.StatusForbidden, "owner-only"},
		{"Role in another case", req{method: "POST", path: "/orgs/acme/invitations", body: `{"mode":"contacts","contact":` + ivy + `,"Role":"owner"}`}, http.StatusBadRequest, ""},
		{"role twice", req{method: "POST", path: "/orgs/acme/invitations", body: `{"mode":"contacts","contact":` + ivy + `,"role":"normal","role":"owner"}`}, http.StatusBadRequest, ""},
		{"roles on the contact", req{method: "POST", path: "/orgs/acme/invitations", body: `{"mode":"quiet","contact":{"name":"Eve","email":"eve@acme.example","roles":["owner"]}}`}, http.StatusBadRequest, ""},
		{"another org", req{method: "POST", path: "/orgs/acme/invitations", body: `{"mode":"contacts","contact":` + ivy + `,"org":"other"}`}, http.StatusBadRequest, ""},
		{"a group, as owners", req{method: "POST", path: "/orgs/acme/groups/" + f.orgs["acme"].group.ID + "/invitations", body: `{"mode":"contacts","role":"owner"}`}, http.StatusForbidden, "owner-only"},
		{"a sign-up link for owners", req{method: "POST", path: "/orgs/acme/invite-links/owner"}, http.StatusForbidden, "owner-only"},
		{"a sign-up asking for owner", req{method: "POST", path: "/signup", body: `{"token":"` + f.orgs["acme"].signupToken + `","contact":` + ivy + `,"role":"owner"}`}, http.StatusBadRequest, ""},
		{"workspace mode without a hook", req{method: "POST", path: "/orgs/acme/invitations", body: `{"mode":"workspace","workspace":"w1","contact":` + ivy + `}`}, http.StatusUnprocessableEntity, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshots()
			res := f.send(t, "admin", tt.rq, tt.status)
			if p := res.problem(t); p.Rule != tt.rule {
				t.Errorf("rule %q, want %q: %s", p.Rule, tt.rule, res.body)
			}
			if diff := cmp.Diff(before, f.snapshots()); diff != "" {
				t.Errorf("changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestInvitation_answersAlike checks that inviting a known address and a
// new one answer alike (RELIABILITY D6), and that the idempotency key
// replays the answer.
func TestInvitation_answersAlike(t *testing.T) {
	f := newFixture(t)
	known := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/invitations",
		body: `{"mode":"contacts","contact":{"name":"Nina","email":"nina@acme.example"}}`}, http.StatusAccepted)
	fresh := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/invitations",
		body: `{"mode":"contacts","contact":{"name":"Nora","email":"nora@acme.example"}}`, header: map[string]string{wire.HeaderIdempotencyKey: "inv-1"}}, http.StatusAccepted)
	if len(known.body) != 0 || len(fresh.body) != 0 {
		t.Errorf("the answers carry bodies: %q, %q", known.body, fresh.body)
	}
	n := f.countContacts("acme")
	replay := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/invitations",
		body: `{"mode":"contacts","contact":{"name":"Nora","email":"nora@acme.example"}}`, header: map[string]string{wire.HeaderIdempotencyKey: "inv-1"}}, http.StatusAccepted)
	if replay.header.Get(wire.HeaderIdempotentReplayed) != "true" || f.countContacts("acme") != n {
		t.Errorf("the retry was not a replay")
	}
	res := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/invitations",
		body: `{"mode":"contacts","contact":{"name":"Nox","email":"not an address"}}`}, http.StatusUnprocessableEntity)
	if p := res.problem(t); p.Errors[0].Pointer != "/contact/email" {
		t.Errorf("a bad address: %s, want a problem at /contact/email", res.body)
	}
}

// TestInvitation_revoke revokes the pending invitation: its link stops
// working, and a second revocation answers 409.
func TestInvitation_revoke(t *testing.T) {
	f := newFixture(t)
	o := f.orgs["acme"]
	res := f.send(t, "admin", req{method: "DELETE", path: "/orgs/acme/invitations/" + o.invitation.ID}, http.StatusOK)
	var inv wire.Invitation
	res.decode(t, &inv)
	if inv.Revoked.IsZero() || inv.ID != o.invitation.ID || res.header.Get("ETag") != etag(inv.Version) {
		t.Errorf("revoked: %s", res.body)
	}
	f.send(t, "none", req{method: "POST", path: "/invitations/accept", body: `{"token":"` + o.inviteToken + `"}`}, http.StatusUnprocessableEntity)
	f.send(t, "admin", req{method: "DELETE", path: "/orgs/acme/invitations/" + o.invitation.ID}, http.StatusConflict)
	res = f.send(t, "admin", req{method: "GET", path: "/orgs/acme/invitations"}, http.StatusOK)
	var page wire.InvitationPage
	res.decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].Revoked.IsZero() || page.Items[0].Role != "normal" {
		t.Errorf("invitations: %s", res.body)
	}
}

// TestInvitation_group invites the group: Ivy, its one member who has not
// accepted, gets a fresh link; Tom, active, nothing.
func TestInvitation_group(t *testing.T) {
	f := newFixture(t)
	o := f.orgs["acme"]
	res := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/groups/" + o.group.ID + "/invitations", body: `{"mode":"contacts"}`}, http.StatusOK)
	var got wire.GroupInvited
	res.decode(t, &got)
	if got.Sent != 1 {
		t.Errorf("sent %d, want 1", got.Sent)
	}
	f.send(t, "none", req{method: "POST", path: "/invitations/accept", body: `{"token":"` + f.lastToken() + `"}`}, http.StatusOK)
	res = f.send(t, "admin", req{method: "POST", path: "/orgs/acme/groups/" + o.group.ID + "/invitations", body: `{"mode":"quiet"}`}, http.StatusUnprocessableEntity)
	if p := res.problem(t); p.Errors[0].Pointer != "/mode" {
		t.Errorf("quiet group invitation: %s", res.body)
	}
}

// TestInviteLink_rotateAndSignUp rotates the sign-up link: the old one
// dies, the new one signs people up, as invited contacts who accept to
// become active with the link's role.
func TestInviteLink_rotateAndSignUp(t *testing.T) {
	f := newFixture(t)
	o := f.orgs["acme"]
	res := f.send(t, "owner", req{method: "POST", path: "/orgs/acme/invite-links/business"}, http.StatusOK)
	var link wire.InviteLink
	res.decode(t, &link)
	secret := linkToken(t, link.Link)
	sam := `"contact":{"name":"Sam","email":"sam@acme.example"}`
	res = f.send(t, "none", req{method: "POST", path: "/signup", body: `{"token":"` + o.signupToken + `",` + sam + `}`}, http.StatusUnprocessableEntity)
	if p := res.problem(t); p.Errors[0].Pointer != "/token" {
		t.Errorf("the old link: %s", res.body)
	}
	res = f.send(t, "none", req{method: "POST", path: "/signup", body: `{"token":"` + secret + `","contact":{"name":"Sam","email":"nope"}}`}, http.StatusUnprocessableEntity)
	if p := res.problem(t); p.Errors[0].Pointer != "/contact/email" {
		t.Errorf("a bad address: %s, want a problem at /contact/email", res.body)
	}
	f.send(t, "none", req{method: "POST", path: "/signup", body: `{"token":"` + secret + `",` + sam + `}`}, http.StatusAccepted)
	// A known address answers alike, and sends nothing.
	sent := len(f.sent.list)
	f.send(t, "none", req{method: "POST", path: "/signup", body: `{"token":"` + secret + `",` + sam + `}`}, http.StatusAccepted)
	if len(f.sent.list) != sent {
		t.Errorf("signing up a known address sent a message")
	}
	f.send(t, "none", req{method: "POST", path: "/invitations/accept", body: `{"token":"` + f.sentToken(sent-1) + `"}`}, http.StatusOK)
	c, err := f.svc.ContactByEmail(context.Background(), contacts.Actor{Org: "acme", Vendor: "test"}, "acme", "sam@acme.example")
	if err != nil || c.Status != contacts.Active || !c.HasRole("business") {
		t.Errorf("Sam after acceptance: %+v %v", c, err)
	}
}

// sentToken returns the secret of the link of message i.
func (f *fixture) sentToken(i int) string {
	f.sent.mu.Lock()
	defer f.sent.mu.Unlock()
	return linkToken(f.t, f.sent.list[i].Data["link"])
}

// TestInvitation_workspace invites into a workspace of the host's: the
// host's hook adds the person, and for a group every member.
func TestInvitation_workspace(t *testing.T) {
	type added struct{ org, workspace, email string }
	var got []added
	hook := contacts.WithWorkspaceHook(func(_ context.Context, org, workspace string, c contacts.Contact) error {
		got = append(got, added{org, workspace, c.Email})
		return nil
	})
	f := newFixtureWith(t, memstore.New(), testPolicy(t), []contacts.Option{hook})
	f.send(t, "admin", req{method: "POST", path: "/orgs/acme/invitations",
		body: `{"mode":"workspace","workspace":"w1","contact":{"name":"Eve","email":"eve@acme.example"}}`}, http.StatusAccepted)
	res := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/invitations",
		body: `{"mode":"workspace","contact":{"name":"Eve","email":"eve@acme.example"}}`}, http.StatusUnprocessableEntity)
	if p := res.problem(t); p.Errors[0].Pointer != "/workspace" {
		t.Errorf("workspace mode without a workspace: %s", res.body)
	}
	f.send(t, "admin", req{method: "POST", path: "/orgs/acme/groups/" + f.orgs["acme"].group.ID + "/invitations",
		body: `{"mode":"workspace","workspace":"w2"}`}, http.StatusOK)
	want := []added{{"acme", "w1", "eve@acme.example"}, {"acme", "w2", "ivy@acme.example"}, {"acme", "w2", "tom@acme.example"}}
	sortByEmail := cmpopts.SortSlices(func(a, b added) bool { return a.workspace+a.email < b.workspace+b.email })
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(added{}), sortByEmail); diff != "" {
		t.Errorf("the hook's calls (-want +got):\n%s", diff)
	}
}
