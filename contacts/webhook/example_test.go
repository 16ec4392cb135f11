package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/webhook"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// A receiver checks each delivery's signature before it trusts the body,
// and drops an event whose signed hash it has seen (deliveries are at
// least once).
func ExampleVerify() {
	const secret = "whsec-0123456789abcdef0123456789abcdef"
	seen := map[string]bool{}
	receive := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := webhook.Verify(r.Header, body, secret); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// Deduplicate on the signed body's hash, not on the unsigned
		// Liaison-Event-Id header.
		var event struct {
			Hash string `json:"hash"`
		}
		if err := json.Unmarshal(body, &event); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if !seen[event.Hash] {
			seen[event.Hash] = true
			fmt.Println("processing", string(body))
		}
		w.WriteHeader(http.StatusNoContent)
	})

	// Two deliveries of one event, then a forged one.
	body := `{"org":"acme","seq":1,"action":"org.create","hash":"3f2a"}`
	for _, sig := range []string{webhook.Sign(secret, time.Now(), []byte(body)), webhook.Sign(secret, time.Now(), []byte(body)),
		webhook.Sign("not-the-endpoint-secret-at-all-000000", time.Now(), []byte(body))} {
		r := httptest.NewRequest(http.MethodPost, "/hooks/liaison", strings.NewReader(body))
		r.Header.Set(webhook.SignatureHeader, sig)
		r.Header.Set(webhook.EventIDHeader, "3f2a")
		w := httptest.NewRecorder()
		receive.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	// Output:
	// processing {"org":"acme","seq":1,"action":"org.create","hash":"3f2a"}
	// 204
	// 204
	// 401
}

// A host runs one dispatcher beside its Service: Notify wakes it at each
// commit, and Run delivers until the context ends.
func ExampleDispatcher() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := memstore.New()
	pol, err := policy.New(policy.Default())
	if err != nil {
		panic(err)
	}
	svc := contacts.New(store, pol)

	// The receiver: the host's CRM, say.
	const secret = "whsec-0123456789abcdef0123456789abcdef"
	received := make(chan string)
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if webhook.Verify(r.Header, body, secret) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var e contacts.AuditEvent
		json.Unmarshal(body, &e)
		w.WriteHeader(http.StatusNoContent)
		received <- fmt.Sprintf("%s #%d %s %s", e.Org, e.Seq, e.Action, e.Target[:strings.IndexByte(e.Target, '/')])
	}))
	defer crm.Close()

	d, err := webhook.New(store, webhook.Options{Endpoints: []webhook.Endpoint{{
		ID: "crm", URL: crm.URL + "/hooks/liaison", Secrets: []string{secret},
	}}})
	if err != nil {
		panic(err)
	}
	defer svc.Subscribe(d.Notify)()
	go d.Run(ctx)

	org, owner, err := svc.CreateOrg(ctx, contacts.Actor{Vendor: "onboarding"}, contacts.NewOrg{
		ID: "acme", Name: "Acme Corp", Owner: contacts.NewContact{Name: "Olga Owner", Email: "olga@acme.example"},
	})
	if err != nil {
		panic(err)
	}
	_, err = svc.CreateContact(ctx, contacts.Actor{Org: org.ID, Contact: owner.ID}, org.ID,
		contacts.NewContact{Name: "Alice", Email: "alice@acme.example"})
	if err != nil {
		panic(err)
	}
	head, err := svc.VerifyAudit(ctx, contacts.Actor{Vendor: "onboarding", Org: org.ID}, org.ID, nil)
	if err != nil {
		panic(err)
	}
	for range head.Seq {
		fmt.Println(<-received)
	}
	// Output:
	// acme #1 org.create org
	// acme #2 contact.create contact
	// acme #3 contact.create contact
}
