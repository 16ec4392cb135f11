package memstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// The data files hold JSON: the contacts types' own encoding, which picks
// up a field added to them with no change here, and which a person can read
// when something goes wrong. A log record is one committed transaction:
//
//	{"seq":7,"ops":[{"contact":{...}},{"audit":{...}}]}
//
// and a snapshot's data frames list the items of the whole state the same
// way, as puts. Each op sets exactly one key: a put replaces the item with
// the same primary key, or adds it; a delete names the item it removes.

// opKind is what an op does.
type opKind uint8

// The ops. A put carries a pointer to the stored copy, which is never
// changed, so the log can encode it after the transaction commits.
const (
	opOrg opKind = iota
	opContact
	opGroup
	opSlot
	opConsent
	opToken
	opAudit
	opDeleteContact
	opDeleteGroup
	opChangeSet
	opInvitation
	opCursor
	opDeleteOrg
)

// opNames are the ops' keys in the JSON of a record.
var opNames = [...]string{
	opOrg:           "org",
	opContact:       "contact",
	opGroup:         "group",
	opSlot:          "slot",
	opConsent:       "consent",
	opToken:         "token",
	opAudit:         "audit",
	opDeleteContact: "delete_contact",
	opDeleteGroup:   "delete_group",
	opChangeSet:     "change_set",
	opInvitation:    "invitation",
	opCursor:        "webhook_cursor",
	opDeleteOrg:     "delete_org",
}

// A logOp is one write of a transaction, as a writeTx records it: a kind
// and a pointer, to the stored copy of a put item or to the itemRef of a
// deleted one. Two words and a byte, since an import records millions.
type logOp struct {
	kind opKind
	v    any
}

// An itemRef names a deleted contact or group, or, with ID the org's own
// ID, a deleted org.
type itemRef struct {
	Org string `json:"org"`
	ID  string `json:"id"`
}

// auditWire is an audit event as the files hold it. Before and After are
// byte strings there (base64 in JSON), not embedded JSON: the encoder
// would compact and re-escape embedded JSON, and the event's DataDigest
// covers those bytes exactly. The outer fields hide the event's own.
type auditWire struct {
	*contacts.AuditEvent
	Before []byte `json:"before"`
	After  []byte `json:"after"`
}

// wireOp is an op as it is decoded: exactly one field is set.
type wireOp struct {
	Org           *contacts.Org           `json:"org"`
	Contact       *contacts.Contact       `json:"contact"`
	Group         *contacts.Group         `json:"group"`
	Slot          *contacts.SlotHolders   `json:"slot"`
	Consent       *contacts.ConsentRecord `json:"consent"`
	Token         *contacts.Token         `json:"token"`
	Audit         *auditWire              `json:"audit"`
	DeleteContact *itemRef                `json:"delete_contact"`
	DeleteGroup   *itemRef                `json:"delete_group"`
	ChangeSet     *contacts.ChangeSet     `json:"change_set"`
	Invitation    *contacts.Invitation    `json:"invitation"`
	Cursor        *contacts.WebhookCursor `json:"webhook_cursor"`
	DeleteOrg     *itemRef                `json:"delete_org"`
}

// wireRecord is a log record as it is decoded.
type wireRecord struct {
	Seq uint64   `json:"seq"`
	Ops []wireOp `json:"ops"`
}

// opEncoder encodes ops as JSON into buf. The writer owns one; the snapshot
// writer another.
type opEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newOpEncoder() *opEncoder {
	e := &opEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	// Less to write, and nothing in the files is ever shown in HTML.
	e.enc.SetEscapeHTML(false)
	return e
}

// writeOps appends `"ops":[...]` to buf.
func (e *opEncoder) writeOps(ops []logOp) error {
	e.buf.WriteString(`"ops":[`)
	for i, op := range ops {
		if i > 0 {
			e.buf.WriteByte(',')
		}
		e.buf.WriteString(`{"`)
		e.buf.WriteString(opNames[op.kind])
		e.buf.WriteString(`":`)
		v := op.v
		if ev, ok := v.(*contacts.AuditEvent); ok {
			v = auditWire{AuditEvent: ev, Before: ev.Before, After: ev.After}
		}
		// Encode writes nothing when it fails. Its newline is JSON
		// whitespace.
		if err := e.enc.Encode(v); err != nil {
			return fmt.Errorf("memstore: encoding a %s for the log: %w", opNames[op.kind], err)
		}
		e.buf.WriteByte('}')
	}
	e.buf.WriteByte(']')
	return nil
}

// record encodes the log record of seq and ops as one frame, which it
// returns; the slice is valid until the next call.
func (e *opEncoder) record(seq uint64, ops []logOp) ([]byte, error) {
	e.buf.Reset()
	e.buf.Write(make([]byte, frameHeader))
	e.buf.WriteString(`{"seq":`)
	e.buf.Write(strconv.AppendUint(nil, seq, 10))
	e.buf.WriteByte(',')
	if err := e.writeOps(ops); err != nil {
		return nil, err
	}
	e.buf.WriteByte('}')
	if err := checkUTF8(e.buf.Bytes()[frameHeader:], ops); err != nil {
		return nil, err
	}
	return sealFrame(e.buf.Bytes())
}

// errInvalidUTF8 refuses a write that the log could not hold exactly.
var errInvalidUTF8 = errors.New("memstore: a data directory stores only valid UTF-8 strings")

