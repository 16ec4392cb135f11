package contacts_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
)

func Example() {
	ctx := context.Background()
	pol, err := policy.New(policy.Default())
	if err != nil {
		panic(err)
	}
	svc := contacts.New(memstore.New(), pol)

	// The vendor creates the org with its first owner.
	vendor := contacts.Actor{Vendor: "onboarding"}
	org, olga, err := svc.CreateOrg(ctx, vendor, contacts.NewOrg{
		ID: "acme", Name: "Acme Corp",
		Owner: contacts.NewContact{Name: "Olga Owner", Email: "olga@acme.example"},
	})
	if err != nil {
		panic(err)
	}
	asOlga := contacts.Actor{Org: org.ID, Contact: olga.ID}

	// Olga adds Alice and makes her an admin.
	alice, err := svc.CreateContact(ctx, asOlga, org.ID, contacts.NewContact{
		Name: "Alice Admin", Email: "Alice@ACME.example", Language: "pt-br",
	})
	if err != nil {
		panic(err)
	}
	alice, err = svc.GrantRole(ctx, asOlga, org.ID, alice.ID, alice.Version, "admin")
	if err != nil {
		panic(err)
	}
	fmt.Println(alice.Name, alice.Email, alice.Language, alice.Roles)

	// Alice may not make herself an owner: the error names the rule.
	asAlice := contacts.Actor{Org: org.ID, Contact: alice.ID}
	_, err = svc.GrantRole(ctx, asAlice, org.ID, alice.ID, alice.Version, "owner")
	var denied *contacts.ForbiddenError
	if errors.As(err, &denied) {
		fmt.Println("denied by rule", denied.Rule)
	}

	// Olga hands ownership to Alice in one step.
	from, to, err := svc.TransferOwnership(ctx, asOlga, org.ID, alice.ID, alice.Version)
	if err != nil {
		panic(err)
	}
	fmt.Println(from.Name, from.Roles, "->", to.Name, to.Roles)

	// Every change is in the tamper-evident audit trail.
	head, err := svc.VerifyAudit(ctx, asAlice, org.ID, nil)
	fmt.Println("audit events:", head.Seq, "verified:", err == nil)
	// Output:
	// Alice Admin Alice@acme.example pt-BR [admin]
	// denied by rule self-raise
	// Olga Owner [admin] -> Alice Admin [admin owner]
	// audit events: 6 verified: true
}
