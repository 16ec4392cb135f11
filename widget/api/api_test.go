package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget/wire"
)

// check asserts a response's status and, for a problem, its type; it also
// validates the response against the OpenAPI document.
func check(t *testing.T, rq req, res result, status int, problemType string) {
	t.Helper()
	if res.status != status {
		t.Fatalf("%s %s = %d, want %d\nbody: %s", rq.method, rq.path, res.status, status, res.body)
	}
	if problemType != "" {
		if p := res.problem(t); p.Type != problemType || p.Status != status {
			t.Fatalf("%s %s: problem %+v, want type %s", rq.method, rq.path, p, problemType)
		}
	}
	validateResponse(t, rq.method, routeOf(t, rq), res)
}

func TestHandler_ETagAndIfMatch(t *testing.T) {
	f := newFixture(t)
	tom := f.orgs["acme"].target
	path := "/orgs/acme/contacts/" + tom.ID

	get := req{method: "GET", path: path}
	res := f.do("admin", "acme", get)
	check(t, get, res, http.StatusOK, "")
	tag := res.header.Get("ETag")
	if want := etag(f.contact("acme", tom.ID).Version); tag != want {
		t.Fatalf("ETag = %q, want %q", tag, want)
	}

	tests := []struct {
		name    string
		ifMatch string
		status  int
		typ     string
	}{
		{"without If-Match", "", http.StatusPreconditionRequired, wire.ProblemPreconditionRequired},
		{"with *", "*", http.StatusPreconditionRequired, wire.ProblemPreconditionRequired},
		{"a weak tag", "W/" + tag, http.StatusBadRequest, wire.ProblemMalformed},
		{"two tags", tag + `, "v1"`, http.StatusBadRequest, wire.ProblemMalformed},
		{"garbage", `"x"`, http.StatusBadRequest, wire.ProblemMalformed},
		{"stale", `"v1"`, http.StatusPreconditionFailed, wire.ProblemStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshots()
			rq := req{method: "PATCH", path: path, body: `{"title":"CTO"}`, header: map[string]string{"If-Match": tt.ifMatch}}
			check(t, rq, f.do("admin", "acme", rq), tt.status, tt.typ)
			if diff := cmp.Diff(before, f.snapshots()); diff != "" {
				t.Errorf("changed (-before +after):\n%s", diff)
			}
		})
	}

	t.Run("authorization comes before the precondition", func(t *testing.T) {
		rq := req{method: "PATCH", path: path, body: `{"title":"CTO"}`, header: map[string]string{"If-Match": `"v1"`}}
		check(t, rq, f.do("business", "acme", rq), http.StatusForbidden, wire.ProblemForbidden)
	})
	t.Run("another org cannot tell stale from current", func(t *testing.T) {
		other := req{method: "PATCH", path: path, body: `{"title":"CTO"}`, header: map[string]string{"If-Match": tag}}
		stale := req{method: "PATCH", path: path, body: `{"title":"CTO"}`, header: map[string]string{"If-Match": `"v1"`}}
		a, b := f.do("owner", "other", other), f.do("owner", "other", stale)
		check(t, other, a, http.StatusNotFound, wire.ProblemNotFound)
		sameAnswer(t, "current tag", "stale tag", a, b)
	})
	t.Run("current tag updates and moves the tag on", func(t *testing.T) {
		rq := req{method: "PATCH", path: path, body: `{"title":"CTO"}`, header: map[string]string{"If-Match": tag}}
		res := f.do("admin", "acme", rq)
		check(t, rq, res, http.StatusOK, "")
		var c wire.Contact
		res.decode(t, &c)
		if c.Title != "CTO" || res.header.Get("ETag") != etag(c.Version) || res.header.Get("ETag") == tag {
			t.Errorf("contact %+v with ETag %s after update from %s", c, res.header.Get("ETag"), tag)
		}
		again := f.do("admin", "acme", rq)
		check(t, rq, again, http.StatusPreconditionFailed, wire.ProblemStale)
	})
	t.Run("a taken address is a conflict, not a stale version", func(t *testing.T) {
		cur := f.contact("acme", tom.ID)
		rq := req{method: "PATCH", path: path, body: `{"email":"NINA@acme.example"}`, header: ifm(cur.Version)}
		check(t, rq, f.do("admin", "acme", rq), http.StatusConflict, wire.ProblemConflict)
	})
}

