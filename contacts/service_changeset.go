package contacts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/policy"
)

// MaxEdits bounds one change set.
const MaxEdits = 500

// errDryRun rolls back a transaction that only computed what a change set
// would do.
var errDryRun = errors.New("dry run")

// RuleNotRequester denies acting on someone else's change set.
const RuleNotRequester policy.Rule = "not-requester"

// RuleChangeState denies a step the change set's state does not allow.
const RuleChangeState policy.Rule = "change-state"

// WithChangeSetHook makes the Service hand every submitted change set (in
// review mode) to hook, after the submission committed — a vendor opens a
// ticket in its own support desk there — and record the reference it
// returns as the change set's Ticket, shown to the requester.
func WithChangeSetHook(hook func(ctx context.Context, cs ChangeSet) (ticket string, err error)) Option {
	return func(s *Service) { s.changeHook = hook }
}

// applied is what applying a change set did.
type applied struct {
	created []string          // IDs of contacts added, by edit order
	touched map[string]bool   // contact IDs changed
	removed map[string]bool   // contact IDs removed
	slots   map[string]bool   // slots changed
	refs    map[string]string // "new:N" -> contact ID
}

// applyEdits runs the edits in order, as the transaction's subject, each
// with the checks of the single operation it stands for. The first failure
// stops it; its error names the edit as /edits/N.
func (t *txn) applyEdits(edits []Edit) (applied, error) {
	a := applied{touched: map[string]bool{}, removed: map[string]bool{}, slots: map[string]bool{}, refs: map[string]string{}}
	// read maps the version a requester read to the version now current,
	// for contacts and slots edited more than once in the batch.
	type bump struct{ read, now int64 }
	contactVer := map[string]bump{}
	slotVer := map[string]bump{}
	version := func(m map[string]bump, key string, read int64) int64 {
		if b, ok := m[key]; ok && b.read == read {
			return b.now
		}
		return read
	}
	resolve := func(ref string) string {
		if id, ok := a.refs[ref]; ok {
			return id
		}
		return ref
	}
	if len(edits) > MaxEdits {
		return a, errInvalid("/edits", "at most %d edits in one change set, not %d", MaxEdits, len(edits))
	}
	for i, e := range edits {
		path := "/edits/" + strconv.Itoa(i)
		id := resolve(e.Contact)
		if strings.HasPrefix(id, NewRef) {
			return a, errInvalid(path+"/contact", "%q refers to no earlier add_contact edit", e.Contact)
		}
		var (
			c   Contact
			err error
		)
		switch e.Kind {
		case EditAddContact:
			if e.New == nil {
				return a, errInvalid(path+"/new", "is required for add_contact")
			}
			c, err = t.createContact(*e.New)
			if err == nil {
				a.refs[NewRef+strconv.Itoa(i)] = c.ID
				a.created = append(a.created, c.ID)
				contactVer[c.ID] = bump{read: 1, now: 1}
			}
		case EditFields:
			if e.Patch == nil {
				return a, errInvalid(path+"/patch", "is required for edit_contact")
			}
			_, c, err = t.updateContact(id, version(contactVer, id, e.Version), *e.Patch)
		case EditGrantRole, EditRevokeRole:
			act := policy.GrantRole
			if e.Kind == EditRevokeRole {
				act = policy.RevokeRole
			}
			c, err = t.changeRole(act, id, version(contactVer, id, e.Version), e.Role)
		case EditRemoveContact:
			err = t.deleteContact(id, version(contactVer, id, e.Version))
			if err == nil {
				a.removed[id] = true
			}
		case EditAssignSlot:
			var sh SlotHolders
			sh, _, err = t.assignSlot(e.Slot, version(slotVer, e.Slot, e.Version), e.Holders)
			if err == nil {
				a.slots[e.Slot] = true
				read := e.Version
				if b, ok := slotVer[e.Slot]; ok {
					read = b.read
				}
				slotVer[e.Slot] = bump{read: read, now: sh.Version}
			}
		default:
			return a, errInvalid(path+"/kind", "unknown edit kind %q", e.Kind)
		}
		if err != nil {
			return a, editError(path, err)
		}
		if c.ID != "" {
			a.touched[c.ID] = true
			read := e.Version
			if b, ok := contactVer[c.ID]; ok {
				read = b.read
			}
			contactVer[c.ID] = bump{read: read, now: c.Version}
		}
	}
	return a, nil
}

