package contacts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

// slotHolders reads a slot's record in the transaction's org; a slot never
// assigned has an empty record at version 0.
func (t *txn) slotHolders(slot string) (SlotHolders, error) {
	sh, err := t.tx.SlotHolders(t.org.ID, slot)
	if errors.Is(err, ErrNotFound) {
		return SlotHolders{Org: t.org.ID, Slot: slot}, nil
	}
	return sh, err
}

// SlotHolders returns the holders of slot in org, lapsed ones included;
// [SlotHolders.Active] filters them.
func (s *Service) SlotHolders(ctx context.Context, actor Actor, org, slot string) (SlotHolders, error) {
	var out SlotHolders
	err := s.view(ctx, "SlotHolders", "slot "+slot, actor, org, func(t *txn) error {
		if _, ok := s.policy.Slot(slot); !ok {
			return errInvalid("/slot", "unknown slot %q", slot)
		}
		if err := t.canView(""); err != nil {
			return err
		}
		sh, err := t.slotHolders(slot)
		out = sh
		return err
	})
	return out, err
}

// AssignSlot replaces the ordered holders of slot in org (the first is the
// lead), naming the version of the slot record the caller read (0 before
// the first assignment). The actor needs slots.manage and must outrank every
// contact it adds or removes. Holders must be active contacts or groups of
// the org (groups only where the slot allows them), each once, at most the
// slot's max, with end dates in the future. A change that would leave fewer
// active holders than the slot's min, and fewer than before, is refused
// (RELIABILITY C5). Contacts that lose the slot are told so.
func (s *Service) AssignSlot(ctx context.Context, actor Actor, org, slot string, version int64, holders []Holder) (SlotHolders, error) {
	var (
		out     SlotHolders
		removed []Contact
	)
	err := s.update(ctx, "AssignSlot", "slot "+slot, actor, org, func(t *txn) (err error) {
		out, removed, err = t.assignSlot(slot, version, holders)
		return err
	})
	if err == nil {
		s.notifySlotRemoved(ctx, org, slot, removed)
	}
	return out, err
}

// assignSlot replaces slot's holders, as the actor, and returns the record
// and the contacts that lost the slot.
func (t *txn) assignSlot(slot string, version int64, holders []Holder) (SlotHolders, []Contact, error) {
	var removed []Contact
	cfg, ok := t.s.policy.Slot(slot)
	if !ok {
		return SlotHolders{}, nil, errInvalid("/slot", "unknown slot %q", slot)
	}
	if err := t.authorize(policy.ManageSlots, policy.Target{Org: t.org.ID}); err != nil {
		return SlotHolders{}, nil, err
	}
	before, err := t.slotHolders(slot)
	if err != nil {
		return SlotHolders{}, nil, err
	}
	if err := checkVersion("slot", version, before.Version); err != nil {
		return SlotHolders{}, nil, err
	}
	if err := t.checkHolders(cfg, holders); err != nil {
		return SlotHolders{}, nil, err
	}
	// Everyone added or removed must be someone the actor may change.
	for _, h := range append(slices.Clone(holders), before.Holders...) {
		if h.Kind != HolderContact || before.holds(h.Kind, h.ID) && slices.ContainsFunc(holders, func(x Holder) bool { return x.Kind == h.Kind && x.ID == h.ID }) {
			continue
		}
		c, err := t.contact(h.ID)
		if errors.Is(err, ErrNotFound) {
			continue // a holder deleted meanwhile: dropping it needs no rank
		}
		if err != nil {
			return SlotHolders{}, nil, err
		}
		if err := t.authorize(policy.ManageSlots, t.target(c)); err != nil {
			return SlotHolders{}, nil, err
		}
		if !slices.ContainsFunc(holders, func(x Holder) bool { return x.Kind == HolderContact && x.ID == c.ID }) {
			removed = append(removed, c)
		}
	}
	next := SlotHolders{Org: t.org.ID, Slot: slot, Holders: slices.Clone(holders), Version: before.Version + 1, Updated: t.now}
	if err := checkMin(cfg, before, next, t.now); err != nil {
		return SlotHolders{}, nil, err
	}
	if err := t.w.PutSlotHolders(next, before.Version); err != nil {
		return SlotHolders{}, nil, err
	}
	return next, removed, t.audit("slot.assign", "slot/"+slot, before, next)
}

