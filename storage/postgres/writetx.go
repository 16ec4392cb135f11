package postgres

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/liaisonhq/liaison/contacts"
)

// writeTx is the [contacts.Tx] of Update.
//
// No write it refuses reaches the server as an error, so a refused write
// leaves the transaction usable: uniqueness is checked with ON CONFLICT DO
// NOTHING or NOT EXISTS, versions in the statement's WHERE clause, and a
// common table expression reads the stored version in the same round trip
// to tell "not found" from "stale". Values PostgreSQL would refuse (a NUL
// byte) are refused before they are sent.
type writeTx struct {
	readTx
}

var _ contacts.Tx = (*writeTx)(nil)

// conflict returns an error matching [contacts.ErrConflict] that says why.
// It names IDs, never an address or a token hash.
func conflict(format string, args ...any) error {
	return fmt.Errorf("postgres: %w: %s", contacts.ErrConflict, fmt.Sprintf(format, args...))
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("postgres: %s: %w", fmt.Sprintf(format, args...), contacts.ErrNotFound)
}

// inserted runs an INSERT … ON CONFLICT DO NOTHING RETURNING true and
// reports whether it inserted the row.
func (t *writeTx) inserted(op string, sc scope, sql string, args ...any) (bool, error) {
	ok := false
	err := t.state.query(op, sc, sql, args, func(rows pgx.Rows) error {
		ok = true
		return nil
	})
	return ok, err
}

// versioned runs a statement that returns the stored version (NULL when
// there is no such row) and whether it changed the row, and turns that into
// the contract's errors.
func (t *writeTx) versioned(op, what string, sc scope, prev int64, sql string, args ...any) error {
	var stored *int64
	var changed bool
	err := t.state.query(op, sc, sql, args, func(rows pgx.Rows) error {
		return rows.Scan(&stored, &changed)
	})
	switch {
	case err != nil:
		return err
	case stored == nil:
		return notFound("%s", what)
	case !changed:
		return conflict("%s: stored version is %d, not %d", what, *stored, prev)
	}
	return nil
}

// placeholders returns "$from, …, $to".
func placeholders(from, to int) string {
	s := ""
	for i := from; i <= to; i++ {
		if i > from {
			s += ", "
		}
		s += fmt.Sprintf("$%d", i)
	}
	return s
}

// InsertOrg stores a new org.
func (t *writeTx) InsertOrg(o contacts.Org) error {
	if err := errors.Join(checkIDs("org", o.ID), checkText("org", orgText(o)...)); err != nil {
		return err
	}
	ok, err := t.inserted("InsertOrg", orgScope(o.ID),
		"insert into orgs ("+orgCols+") values ("+placeholders(1, 11)+") on conflict do nothing returning true", orgArgs(o)...)
	if err == nil && !ok {
		err = conflict("org %s exists", o.ID)
	}
	return err
}

// UpdateOrg replaces the org whose stored Version is prev.
func (t *writeTx) UpdateOrg(o contacts.Org, prev int64) error {
	if err := checkText("org", orgText(o)...); err != nil {
		return err
	}
	return t.versioned("UpdateOrg", "org "+o.ID, orgScope(o.ID), prev, `
		with cur as (select version from orgs where org = $1),
		upd as (
			update orgs set name = $2, parent = $3, allowed_email_domains = $4, confirmed_at = $5, reviewed_at = $6,
				closed_at = $7, version = $8, created = $9, updated = $10, invite_link = $11
			where org = $1 and version = $12
			returning true)
		select (select version from cur), exists (select 1 from upd)`,
		append(orgArgs(o), prev)...)
}

// DeleteOrg removes the org whose stored Version is prev and every row of
// it, through liaison_delete_org (migration 0005): the application role
// cannot delete consent records or audit events itself.
func (t *writeTx) DeleteOrg(id string, prev int64) error {
	if !text(id) {
		return notFound("org %q", id)
	}
	var stored *int64
	var closed, deleted bool
	err := t.state.query("DeleteOrg", orgScope(id), `
		with cur as (select version, closed_at is not null as closed from orgs where org = $1),
		del as (select liaison_delete_org($1) from cur where version = $2 and closed)
		select (select version from cur), coalesce((select closed from cur), false), exists (select 1 from del)`,
		[]any{id, prev}, func(rows pgx.Rows) error { return rows.Scan(&stored, &closed, &deleted) })
	switch {
	case err != nil:
		return err
	case stored == nil:
		return notFound("org %s", id)
	case *stored != prev:
		return conflict("org %s: stored version is %d, not %d", id, *stored, prev)
	case !closed:
		return conflict("org %s is not closed", id)
	case !deleted:
		return conflict("org %s: not deleted", id)
	}
	return nil
}

