package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liaisonhq/liaison/contacts"
)

// errTxDone is returned by a transaction used after its View or Update
// returned.
var errTxDone = errors.New("postgres: transaction used after its View or Update returned")

// A scope is what row-level security lets a statement see: the rows of one
// org, or for the reads that cross orgs, all of them.
type scope struct {
	org string
	all bool
}

// allOrgs is the scope of Orgs, Token and UseToken's lookup: read-only.
var allOrgs = scope{all: true}

func orgScope(org string) scope { return scope{org: org} }

// setScope sets both settings the policies read, for the rest of the
// transaction.
const setScope = "select set_config('liaison.org', $1, true), set_config('liaison.all_orgs', $2, true)"

// txState is one transaction on one connection.
type txState struct {
	ctx  context.Context
	conn *pgxpool.Conn

	onStatement func(pid uint32, n int) // a test hook
	statements  int

	mu    sync.Mutex // a transaction is one conversation at a time
	done  bool
	scope scope // the settings in force; the zero scope sees nothing
	// aborted is the first error that ended the transaction on the server
	// (every server error does, and so does a lost connection); retry is
	// set as well when running the transaction again is safe and may
	// succeed.
	aborted error
	retry   error
}

// failure returns the error that aborted the transaction, if any, and the
// one that makes running it again worthwhile, if any.
func (st *txState) failure() (aborted, retry error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.aborted, st.retry
}

func (st *txState) close() {
	st.mu.Lock()
	st.done = true
	st.mu.Unlock()
}

// query runs sql in scope sc, calling each for every row it returns. op
// names the method, for errors.
func (st *txState) query(op string, sc scope, sql string, args []any, each func(pgx.Rows) error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.done:
		return errTxDone
	case st.aborted != nil:
		return fmt.Errorf("postgres: %s: the transaction was aborted by an earlier error: %w", op, st.aborted)
	}
	return st.check(op, st.run(sc, sql, args, each))
}

