// Package wire holds the JSON shapes of Liaison's HTTP API: the request
// bodies the handler in widget/api accepts and the response bodies it
// sends, including RFC 9457 problem details.
//
// The widget's WebAssembly client shares these types with the handler, so
// the package imports nothing outside the standard library and holds no
// logic: every rule about the values lives in the contacts package, behind
// the handler. Field names and JSON tags are the contract that
// schema/openapi.json documents.
package wire

import (
	"encoding/json"
	"time"
)

// Media types the API speaks.
const (
	MediaJSON    = "application/json"
	MediaProblem = "application/problem+json"
	// MediaNDJSON is the audit export: one JSON object per line.
	MediaNDJSON = "application/x-ndjson"
)

// Headers the API reads or writes besides the standard ones.
const (
	// HeaderRequestID carries the request's correlation ID: the handler
	// takes a short token from the request, or makes one, and echoes it.
	HeaderRequestID = "X-Request-Id"
	// HeaderIdempotencyKey makes a create safe to retry.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderIdempotentReplayed is "true" on a response replayed for a
	// repeated Idempotency-Key.
	HeaderIdempotentReplayed = "Idempotent-Replayed"
)

// ProblemBase prefixes every problem type URI.
const ProblemBase = "https://liaison.dev/problems/"

// The problem types ([Problem.Type]); each comes with one status code.
const (
	ProblemMalformed            = ProblemBase + "malformed-request"      // 400
	ProblemUnauthenticated      = ProblemBase + "unauthenticated"        // 401
	ProblemForbidden            = ProblemBase + "forbidden"              // 403
	ProblemCrossOrigin          = ProblemBase + "cross-origin"           // 403
	ProblemNotFound             = ProblemBase + "not-found"              // 404
	ProblemMethodNotAllowed     = ProblemBase + "method-not-allowed"     // 405
	ProblemConflict             = ProblemBase + "conflict"               // 409
	ProblemIdempotencyInFlight  = ProblemBase + "idempotency-in-flight"  // 409
	ProblemStale                = ProblemBase + "stale"                  // 412
	ProblemTooLarge             = ProblemBase + "too-large"              // 413
	ProblemMediaType            = ProblemBase + "unsupported-media-type" // 415
	ProblemInvalid              = ProblemBase + "invalid"                // 422
	ProblemIdempotencyReused    = ProblemBase + "idempotency-key-reused" // 422
	ProblemPreconditionRequired = ProblemBase + "precondition-required"  // 428
	ProblemInternal             = ProblemBase + "internal"               // 500
)

// Problem is an RFC 9457 problem details object, the body of every error
// response.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	// RequestID is the request's correlation ID, as in [HeaderRequestID].
	RequestID string `json:"request_id"`
	// Rule names the policy rule that denied a forbidden request.
	Rule string `json:"rule,omitempty"`
	// Errors lists every offending field or parameter of a malformed or
	// invalid request.
	Errors []ProblemField `json:"errors,omitempty"`
}

// ProblemField is one offending part of a request: a field of the body
// (Pointer, a JSON pointer) or a path, query or header parameter
// (Parameter), or neither when the rule concerns the request as a whole.
type ProblemField struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Detail    string `json:"detail"`
}

// Org is an organization, the tenant.
type Org struct {
	ID                  string    `json:"id"`
	Name                string    `json:"name"`
	Parent              string    `json:"parent,omitempty"`
	AllowedEmailDomains []string  `json:"allowed_email_domains,omitempty"`
	ConfirmedAt         time.Time `json:"confirmed_at,omitzero"`
	ReviewedAt          time.Time `json:"reviewed_at,omitzero"`
	ClosedAt            time.Time `json:"closed_at,omitzero"`
	Version             int64     `json:"version"`
	Created             time.Time `json:"created"`
	Updated             time.Time `json:"updated"`
}

// OrgPage is one page of orgs; Next is the cursor of the following page,
// empty after the last.
type OrgPage struct {
	Items []Org  `json:"items"`
	Next  string `json:"next,omitempty"`
}

// NewOrg creates an org with its first owner (vendor only).
type NewOrg struct {
	ID                  string     `json:"id,omitempty"`
	Name                string     `json:"name"`
	Parent              string     `json:"parent,omitempty"`
	AllowedEmailDomains []string   `json:"allowed_email_domains,omitempty"`
	Owner               NewContact `json:"owner"`
}

