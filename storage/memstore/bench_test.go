package memstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// The benchmarks below run against a million contacts in a thousand orgs,
// with 26-character IDs like the contacts package's, one contact in five in
// a group and 8% holding a role (see benchRoles). The Store benchmarks
// share one store, built the first time one of them asks for it;
// BenchmarkRawMemdbEmailLookup builds its own table from the same contacts
// and drops it when it ends. `go test` without -bench runs no benchmark, so
// it builds neither.
//
// Lookups go to 10,000 contacts spread over every org, in random order, so
// that most of the radix nodes they walk are not in the CPU's caches, as in
// a server whose million contacts are looked up at random.
const (
	benchOrgs   = 1000
	benchPerOrg = 1000
	benchTotal  = benchOrgs * benchPerOrg
)

// crockford is the alphabet of Liaison's IDs (see contacts.newID).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// benchID returns a 26-character ID in the layout the contacts package hands
// out: 48 bits of milliseconds, then 80 random bits.
func benchID(r *rand.Rand, ms uint64) string {
	hi := ms<<16 | r.Uint64()&0xffff
	lo := r.Uint64()
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

var (
	firstNames = []string{"Ann", "Bob", "Carla", "Dmitri", "Eve", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kemal", "Lena", "Mateo", "Nora", "Oskar", "Priya"}
	lastNames  = []string{"Smith", "Silva", "Novak", "Tanaka", "Okafor", "Müller", "Garcia", "Kowalski", "Haddad", "Larsen", "Rossi", "Chen"}
	languages  = []string{"en", "en-GB", "pt-BR", "es", "fr", "de"}
)

// benchRoles gives each contact of an org roles the way a B2B customer's
// contact list looks: one owner in a hundred, two admins, five business
// contacts; the rest hold no role (clients and people who are only
// contacted, not users of the portal).
func benchRoles(i int) []string {
	switch i % 100 {
	case 0:
		return []string{"owner"}
	case 1, 2:
		return []string{"admin"}
	case 3, 4, 5, 6, 7:
		return []string{"business"}
	}
	return nil
}

// benchData is the fixture's orgs and the way to generate their contacts.
type benchData struct {
	orgs []string
}

func newBenchData() *benchData {
	r := rand.New(rand.NewPCG(1, 2))
	d := &benchData{orgs: make([]string, benchOrgs)}
	for i := range d.orgs {
		d.orgs[i] = benchID(r, 1_700_000_000_000+uint64(i)*1000)
	}
	return d
}

// contacts generates the fixture's contacts, org by org, always the same
// ones, as an import would hold them after parsing its input.
func (d *benchData) contacts() []contacts.Contact {
	r := rand.New(rand.NewPCG(3, 4))
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]contacts.Contact, 0, benchTotal)
	for o, org := range d.orgs {
		domain := fmt.Sprintf("customer%04d.example", o)
		for i := range benchPerOrg {
			first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
			local := fmt.Sprintf("%s.%s%d", first, last, i)
			if r.IntN(3) > 0 {
				local = strings.ToLower(local)
			}
			c := contacts.Contact{
				Org:          org,
				ID:           benchID(r, 1_710_000_000_000+uint64(o*benchPerOrg+i)*10),
				Name:         first + " " + last,
				Email:        local + "@" + domain,
				Language:     languages[r.IntN(len(languages))],
				Roles:        benchRoles(i),
				Verification: contacts.Verified,
				Status:       contacts.Active,
				Version:      1,
				Created:      created,
				Updated:      created,
			}
			if i%5 == 0 {
				c.Groups = []string{fmt.Sprintf("g%02d", i%20)}
			}
			out = append(out, c)
		}
	}
	return out
}

// A sample names a stored contact to look up. Its strings are copies, made
// after the load, held together in a small slice: a request's inputs are in
// the cache, while the store's data, a million contacts' worth, is not.
type sample struct{ org, id, email, emailKey string }

