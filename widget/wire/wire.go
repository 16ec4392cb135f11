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
// effect, "verified" (an address) or "granted" (a double opt-in).
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
