package storagetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/liaisonhq/liaison/contacts"
	"pgregory.net/rapid"
)

// diffEmails are the addresses the differential test draws: variants of a
// few addresses that differ only in case, in Unicode form (é composed and
// decomposed, the Kelvin sign that NFC turns into K) or in the form of an
// internationalised domain, next to look-alikes that are different
// addresses (ß and ss), and one address that is refused. Two drivers that
// compare keys under different collations disagree on some of them.
var diffEmails = []string{
	"ann@x.example", "Ann@x.example", "ANN@X.EXAMPLE",
	"zo\u00e9@x.example", "zoe\u0301@x.example", "ZO\u00c9@x.example", "ZOE\u0301@X.example",
	"cy@b\u00fccher.example", "CY@B\u00dcCHER.EXAMPLE",
	"\u212aim@x.example", "kim@x.example",
	"stra\u00dfe@x.example", "strasse@x.example", "STRASSE@x.example",
	"ann@x",
}

// invalidEmails are the drawn addresses the Service refuses.
var invalidEmails = map[string]bool{"ann@x": true}

// RunDifferential runs the model-based test of [RunModel] over two stores
// at once (RELIABILITY F2): every drawn operation runs on a Service over a
// and on one over b, in lockstep, and the two must agree, step by step, on
//
//   - the outcome: ok, not found, forbidden (by the same rule), conflict, or
//     invalid (in the same fields);
//   - the value returned, with IDs compared by their place in creation order
//     and times only for being set;
//   - after every step, everything a caller can observe: every contact with
//     its roles, groups, consent and version, the index reads by role, group
//     and email key, groups, slot holders, consent histories, product_updates
//     recipients, and the audit trail (actors, actions, targets and changed
//     fields), whose chains must verify.
//
// Besides RunModel's operations it looks contacts up by address and changes
// addresses, drawing variants that differ only in case or Unicode form, and
// creates, fills and deletes groups. Each side is also checked against the
// model, after the two were compared with each other.
//
// The runs share the stores, as for RunModel; a and b must not be used by
// anything else meanwhile.
func RunDifferential(t *testing.T, a, b contacts.Store) {
	rapid.Check(t, func(t *rapid.T) {
		run := modelRuns.Add(1)
		r := &runner{emails: diffEmails, ms: []*machine{
			newMachine(t, fmt.Sprintf("a (%T)", a), a, run),
			newMachine(t, fmt.Sprintf("b (%T)", b), b, run),
		}}
		t.Repeat(r.actions(map[string]func(*rapid.T){
			"readByEmail": r.readByEmail,
			"changeEmail": r.changeEmail,
			"createGroup": r.createGroup,
			"membership":  r.membership,
			"deleteGroup": r.deleteGroup,
			"":            r.differentialInvariants,
		}))
	})
}

func (r *runner) readByEmail(t *rapid.T) {
	a := r.drawActor(t)
	orgIdx := r.drawOrg(t, a.org)
	email := rapid.SampledFrom(r.emails).Draw(t, "email")
	key := modelKey(email)
	r.run(t, "ContactByEmail", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org := m.names[orgIdx]
		var target *modelContact
		for _, c := range m.orgs[org].contacts {
			if c.emailKey == key {
				target = c
			}
		}
		want, done := precheck(actor, me, org)
		if !done {
			switch {
			case invalidEmails[email]:
				want = invalidIn
			case target == nil:
				want = notFound
			case me == target:
				want = ok
			case me.rank() < 10:
				want = forbidden // contacts.view needs a role
			default:
				want = ok
			}
		}
		c, err := m.svc.ContactByEmail(m.ctx, actor, org, email)
		s := step{want: want, got: m.result(err, c), args: fmt.Sprintf("%s email %+q", m.as(actor, org), email)}
		if applies(want, err) && c.ID != target.id {
			s.bad = fmt.Sprintf("%+q found %s, model %s", email, m.lbl(c.ID), m.lbl(target.id))
		}
		return s
	})
}

