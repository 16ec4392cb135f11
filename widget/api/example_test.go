package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget/api"
	"github.com/liaisonhq/liaison/widget/wire"
)

// A host mounts the API under a prefix of its choice, and tells it who is
// asking: here from a session cookie the host issued. The handler never
// takes identity from anything else.
func ExampleNew() {
	pol, err := policy.New(policy.Default())
	if err != nil {
		log.Fatal(err)
	}
	store := memstore.New()
	defer store.Close()
	svc := contacts.New(store, pol)

	// The vendor's onboarding creates the customer's org and first owner.
	_, owner, err := svc.CreateOrg(context.Background(), contacts.Actor{Vendor: "onboarding"}, contacts.NewOrg{
		ID: "acme", Name: "Acme", Owner: contacts.NewContact{Name: "Olga", Email: "olga@acme.example"}})
	if err != nil {
		log.Fatal(err)
	}
	sessions := map[string]contacts.Actor{"s-olga": {Org: "acme", Contact: owner.ID}}

	mux := http.NewServeMux()
	mux.Handle("/api/v1/", api.New(svc, api.Options{
		Prefix: "/api/v1",
		Actor: func(r *http.Request) (contacts.Actor, error) {
			c, err := r.Cookie("session")
			if err != nil {
				return contacts.Actor{}, err
			}
			a, ok := sessions[c.Value]
			if !ok {
				return contacts.Actor{}, errors.New("unknown session")
			}
			return a, nil
		},
		TrustedOrigins: []string{"https://portal.example.com"},
	}))

	send := func(session string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/api/v1/orgs/acme/contacts", strings.NewReader(`{"name":"Tom","email":"tom@acme.example"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", "add-tom-1")
		r.AddCookie(&http.Cookie{Name: "session", Value: session})
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}

	w := send("s-olga")
	var tom wire.Contact
	json.Unmarshal(w.Body.Bytes(), &tom)
	fmt.Println(w.Code, w.Header().Get("ETag"), tom.Name, tom.Email)

	w = send("s-olga") // a retry with the same key creates nothing new
	fmt.Println(w.Code, w.Header().Get("Idempotent-Replayed"))

	w = send("s-unknown")
	var p wire.Problem
	json.Unmarshal(w.Body.Bytes(), &p)
	fmt.Println(w.Code, p.Type)
	// Output:
	// 201 "v1" Tom tom@acme.example
	// 201 true
	// 401 https://liaison.dev/problems/unauthenticated
}

// A client asks /me what the viewer may do before it draws admin
// controls; the API still checks every request itself.
func ExampleNew_me() {
	pol, err := policy.New(policy.Default())
	if err != nil {
		log.Fatal(err)
	}
	store := memstore.New()
	defer store.Close()
	svc := contacts.New(store, pol)
	ctx := context.Background()
	_, owner, err := svc.CreateOrg(ctx, contacts.Actor{Vendor: "onboarding"}, contacts.NewOrg{
		ID: "acme", Name: "Acme", Owner: contacts.NewContact{Name: "Olga", Email: "olga@acme.example"}})
	if err != nil {
		log.Fatal(err)
	}
	olga := contacts.Actor{Org: "acme", Contact: owner.ID}
	ben, err := svc.CreateContact(ctx, olga, "acme", contacts.NewContact{Name: "Ben", Email: "ben@acme.example"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.GrantRole(ctx, olga, "acme", ben.ID, ben.Version, "business"); err != nil {
		log.Fatal(err)
	}

	// The host's sessions, as in ExampleNew.
	sessions := map[string]contacts.Actor{"s-olga": olga, "s-ben": {Org: "acme", Contact: ben.ID}}
	h := api.New(svc, api.Options{Actor: func(r *http.Request) (contacts.Actor, error) {
		c, err := r.Cookie("session")
		if err != nil {
			return contacts.Actor{}, err
		}
		if a, ok := sessions[c.Value]; ok {
			return a, nil
		}
		return contacts.Actor{}, errors.New("unknown session")
	}})
	for _, session := range []string{"s-olga", "s-ben"} {
		r := httptest.NewRequest("GET", "/orgs/acme/me", nil)
		r.AddCookie(&http.Cookie{Name: "session", Value: session})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var me wire.Me
		json.Unmarshal(w.Body.Bytes(), &me)
		fmt.Println(me.Contact.Name, me.Roles, me.ChangeMode, slices.Contains(me.Actions, wire.ActionEditContact), me.GrantableRoles)
	}
	// Output:
	// Olga [owner] direct true [owner admin business normal]
	// Ben [business] direct false []
}
