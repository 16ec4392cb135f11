package api

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/liaisonhq/liaison/contacts"
)

// A hand-written encoder for the responses that carry pages of contacts,
// the API's hottest ones: encoding/json spends most of a directory page's
// time on reflection, on time.Time's MarshalJSON (an allocation each) and
// on compacting what it returns, and the wire.Contact copies it encodes
// cost an allocation of their own. These functions append, straight from
// contacts.Contact, exactly the bytes json.Marshal writes for the wire
// values the handlers would otherwise build (wireContact and friends);
// TestContactJSON_matchesEncodingJSON and FuzzAppendJSONString hold them to
// that, byte for byte, for any value, so that a field added to the wire
// type, or a change to its conversion, fails a test rather than drifting.

// appendContactPageJSON appends the JSON of a page of contacts whose array
// is named key, as json.Marshal writes
//
//	struct{Items []wire.Contact `json:"<key>"`; Next string `json:"next,omitempty"`}
//
// (wire.DirectoryPage with key "contacts", wire.ContactPage with "items").
// key must need no escaping.
func appendContactPageJSON(b []byte, key string, list []contacts.Contact, next string) ([]byte, error) {
	b = append(b, `{"`...)
	b = append(b, key...)
	b = append(b, `":[`...)
	var times timeCache
	for i := range list {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = times.appendContact(b, &list[i]); err != nil {
			return nil, err
		}
	}
	b = append(b, ']')
	if next != "" {
		b = append(b, `,"next":`...)
		b = appendJSONString(b, next)
	}
	return append(b, '}'), nil
}

// appendContactJSON appends the JSON of c as json.Marshal writes
// wireContact(c).
func appendContactJSON(b []byte, c *contacts.Contact) ([]byte, error) {
	var times timeCache
	return times.appendContact(b, c)
}

// A timeCache remembers the last time it appended, and where: a contact's
// times are often one instant (created, updated and availability_since
// of a contact never changed since), and so are those of contacts
// imported together; copying the JSON of one costs a fraction of
// formatting it.
type timeCache struct {
	last       time.Time
	start, end int // the JSON of last in the buffer, when end > 0
}

// appendTime appends t as appendJSONTime does, copying the bytes of the
// previous time when t is identical to it (the same instant, location and
// monotonic reading, so the same JSON).
func (tc *timeCache) appendTime(b []byte, t time.Time) ([]byte, error) {
	if tc.end > 0 && t == tc.last && tc.end <= len(b) {
		return append(b, b[tc.start:tc.end]...), nil
	}
	start := len(b)
	b, err := appendJSONTime(b, t)
	if err != nil {
		return nil, err
	}
	tc.last, tc.start, tc.end = t, start, len(b)
	return b, nil
}

func (tc *timeCache) appendContact(b []byte, c *contacts.Contact) ([]byte, error) {
	var err error
	b = append(b, `{"org":`...)
	b = appendJSONString(b, c.Org)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, c.ID)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, c.Name)
	b = append(b, `,"email":`...)
	b = appendJSONString(b, c.Email)
	b = append(b, `,"language":`...)
	b = appendJSONString(b, c.Language)
	if c.Phone != "" {
		b = append(b, `,"phone":`...)
		b = appendJSONString(b, c.Phone)
	}
	if c.Title != "" {
		b = append(b, `,"title":`...)
		b = appendJSONString(b, c.Title)
	}
	if c.Kind != "" {
		b = append(b, `,"kind":`...)
		b = appendJSONString(b, string(c.Kind))
	}
	if c.Availability != "" {
		b = append(b, `,"availability":`...)
		b = appendJSONString(b, string(c.Availability))
	}
	if !c.AvailabilitySince.IsZero() {
		b = append(b, `,"availability_since":`...)
		if b, err = tc.appendTime(b, c.AvailabilitySince); err != nil {
			return nil, err
		}
	}
	if len(c.Roles) > 0 {
		b = append(b, `,"roles":`...)
		b = appendJSONStrings(b, c.Roles)
	}
	if len(c.Groups) > 0 {
		b = append(b, `,"groups":`...)
		b = appendJSONStrings(b, c.Groups)
	}
	if len(c.Consent) > 0 {
		b = append(b, `,"consent":[`...)
		for i, s := range c.Consent {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"purpose":`...)
			b = appendJSONString(b, s.Purpose)
			b = append(b, `,"granted":`...)
			b = strconv.AppendBool(b, s.Granted)
			b = append(b, `,"at":`...)
			if b, err = tc.appendTime(b, s.At); err != nil {
				return nil, err
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"verification":`...)
	b = appendJSONString(b, string(c.Verification))
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(c.Status))
	if !c.ConfirmedAt.IsZero() {
		b = append(b, `,"confirmed_at":`...)
		if b, err = tc.appendTime(b, c.ConfirmedAt); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, c.Version, 10)
	b = append(b, `,"created":`...)
	if b, err = tc.appendTime(b, c.Created); err != nil {
		return nil, err
	}
	b = append(b, `,"updated":`...)
	if b, err = tc.appendTime(b, c.Updated); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendJSONStrings appends a JSON array of strings.
func appendJSONStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONTime appends t as encoding/json writes a time.Time: its
// MarshalJSON, RFC 3339 with nanoseconds, quoted (nothing in it needs
// escaping, so compaction leaves it as it is). A time RFC 3339 cannot
// represent (a year outside 0 to 9999, an offset of a day or more) fails
// as it does there, with encoding/json's error.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b) // MarshalJSON's format and checks, without its allocation
	if err != nil {
		_, err = json.Marshal(t)
		return nil, err
	}
	return append(b, '"'), nil
}

// appendJSONString appends s as encoding/json writes a string, with
// HTML-safe escaping as json.Marshal does: ", \ and the control
// characters escaped (\b, \f, \n, \r and \t short, the others as \u00XX),
// so are <, > and &, and U+2028 and U+2029; each byte of invalid UTF-8
// becomes \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonSafe marks the ASCII bytes a JSON string holds as they are with
// HTML-safe escaping: all but the control characters, ", \, <, > and &.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()
