package storagetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"golang.org/x/text/unicode/norm"
	"pgregory.net/rapid"
)

// The model of the state machine test: per org, the contacts with their
// roles and versions. It is the reference the real Service must match after
// every step (RELIABILITY A3, B1-B4, C4, F2).
type modelContact struct {
	id, emailKey string
	roles        map[string]bool
	version      int64
	consent      *bool           // product_updates: nil follows the default
	groups       map[string]bool // group IDs (RunDifferential only)
}

type modelGroup struct{ version int64 }

type modelOrg struct {
	contacts  map[string]*modelContact
	slots     map[string][]string // slot -> holder contact IDs, in order
	versions  map[string]int64    // slot -> record version
	groups    map[string]*modelGroup
	confirmed bool
}

// modelSlots are the slots the machine assigns, with their minimums.
var modelSlots = map[string]int{"billing": 1, "product_updates": 1, "integrations": 0}

// slotMax is the default config's cap per slot (0: none).
var slotMax = map[string]int{"billing": 3}

// holds lists the slots id holds in o.
func (o *modelOrg) holds(id string) []string {
	var out []string
	for slot, hs := range o.slots {
		if slices.Contains(hs, id) {
			out = append(out, slot)
		}
	}
	return out
}

var modelRanks = map[string]int{"normal": 10, "business": 20, "admin": 30, "owner": 40}

func (c *modelContact) rank() int {
	r := 0
	for role := range c.roles {
		r = max(r, modelRanks[role])
	}
	return r
}

func (c *modelContact) owner() bool { return c.roles["owner"] }

func (o *modelOrg) owners() int {
	n := 0
	for _, c := range o.contacts {
		if c.owner() {
			n++
		}
	}
	return n
}

// outcome is the class of result an operation has.
type outcome string

const (
	ok        outcome = "ok"
	notFound  outcome = "not found"
	forbidden outcome = "forbidden"
	conflict  outcome = "conflict"
	invalidIn outcome = "invalid"
	// unexpected is an error of none of the kinds, such as a store's own.
	unexpected outcome = "an unexpected error"
)

func classify(err error) outcome {
	switch {
	case err == nil:
		return ok
	case errors.Is(err, contacts.ErrNotFound):
		return notFound
	case errors.Is(err, contacts.ErrForbidden):
		return forbidden
	case errors.Is(err, contacts.ErrConflict):
		return conflict
	case errors.Is(err, contacts.ErrInvalid):
		return invalidIn
	}
	return unexpected // the error itself goes to the log: see fail
}

// A machine is one Service over one store, with the model of what the
// store should hold. [RunModel] drives one; [RunDifferential] drives two in
// lockstep with the same inputs.
type machine struct {
	name  string // for messages: empty when the machine runs alone
	svc   *contacts.Service
	store contacts.Store
	orgs  map[string]*modelOrg
	names []string // org IDs
	ctx   context.Context
	// labels names the IDs this machine's Service handed out by their place
	// in creation order ("c3", "g1"), which is the same on every machine of
	// a run: results are compared by label, not by ID.
	labels  map[string]string
	created int
	audit   map[string]any // audit event hash -> normalised view (RunDifferential)
}

var orgNames = []string{"acme", "globex"}

// emails has case variants of the same addresses, so uniqueness by
// normalised key is exercised.
var emails = []string{"ann@x.example", "ANN@x.example", "bo@x.example", "Bo@X.EXAMPLE", "cy@x.example", "di@x.example", "ed@x.example"}

// modelKey is the model's own idea of when two of the addresses it draws are
// the same contact: equal once composed (NFC) and lower-cased. That agrees
// with [contacts.EmailKey] on every address the machines draw (it would not
// on a final sigma or a dotless i, which they do not).
func modelKey(email string) string { return strings.ToLower(norm.NFC.String(email)) }

// modelRuns numbers the model's runs, so runs sharing one store use orgs
// of their own.
var modelRuns atomic.Int64

