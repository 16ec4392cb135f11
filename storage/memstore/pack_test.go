package memstore

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/liaisonhq/liaison/contacts"
)

// TestPack checks that the copy the store keeps reads as the contact it
// was given, and that its keys are the ones the trees and the address map
// compute from it, for ASCII and other text alike, short and long (each
// size of [packed], and a separate block).
func TestPack(t *testing.T) {
	text := rapid.OneOf(rapid.StringMatching(`[A-Za-z0-9 .@-]{0,20}`), rapid.String())
	rapid.Check(t, func(t *rapid.T) {
		num := rapid.Uint32().Draw(t, "num")
		c := contacts.Contact{
			Org:   "acme",
			ID:    rapid.StringMatching(`[a-z0-9]{1,26}`).Draw(t, "id"),
			Name:  text.Draw(t, "name"),
			Email: text.Draw(t, "email"),
			Title: rapid.OneOf(text, rapid.StringMatching(`[a-z]{100,400}`)).Draw(t, "title"),
			Phone: text.Draw(t, "phone"),
			Roles: rapid.SliceOf(rapid.StringMatching(`[a-z]{1,8}`)).Draw(t, "roles"),
		}
		p, k := pack(num, &c)
		if diff := cmp.Diff(c, *p); diff != "" {
			t.Fatalf("packed contact differs (-given +packed):\n%s", diff)
		}
		if len(c.Roles) > 0 && &p.Roles[0] == &c.Roles[0] {
			t.Fatal("the packed contact shares the given one's roles")
		}
		want := storedKeys{id: idKey(num, &c), dir: dirKey(num, &c), email: emailCKey(num, &c).s}
		if k != want {
			t.Fatalf("keys %q, want %q", k, want)
		}
	})
}
