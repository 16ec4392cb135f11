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
	"pgregory.net/rapid"
)

// The model of the state machine test: per org, the contacts with their
// roles and versions. It is the reference the real Service must match after
// every step (RELIABILITY A3, B1-B4, C4, F2).
type modelContact struct {
	id, emailKey string
	roles        map[string]bool
	version      int64
	consent      *bool // product_updates: nil follows the default
}

type modelOrg struct {
	contacts  map[string]*modelContact
	slots     map[string][]string // slot -> holder contact IDs, in order
	versions  map[string]int64    // slot -> record version
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
	return outcome("unexpected: " + err.Error())
}

type machine struct {
	svc   *contacts.Service
	store contacts.Store
	orgs  map[string]*modelOrg
	names []string // org IDs
	ctx   context.Context
}

var orgNames = []string{"acme", "globex"}

// emails has case variants of the same addresses, so uniqueness by
// normalised key is exercised.
var emails = []string{"ann@x.example", "ANN@x.example", "bo@x.example", "Bo@X.EXAMPLE", "cy@x.example", "di@x.example", "ed@x.example"}

// modelRuns numbers the model's runs, so runs sharing one store use orgs
// of their own.
var modelRuns atomic.Int64

func newMachine(t *rapid.T, store contacts.Store) *machine {
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	run := modelRuns.Add(1)
	var names []string
	for _, n := range orgNames {
		names = append(names, fmt.Sprintf("%s-%d", n, run))
	}
	m := &machine{svc: contacts.New(store, pol), store: store, orgs: map[string]*modelOrg{}, names: names, ctx: context.Background()}
	for _, org := range names {
		_, owner, err := m.svc.CreateOrg(m.ctx, contacts.Actor{Vendor: "model"}, contacts.NewOrg{ID: org, Name: org,
			Owner: contacts.NewContact{Name: "Owner", Email: "owner@x.example"}})
		if err != nil {
			t.Fatal(err)
		}
		mo := &modelOrg{slots: map[string][]string{}, versions: map[string]int64{}, contacts: map[string]*modelContact{
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
				t.Fatal(err)
			}
			if c, err = m.svc.GrantRole(m.ctx, asOwner, org, c.ID, c.Version, role); err != nil {
				t.Fatal(err)
			}
			mo.contacts[c.ID] = &modelContact{id: c.ID, emailKey: email, roles: map[string]bool{role: true}, version: 2}
		}
	}
	return m
}

// pick draws an actor: usually a contact of some org, sometimes a deleted or
// made-up one.
func (m *machine) pickActor(t *rapid.T) (contacts.Actor, *modelContact, string) {
	org := rapid.SampledFrom(m.names).Draw(t, "actorOrg")
	ids := slices.Sorted(maps.Keys(m.orgs[org].contacts))
	ids = append(ids, "ghost")
	id := rapid.SampledFrom(ids).Draw(t, "actor")
	return contacts.Actor{Org: org, Contact: id}, m.orgs[org].contacts[id], org
}

// pickTarget draws the org acted on (usually the actor's) and a contact in
// it (or a missing one, or one of the other org).
func (m *machine) pickTarget(t *rapid.T, actorOrg string) (string, string, *modelContact) {
	org := actorOrg
	if rapid.IntRange(0, 5).Draw(t, "crossOrg") == 0 {
		org = rapid.SampledFrom(m.names).Draw(t, "targetOrg")
	}
	var ids []string
	for _, o := range m.names {
		ids = append(ids, slices.Sorted(maps.Keys(m.orgs[o].contacts))...)
	}
	ids = append(ids, "missing")
	id := rapid.SampledFrom(ids).Draw(t, "target")
	return org, id, m.orgs[org].contacts[id]
}

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

func (m *machine) version(t *rapid.T, c *modelContact) int64 {
	if c == nil {
		return 1
	}
	if rapid.IntRange(0, 4).Draw(t, "stale") == 0 {
		return c.version - 1
	}
	return c.version
}

