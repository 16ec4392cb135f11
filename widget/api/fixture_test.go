package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget/wire"
)

// The test fixture: a Service over memstore with two orgs, "acme" and
// "other", each with one contact per role and a target contact, a group and
// some slot holders, and the handler over it. Identity travels in the
// request context, as a host's session middleware would put it there: the
// handler sees it only through Options.Actor.

// roles are the matrix's actor columns, in order.
var roles = []string{"owner", "admin", "business", "normal", "none", "vendor"}

type orgFixture struct {
	id string
	// owner, admin, business and normal act; target is acted upon (a
	// normal contact, so that admins outrank it).
	owner, admin, business, normal, target contacts.Contact
	group                                  contacts.Group
	// verifyToken and consentToken are the secrets of a verification link
	// and a double opt-in link sent to target.
	verifyToken, consentToken string
	// invitee is Ivy, invited by the admin (with the normal role) and a
	// member of group; invitation is her pending invitation, inviteToken
	// its link's secret, and signupToken the secret of the org's sign-up
	// link (granting normal).
	invitee                  contacts.Contact
	invitation               contacts.Invitation
	inviteToken, signupToken string
	// draft, submitted and queried are change sets the admin made, each
	// editing target's title, in those states (in review mode; in direct
	// mode only draft).
	draft, submitted, queried contacts.ChangeSet
}

type fixture struct {
	t     testing.TB
	svc   *contacts.Service
	store contacts.Store
	h     http.Handler
	opts  Options
	clock *fakeClock
	orgs  map[string]*orgFixture
	sent  *outbox
}

// outbox keeps the messages the Service sent.
type outbox struct {
	mu   sync.Mutex
	list []contacts.Message
}

// with returns a copy of f that reports to t: a fuzz target's iterations
// must not use the *testing.F.
func (f *fixture) with(t testing.TB) *fixture {
	g := *f
	g.t = t
	return &g
}

// fakeClock is the idempotency clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testPolicy is the default config plus a consent-basis purpose with a
// double opt-in, so the confirm route has something to confirm, in review
// change mode, so that change sets have a review to walk through.
func testPolicy(t testing.TB) *policy.Policy {
	t.Helper()
	cfg := policy.Default()
	cfg.ChangeMode = policy.Review
	cfg.Purposes = append(cfg.Purposes, policy.Purpose{Key: "newsletter", Name: "Newsletter", LegalBasis: policy.Consent,
		Text: "We may send you our monthly newsletter.", DoubleOptIn: true})
	pol, err := policy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

type actorKey struct{}

// withActor is how tests authenticate: what a host's session middleware
// would do.
func withActor(r *http.Request, a contacts.Actor) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), actorKey{}, a))
}

var errNoSession = errors.New("no session")

func actorFromContext(r *http.Request) (contacts.Actor, error) {
	a, ok := r.Context().Value(actorKey{}).(contacts.Actor)
	if !ok {
		return contacts.Actor{}, errNoSession
	}
	return a, nil
}

func newFixture(t testing.TB, edit ...func(*Options)) *fixture {
	t.Helper()
	return newFixtureOn(t, memstore.New(), edit...)
}

func newFixtureOn(t testing.TB, store contacts.Store, edit ...func(*Options)) *fixture {
	t.Helper()
	return newFixtureWith(t, store, testPolicy(t), nil, edit...)
}

func newFixtureWith(t testing.TB, store contacts.Store, pol *policy.Policy, svcOpts []contacts.Option, edit ...func(*Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, store: store, orgs: map[string]*orgFixture{}, sent: &outbox{},
		clock: &fakeClock{now: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}}
	t.Cleanup(func() { store.Close() })
	opts := append([]contacts.Option{contacts.WithNotifier(contacts.NotifierFunc(func(_ context.Context, m contacts.Message) error {
		f.sent.mu.Lock()
		defer f.sent.mu.Unlock()
		f.sent.list = append(f.sent.list, m)
		return nil
	}))}, svcOpts...)
	f.svc = contacts.New(store, pol, opts...)
	for _, org := range []string{"acme", "other"} {
		f.orgs[org] = f.addOrg(org)
	}
	f.opts = Options{Actor: actorFromContext, Prefix: "/api/v1", Now: f.clock.Now}
	for _, e := range edit {
		e(&f.opts)
	}
	f.h = New(f.svc, f.opts)
	return f
}

// lastToken returns the secret of the last link sent.
func (f *fixture) lastToken() string {
	f.sent.mu.Lock()
	defer f.sent.mu.Unlock()
	return linkToken(f.t, f.sent.list[len(f.sent.list)-1].Data["link"])
}

// linkToken returns the secret of a link the Service made.
func linkToken(t testing.TB, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("link %q carries no token (%v)", link, err)
	}
	return u.Query().Get("token")
}