func newMachine(t *rapid.T, name string, store contacts.Store, run int64) *machine {
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range orgNames {
		names = append(names, fmt.Sprintf("%s-%d", n, run))
	}
	m := &machine{name: name, svc: contacts.New(store, pol), store: store, orgs: map[string]*modelOrg{}, names: names,
		ctx: context.Background(), labels: map[string]string{}, audit: map[string]any{}}
	for i, org := range names {
		m.labels[org] = orgNames[i] // the same in every run, for messages
		_, owner, err := m.svc.CreateOrg(m.ctx, contacts.Actor{Vendor: "model"}, contacts.NewOrg{ID: org, Name: org,
			Owner: contacts.NewContact{Name: "Owner", Email: "owner@x.example"}})
		if err != nil {
			t.Fatalf("%s%v", m.prefix(), err)
		}
		m.label(owner.ID, "c")
		mo := &modelOrg{slots: map[string][]string{}, versions: map[string]int64{}, groups: map[string]*modelGroup{}, contacts: map[string]*modelContact{
			owner.ID: {id: owner.ID, emailKey: "owner@x.example", roles: map[string]bool{"owner": true}, version: 1},
		}}
		m.orgs[org] = mo
		// Start with every rank present, two admins among them, so the
		// outranking rules meet peers from the first step.
		asOwner := contacts.Actor{Org: org, Contact: owner.ID}
		for i, role := range []string{"admin", "admin", "business", "normal"} {
			email := fmt.Sprintf("%s%d@y.example", role, i)
			c, err := m.svc.CreateContact(m.ctx, asOwner, org, contacts.NewContact{Name: role, Email: email})
			if err != nil {
				t.Fatalf("%s%v", m.prefix(), err)
			}
			m.label(c.ID, "c")
			if c, err = m.svc.GrantRole(m.ctx, asOwner, org, c.ID, c.Version, role); err != nil {
				t.Fatalf("%s%v", m.prefix(), err)
			}
			mo.contacts[c.ID] = &modelContact{id: c.ID, emailKey: email, roles: map[string]bool{role: true}, version: 2}
		}
	}
	return m
}

// prefix starts a message about this machine.
func (m *machine) prefix() string {
	if m.name == "" {
		return ""
	}
	return m.name + ": "
}

// label gives id, just handed out, the next label of kind.
func (m *machine) label(id, kind string) {
	m.created++
	m.labels[id] = fmt.Sprintf("%s%d", kind, m.created)
}

// lbl names id in messages: its label, or id itself when it has none.
func (m *machine) lbl(id string) string {
	if l, ok := m.labels[id]; ok {
		return l
	}
	return id
}

// as describes an actor and the org acted on, by label.
func (m *machine) as(actor contacts.Actor, org string) string {
	return fmt.Sprintf("as %s/%s in %s", actor.Org, m.lbl(actor.Contact), org)
}

// contactIDs lists the model's contacts of org in ID order, which is the
// order they were created in (IDs sort by creation), so a position in it
// names the same contact on every machine of a run.
func (m *machine) contactIDs(org string) []string {
	return slices.Sorted(maps.Keys(m.orgs[org].contacts))
}

// A runner drives its machines through the same actions: each action draws
// its inputs once, as positions (an org's index, a contact's place in
// creation order), and applies them to every machine, which resolves them
// to its own IDs.
type runner struct {
	ms     []*machine
	emails []string // the addresses createContact draws from
	last   string   // the last operation, for messages
}

// m0 is the machine whose model sizes the draws; the others' models have
// the same shape, or an earlier step would have failed.
func (r *runner) m0() *machine { return r.ms[0] }

// An actorRef is an actor drawn by position: the org's index, and the
// contact's place among its contacts (one past the end: a made-up ID).
type actorRef struct{ org, pos int }

// drawActor draws an actor: usually a contact of some org, sometimes a
// deleted or made-up one.
func (r *runner) drawActor(t *rapid.T) actorRef {
	m := r.m0()
	org := rapid.IntRange(0, len(m.names)-1).Draw(t, "actorOrg")
	pos := rapid.IntRange(0, len(m.orgs[m.names[org]].contacts)).Draw(t, "actor")
	return actorRef{org, pos}
}

func (m *machine) actor(a actorRef) (contacts.Actor, *modelContact, string) {
	org := m.names[a.org]
	id := "ghost"
	if ids := m.contactIDs(org); a.pos < len(ids) {
		id = ids[a.pos]
	}
	return contacts.Actor{Org: org, Contact: id}, m.orgs[org].contacts[id], org
}

// drawOrg draws the org acted on: usually the actor's, sometimes any.
func (r *runner) drawOrg(t *rapid.T, actorOrg int) int {
	if rapid.IntRange(0, 5).Draw(t, "crossOrg") == 0 {
		return rapid.IntRange(0, len(r.m0().names)-1).Draw(t, "targetOrg")
	}
	return actorOrg
}

