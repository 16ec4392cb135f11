package contacts_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

func BenchmarkCreateContact(b *testing.B) {
	f := newFixture(b, "acme")
	ctx := context.Background()
	actor := f.as(f.admin)
	emails := make([]string, 0, 1<<16)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if len(emails) == i {
			emails = append(emails, fmt.Sprintf("person%d@acme.example", i))
		}
		if _, err := f.svc.CreateContact(ctx, actor, "acme", contacts.NewContact{Name: "Person", Email: emails[i]}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// setupTB lets fixture helpers build data shared by benchmarks, outside any
// one benchmark: failures panic, and nothing is cleaned up (the process
// ends after the benchmarks).
type setupTB struct{ testing.TB }

func (setupTB) Helper()                        {}
func (setupTB) Cleanup(func())                 {}
func (setupTB) Fatal(args ...any)              { panic(fmt.Sprint(args...)) }
func (setupTB) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

// bigStore is 1,000,000 contacts in 1,000 orgs, loaded once per process
// and only when a benchmark asks for it.
var bigStore = sync.OnceValue(func() *bigFixture {
	const orgs, perOrg = 1000, 1000
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	f := &bigFixture{fixture: newFixture(setupTB{}, "org0000")}
	ctx := context.Background()
	all := make([]contacts.NewContact, perOrg)
	rows := all[:perOrg-4] // the fixture org has 4 already
	for o := range orgs {
		org := fmt.Sprintf("org%04d", o)
		if o > 0 {
			_, owner, err := f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: org, Name: org,
				Owner: contacts.NewContact{Name: "Owner", Email: "owner@" + org + ".example"}})
			if err != nil {
				panic(err)
			}
			f.actors = append(f.actors, contacts.Actor{Org: org, Contact: owner.ID})
			rows = all[:perOrg-1]
		} else {
			f.actors = append(f.actors, f.as(f.owner))
		}
		for i := range rows {
			rows[i] = contacts.NewContact{Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@%s.example", i, org)}
		}
		if _, err := f.svc.ImportContacts(ctx, f.actors[o], org, rows); err != nil {
			panic(err)
		}
	}
	f.load = time.Since(start)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	f.heapPerContact = float64(after.HeapAlloc-before.HeapAlloc) / (orgs * perOrg)
	return f
})

type bigFixture struct {
	*fixture
	actors         []contacts.Actor
	load           time.Duration
	heapPerContact float64
}

// BenchmarkGetContactByEmail looks contacts up by address through the
// Service, as a member of the org (so the actor's own record is read and
// checked too), in a store of 1,000,000 contacts. It also reports the bulk
// load time and the live heap per contact after GC.
func BenchmarkGetContactByEmail(b *testing.B) {
	f := bigStore()
	ctx := context.Background()
	emails := make([]string, 4096)
	actors := make([]contacts.Actor, len(emails))
	for i := range emails {
		o := (i * 7919) % len(f.actors)
		emails[i] = fmt.Sprintf("p%d@org%04d.example", (i*104729)%995, o)
		actors[i] = f.actors[o]
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % len(emails)
		if _, err := f.svc.ContactByEmail(ctx, actors[k], actors[k].Org, emails[k]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(f.load.Seconds(), "load-s")
	b.ReportMetric(f.heapPerContact, "heap-B/contact")
}

// slotOrg is one org of 10,000 contacts and 50 groups of 20 members, with
// product_updates held by 3 groups and 5 people, and the org confirmed so
// consent is filtered for real (every tenth member has withdrawn).
var slotOrg = sync.OnceValue(func() *fixture {
	const people, groups, perGroup = 10_000, 50, 20
	f := newFixture(setupTB{}, "big")
	ctx := context.Background()
	admin := f.as(f.owner)
	rows := make([]contacts.NewContact, people-4)
	for i := range rows {
		rows[i] = contacts.NewContact{Name: fmt.Sprintf("Person %05d", i), Email: fmt.Sprintf("p%d@big.example", i)}
	}
	all, err := f.svc.ImportContacts(ctx, admin, "big", rows)
	if err != nil {
		panic(err)
	}
	var hs []contacts.Holder
	for g := range groups {
		grp, err := f.svc.CreateGroup(ctx, admin, "big", contacts.NewGroup{Name: fmt.Sprintf("Team %02d", g), Kind: contacts.Team})
		if err != nil {
			panic(err)
		}
		for m := range perGroup {
			c := all[g*perGroup+m]
			if _, err := f.svc.AddToGroup(ctx, admin, "big", grp.ID, c.ID); err != nil {
				panic(err)
			}
			if m%10 == 0 {
				if _, err := f.svc.SetConsent(ctx, admin, "big", c.ID, "product_updates", false, contacts.ChannelImport); err != nil {
					panic(err)
				}
			}
		}
		if g < 3 {
			hs = append(hs, contacts.Holder{Kind: contacts.HolderGroup, ID: grp.ID})
		}
	}
	for i := range 5 {
		hs = append(hs, contacts.Holder{Kind: contacts.HolderContact, ID: all[5000+i].ID})
	}
	if _, err := f.svc.AssignSlot(ctx, admin, "big", "product_updates", 0, hs); err != nil {
		panic(err)
	}
	if _, err := f.svc.ConfirmReview(ctx, admin, "big"); err != nil {
		panic(err)
	}
	return f
})

func BenchmarkRecipients(b *testing.B) {
	f := slotOrg()
	ctx := context.Background()
	rs, err := f.svc.Recipients(ctx, "big", "product_updates", "")
	if err != nil || len(rs) != 59 { // 60 group members less 6 withdrawn, plus 5 people
		b.Fatalf("recipients: %d, %v", len(rs), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Recipients(ctx, "big", "product_updates", ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompleteness(b *testing.B) {
	f := slotOrg()
	ctx := context.Background()
	actor := f.as(f.norm)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Completeness(ctx, actor, "big"); err != nil {
			b.Fatal(err)
		}
	}
}

var (
	firstNames = []string{"Ada", "Bruno", "Chloé", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ingrid", "José",
		"Kenji", "Lena", "Marta", "Nils", "Olivia", "Pedro", "Quinn", "Rosa", "Sven", "Tomás", "Uma", "Viktor", "Wanda", "Yusuf", "Zoë"}
	lastNames = []string{"Andersson", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hansen", "Ibáñez", "Jensen",
		"Kowalski", "Larsen", "Müller", "Nielsen", "Olsen", "Petersen", "Quist", "Rossi", "Schmidt", "Thomson",
		"Ulrich", "Vogel", "Weber", "Xu", "Young"}
)

// directoryStore is 1,000,000 contacts: the searched org holds 100,000, the
// other 900,000 are spread over 9 orgs. Names combine common first and last
// names; every other contact is a client.
var directoryStore = sync.OnceValue(func() *fixture {
	const orgs, perOrg = 10, 100_000
	f := newFixture(setupTB{}, "dir0")
	ctx := context.Background()
	rows := make([]contacts.NewContact, perOrg)
	for o := range orgs {
		org := fmt.Sprintf("dir%d", o)
		actor := f.as(f.owner)
		if o > 0 {
			_, owner, err := f.svc.CreateOrg(ctx, vendor, contacts.NewOrg{ID: org, Name: org,
				Owner: contacts.NewContact{Name: "Owner", Email: "owner@" + org + ".example"}})
			if err != nil {
				panic(err)
			}
			actor = contacts.Actor{Org: org, Contact: owner.ID}
		}
		n := perOrg - 1
		if o == 0 {
			n = perOrg - 4
		}
		for i := range n {
			kind := contacts.Internal
			if i%2 == 0 {
				kind = contacts.Client
			}
			rows[i] = contacts.NewContact{
				Name:  firstNames[(i*7+o)%len(firstNames)] + " " + lastNames[(i/25+o)%len(lastNames)],
				Email: fmt.Sprintf("p%d@%s.example", i, org), Kind: kind,
			}
		}
		if _, err := f.svc.ImportContacts(ctx, actor, org, rows[:n]); err != nil {
			panic(err)
		}
	}
	return f
})

// BenchmarkDirectorySearch searches the 100,000-contact org for a 3-letter
// text that matches inside names ("sen": Eriksen, Hansen,
// Jensen, Larsen, Nielsen, Olsen, Petersen), clients only, first page of 50.
func BenchmarkDirectorySearch(b *testing.B) {
	f := directoryStore()
	ctx := context.Background()
	q := contacts.DirectoryQuery{Text: "sen", Filter: contacts.FilterClients, Limit: 50}
	page, err := f.svc.Directory(ctx, f.as(f.norm), "dir0", q)
	if err != nil || len(page.Contacts) != 50 {
		b.Fatalf("first page: %d contacts, %v", len(page.Contacts), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Directory(ctx, f.as(f.norm), "dir0", q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDirectoryPrefix searches the same org for a name prefix, first
// page of 50.
func BenchmarkDirectoryPrefix(b *testing.B) {
	f := directoryStore()
	ctx := context.Background()
	q := contacts.DirectoryQuery{Text: "ing", Prefix: true, Limit: 50}
	page, err := f.svc.Directory(ctx, f.as(f.norm), "dir0", q)
	if err != nil || len(page.Contacts) != 50 {
		b.Fatalf("first page: %d contacts, %v", len(page.Contacts), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Directory(ctx, f.as(f.norm), "dir0", q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyChangeSet builds and applies (direct mode) a change set of
// 100 edits: 50 new contacts, 50 title edits.
func BenchmarkApplyChangeSet(b *testing.B) {
	f := newFixture(b, "acme")
	ctx := context.Background()
	admin := f.as(f.admin)
	rows := make([]contacts.NewContact, 50)
	for i := range rows {
		rows[i] = contacts.NewContact{Name: fmt.Sprint("Base ", i), Email: fmt.Sprintf("base%d@acme.example", i)}
	}
	base, err := f.svc.ImportContacts(ctx, admin, "acme", rows)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		edits := make([]contacts.Edit, 0, 100)
		for i := range 50 {
			edits = append(edits, contacts.Edit{Kind: contacts.EditAddContact,
				New: &contacts.NewContact{Name: "New", Email: fmt.Sprintf("new%d-%d@acme.example", n, i)}})
		}
		for i := range base {
			c, err := f.svc.Contact(ctx, admin, "acme", base[i].ID)
			if err != nil {
				b.Fatal(err)
			}
			title := fmt.Sprint("Title ", n)
			edits = append(edits, contacts.Edit{Kind: contacts.EditFields, Contact: c.ID, Version: c.Version, Patch: &contacts.ContactPatch{Title: &title}})
		}
		n++
		cs, err := f.svc.CreateChangeSet(ctx, admin, "acme", edits)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := f.svc.SubmitChangeSet(ctx, admin, "acme", cs.ID, cs.Version); err != nil {
			b.Fatal(err)
		}
	}
}
