package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/contacts"
)

// matrixRow is one line of testdata/authz_matrix.txt.
type matrixRow struct {
	line         int
	method, path string
	scope        string // same, other or any
	want         map[string]int
	reason       string
}

func (r matrixRow) key() string { return r.method + " " + r.path }

func readMatrix(t *testing.T) []matrixRow {
	t.Helper()
	file, err := os.Open("testdata/authz_matrix.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var rows []matrixRow
	sc := bufio.NewScanner(file)
	for n := 1; sc.Scan(); n++ {
		text, reason, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 3+len(roles) {
			t.Fatalf("authz_matrix.txt:%d: %d fields, want method, path, scope and %d statuses", n, len(fields), len(roles))
		}
		row := matrixRow{line: n, method: fields[0], path: fields[1], scope: fields[2], want: map[string]int{}, reason: strings.TrimSpace(reason)}
		for i, role := range roles {
			code, err := strconv.Atoi(fields[3+i])
			if err != nil {
				t.Fatalf("authz_matrix.txt:%d: status %q: %v", n, fields[3+i], err)
			}
			row.want[role] = code
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// target names the items a request acts on, in one org.
type target struct {
	org                  string
	contact, member      string // the target contact; another member to add to the group
	group                string
	email                string
	orgVersion           int64
	contactVersion       int64
	groupVersion         int64
	verifyToken, consent string
	// The change sets in each state, with their versions; the pending
	// invitation, its link's secret, and the sign-up link's secret.
	draft, submitted, queried    string
	draftV, submittedV, queriedV int64
	invitation                   string
	inviteToken, signupToken     string
}

func (f *fixture) target(org string) target {
	o := f.orgs[org]
	ctx := context.Background()
	v := contacts.Actor{Org: org, Vendor: "test"}
	tg := target{org: org, contact: o.target.ID, member: o.normal.ID, group: o.group.ID, email: o.target.Email,
		verifyToken: o.verifyToken, consent: o.consentToken,
		draft: o.draft.ID, submitted: o.submitted.ID, queried: o.queried.ID,
		draftV: o.draft.Version, submittedV: o.submitted.Version, queriedV: o.queried.Version,
		invitation: o.invitation.ID, inviteToken: o.inviteToken, signupToken: o.signupToken}
	if oo, err := f.svc.Org(ctx, v, org); err == nil {
		tg.orgVersion = oo.Version
	}
	if c, err := f.svc.Contact(ctx, v, org, o.target.ID); err == nil {
		tg.contactVersion = c.Version
	}
	if g, err := f.svc.Group(ctx, v, org, o.group.ID); err == nil {
		tg.groupVersion = g.Version
	}
	return tg
}

func ifm(v int64) map[string]string { return map[string]string{"If-Match": etag(v)} }

// matrixRequests builds, for every route, a request that would succeed for
// an actor allowed to make it: a valid body, a current If-Match, ids of
// existing items of tg.
var matrixRequests = map[string]func(tg target) req{
	"GET /openapi.json": func(tg target) req { return req{method: "GET", path: "/openapi.json"} },
	"GET /orgs":         func(tg target) req { return req{method: "GET", path: "/orgs"} },
	"POST /orgs": func(tg target) req {
		return req{method: "POST", path: "/orgs", body: `{"id":"neworg","name":"New Org","owner":{"name":"Nora","email":"nora@neworg.example"}}`}
	},
	"POST /verify": func(tg target) req {
		return req{method: "POST", path: "/verify", body: `{"token":"` + tg.verifyToken + `"}`}
	},
	"POST /consent/confirm": func(tg target) req {
		return req{method: "POST", path: "/consent/confirm", body: `{"token":"` + tg.consent + `"}`}
	},

	"GET /orgs/{org}": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org} },
	"PATCH /orgs/{org}": func(tg target) req {
		return req{method: "PATCH", path: "/orgs/" + tg.org, body: `{"name":"Renamed Inc"}`, header: ifm(tg.orgVersion)}
	},
	"POST /orgs/{org}/review":      func(tg target) req { return req{method: "POST", path: "/orgs/" + tg.org + "/review"} },
	"GET /orgs/{org}/me":           func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/me"} },
	"GET /orgs/{org}/completeness": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/completeness"} },
	"POST /orgs/{org}/ownership": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/ownership", body: `{"to":"` + tg.contact + `"}`, header: ifm(tg.contactVersion)}
	},
	"POST /orgs/{org}/bounces": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/bounces", body: `{"email":"` + tg.email + `"}`}
	},

	"GET /orgs/{org}/contacts": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/contacts"} },
	"POST /orgs/{org}/contacts": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/contacts", body: `{"name":"Newt","email":"newt@` + tg.org + `.example"}`}
	},
	"GET /orgs/{org}/contacts/{id}": func(tg target) req {
		return req{method: "GET", path: "/orgs/" + tg.org + "/contacts/" + tg.contact}
	},
	"PATCH /orgs/{org}/contacts/{id}": func(tg target) req {
		return req{method: "PATCH", path: "/orgs/" + tg.org + "/contacts/" + tg.contact, body: `{"title":"Engineer"}`, header: ifm(tg.contactVersion)}
	},
	"DELETE /orgs/{org}/contacts/{id}": func(tg target) req {
		return req{method: "DELETE", path: "/orgs/" + tg.org + "/contacts/" + tg.contact, header: ifm(tg.contactVersion)}
	},
	"PUT /orgs/{org}/contacts/{id}/roles/{role}": func(tg target) req {
		return req{method: "PUT", path: "/orgs/" + tg.org + "/contacts/" + tg.contact + "/roles/business", header: ifm(tg.contactVersion)}
	},
	"DELETE /orgs/{org}/contacts/{id}/roles/{role}": func(tg target) req {
		return req{method: "DELETE", path: "/orgs/" + tg.org + "/contacts/" + tg.contact + "/roles/normal", header: ifm(tg.contactVersion)}
	},
	"GET /orgs/{org}/contacts/{id}/consent": func(tg target) req {
		return req{method: "GET", path: "/orgs/" + tg.org + "/contacts/" + tg.contact + "/consent"}
	},
	"PUT /orgs/{org}/contacts/{id}/consent/{purpose}": func(tg target) req {
		return req{method: "PUT", path: "/orgs/" + tg.org + "/contacts/" + tg.contact + "/consent/usage_interviews", body: `{"granted":false}`}
	},
	"POST /orgs/{org}/contacts/{id}/verification": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/contacts/" + tg.contact + "/verification"}
	},

	"GET /orgs/{org}/groups": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/groups"} },
	"POST /orgs/{org}/groups": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/groups", body: `{"name":"Ops","kind":"team"}`}
	},
	"GET /orgs/{org}/groups/{id}": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/groups/" + tg.group} },
	"PATCH /orgs/{org}/groups/{id}": func(tg target) req {
		return req{method: "PATCH", path: "/orgs/" + tg.org + "/groups/" + tg.group, body: `{"name":"Core"}`, header: ifm(tg.groupVersion)}
	},
	"DELETE /orgs/{org}/groups/{id}": func(tg target) req {
		return req{method: "DELETE", path: "/orgs/" + tg.org + "/groups/" + tg.group, header: ifm(tg.groupVersion)}
	},
	"GET /orgs/{org}/groups/{id}/members": func(tg target) req {
		return req{method: "GET", path: "/orgs/" + tg.org + "/groups/" + tg.group + "/members"}
	},
	"PUT /orgs/{org}/groups/{id}/members/{contact}": func(tg target) req {
		return req{method: "PUT", path: "/orgs/" + tg.org + "/groups/" + tg.group + "/members/" + tg.member}
	},
	"DELETE /orgs/{org}/groups/{id}/members/{contact}": func(tg target) req {
		return req{method: "DELETE", path: "/orgs/" + tg.org + "/groups/" + tg.group + "/members/" + tg.contact}
	},

	"GET /orgs/{org}/slots":        func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/slots"} },
	"GET /orgs/{org}/slots/{slot}": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/slots/primary"} },
	"PUT /orgs/{org}/slots/{slot}/holders": func(tg target) req {
		return req{method: "PUT", path: "/orgs/" + tg.org + "/slots/integrations/holders",
			body: `{"holders":[{"kind":"contact","id":"` + tg.contact + `"}]}`, header: ifm(0)}
	},
	"POST /orgs/{org}/slots/{slot}/test-message": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/slots/primary/test-message"}
	},
	"GET /orgs/{org}/recipients/{slot}": func(tg target) req {
		return req{method: "GET", path: "/orgs/" + tg.org + "/recipients/primary?explain=1"}
	},

	"DELETE /orgs/{org}": func(tg target) req {
		return req{method: "DELETE", path: "/orgs/" + tg.org, header: ifm(tg.orgVersion)}
	},
	"POST /orgs/{org}/close": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/close", header: ifm(tg.orgVersion)}
	},
	"GET /orgs/{org}/directory": func(tg target) req {
		return req{method: "GET", path: "/orgs/" + tg.org + "/directory?q=t&filter=teams&limit=10"}
	},
	"GET /orgs/{org}/contacts/{id}/overview": func(tg target) req {
		return req{method: "GET", path: "/orgs/" + tg.org + "/contacts/" + tg.contact + "/overview"}
	},

	"GET /orgs/{org}/change-sets": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/change-sets"} },
	"POST /orgs/{org}/change-sets": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/change-sets",
			body: `{"edits":[{"kind":"edit_contact","contact":"` + tg.contact + `","version":` + strconv.FormatInt(tg.contactVersion, 10) + `,"patch":{"title":"Chief"}}]}`}
	},
	"GET /orgs/{org}/change-sets/{id}": func(tg target) req {
		return req{method: "GET", path: "/orgs/" + tg.org + "/change-sets/" + tg.draft}
	},
	"GET /orgs/{org}/change-sets/{id}/view": func(tg target) req {
		return req{method: "GET", path: "/orgs/" + tg.org + "/change-sets/" + tg.submitted + "/view"}
	},
	"POST /orgs/{org}/change-sets/{id}/submit": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/change-sets/" + tg.draft + "/submit", header: ifm(tg.draftV)}
	},
	"POST /orgs/{org}/change-sets/{id}/query": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/change-sets/" + tg.submitted + "/query", body: `{"text":"Is the title right?"}`, header: ifm(tg.submittedV)}
	},
	"POST /orgs/{org}/change-sets/{id}/answer": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/change-sets/" + tg.queried + "/answer", body: `{"text":"Yes."}`, header: ifm(tg.queriedV)}
	},
	"POST /orgs/{org}/change-sets/{id}/approve": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/change-sets/" + tg.submitted + "/approve", header: ifm(tg.submittedV)}
	},
	"POST /orgs/{org}/change-sets/{id}/reject": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/change-sets/" + tg.submitted + "/reject", body: `{"text":"Not now."}`, header: ifm(tg.submittedV)}
	},
	"POST /orgs/{org}/change-sets/{id}/cancel": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/change-sets/" + tg.submitted + "/cancel", header: ifm(tg.submittedV)}
	},

	"GET /orgs/{org}/invitations": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/invitations"} },
	"POST /orgs/{org}/invitations": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/invitations",
			body: `{"mode":"contacts","contact":{"name":"Iris","email":"iris@` + tg.org + `.example"},"role":"normal"}`}
	},
	"DELETE /orgs/{org}/invitations/{id}": func(tg target) req {
		return req{method: "DELETE", path: "/orgs/" + tg.org + "/invitations/" + tg.invitation}
	},
	"POST /orgs/{org}/groups/{id}/invitations": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/groups/" + tg.group + "/invitations", body: `{"mode":"contacts"}`}
	},
	"POST /orgs/{org}/invite-links/{role}": func(tg target) req {
		return req{method: "POST", path: "/orgs/" + tg.org + "/invite-links/normal"}
	},
	"POST /invitations/accept": func(tg target) req {
		return req{method: "POST", path: "/invitations/accept", body: `{"token":"` + tg.inviteToken + `"}`}
	},
	"POST /signup": func(tg target) req {
		return req{method: "POST", path: "/signup", body: `{"token":"` + tg.signupToken + `","contact":{"name":"Sam","email":"sam@` + tg.org + `.example"}}`}
	},

	"GET /orgs/{org}/audit":        func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/audit"} },
	"GET /orgs/{org}/audit/export": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/audit/export"} },
	"GET /orgs/{org}/audit/verify": func(tg target) req { return req{method: "GET", path: "/orgs/" + tg.org + "/audit/verify"} },
}

