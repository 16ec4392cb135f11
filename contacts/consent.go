package contacts

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

// Channel says where a consent choice (or a change) came from.
type Channel string

// The channels.
const (
	ChannelWidget     Channel = "widget"
	ChannelAPI        Channel = "api"
	ChannelImport     Channel = "import"
	ChannelInvitation Channel = "invitation"
)

// ConsentState is a contact's current, explicit choice about one purpose.
// A purpose without a state follows its default (see [ConsentInForce]).
type ConsentState struct {
	Purpose string    `json:"purpose"`
	Granted bool      `json:"granted"`
	At      time.Time `json:"at"`
}

// A ConsentRecord is one immutable entry of a contact's consent history: a
// grant or a withdrawal, who made it and how (RELIABILITY D3). Withdrawing
// appends a record; no record is ever changed.
type ConsentRecord struct {
	Org     string `json:"org"`
	ID      string `json:"id"`
	Contact string `json:"contact"`
	Purpose string `json:"purpose"`
	Granted bool   `json:"granted"`
	// Actor is who made the choice: the contact itself, an admin's contact
	// ID, or "vendor:NAME".
	Actor string `json:"actor"`
	// Self says the contact chose for itself.
	Self    bool    `json:"self"`
	Channel Channel `json:"channel"`
	// LegalBasis is the purpose's basis when the choice was made.
	LegalBasis policy.LegalBasis `json:"legal_basis"`
	// ConfigVersion and TextHash identify the config and the exact
	// statement shown (the hex SHA-256 of the purpose's text).
	ConfigVersion string    `json:"config_version"`
	TextHash      string    `json:"text_hash"`
	Time          time.Time `json:"time"`
	RequestID     string    `json:"request_id,omitempty"`
}

// TextHash is the hex SHA-256 of a purpose's statement, as consent records
// store it.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// ConsentFor returns the contact's explicit choice about purpose, if any.
func (c Contact) ConsentFor(purpose string) (ConsentState, bool) {
	i := slices.IndexFunc(c.Consent, func(s ConsentState) bool { return s.Purpose == purpose })
	if i < 0 {
		return ConsentState{}, false
	}
	return c.Consent[i], true
}

// withConsent returns c's consent states with purpose set to granted.
func (c Contact) withConsent(purpose string, granted bool, at time.Time) []ConsentState {
	out := slices.DeleteFunc(slices.Clone(c.Consent), func(s ConsentState) bool { return s.Purpose == purpose })
	out = append(out, ConsentState{Purpose: purpose, Granted: granted, At: at})
	slices.SortFunc(out, func(a, b ConsentState) int {
		switch {
		case a.Purpose < b.Purpose:
			return -1
		case a.Purpose > b.Purpose:
			return 1
		}
		return 0
	})
	return out
}

// ConsentInForce reports whether contact c of org o may be contacted for
// purpose p, and if not, why. An explicit choice decides. Without one, a
// default-on purpose is in force only once the org has confirmed its
// contacts at least once; a purpose that is off by default needs a grant.
func ConsentInForce(p policy.Purpose, c Contact, o Org) (bool, string) {
	if st, ok := c.ConsentFor(p.Key); ok {
		if st.Granted {
			return true, ""
		}
		return false, "withdrew consent to " + p.Key
	}
	switch {
	case !p.Default:
		return false, "has not granted " + p.Key
	case o.ConfirmedAt.IsZero():
		return false, "the org has not confirmed its contacts yet, so default consent to " + p.Key + " is not in force"
	}
	return true, ""
}
