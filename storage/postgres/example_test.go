package postgres_test

import (
	"context"
	"errors"
	"log"
	"os"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/postgres"
)

// Open needs a server, so this example is compiled but not run.
func ExampleOpen() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("LIAISON_POSTGRES_DSN"), postgres.WithSchema("liaison"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	pol, err := policy.New(policy.Default())
	if err != nil {
		log.Fatal(err)
	}
	svc := contacts.New(store, pol)
	_, _, err = svc.CreateOrg(ctx, contacts.Actor{Vendor: "onboarding"}, contacts.NewOrg{
		ID: "acme", Name: "Acme Corp",
		Owner: contacts.NewContact{Name: "Olga Owner", Email: "olga@acme.example"},
	})
	switch {
	case errors.Is(err, postgres.ErrOutcomeUnknown):
		// The connection failed after COMMIT was sent: read the org back
		// to learn whether it was created, rather than creating it again.
	case err != nil:
		log.Fatal(err)
	}
}
