package notify

import (
	"errors"
	"strconv"
)

// The error kinds. Callers test for them with [errors.Is].
var (
	// ErrUnknownKind: no template exists for the message's kind.
	ErrUnknownKind = errors.New("unknown message kind")
	// ErrMissingData: a key the kind requires is missing from the
	// message's Data, or blank.
	ErrMissingData = errors.New("missing message data")
	// ErrInvalidHeader: a value that would go into a mail header (a name,
	// an email address, the subject) holds a line break or another control
	// character, or is malformed. Such a value could add headers of its
	// own, so the message is refused rather than cleaned.
	ErrInvalidHeader = errors.New("invalid header value")
	// ErrTLSRequired: the server does not offer STARTTLS, and the [SMTP]
	// notifier does not allow plaintext.
	ErrTLSRequired = errors.New("server does not offer STARTTLS")
)

// A RecipientError reports that the message for one recipient was not
// delivered. Index is the recipient's position in [contacts.Message].To.
// The package names recipients by index, never by address, in the errors it
// writes itself; a server's reply quoted in Err may still name the address.
type RecipientError struct {
	Index int
	Err   error
}

func (e *RecipientError) Error() string {
	return "notify: recipient " + strconv.Itoa(e.Index) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *RecipientError) Unwrap() error { return e.Err }
