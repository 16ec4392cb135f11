package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/webhook"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// run starts d.Run and returns a function that stops it and checks that it
// returned nil.
func run(t *testing.T, d *webhook.Dispatcher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return func() {
		t.Helper()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// TestDispatcher_FailsThenRecovers, in a synctest bubble: an endpoint that
// answers 503, then not at all, then recovers, gets every event of every
// org once, in order, with valid signatures, after backoffs that double; a
// healthy endpoint beside it is never held up; a restart during a backoff
// honours it; and new events are delivered at once, by Notify.
func TestDispatcher_FailsThenRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const minWait, maxWait, timeout = time.Second, 20 * time.Second, 10 * time.Second
		flaky := newReceiver(t, func(n int) mode {
			switch {
			case n < 6:
				return fail
			case n < 8:
				return slow
			}
			return ok
		}, secretA)
		steady := newReceiver(t, func(int) mode { return ok }, secretB)
		flaky.exact, steady.exact = true, true
		client := &http.Client{Transport: handlerTransport{"flaky.test": flaky, "steady.test": steady}}
		opts := webhook.Options{
			Endpoints: []webhook.Endpoint{
				{ID: "flaky", URL: "https://flaky.test/hooks", Secrets: []string{secretA}},
				{ID: "steady", URL: "https://steady.test/hooks", Secrets: []string{secretB}},
			},
			Client: client, Timeout: timeout, MinBackoff: minWait, MaxBackoff: maxWait, Rescan: time.Hour,
		}
		store := memstore.New()
		svc := newService(t, store)
		w := newWriter(svc)
		w.add(t, "acme", 3)
		w.add(t, "globex", 2)

		d, err := webhook.New(store, opts)
		if err != nil {
			t.Fatal(err)
		}
		unsubscribe := svc.Subscribe(d.Notify)
		stop := run(t, d)
		synctest.Wait()
		// The healthy endpoint has everything; the flaky one nothing, and
		// its cursors say why and when it tries again.
		steady.check(store, "steady, while flaky fails", "acme", "globex")
		if n, _ := flaky.count("acme"); n != 0 {
			t.Errorf("flaky acknowledged %d events while failing", n)
		}
		c := cursorOf(t, store, "acme", "flaky")
		if c.Delivered != 0 || c.Attempts != 1 || !strings.Contains(c.LastError, "503") || !c.NextAttempt.After(time.Now()) {
			t.Errorf("flaky's cursor of acme after one failure: %+v; want nothing delivered, 1 attempt, a 503, a later attempt due", c)
		}

		// A restart during the backoff sends nothing before it ends.
		stop()
		before := flaky.requestCount()
		d2, err := webhook.New(store, opts)
		if err != nil {
			t.Fatal(err)
		}
		unsubscribe()
		unsubscribe = svc.Subscribe(d2.Notify)
		stop = run(t, d2)
		synctest.Wait()
		if got := flaky.requestCount(); got != before {
			t.Errorf("a restarted dispatcher sent %d requests during the stored backoff", got-before)
		}

		// Out of time: 503s and timeouts, then recovery.
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		flaky.check(store, "flaky, recovered", "acme", "globex")
		steady.check(store, "steady", "acme", "globex")

		// New events go out at once, with no time passing.
		w.add(t, "acme", 2)
		w.add(t, "initech", 1)
		synctest.Wait()
		flaky.check(store, "flaky, new events", "acme", "globex", "initech")
		steady.check(store, "steady, new events", "acme", "globex", "initech")
		stop()
		unsubscribe()

		// Each retry of an event waited, from the end of the attempt before
		// (a timed-out one ends at the timeout), at least half its backoff
		// ceiling (min·2^(k-1), capped) and at most the ceiling.
		flaky.mu.Lock()
		retries := 0
		for id, list := range flaky.attempts {
			for k := 1; k < len(list); k++ {
				ended := list[k-1].at
				if list[k-1].mode == slow {
					ended = ended.Add(timeout)
				}
				ceiling := min(minWait<<(k-1), maxWait)
				if wait := list[k].at.Sub(ended); wait < ceiling/2 || wait > ceiling {
					t.Errorf("event %s: retry %d waited %v after the attempt before; want %v to %v", id[:8], k, wait, ceiling/2, ceiling)
				}
				retries++
			}
		}
		flaky.mu.Unlock()
		if retries < 8 {
			t.Errorf("%d retries, want at least the 8 failures the script makes", retries)
		}
	})
}