// A targetRef is the org acted on and a contact drawn by position among
// every org's contacts, in org order then creation order (one past the
// end: a missing ID).
type targetRef struct{ org, pos int }

// drawTarget draws the org acted on (usually the actor's) and a contact in
// it (or a missing one, or one of the other org).
func (r *runner) drawTarget(t *rapid.T, actorOrg int) targetRef {
	org := r.drawOrg(t, actorOrg)
	m, n := r.m0(), 0
	for _, o := range m.names {
		n += len(m.orgs[o].contacts)
	}
	return targetRef{org, rapid.IntRange(0, n).Draw(t, "target")}
}

func (m *machine) target(ref targetRef) (string, string, *modelContact) {
	var ids []string
	for _, o := range m.names {
		ids = append(ids, m.contactIDs(o)...)
	}
	id := "missing"
	if ref.pos < len(ids) {
		id = ids[ref.pos]
	}
	org := m.names[ref.org]
	return org, id, m.orgs[org].contacts[id]
}

// drawStale draws whether to name a stale version.
func drawStale(t *rapid.T) bool { return rapid.IntRange(0, 4).Draw(t, "stale") == 0 }

// precheck applies the rules every operation shares: the org must be the
// actor's, and the actor must exist.
func precheck(actor contacts.Actor, me *modelContact, org string) (outcome, bool) {
	if actor.Org != org {
		return notFound, true
	}
	if me == nil {
		return forbidden, true
	}
	return "", false
}

// canChange is the outranking rule for changing contact target.
func canChange(me, target *modelContact, perm bool) bool {
	if me == target {
		return true
	}
	return perm && (me.owner() || me.rank() > target.rank())
}

func version(c *modelContact, stale bool) int64 {
	if c == nil {
		return 1
	}
	if stale {
		return c.version - 1
	}
	return c.version
}

// A result is what one machine's Service returned for one operation, in a
// form comparable across machines: the outcome class, the rule of a
// denial, the field paths of an invalid input, and the returned value with
// IDs replaced by labels and times by "<time>".
type result struct {
	Class  outcome
	Action string      `json:",omitempty"` // of a denial
	Rule   policy.Rule `json:",omitempty"` // of a denial
	Fields []string    `json:",omitempty"` // of an invalid input
	Value  any         `json:",omitempty"`
	err    error
}

// result describes err, or value when err is nil.
func (m *machine) result(err error, value any) result {
	r := result{Class: classify(err), err: err}
	if fe, ok := errors.AsType[*contacts.ForbiddenError](err); ok {
		r.Action, r.Rule = fe.Action, fe.Rule
	}
	if ie, ok := errors.AsType[*contacts.InvalidError](err); ok {
		for _, f := range ie.Fields {
			r.Fields = append(r.Fields, f.Path)
		}
	}
	if err == nil && value != nil {
		r.Value = m.normalize(value)
	}
	return r
}

// fail ends the run with a message after logging the details. rapid
// shrinks a failing run only to smaller runs failing with the very same
// message, so the message names nothing that differs between runs — org
// IDs carry the run's number, contact IDs are random, labels shift as steps
// are dropped — and the details, which rapid prints for the minimal run,
// carry all that.
func fail(t *rapid.T, details, format string, args ...any) {
	t.Helper()
	t.Logf("%s", details)
	t.Fatalf(format, args...)
}

// A step is one machine's part of an action: what the model expected, what
// the Service did, and a broken promise about the returned value, if any.
type step struct {
	want outcome
	got  result
	bad  string
	args string // the inputs, by label, for the log of a failing run
}

// applies reports whether the model takes the step: the Service succeeded
// where the model expected it to (any other combination fails the run).
func applies(want outcome, err error) bool { return want == ok && err == nil }