// samples returns ten contacts of each org, in random order.
func samples(all []contacts.Contact) []sample {
	var out []sample
	for i := 37; i < len(all); i += benchPerOrg / 10 {
		c := all[i]
		out = append(out, sample{strings.Clone(c.Org), strings.Clone(c.ID), strings.Clone(c.Email), contacts.EmailKey(c.Email)})
	}
	r := rand.New(rand.NewPCG(7, 8))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// liveHeap returns the bytes of live heap after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

type storeFixture struct {
	orgs    []string
	samples []sample
	store   *memstore.Store
	load    time.Duration
	perItem float64 // live heap bytes per contact
}

var (
	storeOnce sync.Once
	storeFix  *storeFixture
)

// loadStore returns the shared store of a million contacts, loading it the
// first time: one Update that inserts the orgs, their groups and every
// contact, the bulk path an import takes. The load time excludes generating
// the contacts; the live heap counts everything the store keeps, the
// contacts' strings included.
func loadStore(b *testing.B) *storeFixture {
	b.Helper()
	storeOnce.Do(func() {
		data := newBenchData()
		f := &storeFixture{orgs: data.orgs}
		before := liveHeap()
		all := data.contacts()
		start := time.Now()
		f.store = memstore.New()
		err := f.store.Update(context.Background(), func(tx contacts.Tx) error {
			for _, org := range data.orgs {
				if err := tx.InsertOrg(contacts.Org{ID: org, Name: "Org " + org, Version: 1}); err != nil {
					return err
				}
				for g := range 20 {
					if err := tx.InsertGroup(contacts.Group{Org: org, ID: fmt.Sprintf("g%02d", g), Kind: contacts.Team, Version: 1}); err != nil {
						return err
					}
				}
			}
			for _, c := range all {
				if err := tx.InsertContact(c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("loading: %v", err)
		}
		f.load = time.Since(start)
		smp := samples(all)
		all = nil
		f.perItem = float64(liveHeap()-before) / benchTotal
		f.samples = smp
		storeFix = f
	})
	if storeFix == nil {
		b.Fatal("the fixture failed to load")
	}
	b.Logf("memstore: bulk load of %d contacts in %d orgs: %v; live heap %.0f B per contact",
		benchTotal, benchOrgs, storeFix.load.Round(time.Millisecond), storeFix.perItem)
	return storeFix
}

type rawFixture struct {
	db      *memdb.MemDB
	samples []sample
	load    time.Duration
	perItem float64
}

var (
	rawMu  sync.Mutex
	rawFix *rawFixture
)

// loadRaw builds the naive table: the same contacts in a plain go-memdb
// table whose indexes are memdb's stock reflection-based indexers, a
// CompoundIndex of StringFieldIndexes for (org, ID) and for (org, email).
//
// BenchmarkRawMemdbEmailLookup drops it when it ends, so that the store's
// load and live heap are measured without it, and it without the store.
func loadRaw(b *testing.B) *rawFixture {
	b.Helper()
	rawMu.Lock()
	defer rawMu.Unlock()
	if rawFix == nil {
		schema := &memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
			"contacts": {
				Name: "contacts",
				Indexes: map[string]*memdb.IndexSchema{
					"id": {Name: "id", Unique: true, Indexer: &memdb.CompoundIndex{Indexes: []memdb.Indexer{
						&memdb.StringFieldIndex{Field: "Org"},
						&memdb.StringFieldIndex{Field: "ID"},
					}}},
					"email": {Name: "email", Unique: true, Indexer: &memdb.CompoundIndex{Indexes: []memdb.Indexer{
						&memdb.StringFieldIndex{Field: "Org"},
						&memdb.StringFieldIndex{Field: "Email", Lowercase: true},
					}}},
				},
			},
		}}
		before := liveHeap()
		all := newBenchData().contacts()
		start := time.Now()
		db, err := memdb.NewMemDB(schema)
		if err != nil {
			b.Fatal(err)
		}
		txn := db.Txn(true)
		for _, c := range all {
			if err := txn.Insert("contacts", &c); err != nil {
				txn.Abort()
				b.Fatal(err)
			}
		}
		txn.Commit()
		load := time.Since(start)
		smp := samples(all)
		all = nil
		rawFix = &rawFixture{db: db, samples: smp, load: load, perItem: float64(liveHeap()-before) / benchTotal}
	}
	b.Logf("raw go-memdb: bulk load of %d contacts: %v; live heap %.0f B per contact",
		benchTotal, rawFix.load.Round(time.Millisecond), rawFix.perItem)
	return rawFix
}

// BenchmarkRawMemdbEmailLookup is the naive approach, for comparison with
// BenchmarkStoreContactByEmail: a read transaction and First on a compound
// index of stock indexers, returning the stored pointer without a copy.
func BenchmarkRawMemdbEmailLookup(b *testing.B) {
	f := loadRaw(b)
	b.Cleanup(func() {
		rawMu.Lock()
		rawFix = nil
		rawMu.Unlock()
	})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := f.samples[i%len(f.samples)]
		i++
		raw, err := f.db.Txn(false).First("contacts", "email", c.org, c.email)
		if err != nil || raw == nil {
			b.Fatalf("First(%s, %s) = %v, %v", c.org, c.email, raw, err)
		}
	}
}

// BenchmarkStoreContactByEmail looks contacts up by address (by EmailKey,
// which the caller computes) through View and ContactByEmail, in a store of
// a million: the path of every sign-in and invitation.
func BenchmarkStoreContactByEmail(b *testing.B) {
	f := loadStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := f.samples[i%len(f.samples)]
		i++
		err := f.store.View(ctx, func(tx contacts.ReadTx) error {
			_, err := tx.ContactByEmail(c.org, c.emailKey)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreContact looks contacts up by ID.
func BenchmarkStoreContact(b *testing.B) {
	f := loadStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := f.samples[i%len(f.samples)]
		i++
		err := f.store.View(ctx, func(tx contacts.ReadTx) error {
			_, err := tx.Contact(c.org, c.id)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreContactsPage lists a page of 50 contacts of an org.
func BenchmarkStoreContactsPage(b *testing.B) {
	f := loadStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		org := f.orgs[i%len(f.orgs)]
		i++
		err := f.store.View(ctx, func(tx contacts.ReadTx) error {
			_, err := tx.Contacts(org, contacts.Page{Limit: 50})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreInsertContact inserts one contact per Update, with a role
// and a group, into the store of a million.
func BenchmarkStoreInsertContact(b *testing.B) {
	f := loadStore(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 6))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		org := f.orgs[i%len(f.orgs)]
		c := contacts.Contact{
			Org: org, ID: benchID(r, 1_800_000_000_000+uint64(i)),
			Name: "New Contact", Email: fmt.Sprintf("new.contact%d@insert.example", i), Language: "en",
			Roles: []string{"business"}, Groups: []string{"g01"}, Version: 1,
		}
		i++
		if err := f.store.Update(ctx, func(tx contacts.Tx) error { return tx.InsertContact(c) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreUpdateContact reads a contact and writes it back with a
// new version and title in one Update, as the Service's edits do.
func BenchmarkStoreUpdateContact(b *testing.B) {
	f := loadStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s := f.samples[i%len(f.samples)]
		i++
		err := f.store.Update(ctx, func(tx contacts.Tx) error {
			c, err := tx.Contact(s.org, s.id)
			if err != nil {
				return err
			}
			c.Title = "Updated"
			c.Version++
			return tx.UpdateContact(c, c.Version-1)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreImport5000 inserts 5,000 contacts in one Update into the
// store of a million, as an import into a running store does.
func BenchmarkStoreImport5000(b *testing.B) {
	f := loadStore(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(9, 10))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		batch := make([]contacts.Contact, 5000)
		for i := range batch {
			batch[i] = contacts.Contact{
				Org: f.orgs[n%len(f.orgs)], ID: benchID(r, 1_900_000_000_000+uint64(n)),
				Name: "Imported Contact", Email: fmt.Sprintf("imported%d@import.example", n), Language: "en",
				Version: 1,
			}
			n++
		}
		err := f.store.Update(ctx, func(tx contacts.Tx) error {
			for _, c := range batch {
				if err := tx.InsertContact(c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchWriters is how many goroutines write concurrently in the durable
// benchmarks: the target is 5,000 acknowledged single-contact
// writes a second with eight.
const benchWriters = 8

// runWriters calls write b.N times in all, from benchWriters goroutines,
// and reports acknowledged writes per second.
func runWriters(b *testing.B, write func(i int) error) {
	b.Helper()
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		errs = make(chan error, benchWriters)
	)
	b.ResetTimer()
	start := time.Now()
	for range benchWriters {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := write(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "writes/s")
}

// BenchmarkDurableWrites inserts one contact per Update into a store with
// a data directory, from eight goroutines at once: each Update returns once
// its log record is fsynced, and concurrent ones share fsyncs.
func BenchmarkDurableWrites(b *testing.B) {
	s, err := memstore.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const org = "01JBENCHORG0000000000000000"
	if err := s.Update(ctx, func(tx contacts.Tx) error {
		return tx.InsertOrg(contacts.Org{ID: org, Name: "Bench", Version: 1})
	}); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	runWriters(b, func(i int) error {
		c := contacts.Contact{
			Org: org, ID: fmt.Sprintf("C%025d", i), Name: "Durable Contact",
			Email: fmt.Sprintf("durable%d@bench.example", i), Language: "en",
			Verification: contacts.Unverified, Status: contacts.Active,
			Version: 1, Created: now, Updated: now,
		}
		return s.Update(ctx, func(tx contacts.Tx) error { return tx.InsertContact(c) })
	})
}

// BenchmarkDurableCreateContact creates contacts through the Service, from
// eight goroutines: each write is a contact and its audit event, checked
// against the policy, in one durable Update.
func BenchmarkDurableCreateContact(b *testing.B) {
	s, err := memstore.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	pol, err := policy.New(policy.Default())
	if err != nil {
		b.Fatal(err)
	}
	svc := contacts.New(s, pol)
	ctx := context.Background()
	o, _, err := svc.CreateOrg(ctx, contacts.Actor{Vendor: "bench"}, contacts.NewOrg{Name: "Bench",
		Owner: contacts.NewContact{Name: "Owner", Email: "owner@bench.example"}})
	if err != nil {
		b.Fatal(err)
	}
	actor := contacts.Actor{Org: o.ID, Vendor: "bench"}
	runWriters(b, func(i int) error {
		_, err := svc.CreateContact(ctx, actor, o.ID, contacts.NewContact{
			Name: "Durable Contact", Email: fmt.Sprintf("durable%d@bench.example", i)})
		return err
	})
}