// editError puts the edit's path before an invalid input's field paths,
// and names the edit in other errors.
func editError(path string, err error) error {
	if ie, ok := errors.AsType[*InvalidError](err); ok {
		return prefixFields(ie, path)
	}
	if fe, ok := errors.AsType[*ForbiddenError](err); ok {
		return &ForbiddenError{Action: fe.Action + " (" + strings.TrimPrefix(path, "/") + ")", Rule: fe.Rule}
	}
	return fmt.Errorf("%s: %w", path, err)
}

// dryRun applies edits as actor in a transaction that is then rolled
// back, calling inspect before the rollback to read what they would do.
func (s *Service) dryRun(ctx context.Context, actor Actor, org string, edits []Edit, inspect func(t *txn, a applied) error) error {
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := s.begin(tx, tx, actor, org)
		if err != nil {
			return err
		}
		a, err := t.applyEdits(edits)
		if err != nil {
			return err
		}
		if inspect != nil {
			if err := inspect(t, a); err != nil {
				return err
			}
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// requesterOf returns the actor a change set acts as: its requester.
func requesterOf(cs ChangeSet, requestID string) Actor {
	return Actor{Org: cs.Org, Contact: cs.Requester, RequestID: requestID}
}

// CreateChangeSet stores a draft change set of edits by the actor, who
// needs changes.submit. The edits are checked as if applied now; an edit
// that would fail refuses the draft, naming it (/edits/N/...).
func (s *Service) CreateChangeSet(ctx context.Context, actor Actor, org string, edits []Edit) (ChangeSet, error) {
	const op = "CreateChangeSet"
	if actor.IsVendor() {
		return ChangeSet{}, &Error{Op: op, Item: "change set", Err: errInvalid("/actor", "change sets are made by the org's members")}
	}
	if err := s.dryRun(ctx, actor, org, edits, nil); err != nil {
		if fe, ok := errors.AsType[*ForbiddenError](err); ok {
			s.recordDenial(ctx, op, "change set", actor, org, fe)
		}
		return ChangeSet{}, &Error{Op: op, Item: "change set", Err: err}
	}
	var out ChangeSet
	err := s.update(ctx, op, "change set", actor, org, func(t *txn) error {
		if err := t.authorize(policy.SubmitChanges, policy.Target{Org: org}); err != nil {
			return err
		}
		cs := ChangeSet{Org: org, ID: newID(t.now), State: Draft, Requester: actor.Contact, Version: 1, Created: t.now, Updated: t.now}
		cs.Edits = ChangeSet{Edits: edits}.Clone().Edits
		if err := t.w.InsertChangeSet(cs); err != nil {
			return err
		}
		out = cs
		return t.audit("changeset.create", "changeset/"+cs.ID, nil, map[string]any{"edits": len(edits)})
	})
	return out, err
}

// changeSet reads a change set of the transaction's org and checks the
// version the caller read.
func (t *txn) changeSet(id string, version int64) (ChangeSet, error) {
	cs, err := t.tx.ChangeSet(t.org.ID, id)
	if err != nil {
		return ChangeSet{}, err
	}
	return cs, checkVersion("change set", version, cs.Version)
}

// step moves cs to state with an optional comment and stores it.
func (t *txn) step(cs ChangeSet, state ChangeState, comment string) (ChangeSet, error) {
	next := cs.Clone()
	next.State, next.Version, next.Updated = state, cs.Version+1, t.now
	if comment = strings.TrimSpace(comment); comment != "" || state != cs.State {
		next.Comments = append(next.Comments, Comment{Author: t.actor.String(), Text: comment, State: state, Time: t.now})
	}
	if err := t.w.UpdateChangeSet(next, cs.Version); err != nil {
		return ChangeSet{}, err
	}
	return next, t.audit("changeset."+string(state), "changeset/"+cs.ID,
		map[string]any{"state": cs.State}, map[string]any{"state": state})
}

func checkComment(comment string, required bool) error {
	var v invalid
	checkText(&v, "/comment", comment, required, 2000)
	return v.err()
}

// SubmitChangeSet sends a draft, naming the version read. Only its
// requester may. In direct mode it is applied at once, atomically, every
// edit re-checked. In review mode it is checked as if applied now (a change
// set that could not apply is refused, naming the edit), marked submitted,
// handed to the change set hook, and waits for the vendor.
func (s *Service) SubmitChangeSet(ctx context.Context, actor Actor, org, id string, version int64) (ChangeSet, error) {
	const op = "SubmitChangeSet"
	item := "change set " + id
	review := s.cfg.ChangeMode == policy.Review
	if review {
		var edits []Edit
		err := s.view(ctx, op, item, actor, org, func(t *txn) error {
			cs, err := t.tx.ChangeSet(org, id)
			edits = cs.Edits
			return err
		})
		if err != nil {
			return ChangeSet{}, err
		}
		if err := s.dryRun(ctx, actor, org, edits, nil); err != nil {
			if fe, ok := errors.AsType[*ForbiddenError](err); ok {
				s.recordDenial(ctx, op, item, actor, org, fe)
			}
			return ChangeSet{}, &Error{Op: op, Item: item, Err: err}
		}
	}
	var (
		out     ChangeSet
		created []string
	)
	err := s.update(ctx, op, item, actor, org, func(t *txn) error {
		if err := t.authorize(policy.SubmitChanges, policy.Target{Org: org}); err != nil {
			return err
		}
		cs, err := t.changeSet(id, version)
		if err != nil {
			return err
		}
		if cs.Requester != actor.Contact {
			return &ForbiddenError{Action: "changes.submit", Rule: RuleNotRequester}
		}
		if cs.State != Draft {
			return &ForbiddenError{Action: "changes.submit", Rule: RuleChangeState}
		}
		if review {
			out, err = t.step(cs, Submitted, "")
			return err
		}
		a, err := t.applyEdits(cs.Edits)
		if err != nil {
			return err
		}
		cs.CreatedContacts, created = a.created, a.created
		out, err = t.step(cs, Applied, "")
		return err
	})
	if err != nil {
		return ChangeSet{}, err
	}
	if review {
		out = s.fileTicket(ctx, out)
	} else {
		s.inviteCreated(ctx, actor, org, created)
	}
	s.notifyChange(ctx, out)
	return out, nil
}

// fileTicket hands a submitted change set to the host's hook and records
// the ticket it returns. A failing hook is logged; the submission stands.
func (s *Service) fileTicket(ctx context.Context, cs ChangeSet) ChangeSet {
	if s.changeHook == nil {
		return cs
	}
	ticket, err := s.changeHook(ctx, cs.Clone())
	if err != nil || ticket == "" {
		if err != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "liaison: the change set hook failed",
				slog.String("org", cs.Org), slog.String("change_set", cs.ID), slog.Any("error", err))
		}
		return cs
	}
	var out ChangeSet
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.ChangeSet(cs.Org, cs.ID)
		if err != nil {
			return err
		}
		next := cur.Clone()
		next.Ticket, next.Version, next.Updated = ticket, cur.Version+1, s.clock()
		out = next
		return tx.UpdateChangeSet(next, cur.Version)
	})
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "liaison: recording a change set's ticket failed",
			slog.String("org", cs.Org), slog.String("change_set", cs.ID), slog.Any("error", err))
		return cs
	}
	return out
}

