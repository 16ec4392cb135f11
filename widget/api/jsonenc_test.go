package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/widget/wire"
	"pgregory.net/rapid"
)

// The hand-written encoder of jsonenc.go must write exactly what
// encoding/json writes for the wire values it stands for, for any value:
// these tests hold it to that.

// jsonPieces are the parts of the strings drawn: every kind of byte the
// escaping treats differently, invalid UTF-8 among them.
var jsonPieces = []string{
	"a", "Z", "0", " ", "~", "\x7f", "/", "'", "é", "€", "😀", "\u00a0", "\ufeff", "\ufffd",
	`"`, `\`, "<", ">", "&", "\u2028", "\u2029", "\u2027", "\u202a",
	"\x00", "\x01", "\b", "\t", "\n", "\v", "\f", "\r", "\x1b", "\x1f",
	"\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\x80",
}

var genJSONString = rapid.OneOf(
	rapid.Just(""),
	rapid.Custom(func(t *rapid.T) string {
		return strings.Join(rapid.SliceOfN(rapid.SampledFrom(jsonPieces), 1, 12).Draw(t, "pieces"), "")
	}),
	rapid.String(),
	rapid.Custom(func(t *rapid.T) string { return string(rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")) }),
)

// genJSONTime draws times of every shape encoding/json formats
// differently: zero, with and without fractions of a second, in UTC, the
// local zone and fixed zones (some with seconds or a day or more of
// offset), and some outside the years RFC 3339 allows, which fail.
var genJSONTime = rapid.OneOf(
	rapid.Just(time.Time{}),
	rapid.Just(time.Now()), // with a monotonic reading
	rapid.Custom(func(t *rapid.T) time.Time {
		const year = 365 * 24 * 3600
		base := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		sec := rapid.Int64Range(base-2*year, base+10002*year).Draw(t, "sec")
		nsec := rapid.SampledFrom([]int64{0, 1, 10, 100_000, 120_000_000, 999_999_999, -1}).Draw(t, "nsec")
		if nsec < 0 {
			nsec = rapid.Int64Range(0, 999_999_999).Draw(t, "nsec")
		}
		tm := time.Unix(sec, nsec)
		switch rapid.IntRange(0, 3).Draw(t, "zone") {
		case 0:
			return tm.UTC()
		case 1:
			return tm.Local()
		case 2:
			return tm.In(time.FixedZone("X", rapid.IntRange(-14, 14).Draw(t, "hours")*3600))
		}
		return tm.In(time.FixedZone("", rapid.IntRange(-26*3600, 26*3600).Draw(t, "offset")))
	}),
	// The edges of what RFC 3339 can write.
	rapid.Custom(func(t *rapid.T) time.Time {
		year := rapid.SampledFrom([]int{-1, 0, 1, 9999, 10000}).Draw(t, "year")
		offset := rapid.SampledFrom([]int{0, 1, 3600, 23*3600 + 59*60, 24 * 3600, -24 * 3600, -23 * 3600}).Draw(t, "offset")
		day := rapid.SampledFrom([]time.Time{
			time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(year, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		}).Draw(t, "day")
		return day.In(time.FixedZone("", offset))
	}),
)

// drawValue draws a value of typ, field by field, so that a field added
// to contacts.Contact is drawn, and tested, without anyone remembering to.
func drawValue(t *rapid.T, typ reflect.Type, label string) reflect.Value {
	v := reflect.New(typ).Elem()
	switch {
	case typ == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(genJSONTime.Draw(t, label)))
	case typ.Kind() == reflect.String:
		v.SetString(genJSONString.Draw(t, label))
	case typ.Kind() == reflect.Bool:
		v.SetBool(rapid.Bool().Draw(t, label))
	case typ.Kind() == reflect.Int64 || typ.Kind() == reflect.Int:
		v.SetInt(rapid.Int64().Draw(t, label))
	case typ.Kind() == reflect.Slice:
		n := rapid.IntRange(-1, 3).Draw(t, label+".len")
		if n >= 0 { // -1 leaves it nil
			s := reflect.MakeSlice(typ, n, n)
			for i := range n {
				s.Index(i).Set(drawValue(t, typ.Elem(), label+"[]"))
			}
			v.Set(s)
		}
	case typ.Kind() == reflect.Struct:
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() {
				t.Fatalf("%s.%s: cannot draw an unexported field", label, f.Name)
			}
			v.Field(i).Set(drawValue(t, f.Type, label+"."+f.Name))
		}
	default:
		t.Fatalf("%s: no generator for %v: extend drawValue", label, typ)
	}
	return v
}

var genContact = rapid.Custom(func(t *rapid.T) contacts.Contact {
	c := drawValue(t, reflect.TypeFor[contacts.Contact](), "contact").Interface().(contacts.Contact)
	// Often a contact's times are one, as the encoder's cache expects.
	if rapid.Bool().Draw(t, "one time") {
		c.Updated, c.AvailabilitySince = c.Created, c.Created
	}
	return c
})

// genContacts draws a page of contacts, often sharing their times, as
// contacts imported together do.
var genContacts = rapid.Custom(func(t *rapid.T) []contacts.Contact {
	list := rapid.SliceOfN(genContact, -1, 3).Draw(t, "contacts")
	if len(list) > 0 && rapid.Bool().Draw(t, "shared times") {
		for i := range list {
			list[i].Created, list[i].Updated = list[0].Created, list[0].Created
		}
	}
	return list
})

// sameJSON fails unless the hand-written encoder's answer is
// encoding/json's: the same bytes, or both an error with the same text.
func sameJSON(t *rapid.T, what string, got []byte, gotErr error, want []byte, wantErr error) {
	t.Helper()
	switch {
	case gotErr != nil || wantErr != nil:
		if gotErr == nil || wantErr == nil || gotErr.Error() != wantErr.Error() {
			t.Fatalf("%s: error %v, encoding/json's %v", what, gotErr, wantErr)
		}
	case string(got) != string(want):
		t.Fatalf("%s:\n got %s\nwant %s", what, got, want)
	}
}

func TestContactJSON_matchesEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genContact.Draw(t, "contact")
		want, wantErr := json.Marshal(wireContact(c))
		got, gotErr := appendContactJSON(nil, &c)
		sameJSON(t, "contact", got, gotErr, want, wantErr)
	})
}

func TestContactPageJSON_matchesEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		list := genContacts.Draw(t, "contacts")
		next := genJSONString.Draw(t, "next")
		// A prefix, as the pooled buffer may hold: appending keeps it.
		prefix := []byte(rapid.SampledFrom([]string{"", "x"}).Draw(t, "prefix"))

		want, wantErr := json.Marshal(wire.DirectoryPage{Contacts: wireContacts(list), Next: next})
		got, gotErr := appendContactPageJSON(prefix, "contacts", list, next)
		if gotErr == nil {
			got = got[len(prefix):]
		}
		sameJSON(t, "directory page", got, gotErr, want, wantErr)

		want, wantErr = json.Marshal(wire.ContactPage{Items: wireContacts(list), Next: next})
		got, gotErr = appendContactPageJSON(nil, "items", list, next)
		sameJSON(t, "contact page", got, gotErr, want, wantErr)
	})
}

func TestJSONTime_matchesEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tm := genJSONTime.Draw(t, "time")
		want, wantErr := json.Marshal(tm)
		got, gotErr := appendJSONTime(nil, tm)
		sameJSON(t, "time", got, gotErr, want, wantErr)
	})
}

// FuzzAppendJSONString checks that a string is written exactly as
// encoding/json writes it, for any bytes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonPieces {
		f.Add(s)
	}
	f.Add(strings.Join(jsonPieces, ""))
	f.Add(`<script>alert("x&y")</script>` + "\u2028\xffend")
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got[1:]) != string(want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, got[1:], want)
		}
	})
}

// TestContactPages_servedAsEncodingJSON checks the handlers' wiring: the
// directory and the contacts listing serve exactly the bytes json.Marshal
// writes for the Service's page, cursor included.
func TestContactPages_servedAsEncodingJSON(t *testing.T) {
	f := newFixture(t)
	a, _ := f.actor("normal", "acme")
	ctx := context.Background()

	dir, err := f.svc.Directory(ctx, a, "acme", contacts.DirectoryQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	list, next, err := f.svc.Contacts(ctx, a, "acme", contacts.Page{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want any
	}{
		{"/orgs/acme/directory?limit=2", wire.DirectoryPage{Contacts: wireContacts(dir.Contacts), Next: dir.Next}},
		{"/orgs/acme/contacts?limit=2", wire.ContactPage{Items: wireContacts(list), Next: next}},
	} {
		want, err := json.Marshal(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(want), `"next":`) {
			t.Fatalf("%s: the fixture should give a second page: %s", tc.path, want)
		}
		res := f.send(t, "normal", req{method: "GET", path: tc.path}, http.StatusOK)
		if string(res.body) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.path, res.body, want)
		}
	}
}
