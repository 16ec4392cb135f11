package contacts

import (
	"context"
	"errors"
	"reflect"
	"strconv"

	"github.com/google/go-cmp/cmp"
)

// A FieldDiff is one field that a change set would change.
type FieldDiff struct {
	// Field is the field's JSON name, such as "email" or "roles".
	Field     string `json:"field"`
	Current   any    `json:"current"`
	Requested any    `json:"requested"`
}

// A ContactChange is the current and requested state of one contact a
// change set touches, and the fields that differ.
type ContactChange struct {
	Contact string `json:"contact"`
	// Current is nil for a contact the change set adds; Requested is nil
	// for one it removes.
	Current   *Contact    `json:"current"`
	Requested *Contact    `json:"requested"`
	Fields    []FieldDiff `json:"fields"`
}

// A SlotChange is the current and requested holders of one slot.
type SlotChange struct {
	Slot      string      `json:"slot"`
	Current   SlotHolders `json:"current"`
	Requested SlotHolders `json:"requested"`
}

// ChangeSetView shows what a pending change set would do if applied now:
// every touched contact and slot, side by side, with a field-level diff.
type ChangeSetView struct {
	ChangeSet ChangeSet       `json:"change_set"`
	Contacts  []ContactChange `json:"contacts"`
	Slots     []SlotChange    `json:"slots"`
	// Problem, when set, says why the change set would not apply now (a
	// stale version, a rule); the diff is then empty.
	Problem *FieldError `json:"problem,omitempty"`
}

// ChangeSetView returns a change set with the current and requested state
// of everything it touches, computed by applying it as its requester in a
// transaction that is rolled back. Readers of change sets may call it.
func (s *Service) ChangeSetView(ctx context.Context, actor Actor, org, id string) (ChangeSetView, error) {
	cs, err := s.ChangeSet(ctx, actor, org, id)
	if err != nil {
		return ChangeSetView{}, err
	}
	v := ChangeSetView{ChangeSet: cs, Contacts: []ContactChange{}, Slots: []SlotChange{}}
	if !cs.State.open() {
		return v, nil
	}
	// The current state, from a snapshot taken first.
	current := map[string]Contact{}
	currentSlots := map[string]SlotHolders{}
	err = s.store.View(ctx, func(tx ReadTx) error {
		for _, e := range cs.Edits {
			if e.Kind == EditAssignSlot {
				sh, err := tx.SlotHolders(org, e.Slot)
				if err != nil && !isNotFound(err) {
					return err
				}
				currentSlots[e.Slot] = sh
				continue
			}
			if c, err := tx.Contact(org, e.Contact); err == nil {
				current[c.ID] = c
			} else if !isNotFound(err) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ChangeSetView{}, &Error{Op: "ChangeSetView", Item: "change set " + id, Err: err}
	}
	err = s.dryRun(ctx, requesterOf(cs, actor.RequestID), org, cs.Edits, func(t *txn, a applied) error {
		for i, e := range cs.Edits {
			if e.Kind == EditAssignSlot {
				continue
			}
			cid := e.Contact
			if e.Kind == EditAddContact {
				cid = NewRef + strconv.Itoa(i) // the contact this edit adds
			}
			if ref, ok := a.refs[cid]; ok {
				cid = ref
			}
			if seen(v.Contacts, cid) {
				continue
			}
			ch := ContactChange{Contact: cid}
			if c, ok := current[cid]; ok {
				ch.Current = &c
			}
			if !a.removed[cid] {
				c, err := t.contact(cid)
				if err != nil {
					return err
				}
				ch.Requested = &c
			}
			ch.Fields = fieldDiffs(ch.Current, ch.Requested)
			v.Contacts = append(v.Contacts, ch)
		}
		for slot := range a.slots {
			req, err := t.slotHolders(slot)
			if err != nil {
				return err
			}
			v.Slots = append(v.Slots, SlotChange{Slot: slot, Current: currentSlots[slot], Requested: req})
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrForbidden) &&
		!errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
		// Not a reason the change set would not apply, but a failure of
		// the store: its text is no problem to show a requester.
		return ChangeSetView{}, &Error{Op: "ChangeSetView", Item: "change set " + id, Err: err}
	}
	if err != nil {
		v.Contacts, v.Slots = []ContactChange{}, []SlotChange{}
		v.Problem = &FieldError{Path: "/edits", Message: err.Error()}
		if ie, ok := errors.AsType[*InvalidError](err); ok && len(ie.Fields) > 0 {
			v.Problem = &ie.Fields[0]
		}
	}
	return v, nil
}

func seen(cs []ContactChange, id string) bool {
	for _, c := range cs {
		if c.Contact == id {
			return true
		}
	}
	return false
}

// fieldDiffs compares two states of a contact field by field with go-cmp,
// leaving out the bookkeeping fields every change touches.
func fieldDiffs(cur, req *Contact) []FieldDiff {
	out := []FieldDiff{}
	var cv, rv reflect.Value
	if cur != nil {
		cv = reflect.ValueOf(*cur)
	}
	if req != nil {
		rv = reflect.ValueOf(*req)
	}
	for _, f := range auditFields(reflect.TypeOf(Contact{})) {
		var a, b any
		if cv.IsValid() {
			a = cv.Field(f.index).Interface()
		}
		if rv.IsValid() {
			b = rv.Field(f.index).Interface()
		}
		if cmp.Equal(a, b) || (a == nil && reflect.ValueOf(b).IsZero()) || (b == nil && reflect.ValueOf(a).IsZero()) {
			continue
		}
		out = append(out, FieldDiff{Field: f.name, Current: a, Requested: b})
	}
	return out
}
