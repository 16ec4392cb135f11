package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/schema"
	"github.com/liaisonhq/liaison/widget/wire"
)

// The route handlers. Each calls one Service operation (a listing of slots
// calls one per slot) with the call's actor, and converts the answer; the
// Service decides what is allowed.

var openAPIDocument = schema.OpenAPI()

func (h *handler) openAPI(c *call) error {
	c.w.Header().Set("Content-Type", wire.MediaJSON)
	c.w.Header().Set("Content-Length", strconv.Itoa(len(openAPIDocument)))
	c.w.WriteHeader(http.StatusOK)
	c.w.Write(openAPIDocument)
	return nil
}

// Orgs.

func (h *handler) listOrgs(c *call) error {
	page, err := c.page()
	if err != nil {
		return err
	}
	list, next, err := h.svc.Orgs(c.r.Context(), c.actor, page)
	if err != nil {
		return err
	}
	out := wire.OrgPage{Items: make([]wire.Org, 0, len(list)), Next: next}
	for _, o := range list {
		out.Items = append(out.Items, wireOrg(o))
	}
	return c.reply(http.StatusOK, out)
}

func (h *handler) createOrg(c *call) error {
	in := c.in.(*wire.NewOrg)
	return c.idempotently(func() error {
		o, owner, err := h.svc.CreateOrg(c.r.Context(), c.actor, newOrg(*in))
		if err != nil {
			return err
		}
		c.w.Header().Set("Location", c.location("orgs", o.ID))
		return c.replyVersioned(http.StatusCreated, wire.CreatedOrg{Org: wireOrg(o), Owner: wireContact(owner)}, o.Version)
	})
}

func (h *handler) getOrg(c *call) error {
	o, err := h.svc.Org(c.r.Context(), c.actor, c.org)
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireOrg(o), o.Version)
}

func (h *handler) orgVersion(c *call) func() (int64, error) {
	return func() (int64, error) {
		o, err := h.svc.Org(c.r.Context(), c.actor, c.org)
		return o.Version, err
	}
}

func (h *handler) patchOrg(c *call) error {
	in := c.in.(*wire.OrgPatch)
	o, err := h.svc.UpdateOrg(c.r.Context(), c.actor, c.org, c.version, orgPatch(*in))
	if err != nil {
		return c.precondition(err, h.orgVersion(c))
	}
	return c.replyVersioned(http.StatusOK, wireOrg(o), o.Version)
}

func (h *handler) confirmReview(c *call) error {
	o, err := h.svc.ConfirmReview(c.r.Context(), c.actor, c.org)
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireOrg(o), o.Version)
}

func (h *handler) completeness(c *call) error {
	list, err := h.svc.Completeness(c.r.Context(), c.actor, c.org)
	if err != nil {
		return err
	}
	out := wire.Completeness{Findings: make([]wire.Finding, 0, len(list))}
	for _, f := range list {
		out.Findings = append(out.Findings, wireFinding(f))
	}
	return c.reply(http.StatusOK, out)
}

func (h *handler) transferOwnership(c *call) error {
	in := c.in.(*wire.Transfer)
	if in.To == "" {
		return &contacts.InvalidError{Fields: []contacts.FieldError{{Path: "/to", Message: "is required: the ID of the new owner"}}}
	}
	from, to, err := h.svc.TransferOwnership(c.r.Context(), c.actor, c.org, in.To, c.version)
	if err != nil {
		return c.precondition(err, h.contactVersion(c, in.To))
	}
	return c.reply(http.StatusOK, wire.Ownership{From: wireContact(from), To: wireContact(to)})
}

func (h *handler) reportBounce(c *call) error {
	in := c.in.(*wire.Bounce)
	ct, err := h.svc.ReportBounce(c.r.Context(), c.actor, c.org, in.Email)
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireContact(ct), ct.Version)
}

// Contacts.

func (h *handler) listContacts(c *call) error {
	ctx := c.r.Context()
	if c.query.Has("email") {
		if c.query.Has("after") || c.query.Has("limit") {
			return malformedParam("email", "cannot be combined with after or limit: it finds one contact")
		}
		// The org itself must exist and be readable, so that "no contact
		// with this address" is never confused with "no such org".
		if _, err := h.svc.Org(ctx, c.actor, c.org); err != nil {
			return err
		}
		out := wire.ContactPage{Items: []wire.Contact{}}
		ct, err := h.svc.ContactByEmail(ctx, c.actor, c.org, c.query.Get("email"))
		switch {
		case errors.Is(err, contacts.ErrNotFound):
		case err != nil:
			return err
		default:
			out.Items = append(out.Items, wireContact(ct))
		}
		return c.reply(http.StatusOK, out)
	}
	page, err := c.page()
	if err != nil {
		return err
	}
	list, next, err := h.svc.Contacts(ctx, c.actor, c.org, page)
	if err != nil {
		return err
	}
	// As c.reply(wire.ContactPage{Items: wireContacts(list), Next: next})
	// writes it, without reflection (see jsonenc.go).
	return c.replyAppended(http.StatusOK, func(b []byte) ([]byte, error) {
		return appendContactPageJSON(b, "items", list, next)
	})
}

