package policy_test

import (
	"fmt"

	"github.com/liaisonhq/liaison/policy"
)

func ExampleDecide() {
	pol, err := policy.New(policy.Default())
	if err != nil {
		panic(err)
	}
	admin := pol.Subject("acme", "alice", []string{"admin"})
	owner := pol.Target("acme", "olga", []string{"owner"})
	billing := pol.Target("acme", "bob", []string{"business"})

	fmt.Println(policy.Decide(admin, policy.EditContact, billing))
	fmt.Println(policy.Decide(admin, policy.EditContact, owner))

	grantOwner := billing
	grantOwner.Role, _ = pol.Role("owner")
	fmt.Println(policy.Decide(admin, policy.GrantRole, grantOwner))
	// Output:
	// {true permission}
	// {false outrank}
	// {false owner-only}
}

func ExampleLastOwner() {
	owners := 1
	fmt.Println(policy.LastOwner(owners - 1)) // demoting the only owner
	// Output:
	// {false last-owner}
}
