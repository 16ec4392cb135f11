package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

var tokenTests = []test{
	{"InsertAndLookup", testTokenLookup},
	{"DuplicateHash", testTokenDuplicate},
	{"UseOnce", testTokenUseOnce},
	{"ReadYourWrites", testTokenReadYourWrites},
	{"ErrorDropsEveryWrite", testTokenErrorDropsWrites},
	{"ViewSeesNoLaterUse", testTokenSnapshot},
	{"ConcurrentUseOneWins", testTokenConcurrentUse},
}

// usedAt returns tok marked used at at.
func usedAt(tok contacts.Token, at time.Time) contacts.Token {
	tok.Used = at
	return tok
}

// wantToken checks that the stored token is want.
func wantToken(t *testing.T, s contacts.Store, want contacts.Token) {
	t.Helper()
	view(t, s, func(tx contacts.ReadTx) error {
		checkToken(t, tx, "", want)
		return nil
	})
}

// checkToken is wantToken within a transaction; when says which. It
// reports with t.Errorf only, so it may run on any goroutine.
func checkToken(t *testing.T, tx contacts.ReadTx, when string, want contacts.Token) {
	t.Helper()
	if when != "" {
		when = " " + when
	}
	got, err := tx.Token(want.Hash)
	if err != nil {
		t.Errorf("Token(%s of %s/%s)%s: %v", want.Kind, want.Org, want.Contact, when, err)
		return
	}
	diff(t, "Token("+want.Org+"/"+want.Contact+")"+when, want, got)
}

// noToken checks that no token has the hash of name.
func noToken(t *testing.T, tx contacts.ReadTx, when, name string) {
	t.Helper()
	got, err := tx.Token(tokenHash(name))
	if !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("Token(%s) %s = %+v, %v; want not found", name, when, got, err)
	}
}

// tokenFixture stores orgs acme and globex, each with a contact c1, and
// returns invitation token t1 of acme's, which grants a role, and consent
// token t2 of globex's, both stored.
func tokenFixture(t *testing.T, s contacts.Store) (t1, t2 contacts.Token) {
	t1, t2 = token("acme", "c1", "t1"), token("globex", "c1", "t2")
	t1.Kind, t1.Role, t1.Invitation = contacts.InviteToken, "admin", "i1"
	t2.Kind, t2.Purpose = contacts.ConsentToken, "newsletter"
	insert(t, s, org("acme"), org("globex"),
		contact("acme", "c1", "ann@example.com"), contact("globex", "c1", "ann@example.com"), t1, t2)
	return t1, t2
}

// testTokenLookup: Token finds a token by its Hash alone, whatever its org,
// with every field as inserted, and as used; an unknown hash is not found.
func testTokenLookup(t *testing.T, s contacts.Store) {
	t1, t2 := tokenFixture(t, s)
	wantToken(t, s, t1)
	wantToken(t, s, t2)
	// An org's sign-up link: a role, no contact, address or invitation.
	link := contacts.Token{Hash: tokenHash("t3"), Kind: contacts.InviteLinkToken, Org: "acme", Role: "normal",
		Created: t0, Expires: t0.AddDate(100, 0, 0)}
	insert(t, s, link)
	wantToken(t, s, link)
	at := t0.Add(time.Hour)
	update(t, s, func(tx contacts.Tx) error { return tx.UseToken(t1.Hash, at) })
	wantToken(t, s, usedAt(t1, at))
	view(t, s, func(tx contacts.ReadTx) error {
		noToken(t, tx, "(unknown)", "t4")
		if got, err := tx.Token(""); !errors.Is(err, contacts.ErrNotFound) {
			t.Errorf(`Token("") = %+v, %v; want not found`, got, err)
		}
		return nil
	})
}

// testTokenDuplicate: a Hash is unique across orgs.
func testTokenDuplicate(t *testing.T, s contacts.Store) {
	t1, t2 := tokenFixture(t, s)
	cf := contacts.ErrConflict
	fails(t, s, "InsertToken(same token again)", cf, func(tx contacts.Tx) error { return tx.InsertToken(t1) })
	fails(t, s, "InsertToken(taken hash, another org)", cf, func(tx contacts.Tx) error {
		tok := token("globex", "c1", "t1")
		tok.Kind, tok.Purpose = contacts.ConsentToken, "surveys"
		return tx.InsertToken(tok)
	})

	// A refused insert leaves the transaction usable.
	t3 := token("acme", "c1", "t3")
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.InsertToken(t3); err != nil {
			return err
		}
		wantErr(t, "InsertToken(hash inserted in the transaction)", tx.InsertToken(token("globex", "c1", "t3")), cf)
		wantErr(t, "InsertToken(committed hash)", tx.InsertToken(t2), cf)
		return nil
	})
	for _, want := range []contacts.Token{t1, t2, t3} {
		wantToken(t, s, want)
	}
}

