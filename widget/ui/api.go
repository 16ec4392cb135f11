package ui

import (
	"context"
	"net/url"
	"strconv"

	"github.com/liaisonhq/liaison/widget/wire"
)

// The API's routes, one method each. Reads return the version their ETag
// names where the resource has one; updates take the version read and send
// it in If-Match; creates send an Idempotency-Key.

// Me returns who the viewer is in org and what it may do there.
func (c *Client) Me(ctx context.Context, org string) (wire.Me, error) {
	var out wire.Me
	_, err := c.do(ctx, "GET", orgPath(org, "me"), &out)
	return out, err
}

// Directory returns one page of the org's directory.
func (c *Client) Directory(ctx context.Context, org string, q DirectoryQuery) (wire.DirectoryPage, error) {
	var out wire.DirectoryPage
	_, err := c.do(ctx, "GET", orgPath(org, "directory"), &out, withQuery(q.Values()))
	return out, err
}

// Groups returns one page of the org's teams and client groups.
func (c *Client) Groups(ctx context.Context, org, after string) (wire.GroupPage, error) {
	var out wire.GroupPage
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	_, err := c.do(ctx, "GET", orgPath(org, "groups"), &out, withQuery(q))
	return out, err
}

// Contact returns one contact with its version.
func (c *Client) Contact(ctx context.Context, org, id string) (Versioned[wire.Contact], error) {
	var out wire.Contact
	v, err := c.do(ctx, "GET", orgPath(org, "contacts", id), &out)
	return Versioned[wire.Contact]{out, v}, err
}

// Overview returns what the directory shows about one contact.
func (c *Client) Overview(ctx context.Context, org, id string) (wire.Overview, error) {
	var out wire.Overview
	_, err := c.do(ctx, "GET", orgPath(org, "contacts", id, "overview"), &out)
	return out, err
}

// PatchContact changes some fields of a contact read at version.
func (c *Client) PatchContact(ctx context.Context, org, id string, version int64, p wire.ContactPatch) (Versioned[wire.Contact], error) {
	var out wire.Contact
	v, err := c.do(ctx, "PATCH", orgPath(org, "contacts", id), &out, withIfMatch(version), withBody(p))
	return Versioned[wire.Contact]{out, v}, err
}

// SetRole grants (grant true) or revokes a role of a contact read at
// version.
func (c *Client) SetRole(ctx context.Context, org, id, role string, version int64, grant bool) (Versioned[wire.Contact], error) {
	method := "DELETE"
	if grant {
		method = "PUT"
	}
	var out wire.Contact
	v, err := c.do(ctx, method, orgPath(org, "contacts", id, "roles", role), &out, withIfMatch(version))
	return Versioned[wire.Contact]{out, v}, err
}

// SetConsent grants or withdraws a contact's consent to a purpose, as a
// choice made in the widget.
func (c *Client) SetConsent(ctx context.Context, org, id, purpose string, granted bool) (Versioned[wire.Contact], error) {
	var out wire.Contact
	v, err := c.do(ctx, "PUT", orgPath(org, "contacts", id, "consent", purpose), &out,
		withBody(wire.ConsentChoice{Granted: &granted, Channel: wire.ChannelWidget}))
	return Versioned[wire.Contact]{out, v}, err
}

// RequestVerification sends the contact a link that verifies its address.
func (c *Client) RequestVerification(ctx context.Context, org, id string) error {
	_, err := c.do(ctx, "POST", orgPath(org, "contacts", id, "verification"), nil)
	return err
}

// Slots returns every configured slot of the org with its holders.
func (c *Client) Slots(ctx context.Context, org string) (wire.Slots, error) {
	var out wire.Slots
	_, err := c.do(ctx, "GET", orgPath(org, "slots"), &out)
	return out, err
}

// AssignSlot replaces a slot's holders, read at version.
func (c *Client) AssignSlot(ctx context.Context, org, slot string, version int64, holders []wire.Holder) (wire.Slot, error) {
	if holders == nil {
		holders = []wire.Holder{} // null is refused; empty removes them all
	}
	var out wire.Slot
	_, err := c.do(ctx, "PUT", orgPath(org, "slots", slot, "holders"), &out,
		withIfMatch(version), withBody(wire.SlotAssignment{Holders: holders}))
	return out, err
}

