package webhook

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

// An Endpoint is where the host wants events delivered. The host registers
// endpoints in its code ([Options].Endpoints); the store keeps only each
// endpoint's delivery cursors, under its ID.
type Endpoint struct {
	// ID names the endpoint for good: its delivery cursors are stored
	// under it, so an endpoint whose ID changes starts again from the
	// first event (or from Since). 1 to 64 ASCII letters, digits, '.',
	// '_' and '-'.
	ID string
	// URL receives the POSTs: an absolute http or https URL.
	URL string
	// Secrets sign each request, each giving one v1 signature: list the
	// new secret beside the old one while the receiver switches. At least
	// one; each at least 32 bytes, random, and known only to the receiver.
	Secrets []string
	// Actions, when not empty, are the only event actions delivered, such
	// as "contact.update" or "denied"; the other events are passed over.
	Actions []string
	// Since, when not zero, passes over the events committed before it:
	// set it to when the endpoint was first registered, so that it does
	// not receive the whole history of every org.
	Since time.Time
}

// MinSecretLen is the shortest secret an [Endpoint] may have, in bytes.
const MinSecretLen = 32

// wants reports whether the endpoint takes e.
func (ep *Endpoint) wants(e contacts.AuditEvent) bool {
	if !ep.Since.IsZero() && e.Time.Before(ep.Since) {
		return false
	}
	return len(ep.Actions) == 0 || slices.Contains(ep.Actions, e.Action)
}

// validID reports whether id is 1 to 64 of [A-Za-z0-9._-].
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// check adds every rule ep breaks to errs, under path (such as
// "/endpoints/0"); seen holds the IDs of the endpoints before it.
func (ep *Endpoint) check(path string, seen map[string]bool, errs *[]contacts.FieldError) {
	add := func(field, format string, args ...any) {
		*errs = append(*errs, contacts.FieldError{Path: path + "/" + field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case !validID(ep.ID):
		add("id", "must be 1 to 64 ASCII letters, digits, '.', '_' or '-'")
	case seen[ep.ID]:
		add("id", "must be unique: another endpoint has ID %q", ep.ID)
	}
	seen[ep.ID] = true
	u, err := url.Parse(ep.URL)
	switch {
	case err != nil:
		add("url", "must be an absolute http or https URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		add("url", "must be an absolute http or https URL, not scheme %q", u.Scheme)
	case u.Host == "":
		add("url", "must name a host")
	case u.Fragment != "":
		add("url", "must not have a fragment")
	}
	if len(ep.Secrets) == 0 {
		add("secrets", "must hold at least one secret")
	}
	for i, s := range ep.Secrets {
		if len(s) < MinSecretLen {
			add(fmt.Sprintf("secrets/%d", i), "must be at least %d bytes long, not %d", MinSecretLen, len(s))
		}
	}
	for i, a := range ep.Actions {
		if a == "" {
			add(fmt.Sprintf("actions/%d", i), "must not be empty")
		}
	}
}