// run applies one drawn action to every machine, compares the machines'
// results with each other (when there are several), then each with its
// model.
func (r *runner) run(t *rapid.T, op string, fn func(m *machine) step) {
	r.last = op
	steps := make([]step, len(r.ms))
	for i, m := range r.ms {
		steps[i] = fn(m)
	}
	t.Logf("%s %s: %s", op, steps[0].args, steps[0].got.Class)
	if len(r.ms) > 1 {
		r.compareResults(t, op, steps)
	}
	for i, s := range steps {
		if s.got.Class != s.want {
			fail(t, fmt.Sprintf("%s%s %s: %v", r.ms[i].prefix(), op, s.args, s.got.err),
				"%s%s: got %s, model wants %s", r.ms[i].prefix(), op, s.got.Class, s.want)
		}
		if s.bad != "" {
			fail(t, fmt.Sprintf("%s%s %s: %s", r.ms[i].prefix(), op, s.args, s.bad),
				"%s%s: the value returned breaks the model", r.ms[i].prefix(), op)
		}
	}
}

func (r *runner) createContact(t *rapid.T) {
	a := r.drawActor(t)
	orgIdx := r.drawOrg(t, a.org)
	email := rapid.SampledFrom(r.emails).Draw(t, "email")
	key := modelKey(email)
	r.run(t, "CreateContact", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org := m.names[orgIdx]
		want, done := precheck(actor, me, org)
		if !done {
			taken := false
			for _, c := range m.orgs[org].contacts {
				taken = taken || c.emailKey == key
			}
			switch {
			case me.rank() < 30:
				want = forbidden
			case invalidEmails[email]:
				want = invalidIn
			case taken:
				want = conflict
			default:
				want = ok
			}
		}
		c, err := m.svc.CreateContact(m.ctx, actor, org, contacts.NewContact{Name: "N", Email: email})
		if applies(want, err) {
			m.orgs[org].contacts[c.ID] = &modelContact{id: c.ID, emailKey: key, roles: map[string]bool{}, version: 1}
			m.label(c.ID, "c")
		}
		return step{want: want, got: m.result(err, c), args: fmt.Sprintf("%s email %+q", m.as(actor, org), email)}
	})
}

func (r *runner) changeRole(t *rapid.T) {
	a := r.drawActor(t)
	ref := r.drawTarget(t, a.org)
	role := rapid.SampledFrom([]string{"normal", "business", "admin", "owner"}).Draw(t, "role")
	grant := rapid.Bool().Draw(t, "grant")
	stale := drawStale(t)
	r.run(t, fmt.Sprintf("grant=%v %s", grant, role), func(m *machine) step {
		actor, me, _ := m.actor(a)
		org, id, target := m.target(ref)
		version := version(target, stale)
		want, done := precheck(actor, me, org)
		if !done {
			self := me == target
			switch {
			case target == nil:
				want = notFound
			case self && grant && modelRanks[role] > me.rank():
				want = forbidden // self-raise
			case me.rank() < 30:
				want = forbidden // no permission
			case role == "owner" && !me.owner():
				want = forbidden
			case modelRanks[role] > me.rank():
				want = forbidden // grant ceiling
			case !canChange(me, target, true):
				want = forbidden // outrank
			case version != target.version:
				want = conflict
			case !grant && role == "owner" && target.owner() && m.orgs[org].owners() == 1:
				want = forbidden // last owner
			default:
				want = ok
			}
		}
		var err error
		var got contacts.Contact
		if grant {
			got, err = m.svc.GrantRole(m.ctx, actor, org, id, version, role)
		} else {
			got, err = m.svc.RevokeRole(m.ctx, actor, org, id, version, role)
		}
		s := step{want: want, got: m.result(err, got), args: fmt.Sprintf("%s contact %s version %d", m.as(actor, org), m.lbl(id), version)}
		if applies(want, err) {
			// B1: whatever was granted is at most the actor's rank (the
			// model's rank before the change, as the Service saw it).
			if grant && modelRanks[role] > me.rank() {
				s.bad = fmt.Sprintf("%s (rank %d) granted %s", actor.Contact, me.rank(), role)
			}
			if target.roles[role] != grant {
				target.roles[role] = grant
				if !grant {
					delete(target.roles, role)
				}
				target.version++
			}
			if got.Version != target.version && s.bad == "" {
				s.bad = fmt.Sprintf("version %d, model %d", got.Version, target.version)
			}
		}
		return s
	})
}

