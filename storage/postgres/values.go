package postgres

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
)

// How values map to columns: a zero time is NULL, every other time is kept
// to the microsecond and read back in UTC; a nil slice is an empty array
// and an empty array is read back as nil; holders and consent states are
// JSON arrays; audit data is the exact bytes.

// ts is the column value of t.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Truncate(time.Microsecond)
}

// fromTS is the time.Time of a column value.
func fromTS(v pgtype.Timestamptz) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return v.Time.UTC()
}

// strs is the array value of s: never NULL.
func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// text reports whether every s can be stored in a text column: PostgreSQL
// refuses a NUL byte and invalid UTF-8, and such an error would abort the
// transaction. Reads of such a value find nothing; writes are refused
// before they reach the server.
func text(s ...string) bool {
	for _, v := range s {
		if strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// checkText refuses a write whose strings PostgreSQL cannot store.
func checkText(what string, s ...string) error {
	if !text(s...) {
		return fmt.Errorf("postgres: %s: a text field holds a NUL byte or invalid UTF-8", what)
	}
	return nil
}

// checkIDs refuses empty IDs, as the memstore does.
func checkIDs(what string, ids ...string) error {
	for _, id := range ids {
		if id == "" {
			return fmt.Errorf("postgres: %s with an empty ID", what)
		}
	}
	return nil
}

// pageLimit returns how many items a page of limit holds.
func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return contacts.DefaultPageSize, nil
	case limit < 0 || limit > contacts.MaxPageSize:
		return 0, fmt.Errorf("postgres: page limit %d is outside 0 to %d", limit, contacts.MaxPageSize)
	}
	return limit, nil
}

// The columns each scan function reads, in order.
const (
	orgCols     = "org, name, parent, allowed_email_domains, confirmed_at, reviewed_at, closed_at, version, created, updated, invite_link"
	contactCols = "org, id, name, email, language, phone, title, kind, availability, availability_since, roles, group_ids, consent, verification, status, confirmed_at, version, created, updated"
	groupCols   = "org, id, name, kind, version, created, updated"
	slotCols    = "org, slot, holders, version, updated"
	consentCols = "org, id, contact, purpose, granted, actor, self, channel, legal_basis, config_version, text_hash, time, request_id"
	tokenCols   = "hash, org, kind, contact, email_key, purpose, created, expires, used, role, invitation"
	auditCols   = "org, seq, time, actor, action, target, request_id, data_before, data_after, salt, data_digest, prev, hash"
	csCols      = "org, id, state, requester, edits, comments, ticket, created_contacts, decided_by, version, created, updated"
	invCols     = "org, id, contact, role, mode, workspace, invited_by, token_hash, created, expires, accepted, revoked, version"
)

// qualified prefixes each of cols with the table alias a.
func qualified(a, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, p := range parts {
		parts[i] = a + "." + p
	}
	return strings.Join(parts, ", ")
}

func scanOrg(rows pgx.Rows) (contacts.Org, error) {
	var o contacts.Org
	var confirmed, reviewed, closed, created, updated pgtype.Timestamptz
	err := rows.Scan(&o.ID, &o.Name, &o.Parent, &o.AllowedEmailDomains, &confirmed, &reviewed, &closed, &o.Version, &created, &updated, &o.InviteLink)
	o.AllowedEmailDomains = nilIfEmpty(o.AllowedEmailDomains)
	o.ConfirmedAt, o.ReviewedAt, o.ClosedAt = fromTS(confirmed), fromTS(reviewed), fromTS(closed)
	o.Created, o.Updated = fromTS(created), fromTS(updated)
	return o, err
}

func orgArgs(o contacts.Org) []any {
	return []any{o.ID, o.Name, o.Parent, strs(o.AllowedEmailDomains), ts(o.ConfirmedAt), ts(o.ReviewedAt), ts(o.ClosedAt), o.Version, ts(o.Created), ts(o.Updated), o.InviteLink}
}

func orgText(o contacts.Org) []string {
	return append([]string{o.ID, o.Name, o.Parent, o.InviteLink}, o.AllowedEmailDomains...)
}

// consentState is a ConsentState as the consent column stores it.
type consentState struct {
	Purpose string    `json:"purpose"`
	Granted bool      `json:"granted"`
	At      time.Time `json:"at"`
}