func (r *runner) changeEmail(t *rapid.T) {
	a := r.drawActor(t)
	ref := r.drawTarget(t, a.org)
	stale := drawStale(t)
	email := rapid.SampledFrom(r.emails).Draw(t, "email")
	key := modelKey(email)
	r.run(t, "UpdateContact email", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org, id, target := m.target(ref)
		version := version(target, stale)
		want, done := precheck(actor, me, org)
		if !done {
			taken := false
			for _, c := range m.orgs[org].contacts {
				taken = taken || c != target && c.emailKey == key
			}
			switch {
			case target == nil:
				want = notFound
			case !canChange(me, target, me.rank() >= 30):
				want = forbidden
			case version != target.version:
				want = conflict
			case invalidEmails[email]:
				want = invalidIn
			case taken:
				want = conflict
			default:
				want = ok
			}
		}
		c, err := m.svc.UpdateContact(m.ctx, actor, org, id, version, contacts.ContactPatch{Email: &email})
		if applies(want, err) {
			target.emailKey = key
			target.version++
		}
		return step{want: want, got: m.result(err, c),
			args: fmt.Sprintf("%s contact %s version %d email %+q", m.as(actor, org), m.lbl(id), version, email)}
	})
}

func (r *runner) createGroup(t *rapid.T) {
	a := r.drawActor(t)
	orgIdx := r.drawOrg(t, a.org)
	kind := rapid.SampledFrom([]contacts.GroupKind{contacts.Team, contacts.ClientGroup, "squad"}).Draw(t, "kind")
	r.run(t, "CreateGroup", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org := m.names[orgIdx]
		want, done := precheck(actor, me, org)
		if !done {
			switch {
			case me.rank() < 30:
				want = forbidden
			case kind != contacts.Team && kind != contacts.ClientGroup:
				want = invalidIn
			default:
				want = ok
			}
		}
		g, err := m.svc.CreateGroup(m.ctx, actor, org, contacts.NewGroup{Name: "G", Kind: kind})
		if applies(want, err) {
			m.orgs[org].groups[g.ID] = &modelGroup{version: 1}
			m.label(g.ID, "g")
		}
		return step{want: want, got: m.result(err, g), args: fmt.Sprintf("%s kind %q", m.as(actor, org), kind)}
	})
}

// groupIDs lists the model's groups of org in ID (creation) order.
func (m *machine) groupIDs(org string) []string {
	return slices.Sorted(maps.Keys(m.orgs[org].groups))
}

// drawGroup draws a group by position among every org's groups, in org
// order then creation order; one past the end is a missing ID.
func (r *runner) drawGroup(t *rapid.T) int {
	m, n := r.m0(), 0
	for _, o := range m.names {
		n += len(m.orgs[o].groups)
	}
	return rapid.IntRange(0, n).Draw(t, "group")
}

// group resolves a drawn group in org: its ID, and its model when it is
// one of org's groups.
func (m *machine) group(pos int, org string) (string, *modelGroup) {
	var ids []string
	for _, o := range m.names {
		ids = append(ids, m.groupIDs(o)...)
	}
	id := "missing"
	if pos < len(ids) {
		id = ids[pos]
	}
	return id, m.orgs[org].groups[id]
}

func (r *runner) membership(t *rapid.T) {
	a := r.drawActor(t)
	ref := r.drawTarget(t, a.org)
	gpos := r.drawGroup(t)
	join := rapid.Bool().Draw(t, "join")
	op := "RemoveFromGroup"
	if join {
		op = "AddToGroup"
	}
	r.run(t, op, func(m *machine) step {
		actor, me, _ := m.actor(a)
		org, id, target := m.target(ref)
		gid, group := m.group(gpos, org)
		want, done := precheck(actor, me, org)
		if !done {
			switch {
			case me.rank() < 30:
				want = forbidden
			case group == nil, target == nil:
				want = notFound
			default:
				want = ok
			}
		}
		call := m.svc.RemoveFromGroup
		if join {
			call = m.svc.AddToGroup
		}
		c, err := call(m.ctx, actor, org, gid, id)
		if applies(want, err) && target.groups[gid] != join {
			if target.groups == nil {
				target.groups = map[string]bool{}
			}
			target.groups[gid] = join
			if !join {
				delete(target.groups, gid)
			}
			target.version++
		}
		return step{want: want, got: m.result(err, c),
			args: fmt.Sprintf("%s group %s contact %s", m.as(actor, org), m.lbl(gid), m.lbl(id))}
	})
}

func (r *runner) deleteGroup(t *rapid.T) {
	a := r.drawActor(t)
	orgIdx := r.drawOrg(t, a.org)
	gpos := r.drawGroup(t)
	stale := drawStale(t)
	r.run(t, "DeleteGroup", func(m *machine) step {
		actor, me, _ := m.actor(a)
		org := m.names[orgIdx]
		gid, group := m.group(gpos, org)
		version := int64(1)
		if group != nil {
			version = group.version
		}
		if stale {
			version++
		}
		want, done := precheck(actor, me, org)
		if !done {
			switch {
			case me.rank() < 30:
				want = forbidden
			case group == nil:
				want = notFound
			case version != group.version:
				want = conflict
			default:
				want = ok
			}
		}
		err := m.svc.DeleteGroup(m.ctx, actor, org, gid, version)
		if applies(want, err) {
			for _, c := range m.orgs[org].contacts {
				if c.groups[gid] {
					delete(c.groups, gid)
					c.version++
				}
			}
			delete(m.orgs[org].groups, gid)
		}
		return step{want: want, got: m.result(err, nil), args: fmt.Sprintf("%s group %s version %d", m.as(actor, org), m.lbl(gid), version)}
	})
}

