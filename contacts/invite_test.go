package contacts_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
)

func TestInvite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f, box := newNotifyingFixture(t, policy.Default())
		admin := f.as(f.admin)
		req := contacts.InviteRequest{Contact: contacts.NewContact{Name: "Ivy", Email: "ivy@acme.example"}, Role: "business", Mode: contacts.InviteContacts}

		// Beyond the inviter's rank, or an unknown mode: refused.
		if err := f.svc.Invite(ctx, admin, "acme", contacts.InviteRequest{Contact: req.Contact, Role: "owner", Mode: contacts.InviteContacts}); !errors.Is(err, contacts.ErrForbidden) {
			t.Errorf("admin inviting an owner: %v", err)
		}
		if err := f.svc.Invite(ctx, admin, "acme", contacts.InviteRequest{Contact: req.Contact, Mode: "smoke-signal"}); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("bad mode: %v", err)
		}
		if err := f.svc.Invite(ctx, f.as(f.business), "acme", req); !errors.Is(err, contacts.ErrForbidden) {
			t.Errorf("business inviting: %v", err)
		}

		// D6: inviting an existing active contact answers exactly as a new
		// one, and sends nothing.
		sent := len(box.msgs)
		if err := f.svc.Invite(ctx, admin, "acme", contacts.InviteRequest{Contact: contacts.NewContact{Name: "Bob", Email: f.business.Email}, Mode: contacts.InviteContacts}); err != nil {
			t.Errorf("inviting an existing address: %v", err)
		}
		if len(box.msgs) != sent {
			t.Error("inviting an active contact sent a message")
		}

		if err := f.svc.Invite(ctx, admin, "acme", req); err != nil {
			t.Fatal(err)
		}
		first := box.secret(t)
		ivy, err := f.svc.ContactByEmail(ctx, admin, "acme", "ivy@acme.example")
		if err != nil || ivy.Status != contacts.Invited {
			t.Fatalf("Ivy: %+v, %v", ivy, err)
		}
		// Expired after 14 days.
		time.Sleep(15 * 24 * time.Hour)
		if _, err := f.svc.AcceptInvitation(ctx, first); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("expired link: %v", err)
		}
		// A fresh invitation; the inviter is demoted before acceptance, so
		// the business role is no longer theirs to give.
		if err := f.svc.Invite(ctx, admin, "acme", req); err != nil {
			t.Fatal(err)
		}
		second := box.secret(t)
		a := f.reload(t, f.admin)
		if _, err := f.svc.RevokeRole(ctx, f.as(f.owner), "acme", a.ID, a.Version, "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AcceptInvitation(ctx, second); !errors.Is(err, contacts.ErrForbidden) {
			t.Errorf("accepting after the inviter's demotion: %v", err)
		}
		a = f.reload(t, a)
		if _, err := f.svc.GrantRole(ctx, f.as(f.owner), "acme", a.ID, a.Version, "admin"); err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.AcceptInvitation(ctx, second)
		if err != nil || c.Status != contacts.Active || !c.HasRole("business") {
			t.Fatalf("accept: %+v, %v", c, err)
		}
		if _, err := f.svc.AcceptInvitation(ctx, second); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("reused link: %v", err)
		}
	})
}

func TestInvite_revokeAndLink(t *testing.T) {
	ctx := context.Background()
	f, box := newNotifyingFixture(t, policy.Default())
	admin := f.as(f.admin)
	if err := f.svc.Invite(ctx, admin, "acme", contacts.InviteRequest{Contact: contacts.NewContact{Name: "Rex", Email: "rex@acme.example"}, Mode: contacts.InviteContacts}); err != nil {
		t.Fatal(err)
	}
	secret := box.secret(t)
	invs, _, err := f.svc.Invitations(ctx, admin, "acme", contacts.Page{})
	if err != nil || len(invs) != 1 {
		t.Fatalf("invitations: %v, %v", invs, err)
	}
	if _, err := f.svc.RevokeInvitation(ctx, admin, "acme", invs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AcceptInvitation(ctx, secret); !errors.Is(err, contacts.ErrInvalid) {
		t.Errorf("revoked link: %v", err)
	}

	// The shareable link: signing up sends an invitation; rotating kills it.
	link, err := f.svc.RotateInviteLink(ctx, admin, "acme", "normal")
	if err != nil {
		t.Fatal(err)
	}
	old := secretOf(t, link)
	if err := f.svc.SignUp(ctx, old, contacts.NewContact{Name: "Sam", Email: "sam@acme.example"}); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.AcceptInvitation(ctx, box.secret(t))
	if err != nil || !c.HasRole("normal") {
		t.Fatalf("accepting the sign-up: %+v, %v", c, err)
	}
	// Signing up with a known address answers the same and sends nothing.
	sent := len(box.msgs)
	if err := f.svc.SignUp(ctx, old, contacts.NewContact{Name: "Sam again", Email: "SAM@acme.example"}); err != nil || len(box.msgs) != sent {
		t.Errorf("sign-up with a known address: %v, %d new messages", err, len(box.msgs)-sent)
	}
	if _, err := f.svc.RotateInviteLink(ctx, admin, "acme", "normal"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SignUp(ctx, old, contacts.NewContact{Name: "Tom", Email: "tom@acme.example"}); !errors.Is(err, contacts.ErrInvalid) {
		t.Errorf("the rotated-out link: %v", err)
	}
}

func secretOf(t *testing.T, link string) string {
	t.Helper()
	const p = "?token="
	for i := range len(link) - len(p) {
		if link[i:i+len(p)] == p {
			return link[i+len(p):]
		}
	}
	t.Fatalf("no token in %q", link)
	return ""
}
