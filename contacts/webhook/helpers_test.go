package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/webhook"
	"github.com/liaisonhq/liaison/policy"
)

// The receivers' secrets: 32 bytes and more.
const (
	secretA = "whsec-a-0123456789abcdef0123456789abcdef"
	secretB = "whsec-b-fedcba9876543210fedcba9876543210"
)

var vendor = contacts.Actor{Vendor: "test"}

// newService returns a Service over store with the default policy.
func newService(t *testing.T, store contacts.Store) *contacts.Service {
	t.Helper()
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	return contacts.New(store, pol)
}

// A writer makes audit events through a Service: each call commits some.
type writer struct {
	svc    *contacts.Service
	owners map[string]contacts.Actor
	n      int // contacts created, for unique addresses
}

func newWriter(svc *contacts.Service) *writer {
	return &writer{svc: svc, owners: map[string]contacts.Actor{}}
}

// add creates org with its owner, unless it exists, then n contacts in it.
func (w *writer) add(t *testing.T, org string, n int) {
	t.Helper()
	ctx := context.Background()
	owner, ok := w.owners[org]
	if !ok {
		o, c, err := w.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: org, Name: "Org " + org,
			Owner: contacts.NewContact{Name: "Owner", Email: "owner@" + org + ".example"}})
		if err != nil {
			t.Fatalf("CreateOrg(%s): %v", org, err)
		}
		owner = contacts.Actor{Org: o.ID, Contact: c.ID}
		w.owners[org] = owner
	}
	for range n {
		w.n++
		_, err := w.svc.CreateContact(ctx, owner, org, contacts.NewContact{
			Name: fmt.Sprintf(`Contact "%d" <b>&amp;`, w.n), Email: fmt.Sprintf("c%d@%s.example", w.n, org)})
		if err != nil {
			t.Fatalf("CreateContact(%s): %v", org, err)
		}
	}
}

// trail returns every audit event of org in the store.
func trail(t *testing.T, store contacts.Store, org string) []contacts.AuditEvent {
	t.Helper()
	var out []contacts.AuditEvent
	err := store.View(context.Background(), func(tx contacts.ReadTx) error {
		var err error
		out, err = tx.AuditEvents(org, 0, contacts.MaxPageSize)
		return err
	})
	if err != nil {
		t.Fatalf("AuditEvents(%s): %v", org, err)
	}
	return out
}

// cursorOf returns the delivery cursor of endpoint in org.
func cursorOf(t *testing.T, store contacts.Store, org, endpoint string) contacts.WebhookCursor {
	t.Helper()
	var c contacts.WebhookCursor
	err := store.View(context.Background(), func(tx contacts.ReadTx) error {
		var err error
		c, err = tx.WebhookCursor(org, endpoint)
		return err
	})
	if err != nil {
		t.Fatalf("WebhookCursor(%s, %s): %v", org, endpoint, err)
	}
	return c
}

// A mode is how a receiver answers one request.
type mode int

const (
	ok      mode = iota
	fail         // 503
	slow         // no answer until the client gives up
	refused      // (real network only) nothing listens
)

// An attempt is one request a receiver had: when, and how it answered.
type attempt struct {
	at   time.Time
	mode mode
}

// A receiver is a webhook endpoint for the tests: it checks every request's
// signature and headers, answers as script says for the request's number,
// and records the events it acknowledged, checking that each org's arrive
// in order, each once.
type receiver struct {
	t       *testing.T
	secrets []string
	script  func(n int) mode
	exact   bool // every attempt reaches the receiver

	mu       sync.Mutex
	requests int
	attempts map[string][]attempt // event ID: each request for it
	acked    map[string][]contacts.AuditEvent
	seen     map[string]int // event ID: acknowledgements
	changed  chan struct{}  // closed and replaced on each acknowledgement
}