func (r *runner) updateContact(t *rapid.T) {
	a := r.drawActor(t)
	ref := r.drawTarget(t, a.org)
	stale := drawStale(t)
	title := rapid.StringMatching(`[a-z]{0,8}`).Draw(t, "title")
	r.run(t, "UpdateContact", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org, id, target := m.target(ref)
		version := version(target, stale)
		want, done := precheck(actor, me, org)
		if !done {
			switch {
			case target == nil:
				want = notFound
			case !canChange(me, target, me.rank() >= 30):
				want = forbidden
			case version != target.version:
				want = conflict
			default:
				want = ok
			}
		}
		c, err := m.svc.UpdateContact(m.ctx, actor, org, id, version, contacts.ContactPatch{Title: &title})
		if applies(want, err) {
			target.version++
		}
		return step{want: want, got: m.result(err, c), args: fmt.Sprintf("%s contact %s version %d title %q", m.as(actor, org), m.lbl(id), version, title)}
	})
}

func (r *runner) deleteContact(t *rapid.T) {
	a := r.drawActor(t)
	ref := r.drawTarget(t, a.org)
	stale := drawStale(t)
	r.run(t, "DeleteContact", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org, id, target := m.target(ref)
		version := version(target, stale)
		want, done := precheck(actor, me, org)
		if !done {
			switch {
			case target == nil:
				want = notFound
			case !canChange(me, target, me.rank() >= 30):
				want = forbidden
			case version != target.version:
				want = conflict
			case target.owner() && m.orgs[org].owners() == 1:
				want = forbidden
			case slices.ContainsFunc(m.orgs[org].holds(id), func(slot string) bool { return len(m.orgs[org].slots[slot])-1 < modelSlots[slot] }):
				want = forbidden // would leave a required slot below its minimum
			default:
				want = ok
			}
		}
		err := m.svc.DeleteContact(m.ctx, actor, org, id, version)
		if applies(want, err) {
			mo := m.orgs[org]
			for _, slot := range mo.holds(id) {
				mo.slots[slot] = slices.DeleteFunc(slices.Clone(mo.slots[slot]), func(h string) bool { return h == id })
				mo.versions[slot]++
			}
			delete(mo.contacts, id)
		}
		return step{want: want, got: m.result(err, nil), args: fmt.Sprintf("%s contact %s version %d", m.as(actor, org), m.lbl(id), version)}
	})
}

func (r *runner) assignSlot(t *rapid.T) {
	a := r.drawActor(t)
	orgIdx := r.drawOrg(t, a.org)
	slot := rapid.SampledFrom(slices.Sorted(maps.Keys(modelSlots))).Draw(t, "slot")
	size := len(r.m0().orgs[r.m0().names[orgIdx]].contacts)
	n := rapid.IntRange(0, 3).Draw(t, "holders")
	var positions []int
	for range n {
		positions = append(positions, rapid.IntRange(0, size-1).Draw(t, "holder"))
	}
	stale := drawStale(t)
	r.run(t, "AssignSlot "+slot, func(m *machine) step {
		actor, me, _ := m.actor(a)
		org := m.names[orgIdx]
		mo := m.orgs[org]
		ids := m.contactIDs(org)
		var next []string
		for _, p := range positions {
			if id := ids[p]; !slices.Contains(next, id) {
				next = append(next, id)
			}
		}
		version := mo.versions[slot]
		if stale {
			version++
		}
		want, done := precheck(actor, me, org)
		if !done {
			prev := mo.slots[slot]
			changed := func(id string) bool { return slices.Contains(prev, id) != slices.Contains(next, id) }
			outranked := false
			for _, id := range append(slices.Clone(next), prev...) {
				if changed(id) && !canChange(me, mo.contacts[id], true) {
					outranked = true
				}
			}
			switch {
			case me.rank() < 30:
				want = forbidden
			case version != mo.versions[slot]:
				want = conflict
			case slotMax[slot] > 0 && len(next) > slotMax[slot]:
				want = invalidIn
			case outranked:
				want = forbidden
			case len(next) < modelSlots[slot] && len(next) < len(prev):
				want = forbidden // slot minimum (C5)
			default:
				want = ok
			}
		}
		var hs []contacts.Holder
		for _, id := range next {
			hs = append(hs, contacts.Holder{Kind: contacts.HolderContact, ID: id})
		}
		sh, err := m.svc.AssignSlot(m.ctx, actor, org, slot, version, hs)
		if applies(want, err) {
			mo.slots[slot] = next
			mo.versions[slot]++
		}
		var holders []string
		for _, id := range next {
			holders = append(holders, m.lbl(id))
		}
		return step{want: want, got: m.result(err, sh), args: fmt.Sprintf("%s holders %v version %d", m.as(actor, org), holders, version)}
	})
}

