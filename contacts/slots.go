package contacts

import (
	"slices"
	"time"
)

// HolderKind says whether a slot holder is a contact or a group.
type HolderKind string

// The holder kinds.
const (
	HolderContact HolderKind = "contact"
	HolderGroup   HolderKind = "group"
)

// A Holder is one assignee of a slot.
type Holder struct {
	Kind HolderKind `json:"kind"`
	// ID is the contact's or the group's ID, in the slot's org.
	ID string `json:"id"`
	// Until, when set, ends the assignment: a deputy while someone is
	// away. The holder lapses by itself at that time.
	Until time.Time `json:"until,omitzero"`
}

// Active reports whether the holder still holds the slot at now.
func (h Holder) Active(now time.Time) bool { return h.Until.IsZero() || now.Before(h.Until) }

// SlotHolders is the ordered list of a slot's assignees in one org; the
// first is the lead.
type SlotHolders struct {
	Org     string    `json:"org"`
	Slot    string    `json:"slot"`
	Holders []Holder  `json:"holders"`
	Version int64     `json:"version"`
	Updated time.Time `json:"updated"`
}

// Clone returns a deep copy.
func (s SlotHolders) Clone() SlotHolders {
	s.Holders = slices.Clone(s.Holders)
	return s
}

// Active returns the holders whose assignment has not lapsed at now, in
// order.
func (s SlotHolders) Active(now time.Time) []Holder {
	out := make([]Holder, 0, len(s.Holders))
	for _, h := range s.Holders {
		if h.Active(now) {
			out = append(out, h)
		}
	}
	return out
}

// holds reports whether kind/id is among the holders (lapsed or not).
func (s SlotHolders) holds(kind HolderKind, id string) bool {
	return slices.ContainsFunc(s.Holders, func(h Holder) bool { return h.Kind == kind && h.ID == id })
}

// without returns the holders other than kind/id.
func (s SlotHolders) without(kind HolderKind, id string) []Holder {
	return slices.DeleteFunc(slices.Clone(s.Holders), func(h Holder) bool { return h.Kind == kind && h.ID == id })
}
