package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/webhook"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// BenchmarkDelivery measures delivery end to end: b.N events, spread over
// 16 orgs, each signed, POSTed over loopback to a receiver that answers 204
// at once, and its cursor written to an in-memory store. The receiver does
// not verify, so the figure is the dispatcher's.
func BenchmarkDelivery(b *testing.B) {
	const orgs = 16
	store := memstore.New()
	err := store.Update(context.Background(), func(tx contacts.Tx) error {
		for i := range b.N {
			org := fmt.Sprintf("org%02d", i%orgs)
			seq := uint64(i/orgs + 1)
			if seq == 1 {
				if err := tx.InsertOrg(contacts.Org{ID: org, Name: org, Version: 1}); err != nil {
					return err
				}
			}
			e := contacts.AuditEvent{Org: org, Seq: seq, Time: time.Now().UTC(), Actor: "vendor:bench",
				Action: "contact.update", Target: "contact/c1", After: []byte(`{"name":"Anna"}`),
				DataDigest: "d", Prev: fmt.Sprintf("%s-%d", org, seq-1), Hash: fmt.Sprintf("%s-%d", org, seq)}
			if seq == 1 {
				e.Prev = ""
			}
			if err := tx.AppendAudit(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var got atomic.Int64
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		if got.Add(1) == int64(b.N) {
			close(done)
		}
	}))
	defer srv.Close()
	d, err := webhook.New(store, webhook.Options{
		Endpoints: []webhook.Endpoint{{ID: "bench", URL: srv.URL, Secrets: []string{secretA}}},
		Client:    srv.Client(),
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { d.Run(ctx); close(stopped) }()
	<-done
	b.StopTimer()
	cancel()
	<-stopped
}
