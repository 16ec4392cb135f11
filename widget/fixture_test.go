package widget

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// Hostile values stored in the fixture's org. None of them may ever
// appear in a pre-rendered page (RELIABILITY H2).
var hostile = []string{
	`<img src=x onerror=alert(1)>`,
	`x" autofocus onfocus=alert(1) y="`,
	`javascript:alert(1)`,
	`</script><script>alert(1)</script>`,
}

// fixture is a Service over memstore with the org "acme" holding contacts
// named with the hostile values, and the widget's handler over it.
type fixture struct {
	svc     *contacts.Service
	owner   contacts.Contact
	opts    Options
	h       http.Handler
	actored atomic.Int64 // calls of Options.Actor
}

type actorKey struct{}

var errNoSession = errors.New("no session")

func newFixture(t testing.TB, edit ...func(*Options)) *fixture {
	t.Helper()
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{svc: contacts.New(store, pol)}
	ctx := context.Background()
	vendor := contacts.Actor{Org: "acme", Vendor: "setup"}
	_, f.owner, err = f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: "acme", Name: hostile[0],
		Owner: contacts.NewContact{Name: hostile[1], Email: "olga@acme.example", Title: hostile[2]}})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range hostile {
		if _, err := f.svc.CreateContact(ctx, vendor, "acme", contacts.NewContact{
			Name: name, Email: "c" + string(rune('a'+i)) + "@acme.example", Title: hostile[(i+1)%len(hostile)]}); err != nil {
			t.Fatalf("creating the hostile contact %q: %v", name, err)
		}
	}
	f.opts = Options{
		Service: f.svc,
		Actor: func(r *http.Request) (contacts.Actor, error) {
			f.actored.Add(1)
			if a, ok := r.Context().Value(actorKey{}).(contacts.Actor); ok {
				return a, nil
			}
			return contacts.Actor{}, errNoSession
		},
		Prefix:         "/liaison",
		FrameAncestors: []string{"https://portal.example.com"},
	}
	for _, e := range edit {
		e(&f.opts)
	}
	f.h = Handler(f.opts)
	return f
}

// get serves a GET of target (a path, or a full URL whose host becomes the
// Host header) and returns the response with its body read.
func (f *fixture) get(t testing.TB, target string, header ...string) (*http.Response, string) {
	t.Helper()
	return f.do(t, httptest.NewRequest(http.MethodGet, target, nil), header...)
}

// do serves r, with header's name/value pairs added, through the handler.
func (f *fixture) do(t testing.TB, r *http.Request, header ...string) (*http.Response, string) {
	t.Helper()
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	res := w.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// asOwner authenticates r as the org's owner, as a host's session
// middleware would.
func (f *fixture) asOwner(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), actorKey{}, contacts.Actor{Org: "acme", Contact: f.owner.ID}))
}

func withPrefix(p string) func(*Options) { return func(o *Options) { o.Prefix = p } }

// httptestRequest is a GET of target.
func httptestRequest(target string) *http.Request {
	return httptest.NewRequest(http.MethodGet, target, nil)
}