// CreatedOrg is the answer to [NewOrg]: the org and its first owner.
type CreatedOrg struct {
	Org   Org     `json:"org"`
	Owner Contact `json:"owner"`
}

// OrgPatch changes an org's settings; an absent field is left as it is.
type OrgPatch struct {
	Name                *string   `json:"name,omitempty"`
	AllowedEmailDomains *[]string `json:"allowed_email_domains,omitempty"`
}

// Contact is a person at an org.
type Contact struct {
	Org               string         `json:"org"`
	ID                string         `json:"id"`
	Name              string         `json:"name"`
	Email             string         `json:"email"`
	Language          string         `json:"language"`
	Phone             string         `json:"phone,omitempty"`
	Title             string         `json:"title,omitempty"`
	Kind              string         `json:"kind,omitempty"`
	Availability      string         `json:"availability,omitempty"`
	AvailabilitySince time.Time      `json:"availability_since,omitzero"`
	Roles             []string       `json:"roles,omitempty"`
	Groups            []string       `json:"groups,omitempty"`
	Consent           []ConsentState `json:"consent,omitempty"`
	Verification      string         `json:"verification"`
	Status            string         `json:"status"`
	ConfirmedAt       time.Time      `json:"confirmed_at,omitzero"`
	Version           int64          `json:"version"`
	Created           time.Time      `json:"created"`
	Updated           time.Time      `json:"updated"`
}

// ContactPage is one page of contacts; Next is the cursor of the
// following page, empty after the last.
type ContactPage struct {
	Items []Contact `json:"items"`
	Next  string    `json:"next,omitempty"`
}

// NewContact adds a contact. Roles, groups, consent, verification and
// versions cannot be set here: each has its own resource.
type NewContact struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Language     string `json:"language,omitempty"`
	Phone        string `json:"phone,omitempty"`
	PhoneRegion  string `json:"phone_region,omitempty"`
	Title        string `json:"title,omitempty"`
	Kind         string `json:"kind,omitempty"`
	Availability string `json:"availability,omitempty"`
}

// ContactPatch changes some fields of a contact; an absent field is left
// as it is, and an empty string clears an optional one.
type ContactPatch struct {
	Name         *string `json:"name,omitempty"`
	Email        *string `json:"email,omitempty"`
	Language     *string `json:"language,omitempty"`
	Phone        *string `json:"phone,omitempty"`
	PhoneRegion  string  `json:"phone_region,omitempty"`
	Title        *string `json:"title,omitempty"`
	Kind         *string `json:"kind,omitempty"`
	Availability *string `json:"availability,omitempty"`
}

// Transfer hands the caller's ownership to contact To.
type Transfer struct {
	To string `json:"to"`
}

// Ownership is the answer to [Transfer]: the previous and the new owner.
type Ownership struct {
	From Contact `json:"from"`
	To   Contact `json:"to"`
}

// ConsentState is a contact's current, explicit choice about a purpose.
type ConsentState struct {
	Purpose string    `json:"purpose"`
	Granted bool      `json:"granted"`
	At      time.Time `json:"at"`
}

// ConsentChoice grants or withdraws a purpose. Granted is required;
// Channel is "api" (the default) or "widget".
type ConsentChoice struct {
	Granted *bool  `json:"granted,omitempty"`
	Channel string `json:"channel,omitempty"`
}

// The channels a [ConsentChoice] may name.
const (
	ChannelAPI    = "api"
	ChannelWidget = "widget"
)

// ConsentRecord is one immutable entry of a contact's consent history.
type ConsentRecord struct {
	Org           string    `json:"org"`
	ID            string    `json:"id"`
	Contact       string    `json:"contact"`
	Purpose       string    `json:"purpose"`
	Granted       bool      `json:"granted"`
	Actor         string    `json:"actor"`
	Self          bool      `json:"self"`
	Channel       string    `json:"channel"`
	LegalBasis    string    `json:"legal_basis"`
	ConfigVersion string    `json:"config_version"`
	TextHash      string    `json:"text_hash"`
	Time          time.Time `json:"time"`
	RequestID     string    `json:"request_id,omitempty"`
}

// ConsentHistory is a contact's consent records, oldest first.
type ConsentHistory struct {
	Items []ConsentRecord `json:"items"`
}

// Token hands back the secret of a single-use link (address verification,
// double opt-in).
type Token struct {
	Token string `json:"token"`
}

// Redeemed is the answer to a redeemed [Token]: whose link it was and its
// effect, "verified" (an address), "granted" (a double opt-in) or
// "accepted" (an invitation).
type Redeemed struct {
	Org     string `json:"org"`
	Contact string `json:"contact"`
	Result  string `json:"result"`
}