// compareResults fails the run unless every machine's result for op is the
// first machine's.
func (r *runner) compareResults(t *rapid.T, op string, steps []step) {
	for i := 1; i < len(steps); i++ {
		if reflect.DeepEqual(steps[0].got, steps[i].got) {
			continue // the fast path; unequal errs alone fall through to cmp, which ignores them
		}
		if d := cmp.Diff(steps[0].got, steps[i].got, cmpopts.IgnoreUnexported(result{})); d != "" {
			fail(t, fmt.Sprintf("%s %s: -%s +%s:\n%s\n%s: %v\n%s: %v", op, steps[0].args,
				r.ms[0].name, r.ms[i].name, d, r.ms[0].name, steps[0].got.err, r.ms[i].name, steps[i].got.err),
				"%s: the stores disagree: %s says %s, %s says %s", op, r.ms[0].name, steps[0].got.Class, r.ms[i].name, steps[i].got.Class)
		}
	}
}

// differentialInvariants compares everything observable in the stores,
// then checks the first machine against its model. The others then match
// their models too: the snapshots compare every value the model invariants
// read (by label, which maps each model onto the first), and each
// snapshot verifies its audit chains itself.
func (r *runner) differentialInvariants(t *rapid.T) {
	snaps := make([]map[string]any, len(r.ms))
	for i, m := range r.ms {
		snaps[i] = m.snapshot(t, r.emails)
	}
	after := r.last
	if after == "" {
		after = "setup"
	}
	for i := 1; i < len(r.ms); i++ {
		if reflect.DeepEqual(snaps[0], snaps[i]) {
			continue
		}
		// Name the first org and part that differ, so the message shows
		// the difference rather than the whole state.
		for _, org := range slices.Sorted(maps.Keys(snaps[0])) {
			a, b := snaps[0][org].(map[string]any), snaps[i][org].(map[string]any)
			for _, part := range slices.Sorted(maps.Keys(a)) {
				if d := cmp.Diff(a[part], b[part]); d != "" {
					fail(t, fmt.Sprintf("-%s +%s:\n%s", r.ms[0].name, r.ms[i].name, d),
						"after %s: the stores disagree on the %s of org %s", after, part, org)
				}
			}
		}
		fail(t, fmt.Sprintf("-%s +%s:\n%s", r.ms[0].name, r.ms[i].name, cmp.Diff(snaps[0], snaps[i])),
			"after %s: the stores disagree", after)
	}
	r.m0().invariants(t)
}

// An auditView is what the differential test compares of an audit event:
// not its time, salt or hashes, which differ between runs.
type auditView struct {
	Seq                              uint64
	Actor, Action, Target, RequestID string
	Before, After                    json.RawMessage
}