// TestDispatcher_Filters: an endpoint that lists actions, or a time since
// which it wants events, gets only those, and its cursor still moves past
// the others, so a restart does not read them again.
func TestDispatcher_Filters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		svc := newService(t, store)
		w := newWriter(svc)
		w.add(t, "acme", 2)
		time.Sleep(time.Hour)
		since := time.Now()
		w.add(t, "acme", 1)
		if _, err := svc.CreateGroup(context.Background(), w.owners["acme"], "acme", contacts.NewGroup{Name: "Team", Kind: contacts.Team}); err != nil {
			t.Fatal(err)
		}
		w.add(t, "acme", 1)

		var got []string
		var sinceSeqs []uint64
		h := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			var e contacts.AuditEvent
			if err := decodeSigned(r, secretA, &e); err != nil {
				t.Error(err)
			}
			if r.URL.Host == "since.test" {
				sinceSeqs = append(sinceSeqs, e.Seq)
			} else {
				got = append(got, e.Action)
			}
		})
		d, err := webhook.New(store, webhook.Options{
			Endpoints: []webhook.Endpoint{
				{ID: "creates", URL: "http://creates.test/", Secrets: []string{secretA}, Actions: []string{"org.create", "contact.create"}},
				{ID: "since", URL: "http://since.test/", Secrets: []string{secretA}, Since: since},
			},
			Client: &http.Client{Transport: handlerTransport{"creates.test": h, "since.test": h}},
		})
		if err != nil {
			t.Fatal(err)
		}
		stop := run(t, d)
		synctest.Wait()
		stop()

		events := trail(t, store, "acme")
		var want []string
		var wantSince []uint64
		for _, e := range events {
			if e.Action == "org.create" || e.Action == "contact.create" {
				want = append(want, e.Action)
			}
			if !e.Time.Before(since) {
				wantSince = append(wantSince, e.Seq)
			}
		}
		if len(want) == len(events) || len(wantSince) == 0 || len(wantSince) == len(events) {
			t.Fatalf("the fixture does not exercise the filters: %d events, %d creations, %d since", len(events), len(want), len(wantSince))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("actions delivered: %v, want %v", got, want)
		}
		if len(sinceSeqs) != len(wantSince) || sinceSeqs[0] != wantSince[0] {
			t.Errorf("events since: %v, want %v", sinceSeqs, wantSince)
		}
		head := events[len(events)-1].Seq
		for _, ep := range []string{"creates", "since"} {
			if c := cursorOf(t, store, "acme", ep); c.Delivered != head {
				t.Errorf("cursor of %s: delivered %d, want the head %d", ep, c.Delivered, head)
			}
		}
	})
}

// TestDispatcher_RunTwice: a second Run of a running dispatcher returns
// ErrRunning at once.
func TestDispatcher_RunTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, err := webhook.New(memstore.New(), webhook.Options{Endpoints: []webhook.Endpoint{
			{ID: "crm", URL: "http://crm.test/", Secrets: []string{secretA}}}})
		if err != nil {
			t.Fatal(err)
		}
		stop := run(t, d)
		synctest.Wait()
		if err := d.Run(context.Background()); !errors.Is(err, webhook.ErrRunning) {
			t.Errorf("second Run: %v, want ErrRunning", err)
		}
		stop()
	})
}

// TestNew_Invalid: every rule an option breaks is named by its path, and
// no dispatcher is made.
func TestNew_Invalid(t *testing.T) {
	good := webhook.Endpoint{ID: "crm", URL: "https://crm.example/hooks", Secrets: []string{secretA}}
	for _, tc := range []struct {
		name string
		opts webhook.Options
		want []string // paths
	}{
		{"no endpoints", webhook.Options{}, []string{"/endpoints"}},
		{"bad ID", webhook.Options{Endpoints: []webhook.Endpoint{{ID: "crm/1", URL: good.URL, Secrets: good.Secrets}}}, []string{"/endpoints/0/id"}},
		{"duplicate ID", webhook.Options{Endpoints: []webhook.Endpoint{good, good}}, []string{"/endpoints/1/id"}},
		{"ftp URL", webhook.Options{Endpoints: []webhook.Endpoint{{ID: "a", URL: "ftp://x.example/", Secrets: good.Secrets}}}, []string{"/endpoints/0/url"}},
		{"relative URL", webhook.Options{Endpoints: []webhook.Endpoint{{ID: "a", URL: "/hooks", Secrets: good.Secrets}}}, []string{"/endpoints/0/url"}},
		{"no secret", webhook.Options{Endpoints: []webhook.Endpoint{{ID: "a", URL: good.URL}}}, []string{"/endpoints/0/secrets"}},
		{"short secret", webhook.Options{Endpoints: []webhook.Endpoint{{ID: "a", URL: good.URL, Secrets: []string{secretA, "short"}}}}, []string{"/endpoints/0/secrets/1"}},
		{"empty action", webhook.Options{Endpoints: []webhook.Endpoint{{ID: "a", URL: good.URL, Secrets: good.Secrets, Actions: []string{""}}}}, []string{"/endpoints/0/actions/0"}},
		{"negative durations", webhook.Options{Endpoints: []webhook.Endpoint{good}, Timeout: -1, Rescan: -1, Workers: -1}, []string{"/timeout", "/rescan", "/workers"}},
		{"backoffs crossed", webhook.Options{Endpoints: []webhook.Endpoint{good}, MinBackoff: time.Hour, MaxBackoff: time.Minute}, []string{"/min_backoff"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := webhook.New(memstore.New(), tc.opts)
			var inv *contacts.InvalidError
			if d != nil || !errors.As(err, &inv) || !errors.Is(err, contacts.ErrInvalid) {
				t.Fatalf("New = %v, %v; want an *InvalidError", d, err)
			}
			var paths []string
			for _, f := range inv.Fields {
				paths = append(paths, f.Path)
			}
			if strings.Join(paths, " ") != strings.Join(tc.want, " ") {
				t.Errorf("paths %v, want %v (%v)", paths, tc.want, err)
			}
		})
	}
}

