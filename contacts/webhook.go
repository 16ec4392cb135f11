package contacts

import "time"

// A WebhookCursor is how far the delivery of one org's audit events to one
// webhook endpoint has come: the durable state of the webhook outbox.
//
// The outbox itself is the audit trail. Every committed change appends its
// events to the org's chain in the change's own transaction, in Seq order,
// so an event that committed is in the outbox, and one that did not is not.
// A cursor per endpoint and org records the last event the endpoint
// acknowledged, and the failed attempts at the one after it, so a
// dispatcher that restarts resumes exactly where it stopped (see package
// github.com/liaisonhq/liaison/contacts/webhook).
type WebhookCursor struct {
	Org string `json:"org"`
	// Endpoint is the ID of the endpoint, as the host registered it.
	Endpoint string `json:"endpoint"`
	// Delivered is the Seq of the last event of Org that the endpoint
	// acknowledged or was not sent (it filters it out): the next event to
	// deliver is the first with a greater Seq.
	Delivered uint64 `json:"delivered"`
	// Attempts counts the failed attempts at delivering the event after
	// Delivered; 0 when the last attempt succeeded.
	Attempts int `json:"attempts,omitempty"`
	// NextAttempt is when the next attempt is due, after a failure; zero
	// when one may be made at once.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	// LastError says why the last attempt failed, such as "status 503".
	LastError string    `json:"last_error,omitempty"`
	Version   int64     `json:"version"`
	Updated   time.Time `json:"updated,omitzero"`
}
