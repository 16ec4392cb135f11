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

// consentConfig adds a consent-basis purpose with double opt-in.
func consentConfig() policy.Config {
	cfg := policy.Default()
	cfg.Purposes = append(cfg.Purposes, policy.Purpose{Key: "newsletter", LegalBasis: policy.Consent, DoubleOptIn: true,
		Text: "Send me the monthly newsletter."})
	cfg.Slots = append(cfg.Slots, policy.Slot{Key: "newsletter", Kind: policy.TopicSection, Purpose: "newsletter"})
	return cfg
}

func TestService_SetConsent(t *testing.T) {
	ctx := context.Background()
	f, box := newNotifyingFixture(t, consentConfig())

	// Admins withdraw for others but never grant consent-basis purposes.
	if _, err := f.svc.SetConsent(ctx, f.as(f.admin), "acme", f.norm.ID, "usage_interviews", false, contacts.ChannelWidget); err != nil {
		t.Errorf("admin withdrawing for Nina: %v", err)
	}
	_, err := f.svc.SetConsent(ctx, f.as(f.admin), "acme", f.norm.ID, "newsletter", true, contacts.ChannelWidget)
	if fe, ok := errors.AsType[*contacts.ForbiddenError](err); !ok || fe.Rule != contacts.RuleConsentBySelf {
		t.Errorf("admin granting consent for Nina: %v", err)
	}
	if _, err := f.svc.SetConsent(ctx, f.as(f.business), "acme", f.norm.ID, "usage_interviews", true, contacts.ChannelWidget); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("business changing Nina's consent: %v", err)
	}
	if _, err := f.svc.SetConsent(ctx, f.as(f.admin), "acme", f.owner.ID, "usage_interviews", false, contacts.ChannelWidget); !errors.Is(err, contacts.ErrForbidden) {
		t.Errorf("admin changing the owner's consent (B2): %v", err)
	}
	for _, tt := range []struct{ purpose, channel string }{{"spam", "widget"}, {"usage_interviews", "carrier-pigeon"}} {
		if _, err := f.svc.SetConsent(ctx, f.as(f.norm), "acme", f.norm.ID, tt.purpose, true, contacts.Channel(tt.channel)); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("purpose %s channel %s: %v, want invalid", tt.purpose, tt.channel, err)
		}
	}

	// Nina's own double opt-in: pending until she confirms from the link.
	c, err := f.svc.SetConsent(ctx, f.as(f.norm), "acme", f.norm.ID, "newsletter", true, contacts.ChannelWidget)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.ConsentFor("newsletter"); ok {
		t.Error("double opt-in granted before confirmation")
	}
	secret := box.secret(t)
	if c, err = f.svc.ConfirmConsent(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if st, ok := c.ConsentFor("newsletter"); !ok || !st.Granted {
		t.Errorf("after confirmation: %+v", c.Consent)
	}
	if _, err := f.svc.ConfirmConsent(ctx, secret); !errors.Is(err, contacts.ErrInvalid) {
		t.Errorf("reusing the link: %v", err)
	}

	hist, err := f.svc.ConsentHistory(ctx, f.as(f.norm), "acme", f.norm.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 {
		t.Fatalf("history = %+v, want the admin's withdrawal and Nina's grant", hist)
	}
	w, g := hist[0], hist[1]
	if w.Granted || w.Self || w.Actor != f.admin.ID || w.Channel != contacts.ChannelWidget || w.LegalBasis != policy.LegitimateInterest {
		t.Errorf("withdrawal record = %+v", w)
	}
	if !g.Granted || !g.Self || g.LegalBasis != policy.Consent || g.ConfigVersion != "default-1" || g.TextHash != contacts.TextHash("Send me the monthly newsletter.") {
		t.Errorf("grant record = %+v", g)
	}
}

func TestService_ConfirmConsent_expiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f, box := newNotifyingFixture(t, consentConfig())
		if _, err := f.svc.SetConsent(ctx, f.as(f.norm), "acme", f.norm.ID, "newsletter", true, contacts.ChannelAPI); err != nil {
			t.Fatal(err)
		}
		secret := box.secret(t)
		time.Sleep(8 * 24 * time.Hour)
		if _, err := f.svc.ConfirmConsent(ctx, secret); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("an expired link: %v", err)
		}
	})
}