// InsertContact stores a new contact; the same ID, or the same EmailKey, in
// the org is a conflict.
func (t *writeTx) InsertContact(c contacts.Contact) error {
	if err := errors.Join(checkIDs("contact", c.Org, c.ID), checkText("contact", contactText(c)...)); err != nil {
		return err
	}
	args, err := contactArgs(c)
	if err != nil {
		return err
	}
	args = append(args, directoryArgs(c)...)
	ok, err := t.inserted("InsertContact", orgScope(c.Org),
		"insert into contacts ("+contactCols+", email_key, dir_key, name_fold, email_fold) values ("+placeholders(1, 23)+") on conflict do nothing returning true", args...)
	if err == nil && !ok {
		err = conflict("contact %s of org %s: the ID or the address is taken", c.ID, c.Org)
	}
	return err
}

// UpdateContact replaces the contact whose stored Version is prev, unless
// another contact of the org holds c's address.
func (t *writeTx) UpdateContact(c contacts.Contact, prev int64) error {
	if err := checkText("contact", contactText(c)...); err != nil {
		return err
	}
	args, err := contactArgs(c)
	if err != nil {
		return err
	}
	var stored *int64
	var taken, changed bool
	err = t.state.query("UpdateContact", orgScope(c.Org), `
		with cur as (select version from contacts where org = $1 and id = $2),
		taken as (select 1 from contacts where org = $1 and email_key = $20 and id <> $2),
		upd as (
			update contacts set name = $3, email = $4, language = $5, phone = $6, title = $7, kind = $8,
				availability = $9, availability_since = $10, roles = $11, group_ids = $12, consent = $13,
				verification = $14, status = $15, confirmed_at = $16, version = $17, created = $18, updated = $19,
				email_key = $20, dir_key = $22, name_fold = $23, email_fold = $24
			where org = $1 and id = $2 and version = $21 and not exists (select 1 from taken)
			returning true)
		select (select version from cur), exists (select 1 from taken), exists (select 1 from upd)`,
		append(append(args, prev), directoryArgs(c)...), func(rows pgx.Rows) error { return rows.Scan(&stored, &taken, &changed) })
	what := "contact " + c.ID + " of org " + c.Org
	switch {
	case err != nil:
		return err
	case stored == nil:
		return notFound("%s", what)
	case *stored != prev:
		return conflict("%s: stored version is %d, not %d", what, *stored, prev)
	case taken:
		return conflict("%s: another contact of the org holds the address", what)
	case !changed:
		return conflict("%s: not updated", what)
	}
	return nil
}

// DeleteContact removes the contact whose stored Version is prev.
func (t *writeTx) DeleteContact(org, id string, prev int64) error {
	if !text(org, id) {
		return notFound("contact %q of org %q", id, org)
	}
	return t.versioned("DeleteContact", "contact "+id+" of org "+org, orgScope(org), prev, `
		with cur as (select version from contacts where org = $1 and id = $2),
		del as (delete from contacts where org = $1 and id = $2 and version = $3 returning true)
		select (select version from cur), exists (select 1 from del)`, org, id, prev)
}

// InsertGroup stores a new group.
func (t *writeTx) InsertGroup(g contacts.Group) error {
	if err := errors.Join(checkIDs("group", g.Org, g.ID), checkText("group", g.Org, g.ID, g.Name, string(g.Kind))); err != nil {
		return err
	}
	ok, err := t.inserted("InsertGroup", orgScope(g.Org),
		"insert into groups ("+groupCols+") values ("+placeholders(1, 7)+") on conflict do nothing returning true", groupArgs(g)...)
	if err == nil && !ok {
		err = conflict("group %s exists in org %s", g.ID, g.Org)
	}
	return err
}

// UpdateGroup replaces the group whose stored Version is prev.
func (t *writeTx) UpdateGroup(g contacts.Group, prev int64) error {
	if err := checkText("group", g.Org, g.ID, g.Name, string(g.Kind)); err != nil {
		return err
	}
	return t.versioned("UpdateGroup", "group "+g.ID+" of org "+g.Org, orgScope(g.Org), prev, `
		with cur as (select version from groups where org = $1 and id = $2),
		upd as (
			update groups set name = $3, kind = $4, version = $5, created = $6, updated = $7
			where org = $1 and id = $2 and version = $8
			returning true)
		select (select version from cur), exists (select 1 from upd)`,
		append(groupArgs(g), prev)...)
}

// DeleteGroup removes the group whose stored Version is prev.
func (t *writeTx) DeleteGroup(org, id string, prev int64) error {
	if !text(org, id) {
		return notFound("group %q of org %q", id, org)
	}
	return t.versioned("DeleteGroup", "group "+id+" of org "+org, orgScope(org), prev, `
		with cur as (select version from groups where org = $1 and id = $2),
		del as (delete from groups where org = $1 and id = $2 and version = $3 returning true)
		select (select version from cur), exists (select 1 from del)`, org, id, prev)
}