// TestHandler_concurrentUpdates: two clients update with the same ETag;
// exactly one wins and the other gets 412 (RELIABILITY C1).
func TestHandler_concurrentUpdates(t *testing.T) {
	f := newFixture(t)
	tom := f.orgs["acme"].target
	tag := ifm(f.contact("acme", tom.ID).Version)
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rq := req{method: "PATCH", path: "/orgs/acme/contacts/" + tom.ID, body: `{"title":"T` + strconv.Itoa(i) + `"}`, header: tag}
			statuses[i] = f.do("admin", "acme", rq).status
		})
	}
	wg.Wait()
	won := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			won++
		case http.StatusPreconditionFailed:
		default:
			t.Errorf("status %d, want 200 or 412", s)
		}
	}
	if won != 1 {
		t.Errorf("%d updates won with the same ETag, want exactly 1 (statuses %v)", won, statuses)
	}
}

func TestHandler_idempotency(t *testing.T) {
	create := func(key, body string) req {
		return req{method: "POST", path: "/orgs/acme/contacts", body: body, header: map[string]string{wire.HeaderIdempotencyKey: key}}
	}
	body := `{"name":"Ida","email":"ida@acme.example"}`

	t.Run("same key and body replay the first response", func(t *testing.T) {
		f := newFixture(t)
		n := f.countContacts("acme")
		first := f.do("admin", "acme", create("k1", body))
		check(t, create("k1", body), first, http.StatusCreated, "")
		spaced := `{ "name": "Ida",  "email": "ida@acme.example" }`
		again := f.do("admin", "acme", create("k1", spaced))
		check(t, create("k1", spaced), again, http.StatusCreated, "")
		if !bytes.Equal(first.body, again.body) || again.header.Get("Location") != first.header.Get("Location") ||
			again.header.Get("ETag") != first.header.Get("ETag") || again.header.Get(wire.HeaderIdempotentReplayed) != "true" {
			t.Errorf("replay differs:\n%s %v\n%s %v", first.body, first.header, again.body, again.header)
		}
		if got := f.countContacts("acme"); got != n+1 {
			t.Errorf("%d contacts after a create and its replay, want %d", got, n+1)
		}
	})
	t.Run("same key, another body", func(t *testing.T) {
		f := newFixture(t)
		check(t, create("k2", body), f.do("admin", "acme", create("k2", body)), http.StatusCreated, "")
		other := create("k2", `{"name":"Ida","email":"ida2@acme.example"}`)
		check(t, other, f.do("admin", "acme", other), http.StatusUnprocessableEntity, wire.ProblemIdempotencyReused)
		onGroups := req{method: "POST", path: "/orgs/acme/groups", body: `{"name":"X","kind":"team"}`, header: map[string]string{wire.HeaderIdempotencyKey: "k2"}}
		check(t, onGroups, f.do("admin", "acme", onGroups), http.StatusUnprocessableEntity, wire.ProblemIdempotencyReused)
	})
	t.Run("scoped to the actor and the org", func(t *testing.T) {
		f := newFixture(t)
		n := f.countContacts("acme")
		check(t, create("k3", body), f.do("admin", "acme", create("k3", body)), http.StatusCreated, "")
		res := f.do("owner", "acme", create("k3", `{"name":"Ivo","email":"ivo@acme.example"}`))
		check(t, create("k3", ""), res, http.StatusCreated, "")
		if res.header.Get(wire.HeaderIdempotentReplayed) != "" {
			t.Error("another actor's key replayed")
		}
		other := req{method: "POST", path: "/orgs/other/contacts", body: body, header: map[string]string{wire.HeaderIdempotencyKey: "k3"}}
		check(t, other, f.do("admin", "other", other), http.StatusCreated, "")
		if got := f.countContacts("acme"); got != n+2 {
			t.Errorf("%d contacts, want %d", got, n+2)
		}
	})
	t.Run("a failed create keeps no key", func(t *testing.T) {
		f := newFixture(t)
		bad := create("k4", `{"name":"","email":"ida@acme.example"}`)
		check(t, bad, f.do("admin", "acme", bad), http.StatusUnprocessableEntity, wire.ProblemInvalid)
		check(t, create("k4", body), f.do("admin", "acme", create("k4", body)), http.StatusCreated, "")
	})
	t.Run("keys expire", func(t *testing.T) {
		f := newFixture(t)
		group := req{method: "POST", path: "/orgs/acme/groups", body: `{"name":"Ops","kind":"team"}`, header: map[string]string{wire.HeaderIdempotencyKey: "k5"}}
		first := f.do("admin", "acme", group)
		f.clock.Advance(DefaultIdempotencyTTL - time.Second)
		if again := f.do("admin", "acme", group); !bytes.Equal(again.body, first.body) {
			t.Errorf("replay within the TTL differs: %s vs %s", again.body, first.body)
		}
		f.clock.Advance(2 * time.Second)
		later := f.do("admin", "acme", group)
		check(t, group, later, http.StatusCreated, "")
		if bytes.Equal(later.body, first.body) || later.header.Get(wire.HeaderIdempotentReplayed) != "" {
			t.Error("an expired key still replayed")
		}
	})
	t.Run("malformed key", func(t *testing.T) {
		f := newFixture(t)
		for _, key := range []string{strings.Repeat("k", 256), "has space", `"`} {
			rq := create(key, body)
			res := f.do("admin", "acme", rq)
			check(t, rq, res, http.StatusBadRequest, wire.ProblemMalformed)
			if p := res.problem(t); p.Errors[0].Parameter != wire.HeaderIdempotencyKey {
				t.Errorf("problem %+v does not name the header", p)
			}
		}
	})
	t.Run("in flight", func(t *testing.T) {
		gate := &gatedStore{IdempotencyStore: NewMemoryIdempotencyStore(), reserved: make(chan struct{}), release: make(chan struct{})}
		f := newFixture(t, func(o *Options) { o.Idempotency = gate })
		n := f.countContacts("acme")
		done := make(chan result)
		go func() { done <- f.do("admin", "acme", create("k6", body)) }()
		<-gate.reserved
		res := f.do("admin", "acme", create("k6", body))
		check(t, create("k6", body), res, http.StatusConflict, wire.ProblemIdempotencyInFlight)
		close(gate.release)
		if first := <-done; first.status != http.StatusCreated {
			t.Errorf("first = %d %s", first.status, first.body)
		}
		if got := f.countContacts("acme"); got != n+1 {
			t.Errorf("%d contacts, want %d", got, n+1)
		}
	})
	t.Run("50 concurrent duplicates make one contact", func(t *testing.T) {
		f := newFixture(t)
		n := f.countContacts("acme")
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			bodies  = map[string]int{}
			unknown []int
		)
		for range 50 {
			wg.Go(func() {
				res := f.do("admin", "acme", create("k7", body))
				mu.Lock()
				defer mu.Unlock()
				switch res.status {
				case http.StatusCreated:
					bodies[string(res.body)]++
				case http.StatusConflict:
				default:
					unknown = append(unknown, res.status)
				}
			})
		}
		wg.Wait()
		if len(bodies) != 1 || len(unknown) > 0 {
			t.Errorf("distinct 201 bodies %d, other statuses %v; want one body, and 409 for the rest", len(bodies), unknown)
		}
		if got := f.countContacts("acme"); got != n+1 {
			t.Errorf("%d contacts, want %d", got, n+1)
		}
	})
}