func (r *runner) setConsent(t *rapid.T) {
	a := r.drawActor(t)
	ref := r.drawTarget(t, a.org)
	granted := rapid.Bool().Draw(t, "granted")
	r.run(t, "SetConsent", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org, id, target := m.target(ref)
		want, done := precheck(actor, me, org)
		if !done {
			switch {
			case target == nil:
				want = notFound
			case !canChange(me, target, me.rank() >= 30):
				want = forbidden
			default:
				want = ok
			}
		}
		c, err := m.svc.SetConsent(m.ctx, actor, org, id, "product_updates", granted, contacts.ChannelAPI)
		if applies(want, err) {
			target.consent = &granted
			target.version++
		}
		return step{want: want, got: m.result(err, c), args: fmt.Sprintf("%s contact %s granted %v", m.as(actor, org), m.lbl(id), granted)}
	})
}

func (r *runner) confirmReview(t *rapid.T) {
	a := r.drawActor(t)
	r.run(t, "ConfirmReview", func(m *machine) step {
		actor, me, org := m.actor(a)
		want, done := precheck(actor, me, org)
		if !done {
			want = ok
			if me.rank() < 30 {
				want = forbidden
			}
		}
		o, err := m.svc.ConfirmReview(m.ctx, actor, org)
		if applies(want, err) {
			m.orgs[org].confirmed = true
		}
		return step{want: want, got: m.result(err, o), args: m.as(actor, org)}
	})
}

func (r *runner) transfer(t *rapid.T) {
	a := r.drawActor(t)
	ref := r.drawTarget(t, a.org)
	stale := drawStale(t)
	r.run(t, "TransferOwnership", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org, id, target := m.target(ref)
		version := version(target, stale)
		want, done := precheck(actor, me, org)
		if !done {
			switch {
			case target == nil:
				want = notFound
			case !me.owner():
				want = forbidden
			case version != target.version:
				want = conflict
			case target == me:
				want = invalidIn
			default:
				want = ok
			}
		}
		from, to, err := m.svc.TransferOwnership(m.ctx, actor, org, id, version)
		if applies(want, err) {
			target.roles["owner"] = true
			target.version++
			delete(me.roles, "owner")
			me.roles["admin"] = true
			me.version++
		}
		return step{want: want, got: m.result(err, []contacts.Contact{from, to}), args: fmt.Sprintf("%s to %s version %d", m.as(actor, org), m.lbl(id), version)}
	})
}

func (r *runner) readContact(t *rapid.T) {
	a := r.drawActor(t)
	ref := r.drawTarget(t, a.org)
	r.run(t, "Contact", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org, id, target := m.target(ref)
		want, done := precheck(actor, me, org)
		if !done {
			switch {
			case me == target:
				want = ok
			case me.rank() < 10:
				want = forbidden // contacts.view needs a role
			case target == nil:
				want = notFound
			default:
				want = ok
			}
		}
		c, err := m.svc.Contact(m.ctx, actor, org, id)
		s := step{want: want, got: m.result(err, c), args: fmt.Sprintf("%s contact %s", m.as(actor, org), m.lbl(id))}
		if err == nil && (c.Org != actor.Org || c.ID != id) {
			s.bad = fmt.Sprintf("read %s/%s as %s/%s", c.Org, c.ID, actor.Org, actor.Contact)
		}
		return s
	})
}