func (h *handler) createContact(c *call) error {
	in := c.in.(*wire.NewContact)
	return c.idempotently(func() error {
		ct, err := h.svc.CreateContact(c.r.Context(), c.actor, c.org, newContact(*in))
		if err != nil {
			return err
		}
		c.w.Header().Set("Location", c.location("orgs", c.org, "contacts", ct.ID))
		return c.replyVersioned(http.StatusCreated, wireContact(ct), ct.Version)
	})
}

func (h *handler) getContact(c *call) error {
	ct, err := h.svc.Contact(c.r.Context(), c.actor, c.org, c.path("id"))
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireContact(ct), ct.Version)
}

func (h *handler) contactVersion(c *call, id string) func() (int64, error) {
	return func() (int64, error) {
		ct, err := h.svc.Contact(c.r.Context(), c.actor, c.org, id)
		return ct.Version, err
	}
}

func (h *handler) patchContact(c *call) error {
	in := c.in.(*wire.ContactPatch)
	id := c.path("id")
	ct, err := h.svc.UpdateContact(c.r.Context(), c.actor, c.org, id, c.version, contactPatch(*in))
	if err != nil {
		return c.precondition(err, h.contactVersion(c, id))
	}
	return c.replyVersioned(http.StatusOK, wireContact(ct), ct.Version)
}

func (h *handler) deleteContact(c *call) error {
	id := c.path("id")
	if err := h.svc.DeleteContact(c.r.Context(), c.actor, c.org, id, c.version); err != nil {
		return c.precondition(err, h.contactVersion(c, id))
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) grantRole(c *call) error {
	id := c.path("id")
	ct, err := h.svc.GrantRole(c.r.Context(), c.actor, c.org, id, c.version, c.path("role"))
	if err != nil {
		return c.precondition(err, h.contactVersion(c, id))
	}
	return c.replyVersioned(http.StatusOK, wireContact(ct), ct.Version)
}

func (h *handler) revokeRole(c *call) error {
	id := c.path("id")
	ct, err := h.svc.RevokeRole(c.r.Context(), c.actor, c.org, id, c.version, c.path("role"))
	if err != nil {
		return c.precondition(err, h.contactVersion(c, id))
	}
	return c.replyVersioned(http.StatusOK, wireContact(ct), ct.Version)
}

func (h *handler) consentHistory(c *call) error {
	list, err := h.svc.ConsentHistory(c.r.Context(), c.actor, c.org, c.path("id"))
	if err != nil {
		return err
	}
	out := wire.ConsentHistory{Items: make([]wire.ConsentRecord, 0, len(list))}
	for _, r := range list {
		out.Items = append(out.Items, wireConsentRecord(r))
	}
	return c.reply(http.StatusOK, out)
}

// setConsent records a choice made through the API or the widget; the
// import and invitation channels belong to other paths.
func (h *handler) setConsent(c *call) error {
	in := c.in.(*wire.ConsentChoice)
	var fields []wire.ProblemField
	if in.Granted == nil {
		fields = append(fields, wire.ProblemField{Pointer: "/granted", Detail: "is required: true grants, false withdraws"})
	}
	ch := contacts.ChannelAPI
	switch in.Channel {
	case "", wire.ChannelAPI:
	case wire.ChannelWidget:
		ch = contacts.ChannelWidget
	default:
		fields = append(fields, wire.ProblemField{Pointer: "/channel", Detail: `must be "api" or "widget"`})
	}
	if len(fields) > 0 {
		return &contacts.InvalidError{Fields: fieldErrors(fields)}
	}
	purpose := c.path("purpose")
	ct, err := h.svc.SetConsent(c.r.Context(), c.actor, c.org, c.path("id"), purpose, *in.Granted, ch)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if st, ok := ct.ConsentFor(purpose); *in.Granted && (!ok || !st.Granted) {
		// A double opt-in: the grant waits for the person to confirm it
		// through the link just sent.
		status = http.StatusAccepted
	}
	return c.replyVersioned(status, wireContact(ct), ct.Version)
}

func fieldErrors(fields []wire.ProblemField) []contacts.FieldError {
	out := make([]contacts.FieldError, 0, len(fields))
	for _, f := range fields {
		out = append(out, contacts.FieldError{Path: f.Pointer, Message: f.Detail})
	}
	return out
}

func (h *handler) requestVerification(c *call) error {
	if err := h.svc.RequestVerification(c.r.Context(), c.actor, c.org, c.path("id")); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) verifyAddress(c *call) error {
	in := c.in.(*wire.Token)
	ct, err := h.svc.VerifyAddress(c.r.Context(), in.Token)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.Redeemed{Org: ct.Org, Contact: ct.ID, Result: "verified"})
}