// PutSlotHolders stores s as the holders record of its org's slot: a new
// one with prev 0, else in place of the one whose stored Version is prev.
func (t *writeTx) PutSlotHolders(s contacts.SlotHolders, prev int64) error {
	if err := errors.Join(checkIDs("slot holders", s.Org, s.Slot), checkText("slot holders", slotText(s)...)); err != nil {
		return err
	}
	args, err := slotArgs(s)
	if err != nil {
		return err
	}
	what := "slot " + s.Slot + " of org " + s.Org
	if prev == 0 {
		ok, err := t.inserted("PutSlotHolders", orgScope(s.Org),
			"insert into slot_holders ("+slotCols+") values ("+placeholders(1, 5)+") on conflict do nothing returning true", args...)
		if err == nil && !ok {
			err = conflict("%s is assigned already", what)
		}
		return err
	}
	return t.versioned("PutSlotHolders", what, orgScope(s.Org), prev, `
		with cur as (select version from slot_holders where org = $1 and slot = $2),
		upd as (
			update slot_holders set holders = $3, version = $4, updated = $5
			where org = $1 and slot = $2 and version = $6
			returning true)
		select (select version from cur), exists (select 1 from upd)`,
		append(args, prev)...)
}

// AppendConsent appends a consent record; an ID already used in the org is
// a conflict.
func (t *writeTx) AppendConsent(r contacts.ConsentRecord) error {
	if err := errors.Join(checkIDs("consent record", r.Org, r.ID, r.Contact), checkText("consent record", consentText(r)...)); err != nil {
		return err
	}
	ok, err := t.inserted("AppendConsent", orgScope(r.Org),
		"insert into consent_records ("+consentCols+") values ("+placeholders(1, 13)+") on conflict do nothing returning true", consentArgs(r)...)
	if err == nil && !ok {
		err = conflict("consent record %s exists in org %s", r.ID, r.Org)
	}
	return err
}

// InsertToken stores a new token; a Hash stored already, in any org, is a
// conflict.
func (t *writeTx) InsertToken(tok contacts.Token) error {
	if tok.Hash == "" {
		return errors.New("postgres: token with an empty hash")
	}
	if err := errors.Join(checkIDs("token", tok.Org), checkText("token", tokenText(tok)...)); err != nil {
		return err
	}
	// The primary key on hash finds a taken hash in any org: ON CONFLICT
	// sees rows that row-level security hides.
	ok, err := t.inserted("InsertToken", orgScope(tok.Org),
		"insert into tokens ("+tokenCols+") values ("+placeholders(1, 11)+") on conflict do nothing returning true", tokenArgs(tok)...)
	if err == nil && !ok {
		// The hash is not named: it is the key to another org's link.
		err = conflict("a token of the same hash exists")
	}
	return err
}

// UseToken marks the token whose Hash is hash as used at time at.
func (t *writeTx) UseToken(hash string, at time.Time) error {
	if at.IsZero() {
		return errors.New("postgres: using a token at the zero time, which marks a token unused")
	}
	if !text(hash) {
		return notFound("token")
	}
	// Find the token's org across orgs (reads only), then write in its
	// org's scope.
	type found struct {
		org  string
		used *time.Time
	}
	f, err := get(&t.readTx, "UseToken", allOrgs, func(rows pgx.Rows) (found, error) {
		var f found
		err := rows.Scan(&f.org, &f.used)
		return f, err
	}, "select org, used from tokens where hash = $1", hash)
	switch {
	case errors.Is(err, contacts.ErrNotFound):
		return notFound("token")
	case err != nil:
		return err
	case f.used != nil:
		return conflict("the token was used already, at %s", f.used.UTC().Format(time.RFC3339))
	}
	ok, err := t.inserted("UseToken", orgScope(f.org),
		"update tokens set used = $2 where hash = $1 and used is null returning true", hash, ts(at))
	if err == nil && !ok {
		err = conflict("the token was used already")
	}
	return err
}

// AppendAudit appends e to e.Org's audit chain, if e follows its head.
func (t *writeTx) AppendAudit(e contacts.AuditEvent) error {
	if err := errors.Join(checkIDs("audit event of an org", e.Org), checkText("audit event", auditText(e)...)); err != nil {
		return err
	}
	if e.Seq == 0 || e.Seq > math.MaxInt64 {
		return conflict("audit event %d of org %s does not follow the head", e.Seq, e.Org)
	}
	if !e.Time.Equal(e.Time.Truncate(time.Microsecond)) {
		// The event's hash covers its time, which the column keeps to the
		// microsecond: storing it would break the chain.
		return fmt.Errorf("postgres: audit event %d of org %s: time %s is finer than a microsecond", e.Seq, e.Org, e.Time.Format(time.RFC3339Nano))
	}
	var ok bool
	var head int64
	err := t.state.query("AppendAudit", orgScope(e.Org), `
		with head as (select seq, hash from audit_events where org = $1 order by seq desc limit 1),
		ins as (
			insert into audit_events (`+auditCols+`)
			select $1::text, $2::bigint, $3::timestamptz, $4::text, $5::text, $6::text, $7::text, $8::bytea, $9::bytea,
				$10::text, $11::text, $12::text, $13::text
			where coalesce((select seq from head), 0) = $2::bigint - 1 and coalesce((select hash from head), '') = $12::text
			on conflict do nothing
			returning true)
		select exists (select 1 from ins), coalesce((select seq from head), 0)`,
		auditArgs(e), func(rows pgx.Rows) error { return rows.Scan(&ok, &head) })
	if err == nil && !ok {
		err = conflict("audit event %d of org %s does not follow the head, event %d", e.Seq, e.Org, head)
	}
	return err
}
