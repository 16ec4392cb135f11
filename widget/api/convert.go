package api

import (
	"encoding/json"
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
		Withheld: r.Withheld, Recipients: make([]wire.Recipient, 0, len(r.Recipients))}
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

func wireOverview(o contacts.Overview) wire.Overview {
	out := wire.Overview{Contact: wireContact(o.Contact), Groups: make([]wire.Group, 0, len(o.Groups))}
	for _, g := range o.Groups {
		out.Groups = append(out.Groups, wireGroup(g))
	}
	// nil stays nil: the host has no such hook.
	if o.Workspaces != nil {
		out.Workspaces = make([]wire.Workspace, 0, len(o.Workspaces))
		for _, w := range o.Workspaces {
			out.Workspaces = append(out.Workspaces, wire.Workspace{ID: w.ID, Name: w.Name, URL: w.URL})
		}
	}
	if o.Actions != nil {
		out.Actions = make([]wire.QuickAction, 0, len(o.Actions))
		for _, a := range o.Actions {
			out.Actions = append(out.Actions, wire.QuickAction{Kind: a.Kind, Label: a.Label, URL: a.URL})
		}
	}
	return out
}

func wireHolders(list []contacts.Holder) []wire.Holder {
	out := make([]wire.Holder, 0, len(list))
	for _, h := range list {
		out = append(out, wire.Holder{Kind: string(h.Kind), ID: h.ID, Until: h.Until})
	}
	return out
}

func wireEdit(e contacts.Edit) wire.Edit {
	w := wire.Edit{Kind: string(e.Kind), Contact: e.Contact, Version: e.Version, Role: e.Role, Slot: e.Slot}
	if e.New != nil {
		n := wireNewContact(*e.New)
		w.New = &n
	}
	if e.Patch != nil {
		p := wireContactPatch(*e.Patch)
		w.Patch = &p
	}
	if e.Holders != nil {
		w.Holders = wireHolders(e.Holders)
	}
	return w
}

func wireNewContact(n contacts.NewContact) wire.NewContact {
	return wire.NewContact{Name: n.Name, Email: n.Email, Language: n.Language, Phone: n.Phone, PhoneRegion: n.PhoneRegion,
		Title: n.Title, Kind: string(n.Kind), Availability: string(n.Availability)}
}

func wireContactPatch(p contacts.ContactPatch) wire.ContactPatch {
	out := wire.ContactPatch{Name: p.Name, Email: p.Email, Language: p.Language, Phone: p.Phone, PhoneRegion: p.PhoneRegion, Title: p.Title}
	if p.Kind != nil {
		k := string(*p.Kind)
		out.Kind = &k
	}
	if p.Availability != nil {
		a := string(*p.Availability)
		out.Availability = &a
	}
	return out
}

func wireChangeSet(cs contacts.ChangeSet) wire.ChangeSet {
	out := wire.ChangeSet{Org: cs.Org, ID: cs.ID, State: string(cs.State), Requester: cs.Requester,
		Edits: make([]wire.Edit, 0, len(cs.Edits)), Ticket: cs.Ticket, CreatedContacts: slices.Clone(cs.CreatedContacts),
		DecidedBy: cs.DecidedBy, Version: cs.Version, Created: cs.Created, Updated: cs.Updated}
	for _, e := range cs.Edits {
		out.Edits = append(out.Edits, wireEdit(e))
	}
	for _, cm := range cs.Comments {
		out.Comments = append(out.Comments, wire.ChangeSetComment{Author: cm.Author, Text: cm.Text, State: string(cm.State), Time: cm.Time})
	}
	return out
}

func wireChangeSetView(v contacts.ChangeSetView) wire.ChangeSetView {
	out := wire.ChangeSetView{ChangeSet: wireChangeSet(v.ChangeSet),
		Contacts: make([]wire.ContactChange, 0, len(v.Contacts)), Slots: make([]wire.SlotChange, 0, len(v.Slots))}
	for _, ch := range v.Contacts {
		w := wire.ContactChange{Contact: ch.Contact, Fields: make([]wire.FieldDiff, 0, len(ch.Fields))}
		if ch.Current != nil {
			c := wireContact(*ch.Current)
			w.Current = &c
		}
		if ch.Requested != nil {
			c := wireContact(*ch.Requested)
			w.Requested = &c
		}
		for _, f := range ch.Fields {
			w.Fields = append(w.Fields, wire.FieldDiff{Field: f.Field, Current: rawValue(f.Current), Requested: rawValue(f.Requested)})
		}
		out.Contacts = append(out.Contacts, w)
	}
	for _, sc := range v.Slots {
		out.Slots = append(out.Slots, wire.SlotChange{Slot: sc.Slot, Current: wireHolders(sc.Current.Holders), Requested: wireHolders(sc.Requested.Holders)})
	}
	if v.Problem != nil {
		out.Problem = &wire.ProblemField{Pointer: v.Problem.Path, Detail: v.Problem.Message}
	}
	return out
}

// rawValue encodes one field's value of a contact as JSON; nil, where the
// contact does not exist on that side, stays absent. The values are those
// of contacts.Contact's fields, whose JSON forms are the wire's.
func rawValue(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return b
}

func wireInvitation(inv contacts.Invitation) wire.Invitation {
	return wire.Invitation{Org: inv.Org, ID: inv.ID, Contact: inv.Contact, Role: inv.Role, Mode: string(inv.Mode),
		Workspace: inv.Workspace, InvitedBy: inv.InvitedBy, Created: inv.Created, Expires: inv.Expires,
		Accepted: inv.Accepted, Revoked: inv.Revoked, Version: inv.Version}
}

func edits(list []wire.Edit) []contacts.Edit {
	out := make([]contacts.Edit, 0, len(list))
	for _, e := range list {
		ce := contacts.Edit{Kind: contacts.EditKind(e.Kind), Contact: e.Contact, Version: e.Version, Role: e.Role, Slot: e.Slot}
		if e.New != nil {
			n := newContact(*e.New)
			ce.New = &n
		}
		if e.Patch != nil {
			p := contactPatch(*e.Patch)
			ce.Patch = &p
		}
		if e.Holders != nil {
			ce.Holders = holders(e.Holders)
		}
		out = append(out, ce)
	}
	return out
}