func (f *fixture) addOrg(org string) *orgFixture {
	t := f.t
	t.Helper()
	ctx := context.Background()
	vendor := contacts.Actor{Org: org, Vendor: "setup"}
	o := &orgFixture{id: org}
	_, owner, err := f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: org, Name: org + " Inc",
		Owner: contacts.NewContact{Name: "Olga", Email: "olga@" + org + ".example"}})
	if err != nil {
		t.Fatal(err)
	}
	o.owner = owner
	mk := func(name, role string) contacts.Contact {
		c, err := f.svc.CreateContact(ctx, vendor, org, contacts.NewContact{Name: name, Email: strings.ToLower(name) + "@" + org + ".example"})
		if err != nil {
			t.Fatal(err)
		}
		if c, err = f.svc.GrantRole(ctx, vendor, org, c.ID, c.Version, role); err != nil {
			t.Fatal(err)
		}
		return c
	}
	o.admin, o.business, o.normal, o.target = mk("Alice", "admin"), mk("Bob", "business"), mk("Nina", "normal"), mk("Tom", "normal")
	if o.group, err = f.svc.CreateGroup(ctx, vendor, org, contacts.NewGroup{Name: "Platform", Kind: contacts.Team}); err != nil {
		t.Fatal(err)
	}
	if o.target, err = f.svc.AddToGroup(ctx, vendor, org, o.group.ID, o.target.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AssignSlot(ctx, vendor, org, "primary", 0, []contacts.Holder{{Kind: contacts.HolderContact, ID: owner.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AssignSlot(ctx, vendor, org, "technical", 0, []contacts.Holder{
		{Kind: contacts.HolderContact, ID: o.admin.ID}, {Kind: contacts.HolderGroup, ID: o.group.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmReview(ctx, vendor, org); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestVerification(ctx, vendor, org, o.target.ID); err != nil {
		t.Fatal(err)
	}
	o.verifyToken = f.lastToken()
	self := contacts.Actor{Org: org, Contact: o.target.ID}
	if _, err := f.svc.SetConsent(ctx, self, org, o.target.ID, "newsletter", true, contacts.ChannelWidget); err != nil {
		t.Fatal(err)
	}
	o.consentToken = f.lastToken()

	admin := contacts.Actor{Org: org, Contact: o.admin.ID}
	if err := f.svc.Invite(ctx, admin, org, contacts.InviteRequest{Mode: contacts.InviteContacts, Role: "normal",
		Contact: contacts.NewContact{Name: "Ivy", Email: "ivy@" + org + ".example"}}); err != nil {
		t.Fatal(err)
	}
	o.inviteToken = f.lastToken()
	invs, _, err := f.svc.Invitations(ctx, vendor, org, contacts.Page{})
	if err != nil || len(invs) != 1 {
		t.Fatalf("invitations: %v %v", invs, err)
	}
	o.invitation = invs[0]
	if o.invitee, err = f.svc.AddToGroup(ctx, vendor, org, o.group.ID, o.invitation.Contact); err != nil {
		t.Fatal(err)
	}
	link, err := f.svc.RotateInviteLink(ctx, admin, org, "normal")
	if err != nil {
		t.Fatal(err)
	}
	o.signupToken = linkToken(t, link)
	tom := f.contact(org, o.target.ID)
	mkChange := func() contacts.ChangeSet {
		cs, err := f.svc.CreateChangeSet(ctx, admin, org, []contacts.Edit{{Kind: contacts.EditFields, Contact: tom.ID,
			Version: tom.Version, Patch: &contacts.ContactPatch{Title: new("Lead")}}})
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	o.draft = mkChange()
	if f.svc.Policy().Config().ChangeMode != policy.Review {
		return f.reload(o) // submitting applies, and there is no review
	}
	if o.submitted, err = f.svc.SubmitChangeSet(ctx, admin, org, mkChange().ID, 1); err != nil {
		t.Fatal(err)
	}
	if o.queried, err = f.svc.SubmitChangeSet(ctx, admin, org, mkChange().ID, 1); err != nil {
		t.Fatal(err)
	}
	if o.queried, err = f.svc.QueryChangeSet(ctx, vendor, org, o.queried.ID, o.queried.Version, "Why?"); err != nil {
		t.Fatal(err)
	}
	return f.reload(o)
}

// reload reads again what the setup changed.
func (f *fixture) reload(o *orgFixture) *orgFixture {
	o.target = f.contact(o.id, o.target.ID)
	o.owner = f.contact(o.id, o.owner.ID)
	return o
}

func (f *fixture) contact(org, id string) contacts.Contact {
	f.t.Helper()
	c, err := f.svc.Contact(context.Background(), contacts.Actor{Org: org, Vendor: "test"}, org, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// actor returns the Actor of role in org, and false for "none".
func (f *fixture) actor(role, org string) (contacts.Actor, bool) {
	o := f.orgs[org]
	var c contacts.Contact
	switch role {
	case "none":
		return contacts.Actor{}, false
	case "vendor":
		return contacts.Actor{Vendor: "support"}, true
	case "owner":
		c = o.owner
	case "admin":
		c = o.admin
	case "business":
		c = o.business
	case "normal":
		c = o.normal
	default:
		f.t.Fatalf("unknown role %q", role)
	}
	return contacts.Actor{Org: org, Contact: c.ID}, true
}

// req is one HTTP request of a test.
type req struct {
	method, path string // path below the prefix
	body         string // JSON, sent as application/json when not empty
	header       map[string]string
}

// result is a recorded response.
type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) problem(t testing.TB) wire.Problem {
	t.Helper()
	var p wire.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %s: %v", r.body, err)
	}
	return p
}

func (r result) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

// do sends rq as role of org (no identity for "none").
func (f *fixture) do(role, org string, rq req) result {
	f.t.Helper()
	var body *bytes.Reader
	if rq.body != "" {
		body = bytes.NewReader([]byte(rq.body))
	}
	var r *http.Request
	if body != nil {
		r = httptest.NewRequest(rq.method, f.opts.Prefix+rq.path, body)
		r.Header.Set("Content-Type", wire.MediaJSON)
	} else {
		r = httptest.NewRequest(rq.method, f.opts.Prefix+rq.path, nil)
	}
	for k, v := range rq.header {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	if a, ok := f.actor(role, org); ok {
		r = withActor(r, a)
	}
	return f.serve(r)
}

func (f *fixture) serve(r *http.Request) result {
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return result{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
}

// snapshot is the state of org as the Service shows it to the vendor:
// the org, its contacts with their consent histories, its groups with their
// members, every slot's holders, its change sets and invitations, and the
// audit actions other than denials
// (which a denied request adds by design). A request that changes nothing
// leaves it byte-identical.
func (f *fixture) snapshot(org string) string {
	f.t.Helper()
	ctx := context.Background()
	v := contacts.Actor{Org: org, Vendor: "snapshot"}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	must := func(x any, err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatalf("snapshot of %s: %v", org, err)
		}
		enc.Encode(x)
	}
	must(f.svc.Org(ctx, v, org))
	list, _, err := f.svc.Contacts(ctx, v, org, contacts.Page{Limit: snapshotLimit})
	must(list, err)
	for _, c := range list {
		must(f.svc.ConsentHistory(ctx, v, org, c.ID))
	}
	groups, _, err := f.svc.Groups(ctx, v, org, contacts.Page{Limit: snapshotLimit})
	must(groups, err)
	for _, g := range groups {
		must(f.svc.GroupMembers(ctx, v, org, g.ID))
	}
	for _, s := range f.svc.Policy().Slots() {
		must(f.svc.SlotHolders(ctx, v, org, s.Key))
	}
	css, _, err := f.svc.ChangeSets(ctx, v, org, contacts.Page{Limit: snapshotLimit})
	must(css, err)
	invs, _, err := f.svc.Invitations(ctx, v, org, contacts.Page{Limit: snapshotLimit})
	must(invs, err)
	events, err := f.svc.AuditEvents(ctx, v, org, 0, contacts.MaxPageSize)
	var actions []string
	for _, e := range events {
		if e.Action != "denied" {
			actions = append(actions, e.Action+" "+e.Target)
		}
	}
	must(actions, err)
	return b.String()
}

func (f *fixture) snapshots() map[string]string {
	out := map[string]string{}
	for org := range f.orgs {
		out[org] = f.snapshot(org)
	}
	return out
}

// countContacts returns how many contacts org has.
func (f *fixture) countContacts(org string) int {
	f.t.Helper()
	list, _, err := f.svc.Contacts(context.Background(), contacts.Actor{Org: org, Vendor: "test"}, org, contacts.Page{Limit: snapshotLimit})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(list)
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// newRequest builds a request; a non-empty body is sent as JSON.
func newRequest(method, path, body string) *http.Request {
	if body == "" {
		return httptest.NewRequest(method, path, nil)
	}
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", wire.MediaJSON)
	return r
}

// routeMux resolves request paths (below the prefix) to route patterns.
var routeMux = func() *http.ServeMux {
	m := http.NewServeMux()
	for _, rt := range compiledRoutes() {
		m.HandleFunc(rt.method+" "+rt.path, func(http.ResponseWriter, *http.Request) {})
	}
	return m
}()

// routeOf returns the route path rq goes to.
func routeOf(t testing.TB, rq req) string {
	t.Helper()
	_, pattern := routeMux.Handler(httptest.NewRequest(rq.method, rq.path, nil))
	_, path, ok := strings.Cut(pattern, " ")
	if !ok {
		t.Fatalf("%s %s matches no route", rq.method, rq.path)
	}
	return path
}

// snapshotLimit is one below contacts.MaxPageSize: the Service asks the
// store for one more item than the page to find the next cursor, and the
// store refuses more than MaxPageSize.
const snapshotLimit = contacts.MaxPageSize - 1