// Recipients returns whom a slot reaches, with the exclusions explained.
func (c *Client) Recipients(ctx context.Context, org, slot, purpose string) (wire.Recipients, error) {
	q := url.Values{"explain": {"true"}}
	if purpose != "" {
		q.Set("purpose", purpose)
	}
	var out wire.Recipients
	_, err := c.do(ctx, "GET", orgPath(org, "recipients", slot), &out, withQuery(q))
	return out, err
}

// Completeness returns what the org still has to do.
func (c *Client) Completeness(ctx context.Context, org string) (wire.Completeness, error) {
	var out wire.Completeness
	_, err := c.do(ctx, "GET", orgPath(org, "completeness"), &out)
	return out, err
}

// ConfirmReview records that the org's contacts are current, with no
// change: the periodic review in one step.
func (c *Client) ConfirmReview(ctx context.Context, org string) error {
	_, err := c.do(ctx, "POST", orgPath(org, "review"), nil)
	return err
}

// TransferOwnership hands the viewer's ownership to contact to, read at
// version.
func (c *Client) TransferOwnership(ctx context.Context, org, to string, version int64) (wire.Ownership, error) {
	var out wire.Ownership
	_, err := c.do(ctx, "POST", orgPath(org, "ownership"), &out, withIfMatch(version), withBody(wire.Transfer{To: to}))
	return out, err
}

// ChangeSets returns one page of the org's change sets.
func (c *Client) ChangeSets(ctx context.Context, org, after string) (wire.ChangeSetPage, error) {
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	var out wire.ChangeSetPage
	_, err := c.do(ctx, "GET", orgPath(org, "change-sets"), &out, withQuery(q))
	return out, err
}

// CreateChangeSet sends a batch of edits: applied at once in direct mode,
// kept as a draft to submit in review mode.
func (c *Client) CreateChangeSet(ctx context.Context, org string, edits []wire.Edit) (Versioned[wire.ChangeSet], error) {
	var out wire.ChangeSet
	v, err := c.do(ctx, "POST", orgPath(org, "change-sets"), &out, withIdempotencyKey(), withBody(wire.NewChangeSet{Edits: edits}))
	if v == 0 {
		v = out.Version
	}
	return Versioned[wire.ChangeSet]{out, v}, err
}

// ChangeSetView returns an open change set's current-versus-requested
// view.
func (c *Client) ChangeSetView(ctx context.Context, org, id string) (wire.ChangeSetView, error) {
	var out wire.ChangeSetView
	_, err := c.do(ctx, "GET", orgPath(org, "change-sets", id, "view"), &out)
	return out, err
}

// ChangeSetStep moves a change set read at version on: step is "submit",
// "cancel" or another step the API names. Only the steps that carry a
// comment ("query", "answer", "approve", "reject") send one; the others
// take no body, and comment is ignored for them.
func (c *Client) ChangeSetStep(ctx context.Context, org, id, step string, version int64, comment string) (wire.ChangeSet, error) {
	var out wire.ChangeSet
	opts := []option{withIfMatch(version)}
	if stepTakesComment(step) {
		opts = append(opts, withBody(wire.Comment{Text: comment}))
	}
	_, err := c.do(ctx, "POST", orgPath(org, "change-sets", id, step), &out, opts...)
	return out, err
}

// stepTakesComment reports whether a change set step's body is a comment.
func stepTakesComment(step string) bool {
	switch step {
	case "query", "answer", "approve", "reject":
		return true
	}
	return false
}

// Invite invites one person. The API answers 202 with no body, so that
// the answer never tells whether the address was known already.
func (c *Client) Invite(ctx context.Context, org string, in wire.NewInvitation) error {
	_, err := c.do(ctx, "POST", orgPath(org, "invitations"), nil, withIdempotencyKey(), withBody(in))
	return err
}

// InviteGroup invites every member of group who has not accepted yet.
func (c *Client) InviteGroup(ctx context.Context, org, group string, in wire.NewGroupInvitation) (wire.GroupInvited, error) {
	var out wire.GroupInvited
	_, err := c.do(ctx, "POST", orgPath(org, "groups", group, "invitations"), &out, withBody(in))
	return out, err
}

// Audit returns the audit events after sequence number after (0 for the
// first page), at most limit of them (0 for the API's default).
func (c *Client) Audit(ctx context.Context, org string, after uint64, limit int) (wire.AuditPage, error) {
	q := url.Values{}
	if after > 0 {
		q.Set("after", strconv.FormatUint(after, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out wire.AuditPage
	_, err := c.do(ctx, "GET", orgPath(org, "audit"), &out, withQuery(q))
	return out, err
}