func newReceiver(t *testing.T, script func(n int) mode, secrets ...string) *receiver {
	return &receiver{t: t, secrets: secrets, script: script, attempts: map[string][]attempt{},
		acked: map[string][]contacts.AuditEvent{}, seen: map[string]int{}, changed: make(chan struct{})}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rc.t.Errorf("reading a request: %v", err)
		return
	}
	if err := (webhook.Verifier{Secrets: rc.secrets}).Verify(r.Header, body); err != nil {
		rc.t.Errorf("a delivery's signature does not verify: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var e contacts.AuditEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		rc.t.Errorf("a delivery's body is not an audit event: %v", err)
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get(webhook.EventIDHeader) != e.Hash {
		rc.t.Errorf("delivery: %s, Content-Type %q, event ID %q; want POST, application/json, %q",
			r.Method, r.Header.Get("Content-Type"), r.Header.Get(webhook.EventIDHeader), e.Hash)
	}
	rc.mu.Lock()
	n := rc.requests
	rc.requests++
	m := rc.script(n)
	rc.attempts[e.Hash] = append(rc.attempts[e.Hash], attempt{at: time.Now(), mode: m})
	// Attempts are counted in the store, so they go on across restarts;
	// those that never reached the receiver (refused connections) count
	// too, so the header is at least the receiver's own count.
	if got, err := strconv.Atoi(r.Header.Get(webhook.AttemptHeader)); err != nil || got < len(rc.attempts[e.Hash]) ||
		rc.exact && got != len(rc.attempts[e.Hash]) {
		rc.t.Errorf("event %s/%d: %s %q, want %d", e.Org, e.Seq, webhook.AttemptHeader, r.Header.Get(webhook.AttemptHeader), len(rc.attempts[e.Hash]))
	}
	rc.mu.Unlock()
	switch m {
	case fail:
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	case slow:
		<-r.Context().Done() // the sender gave up: nothing was acknowledged
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	list := rc.acked[e.Org]
	if rc.seen[e.Hash]++; rc.seen[e.Hash] > 1 {
		rc.t.Errorf("event %s/%d arrived %d times", e.Org, e.Seq, rc.seen[e.Hash])
	}
	if len(list) > 0 && e.Seq != list[len(list)-1].Seq+1 || len(list) == 0 && e.Seq != 1 {
		rc.t.Errorf("event %s/%d arrived after %d events of the org, out of order", e.Org, e.Seq, len(list))
	}
	rc.acked[e.Org] = append(list, e)
	close(rc.changed)
	rc.changed = make(chan struct{})
	w.WriteHeader(http.StatusNoContent)
}

// count returns how many events of org the receiver acknowledged, and a
// channel closed at the next acknowledgement.
func (rc *receiver) count(org string) (int, <-chan struct{}) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.acked[org]), rc.changed
}

// waitAll waits until the receiver acknowledged every event the store
// holds of orgs, or fails the test after a minute.
func (rc *receiver) waitAll(store contacts.Store, orgs ...string) {
	rc.t.Helper()
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	for {
		// The channel first: an acknowledgement after it closes it.
		rc.mu.Lock()
		changed := rc.changed
		rc.mu.Unlock()
		done := true
		for _, org := range orgs {
			if n, _ := rc.count(org); n < len(trail(rc.t, store, org)) {
				done = false
			}
		}
		if done {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			rc.t.Fatalf("the receiver did not get every event of %v within a minute", orgs)
		}
	}
}

// waitAny waits until the receiver acknowledged some event, or fails the
// test after a minute.
func (rc *receiver) waitAny() {
	rc.t.Helper()
	rc.mu.Lock()
	changed, n := rc.changed, len(rc.seen)
	rc.mu.Unlock()
	if n > 0 {
		return
	}
	select {
	case <-changed:
	case <-time.After(time.Minute):
		rc.t.Fatal("the receiver acknowledged nothing within a minute")
	}
}

// requestCount returns how many requests came.
func (rc *receiver) requestCount() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests
}

// check compares what the receiver acknowledged of each org with the org's
// whole audit trail: every event, once, in order, as stored.
func (rc *receiver) check(store contacts.Store, name string, orgs ...string) {
	rc.t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, org := range orgs {
		if d := cmp.Diff(trail(rc.t, store, org), rc.acked[org]); d != "" {
			rc.t.Errorf("%s: events of %s received (-stored +received):\n%s", name, org, d)
		}
		// The bodies are the stored events to the byte: the receiver can
		// check the chain and every data digest itself.
		if err := contacts.VerifyChain(org, rc.acked[org], nil); err != nil {
			rc.t.Errorf("%s: the events of %s received do not verify: %v", name, org, err)
		}
	}
}

// handlerTransport sends each request to a handler in the same process,
// by host, with no network: a transport for synctest bubbles.
type handlerTransport map[string]http.Handler

func (ht handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h, ok := ht[r.URL.Host]
	if !ok {
		return nil, fmt.Errorf("no receiver at %s", r.URL.Host)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}

// decodeSigned verifies r's signature with secret and decodes its body.
func decodeSigned(r *http.Request, secret string, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if err := webhook.Verify(r.Header, body, secret); err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}