// TestDispatcher_HangingEndpointHoldsUpNoOther: with one worker per
// endpoint, an endpoint whose every attempt hangs until the timeout does
// not delay another endpoint's deliveries by a moment.
func TestDispatcher_HangingEndpointHoldsUpNoOther(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hanging := newReceiver(t, func(int) mode { return slow }, secretA)
		steady := newReceiver(t, func(int) mode { return ok }, secretB)
		store := memstore.New()
		w := newWriter(newService(t, store))
		for _, org := range []string{"acme", "globex", "initech"} {
			w.add(t, org, 2)
		}
		d, err := webhook.New(store, webhook.Options{
			Endpoints: []webhook.Endpoint{
				{ID: "hanging", URL: "https://hanging.test/", Secrets: []string{secretA}},
				{ID: "steady", URL: "https://steady.test/", Secrets: []string{secretB}},
			},
			Client:  &http.Client{Transport: handlerTransport{"hanging.test": hanging, "steady.test": steady}},
			Workers: 1, Timeout: time.Minute,
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		stop := run(t, d)
		synctest.Wait()
		if elapsed := time.Since(start); elapsed != 0 {
			t.Fatalf("the bubble's clock moved %v before the steady endpoint was served", elapsed)
		}
		steady.check(store, "steady, beside a hanging endpoint", "acme", "globex", "initech")
		if got := hanging.requestCount(); got != 1 {
			t.Errorf("%d requests in flight to the hanging endpoint, want 1 (one worker)", got)
		}
		stop()
	})
}

// TestDispatcher_ScanAndBacklog: with no Notify, the scan at start finds
// every org's events, past orgs that have none; Backlog reports what each
// endpoint has yet to acknowledge, and nothing once all is delivered.
func TestDispatcher_ScanAndBacklog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := memstore.New()
		// Orgs with no events, sorting before and after the others.
		err := store.Update(context.Background(), func(tx contacts.Tx) error {
			return errors.Join(tx.InsertOrg(contacts.Org{ID: "aaa", Name: "A", Version: 1}),
				tx.InsertOrg(contacts.Org{ID: "zzz", Name: "Z", Version: 1}))
		})
		if err != nil {
			t.Fatal(err)
		}
		w := newWriter(newService(t, store))
		w.add(t, "acme", 2)
		w.add(t, "globex", 1)
		var down atomic.Bool
		down.Store(true)
		rc := newReceiver(t, func(int) mode {
			if down.Load() {
				return fail
			}
			return ok
		}, secretA)
		d, err := webhook.New(store, webhook.Options{
			Endpoints: []webhook.Endpoint{{ID: "crm", URL: "https://crm.test/", Secrets: []string{secretA}}},
			Client:    &http.Client{Transport: handlerTransport{"crm.test": rc}},
		})
		if err != nil {
			t.Fatal(err)
		}
		backlog, err := d.Backlog(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var summary []string
		for _, b := range backlog {
			summary = append(summary, fmt.Sprintf("%s/%s:%d:%d", b.Endpoint, b.Org, b.Pending, b.Cursor.Attempts))
		}
		want := fmt.Sprintf("crm/acme:%d:0 crm/globex:%d:0", len(trail(t, store, "acme")), len(trail(t, store, "globex")))
		if got := strings.Join(summary, " "); got != want {
			t.Errorf("Backlog before delivery: %s, want %s", got, want)
		}

		stop := run(t, d)
		synctest.Wait()
		backlog, err = d.Backlog(context.Background())
		if err != nil || len(backlog) != 2 || backlog[0].Cursor.Attempts != 1 || !strings.Contains(backlog[0].Cursor.LastError, "503") {
			t.Errorf("Backlog while failing: %+v, %v; want both orgs, one failed attempt each", backlog, err)
		}
		down.Store(false)
		time.Sleep(time.Hour)
		synctest.Wait()
		stop()
		rc.check(store, "crm", "acme", "globex")
		if backlog, err := d.Backlog(context.Background()); err != nil || len(backlog) != 0 {
			t.Errorf("Backlog after delivery: %+v, %v; want none", backlog, err)
		}
	})
}