func (h *handler) confirmConsent(c *call) error {
	in := c.in.(*wire.Token)
	ct, err := h.svc.ConfirmConsent(c.r.Context(), in.Token)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.Redeemed{Org: ct.Org, Contact: ct.ID, Result: "granted"})
}

// Groups.

func (h *handler) listGroups(c *call) error {
	items, next, err := listed(c, h.svc.Groups, wireGroup)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.GroupPage{Items: items, Next: next})
}

// listed reads the page parameters, lists one page of the org's items
// with list, and converts them with conv.
func listed[T, W any](c *call, list func(context.Context, contacts.Actor, string, contacts.Page) ([]T, string, error),
	conv func(T) W) ([]W, string, error) {
	page, err := c.page()
	if err != nil {
		return nil, "", err
	}
	items, next, err := list(c.r.Context(), c.actor, c.org, page)
	if err != nil {
		return nil, "", err
	}
	out := make([]W, 0, len(items))
	for _, it := range items {
		out = append(out, conv(it))
	}
	return out, next, nil
}

func (h *handler) createGroup(c *call) error {
	in := c.in.(*wire.NewGroup)
	return c.idempotently(func() error {
		g, err := h.svc.CreateGroup(c.r.Context(), c.actor, c.org, contacts.NewGroup{Name: in.Name, Kind: contacts.GroupKind(in.Kind)})
		if err != nil {
			return err
		}
		c.w.Header().Set("Location", c.location("orgs", c.org, "groups", g.ID))
		return c.replyVersioned(http.StatusCreated, wireGroup(g), g.Version)
	})
}

func (h *handler) getGroup(c *call) error {
	g, err := h.svc.Group(c.r.Context(), c.actor, c.org, c.path("id"))
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireGroup(g), g.Version)
}

func (h *handler) groupVersion(c *call, id string) func() (int64, error) {
	return func() (int64, error) {
		g, err := h.svc.Group(c.r.Context(), c.actor, c.org, id)
		return g.Version, err
	}
}

func (h *handler) patchGroup(c *call) error {
	in := c.in.(*wire.GroupPatch)
	id := c.path("id")
	g, err := h.svc.UpdateGroup(c.r.Context(), c.actor, c.org, id, c.version, groupPatch(*in))
	if err != nil {
		return c.precondition(err, h.groupVersion(c, id))
	}
	return c.replyVersioned(http.StatusOK, wireGroup(g), g.Version)
}

func (h *handler) deleteGroup(c *call) error {
	id := c.path("id")
	if err := h.svc.DeleteGroup(c.r.Context(), c.actor, c.org, id, c.version); err != nil {
		return c.precondition(err, h.groupVersion(c, id))
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listMembers(c *call) error {
	list, err := h.svc.GroupMembers(c.r.Context(), c.actor, c.org, c.path("id"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.Members{Items: wireContacts(list)})
}

// addMember and removeMember are set operations without a version: the
// Service makes them idempotent, so they need no If-Match.
func (h *handler) addMember(c *call) error {
	ct, err := h.svc.AddToGroup(c.r.Context(), c.actor, c.org, c.path("id"), c.path("contact"))
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireContact(ct), ct.Version)
}

func (h *handler) removeMember(c *call) error {
	ct, err := h.svc.RemoveFromGroup(c.r.Context(), c.actor, c.org, c.path("id"), c.path("contact"))
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireContact(ct), ct.Version)
}

// Slots.

func (h *handler) listSlots(c *call) error {
	slots := h.pol.Slots()
	out := wire.Slots{Items: make([]wire.Slot, 0, len(slots))}
	for _, cfg := range slots {
		sh, err := h.svc.SlotHolders(c.r.Context(), c.actor, c.org, cfg.Key)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, wireSlot(cfg, sh))
	}
	return c.reply(http.StatusOK, out)
}

func (h *handler) getSlot(c *call) error {
	key := c.path("slot")
	sh, err := h.svc.SlotHolders(c.r.Context(), c.actor, c.org, key)
	if err != nil {
		return err
	}
	cfg, _ := h.pol.Slot(key)
	return c.replyVersioned(http.StatusOK, wireSlot(cfg, sh), sh.Version)
}

