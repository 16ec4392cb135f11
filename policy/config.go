package policy

// Config is one org setup: roles, slots, purposes, review interval, change
// mode and languages. It is decoded from the JSON document described by
// schema/config.schema.json; validate it with [Config.Validate] (or
// schema.ValidateConfig, which also applies the JSON Schema) and compile it
// with [New] before use.
type Config struct {
	// Version identifies this revision of the config. It is recorded in
	// every consent record, so a grant can be traced to the text shown.
	Version string `json:"version"`
	// Roles is the ranked role hierarchy. Exactly one role has the highest
	// rank; it is the owner role.
	Roles []Role `json:"roles"`
	// SeparationOfDuties lists role pairs that should not be held by one
	// contact. Holding both is a completeness warning, not an error.
	SeparationOfDuties []RolePair `json:"separation_of_duties,omitempty"`
	// Slots are the named duties with ordered assignees.
	Slots []Slot `json:"slots"`
	// Purposes are the reasons to contact someone that the person may
	// refuse; a config may have none.
	Purposes []Purpose `json:"purposes,omitempty"`
	// ReviewInterval is how often an org must confirm its contacts are
	// current, as an ISO 8601 duration such as "P3M".
	ReviewInterval Duration `json:"review_interval"`
	// ChangeMode says whether change sets apply at once or go to review.
	ChangeMode ChangeMode `json:"change_mode"`
	// Languages are the languages contacts may prefer, and the default.
	Languages Languages `json:"languages"`
	// AllowedEmailDomains, when not empty, restricts contact addresses to
	// these domains (and their subdomains).
	AllowedEmailDomains []string `json:"allowed_email_domains,omitempty"`
	// MandatoryFields lists optional contact fields this org requires
	// ("phone", "title"); a contact without them is a completeness finding.
	MandatoryFields []Field `json:"mandatory_fields,omitempty"`
}

// A Role is one rung of the hierarchy.
type Role struct {
	// Key names the role in grants and configs, such as "admin".
	Key string `json:"key"`
	// Name is the label shown to people.
	Name string `json:"name,omitempty"`
	// Rank orders roles: a higher rank outranks a lower one. A contact's
	// rank is the highest rank among its roles.
	Rank int `json:"rank"`
	// Inherits names roles whose permissions this role also holds. The
	// inheritance graph must be acyclic and may only point to roles of a
	// lower or equal rank.
	Inherits []string `json:"inherits,omitempty"`
	// Permissions are the actions this role allows, besides inherited ones.
	Permissions []Action `json:"permissions,omitempty"`
}

// A RolePair is two roles that one contact should not hold together.
type RolePair struct {
	// Roles are the two role keys.
	Roles [2]string `json:"roles"`
	// Reason explains the conflict to the org's admins.
	Reason string `json:"reason,omitempty"`
}

// SlotKind tells points of contact from topic sections. Both are slots; the
// kind only groups them on screen.
type SlotKind string

// The slot kinds.
const (
	PointOfContact SlotKind = "point_of_contact"
	TopicSection   SlotKind = "topic_section"
)

// A Slot is a named duty with assignees in order; the first is the lead.
type Slot struct {
	// Key names the slot, such as "billing".
	Key string `json:"key"`
	// Name is the label shown to people.
	Name string `json:"name,omitempty"`
	// Kind groups the slot on screen.
	Kind SlotKind `json:"kind"`
	// Min is how many assignees the slot needs; below it the org is
	// incomplete, and removals that would go below it are refused.
	Min int `json:"min"`
	// Max caps the number of assignees; 0 means no cap.
	Max int `json:"max,omitempty"`
	// Groups says whether groups may hold the slot.
	Groups bool `json:"groups,omitempty"`
	// Purpose, when set, is the consent purpose the slot's recipients need.
	Purpose string `json:"purpose,omitempty"`
	// FallbackToPrimary sends to the primary slot's holders when this slot
	// has none (after inheritance from the parent org).
	FallbackToPrimary bool `json:"fallback_to_primary,omitempty"`
	// RequireVerified admits only holders whose address is verified.
	RequireVerified bool `json:"require_verified,omitempty"`
}

// LegalBasis is the GDPR Art. 6 basis a purpose relies on.
type LegalBasis string

// The legal bases a purpose may name.
const (
	LegitimateInterest LegalBasis = "legitimate_interest"
	Contract           LegalBasis = "contract"
	Consent            LegalBasis = "consent"
)

// A Purpose is a reason to contact someone that the person may refuse.
type Purpose struct {
	// Key names the purpose, such as "product_updates".
	Key string `json:"key"`
	// Name is the label shown to people.
	Name string `json:"name,omitempty"`
	// LegalBasis is the basis the purpose relies on. A purpose whose basis
	// is consent never defaults to granted.
	LegalBasis LegalBasis `json:"legal_basis"`
	// Default says whether the purpose is granted until withdrawn. Even
	// then it is in force only once the org has confirmed its contacts.
	Default bool `json:"default"`
	// Text is the statement shown when asking; its hash is recorded with
	// every grant.
	Text string `json:"text,omitempty"`
	// DoubleOptIn requires a confirmed double opt-in before a grant of a
	// consent-basis purpose is in force.
	DoubleOptIn bool `json:"double_opt_in,omitempty"`
}

// ChangeMode says how change sets are applied.
type ChangeMode string

// The change modes.
const (
	// Direct validates a change set and applies it atomically at once.
	Direct ChangeMode = "direct"
	// Review validates a change set and submits it to the vendor.
	Review ChangeMode = "review"
)

// Languages are the languages an org works in.
type Languages struct {
	// Default is used when a contact names no preferred language.
	Default string `json:"default"`
	// Supported lists the languages contacts may prefer; empty means any
	// valid BCP 47 tag.
	Supported []string `json:"supported,omitempty"`
}

// A Field is an optional contact field that a config may make mandatory.
type Field string

// The fields a config may make mandatory.
const (
	FieldPhone Field = "phone"
	FieldTitle Field = "title"
	FieldKind  Field = "kind"
)
