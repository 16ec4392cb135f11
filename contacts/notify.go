package contacts

import "context"

// MessageKind names what a [Message] is about; it selects the template.
type MessageKind string

// The kinds of message the library sends.
const (
	// ReviewReminder asks an org's admins to confirm its contacts.
	ReviewReminder MessageKind = "review_reminder"
	// InvitationMessage invites a person, with an activation link.
	InvitationMessage MessageKind = "invitation"
	// VerificationMessage asks a person to confirm an address, with a
	// single-use link.
	VerificationMessage MessageKind = "verification"
	// SlotRemoved tells a previous holder it no longer holds a slot (such
	// as "you are no longer the billing contact").
	SlotRemoved MessageKind = "slot_removed"
	// OwnerChanged tells the previous owner that ownership moved on.
	OwnerChanged MessageKind = "owner_changed"
	// AddressChanged tells the previous address that it was replaced.
	AddressChanged MessageKind = "address_changed"
	// TestMessage checks that a slot holder can be reached.
	TestMessage MessageKind = "test_message"
	// ChangeSetUpdate tells the people involved that a change set moved on.
	ChangeSetUpdate MessageKind = "change_set_update"
)

// An Address is one recipient of a message.
type Address struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	// Language is the recipient's preferred language, a BCP 47 tag; the
	// message is rendered in it, or in the closest available language.
	Language string `json:"language"`
}

// A Message is what the Service asks the host's [Notifier] to deliver. It
// carries the facts, not the text: the notifier renders it (the notify
// package has templates in en, pt-BR, es, fr and de).
type Message struct {
	Kind MessageKind `json:"kind"`
	Org  string      `json:"org"`
	// OrgName is the org's display name, for the text.
	OrgName string    `json:"org_name"`
	To      []Address `json:"to"`
	// Data holds the kind's details, such as "slot_name" for SlotRemoved,
	// "link" and "expires" (RFC 3339) for a verification or invitation,
	// "due" (YYYY-MM-DD) for a reminder; the notify package documents the
	// keys each kind uses.
	Data map[string]string `json:"data,omitempty"`
}

// Notifier delivers messages. The host provides it (or uses the SMTP
// notifier in the notify package); the Service calls it after a change has
// committed, never inside a transaction.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// NotifierFunc adapts a function to [Notifier].
type NotifierFunc func(ctx context.Context, m Message) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, m Message) error { return f(ctx, m) }