// Bounce reports that mail to Email bounced (vendor only).
type Bounce struct {
	Email string `json:"email"`
}

// Group is a team or a client group.
type Group struct {
	Org     string    `json:"org"`
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Kind    string    `json:"kind"`
	Version int64     `json:"version"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// GroupPage is one page of groups.
type GroupPage struct {
	Items []Group `json:"items"`
	Next  string  `json:"next,omitempty"`
}

// Members lists a group's contacts.
type Members struct {
	Items []Contact `json:"items"`
}

// NewGroup creates a group; Kind is "team" or "client_group".
type NewGroup struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// GroupPatch changes some fields of a group.
type GroupPatch struct {
	Name *string `json:"name,omitempty"`
	Kind *string `json:"kind,omitempty"`
}

// Holder is one assignee of a slot: a contact or a group, until an
// optional end.
type Holder struct {
	Kind  string    `json:"kind"`
	ID    string    `json:"id"`
	Until time.Time `json:"until,omitzero"`
}

// Slot is a configured duty and its holders in one org, in order (the
// first is the lead). Version is the holders' version, 0 before the first
// assignment.
type Slot struct {
	Key               string    `json:"key"`
	Name              string    `json:"name,omitempty"`
	Kind              string    `json:"kind"`
	Min               int       `json:"min"`
	Max               int       `json:"max,omitempty"`
	Groups            bool      `json:"groups"`
	Purpose           string    `json:"purpose,omitempty"`
	FallbackToPrimary bool      `json:"fallback_to_primary"`
	RequireVerified   bool      `json:"require_verified"`
	Holders           []Holder  `json:"holders"`
	Version           int64     `json:"version"`
	Updated           time.Time `json:"updated,omitzero"`
}

// Slots lists every configured slot of an org.
type Slots struct {
	Items []Slot `json:"items"`
}

// SlotAssignment replaces a slot's holders. Holders is required: an empty
// list (not nil, which encodes as null and is refused) removes them all.
type SlotAssignment struct {
	Holders []Holder `json:"holders"`
}

// Address is one recipient of a message.
type Address struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Language string `json:"language"`
}

// TestMessage is the answer to a test message: the addresses written to.
type TestMessage struct {
	Sent []Address `json:"sent"`
}

// Finding is one thing an org still has to do.
type Finding struct {
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	Slot     string `json:"slot,omitempty"`
	Contact  string `json:"contact,omitempty"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
}

// Completeness lists what an org still has to do; empty when nothing is
// open.
type Completeness struct {
	Findings []Finding `json:"findings"`
}

// Recipients answers whom to contact about a slot. Excluded is present
// only when the request asked for an explanation.
type Recipients struct {
	Org        string      `json:"org"`
	Slot       string      `json:"slot"`
	Purpose    string      `json:"purpose,omitempty"`
	Source     string      `json:"source"`
	Fallback   bool        `json:"fallback"`
	Recipients []Recipient `json:"recipients"`
	Excluded   []Exclusion `json:"excluded,omitzero"`
	// Withheld counts people of an ancestor org, whose holders the slot
	// inherits, left out because the viewer is not a member there.
	Withheld int `json:"withheld,omitempty"`
}

