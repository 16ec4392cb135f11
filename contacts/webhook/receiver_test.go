package webhook_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/webhook"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// TestDelivery_RealReceiver is the proof over a real network and a durable
// store: an endpoint that refuses connections, then answers 503, then
// times out, then recovers, gets every event of every org once, in order,
// with a valid signature, although the dispatcher restarts while it is
// down and again while it recovers, and the store itself is closed and
// reopened from its data directory mid-outage. A healthy endpoint beside
// it gets everything throughout.
func TestDelivery_RealReceiver(t *testing.T) {
	// An address where nothing listens yet.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback TCP: %v", err)
	}
	addr := l.Addr().String()
	l.Close()

	// The client counts the connections the flaky endpoint refused, and
	// closes refused6 at the sixth.
	var refusals atomic.Int64
	refused6 := make(chan struct{})
	dialer := &net.Dialer{}
	client := &http.Client{
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, a)
			if errors.Is(err, syscall.ECONNREFUSED) && a == addr && refusals.Add(1) == 6 {
				close(refused6)
			}
			return c, err
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	flaky := newReceiver(t, func(n int) mode {
		switch {
		case n < 4:
			return fail
		case n < 6:
			return slow
		}
		return ok
	}, secretA)
	steady := newReceiver(t, func(int) mode { return ok }, secretB)
	steadySrv := httptest.NewServer(steady)
	defer steadySrv.Close()
	opts := webhook.Options{
		Endpoints: []webhook.Endpoint{
			{ID: "flaky", URL: "http://" + addr + "/hooks?token=sekrit", Secrets: []string{secretA}},
			{ID: "steady", URL: steadySrv.URL + "/hooks", Secrets: []string{secretB}},
		},
		Client: client, Timeout: 300 * time.Millisecond,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond, Rescan: 50 * time.Millisecond,
	}
	start := func(store contacts.Store, svc *contacts.Service) (stop func()) {
		d, err := webhook.New(store, opts)
		if err != nil {
			t.Fatal(err)
		}
		unsubscribe := svc.Subscribe(d.Notify)
		stopRun := run(t, d)
		return func() { stopRun(); unsubscribe() }
	}

	dir := t.TempDir()
	store, err := memstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, store)
	w := newWriter(svc)
	w.add(t, "acme", 3)
	w.add(t, "globex", 3)

	// Down: connections refused. The steady endpoint is not held up.
	stop := start(store, svc)
	steady.waitAll(store, "acme", "globex")
	w.add(t, "acme", 2)
	steady.waitAll(store, "acme", "globex")
	select {
	case <-refused6:
	case <-time.After(time.Minute):
		t.Fatalf("%d refused connections in a minute, want 6", refusals.Load())
	}
	stop()
	for _, org := range []string{"acme", "globex"} {
		c := cursorOf(t, store, org, "flaky")
		if c.Delivered != 0 || c.Attempts == 0 || !strings.Contains(c.LastError, "refused") || strings.Contains(c.LastError, "sekrit") {
			t.Errorf("flaky's cursor of %s while down: %+v; want nothing delivered, attempts, a refusal, not the URL's token", org, c)
		}
	}

	// The process restarts, store and all, while the endpoint is down.
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	store, err = memstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc = newService(t, store)
	w.svc = svc
	w.add(t, "globex", 2)
	stop = start(store, svc)

	// Up, but failing: 503s, then timeouts, then answers.
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the address of the endpoint was taken meanwhile: %v", err)
	}
	srv := httptest.NewUnstartedServer(flaky)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	defer srv.Close()

	// A restart of the dispatcher as deliveries resume.
	flaky.waitAny()
	stop()
	stop = start(store, svc)
	w.add(t, "acme", 2)
	w.add(t, "initech", 2)
	flaky.waitAll(store, "acme", "globex", "initech")
	steady.waitAll(store, "acme", "globex", "initech")
	stop()

	flaky.check(store, "flaky", "acme", "globex", "initech")
	steady.check(store, "steady", "acme", "globex", "initech")
	if refusals.Load() == 0 || flaky.requestCount() <= 6 {
		t.Errorf("%d refusals, %d requests: the endpoint did not go through every failure", refusals.Load(), flaky.requestCount())
	}
	for _, org := range []string{"acme", "globex", "initech"} {
		events := trail(t, store, org)
		for _, ep := range []string{"flaky", "steady"} {
			if c := cursorOf(t, store, org, ep); c.Delivered != events[len(events)-1].Seq || c.Attempts != 0 || c.LastError != "" {
				t.Errorf("cursor of %s in %s at the end: %+v; want everything delivered, no failure pending", ep, org, c)
			}
		}
	}
}
