package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget/wire"
)

// The fuzz targets of the request decoders (RELIABILITY B5, G2), one per
// body type; their committed seeds, hostile ones included, are in
// testdata/fuzz. Each checks, for any input:
//   - decodeStrict never panics, and refuses with a malformed-request error
//     that names each problem with a JSON pointer;
//   - what it accepts, encoding/json decodes to the same value: strictness
//     only ever refuses, it never reads a document differently;
//   - what it accepts uses exactly the field names at every level: no
//     unknown or case-variant key got through;
//   - what it accepts is a fixed point: encoded again, it decodes strictly
//     to the same value.

func FuzzDecodeNewContact(f *testing.F) {
	fuzzDecoder[wire.NewContact](f, `{"name":"Ana","email":"ana@example.com","language":"pt-BR","phone":"+5511987654321","kind":"client"}`)
}

func FuzzDecodeContactPatch(f *testing.F) {
	fuzzDecoder[wire.ContactPatch](f, `{"title":"","phone":"030 1234567","phone_region":"DE"}`)
}

func FuzzDecodeNewOrg(f *testing.F) {
	fuzzDecoder[wire.NewOrg](f, `{"id":"acme","name":"Acme","allowed_email_domains":["acme.example"],"owner":{"name":"Olga","email":"olga@acme.example"}}`)
}

func FuzzDecodeOrgPatch(f *testing.F) {
	fuzzDecoder[wire.OrgPatch](f, `{"name":"Acme","allowed_email_domains":[]}`)
}

func FuzzDecodeNewGroup(f *testing.F) {
	fuzzDecoder[wire.NewGroup](f, `{"name":"Platform","kind":"team"}`)
}

func FuzzDecodeGroupPatch(f *testing.F) {
	fuzzDecoder[wire.GroupPatch](f, `{"kind":"client_group"}`)
}

func FuzzDecodeSlotAssignment(f *testing.F) {
	fuzzDecoder[wire.SlotAssignment](f, `{"holders":[{"kind":"contact","id":"A"},{"kind":"group","id":"B","until":"2030-01-02T03:04:05+02:00"}]}`)
}

func FuzzDecodeConsentChoice(f *testing.F) {
	fuzzDecoder[wire.ConsentChoice](f, `{"granted":false,"channel":"widget"}`)
}

func FuzzDecodeTransfer(f *testing.F) {
	fuzzDecoder[wire.Transfer](f, `{"to":"01J0000000000000000000000"}`)
}

func FuzzDecodeToken(f *testing.F) {
	fuzzDecoder[wire.Token](f, `{"token":"abc-_123"}`)
}

func FuzzDecodeBounce(f *testing.F) {
	fuzzDecoder[wire.Bounce](f, `{"email":"x@example.com"}`)
}

func FuzzDecodeNewChangeSet(f *testing.F) {
	fuzzDecoder[wire.NewChangeSet](f, `{"edits":[{"kind":"edit_contact","contact":"A","version":2,"patch":{"title":"CTO"}},{"kind":"revoke_role","contact":"A","version":2,"role":"admin"}]}`)
}

func FuzzDecodeComment(f *testing.F) {
	fuzzDecoder[wire.Comment](f, `{"text":"Approved after a call."}`)
}

func FuzzDecodeNewInvitation(f *testing.F) {
	fuzzDecoder[wire.NewInvitation](f, `{"mode":"contacts","contact":{"name":"Iris","email":"iris@acme.example"},"role":"normal"}`)
}

func FuzzDecodeNewGroupInvitation(f *testing.F) {
	fuzzDecoder[wire.NewGroupInvitation](f, `{"mode":"contacts"}`)
}

func FuzzDecodeSignUp(f *testing.F) {
	fuzzDecoder[wire.SignUp](f, `{"token":"abc","contact":{"name":"Sam","email":"sam@acme.example"}}`)
}

// fuzzTargets are the body types with a fuzz target above;
// TestFuzzTargets_coverEveryBody keeps the list complete.
var fuzzTargets = []reflect.Type{
	reflect.TypeFor[wire.NewContact](), reflect.TypeFor[wire.ContactPatch](), reflect.TypeFor[wire.NewOrg](),
	reflect.TypeFor[wire.OrgPatch](), reflect.TypeFor[wire.NewGroup](), reflect.TypeFor[wire.GroupPatch](),
	reflect.TypeFor[wire.SlotAssignment](), reflect.TypeFor[wire.ConsentChoice](), reflect.TypeFor[wire.Transfer](),
	reflect.TypeFor[wire.Token](), reflect.TypeFor[wire.Bounce](), reflect.TypeFor[wire.NewChangeSet](),
	reflect.TypeFor[wire.Comment](), reflect.TypeFor[wire.NewInvitation](), reflect.TypeFor[wire.NewGroupInvitation](),
	reflect.TypeFor[wire.SignUp](),
}