// decide runs one review step on a change set: the vendor's (query,
// approve, reject) or the requester's (answer, cancel).
func (s *Service) decide(ctx context.Context, op string, actor Actor, org, id string, version int64, vendor bool,
	from []ChangeState, fn func(t *txn, cs ChangeSet) (ChangeSet, error)) (ChangeSet, error) {
	var out ChangeSet
	err := s.update(ctx, op, "change set "+id, actor, org, func(t *txn) error {
		cs, err := t.changeSet(id, version)
		if err != nil {
			return err
		}
		switch {
		case vendor && !actor.IsVendor():
			return &ForbiddenError{Action: "changes.review", Rule: RuleVendorOnly}
		case !vendor && !actor.IsVendor() && cs.Requester != actor.Contact:
			return &ForbiddenError{Action: "changes.submit", Rule: RuleNotRequester}
		case !containsState(from, cs.State):
			return &ForbiddenError{Action: op, Rule: RuleChangeState}
		}
		out, err = fn(t, cs)
		return err
	})
	if err != nil {
		return ChangeSet{}, err
	}
	s.notifyChange(ctx, out)
	return out, nil
}

func containsState(states []ChangeState, s ChangeState) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}

// QueryChangeSet asks the requester a question about a submitted change
// set. Only the vendor queries.
func (s *Service) QueryChangeSet(ctx context.Context, actor Actor, org, id string, version int64, comment string) (ChangeSet, error) {
	return s.decide(ctx, "QueryChangeSet", actor, org, id, version, true, []ChangeState{Submitted, Answered, Queried},
		func(t *txn, cs ChangeSet) (ChangeSet, error) {
			if err := checkComment(comment, true); err != nil {
				return ChangeSet{}, err
			}
			return t.step(cs, Queried, comment)
		})
}

