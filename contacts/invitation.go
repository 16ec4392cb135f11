package contacts

import "time"

// InvitationMode says what inviting someone does.
type InvitationMode string

// The invitation modes.
const (
	// InviteWorkspace adds the person to a workspace the host names (through
	// the workspace hook) and sends the invitation.
	InviteWorkspace InvitationMode = "workspace"
	// InviteContacts adds the person as a contact and sends the invitation.
	InviteContacts InvitationMode = "contacts"
	// InviteQuiet adds the person as an active contact and sends nothing.
	InviteQuiet InvitationMode = "quiet"
)

// An Invitation is an invitation sent to a contact, pending until accepted,
// revoked or expired.
type Invitation struct {
	Org     string `json:"org"`
	ID      string `json:"id"`
	Contact string `json:"contact"`
	// Role is granted on acceptance, if it is still within the inviter's
	// rank then; empty grants none.
	Role      string         `json:"role,omitempty"`
	Mode      InvitationMode `json:"mode"`
	Workspace string         `json:"workspace,omitempty"`
	// InvitedBy is the inviting contact's ID (or "vendor:NAME").
	InvitedBy string `json:"invited_by"`
	// TokenHash is the hash of the link's secret.
	TokenHash string    `json:"token_hash"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Accepted  time.Time `json:"accepted,omitzero"`
	Revoked   time.Time `json:"revoked,omitzero"`
	Version   int64     `json:"version"`
}

// Pending reports whether the invitation can still be accepted at now.
func (inv Invitation) Pending(now time.Time) bool {
	return inv.Accepted.IsZero() && inv.Revoked.IsZero() && now.Before(inv.Expires)
}

// InviteRequest is the input for inviting one person.
type InviteRequest struct {
	Contact   NewContact     `json:"contact"`
	Role      string         `json:"role,omitempty"`
	Mode      InvitationMode `json:"mode"`
	Workspace string         `json:"workspace,omitempty"`
}
