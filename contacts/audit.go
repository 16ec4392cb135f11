package contacts

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// An AuditEvent records one committed change (or one denied attempt) in an
// org. Events form a hash chain per org: each names the hash of the one
// before, so an edited, dropped, inserted or reordered event is detected by
// [VerifyChain].
//
// Personal data stays out of the hashed payload: the before/after values
// are covered only through DataDigest, a salted hash, so erasing a person's
// data from Before and After (and the salt) keeps the chain verifiable.
type AuditEvent struct {
	Org  string    `json:"org"`
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	// Actor is the acting contact's ID or "vendor:NAME".
	Actor string `json:"actor"`
	// Action names what happened, such as "contact.update" or "denied".
	Action string `json:"action"`
	// Target names the item, such as "contact/01J…".
	Target    string `json:"target"`
	RequestID string `json:"request_id,omitempty"`
	// Before and After hold the changed fields' old and new values, as
	// JSON objects; either is absent when there is no such side.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	// Salt makes DataDigest unguessable from a small set of candidates.
	Salt string `json:"salt,omitempty"`
	// DataDigest is the hex SHA-256 of Salt, Before and After.
	DataDigest string `json:"data_digest"`
	// Prev is the previous event's Hash, empty for the first.
	Prev string `json:"prev"`
	// Hash is the hex SHA-256 of this event's hashed payload.
	Hash string `json:"hash"`
}

// AuditHead is the end of an org's chain: the last event's Seq and Hash.
// A host that keeps heads outside the store can detect truncation.
type AuditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// Erased reports whether the event's data was removed (for erasure).
func (e AuditEvent) Erased() bool { return e.Before == nil && e.After == nil && e.Salt == "" }

// Clone returns a deep copy.
func (e AuditEvent) Clone() AuditEvent {
	e.Before = bytes.Clone(e.Before)
	e.After = bytes.Clone(e.After)
	return e
}

func dataDigest(salt string, before, after []byte) string {
	b := make([]byte, 0, 3*8+len(salt)+len(before)+len(after))
	b = appendHashed(appendHashed(appendHashed(b, salt), before), after)
	return hexSum(b)
}

// appendHashed appends f to b length-prefixed, so no two field lists hash
// alike.
func appendHashed[S string | []byte](b []byte, f S) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
	return append(b, f...)
}

// hexSum returns the SHA-256 of b in lower-case hex.
func hexSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hashEvent is the hash of the event's payload: every field but the data
// itself (covered by DataDigest) and Hash.
func hashEvent(e AuditEvent) string {
	var buf [512]byte
	var seq, at [64]byte
	b := appendHashed(buf[:0], "liaison-audit-v1")
	b = appendHashed(b, e.Org)
	b = appendHashed(b, binary.BigEndian.AppendUint64(seq[:0], e.Seq))
	b = appendHashed(b, e.Time.UTC().AppendFormat(at[:0], time.RFC3339Nano))
	for _, f := range [...]string{e.Actor, e.Action, e.Target, e.RequestID, e.DataDigest, e.Prev} {
		b = appendHashed(b, f)
	}
	return hexSum(b)
}

// seal fills in the chain fields of e, which follows head.
func (e *AuditEvent) seal(head AuditHead) {
	var salt [16]byte
	rand.Read(salt[:])
	if e.Before != nil || e.After != nil {
		e.Salt = hex.EncodeToString(salt[:])
	}
	e.DataDigest = dataDigest(e.Salt, e.Before, e.After)
	e.Seq = head.Seq + 1
	e.Prev = head.Hash
	e.Hash = hashEvent(*e)
}

// ChainError reports the first event that breaks an audit chain.
type ChainError struct {
	Org    string
	Seq    uint64 // the first bad event's sequence number (or expected one)
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit chain of org %s broken at event %d: %s", e.Org, e.Seq, e.Reason)
}