func scanContact(rows pgx.Rows) (contacts.Contact, error) {
	var c contacts.Contact
	var kind, availability, verification, status string
	var consent []byte
	var since, confirmed, created, updated pgtype.Timestamptz
	err := rows.Scan(&c.Org, &c.ID, &c.Name, &c.Email, &c.Language, &c.Phone, &c.Title, &kind, &availability, &since,
		&c.Roles, &c.Groups, &consent, &verification, &status, &confirmed, &c.Version, &created, &updated)
	if err != nil {
		return c, err
	}
	c.Kind, c.Availability = contacts.Kind(kind), contacts.Availability(availability)
	c.Verification, c.Status = contacts.Verification(verification), contacts.Status(status)
	c.AvailabilitySince, c.ConfirmedAt = fromTS(since), fromTS(confirmed)
	c.Created, c.Updated = fromTS(created), fromTS(updated)
	c.Roles, c.Groups = nilIfEmpty(c.Roles), nilIfEmpty(c.Groups)
	var states []consentState
	if err := json.Unmarshal(consent, &states); err != nil {
		return c, fmt.Errorf("postgres: consent of contact %s: %w", c.ID, err)
	}
	for _, s := range states {
		c.Consent = append(c.Consent, contacts.ConsentState{Purpose: s.Purpose, Granted: s.Granted, At: s.At.UTC()})
	}
	return c, nil
}

// contactArgs returns the values of contactCols, with the email key after
// them.
func contactArgs(c contacts.Contact) ([]any, error) {
	states := make([]consentState, len(c.Consent))
	for i, s := range c.Consent {
		states[i] = consentState{Purpose: s.Purpose, Granted: s.Granted, At: s.At.UTC()}
	}
	consent, err := json.Marshal(states)
	if err != nil {
		return nil, fmt.Errorf("postgres: consent of contact %s: %w", c.ID, err)
	}
	return []any{c.Org, c.ID, c.Name, c.Email, c.Language, c.Phone, c.Title, string(c.Kind), string(c.Availability),
		ts(c.AvailabilitySince), strs(c.Roles), strs(c.Groups), consent, string(c.Verification), string(c.Status),
		ts(c.ConfirmedAt), c.Version, ts(c.Created), ts(c.Updated), contacts.EmailKey(c.Email)}, nil
}

// contactText lists the strings of c that go into text columns.
func contactText(c contacts.Contact) []string {
	s := []string{c.Org, c.ID, c.Name, c.Email, c.Language, c.Phone, c.Title, string(c.Kind), string(c.Availability),
		string(c.Verification), string(c.Status)}
	s = append(s, c.Roles...)
	s = append(s, c.Groups...)
	for _, st := range c.Consent {
		s = append(s, st.Purpose)
	}
	return s
}

func scanGroup(rows pgx.Rows) (contacts.Group, error) {
	var g contacts.Group
	var kind string
	var created, updated pgtype.Timestamptz
	err := rows.Scan(&g.Org, &g.ID, &g.Name, &kind, &g.Version, &created, &updated)
	g.Kind, g.Created, g.Updated = contacts.GroupKind(kind), fromTS(created), fromTS(updated)
	return g, err
}

func groupArgs(g contacts.Group) []any {
	return []any{g.Org, g.ID, g.Name, string(g.Kind), g.Version, ts(g.Created), ts(g.Updated)}
}

// holder is a Holder as the holders column stores it.
type holder struct {
	Kind  string     `json:"kind"`
	ID    string     `json:"id"`
	Until *time.Time `json:"until,omitempty"`
}

func scanSlot(rows pgx.Rows) (contacts.SlotHolders, error) {
	var s contacts.SlotHolders
	var raw []byte
	var updated pgtype.Timestamptz
	if err := rows.Scan(&s.Org, &s.Slot, &raw, &s.Version, &updated); err != nil {
		return s, err
	}
	s.Updated = fromTS(updated)
	var hs []holder
	if err := json.Unmarshal(raw, &hs); err != nil {
		return s, fmt.Errorf("postgres: holders of slot %s: %w", s.Slot, err)
	}
	for _, h := range hs {
		out := contacts.Holder{Kind: contacts.HolderKind(h.Kind), ID: h.ID}
		if h.Until != nil {
			out.Until = h.Until.UTC()
		}
		s.Holders = append(s.Holders, out)
	}
	return s, nil
}