func (m *machine) check(t *rapid.T, op string, want outcome, err error) {
	if got := classify(err); got != want {
		t.Fatalf("%s: got %s (%v), model wants %s", op, got, err, want)
	}
}

func (m *machine) createContact(t *rapid.T) {
	actor, me, org := m.pickActor(t)
	if rapid.IntRange(0, 5).Draw(t, "crossOrg") == 0 {
		org = rapid.SampledFrom(m.names).Draw(t, "targetOrg")
	}
	email := rapid.SampledFrom(emails).Draw(t, "email")
	key := strings.ToLower(email)
	want, done := precheck(actor, me, org)
	if !done {
		taken := false
		for _, c := range m.orgs[org].contacts {
			taken = taken || c.emailKey == key
		}
		switch {
		case me.rank() < 30:
			want = forbidden
		case taken:
			want = conflict
		default:
			want = ok
		}
	}
	c, err := m.svc.CreateContact(m.ctx, actor, org, contacts.NewContact{Name: "N", Email: email})
	m.check(t, "CreateContact", want, err)
	if err == nil {
		m.orgs[org].contacts[c.ID] = &modelContact{id: c.ID, emailKey: key, roles: map[string]bool{}, version: 1}
	}
}

func (m *machine) changeRole(t *rapid.T) {
	actor, me, actorOrg := m.pickActor(t)
	org, id, target := m.pickTarget(t, actorOrg)
	role := rapid.SampledFrom([]string{"normal", "business", "admin", "owner"}).Draw(t, "role")
	grant := rapid.Bool().Draw(t, "grant")
	version := m.version(t, target)
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
	m.check(t, fmt.Sprintf("grant=%v %s", grant, role), want, err)
	if err == nil {
		if target.roles[role] != grant {
			target.roles[role] = grant
			if !grant {
				delete(target.roles, role)
			}
			target.version++
		}
		if got.Version != target.version {
			t.Fatalf("version %d, model %d", got.Version, target.version)
		}
		// B1: whatever was granted is at most the actor's rank.
		if grant && modelRanks[role] > me.rank() {
			t.Fatalf("%s (rank %d) granted %s", actor.Contact, me.rank(), role)
		}
	}
}

func (m *machine) updateContact(t *rapid.T) {
	actor, me, actorOrg := m.pickActor(t)
	org, id, target := m.pickTarget(t, actorOrg)
	version := m.version(t, target)
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
	title := rapid.StringMatching(`[a-z]{0,8}`).Draw(t, "title")
	_, err := m.svc.UpdateContact(m.ctx, actor, org, id, version, contacts.ContactPatch{Title: &title})
	m.check(t, "UpdateContact", want, err)
	if err == nil {
		target.version++
	}
}

func (m *machine) deleteContact(t *rapid.T) {
	actor, me, actorOrg := m.pickActor(t)
	org, id, target := m.pickTarget(t, actorOrg)
	version := m.version(t, target)
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
	m.check(t, "DeleteContact", want, err)
	if err == nil {
		mo := m.orgs[org]
		for _, slot := range mo.holds(id) {
			mo.slots[slot] = slices.DeleteFunc(slices.Clone(mo.slots[slot]), func(h string) bool { return h == id })
			mo.versions[slot]++
		}
		delete(mo.contacts, id)
	}
}