// Recipient is one person to contact, with the address and language to
// use and the ways the slot reaches them.
type Recipient struct {
	Org      string   `json:"org"`
	Contact  string   `json:"contact"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Language string   `json:"language"`
	Reasons  []Reason `json:"reasons"`
}

// Reason is one way a slot reaches a recipient.
type Reason struct {
	Slot          string `json:"slot"`
	Position      int    `json:"position"`
	Group         string `json:"group,omitempty"`
	InheritedFrom string `json:"inherited_from,omitempty"`
	Fallback      bool   `json:"fallback,omitempty"`
}

// Exclusion is a person the slot reached who is not contacted, and why.
type Exclusion struct {
	Org     string `json:"org"`
	Contact string `json:"contact"`
	Name    string `json:"name"`
	Reason  string `json:"reason"`
}

// AuditEvent is one entry of an org's hash-chained audit trail; the
// export writes one per line.
type AuditEvent struct {
	Org        string          `json:"org"`
	Seq        uint64          `json:"seq"`
	Time       time.Time       `json:"time"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	Target     string          `json:"target"`
	RequestID  string          `json:"request_id,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	Salt       string          `json:"salt,omitempty"`
	DataDigest string          `json:"data_digest"`
	Prev       string          `json:"prev"`
	Hash       string          `json:"hash"`
}

// AuditPage is one page of audit events; Next is the sequence number to
// pass as "after" for the following page, empty after the last.
type AuditPage struct {
	Items []AuditEvent `json:"items"`
	Next  string       `json:"next,omitempty"`
}

// AuditHead is the end of an org's audit chain.
type AuditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// AuditVerification is the result of checking an org's audit chain: Valid
// with the verified Head, or the first broken event and why.
type AuditVerification struct {
	Valid    bool      `json:"valid"`
	Head     AuditHead `json:"head"`
	BrokenAt uint64    `json:"broken_at,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}

// Me is who the viewer is in one org and what it may do there, computed
// with the org's policy so that a client shows only the controls that would
// be allowed. The API still checks every request itself: Me is a hint for
// the screen, never a grant.
type Me struct {
	Org string `json:"org"`
	// Contact is the viewer's own contact; absent for a vendor actor.
	Contact *Contact `json:"contact,omitempty"`
	// Vendor is true for the vendor's staff or systems, who act as an
	// owner of any org and alone review change sets.
	Vendor bool `json:"vendor"`
	// Roles are the viewer's role keys; empty for a vendor.
	Roles []string `json:"roles"`
	// Rank is the highest rank among the viewer's roles (a vendor has the
	// owner role's); Owner says whether the viewer holds the top role.
	Rank  int  `json:"rank"`
	Owner bool `json:"owner"`
	// ChangeMode is how change sets take effect: "direct" or "review".
	ChangeMode string `json:"change_mode"`
	// Closed is true once the org's account is closed: it is read-only
	// then, and Actions lists only what reads.
	Closed bool `json:"closed"`
	// ContactsConfirmed is true once the org has confirmed (saved) its
	// contacts: until then no default-granted purpose is in force, and
	// nobody may be contacted for it.
	ContactsConfirmed bool `json:"contacts_confirmed"`
	// Actions are the org-level actions the viewer may take, named as the
	// Action constants below (the policy's names, and
	// [ActionReviewChanges] for the vendor). Actions aimed at one contact
	// are further limited by rank: an admin edits only contacts it
	// outranks.
	Actions []string `json:"actions"`
	// GrantableRoles are the roles, highest first, the viewer may grant
	// to another contact it outranks and hand out in invitations.
	GrantableRoles []string `json:"grantable_roles"`
	// RoleInfo describes every configured role, highest rank first, so a
	// client can label roles and tell who outranks whom.
	RoleInfo []RoleInfo `json:"role_info"`
	// Purposes are the org's consent purposes, in configured order, so a
	// client can offer every purpose, including those a contact never
	// chose.
	Purposes []Purpose `json:"purposes"`
}

// RoleInfo is one configured role.
type RoleInfo struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
	Rank int    `json:"rank"`
}

// Purpose is one configured consent purpose.
type Purpose struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
	// LegalBasis is "legitimate_interest", "contract" or "consent".
	LegalBasis string `json:"legal_basis"`
	// Default says whether the purpose counts as granted until withdrawn
	// (once the org has confirmed its contacts).
	Default bool `json:"default"`
	// DoubleOptIn says whether a grant needs a confirmed double opt-in.
	DoubleOptIn bool `json:"double_opt_in,omitempty"`
}

// The change modes of [Me.ChangeMode].
const (
	ChangeModeDirect = "direct"
	ChangeModeReview = "review"
)

// The actions [Me.Actions] may list. All but ActionReviewChanges are the
// names package policy gives its actions.
const (
	ActionViewContacts      = "contacts.view"
	ActionOpenSupport       = "support.open"
	ActionDiscussAccount    = "account.discuss"
	ActionManageBilling     = "billing.manage"
	ActionEditContact       = "contacts.edit"
	ActionGrantRole         = "roles.grant"
	ActionRevokeRole        = "roles.revoke"
	ActionManageSlots       = "slots.manage"
	ActionManageConsent     = "consent.manage"
	ActionManageGroups      = "groups.manage"
	ActionSendInvitations   = "invitations.send"
	ActionSubmitChanges     = "changes.submit"
	ActionConfirmReview     = "review.confirm"
	ActionViewAudit         = "audit.view"
	ActionTransferOwnership = "ownership.transfer"
	ActionCloseAccount      = "account.close"
	// ActionReviewChanges queries, approves and rejects submitted change
	// sets: the vendor's alone.
	ActionReviewChanges = "changes.review"
)