// AnswerChangeSet answers the vendor's query. Only the requester answers.
func (s *Service) AnswerChangeSet(ctx context.Context, actor Actor, org, id string, version int64, comment string) (ChangeSet, error) {
	return s.decide(ctx, "AnswerChangeSet", actor, org, id, version, false, []ChangeState{Queried},
		func(t *txn, cs ChangeSet) (ChangeSet, error) {
			if err := checkComment(comment, true); err != nil {
				return ChangeSet{}, err
			}
			return t.step(cs, Answered, comment)
		})
}

// RejectChangeSet refuses a submitted change set. Only the vendor rejects.
func (s *Service) RejectChangeSet(ctx context.Context, actor Actor, org, id string, version int64, comment string) (ChangeSet, error) {
	return s.decide(ctx, "RejectChangeSet", actor, org, id, version, true, []ChangeState{Submitted, Queried, Answered},
		func(t *txn, cs ChangeSet) (ChangeSet, error) {
			if err := checkComment(comment, false); err != nil {
				return ChangeSet{}, err
			}
			cs.DecidedBy = t.actor.String()
			return t.step(cs, Rejected, comment)
		})
}

// CancelChangeSet withdraws a change set that is not yet decided. Its
// requester may (and the vendor).
func (s *Service) CancelChangeSet(ctx context.Context, actor Actor, org, id string, version int64) (ChangeSet, error) {
	return s.decide(ctx, "CancelChangeSet", actor, org, id, version, false, []ChangeState{Draft, Submitted, Queried, Answered},
		func(t *txn, cs ChangeSet) (ChangeSet, error) { return t.step(cs, Cancelled, "") })
}

