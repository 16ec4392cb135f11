package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/webhook"
	"github.com/liaisonhq/liaison/policy"
)

// TestWebhookDelivery runs the webhook dispatcher over PostgreSQL, where
// row-level security scopes every statement it makes: it must find the
// events of every org, and keep each org's cursors in that org's scope. A
// receiver that fails, then recovers, gets every event once, in order,
// signed, although the dispatcher stops while it fails and restarts over
// a new pool.
func TestWebhookDelivery(t *testing.T) {
	const secret = "whsec-0123456789abcdef0123456789abcdef"
	s, schema := openStore(t)
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		requests int
		acked    = map[string][]contacts.AuditEvent{}
		changed  = make(chan struct{}, 1)
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = webhook.Verify(r.Header, body, secret)
		}
		var e contacts.AuditEvent
		if err == nil {
			err = json.Unmarshal(body, &e)
		}
		if err != nil {
			t.Errorf("a delivery: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		defer func() {
			select {
			case changed <- struct{}{}:
			default:
			}
		}()
		if requests++; requests <= 5 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		if list := acked[e.Org]; len(list) > 0 && e.Seq != list[len(list)-1].Seq+1 || len(list) == 0 && e.Seq != 1 {
			t.Errorf("event %s/%d arrived after %d events of the org: out of order or twice", e.Org, e.Seq, len(list))
		}
		acked[e.Org] = append(acked[e.Org], e)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	// waitUntil waits for cond, checked after each request, for a minute.
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(time.Minute)
		for {
			mu.Lock()
			done := cond()
			mu.Unlock()
			if done {
				return
			}
			select {
			case <-changed:
			case <-deadline:
				t.Fatalf("waited a minute for %s", what)
			}
		}
	}
	start := func(store contacts.Store, svc *contacts.Service) (stop func()) {
		d, err := webhook.New(store, webhook.Options{
			Endpoints:  []webhook.Endpoint{{ID: "crm", URL: srv.URL, Secrets: []string{secret}}},
			MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Rescan: 50 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		unsubscribe := svc.Subscribe(d.Notify)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			unsubscribe()
		}
	}
	owners := map[string]contacts.Actor{}
	n := 0
	add := func(svc *contacts.Service, org string, contactsToAdd int) {
		t.Helper()
		ctx := context.Background()
		if _, ok := owners[org]; !ok {
			o, c, err := svc.CreateOrg(ctx, contacts.Actor{Vendor: "test"}, contacts.NewOrg{ID: org, Name: org,
				Owner: contacts.NewContact{Name: "Owner", Email: "owner@" + org + ".example"}})
			if err != nil {
				t.Fatal(err)
			}
			owners[org] = contacts.Actor{Org: o.ID, Contact: c.ID}
		}
		for range contactsToAdd {
			n++
			if _, err := svc.CreateContact(ctx, owners[org], org, contacts.NewContact{
				Name: fmt.Sprintf("Contact %d", n), Email: fmt.Sprintf("c%d@%s.example", n, org)}); err != nil {
				t.Fatal(err)
			}
		}
	}

	svc := contacts.New(s, pol)
	add(svc, "acme", 2)
	add(svc, "globex", 1)
	stop := start(s, svc)
	waitUntil("three failed requests", func() bool { return requests >= 3 })
	stop()

	// A new pool over the same schema, and more events.
	s.Close()
	s, err = Open(t.Context(), testDSN(t), WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc = contacts.New(s, pol)
	add(svc, "acme", 1)
	add(svc, "initech", 2)
	stop = start(s, svc)
	defer stop()
	orgs := []string{"acme", "globex", "initech"}
	trails := map[string][]contacts.AuditEvent{}
	err = s.View(t.Context(), func(tx contacts.ReadTx) error {
		for _, org := range orgs {
			var err error
			if trails[org], err = tx.AuditEvents(org, 0, contacts.MaxPageSize); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil("every event", func() bool {
		for _, org := range orgs {
			if len(acked[org]) < len(trails[org]) {
				return false
			}
		}
		return true
	})
	mu.Lock()
	defer mu.Unlock()
	for _, org := range orgs {
		if d := cmp.Diff(trails[org], acked[org]); d != "" {
			t.Errorf("events of %s received (-stored +received):\n%s", org, d)
		}
	}
}