// TestAuthzMatrix_complete checks that the matrix and the request builders
// cover every registered route, with the scopes it needs, and nothing else.
func TestAuthzMatrix_complete(t *testing.T) {
	rows := readMatrix(t)
	scopes := map[string][]string{}
	for _, r := range rows {
		scopes[r.key()] = append(scopes[r.key()], r.scope)
	}
	for _, rt := range compiledRoutes() {
		key := rt.method + " " + rt.path
		want := []string{"any"}
		if rt.hasOrg() {
			want = []string{"same", "other"}
		}
		if diff := cmp.Diff(want, scopes[key]); diff != "" {
			t.Errorf("%s: matrix scopes (-want +got):\n%s", key, diff)
		}
		delete(scopes, key)
		if matrixRequests[key] == nil {
			t.Errorf("%s: no request builder", key)
		}
	}
	for key := range scopes {
		t.Errorf("%s is in the matrix but not served", key)
	}
}

// TestAuthzMatrix sends every route as every role, in the actor's own org
// and in another, and compares the status with the matrix (RELIABILITY A1,
// A2, A3). A denied request must leave both orgs unchanged; an allowed one
// must leave every org but its own unchanged. Every response is checked
// against the OpenAPI document.
func TestAuthzMatrix(t *testing.T) {
	for _, row := range readMatrix(t) {
		for _, role := range roles {
			name := fmt.Sprintf("%s_%s/%s/%s", row.method, row.path, row.scope, role)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				org := "acme"
				if row.scope == "other" {
					org = "other"
				}
				rq := matrixRequests[row.key()](f.target(org))
				before := f.snapshots()
				res := f.do(role, "acme", rq)
				if want := row.want[role]; res.status != want {
					t.Errorf("authz_matrix.txt:%d: %s %s as %s (%s org) = %d, want %d %s\nbody: %s",
						row.line, rq.method, rq.path, role, row.scope, res.status, want, row.reason, res.body)
				}
				validateResponse(t, row.method, row.path, res)
				after := f.snapshots()
				for _, o := range sortedKeys(before) {
					if res.status < 400 && o == org {
						continue
					}
					if diff := cmp.Diff(before[o], after[o]); diff != "" {
						t.Errorf("%s %s as %s (status %d) changed org %s (-before +after):\n%s", rq.method, rq.path, role, res.status, o, diff)
					}
				}
			})
		}
	}
}