func TestFuzzTargets_coverEveryBody(t *testing.T) {
	for _, rt := range compiledRoutes() {
		if rt.body != nil && !slices.Contains(fuzzTargets, rt.bodyType) {
			t.Errorf("%s %s takes %s, which has no fuzz target", rt.method, rt.path, rt.bodyType)
		}
	}
}

var equateEmpty = cmpopts.EquateEmpty()

func fuzzDecoder[T any](f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v T
		err := decodeStrict(data, &v)
		if err != nil {
			re, ok := errors.AsType[*requestError](err)
			if !ok || !errors.Is(err, errMalformed) || len(re.fields) == 0 || len(re.fields) > maxFieldErrors {
				t.Fatalf("refused with %v (%T), want a malformed-request error naming 1 to %d problems", err, err, maxFieldErrors)
			}
			for _, p := range re.fields {
				if p.Detail == "" || p.Pointer != "" && !strings.HasPrefix(p.Pointer, "/") || !utf8.ValidString(p.Pointer) {
					t.Fatalf("problem %+v: want a detail and a JSON pointer", p)
				}
			}
			return
		}
		var lax T
		if err := json.Unmarshal(data, &lax); err != nil {
			t.Fatalf("accepted what encoding/json refuses (%v): %q", err, data)
		}
		if diff := cmp.Diff(lax, v, equateEmpty); diff != "" {
			t.Fatalf("reads %q unlike encoding/json (-json +strict):\n%s", data, diff)
		}
		var generic any
		if err := json.Unmarshal(data, &generic); err != nil {
			t.Fatal(err)
		}
		if p := unknownKey(generic, reflect.TypeFor[T](), ""); p != "" {
			t.Fatalf("accepted %q with key %s, which is no field's exact name", data, p)
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		// A nil slice encodes as null, which the decoder refuses: a client
		// leaves an absent value out instead.
		var tree any
		if err := json.Unmarshal(again, &tree); err != nil {
			t.Fatal(err)
		}
		if again, err = json.Marshal(dropNulls(tree)); err != nil {
			t.Fatal(err)
		}
		var v2 T
		if err := decodeStrict(again, &v2); err != nil {
			t.Fatalf("refuses its own encoding %s: %v", again, err)
		}
		if diff := cmp.Diff(v, v2, equateEmpty); diff != "" {
			t.Fatalf("not a fixed point (-first +again):\n%s", diff)
		}
	})
}

// dropNulls removes the members whose value is null, at every level.
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x == nil {
				delete(v, k)
			} else {
				v[k] = dropNulls(x)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = dropNulls(x)
		}
	}
	return v
}

// unknownKey returns the pointer of the first key of doc that is not the
// exact JSON name of a field of t at its level, or "".
func unknownKey(doc any, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch v := doc.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return path
		}
		fields := jsonFields(t)
		for k, x := range v {
			ft, ok := fields[k]
			if !ok {
				return path + "/" + k
			}
			if p := unknownKey(x, ft, path+"/"+k); p != "" {
				return p
			}
		}
	case []any:
		for _, x := range v {
			if p := unknownKey(x, t.Elem(), path+"/-"); p != "" {
				return p
			}
		}
	}
	return ""
}

// FuzzHandler_patchContact sends any body as a contact update through the
// whole handler: it answers a documented status, never 5xx, and never
// changes what a contact update may not touch (roles, groups, consent,
// status, verification).
func FuzzHandler_patchContact(f *testing.F) {
	for _, s := range []string{`{"title":"CTO"}`, `{"role":"owner"}`, `{"Roles":["owner"]}`, `{"name":"x","name":"y"}`,
		`{"email":"nina@acme.example"}`, `{"language":"xx-YY"}`, `{}`, `}{`} {
		f.Add([]byte(s))
	}
	shared := newFixture(f)
	tom := shared.orgs["acme"].target.ID
	f.Fuzz(func(t *testing.T, body []byte) {
		fx := shared.with(t)
		before := fx.contact("acme", tom)
		rq := req{method: "PATCH", path: "/orgs/acme/contacts/" + tom, body: string(body), header: ifm(before.Version)}
		if len(body) == 0 {
			rq.body = " " // still sent, as JSON
		}
		res := fx.do("admin", "acme", rq)
		switch res.status {
		case http.StatusOK, http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("%q answered %d: %s", body, res.status, res.body)
		}
		validateResponse(t, "PATCH", "/orgs/{org}/contacts/{id}", res)
		after := fx.contact("acme", tom)
		if !slices.Equal(before.Roles, after.Roles) || !slices.Equal(before.Groups, after.Groups) ||
			!cmp.Equal(before.Consent, after.Consent) || before.Status != after.Status ||
			before.Verification != after.Verification && res.status != http.StatusOK {
			t.Fatalf("%q changed what a contact update may not: %+v -> %+v", body, before, after)
		}
	})
}

