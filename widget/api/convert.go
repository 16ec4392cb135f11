package api

import (
	"slices"
	"strconv"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/widget/wire"
)

// Conversions between the domain types and their wire forms. The wire
// package cannot import contacts (the WebAssembly client must not link it),
// so the shapes are mirrored here, field by field.

func wireOrg(o contacts.Org) wire.Org {
	return wire.Org{
		ID: o.ID, Name: o.Name, Parent: o.Parent, AllowedEmailDomains: slices.Clone(o.AllowedEmailDomains),
		ConfirmedAt: o.ConfirmedAt, ReviewedAt: o.ReviewedAt, ClosedAt: o.ClosedAt,
		Version: o.Version, Created: o.Created, Updated: o.Updated,
	}
}

func wireContact(c contacts.Contact) wire.Contact {
	w := wire.Contact{
		Org: c.Org, ID: c.ID, Name: c.Name, Email: c.Email, Language: c.Language, Phone: c.Phone, Title: c.Title,
		Kind: string(c.Kind), Availability: string(c.Availability), AvailabilitySince: c.AvailabilitySince,
		Roles: slices.Clone(c.Roles), Groups: slices.Clone(c.Groups),
		Verification: string(c.Verification), Status: string(c.Status), ConfirmedAt: c.ConfirmedAt,
		Version: c.Version, Created: c.Created, Updated: c.Updated,
	}
	for _, s := range c.Consent {
		w.Consent = append(w.Consent, wire.ConsentState{Purpose: s.Purpose, Granted: s.Granted, At: s.At})
	}
	return w
}

func wireContacts(list []contacts.Contact) []wire.Contact {
	out := make([]wire.Contact, 0, len(list))
	for _, c := range list {
		out = append(out, wireContact(c))
	}
	return out
}

func wireGroup(g contacts.Group) wire.Group {
	return wire.Group{Org: g.Org, ID: g.ID, Name: g.Name, Kind: string(g.Kind), Version: g.Version, Created: g.Created, Updated: g.Updated}
}

func wireSlot(cfg policy.Slot, sh contacts.SlotHolders) wire.Slot {
	s := wire.Slot{
		Key: cfg.Key, Name: cfg.Name, Kind: string(cfg.Kind), Min: cfg.Min, Max: cfg.Max, Groups: cfg.Groups,
		Purpose: cfg.Purpose, FallbackToPrimary: cfg.FallbackToPrimary, RequireVerified: cfg.RequireVerified,
		Holders: make([]wire.Holder, 0, len(sh.Holders)), Version: sh.Version, Updated: sh.Updated,
	}
	for _, h := range sh.Holders {
		s.Holders = append(s.Holders, wire.Holder{Kind: string(h.Kind), ID: h.ID, Until: h.Until})
	}
	return s
}

func wireConsentRecord(r contacts.ConsentRecord) wire.ConsentRecord {
	return wire.ConsentRecord{
		Org: r.Org, ID: r.ID, Contact: r.Contact, Purpose: r.Purpose, Granted: r.Granted, Actor: r.Actor, Self: r.Self,
		Channel: string(r.Channel), LegalBasis: string(r.LegalBasis), ConfigVersion: r.ConfigVersion,
		TextHash: r.TextHash, Time: r.Time, RequestID: r.RequestID,
	}
}

func wireFinding(f contacts.Finding) wire.Finding {
	return wire.Finding{Kind: string(f.Kind), Severity: string(f.Severity), Slot: f.Slot, Contact: f.Contact, Field: f.Field, Message: f.Message}
}

func wireRecipients(r contacts.RecipientReport, explain bool) wire.Recipients {
	out := wire.Recipients{Org: r.Org, Slot: r.Slot, Purpose: r.Purpose, Source: r.Source, Fallback: r.Fallback,
		Recipients: make([]wire.Recipient, 0, len(r.Recipients))}
	for _, p := range r.Recipients {
		w := wire.Recipient{Org: p.Org, Contact: p.Contact, Name: p.Name, Email: p.Email, Language: p.Language,
			Reasons: make([]wire.Reason, 0, len(p.Reasons))}
		for _, why := range p.Reasons {
			w.Reasons = append(w.Reasons, wire.Reason{Slot: why.Slot, Position: why.Position, Group: why.Group,
				InheritedFrom: why.InheritedFrom, Fallback: why.Fallback})
		}
		out.Recipients = append(out.Recipients, w)
	}
	if explain {
		out.Excluded = make([]wire.Exclusion, 0, len(r.Excluded))
		for _, e := range r.Excluded {
			out.Excluded = append(out.Excluded, wire.Exclusion{Org: e.Org, Contact: e.Contact, Name: e.Name, Reason: e.Reason})
		}
	}
	return out
}

func wireAuditEvent(e contacts.AuditEvent) wire.AuditEvent {
	return wire.AuditEvent{
		Org: e.Org, Seq: e.Seq, Time: e.Time, Actor: e.Actor, Action: e.Action, Target: e.Target, RequestID: e.RequestID,
		Before: e.Before, After: e.After, Salt: e.Salt, DataDigest: e.DataDigest, Prev: e.Prev, Hash: e.Hash,
	}
}

func wireAddresses(list []contacts.Address) []wire.Address {
	out := make([]wire.Address, 0, len(list))
	for _, a := range list {
		out = append(out, wire.Address{Name: a.Name, Email: a.Email, Language: a.Language})
	}
	return out
}

func seqCursor(seq uint64) string { return strconv.FormatUint(seq, 10) }

func newContact(n wire.NewContact) contacts.NewContact {
	return contacts.NewContact{
		Name: n.Name, Email: n.Email, Language: n.Language, Phone: n.Phone, PhoneRegion: n.PhoneRegion,
		Title: n.Title, Kind: contacts.Kind(n.Kind), Availability: contacts.Availability(n.Availability),
	}
}

func contactPatch(p wire.ContactPatch) contacts.ContactPatch {
	out := contacts.ContactPatch{
		Name: p.Name, Email: p.Email, Language: p.Language, Phone: p.Phone, PhoneRegion: p.PhoneRegion, Title: p.Title,
	}
	if p.Kind != nil {
		k := contacts.Kind(*p.Kind)
		out.Kind = &k
	}
	if p.Availability != nil {
		a := contacts.Availability(*p.Availability)
		out.Availability = &a
	}
	return out
}

func newOrg(n wire.NewOrg) contacts.NewOrg {
	return contacts.NewOrg{ID: n.ID, Name: n.Name, Parent: n.Parent,
		AllowedEmailDomains: slices.Clone(n.AllowedEmailDomains), Owner: newContact(n.Owner)}
}

func orgPatch(p wire.OrgPatch) contacts.OrgPatch {
	out := contacts.OrgPatch{Name: p.Name}
	if p.AllowedEmailDomains != nil {
		d := slices.Clone(*p.AllowedEmailDomains)
		out.AllowedEmailDomains = &d
	}
	return out
}

func groupPatch(p wire.GroupPatch) contacts.GroupPatch {
	out := contacts.GroupPatch{Name: p.Name}
	if p.Kind != nil {
		k := contacts.GroupKind(*p.Kind)
		out.Kind = &k
	}
	return out
}

func holders(list []wire.Holder) []contacts.Holder {
	out := make([]contacts.Holder, 0, len(list))
	for _, h := range list {
		out = append(out, contacts.Holder{Kind: contacts.HolderKind(h.Kind), ID: h.ID, Until: h.Until})
	}
	return out
}