// TestAuthz_otherOrgLikeMissing checks that an org in the path that is not
// the actor's answers exactly like one that does not exist, and that ids of
// another org's items in the actor's own org answer exactly like ids that
// do not exist: the same status and the same body but for the request ID
// (RELIABILITY A3).
func TestAuthz_otherOrgLikeMissing(t *testing.T) {
	const missing = "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
	for _, rt := range compiledRoutes() {
		if !rt.hasOrg() {
			continue
		}
		key := rt.method + " " + rt.path
		for _, role := range roles[:4] {
			t.Run(key+"/"+role, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				build := matrixRequests[key]
				other := f.target("other")
				before := f.snapshot("other")

				// Another org in the path, or one that does not exist.
				asOther := f.do(role, "acme", build(other))
				gone := other
				gone.org = "nosuch"
				asGone := f.do(role, "acme", build(gone))
				sameAnswer(t, "other org", "missing org", asOther, asGone)

				// Another org's ids in the actor's own org, or ids that do
				// not exist.
				if strings.Contains(rt.path, "{id}") || strings.Contains(rt.path, "{contact}") {
					foreign := other
					foreign.org = "acme"
					asForeign := f.do(role, "acme", build(foreign))
					absent := foreign
					absent.contact, absent.member, absent.group = missing, missing, missing
					absent.draft, absent.submitted, absent.queried, absent.invitation = missing, missing, missing, missing
					asAbsent := f.do(role, "acme", build(absent))
					sameAnswer(t, "foreign ids", "missing ids", asForeign, asAbsent)
					if asForeign.status < 400 {
						t.Errorf("foreign ids answered %d: %s", asForeign.status, asForeign.body)
					}
				}
				if diff := cmp.Diff(before, f.snapshot("other")); diff != "" {
					t.Errorf("the other org changed (-before +after):\n%s", diff)
				}
			})
		}
	}
}