// testTokenUseOnce: UseToken sets Used, and only once; a token it does not
// find is not found.
func testTokenUseOnce(t *testing.T, s contacts.Store) {
	t1, t2 := tokenFixture(t, s)
	at := t0.Add(time.Hour)
	update(t, s, func(tx contacts.Tx) error { return tx.UseToken(t1.Hash, at) })
	wantToken(t, s, usedAt(t1, at))
	wantToken(t, s, t2)

	fails(t, s, "UseToken(used)", contacts.ErrConflict, func(tx contacts.Tx) error {
		return tx.UseToken(t1.Hash, at.Add(time.Hour))
	})
	fails(t, s, "UseToken(unknown)", contacts.ErrNotFound, func(tx contacts.Tx) error {
		return tx.UseToken(tokenHash("t3"), at)
	})
	wantToken(t, s, usedAt(t1, at))
}

// testTokenReadYourWrites: a transaction reads the tokens it inserted and
// the uses it made, and a second use in it is refused, leaving it usable.
func testTokenReadYourWrites(t *testing.T, s contacts.Store) {
	t1, _ := tokenFixture(t, s)
	t3 := token("acme", "c1", "t3")
	at := t0.Add(time.Hour)
	update(t, s, func(tx contacts.Tx) error {
		if err := tx.InsertToken(t3); err != nil {
			return err
		}
		checkToken(t, tx, "inserted in the transaction", t3)
		if err := errors.Join(tx.UseToken(t3.Hash, at), tx.UseToken(t1.Hash, at)); err != nil {
			return err
		}
		checkToken(t, tx, "used in the transaction", usedAt(t3, at))
		checkToken(t, tx, "used in the transaction", usedAt(t1, at))
		wantErr(t, "UseToken(used in the transaction)", tx.UseToken(t1.Hash, at.Add(time.Minute)), contacts.ErrConflict)
		checkToken(t, tx, "after a refused second use", usedAt(t1, at))
		return nil
	})
	wantToken(t, s, usedAt(t1, at))
	wantToken(t, s, usedAt(t3, at))
}

// testTokenErrorDropsWrites: the inserts and uses of an Update whose
// function fails are dropped: the token used is unused again.
func testTokenErrorDropsWrites(t *testing.T, s contacts.Store) {
	t1, _ := tokenFixture(t, s)
	before := dump(t, s, "acme", "globex")
	at := t0.Add(time.Hour)
	writes := func(tx contacts.Tx) error {
		return errors.Join(tx.UseToken(t1.Hash, at), tx.InsertToken(token("acme", "c1", "t3")))
	}
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		if err := writes(tx); err != nil {
			t.Errorf("writes: %v", err)
		}
		return errBoom
	})
	wantErr(t, "Update", err, errBoom)
	unchanged(t, s, before)
	update(t, s, writes)
	wantToken(t, s, usedAt(t1, at))
	wantToken(t, s, token("acme", "c1", "t3"))
}

// testTokenSnapshot: a View sees tokens as they were when it began,
// whatever inserts and uses commit while it runs.
func testTokenSnapshot(t *testing.T, s contacts.Store) {
	t1, _ := tokenFixture(t, s)
	at := t0.Add(time.Hour)
	duringView(t, s, func(tx contacts.ReadTx, when string) {
		checkToken(t, tx, when, t1)
		noToken(t, tx, when, "t3")
	}, func(tx contacts.Tx) error {
		return errors.Join(tx.UseToken(t1.Hash, at), tx.InsertToken(token("acme", "c1", "t3")))
	})
	wantToken(t, s, usedAt(t1, at))
}

// errUsedAlready is what the concurrent redeemers fail with when they read
// a token already used.
var errUsedAlready = errors.New("storagetest: token used already")

// testTokenConcurrentUse: of concurrent Updates that each read a token,
// see it unused and use it, as the Service redeems a link, exactly one
// succeeds; every other sees it used or gets a conflict.
func testTokenConcurrentUse(t *testing.T, s contacts.Store) {
	const redeemers = 8
	t1, _ := tokenFixture(t, s)
	start := make(chan struct{})
	errs := make([]error, redeemers)
	var wg sync.WaitGroup
	for i := range redeemers {
		wg.Go(func() {
			<-start
			errs[i] = s.Update(t.Context(), func(tx contacts.Tx) error {
				tok, err := tx.Token(t1.Hash)
				switch {
				case err != nil:
					return err
				case !tok.Used.IsZero():
					return errUsedAlready
				}
				return tx.UseToken(tok.Hash, t0.Add(time.Duration(i+1)*time.Minute))
			})
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("redeemers %d and %d both used the token", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, errUsedAlready) && !errors.Is(err, contacts.ErrConflict):
			t.Errorf("redeemer %d: got error %v, want the token used already or a conflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no redeemer used the token: %v", fmt.Sprint(errs))
	}
	wantToken(t, s, usedAt(t1, t0.Add(time.Duration(winner+1)*time.Minute)))
}