func slotArgs(s contacts.SlotHolders) ([]any, error) {
	hs := make([]holder, len(s.Holders))
	for i, h := range s.Holders {
		hs[i] = holder{Kind: string(h.Kind), ID: h.ID}
		if !h.Until.IsZero() {
			until := h.Until.UTC()
			hs[i].Until = &until
		}
	}
	raw, err := json.Marshal(hs)
	if err != nil {
		return nil, fmt.Errorf("postgres: holders of slot %s: %w", s.Slot, err)
	}
	return []any{s.Org, s.Slot, raw, s.Version, ts(s.Updated)}, nil
}

func slotText(s contacts.SlotHolders) []string {
	out := []string{s.Org, s.Slot}
	for _, h := range s.Holders {
		out = append(out, string(h.Kind), h.ID)
	}
	return out
}

func scanConsent(rows pgx.Rows) (contacts.ConsentRecord, error) {
	var r contacts.ConsentRecord
	var channel, basis string
	var at pgtype.Timestamptz
	err := rows.Scan(&r.Org, &r.ID, &r.Contact, &r.Purpose, &r.Granted, &r.Actor, &r.Self, &channel, &basis,
		&r.ConfigVersion, &r.TextHash, &at, &r.RequestID)
	r.Channel, r.LegalBasis, r.Time = contacts.Channel(channel), policy.LegalBasis(basis), fromTS(at)
	return r, err
}

func consentArgs(r contacts.ConsentRecord) []any {
	return []any{r.Org, r.ID, r.Contact, r.Purpose, r.Granted, r.Actor, r.Self, string(r.Channel), string(r.LegalBasis),
		r.ConfigVersion, r.TextHash, ts(r.Time), r.RequestID}
}

func consentText(r contacts.ConsentRecord) []string {
	return []string{r.Org, r.ID, r.Contact, r.Purpose, r.Actor, string(r.Channel), string(r.LegalBasis), r.ConfigVersion, r.TextHash, r.RequestID}
}

func scanToken(rows pgx.Rows) (contacts.Token, error) {
	var t contacts.Token
	var kind string
	var created, expires, used pgtype.Timestamptz
	err := rows.Scan(&t.Hash, &t.Org, &kind, &t.Contact, &t.EmailKey, &t.Purpose, &created, &expires, &used, &t.Role, &t.Invitation)
	t.Kind, t.Created, t.Expires, t.Used = contacts.TokenKind(kind), fromTS(created), fromTS(expires), fromTS(used)
	return t, err
}

func tokenArgs(t contacts.Token) []any {
	return []any{t.Hash, t.Org, string(t.Kind), t.Contact, t.EmailKey, t.Purpose, ts(t.Created), ts(t.Expires), ts(t.Used), t.Role, t.Invitation}
}

func tokenText(t contacts.Token) []string {
	return []string{t.Hash, t.Org, string(t.Kind), t.Contact, t.EmailKey, t.Purpose, t.Role, t.Invitation}
}

func scanAudit(rows pgx.Rows) (contacts.AuditEvent, error) {
	var e contacts.AuditEvent
	var seq int64
	var at pgtype.Timestamptz
	var before, after []byte
	err := rows.Scan(&e.Org, &seq, &at, &e.Actor, &e.Action, &e.Target, &e.RequestID, &before, &after,
		&e.Salt, &e.DataDigest, &e.Prev, &e.Hash)
	e.Seq, e.Time = uint64(seq), fromTS(at)
	if before != nil {
		e.Before = before
	}
	if after != nil {
		e.After = after
	}
	return e, err
}

func auditArgs(e contacts.AuditEvent) []any {
	return []any{e.Org, int64(e.Seq), ts(e.Time), e.Actor, e.Action, e.Target, e.RequestID,
		bytesOrNil(e.Before), bytesOrNil(e.After), e.Salt, e.DataDigest, e.Prev, e.Hash}
}

func bytesOrNil(b json.RawMessage) []byte {
	if b == nil {
		return nil
	}
	return []byte(b)
}

func auditText(e contacts.AuditEvent) []string {
	return []string{e.Org, e.Actor, e.Action, e.Target, e.RequestID, e.Salt, e.DataDigest, e.Prev, e.Hash}
}