// FuzzHandler_invite sends any body as an admin's invitation through the
// whole handler: it answers a documented status, never 5xx, and whatever
// it does, no contact of the org ends up holding a role the admin may not
// grant (owner), nor does any invitation carry one.
func FuzzHandler_invite(f *testing.F) {
	for _, s := range []string{`{"mode":"contacts","contact":{"name":"Iris","email":"iris@acme.example"},"role":"normal"}`,
		`{"mode":"quiet","contact":{"name":"Iris","email":"iris@acme.example"},"role":"owner"}`,
		`{"mode":"contacts","contact":{"name":"Iris","email":"iris@acme.example"},"Role":"owner"}`,
		`{"mode":"quiet","contact":{"name":"Olga","email":"olga@acme.example"},"role":"admin"}`,
		`{"role":"owner"}`, `{"mode":"workspace","contact":{"name":"x","email":"x@acme.example"}}`, `{}`, `}{`} {
		f.Add([]byte(s))
	}
	shared := newFixture(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fx := shared.with(t)
		rq := req{method: "POST", path: "/orgs/acme/invitations", body: string(body)}
		if len(body) == 0 {
			rq.body = " "
		}
		res := fx.do("admin", "acme", rq)
		switch res.status {
		case http.StatusAccepted, http.StatusBadRequest, http.StatusForbidden, http.StatusConflict,
			http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("%q answered %d: %s", body, res.status, res.body)
		}
		validateResponse(t, "POST", "/orgs/{org}/invitations", res)
		ctx := context.Background()
		v := contacts.Actor{Org: "acme", Vendor: "test"}
		list, _, err := fx.svc.Contacts(ctx, v, "acme", contacts.Page{Limit: snapshotLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if c.HasRole("owner") && c.ID != fx.orgs["acme"].owner.ID {
				t.Fatalf("%q made %s (%s) an owner", body, c.ID, c.Email)
			}
		}
		invs, _, err := fx.svc.Invitations(ctx, v, "acme", contacts.Page{Limit: snapshotLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range invs {
			if inv.Role == "owner" {
				t.Fatalf("%q made an invitation granting owner", body)
			}
		}
	})
}

// FuzzHandler_createChangeSet sends any body as an admin's change set in
// direct mode, where it applies at once: it answers a documented status,
// never 5xx; a refusal changes nothing; and nothing it applies makes
// anyone an owner, which an admin may not grant.
func FuzzHandler_createChangeSet(f *testing.F) {
	shared := newFixtureWith(f, memstore.New(), directPolicy(f), nil)
	tom := shared.orgs["acme"].target
	for _, s := range []string{
		`{"edits":[{"kind":"edit_contact","contact":"` + tom.ID + `","version":` + strconv.FormatInt(tom.Version, 10) + `,"patch":{"title":"CTO"}}]}`,
		`{"edits":[{"kind":"grant_role","contact":"` + tom.ID + `","version":` + strconv.FormatInt(tom.Version, 10) + `,"role":"owner"}]}`,
		`{"edits":[{"kind":"add_contact","new":{"name":"Ana","email":"ana@acme.example"}},{"kind":"grant_role","contact":"new:0","version":1,"role":"owner"}]}`,
		`{"edits":[{"kind":"remove_contact","contact":"` + shared.orgs["acme"].owner.ID + `","version":1}]}`,
		`{"edits":[{"kind":"assign_slot","slot":"primary","version":1,"holders":[]}]}`,
		`{"edits":[{"kind":"edit_contact","contact":"new:7","version":1,"patch":{}}]}`,
		`{"edits":[]}`, `{"Edits":[]}`, `}{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fx := shared.with(t)
		rq := req{method: "POST", path: "/orgs/acme/change-sets", body: string(body)}
		if len(body) == 0 {
			rq.body = " "
		}
		before := fx.snapshot("acme")
		res := fx.do("admin", "acme", rq)
		switch res.status {
		case http.StatusCreated, http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
			http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		default:
			t.Fatalf("%q answered %d: %s", body, res.status, res.body)
		}
		validateResponse(t, "POST", "/orgs/{org}/change-sets", res)
		if res.status != http.StatusCreated {
			if diff := cmp.Diff(before, fx.snapshot("acme")); diff != "" {
				t.Fatalf("%q was refused (%d) but changed (-before +after):\n%s", body, res.status, diff)
			}
			return
		}
		list, _, err := fx.svc.Contacts(context.Background(), contacts.Actor{Org: "acme", Vendor: "test"}, "acme", contacts.Page{Limit: snapshotLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if c.HasRole("owner") && c.ID != fx.orgs["acme"].owner.ID {
				t.Fatalf("%q made %s an owner", body, c.Email)
			}
		}
	})
}