// The directory filters a [DirectoryPage] request may name.
const (
	FilterAll              = "all"
	FilterInternal         = "internal"
	FilterTeams            = "teams"
	FilterClients          = "clients"
	FilterAvailableClients = "available_clients"
	FilterClientGroups     = "client_groups"
)

// DirectoryPage is one page of a directory search, sorted by name, then
// ID: stable, so a walk never skips or repeats a contact that stays in
// place while others come and go. Next is the cursor of the following
// page, empty after the last.
type DirectoryPage struct {
	Contacts []Contact `json:"contacts"`
	Next     string    `json:"next,omitempty"`
}

// Workspace is a place in the host's product that the viewer and a
// contact share, such as a project or a channel.
type Workspace struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// QuickAction is something the viewer can start with a contact in the
// host's product, such as a chat ("chat") or a meeting ("meeting").
type QuickAction struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Overview is what the directory shows about one contact: its details
// and availability, its groups, and, where the host has the hooks, the
// workspaces the viewer shares with it and the quick actions the viewer
// can start. Workspaces and Actions are absent when the host has no such
// hook, and empty lists when it has one with nothing to show.
type Overview struct {
	Contact    Contact       `json:"contact"`
	Groups     []Group       `json:"groups"`
	Workspaces []Workspace   `json:"workspaces,omitzero"`
	Actions    []QuickAction `json:"actions,omitzero"`
}

// The change set states of [ChangeSet.State]: draft → submitted →
// (queried ⇄ answered) → applied, or rejected or cancelled. In direct mode
// a change set is applied when it is sent.
const (
	ChangeDraft     = "draft"
	ChangeSubmitted = "submitted"
	ChangeQueried   = "queried"
	ChangeAnswered  = "answered"
	ChangeApplied   = "applied"
	ChangeRejected  = "rejected"
	ChangeCancelled = "cancelled"
)

// The edit kinds of [Edit.Kind].
const (
	EditAddContact    = "add_contact"
	EditContact       = "edit_contact"
	EditGrantRole     = "grant_role"
	EditRevokeRole    = "revoke_role"
	EditRemoveContact = "remove_contact"
	EditAssignSlot    = "assign_slot"
)

// NewRef prefixes, in a later edit's Contact, the index of the add_contact
// edit whose new contact it means: "new:0" is the contact edit 0 adds.
const NewRef = "new:"

// Edit is one change in a change set. Which fields count depends on Kind:
// New for add_contact; Contact and Version (the contact's version read)
// for edit_contact (with Patch), grant_role and revoke_role (with Role) and
// remove_contact; Slot, Version (the holders' version read) and Holders for
// assign_slot. Later edits of the same contact or slot in one change set
// name the same version read.
type Edit struct {
	Kind    string        `json:"kind"`
	Contact string        `json:"contact,omitempty"`
	Version int64         `json:"version,omitempty"`
	New     *NewContact   `json:"new,omitempty"`
	Patch   *ContactPatch `json:"patch,omitempty"`
	Role    string        `json:"role,omitempty"`
	Slot    string        `json:"slot,omitempty"`
	Holders []Holder      `json:"holders,omitempty"`
}

// NewChangeSet sends a batch of edits. In direct mode it is applied at
// once, atomically; in review mode it is kept as a draft, to be submitted
// to the vendor. Every edit is checked as if applied now: one that would
// fail refuses the whole change set, naming it (/edits/N/...).
type NewChangeSet struct {
	Edits []Edit `json:"edits"`
}

// ChangeSetComment is one message on a change set's review: a query, an
// answer, a reason, or a bare state change.
type ChangeSetComment struct {
	Author string    `json:"author"`
	Text   string    `json:"text,omitempty"`
	State  string    `json:"state"`
	Time   time.Time `json:"time"`
}

// ChangeSet is a batch of edits sent together, and its review.
type ChangeSet struct {
	Org       string             `json:"org"`
	ID        string             `json:"id"`
	State     string             `json:"state"`
	Requester string             `json:"requester"`
	Edits     []Edit             `json:"edits"`
	Comments  []ChangeSetComment `json:"comments,omitempty"`
	// Ticket is the reference the host's hook returned on submission,
	// such as a support-desk ticket number.
	Ticket string `json:"ticket,omitempty"`
	// CreatedContacts lists the contacts an applied change set added, in
	// the order of their add_contact edits.
	CreatedContacts []string  `json:"created_contacts,omitempty"`
	DecidedBy       string    `json:"decided_by,omitempty"`
	Version         int64     `json:"version"`
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
}

