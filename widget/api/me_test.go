package api

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget/wire"
)

// TestMe answers, for each role of the default policy, what the viewer may
// do: exactly the actions and grantable roles the policy gives it.
func TestMe(t *testing.T) {
	f := newFixture(t)
	acme := f.orgs["acme"]
	adminActions := []string{"contacts.view", "support.open", "account.discuss", "billing.manage", "contacts.edit",
		"roles.grant", "roles.revoke", "slots.manage", "consent.manage", "groups.manage", "invitations.send",
		"changes.submit", "review.confirm", "audit.view"}
	tests := []struct {
		role      string
		contact   string
		roles     []string
		rank      int
		owner     bool
		actions   []string
		grantable []string
	}{
		{"owner", acme.owner.ID, []string{"owner"}, 40, true,
			append(slices.Clone(adminActions), "ownership.transfer", "account.close"),
			[]string{"owner", "admin", "business", "normal"}},
		{"admin", acme.admin.ID, []string{"admin"}, 30, false, adminActions, []string{"admin", "business", "normal"}},
		{"business", acme.business.ID, []string{"business"}, 20, false,
			[]string{"contacts.view", "support.open", "account.discuss", "billing.manage"}, []string{}},
		{"normal", acme.normal.ID, []string{"normal"}, 10, false,
			[]string{"contacts.view", "support.open", "account.discuss"}, []string{}},
		{"vendor", "", []string{}, 40, true,
			[]string{"contacts.view", "support.open", "account.discuss", "billing.manage", "contacts.edit",
				"roles.grant", "roles.revoke", "slots.manage", "consent.manage", "groups.manage", "invitations.send",
				"review.confirm", "audit.view", "account.close", "changes.review"},
			[]string{"owner", "admin", "business", "normal"}},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			res := f.do(tt.role, "acme", req{method: "GET", path: "/orgs/acme/me"})
			if res.status != http.StatusOK {
				t.Fatalf("= %d %s", res.status, res.body)
			}
			validateResponse(t, "GET", "/orgs/{org}/me", res)
			var got wire.Me
			res.decode(t, &got)
			want := wire.Me{Org: "acme", Vendor: tt.role == "vendor", Roles: tt.roles, Rank: tt.rank, Owner: tt.owner,
				ChangeMode: wire.ChangeModeReview, Actions: tt.actions, GrantableRoles: tt.grantable, ContactsConfirmed: true,
				RoleInfo: []wire.RoleInfo{{Key: "owner", Name: "Owner", Rank: 40}, {Key: "admin", Name: "Admin", Rank: 30},
					{Key: "business", Name: "Business", Rank: 20}, {Key: "normal", Name: "Normal", Rank: 10}},
				Purposes: []wire.Purpose{
					{Key: "usage_interviews", Name: "Usage interviews", LegalBasis: "legitimate_interest", Default: true},
					{Key: "product_updates", Name: "Product updates", LegalBasis: "legitimate_interest", Default: true},
					{Key: "newsletter", Name: "Newsletter", LegalBasis: "consent", DoubleOptIn: true},
				}}
			gotContact := ""
			if got.Contact != nil {
				gotContact = got.Contact.ID
			}
			got.Contact = nil
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if gotContact != tt.contact {
				t.Errorf("contact = %q, want %q", gotContact, tt.contact)
			}
		})
	}
}

// TestMe_agreesWithService checks /me against the Service: what it says an
// admin may not grant, the Service refuses, and what it says it may, the
// Service allows.
func TestMe_agreesWithService(t *testing.T) {
	var me wire.Me
	newFixture(t).do("admin", "acme", req{method: "GET", path: "/orgs/acme/me"}).decode(t, &me)
	ctx := context.Background()
	for _, role := range testPolicy(t).RoleKeys() {
		f := newFixture(t) // a fresh target each time: a grant raises its rank
		admin, _ := f.actor("admin", "acme")
		tom := f.contact("acme", f.orgs["acme"].target.ID)
		_, err := f.svc.GrantRole(ctx, admin, "acme", tom.ID, tom.Version, role)
		if allowed := slices.Contains(me.GrantableRoles, role); allowed != (err == nil) {
			t.Errorf("role %s: /me says grantable=%v, the Service answers %v", role, allowed, err)
		}
	}
}

// TestMe_closedAndDirect shows a closed org as read-only, and the direct
// change mode of the config.
func TestMe_closedAndDirect(t *testing.T) {
	f := newFixtureWith(t, memstore.New(), directPolicy(t), nil)
	ctx := context.Background()
	vendor := contacts.Actor{Org: "acme", Vendor: "test"}
	o, err := f.svc.Org(ctx, vendor, "acme")
	if err != nil {
		t.Fatal(err)
	}
	var me wire.Me
	f.do("owner", "acme", req{method: "GET", path: "/orgs/acme/me"}).decode(t, &me)
	if me.ChangeMode != wire.ChangeModeDirect || me.Closed {
		t.Errorf("change mode %q closed %v, want direct and open", me.ChangeMode, me.Closed)
	}
	if _, err := f.svc.CloseOrg(ctx, vendor, "acme", o.Version); err != nil {
		t.Fatal(err)
	}
	res := f.do("owner", "acme", req{method: "GET", path: "/orgs/acme/me"})
	validateResponse(t, "GET", "/orgs/{org}/me", res)
	res.decode(t, &me)
	want := []string{"contacts.view", "support.open", "account.discuss", "billing.manage", "audit.view"}
	if !me.Closed || !cmp.Equal(me.Actions, want) || len(me.GrantableRoles) != 0 {
		t.Errorf("closed org: closed %v actions %v grantable %v; want true, %v, none", me.Closed, me.Actions, me.GrantableRoles, want)
	}
}