func (m *machine) assignSlot(t *rapid.T) {
	actor, me, org := m.pickActor(t)
	if rapid.IntRange(0, 5).Draw(t, "crossOrg") == 0 {
		org = rapid.SampledFrom(m.names).Draw(t, "targetOrg")
	}
	mo := m.orgs[org]
	slot := rapid.SampledFrom(slices.Sorted(maps.Keys(modelSlots))).Draw(t, "slot")
	ids := slices.Sorted(maps.Keys(mo.contacts))
	n := rapid.IntRange(0, 3).Draw(t, "holders")
	var next []string
	for range n {
		id := rapid.SampledFrom(ids).Draw(t, "holder")
		if !slices.Contains(next, id) {
			next = append(next, id)
		}
	}
	version := mo.versions[slot]
	if rapid.IntRange(0, 4).Draw(t, "stale") == 0 {
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
	_, err := m.svc.AssignSlot(m.ctx, actor, org, slot, version, hs)
	m.check(t, "AssignSlot "+slot, want, err)
	if err == nil {
		mo.slots[slot] = next
		mo.versions[slot]++
	}
}

func (m *machine) setConsent(t *rapid.T) {
	actor, me, actorOrg := m.pickActor(t)
	org, id, target := m.pickTarget(t, actorOrg)
	granted := rapid.Bool().Draw(t, "granted")
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
	_, err := m.svc.SetConsent(m.ctx, actor, org, id, "product_updates", granted, contacts.ChannelAPI)
	m.check(t, "SetConsent", want, err)
	if err == nil {
		target.consent = &granted
		target.version++
	}
}

func (m *machine) confirmReview(t *rapid.T) {
	actor, me, org := m.pickActor(t)
	want, done := precheck(actor, me, org)
	if !done {
		want = ok
		if me.rank() < 30 {
			want = forbidden
		}
	}
	_, err := m.svc.ConfirmReview(m.ctx, actor, org)
	m.check(t, "ConfirmReview", want, err)
	if err == nil {
		m.orgs[org].confirmed = true
	}
}

func (m *machine) transfer(t *rapid.T) {
	actor, me, actorOrg := m.pickActor(t)
	org, id, target := m.pickTarget(t, actorOrg)
	version := m.version(t, target)
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
	_, _, err := m.svc.TransferOwnership(m.ctx, actor, org, id, version)
	m.check(t, "TransferOwnership", want, err)
	if err == nil {
		target.roles["owner"] = true
		target.version++
		delete(me.roles, "owner")
		me.roles["admin"] = true
		me.version++
	}
}

func (m *machine) readContact(t *rapid.T) {
	actor, me, actorOrg := m.pickActor(t)
	org, id, target := m.pickTarget(t, actorOrg)
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
	m.check(t, "Contact", want, err)
	if err == nil && (c.Org != actor.Org || c.ID != id) {
		t.Fatalf("read %s/%s as %s/%s", c.Org, c.ID, actor.Org, actor.Contact)
	}
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
		t.Fatal(err)
	}
	for _, org := range m.names {
		if _, err := m.svc.VerifyAudit(m.ctx, contacts.Actor{Org: org, Vendor: "model"}, org, nil); err != nil {
			t.Fatalf("audit of %s: %v", org, err)
		}
		mo := m.orgs[org]
		vendor := contacts.Actor{Org: org, Vendor: "model"}
		for slot := range modelSlots {
			sh, err := m.svc.SlotHolders(m.ctx, vendor, org, slot)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range sh.Holders {
				got = append(got, h.ID)
			}
			if !slices.Equal(got, mo.slots[slot]) {
				t.Fatalf("org %s slot %s holders %v, model %v", org, slot, got, mo.slots[slot])
			}
		}
		// D4: the same snapshot never yields a recipient who withdrew, and
		// default-on consent counts only once the org confirmed.
		rs, err := m.svc.Recipients(m.ctx, org, "product_updates", "")
		if err != nil {
			t.Fatal(err)
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
			t.Fatalf("org %s product_updates recipients %v, model %v", org, got, want)
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
		m := newMachine(t, store)
		t.Repeat(map[string]func(*rapid.T){
			"createContact": m.createContact,
			"changeRole":    m.changeRole,
			"updateContact": m.updateContact,
			"deleteContact": m.deleteContact,
			"transfer":      m.transfer,
			"readContact":   m.readContact,
			"assignSlot":    m.assignSlot,
			"setConsent":    m.setConsent,
			"confirmReview": m.confirmReview,
			"":              m.invariants,
		})
	})
}