// checkHolders validates a new holder list against the slot's rules and
// the org's contents.
func (t *txn) checkHolders(cfg policy.Slot, holders []Holder) error {
	var v invalid
	if cfg.Max > 0 && len(holders) > cfg.Max {
		v.add("/holders", "slot %s takes at most %d holders, not %d", cfg.Key, cfg.Max, len(holders))
	}
	seen := map[Holder]bool{}
	for i, h := range holders {
		path := fmt.Sprintf("/holders/%d", i)
		key := Holder{Kind: h.Kind, ID: h.ID}
		if seen[key] {
			v.add(path, "holds the slot twice")
		}
		seen[key] = true
		if !h.Until.IsZero() && !h.Until.After(t.now) {
			v.add(path+"/until", "must be in the future")
		}
		switch h.Kind {
		case HolderContact:
			c, err := t.contact(h.ID)
			switch {
			case errors.Is(err, ErrNotFound):
				v.add(path+"/id", "no contact %q in the org", h.ID)
			case err != nil:
				return err
			case c.Status != Active:
				v.add(path+"/id", "contact %q has not accepted its invitation yet", h.ID)
			}
		case HolderGroup:
			if !cfg.Groups {
				v.add(path+"/kind", "slot %s is held by people only, not groups", cfg.Key)
				continue
			}
			if _, err := t.tx.Group(t.org.ID, h.ID); errors.Is(err, ErrNotFound) {
				v.add(path+"/id", "no group %q in the org", h.ID)
			} else if err != nil {
				return err
			}
		default:
			v.add(path+"/kind", "must be %q or %q", HolderContact, HolderGroup)
		}
	}
	return v.err()
}

// checkMin refuses a change that leaves a slot below its minimum and worse
// off than before: filling a slot one holder at a time stays possible.
func checkMin(cfg policy.Slot, before, after SlotHolders, now time.Time) error {
	was, is := len(before.Active(now)), len(after.Active(now))
	if is < cfg.Min && is < was {
		return &ForbiddenError{Action: "slots.manage", Rule: RuleSlotMinimum}
	}
	return nil
}

// RuleSlotMinimum denies a change that would leave a slot with fewer
// holders than its configured minimum.
const RuleSlotMinimum policy.Rule = "slot-minimum"

// dropHolder removes kind/id from every slot of the org, refusing when that
// leaves a slot below its minimum. Deleting a contact or group calls it.
func (t *txn) dropHolder(kind HolderKind, id string) error {
	all, err := t.tx.OrgSlots(t.org.ID)
	if err != nil {
		return err
	}
	for _, sh := range all {
		if !sh.holds(kind, id) {
			continue
		}
		next := sh.Clone()
		next.Holders = sh.without(kind, id)
		next.Version, next.Updated = sh.Version+1, t.now
		if cfg, ok := t.s.policy.Slot(sh.Slot); ok {
			if err := checkMin(cfg, sh, next, t.now); err != nil {
				return err
			}
		}
		if err := t.w.PutSlotHolders(next, sh.Version); err != nil {
			return err
		}
		if err := t.audit("slot.assign", "slot/"+sh.Slot, sh, next); err != nil {
			return err
		}
	}
	return nil
}

// notifySlotRemoved tells contacts that they no longer hold a slot. It runs
// after the commit; a failure to notify is logged, not returned, because the
// change itself stands.
func (s *Service) notifySlotRemoved(ctx context.Context, org, slot string, removed []Contact) {
	if len(removed) == 0 || s.notifier == nil {
		return
	}
	cfg, _ := s.policy.Slot(slot)
	m := Message{Kind: SlotRemoved, Org: org, Data: map[string]string{"slot": slot, "slot_name": or(cfg.Name, slot)}}
	for _, c := range removed {
		m.To = append(m.To, c.address())
	}
	s.notify(ctx, m)
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