// checkUTF8 refuses ops holding a string that is not valid UTF-8, which
// JSON would store as U+FFFD, silently changing it. The encoder writes that
// U+FFFD as the escape \ufffd, and a valid one as it is, so the ops
// themselves are only walked when payload holds the escape.
func checkUTF8(payload []byte, ops []logOp) error {
	if !bytes.Contains(payload, []byte(`\ufffd`)) {
		return nil
	}
	for _, op := range ops {
		if !validUTF8(reflect.ValueOf(op.v)) {
			return fmt.Errorf("%w: a %s holds one that is not", errInvalidUTF8, opNames[op.kind])
		}
	}
	return nil
}

// validUTF8 reports whether every string in v is valid UTF-8.
func validUTF8(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return utf8.ValidString(v.String())
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || validUTF8(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true // []byte and json.RawMessage are stored as they are
		}
		for i := range v.Len() {
			if !validUTF8(v.Index(i)) {
				return false
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !validUTF8(v.Field(i)) {
				return false
			}
		}
	}
	return true
}

// decodeJSON decodes payload, one JSON value, into v, refusing unknown
// fields: a file written by a newer version with fields this one does not
// know must not load with those fields silently dropped.
func decodeJSON(payload []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// A loader is the state Open builds as it reads a snapshot and replays
// logs: memdb's tables, the contact trees, and the audit runs by org
// number, which the contact index takes once the whole state is loaded.
type loader struct {
	txn   *memdb.Txn
	nums  *orgNumbers
	trees *contactTrees
	runs  map[uint32]*auditRun
}

// apply makes op's write in ld, as a writeTx made it: replaying a log
// record repeats its transaction. The values are fresh from the decoder,
// so the store keeps them as they are.
func (op *wireOp) apply(ld *loader) error {
	txn, nums, runs := ld.txn, ld.nums, ld.runs
	set := 0
	for _, isSet := range []bool{op.Org != nil, op.Contact != nil, op.Group != nil, op.Slot != nil,
		op.Consent != nil, op.Token != nil, op.Audit != nil, op.DeleteContact != nil, op.DeleteGroup != nil, op.ChangeSet != nil, op.Invitation != nil, op.Cursor != nil, op.DeleteOrg != nil} {
		if isSet {
			set++
		}
	}
	if set != 1 {
		return fmt.Errorf("an op sets %d items, not 1", set)
	}
	put := func(table, org string, obj any) error {
		if org == "" {
			return fmt.Errorf("a %s item with an empty org", table)
		}
		if _, err := nums.give(org); err != nil {
			return err
		}
		return txn.Insert(table, obj)
	}
	del := func(table string, ref *itemRef, obj any) error {
		if _, ok := nums.writerLookup(ref.Org); !ok {
			return fmt.Errorf("deleting %s %s of org %s, which has no items", table, ref.ID, ref.Org)
		}
		if err := txn.Delete(table, obj); err != nil {
			return fmt.Errorf("deleting %s %s of org %s: %w", table, ref.ID, ref.Org, err)
		}
		return nil
	}
	switch {
	case op.Org != nil:
		return put(tableOrgs, op.Org.ID, op.Org)
	case op.Contact != nil:
		c := op.Contact
		if c.Org == "" || c.ID == "" {
			return errors.New("a contact with an empty org or ID")
		}
		num, err := nums.give(c.Org)
		if err != nil {
			return err
		}
		p, k := pack(num, c)
		ld.trees.put(num, ld.trees.get(num, c.ID), p, k)
		return nil
	case op.Group != nil:
		return put(tableGroups, op.Group.Org, op.Group)
	case op.Slot != nil:
		return put(tableSlots, op.Slot.Org, op.Slot)
	case op.Consent != nil:
		return put(tableConsent, op.Consent.Org, op.Consent)
	case op.Token != nil:
		if op.Token.Hash == "" {
			return errors.New("a token with an empty hash")
		}
		return txn.Insert(tableTokens, op.Token)
	case op.Audit != nil:
		if op.Audit.AuditEvent == nil {
			return errors.New("an audit event with no fields")
		}
		e := *op.Audit.AuditEvent
		e.Before, e.After = op.Audit.Before, op.Audit.After
		if e.Org == "" {
			return errors.New("an audit event with an empty org")
		}
		num, err := nums.give(e.Org)
		if err != nil {
			return err
		}
		run := runs[num]
		if want := run.head().Seq + 1; e.Seq != want {
			return fmt.Errorf("audit event %d of org %s where event %d should be", e.Seq, e.Org, want)
		}
		runs[num] = run.appended(&e)
		return nil
	case op.ChangeSet != nil:
		return put(tableChangeSets, op.ChangeSet.Org, op.ChangeSet)
	case op.Invitation != nil:
		return put(tableInvitations, op.Invitation.Org, op.Invitation)
	case op.Cursor != nil:
		if op.Cursor.Endpoint == "" {
			return errors.New("a webhook cursor with an empty endpoint")
		}
		return put(tableCursors, op.Cursor.Org, op.Cursor)
	case op.DeleteOrg != nil:
		num, ok := nums.writerLookup(op.DeleteOrg.Org)
		if !ok {
			return fmt.Errorf("deleting org %s, which has no items", op.DeleteOrg.Org)
		}
		delete(runs, num)
		ld.trees.removeOrg(num)
		_, err := wipeOrg(txn, num, op.DeleteOrg.Org)
		return err
	case op.DeleteContact != nil:
		r := op.DeleteContact
		num, ok := nums.writerLookup(r.Org)
		var old *contacts.Contact
		if ok {
			old = ld.trees.get(num, r.ID)
		}
		if old == nil {
			return fmt.Errorf("deleting contact %s of org %s, which is not stored", r.ID, r.Org)
		}
		ld.trees.remove(num, old)
		return nil
	default:
		r := op.DeleteGroup
		return del(tableGroups, r, &contacts.Group{Org: r.Org, ID: r.ID})
	}
}