func (st *txState) run(sc scope, sql string, args []any, each func(pgx.Rows) error) error {
	if st.onStatement != nil {
		st.onStatement(st.conn.Conn().PgConn().PID(), st.statements)
	}
	st.statements++
	if sc == st.scope {
		rows, err := st.conn.Query(st.ctx, sql, args...)
		if err != nil {
			return err
		}
		return readRows(rows, each)
	}
	// Set the scope and run the statement in one round trip.
	all := ""
	if sc.all {
		all = "on"
	}
	b := &pgx.Batch{}
	b.Queue(setScope, sc.org, all)
	b.Queue(sql, args...)
	br := st.conn.SendBatch(st.ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return err
	}
	st.scope = sc
	rows, err := br.Query()
	if err == nil {
		err = readRows(rows, each)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

func readRows(rows pgx.Rows, each func(pgx.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	rows.Close()
	return rows.Err()
}

// check records what err means for the transaction and wraps it.
func (st *txState) check(op string, err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		// Every error the server reports aborts the transaction.
		st.aborted = err
		if retryable(pgErr.Code) {
			st.retry = err
		}
	case st.conn.Conn().IsClosed():
		st.aborted = err
		// COMMIT was not sent, so nothing committed; but a message that
		// left the driver may have done something on the server, so only
		// what pgconn vouches for is retried.
		if pgconn.SafeToRetry(err) {
			st.retry = err
		}
	}
	// Anything else (a value that does not encode, a row that does not
	// scan) failed in the driver and left the transaction as it was.
	if ctxErr := st.ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("postgres: %s: %w: %w", op, ctxErr, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// readTx is the [contacts.ReadTx] of View, and the reading half of
// writeTx. It has no write methods, so a View's transaction cannot be
// asserted to a [contacts.Tx].
type readTx struct {
	state *txState
}

var _ contacts.ReadTx = (*readTx)(nil)

// listPage lists a page of org's rows of table, ordered by ID (bytes),
// after page.After: the one query every ID-ordered listing runs.
func listPage[T any](t *readTx, op, cols, table string, scan func(pgx.Rows) (T, error), org string, page contacts.Page) ([]T, error) {
	limit, err := pageLimit(page.Limit)
	if err != nil {
		return nil, err
	}
	after, err := cursor(page.After)
	if err != nil {
		return nil, err
	}
	if !text(org) {
		return nil, nil
	}
	return list(t, op, orgScope(org), scan,
		`select `+cols+` from `+table+` where org = $1 and id > $2 collate "C" order by id collate "C" limit $3`,
		org, after, limit)
}

// get reads at most one row into v with scan, and reports whether there
// was one.
func get[T any](t *readTx, op string, sc scope, scan func(pgx.Rows) (T, error), sql string, args ...any) (T, error) {
	var v T
	found := false
	err := t.state.query(op, sc, sql, args, func(rows pgx.Rows) error {
		var err error
		v, err = scan(rows)
		found = true
		return err
	})
	if err == nil && !found {
		err = contacts.ErrNotFound
	}
	return v, err
}

// list reads every row with scan.
func list[T any](t *readTx, op string, sc scope, scan func(pgx.Rows) (T, error), sql string, args ...any) ([]T, error) {
	var out []T
	err := t.state.query(op, sc, sql, args, func(rows pgx.Rows) error {
		v, err := scan(rows)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Org returns the org with the given ID.
func (t *readTx) Org(id string) (contacts.Org, error) {
	if !text(id) {
		return contacts.Org{}, contacts.ErrNotFound
	}
	return get(t, "Org", orgScope(id), scanOrg, "select "+orgCols+" from orgs where org = $1", id)
}

// Orgs lists orgs ordered by ID, after page.After, at most page.Limit.
func (t *readTx) Orgs(page contacts.Page) ([]contacts.Org, error) {
	limit, err := pageLimit(page.Limit)
	if err != nil {
		return nil, err
	}
	after, err := cursor(page.After)
	if err != nil {
		return nil, err
	}
	return list(t, "Orgs", allOrgs, scanOrg,
		`select `+orgCols+` from orgs where org > $1 collate "C" order by org collate "C" limit $2`, after, limit)
}

// cursor returns the value to compare IDs with for a page after after.
// Stored IDs hold no NUL byte, so the IDs after "a\x00b" are the IDs after
// "a": the cursor is cut at its first NUL, which PostgreSQL cannot take.
func cursor(after string) (string, error) {
	if i := strings.IndexByte(after, 0); i >= 0 {
		after = after[:i]
	}
	if !utf8.ValidString(after) {
		return "", errors.New("postgres: a page cursor that is not UTF-8 names no ID")
	}
	return after, nil
}

// Contact returns the contact with the given ID in org.
func (t *readTx) Contact(org, id string) (contacts.Contact, error) {
	if !text(org, id) {
		return contacts.Contact{}, contacts.ErrNotFound
	}
	return get(t, "Contact", orgScope(org), scanContact,
		"select "+contactCols+" from contacts where org = $1 and id = $2", org, id)
}

// ContactByEmail returns the contact in org whose EmailKey is key.
func (t *readTx) ContactByEmail(org, key string) (contacts.Contact, error) {
	if !text(org, key) {
		return contacts.Contact{}, contacts.ErrNotFound
	}
	return get(t, "ContactByEmail", orgScope(org), scanContact,
		"select "+contactCols+" from contacts where org = $1 and email_key = $2", org, key)
}

// Contacts lists org's contacts ordered by ID.
func (t *readTx) Contacts(org string, page contacts.Page) ([]contacts.Contact, error) {
	return listPage(t, "Contacts", contactCols, "contacts", scanContact, org, page)
}

// ContactsWithRole returns every contact in org holding role, ordered by ID.
func (t *readTx) ContactsWithRole(org, role string) ([]contacts.Contact, error) {
	if !text(org, role) {
		return nil, nil
	}
	return list(t, "ContactsWithRole", orgScope(org), scanContact,
		`select `+qualified("c", contactCols)+` from contact_roles r join contacts c on c.org = r.org and c.id = r.contact
		where r.org = $1 and r.role = $2 order by r.contact collate "C"`, org, role)
}

// GroupMembers returns every contact in org whose Groups include group,
// ordered by ID.
func (t *readTx) GroupMembers(org, group string) ([]contacts.Contact, error) {
	if !text(org, group) {
		return nil, nil
	}
	return list(t, "GroupMembers", orgScope(org), scanContact,
		`select `+qualified("c", contactCols)+` from contact_groups g join contacts c on c.org = g.org and c.id = g.contact
		where g.org = $1 and g.grp = $2 order by g.contact collate "C"`, org, group)
}

// Group returns the group with the given ID in org.
func (t *readTx) Group(org, id string) (contacts.Group, error) {
	if !text(org, id) {
		return contacts.Group{}, contacts.ErrNotFound
	}
	return get(t, "Group", orgScope(org), scanGroup, "select "+groupCols+" from groups where org = $1 and id = $2", org, id)
}

// Groups lists org's groups ordered by ID.
func (t *readTx) Groups(org string, page contacts.Page) ([]contacts.Group, error) {
	return listPage(t, "Groups", groupCols, "groups", scanGroup, org, page)
}

// SlotHolders returns the holders record of slot in org.
func (t *readTx) SlotHolders(org, slot string) (contacts.SlotHolders, error) {
	if !text(org, slot) {
		return contacts.SlotHolders{}, contacts.ErrNotFound
	}
	return get(t, "SlotHolders", orgScope(org), scanSlot,
		"select "+slotCols+" from slot_holders where org = $1 and slot = $2", org, slot)
}

// OrgSlots returns every slot holders record of org, ordered by slot key.
func (t *readTx) OrgSlots(org string) ([]contacts.SlotHolders, error) {
	if !text(org) {
		return nil, nil
	}
	return list(t, "OrgSlots", orgScope(org), scanSlot,
		`select `+slotCols+` from slot_holders where org = $1 order by slot collate "C"`, org)
}

// ConsentHistory returns the consent records of contact in org, ordered by
// ID.
func (t *readTx) ConsentHistory(org, contact string) ([]contacts.ConsentRecord, error) {
	if !text(org, contact) {
		return nil, nil
	}
	return list(t, "ConsentHistory", orgScope(org), scanConsent,
		`select `+consentCols+` from consent_records where org = $1 and contact = $2 order by id collate "C"`, org, contact)
}

// Token returns the token whose Hash is hash, in any org.
func (t *readTx) Token(hash string) (contacts.Token, error) {
	if !text(hash) {
		return contacts.Token{}, contacts.ErrNotFound
	}
	return get(t, "Token", allOrgs, scanToken, "select "+tokenCols+" from tokens where hash = $1", hash)
}

// AuditHead returns the last audit event's Seq and Hash in org, or the zero
// head.
func (t *readTx) AuditHead(org string) (contacts.AuditHead, error) {
	if !text(org) {
		return contacts.AuditHead{}, nil
	}
	h, err := get(t, "AuditHead", orgScope(org), scanHead,
		"select seq, hash from audit_events where org = $1 order by seq desc limit 1", org)
	if errors.Is(err, contacts.ErrNotFound) {
		return contacts.AuditHead{}, nil
	}
	return h, err
}

func scanHead(rows pgx.Rows) (contacts.AuditHead, error) {
	var h contacts.AuditHead
	var seq int64
	err := rows.Scan(&seq, &h.Hash)
	h.Seq = uint64(seq)
	return h, err
}

// AuditEvents lists org's audit events with Seq > after, in Seq order, at
// most limit.
func (t *readTx) AuditEvents(org string, after uint64, limit int) ([]contacts.AuditEvent, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, err
	}
	if !text(org) || after >= math.MaxInt64 {
		return nil, nil // no stored seq is that high
	}
	return list(t, "AuditEvents", orgScope(org), scanAudit,
		`select `+auditCols+` from audit_events where org = $1 and seq > $2 order by seq limit $3`, org, int64(after), limit)
}

// scanChunk is how many contacts a scan reads per round trip. The scan
// calls fn between chunks with no statement open, so fn may use the
// transaction; the snapshot keeps the chunks consistent with each other.
const scanChunk = 256

// scan calls fn with every contact sql returns, a chunk at a time: sql
// takes the cursor ($2: the last ID read) and the chunk size ($3) after the
// org ($1) and the extra arguments.
func (t *readTx) scan(op, org string, sql string, extra []any, fn func(contacts.Contact) error) error {
	if !text(org) || !text(anyStrings(extra)...) {
		return nil
	}
	after := ""
	for {
		args := append([]any{org, after, scanChunk}, extra...)
		chunk, err := list(t, op, orgScope(org), scanContact, sql, args...)
		if err != nil {
			return err
		}
		for _, c := range chunk {
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(chunk) < scanChunk {
			return nil
		}
		after = chunk[len(chunk)-1].ID
	}
}

func anyStrings(args []any) []string {
	var out []string
	for _, a := range args {
		if s, ok := a.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// ScanContacts calls fn with every contact of org in ID order, and stops at
// fn's first error, which it returns.
func (t *readTx) ScanContacts(org string, fn func(contacts.Contact) error) error {
	return t.scan("ScanContacts", org,
		`select `+contactCols+` from contacts where org = $1 and id > $2 collate "C" order by id collate "C" limit $3`, nil, fn)
}

// ScanGroupMembers calls fn with every member of group in org, in ID order.
func (t *readTx) ScanGroupMembers(org, group string, fn func(contacts.Contact) error) error {
	return t.scan("ScanGroupMembers", org,
		`select `+qualified("c", contactCols)+` from contact_groups g join contacts c on c.org = g.org and c.id = g.contact
		where g.org = $1 and g.grp = $4 and g.contact > $2 collate "C" order by g.contact collate "C" limit $3`, []any{group}, fn)
}