// sameAnswer compares two responses but for the request ID.
func sameAnswer(t *testing.T, aName, bName string, a, b result) {
	t.Helper()
	if a.status != b.status {
		t.Errorf("%s answered %d, %s %d\n%s\n%s", aName, a.status, bName, b.status, a.body, b.body)
		return
	}
	strip := func(r result) map[string]any {
		var m map[string]any
		if len(r.body) > 0 {
			if err := json.Unmarshal(r.body, &m); err != nil {
				t.Fatalf("%s: %v", r.body, err)
			}
		}
		delete(m, "request_id")
		return m
	}
	if diff := cmp.Diff(strip(b), strip(a)); diff != "" {
		t.Errorf("%s and %s answer differently (-%s +%s):\n%s", aName, bName, bName, aName, diff)
	}
}

// TestAuthz_forgedIdentity checks that nothing the client chooses names the
// actor or the org (RELIABILITY A1): headers a proxy might be trusted for,
// query parameters and body fields are ignored or refused, never obeyed.
func TestAuthz_forgedIdentity(t *testing.T) {
	forged := map[string]string{"X-Tenant": "acme", "X-Org": "acme", "X-Actor": "vendor:root", "X-Contact-Id": "x",
		"X-Forwarded-User": "olga", "Authorization": "Bearer forged"}
	f := newFixture(t)
	for _, rt := range compiledRoutes() {
		if rt.public {
			continue
		}
		key := rt.method + " " + rt.path
		t.Run("no identity/"+key, func(t *testing.T) {
			rq := matrixRequests[key](f.target("acme"))
			rq.header = forged
			before := f.snapshots()
			if res := f.do("none", "acme", rq); res.status != http.StatusUnauthorized {
				t.Errorf("%s with forged identity headers = %d, want 401: %s", key, res.status, res.body)
			}
			if diff := cmp.Diff(before, f.snapshots()); diff != "" {
				t.Errorf("changed (-before +after):\n%s", diff)
			}
		})
	}
	t.Run("org in the query", func(t *testing.T) {
		res := f.do("normal", "acme", req{method: "GET", path: "/orgs/acme/contacts?org=other"})
		if res.status != http.StatusBadRequest || res.problem(t).Errors[0].Parameter != "org" {
			t.Errorf("?org= = %d %s, want 400 naming the parameter", res.status, res.body)
		}
	})
	t.Run("org and role in the body", func(t *testing.T) {
		for _, body := range []string{
			`{"name":"Eve","email":"eve@acme.example","org":"other"}`,
			`{"name":"Eve","email":"eve@acme.example","tenant_id":"other"}`,
			`{"name":"Eve","email":"eve@acme.example","roles":["owner"]}`,
		} {
			before := f.snapshots()
			res := f.do("admin", "acme", req{method: "POST", path: "/orgs/acme/contacts", body: body})
			if res.status != http.StatusBadRequest {
				t.Errorf("%s = %d, want 400: %s", body, res.status, res.body)
			}
			if diff := cmp.Diff(before, f.snapshots()); diff != "" {
				t.Errorf("%s changed (-before +after):\n%s", body, diff)
			}
		}
	})
	t.Run("host actor with an empty org", func(t *testing.T) {
		h := New(f.svc, Options{Actor: func(*http.Request) (contacts.Actor, error) {
			return contacts.Actor{Contact: f.orgs["acme"].owner.ID}, nil
		}})
		w := newRecorder()
		h.ServeHTTP(w, newRequest("GET", "/orgs/acme", ""))
		if w.Code != http.StatusUnauthorized {
			t.Errorf("an actor with no org = %d, want 401", w.Code)
		}
	})
}