// invariants compares the store with the model and checks the promises
// that must hold after every step.
func (m *machine) invariants(t *rapid.T) {
	err := m.store.View(m.ctx, func(tx contacts.ReadTx) error {
		for _, org := range m.names {
			list, err := tx.Contacts(org, contacts.Page{Limit: contacts.MaxPageSize})
			if err != nil {
				return err
			}
			model := m.orgs[org]
			if len(list) != len(model.contacts) {
				return fmt.Errorf("org %s has %d contacts, model %d", org, len(list), len(model.contacts))
			}
			owners := 0
			for _, c := range list {
				mc := model.contacts[c.ID]
				if mc == nil {
					return fmt.Errorf("org %s: contact %s is not in the model", org, c.ID)
				}
				if c.Org != org {
					return fmt.Errorf("contact %s of org %s listed under %s", c.ID, c.Org, org)
				}
				if want := slices.Sorted(maps.Keys(mc.roles)); !slices.Equal(c.Roles, want) && !(len(c.Roles) == 0 && len(want) == 0) {
					return fmt.Errorf("contact %s roles %v, model %v", c.ID, c.Roles, want)
				}
				if c.Version != mc.version {
					return fmt.Errorf("contact %s version %d, model %d", c.ID, c.Version, mc.version)
				}
				if want := slices.Sorted(maps.Keys(mc.groups)); !slices.Equal(c.Groups, want) && !(len(c.Groups) == 0 && len(want) == 0) {
					return fmt.Errorf("contact %s groups %v, model %v", c.ID, c.Groups, want)
				}
				if c.HasRole("owner") {
					owners++
				}
			}
			if owners < 1 {
				return fmt.Errorf("org %s has no owner", org)
			}
		}
		return nil
	})
	if err != nil {
		fail(t, m.prefix()+err.Error(), "%sthe store's contacts do not match the model", m.prefix())
	}
	for _, org := range m.names {
		if _, err := m.svc.VerifyAudit(m.ctx, contacts.Actor{Org: org, Vendor: "model"}, org, nil); err != nil {
			fail(t, m.prefix()+err.Error(), "%sthe audit chain of org %s does not verify", m.prefix(), m.lbl(org))
		}
		mo := m.orgs[org]
		vendor := contacts.Actor{Org: org, Vendor: "model"}
		for slot := range modelSlots {
			sh, err := m.svc.SlotHolders(m.ctx, vendor, org, slot)
			if err != nil {
				fail(t, m.prefix()+err.Error(), "%sSlotHolders failed", m.prefix())
			}
			var got []string
			for _, h := range sh.Holders {
				got = append(got, h.ID)
			}
			if !slices.Equal(got, mo.slots[slot]) {
				fail(t, fmt.Sprintf("%sorg %s slot %s holders %v, model %v", m.prefix(), org, slot, got, mo.slots[slot]),
					"%sslot %s holders do not match the model", m.prefix(), slot)
			}
		}
		// D4: the same snapshot never yields a recipient who withdrew, and
		// default-on consent counts only once the org confirmed.
		rs, err := m.svc.Recipients(m.ctx, org, "product_updates", "")
		if err != nil {
			fail(t, m.prefix()+err.Error(), "%sRecipients failed", m.prefix())
		}
		var got, want []string
		for _, r := range rs {
			got = append(got, r.Contact)
		}
		for _, id := range mo.slots["product_updates"] {
			c := mo.contacts[id]
			if c.consent != nil && *c.consent || c.consent == nil && mo.confirmed {
				want = append(want, id)
			}
		}
		if !slices.Equal(got, want) {
			fail(t, fmt.Sprintf("%sorg %s product_updates recipients %v, model %v", m.prefix(), org, got, want),
				"%sproduct_updates recipients do not match the model", m.prefix())
		}
	}
}

// RunModel is a model-based test of the contacts Service over store
// (RELIABILITY F2): rapid drives random actors through random operations —
// contacts created, edited, deleted and read, roles granted and revoked,
// ownership transferred, slots assigned, consent set, reviews confirmed —
// on two orgs, some aimed across orgs, with stale versions mixed in. Every
// outcome is checked against a small independent model, and after every
// step the store's contacts, roles, versions, slot holders and
// product_updates recipients must match the model, every org must keep an
// owner, and every audit chain must verify.
//
// The runs share store; each uses orgs of its own, so a driver may pass one
// long-lived store (a database schema, say).
func RunModel(t *testing.T, store contacts.Store) {
	rapid.Check(t, func(t *rapid.T) {
		m := newMachine(t, "", store, modelRuns.Add(1))
		r := &runner{ms: []*machine{m}, emails: emails}
		t.Repeat(r.actions(map[string]func(*rapid.T){
			"": m.invariants,
		}))
	})
}

// actions is the map of the actions both tests draw, plus extra.
func (r *runner) actions(extra map[string]func(*rapid.T)) map[string]func(*rapid.T) {
	a := map[string]func(*rapid.T){
		"createContact": r.createContact,
		"changeRole":    r.changeRole,
		"updateContact": r.updateContact,
		"deleteContact": r.deleteContact,
		"transfer":      r.transfer,
		"readContact":   r.readContact,
		"assignSlot":    r.assignSlot,
		"setConsent":    r.setConsent,
		"confirmReview": r.confirmReview,
	}
	maps.Copy(a, extra)
	return a
}