// gatedStore holds the first create between its reservation and its
// completion, so a second request meets it in flight.
type gatedStore struct {
	IdempotencyStore
	once     sync.Once
	reserved chan struct{}
	release  chan struct{}
}

func (g *gatedStore) Complete(ctx context.Context, key string, r StoredResponse) error {
	g.once.Do(func() {
		close(g.reserved)
		<-g.release
	})
	return g.IdempotencyStore.Complete(ctx, key, r)
}

// TestHandler_hostileBodies sends what encoding/json would accept
// silently, or what tries to set what a client may not: each is refused
// with 4xx and changes nothing (RELIABILITY B5).
func TestHandler_hostileBodies(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxBodyBytes = 4096 })
	tom := f.orgs["acme"].target
	hostile := []struct {
		name, body string
		status     int
		pointer    string
	}{
		{"role", `{"name":"Eve","email":"eve@acme.example","role":"owner"}`, 400, "/role"},
		{"Role", `{"name":"Eve","email":"eve@acme.example","Role":"owner"}`, 400, "/Role"},
		{"roles", `{"name":"Eve","email":"eve@acme.example","roles":["owner"]}`, 400, "/roles"},
		{"version", `{"name":"Eve","email":"eve@acme.example","version":99}`, 400, "/version"},
		{"id", `{"name":"Eve","email":"eve@acme.example","id":"X"}`, 400, "/id"},
		{"verification", `{"name":"Eve","email":"eve@acme.example","verification":"verified"}`, 400, "/verification"},
		{"duplicate key", `{"name":"x","name":"y","email":"eve@acme.example"}`, 400, "/name"},
		{"case-variant key", `{"name":"x","Name":"y","email":"eve@acme.example"}`, 400, "/Name"},
		{"case-variant field", `{"NAME":"x","email":"eve@acme.example"}`, 400, "/NAME"},
		{"Kelvin-sign fold", `{"name":"x","email":"eve@acme.example","\u212aind":"client"}`, 400, "/\u212aind"},
		{"trailing object", `{"name":"x","email":"eve@acme.example"}{}`, 400, ""},
		{"trailing }{", `{"name":"x","email":"eve@acme.example"}}{`, 400, ""},
		{"null", `{"name":null,"email":"eve@acme.example"}`, 400, "/name"},
		{"wrong type", `{"name":["x"],"email":"eve@acme.example"}`, 400, "/name"},
		{"an array", `[{"name":"x","email":"eve@acme.example"}]`, 400, ""},
		{"not JSON", `{"name":`, 400, ""},
		{"oversize", `{"name":"` + strings.Repeat("x", 5000) + `","email":"eve@acme.example"}`, 413, ""},
		{"too deep", `{"name":"x","email":"e@acme.example","z":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, 400, ""},
	}
	for _, target := range []struct {
		name string
		rq   func(body string) req
	}{
		{"create", func(body string) req { return req{method: "POST", path: "/orgs/acme/contacts", body: body} }},
		{"patch", func(body string) req {
			return req{method: "PATCH", path: "/orgs/acme/contacts/" + tom.ID, body: body, header: ifm(f.contact("acme", tom.ID).Version)}
		}},
	} {
		for _, h := range hostile {
			t.Run(target.name+"/"+h.name, func(t *testing.T) {
				before := f.snapshots()
				rq := target.rq(h.body)
				res := f.do("owner", "acme", rq)
				if res.status != h.status {
					t.Fatalf("= %d, want %d: %s", res.status, h.status, res.body)
				}
				validateResponse(t, rq.method, routeOf(t, rq), res)
				if h.pointer != "" {
					p := res.problem(t)
					if len(p.Errors) == 0 || p.Errors[0].Pointer != h.pointer {
						t.Errorf("problem %+v, want the first error at %s", p, h.pointer)
					}
				}
				if diff := cmp.Diff(before, f.snapshots()); diff != "" {
					t.Errorf("changed (-before +after):\n%s", diff)
				}
			})
		}
	}
	t.Run("media types", func(t *testing.T) {
		for ct, want := range map[string]int{
			"text/plain":                           415,
			"":                                     415,
			"application/json; charset=latin1":     415,
			"application/x-www-form-urlencoded":    415,
			"application/json; charset=UTF-8":      201,
			"application/json":                     201,
			"application/merge-patch+json":         415,
			"application/json; charset=utf-8; x=y": 415,
		} {
			r := newRequest("POST", "/api/v1/orgs/acme/contacts", `{"name":"Mia","email":"mia`+strconv.Itoa(len(ct))+`@acme.example"}`)
			r.Header.Set("Content-Type", ct)
			res := f.serve(withActor(r, contacts.Actor{Org: "acme", Contact: f.orgs["acme"].owner.ID}))
			if res.status != want {
				t.Errorf("Content-Type %q = %d, want %d: %s", ct, res.status, want, res.body)
			}
		}
	})
	t.Run("a body where none is taken", func(t *testing.T) {
		ok := req{method: "POST", path: "/orgs/acme/review", body: `{}`}
		check(t, ok, f.do("owner", "acme", ok), http.StatusOK, "")
		bad := req{method: "POST", path: "/orgs/acme/review", body: `{"reviewed_at":"2020-01-01T00:00:00Z"}`}
		check(t, bad, f.do("owner", "acme", bad), http.StatusBadRequest, wire.ProblemMalformed)
	})
	t.Run("every problem in one answer", func(t *testing.T) {
		rq := req{method: "POST", path: "/orgs/acme/contacts", body: `{"name":1,"email":"e@acme.example","x":1,"Y":2,"phone":null}`}
		res := f.do("owner", "acme", rq)
		check(t, rq, res, http.StatusBadRequest, wire.ProblemMalformed)
		var got []string
		for _, e := range res.problem(t).Errors {
			got = append(got, e.Pointer)
		}
		if want := []string{"/name", "/x", "/Y", "/phone"}; !cmp.Equal(got, want) {
			t.Errorf("pointers %v, want %v", got, want)
		}
	})
}

func TestHandler_invalidInput(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		rq     req
		fields []wire.ProblemField
	}{
		{"body fields", req{method: "POST", path: "/orgs/acme/contacts", body: `{"name":"","email":"Eve <eve@acme.example>"}`},
			[]wire.ProblemField{{Pointer: "/name"}, {Pointer: "/email"}}},
		{"nested body fields", req{method: "POST", path: "/orgs", body: `{"name":"N","owner":{"name":"","email":"x@n.example"}}`},
			[]wire.ProblemField{{Pointer: "/owner/name"}}},
		{"a path parameter", req{method: "GET", path: "/orgs/acme/slots/nosuch"}, []wire.ProblemField{{Parameter: "slot"}}},
		{"a role", req{method: "PUT", path: "/orgs/acme/contacts/" + f.orgs["acme"].target.ID + "/roles/king", header: ifm(f.orgs["acme"].target.Version)},
			[]wire.ProblemField{{Parameter: "role"}}},
		{"a query parameter", req{method: "GET", path: "/orgs/acme/contacts?limit=5000"}, []wire.ProblemField{{Parameter: "limit"}}},
		{"a query lookup", req{method: "GET", path: "/orgs/acme/contacts?email=not-an-address"}, []wire.ProblemField{{Parameter: "email"}}},
		{"a missing choice", req{method: "PUT", path: "/orgs/acme/contacts/" + f.orgs["acme"].target.ID + "/consent/usage_interviews", body: `{"channel":"import"}`},
			[]wire.ProblemField{{Pointer: "/granted"}, {Pointer: "/channel"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do("vendor", "acme", tt.rq)
			check(t, tt.rq, res, http.StatusUnprocessableEntity, wire.ProblemInvalid)
			got := res.problem(t).Errors
			for i := range got {
				got[i].Detail = ""
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

// failingStore fails every transaction once armed, with a message that
// must never reach a client.
type failingStore struct {
	contacts.Store
	mu    sync.Mutex
	armed bool
}

var errSecret = errors.New("pq: connection to 10.0.0.7 refused (password=hunter2)")

func (s *failingStore) arm() { s.mu.Lock(); s.armed = true; s.mu.Unlock() }
func (s *failingStore) failing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.armed
}

func (s *failingStore) View(ctx context.Context, fn func(contacts.ReadTx) error) error {
	if s.failing() {
		return errSecret
	}
	return s.Store.View(ctx, fn)
}

func (s *failingStore) Update(ctx context.Context, fn func(contacts.Tx) error) error {
	if s.failing() {
		return errSecret
	}
	return s.Store.Update(ctx, fn)
}

// TestHandler_internalErrors: a store failure answers 500 with a generic
// detail, and only the log holds the cause.
func TestHandler_internalErrors(t *testing.T) {
	var logs bytes.Buffer
	store := &failingStore{Store: memstore.New()}
	f := newFixtureOn(t, store, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	store.arm()
	for _, rq := range []req{
		{method: "GET", path: "/orgs/acme"},
		{method: "POST", path: "/orgs/acme/contacts", body: `{"name":"Eve","email":"eve@acme.example"}`},
	} {
		res := f.do("owner", "acme", rq)
		check(t, rq, res, http.StatusInternalServerError, wire.ProblemInternal)
		if bytes.Contains(res.body, []byte("hunter2")) || bytes.Contains(res.body, []byte("10.0.0.7")) {
			t.Errorf("the cause leaked: %s", res.body)
		}
		if p := res.problem(t); p.RequestID == "" || p.RequestID != res.header.Get(wire.HeaderRequestID) {
			t.Errorf("problem request_id %q, header %q", p.RequestID, res.header.Get(wire.HeaderRequestID))
		}
	}
	if !strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("the log lacks the cause:\n%s", logs.String())
	}
}

func TestHandler_panicsAnswer500(t *testing.T) {
	f := newFixture(t)
	h := New(f.svc, Options{Actor: func(*http.Request) (contacts.Actor, error) { panic("boom") }})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, newRequest("GET", "/orgs/acme", ""))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "boom") {
		t.Errorf("= %d %s, want 500 without the panic's text", w.Code, w.Body)
	}
}

// TestHandler_headers checks the headers every response carries, errors
// and unrouted requests included.
func TestHandler_headers(t *testing.T) {
	f := newFixture(t)
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	}
	cases := []struct {
		role   string
		rq     req
		status int
		ct     string
	}{
		{"owner", req{method: "GET", path: "/orgs/acme"}, 200, wire.MediaJSON},
		{"none", req{method: "GET", path: "/orgs/acme"}, 401, wire.MediaProblem},
		{"owner", req{method: "GET", path: "/nosuch"}, 404, wire.MediaProblem},
		{"owner", req{method: "PUT", path: "/orgs/acme"}, 405, wire.MediaProblem},
		{"owner", req{method: "GET", path: "/orgs/acme/audit/export"}, 200, wire.MediaNDJSON},
		{"owner", req{method: "DELETE", path: "/orgs/acme/groups/" + f.orgs["acme"].group.ID, header: ifm(f.orgs["acme"].group.Version)}, 204, ""},
	}
	for _, c := range cases {
		res := f.do(c.role, "acme", c.rq)
		if res.status != c.status {
			t.Errorf("%s %s = %d, want %d: %s", c.rq.method, c.rq.path, res.status, c.status, res.body)
		}
		for k, v := range want {
			if got := res.header.Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", c.rq.method, c.rq.path, k, got, v)
			}
		}
		if got := res.header.Get("Content-Type"); got != c.ct {
			t.Errorf("%s %s: Content-Type %q, want %q", c.rq.method, c.rq.path, got, c.ct)
		}
		if res.header.Get(wire.HeaderRequestID) == "" {
			t.Errorf("%s %s: no request ID", c.rq.method, c.rq.path)
		}
	}
	res := f.do("owner", "acme", req{method: "PUT", path: "/orgs/acme"})
	if allow := res.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") || !strings.Contains(allow, "DELETE") {
		t.Errorf("405 Allow = %q", allow)
	}
	unknown := f.do("owner", "acme", req{method: "GET", path: "/nosuch"})
	missing := f.do("owner", "acme", req{method: "GET", path: "/orgs/acme/contacts/01ZZZZZZZZZZZZZZZZZZZZZZZZ"})
	sameAnswer(t, "unknown route", "missing contact", unknown, missing)
}

// TestHandler_crossOrigin checks the CSRF defence on unsafe methods
// (RELIABILITY H4).
func TestHandler_crossOrigin(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.TrustedOrigins = []string{"https://portal.example"} })
	owner := contacts.Actor{Org: "acme", Contact: f.orgs["acme"].owner.ID}
	send := func(method, path string, header map[string]string) result {
		r := newRequest(method, "http://api.example/api/v1"+path, "")
		if method == "POST" {
			r = newRequest(method, "http://api.example/api/v1"+path, `{}`)
		}
		for k, v := range header {
			r.Header.Set(k, v)
		}
		return f.serve(withActor(r, owner))
	}
	tests := []struct {
		name   string
		method string
		header map[string]string
		status int
	}{
		{"cross-site fetch", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same-site but cross-origin", "POST", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"foreign Origin", "POST", map[string]string{"Origin": "https://evil.example"}, 403},
		{"trusted Origin", "POST", map[string]string{"Origin": "https://portal.example", "Sec-Fetch-Site": "cross-site"}, 200},
		{"same origin", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
		{"no browser headers", "POST", nil, 200},
		{"safe method, cross-site", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshots()
			path := "/orgs/acme/review"
			if tt.method == "GET" {
				path = "/orgs/acme"
			}
			res := send(tt.method, path, tt.header)
			if res.status != tt.status {
				t.Fatalf("= %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.status == 403 {
				if p := res.problem(t); p.Type != wire.ProblemCrossOrigin {
					t.Errorf("problem %+v", p)
				}
				if diff := cmp.Diff(before, f.snapshots()); diff != "" {
					t.Errorf("changed (-before +after):\n%s", diff)
				}
			}
		})
	}
}

// TestHandler_requestID: a short client token is kept, anything else is
// replaced; the ID reaches the response, the problem and the audit trail.
func TestHandler_requestID(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	var seen string
	f.opts.Actor = func(r *http.Request) (contacts.Actor, error) {
		seen = RequestID(r.Context())
		return actorFromContext(r)
	}
	f.h = New(f.svc, f.opts)
	for _, tt := range []struct{ sent, want string }{
		{"req-42.a:b_c", "req-42.a:b_c"},
		{"has space", ""},
		{strings.Repeat("x", 65), ""},
		{"line\nbreak", ""},
	} {
		rq := req{method: "POST", path: "/orgs/acme/groups", body: `{"name":"G","kind":"team"}`, header: map[string]string{wire.HeaderRequestID: tt.sent}}
		res := f.do("owner", "acme", rq)
		id := res.header.Get(wire.HeaderRequestID)
		switch {
		case tt.want != "" && id != tt.want:
			t.Errorf("sent %q, got %q", tt.sent, id)
		case tt.want == "" && (id == tt.sent || !validRequestID(id)):
			t.Errorf("sent %q, got %q: want a fresh ID", tt.sent, id)
		}
		if seen != id {
			t.Errorf("RequestID in Actor = %q, want %q", seen, id)
		}
		events, err := f.svc.AuditEvents(context.Background(), contacts.Actor{Org: "acme", Vendor: "t"}, "acme", 0, 999)
		if err != nil {
			t.Fatal(err)
		}
		if last := events[len(events)-1]; last.RequestID != id || last.Action != "group.create" {
			t.Errorf("last audit event %s has request ID %q, want %q", last.Action, last.RequestID, id)
		}
	}
	// One record per request, with the ID, the route and the status, and
	// never the query (which may hold an address).
	f.do("owner", "acme", req{method: "GET", path: "/orgs/acme/contacts?email=tom@acme.example", header: map[string]string{wire.HeaderRequestID: "lookup-1"}})
	var rec map[string]any
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["request_id"] != "lookup-1" || rec["route"] != "GET /orgs/{org}/contacts" || rec["status"] != float64(200) {
		t.Errorf("log record %v", rec)
	}
	if strings.Contains(logs.String(), "tom@acme.example") {
		t.Errorf("an address reached the log:\n%s", logs.String())
	}
}

func TestHandler_listsAndLookups(t *testing.T) {
	f := newFixture(t)
	t.Run("pages follow the cursor", func(t *testing.T) {
		var ids []string
		path := "/orgs/acme/contacts?limit=2"
		for range 10 {
			rq := req{method: "GET", path: path}
			res := f.do("normal", "acme", rq)
			check(t, rq, res, http.StatusOK, "")
			var page wire.ContactPage
			res.decode(t, &page)
			for _, c := range page.Items {
				ids = append(ids, c.ID)
			}
			if page.Next == "" {
				break
			}
			path = "/orgs/acme/contacts?limit=2&after=" + page.Next
		}
		if len(ids) != f.countContacts("acme") {
			t.Errorf("paged through %d contacts, want %d", len(ids), f.countContacts("acme"))
		}
	})
	t.Run("by email", func(t *testing.T) {
		for email, n := range map[string]int{"TOM@acme.example": 1, "nobody@acme.example": 0} {
			rq := req{method: "GET", path: "/orgs/acme/contacts?email=" + email}
			res := f.do("normal", "acme", rq)
			check(t, rq, res, http.StatusOK, "")
			var page wire.ContactPage
			res.decode(t, &page)
			if len(page.Items) != n {
				t.Errorf("%s: %d items, want %d", email, len(page.Items), n)
			}
		}
		rq := req{method: "GET", path: "/orgs/nosuch/contacts?email=tom@acme.example"}
		check(t, rq, f.do("vendor", "acme", rq), http.StatusNotFound, wire.ProblemNotFound)
		both := req{method: "GET", path: "/orgs/acme/contacts?email=tom@acme.example&limit=1"}
		check(t, both, f.do("normal", "acme", both), http.StatusBadRequest, wire.ProblemMalformed)
	})
	t.Run("repeated and unknown parameters", func(t *testing.T) {
		for _, path := range []string{"/orgs/acme/contacts?limit=1&limit=2", "/orgs/acme/contacts?sort=name", "/orgs/acme?x=1", "/orgs/acme/contacts?limit=ten"} {
			rq := req{method: "GET", path: path}
			check(t, rq, f.do("normal", "acme", rq), http.StatusBadRequest, wire.ProblemMalformed)
		}
	})
	t.Run("audit pages", func(t *testing.T) {
		rq := req{method: "GET", path: "/orgs/acme/audit?limit=3"}
		res := f.do("admin", "acme", rq)
		check(t, rq, res, http.StatusOK, "")
		var page wire.AuditPage
		res.decode(t, &page)
		if len(page.Items) != 3 || page.Next != "3" || page.Items[0].Seq != 1 {
			t.Fatalf("first page %+v", page)
		}
		next := req{method: "GET", path: "/orgs/acme/audit?limit=3&after=" + page.Next}
		res = f.do("admin", "acme", next)
		check(t, next, res, http.StatusOK, "")
		res.decode(t, &page)
		if page.Items[0].Seq != 4 {
			t.Errorf("second page starts at %d", page.Items[0].Seq)
		}
	})
	t.Run("export and verify", func(t *testing.T) {
		rq := req{method: "GET", path: "/orgs/acme/audit/export"}
		res := f.do("admin", "acme", rq)
		check(t, rq, res, http.StatusOK, "")
		lines := bytes.Count(res.body, []byte("\n"))
		events, _ := f.svc.AuditEvents(context.Background(), contacts.Actor{Org: "acme", Vendor: "t"}, "acme", 0, 999)
		if lines != len(events) {
			t.Errorf("export has %d lines, the trail %d events", lines, len(events))
		}
		v := req{method: "GET", path: "/orgs/acme/audit/verify"}
		res = f.do("admin", "acme", v)
		check(t, v, res, http.StatusOK, "")
		var ver wire.AuditVerification
		res.decode(t, &ver)
		last := events[len(events)-1]
		if !ver.Valid || ver.Head.Seq != last.Seq || ver.Head.Hash != last.Hash {
			t.Errorf("verification %+v, want valid up to %d", ver, last.Seq)
		}
		wrong := req{method: "GET", path: "/orgs/acme/audit/verify?seq=" + strconv.FormatUint(last.Seq+1, 10) + "&hash=" + last.Hash}
		res = f.do("admin", "acme", wrong)
		check(t, wrong, res, http.StatusOK, "")
		res.decode(t, &ver)
		if ver.Valid || ver.Reason == "" {
			t.Errorf("a head beyond the chain verified: %+v", ver)
		}
	})
	t.Run("recipients", func(t *testing.T) {
		rq := req{method: "GET", path: "/orgs/acme/recipients/technical?explain=1"}
		res := f.do("vendor", "acme", rq)
		check(t, rq, res, http.StatusOK, "")
		var rep wire.Recipients
		res.decode(t, &rep)
		var names []string
		for _, r := range rep.Recipients {
			names = append(names, r.Name)
		}
		if want := []string{"Alice", "Tom"}; !cmp.Equal(names, want) || rep.Excluded == nil {
			t.Errorf("recipients %v (excluded %v), want %v with the exclusions listed", names, rep.Excluded, want)
		}
		plain := req{method: "GET", path: "/orgs/acme/recipients/technical"}
		res = f.do("vendor", "acme", plain)
		check(t, plain, res, http.StatusOK, "")
		if bytes.Contains(res.body, []byte(`"excluded"`)) {
			t.Errorf("excluded listed without explain: %s", res.body)
		}
	})
}

// TestHandler_consentDoubleOptIn: a grant that needs confirmation answers
// 202; the link's secret confirms it without identity, once.
func TestHandler_consentDoubleOptIn(t *testing.T) {
	f := newFixture(t)
	nina := f.orgs["acme"].normal
	rq := req{method: "PUT", path: "/orgs/acme/contacts/" + nina.ID + "/consent/newsletter", body: `{"granted":true,"channel":"widget"}`}
	check(t, rq, f.do("normal", "acme", rq), http.StatusAccepted, "")
	confirm := req{method: "POST", path: "/consent/confirm", body: `{"token":"` + f.lastToken() + `"}`}
	res := f.do("none", "acme", confirm)
	check(t, confirm, res, http.StatusOK, "")
	if st, ok := f.contact("acme", nina.ID).ConsentFor("newsletter"); !ok || !st.Granted {
		t.Errorf("newsletter not granted after confirmation")
	}
	check(t, confirm, f.do("none", "acme", confirm), http.StatusUnprocessableEntity, wire.ProblemInvalid)

	hist := req{method: "GET", path: "/orgs/acme/contacts/" + nina.ID + "/consent"}
	res = f.do("normal", "acme", hist)
	check(t, hist, res, http.StatusOK, "")
	var h wire.ConsentHistory
	res.decode(t, &h)
	if len(h.Items) != 1 || h.Items[0].Channel != "widget" || !h.Items[0].Self {
		t.Errorf("history %+v", h.Items)
	}
}

func TestHandler_verification(t *testing.T) {
	f := newFixture(t)
	rq := req{method: "POST", path: "/verify", body: `{"token":"` + f.orgs["acme"].verifyToken + `"}`}
	res := f.do("none", "acme", rq)
	check(t, rq, res, http.StatusOK, "")
	var got wire.Redeemed
	res.decode(t, &got)
	if want := (wire.Redeemed{Org: "acme", Contact: f.orgs["acme"].target.ID, Result: "verified"}); got != want {
		t.Errorf("redeemed %+v, want %+v", got, want)
	}
	check(t, rq, f.do("none", "acme", rq), http.StatusUnprocessableEntity, wire.ProblemInvalid)
	unknown := req{method: "POST", path: "/verify", body: `{"token":"nope"}`}
	check(t, unknown, f.do("none", "acme", unknown), http.StatusUnprocessableEntity, wire.ProblemInvalid)
}

func TestNew_refusesBadOptions(t *testing.T) {
	f := newFixture(t)
	for name, opts := range map[string]Options{
		"no Actor":         {},
		"prefix without /": {Actor: actorFromContext, Prefix: "api"},
		"prefix ending /":  {Actor: actorFromContext, Prefix: "/api/"},
		"bad origin":       {Actor: actorFromContext, TrustedOrigins: []string{"not an origin"}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("New did not panic")
				}
			}()
			New(f.svc, opts)
		})
	}
}