// snapshot reads everything observable about the machine's orgs, in one
// read transaction, normalised (see [machine.normalize]); it fails the run
// if an audit chain does not verify.
func (m *machine) snapshot(t *rapid.T, emails []string) map[string]any {
	out := map[string]any{}
	err := m.store.View(m.ctx, func(tx contacts.ReadTx) error {
		for _, org := range m.names {
			s := map[string]any{}
			out[m.lbl(org)] = s
			o, err := tx.Org(org)
			if err != nil {
				return err
			}
			s["org"] = m.normalize(o)
			list, err := tx.Contacts(org, contacts.Page{Limit: contacts.MaxPageSize})
			if err != nil {
				return err
			}
			s["contacts"] = m.normalize(list)
			consent := map[string]any{}
			for _, c := range list {
				if len(c.Consent) == 0 {
					continue // never set, so no history (the model sets no other way)
				}
				h, err := tx.ConsentHistory(org, c.ID)
				if err != nil {
					return err
				}
				if len(h) > 0 {
					consent[m.lbl(c.ID)] = m.normalize(h)
				}
			}
			s["consent"] = consent
			byRole := map[string][]string{}
			for role := range modelRanks {
				cs, err := tx.ContactsWithRole(org, role)
				if err != nil {
					return err
				}
				byRole[role] = m.lbls(cs)
			}
			s["byRole"] = byRole
			s["owners"] = len(byRole["owner"])
			groups, err := tx.Groups(org, contacts.Page{Limit: contacts.MaxPageSize})
			if err != nil {
				return err
			}
			s["groups"] = m.normalize(groups)
			members := map[string][]string{}
			for _, g := range groups {
				cs, err := tx.GroupMembers(org, g.ID)
				if err != nil {
					return err
				}
				members[m.lbl(g.ID)] = m.lbls(cs)
			}
			s["members"] = members
			slots, err := tx.OrgSlots(org)
			if err != nil {
				return err
			}
			s["slots"] = m.normalize(slots)
			bySlot := map[string]any{}
			for slot := range modelSlots {
				sh, err := tx.SlotHolders(org, slot)
				switch {
				case errors.Is(err, contacts.ErrNotFound):
					bySlot[slot] = "not found"
				case err != nil:
					return err
				default:
					bySlot[slot] = m.normalize(sh)
				}
			}
			s["bySlot"] = bySlot
			// The Service computes keys, so variants of one address ask the
			// store the same question: ask once per key.
			byEmail := map[string]string{}
			for _, e := range emails {
				n, err := contacts.NormalizeEmail(e)
				if err != nil {
					continue
				}
				key := contacts.EmailKey(n)
				if _, done := byEmail[key]; done {
					continue
				}
				c, err := tx.ContactByEmail(org, key)
				switch {
				case errors.Is(err, contacts.ErrNotFound):
					byEmail[key] = "not found"
				case err != nil:
					return err
				default:
					byEmail[key] = m.lbl(c.ID)
				}
			}
			s["byEmail"] = byEmail
			head, err := tx.AuditHead(org)
			if err != nil {
				return err
			}
			var events []contacts.AuditEvent
			for {
				page, err := tx.AuditEvents(org, uint64(len(events)), contacts.MaxPageSize)
				if err != nil {
					return err
				}
				events = append(events, page...)
				if len(page) < contacts.MaxPageSize {
					break
				}
			}
			if err := contacts.VerifyChain(org, events, &head); err != nil {
				return err
			}
			var audit []any
			for _, e := range events {
				// The chain verified, so an event with a known hash is the
				// one normalised before.
				v, ok := m.audit[e.Hash]
				if !ok {
					v = m.normalize(auditView{Seq: e.Seq, Actor: e.Actor, Action: e.Action,
						Target: e.Target, RequestID: e.RequestID, Before: e.Before, After: e.After})
					m.audit[e.Hash] = v
				}
				audit = append(audit, v)
			}
			s["audit"] = audit
		}
		return nil
	})
	if err != nil {
		fail(t, m.prefix()+err.Error(), "%sreading the store failed, or an audit chain does not verify", m.prefix())
	}
	for _, org := range m.names {
		rs, err := m.svc.Recipients(m.ctx, org, "product_updates", "")
		if err != nil {
			fail(t, m.prefix()+err.Error(), "%sRecipients failed", m.prefix())
		}
		out[m.lbl(org)].(map[string]any)["recipients"] = m.normalize(rs)
	}
	return out
}

// lbls lists the labels of cs, in order.
func (m *machine) lbls(cs []contacts.Contact) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, m.lbl(c.ID))
	}
	return out
}

// normalize turns v into its JSON tree with every ID this machine handed
// out replaced by its label (also as the ID part of "kind/ID"), any other
// generated ID by "<id>", every time by "<time>" and every empty list by
// null: the form in which two machines' values compare.
func (m *machine) normalize(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("storagetest: %T does not marshal: %v", v, err))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		panic(fmt.Sprintf("storagetest: %T does not unmarshal: %v", v, err))
	}
	return m.canon(tree)
}

func (m *machine) canon(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = m.canon(x)
		}
	case []any:
		if len(v) == 0 {
			// A driver may return nil or an empty list for none (the
			// conformance suite equates them; the API sends [] for
			// either).
			return nil
		}
		for i, x := range v {
			v[i] = m.canon(x)
		}
	case string:
		if l, ok := m.labels[v]; ok {
			return l
		}
		if kind, id, ok := strings.Cut(v, "/"); ok {
			if l, ok := m.labels[id]; ok {
				return kind + "/" + l
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return "<time>"
		}
		if generatedID(v) {
			return "<id>"
		}
	}
	return v
}

// generatedID reports whether s has the form of the Service's IDs: 26
// characters of Crockford's base32.
func generatedID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", rune(s[i])) {
			return false
		}
	}
	return true
}