// ChangeSetPage is one page of change sets, in creation order.
type ChangeSetPage struct {
	Items []ChangeSet `json:"items"`
	Next  string      `json:"next,omitempty"`
}

// Comment is the body of a change set's review step: the query, the
// answer, or the reason for an approval or a rejection.
type Comment struct {
	Text string `json:"text,omitempty"`
}

// FieldDiff is one field of a contact that a change set would change,
// with its JSON name as in [Contact] and its current and requested
// values; a value is absent where the field is empty on that side.
type FieldDiff struct {
	Field     string          `json:"field"`
	Current   json.RawMessage `json:"current,omitempty"`
	Requested json.RawMessage `json:"requested,omitempty"`
}

// ContactChange is the current and requested state of one contact a
// change set touches. Current is absent for a contact it adds, Requested
// for one it removes.
type ContactChange struct {
	Contact   string      `json:"contact"`
	Current   *Contact    `json:"current,omitempty"`
	Requested *Contact    `json:"requested,omitempty"`
	Fields    []FieldDiff `json:"fields"`
}

// SlotChange is the current and requested holders of one slot a change
// set assigns.
type SlotChange struct {
	Slot      string   `json:"slot"`
	Current   []Holder `json:"current"`
	Requested []Holder `json:"requested"`
}

// ChangeSetView shows what an open change set would do if applied now:
// every contact and slot it touches, current and requested side by side.
// Problem, when present, says why it would not apply now (a stale version,
// a rule), and the lists are empty. A decided change set shows empty lists.
type ChangeSetView struct {
	ChangeSet ChangeSet       `json:"change_set"`
	Contacts  []ContactChange `json:"contacts"`
	Slots     []SlotChange    `json:"slots"`
	Problem   *ProblemField   `json:"problem,omitempty"`
}

// The invitation modes of [NewInvitation.Mode].
const (
	// InviteWorkspace also adds the person to a workspace of the host's.
	InviteWorkspace = "workspace"
	// InviteContacts adds the person as an invited contact and sends the
	// invitation.
	InviteContacts = "contacts"
	// InviteQuiet adds the person as an active contact and sends nothing.
	InviteQuiet = "quiet"
)

// NewInvitation invites one person. Role, when set, is granted on
// acceptance if it is still within the inviter's rank then; Workspace is
// required in workspace mode and refused otherwise. The answer does not
// say whether the address already belonged to a contact.
type NewInvitation struct {
	Mode      string     `json:"mode"`
	Contact   NewContact `json:"contact"`
	Role      string     `json:"role,omitempty"`
	Workspace string     `json:"workspace,omitempty"`
}

// NewGroupInvitation invites every member of a group who has not accepted
// yet, in mode "contacts" or "workspace".
type NewGroupInvitation struct {
	Mode      string `json:"mode"`
	Role      string `json:"role,omitempty"`
	Workspace string `json:"workspace,omitempty"`
}

// GroupInvited is the answer to a [NewGroupInvitation]: how many
// invitations were sent.
type GroupInvited struct {
	Sent int `json:"sent"`
}

// Invitation is an invitation sent to a contact: pending until accepted,
// revoked or expired.
type Invitation struct {
	Org       string    `json:"org"`
	ID        string    `json:"id"`
	Contact   string    `json:"contact"`
	Role      string    `json:"role,omitempty"`
	Mode      string    `json:"mode"`
	Workspace string    `json:"workspace,omitempty"`
	InvitedBy string    `json:"invited_by"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Accepted  time.Time `json:"accepted,omitzero"`
	Revoked   time.Time `json:"revoked,omitzero"`
	Version   int64     `json:"version"`
}

// InvitationPage is one page of invitations, in creation order.
type InvitationPage struct {
	Items []Invitation `json:"items"`
	Next  string       `json:"next,omitempty"`
}

// InviteLink is the answer to rotating an org's shareable sign-up link:
// the new link, whose secret is the only credential of a sign-up. The
// previous link stops working.
type InviteLink struct {
	Link string `json:"link"`
}

// SignUp uses an org's shareable link: Token is the link's secret. The
// person is added as an invited contact and sent an invitation, whose
// acceptance proves the address. The answer is the same whether or not
// the address already belonged to a contact.
type SignUp struct {
	Token   string     `json:"token"`
	Contact NewContact `json:"contact"`
}