func TestService_VerifyAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f, box := newNotifyingFixture(t, policy.Default())
		if err := f.svc.RequestVerification(ctx, f.as(f.norm), "acme", f.norm.ID); err != nil {
			t.Fatal(err)
		}
		expired := box.secret(t)
		time.Sleep(73 * time.Hour)
		if _, err := f.svc.VerifyAddress(ctx, expired); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("expired link: %v", err)
		}
		if err := f.svc.RequestVerification(ctx, f.as(f.admin), "acme", f.norm.ID); err != nil {
			t.Fatal(err)
		}
		secret := box.secret(t)
		c, err := f.svc.VerifyAddress(ctx, secret)
		if err != nil || c.Verification != contacts.Verified {
			t.Fatalf("verify: %+v, %v", c.Verification, err)
		}
		if _, err := f.svc.VerifyAddress(ctx, secret); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("reused link: %v", err)
		}
		if _, err := f.svc.VerifyAddress(ctx, "made-up"); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("unknown link: %v", err)
		}
		// A link sent to an address the contact no longer has is useless,
		// and a changed address is unverified again.
		if err := f.svc.RequestVerification(ctx, f.as(f.norm), "acme", f.norm.ID); err != nil {
			t.Fatal(err)
		}
		old := box.secret(t)
		email := "nina.new@acme.example"
		c, err = f.svc.UpdateContact(ctx, f.as(f.norm), "acme", c.ID, c.Version, contacts.ContactPatch{Email: &email})
		if err != nil || c.Verification != contacts.Unverified {
			t.Fatalf("after changing the address: %v, %v", c.Verification, err)
		}
		if _, err := f.svc.VerifyAddress(ctx, old); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("link to the old address: %v", err)
		}
	})
}

func TestService_reviews(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		f, box := newNotifyingFixture(t, policy.Default())
		if due, err := f.svc.DueReminders(ctx, time.Now()); err != nil || len(due) != 0 {
			t.Fatalf("fresh org: %+v, %v", due, err)
		}
		time.Sleep(24 * time.Hour * 93) // three months and a bit
		due, err := f.svc.DueReminders(ctx, time.Now())
		if err != nil || len(due) != 1 {
			t.Fatalf("after 3 months: %+v, %v", due, err)
		}
		var emails []string
		for _, a := range due[0].Admins {
			emails = append(emails, a.Email)
		}
		if len(emails) != 2 {
			t.Errorf("admins to remind = %v, want Alice and Olga", emails)
		}
		findings, err := f.svc.Completeness(ctx, f.as(f.norm), "acme")
		if err != nil {
			t.Fatal(err)
		}
		if !hasFinding(findings, contacts.ReviewOverdue) || !hasFinding(findings, contacts.StaleContact) {
			t.Errorf("findings lack the overdue review or stale contacts: %+v", findings)
		}
		if _, err := f.svc.RemindDue(ctx, time.Now()); err != nil {
			t.Fatal(err)
		}
		if m := box.last(t); m.Kind != contacts.ReviewReminder || len(m.To) != 2 {
			t.Errorf("reminder = %+v", m)
		}
		if _, err := f.svc.ConfirmReview(ctx, f.as(f.business), "acme"); !errors.Is(err, contacts.ErrForbidden) {
			t.Errorf("business confirming: %v", err)
		}
		if _, err := f.svc.ConfirmReview(ctx, f.as(f.admin), "acme"); err != nil {
			t.Fatal(err)
		}
		if due, _ := f.svc.DueReminders(ctx, time.Now()); len(due) != 0 {
			t.Errorf("after confirming: %+v", due)
		}
		findings, _ = f.svc.Completeness(ctx, f.as(f.norm), "acme")
		if hasFinding(findings, contacts.ReviewOverdue) || hasFinding(findings, contacts.StaleContact) {
			t.Errorf("after confirming, findings still list the review: %+v", findings)
		}
	})
}

func hasFinding(fs []contacts.Finding, k contacts.FindingKind) bool {
	for _, f := range fs {
		if f.Kind == k {
			return true
		}
	}
	return false
}

func TestService_Completeness(t *testing.T) {
	ctx := context.Background()
	cfg := policy.Default()
	cfg.MandatoryFields = []policy.Field{policy.FieldPhone}
	cfg.SeparationOfDuties = []policy.RolePair{{Roles: [2]string{"business", "admin"}, Reason: "who pays should not approve"}}
	f, _ := newNotifyingFixture(t, cfg)
	a := f.reload(t, f.admin)
	if _, err := f.svc.GrantRole(ctx, f.as(f.owner), "acme", a.ID, a.Version, "business"); err != nil {
		t.Fatal(err)
	}
	findings, err := f.svc.Completeness(ctx, f.as(f.norm), "acme")
	if err != nil {
		t.Fatal(err)
	}
	count := map[contacts.FindingKind]int{}
	for _, fd := range findings {
		count[fd.Kind]++
	}
	want := map[contacts.FindingKind]int{
		contacts.SlotBelowMin:       6, // every default slot but integrations
		contacts.MissingField:       4, // nobody has a phone
		contacts.SeparationOfDuties: 1,
		contacts.NeverConfirmed:     1,
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s findings = %d, want %d (all: %+v)", k, count[k], n, findings)
		}
	}
	if count[contacts.TooFewAdmins] != 0 {
		t.Error("Alice and Olga are two admins, yet too_few_admins was reported")
	}
	// With Alice demoted the org has one admin left.
	a = f.reload(t, a)
	if _, err := f.svc.RevokeRole(ctx, f.as(f.owner), "acme", a.ID, a.Version, "admin"); err != nil {
		t.Fatal(err)
	}
	findings, _ = f.svc.Completeness(ctx, f.as(f.norm), "acme")
	if !hasFinding(findings, contacts.TooFewAdmins) {
		t.Errorf("one admin left, no too_few_admins: %+v", findings)
	}
}