func (h *handler) assignSlot(c *call) error {
	in := c.in.(*wire.SlotAssignment)
	if in.Holders == nil {
		return &contacts.InvalidError{Fields: []contacts.FieldError{{Path: "/holders",
			Message: "is required; an empty list removes every holder"}}}
	}
	key := c.path("slot")
	sh, err := h.svc.AssignSlot(c.r.Context(), c.actor, c.org, key, c.version, holders(in.Holders))
	if err != nil {
		return c.precondition(err, func() (int64, error) {
			cur, err := h.svc.SlotHolders(c.r.Context(), c.actor, c.org, key)
			return cur.Version, err
		})
	}
	cfg, _ := h.pol.Slot(key)
	return c.replyVersioned(http.StatusOK, wireSlot(cfg, sh), sh.Version)
}

func (h *handler) testMessage(c *call) error {
	sent, err := h.svc.SendTestMessage(c.r.Context(), c.actor, c.org, c.path("slot"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.TestMessage{Sent: wireAddresses(sent)})
}

// recipients answers "whom does this slot reach" through
// Service.SlotRecipients: members who manage slots, and the vendor. A
// member never sees the people of an ancestor org the holders are
// inherited from, only how many were withheld.
func (h *handler) recipients(c *call) error {
	explain := false
	switch v := c.query.Get("explain"); v {
	case "", "0", "false":
	case "1", "true":
		explain = true
	default:
		return malformedParam("explain", `must be "1", "true", "0" or "false"`)
	}
	rep, err := h.svc.SlotRecipients(c.r.Context(), c.actor, c.org, c.path("slot"), c.query.Get("purpose"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wireRecipients(rep, explain))
}

// Audit.

func (h *handler) auditEvents(c *call) error {
	var after uint64
	if c.query.Has("after") {
		n, err := strconv.ParseUint(c.query.Get("after"), 10, 64)
		if err != nil {
			return malformedParam("after", "must be the sequence number of an event")
		}
		after = n
	}
	limit := contacts.DefaultPageSize
	if c.query.Has("limit") {
		n, err := strconv.Atoi(c.query.Get("limit"))
		if err != nil {
			return malformedParam("limit", "must be a whole number")
		}
		limit = n
	}
	list, err := h.svc.AuditEvents(c.r.Context(), c.actor, c.org, after, limit)
	if err != nil {
		return err
	}
	out := wire.AuditPage{Items: make([]wire.AuditEvent, 0, len(list))}
	for _, e := range list {
		out.Items = append(out.Items, wireAuditEvent(e))
	}
	if len(list) > 0 && len(list) == limit {
		out.Next = seqCursor(list[len(list)-1].Seq)
	}
	return c.reply(http.StatusOK, out)
}

// exportAudit streams the trail as JSON Lines. The Service checks the
// actor before it writes a line, so a denial still answers as a problem;
// a failure in mid-stream aborts the response, so a client never takes a
// truncated export for a whole one.
func (h *handler) exportAudit(c *call) error {
	lw := &lazyWriter{w: c.w}
	err := h.svc.ExportAudit(c.r.Context(), c.actor, c.org, lw)
	if err != nil && lw.started {
		c.st.err = err
		panic(http.ErrAbortHandler)
	}
	if err != nil {
		return err
	}
	lw.start()
	return nil
}

// lazyWriter sends the export's headers with its first line.
type lazyWriter struct {
	w       http.ResponseWriter
	started bool
}

func (l *lazyWriter) start() {
	if !l.started {
		l.started = true
		l.w.Header().Set("Content-Type", wire.MediaNDJSON)
		l.w.Header().Set("Content-Disposition", `attachment; filename="audit.jsonl"`)
		l.w.WriteHeader(http.StatusOK)
	}
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	l.start()
	return l.w.Write(p)
}

func (h *handler) verifyAudit(c *call) error {
	var want *contacts.AuditHead
	if c.query.Has("seq") || c.query.Has("hash") {
		seq, err := strconv.ParseUint(c.query.Get("seq"), 10, 64)
		if err != nil {
			return malformedParam("seq", "must be the sequence number of the head you kept, given with hash")
		}
		if !c.query.Has("hash") {
			return malformedParam("hash", "must be the hash of the head you kept, given with seq")
		}
		want = &contacts.AuditHead{Seq: seq, Hash: c.query.Get("hash")}
	}
	head, err := h.svc.VerifyAudit(c.r.Context(), c.actor, c.org, want)
	if ce, ok := errors.AsType[*contacts.ChainError](err); ok {
		return c.reply(http.StatusOK, wire.AuditVerification{Valid: false, BrokenAt: ce.Seq, Reason: ce.Reason})
	}
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.AuditVerification{Valid: true, Head: wire.AuditHead{Seq: head.Seq, Hash: head.Hash}})
}
