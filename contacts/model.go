package contacts

import (
	"slices"
	"time"
)

// An Org is a customer organization: the tenant every read and write is
// scoped to.
type Org struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Parent is the parent org's ID (a subsidiary's holding, a workspace's
	// company), or empty. Slot holders are inherited from it.
	Parent string `json:"parent,omitempty"`
	// AllowedEmailDomains restricts contact addresses beyond the config's
	// list; child orgs inherit the restriction.
	AllowedEmailDomains []string `json:"allowed_email_domains,omitempty"`
	// ConfirmedAt is when the org's contacts were last saved or confirmed;
	// zero until the first time. Default-on consent is in force only after.
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	// ReviewedAt is when an admin last confirmed the contacts are current.
	ReviewedAt time.Time `json:"reviewed_at,omitzero"`
	// InviteLink is the hash of the org's current shareable sign-up
	// link's secret, or empty when it has none.
	InviteLink string `json:"invite_link,omitempty"`
	// ClosedAt is when an owner closed the account; zero while open.
	ClosedAt time.Time `json:"closed_at,omitzero"`
	Version  int64     `json:"version"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

// Closed reports whether the org's account is closed.
func (o Org) Closed() bool { return !o.ClosedAt.IsZero() }

// Clone returns a deep copy.
func (o Org) Clone() Org {
	o.AllowedEmailDomains = slices.Clone(o.AllowedEmailDomains)
	return o
}

// Kind tells the org's own people from its clients.
type Kind string

// The contact kinds.
const (
	Internal Kind = "internal"
	Client   Kind = "client"
)

// Availability is what a contact shows the directory.
type Availability string

// The availabilities.
const (
	Available Availability = "available"
	Busy      Availability = "busy"
	Offline   Availability = "offline"
)

// Verification is the state of a contact's address.
type Verification string

// The verification states.
const (
	// Unverified: nobody has proven the address works.
	Unverified Verification = "unverified"
	// Verified: the person clicked a single-use link sent to it.
	Verified Verification = "verified"
	// Invalid: the host reported a bounce.
	Invalid Verification = "invalid"
)

// Status is whether a contact has taken up its place.
type Status string

// The contact statuses.
const (
	// Active contacts have accepted (or needed no invitation).
	Active Status = "active"
	// Invited contacts were added and have not accepted yet.
	Invited Status = "invited"
)

// A Contact is a person at an org.
type Contact struct {
	Org string `json:"org"`
	ID  string `json:"id"`
	// Name is how the person is addressed.
	Name string `json:"name"`
	// Email is the normalised address (see [NormalizeEmail]); unique in
	// the org by [EmailKey].
	Email string `json:"email"`
	// Language is the preferred language, a canonical BCP 47 tag.
	Language string `json:"language"`
	// Phone is an E.164 number, or empty.
	Phone string `json:"phone,omitempty"`
	// Title is the person's job title, or empty.
	Title string `json:"title,omitempty"`
	// Kind is internal or client, or empty when not said.
	Kind Kind `json:"kind,omitempty"`
	// Availability is what the directory shows, set at AvailabilitySince.
	Availability      Availability `json:"availability,omitempty"`
	AvailabilitySince time.Time    `json:"availability_since,omitzero"`
	// Roles are the role keys the contact holds, sorted.
	Roles []string `json:"roles,omitempty"`
	// Groups are the IDs of the groups the contact belongs to, sorted.
	Groups []string `json:"groups,omitempty"`
	// Consent holds the contact's explicit consent choices, sorted by
	// purpose; a purpose not listed follows its default.
	Consent      []ConsentState `json:"consent,omitempty"`
	Verification Verification   `json:"verification"`
	Status       Status         `json:"status"`
	// ConfirmedAt is when the contact was last confirmed current.
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	Version     int64     `json:"version"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// Clone returns a deep copy.
func (c Contact) Clone() Contact {
	c.Roles = slices.Clone(c.Roles)
	c.Groups = slices.Clone(c.Groups)
	c.Consent = slices.Clone(c.Consent)
	return c
}

// HasRole reports whether the contact holds role key.
func (c Contact) HasRole(key string) bool {
	_, ok := slices.BinarySearch(c.Roles, key)
	return ok
}

// GroupKind tells teams from client groups.
type GroupKind string

// The group kinds.
const (
	Team        GroupKind = "team"
	ClientGroup GroupKind = "client_group"
)

// A Group is a team or a client group. Groups can hold slots, like people;
// membership is recorded on each [Contact].
type Group struct {
	Org     string    `json:"org"`
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Kind    GroupKind `json:"kind"`
	Version int64     `json:"version"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// An Actor is who performs an operation, as the host authenticated it. The
// library never invents identity: the host builds the Actor.
type Actor struct {
	// Org is the org the actor belongs to. A member actor acts only in it.
	Org string
	// Contact is the acting contact's ID, for a member of the org.
	Contact string
	// Vendor, when set, names the vendor's own staff member or system
	// acting (for example "support:jane" or "import"). A vendor actor may
	// create orgs, review change sets and act as an owner of Org; the
	// invariants still hold for it. Only the host's trusted code should
	// build one.
	Vendor string
	// RequestID correlates the audit event with the host's logs.
	RequestID string
}

// IsVendor reports whether the actor acts for the vendor.
func (a Actor) IsVendor() bool { return a.Vendor != "" }

// String names the actor in audit events: a contact ID, or "vendor:NAME".
func (a Actor) String() string {
	if a.IsVendor() {
		return "vendor:" + a.Vendor
	}
	return a.Contact
}

// A Page asks for one page of a listing ordered by ID: the items after the
// cursor After (empty for the first page), at most Limit of them.
type Page struct {
	After string
	Limit int
}

// The page sizes: a Limit of 0 means DefaultPageSize; larger than
// MaxPageSize is refused.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)