// ApproveChangeSet applies a submitted change set, atomically: every edit or
// none. Only the vendor approves. The edits are re-validated and
// re-authorised against the state at this moment, as the requester with the
// roles the requester holds now (RELIABILITY A5): a requester demoted since
// submitting gets the approval refused with the rule that refused it, and
// the change set stays as it was.
func (s *Service) ApproveChangeSet(ctx context.Context, actor Actor, org, id string, version int64, comment string) (ChangeSet, error) {
	const op = "ApproveChangeSet"
	var (
		out       ChangeSet
		requester Actor
	)
	err := s.update(ctx, op, "change set "+id, actor, org, func(t *txn) error {
		if !actor.IsVendor() {
			return &ForbiddenError{Action: "changes.review", Rule: RuleVendorOnly}
		}
		cs, err := t.changeSet(id, version)
		if err != nil {
			return err
		}
		if !containsState([]ChangeState{Submitted, Queried, Answered}, cs.State) {
			return &ForbiddenError{Action: "changes.review", Rule: RuleChangeState}
		}
		if err := checkComment(comment, false); err != nil {
			return err
		}
		// Act as the requester, as the requester stands now.
		requester = requesterOf(cs, actor.RequestID)
		rt, err := s.begin(t.tx, t.w, requester, org)
		if err != nil {
			return err
		}
		if err := rt.authorize(policy.SubmitChanges, policy.Target{Org: org}); err != nil {
			return err
		}
		a, err := rt.applyEdits(cs.Edits)
		t.events = append(t.events, rt.events...)
		if err != nil {
			return err
		}
		cs.CreatedContacts, cs.DecidedBy = a.created, actor.String()
		out, err = t.step(cs, Applied, comment)
		return err
	})
	if err != nil {
		if fe, ok := errors.AsType[*ForbiddenError](err); ok && requester.Contact != "" {
			// Record under the requester too, so the trail says whose
			// rights fell short.
			s.recordDenial(ctx, op, "change set "+id, requester, org, fe)
		}
		return ChangeSet{}, err
	}
	s.inviteCreated(ctx, requester, org, out.CreatedContacts)
	s.notifyChange(ctx, out)
	return out, nil
}

// ChangeSet returns a change set of org. Members with changes.submit, and
// the vendor, may read change sets.
func (s *Service) ChangeSet(ctx context.Context, actor Actor, org, id string) (ChangeSet, error) {
	var out ChangeSet
	err := s.view(ctx, "ChangeSet", "change set "+id, actor, org, func(t *txn) error {
		if err := t.authorize(policy.SubmitChanges, policy.Target{Org: org}); err != nil {
			return err
		}
		cs, err := t.tx.ChangeSet(org, id)
		out = cs
		return err
	})
	return out, err
}

// ChangeSets lists org's change sets in ID (creation) order.
func (s *Service) ChangeSets(ctx context.Context, actor Actor, org string, page Page) (list []ChangeSet, next string, err error) {
	if page, err = checkPage(page); err != nil {
		return nil, "", &Error{Op: "ChangeSets", Item: "org " + org, Err: err}
	}
	err = s.view(ctx, "ChangeSets", "org "+org, actor, org, func(t *txn) error {
		if err := t.authorize(policy.SubmitChanges, policy.Target{Org: org}); err != nil {
			return err
		}
		items, err := t.tx.ChangeSets(org, page.probe())
		list, next = cutPage(items, page.Limit, func(cs ChangeSet) string { return cs.ID })
		return err
	})
	return list, next, err
}

// notifyChange tells the requester and the org's admins that a change set
// moved on.
func (s *Service) notifyChange(ctx context.Context, cs ChangeSet) {
	if s.notifier == nil {
		return
	}
	state := map[ChangeState]string{Submitted: "pending", Queried: "commented", Answered: "commented",
		Applied: "applied", Rejected: "rejected", Cancelled: "cancelled"}[cs.State]
	if state == "" {
		return
	}
	var to []Address
	_ = s.store.View(ctx, func(tx ReadTx) error {
		admins, err := s.admins(tx, cs.Org)
		to = admins
		if c, err := tx.Contact(cs.Org, cs.Requester); err == nil && !slicesContainsAddr(to, c.Email) {
			to = append(to, c.address())
		}
		return err
	})
	s.notify(ctx, Message{Kind: ChangeSetUpdate, Org: cs.Org, To: to, Data: map[string]string{"state": state, "change_set": cs.ID}})
}

func slicesContainsAddr(as []Address, email string) bool {
	for _, a := range as {
		if a.Email == email {
			return true
		}
	}
	return false
}
