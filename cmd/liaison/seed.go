package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
)

// seedBatch is how many contacts one import transaction adds while
// seeding: large enough to be quick, small enough to keep each
// transaction short.
const seedBatch = 5_000

// Names the generated contacts are made of: 40 × 40 pairs, accents
// included so the directory's folding has something to fold.
var (
	seedGiven = strings.Fields(`Ada Bruno Chloé Dmitri Elena Farid Greta Hugo Ingrid José
		Kenji Léa Mateus Nadia Oskar Priya Quentin Rosa Søren Tomás Ulla Vera Wen
		Ximena Yusuf Zoë Amara Björn Camila Darius Émile Fatima Gustavo Hana Ivo
		Jun Kemal Lena Marta Nora`)
	seedFamily = strings.Fields(`Almeida Becker Castro Dubois Eriksen Fischer García
		Hansen Ibáñez Jansen Kowalski Lambert Müller Nakamura Oliveira Petrov Quinn
		Rossi Schmidt Tanaka Urbano Vasquez Weber Xavier Yilmaz Zimmermann Andrade
		Bernard Costa Dupont Esposito Ferreira Girard Hoffmann Ivanova Jovanović Klein
		Lopes Martin Novak`)
)

// seedOrg creates org with n generated contacts (its owner among them)
// when it does not exist yet, and returns how many contacts it added: 0
// for an org that already exists.
func seedOrg(ctx context.Context, svc *contacts.Service, org string, n int) (int, error) {
	vendor := contacts.Actor{Org: org, Vendor: "serve"}
	switch _, err := svc.Org(ctx, vendor, org); {
	case err == nil:
		return 0, nil
	case !errors.Is(err, contacts.ErrNotFound):
		return 0, err
	}
	if _, _, err := svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: org, Name: org, Owner: seedContact(0)}); err != nil {
		return 0, err
	}
	batch := make([]contacts.NewContact, 0, min(seedBatch, n))
	for i := 1; i < n; i++ {
		batch = append(batch, seedContact(i))
		if len(batch) == seedBatch || i == n-1 {
			if _, err := svc.ImportContacts(ctx, vendor, org, batch); err != nil {
				// Each batch is all or nothing, the whole seed is not: say
				// what is left, since a restart sees the org and skips it.
				return 0, fmt.Errorf("contacts %d to %d: %w (org %s is left with its first %d contacts: delete it, or start from an empty store, to seed it again)",
					i+1-len(batch), i, err, org, i+1-len(batch))
			}
			batch = batch[:0]
		}
	}
	return n, nil
}

// seedContact returns the i-th generated contact: names repeat,
// addresses never do.
func seedContact(i int) contacts.NewContact {
	given := seedGiven[i%len(seedGiven)]
	family := seedFamily[(i/len(seedGiven))%len(seedFamily)]
	c := contacts.NewContact{
		Name:         given + " " + family,
		Email:        fmt.Sprintf("%s.%s.%d@example.com", asciiLower(given), asciiLower(family), i),
		Kind:         contacts.Internal,
		Availability: contacts.Available,
	}
	switch i % 4 {
	case 1:
		c.Kind = contacts.Client
	case 2:
		c.Kind, c.Availability = contacts.Client, contacts.Busy
	case 3:
		c.Availability = contacts.Offline
	}
	return c
}

// asciiLower lower-cases s and keeps only its ASCII letters, for the local
// part of a generated address.
func asciiLower(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