// TestWire_actionNames keeps the wire package's action names in step with
// the policy's.
func TestWire_actionNames(t *testing.T) {
	var names []string
	for _, a := range policy.Actions() {
		names = append(names, a.String())
	}
	want := []string{wire.ActionViewContacts, wire.ActionOpenSupport, wire.ActionDiscussAccount, wire.ActionManageBilling,
		wire.ActionEditContact, wire.ActionGrantRole, wire.ActionRevokeRole, wire.ActionManageSlots, wire.ActionManageConsent,
		wire.ActionManageGroups, wire.ActionSendInvitations, wire.ActionSubmitChanges, wire.ActionConfirmReview,
		wire.ActionViewAudit, wire.ActionTransferOwnership, wire.ActionCloseAccount}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("policy action names (-wire +policy):\n%s", diff)
	}
}

// directPolicy is testPolicy in direct change mode.
func directPolicy(t testing.TB) *policy.Policy {
	t.Helper()
	cfg := testPolicy(t).Config()
	cfg.ChangeMode = policy.Direct
	pol, err := policy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// TestWire_constants keeps the wire package's mirrored names in step with
// the domain's: change modes, change-set states, edit kinds, directory
// filters, invitation modes and the new-contact reference.
func TestWire_constants(t *testing.T) {
	pairs := []struct{ wire, domain string }{
		{wire.ChangeModeDirect, string(policy.Direct)}, {wire.ChangeModeReview, string(policy.Review)},
		{wire.ChangeDraft, string(contacts.Draft)}, {wire.ChangeSubmitted, string(contacts.Submitted)},
		{wire.ChangeQueried, string(contacts.Queried)}, {wire.ChangeAnswered, string(contacts.Answered)},
		{wire.ChangeApplied, string(contacts.Applied)}, {wire.ChangeRejected, string(contacts.Rejected)},
		{wire.ChangeCancelled, string(contacts.Cancelled)},
		{wire.EditAddContact, string(contacts.EditAddContact)}, {wire.EditContact, string(contacts.EditFields)},
		{wire.EditGrantRole, string(contacts.EditGrantRole)}, {wire.EditRevokeRole, string(contacts.EditRevokeRole)},
		{wire.EditRemoveContact, string(contacts.EditRemoveContact)}, {wire.EditAssignSlot, string(contacts.EditAssignSlot)},
		{wire.FilterAll, string(contacts.FilterAll)}, {wire.FilterInternal, string(contacts.FilterInternal)},
		{wire.FilterTeams, string(contacts.FilterTeams)}, {wire.FilterClients, string(contacts.FilterClients)},
		{wire.FilterAvailableClients, string(contacts.FilterAvailableClients)}, {wire.FilterClientGroups, string(contacts.FilterClientGroups)},
		{wire.InviteWorkspace, string(contacts.InviteWorkspace)}, {wire.InviteContacts, string(contacts.InviteContacts)},
		{wire.InviteQuiet, string(contacts.InviteQuiet)},
		{wire.NewRef, contacts.NewRef},
	}
	for _, p := range pairs {
		if p.wire != p.domain {
			t.Errorf("wire says %q, the domain %q", p.wire, p.domain)
		}
	}
}

// TestMe_contactsConfirmed: a new org has not confirmed its contacts, so
// /me says no default-granted purpose is in force yet; confirming the
// review changes that.
func TestMe_contactsConfirmed(t *testing.T) {
	f := newFixture(t)
	res := f.send(t, "vendor", req{method: "POST", path: "/orgs",
		body: `{"id":"fresh","name":"Fresh","owner":{"name":"Fay","email":"fay@fresh.example"}}`}, http.StatusCreated)
	var created wire.CreatedOrg
	res.decode(t, &created)
	var me wire.Me
	f.send(t, "vendor", req{method: "GET", path: "/orgs/fresh/me"}, http.StatusOK).decode(t, &me)
	if me.ContactsConfirmed {
		t.Errorf("a new org: contacts_confirmed true, want false")
	}
	f.send(t, "vendor", req{method: "POST", path: "/orgs/fresh/review"}, http.StatusOK)
	f.send(t, "vendor", req{method: "GET", path: "/orgs/fresh/me"}, http.StatusOK).decode(t, &me)
	if !me.ContactsConfirmed {
		t.Errorf("after confirming: contacts_confirmed false, want true")
	}
}
