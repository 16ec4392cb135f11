package contacts

import (
	"slices"
	"time"
)

// ChangeState is where a change set is in its lifecycle:
// draft → submitted → (queried ⇄ answered) → applied, or rejected or
// cancelled. In direct mode a submitted change set is applied at once.
type ChangeState string

// The change set states.
const (
	Draft     ChangeState = "draft"
	Submitted ChangeState = "submitted"
	Queried   ChangeState = "queried"
	Answered  ChangeState = "answered"
	Applied   ChangeState = "applied"
	Rejected  ChangeState = "rejected"
	Cancelled ChangeState = "cancelled"
)

// open reports whether the change set can still move on.
func (s ChangeState) open() bool {
	return s == Draft || s == Submitted || s == Queried || s == Answered
}

// EditKind names one kind of edit in a change set.
type EditKind string

// The edit kinds.
const (
	EditAddContact    EditKind = "add_contact"
	EditFields        EditKind = "edit_contact"
	EditGrantRole     EditKind = "grant_role"
	EditRevokeRole    EditKind = "revoke_role"
	EditRemoveContact EditKind = "remove_contact"
	EditAssignSlot    EditKind = "assign_slot"
)

// NewRef refers, in a later edit's Contact field, to the contact an
// add_contact edit creates: "new:" followed by that edit's index.
const NewRef = "new:"

// An Edit is one change in a change set. Which fields count depends on
// Kind: New for add_contact; Contact and Version for edit_contact (with
// Patch), grant_role and revoke_role (with Role) and remove_contact; Slot,
// Version (the slot record's) and Holders for assign_slot. Version is the
// version the requester read; edits of one contact or slot later in the same
// change set name that same version.
type Edit struct {
	Kind    EditKind      `json:"kind"`
	Contact string        `json:"contact,omitempty"`
	Version int64         `json:"version,omitempty"`
	New     *NewContact   `json:"new,omitempty"`
	Patch   *ContactPatch `json:"patch,omitempty"`
	Role    string        `json:"role,omitempty"`
	Slot    string        `json:"slot,omitempty"`
	Holders []Holder      `json:"holders,omitempty"`
}

// A Comment is one message on a change set: a query, an answer, a reason.
type Comment struct {
	Author string      `json:"author"`
	Text   string      `json:"text"`
	State  ChangeState `json:"state"`
	Time   time.Time   `json:"time"`
}

// A ChangeSet is a batch of edits sent together, and its review.
type ChangeSet struct {
	Org   string      `json:"org"`
	ID    string      `json:"id"`
	State ChangeState `json:"state"`
	// Requester is the contact who built and sent the change set.
	Requester string `json:"requester"`
	Edits     []Edit `json:"edits"`
	// Comments record every state change's message, in order.
	Comments []Comment `json:"comments,omitempty"`
	// Ticket is the reference the host's hook returned on submission,
	// such as a support-desk ticket number.
	Ticket string `json:"ticket,omitempty"`
	// Created lists the contacts an applied change set added.
	CreatedContacts []string  `json:"created_contacts,omitempty"`
	DecidedBy       string    `json:"decided_by,omitempty"`
	Version         int64     `json:"version"`
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
}

// Clone returns a deep copy.
func (cs ChangeSet) Clone() ChangeSet {
	cs.Edits = slices.Clone(cs.Edits)
	for i, e := range cs.Edits {
		if e.New != nil {
			n := *e.New
			cs.Edits[i].New = &n
		}
		if e.Patch != nil {
			p := e.Patch.clone()
			cs.Edits[i].Patch = &p
		}
		cs.Edits[i].Holders = slices.Clone(e.Holders)
	}
	cs.Comments = slices.Clone(cs.Comments)
	cs.CreatedContacts = slices.Clone(cs.CreatedContacts)
	return cs
}

// clone copies the patch and the values its pointers point to.
func (p ContactPatch) clone() ContactPatch {
	cp := func(s *string) *string {
		if s == nil {
			return nil
		}
		v := *s
		return &v
	}
	p.Name, p.Email, p.Language, p.Phone, p.Title = cp(p.Name), cp(p.Email), cp(p.Language), cp(p.Phone), cp(p.Title)
	if p.Kind != nil {
		k := *p.Kind
		p.Kind = &k
	}
	if p.Availability != nil {
		a := *p.Availability
		p.Availability = &a
	}
	return p
}