// VerifyChain checks events, the whole chain of one org in Seq order: the
// sequence starts at 1 without gaps, each event names its predecessor's
// hash, each hash matches its payload, and each data digest matches the
// data unless the data was erased. When head is not nil the chain must also
// end exactly there, which detects a truncated chain. It returns nil or a
// [*ChainError] naming the first bad event.
func VerifyChain(org string, events []AuditEvent, head *AuditHead) error {
	prev := AuditHead{}
	for _, e := range events {
		bad := func(format string, args ...any) error {
			return &ChainError{Org: org, Seq: prev.Seq + 1, Reason: fmt.Sprintf(format, args...)}
		}
		switch {
		case e.Org != org:
			return bad("event belongs to org %q", e.Org)
		case e.Seq != prev.Seq+1:
			return bad("found event %d instead (dropped, inserted or reordered)", e.Seq)
		case e.Prev != prev.Hash:
			return bad("previous-hash link does not match event %d", prev.Seq)
		case hashEvent(e) != e.Hash:
			return bad("hash does not match the event's contents (edited)")
		case !e.Erased() && dataDigest(e.Salt, e.Before, e.After) != e.DataDigest:
			return bad("before/after data does not match its digest (edited)")
		}
		prev = AuditHead{Seq: e.Seq, Hash: e.Hash}
	}
	if head != nil && *head != prev {
		return &ChainError{Org: org, Seq: prev.Seq + 1, Reason: fmt.Sprintf("chain ends at event %d, the expected head is event %d (truncated or replaced)", prev.Seq, head.Seq)}
	}
	return nil
}

// diffFields returns the JSON objects of the fields that differ between
// before and after, two values of one struct type (either may be nil, for a
// creation or a deletion, and then only the other side's non-zero fields are
// listed). Bookkeeping fields are left out. Values that are not structs
// (small maps the Service builds) are encoded whole.
func diffFields(before, after any) (json.RawMessage, json.RawMessage) {
	v := reflect.ValueOf(after)
	if after == nil {
		v = reflect.ValueOf(before)
	}
	if v.Kind() != reflect.Struct {
		return marshalWhole(before), marshalWhole(after)
	}
	var bv, av reflect.Value
	if before != nil {
		bv = reflect.ValueOf(before)
	}
	if after != nil {
		av = reflect.ValueOf(after)
	}
	var b, a []byte
	if before != nil {
		b = append(b, '{')
	}
	if after != nil {
		a = append(a, '{')
	}
	for _, f := range auditFields(v.Type()) {
		var x, y reflect.Value
		if bv.IsValid() {
			x = bv.Field(f.index)
		}
		if av.IsValid() {
			y = av.Field(f.index)
		}
		switch {
		case x.IsValid() && y.IsValid():
			if reflect.DeepEqual(x.Interface(), y.Interface()) {
				continue
			}
		case x.IsValid() && x.IsZero(), y.IsValid() && y.IsZero():
			continue
		}
		if x.IsValid() {
			b = appendField(b, f.name, x)
		}
		if y.IsValid() {
			a = appendField(a, f.name, y)
		}
	}
	if b != nil {
		b = append(b, '}')
	}
	if a != nil {
		a = append(a, '}')
	}
	return b, a
}

func marshalWhole(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("contacts: audit data does not marshal: %v", err)) // the Service's own values always do
	}
	return raw
}

func appendField(buf []byte, name string, v reflect.Value) []byte {
	if buf[len(buf)-1] != '{' {
		buf = append(buf, ',')
	}
	buf = strconv.AppendQuote(buf, name)
	buf = append(buf, ':')
	return append(buf, marshalWhole(v.Interface())...)
}

// auditField is one exported struct field as audit data names it.
type auditField struct {
	index int
	name  string
}

var auditFieldCache sync.Map // reflect.Type -> []auditField

// auditFields lists t's fields by their JSON names, without the bookkeeping
// fields (org, version, created, updated) that every change touches.
func auditFields(t reflect.Type) []auditField {
	if fs, ok := auditFieldCache.Load(t); ok {
		return fs.([]auditField)
	}
	var fs []auditField
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		switch name {
		case "org", "version", "created", "updated":
			continue
		}
		fs = append(fs, auditField{index: i, name: name})
	}
	auditFieldCache.Store(t, fs)
	return fs
}