// TestAuthz_adminAndOwner checks RELIABILITY B2 over HTTP: an admin changes
// neither an owner's fields, roles nor consent, and grants no owner role.
func TestAuthz_adminAndOwner(t *testing.T) {
	f := newFixture(t)
	o := f.orgs["acme"]
	owner := f.contact("acme", o.owner.ID)
	tests := []struct {
		name string
		rq   req
		rule string
	}{
		{"edit an owner", req{method: "PATCH", path: "/orgs/acme/contacts/" + owner.ID, body: `{"title":"x"}`, header: ifm(owner.Version)}, "outrank"},
		{"delete an owner", req{method: "DELETE", path: "/orgs/acme/contacts/" + owner.ID, header: ifm(owner.Version)}, "outrank"},
		{"revoke owner", req{method: "DELETE", path: "/orgs/acme/contacts/" + owner.ID + "/roles/owner", header: ifm(owner.Version)}, "owner-only"},
		{"grant owner", req{method: "PUT", path: "/orgs/acme/contacts/" + o.target.ID + "/roles/owner", header: ifm(f.contact("acme", o.target.ID).Version)}, "owner-only"},
		{"withdraw an owner's consent", req{method: "PUT", path: "/orgs/acme/contacts/" + owner.ID + "/consent/usage_interviews", body: `{"granted":false}`}, "outrank"},
		{"raise itself", req{method: "PUT", path: "/orgs/acme/contacts/" + o.admin.ID + "/roles/owner", header: ifm(f.contact("acme", o.admin.ID).Version)}, "self-raise"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshots()
			res := f.do("admin", "acme", tt.rq)
			if res.status != http.StatusForbidden || res.problem(t).Rule != tt.rule {
				t.Errorf("= %d %s, want 403 with rule %s", res.status, res.body, tt.rule)
			}
			validateResponse(t, tt.rq.method, routeOf(t, tt.rq), res)
			if diff := cmp.Diff(before, f.snapshots()); diff != "" {
				t.Errorf("changed (-before +after):\n%s", diff)
			}
		})
	}
}
