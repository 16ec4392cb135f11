package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
)

// The benchmarks of the issue "Durable storage" (recorded in BENCHMARKS.md):
// Recipients and the directory's first page with 1,000,000 contacts loaded,
// 1,000 orgs of 1,000 contacts, loaded with COPY. LIAISON_BENCH_CONTACTS
// changes the total (a multiple of 1,000).

const benchOrgs = 1000

type benchFixture struct {
	svc    *contacts.Service
	store  *Store
	schema string
	orgs   []string
}

var (
	benchOnce sync.Once
	benchFix  *benchFixture
	benchErr  error
)

// loadBench builds the fixture once per process; TestMain's cleanup drops
// its schema.
func loadBench(b *testing.B) *benchFixture {
	b.Helper()
	testDSN(b)
	benchOnce.Do(func() { benchFix, benchErr = newBenchFixture(b) })
	if benchErr != nil {
		b.Fatalf("loading the fixture: %v", benchErr)
	}
	return benchFix
}

func newBenchFixture(b *testing.B) (*benchFixture, error) {
	total := 1_000_000
	if v := os.Getenv("LIAISON_BENCH_CONTACTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < benchOrgs {
			return nil, fmt.Errorf("LIAISON_BENCH_CONTACTS=%q: want a number of at least %d", v, benchOrgs)
		}
		total = n
	}
	perOrg := total / benchOrgs
	ctx := context.Background()
	var buf [6]byte
	for i := range buf {
		buf[i] = byte('a' + rand.N(26))
	}
	schema := "liaison_bench_" + string(buf[:])
	dropAtExit(schema)
	s, err := Open(ctx, testDSN(b), WithSchema(schema))
	if err != nil {
		return nil, err
	}
	pol, err := policy.New(policy.Default())
	if err != nil {
		return nil, err
	}
	f := &benchFixture{svc: contacts.New(s, pol), store: s, schema: schema}

	start := time.Now()
	conn, err := admin(b).Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	// As the DSN's (super)user: COPY does not run under row-level
	// security, and the role and group indexes are filled in one statement
	// afterwards instead of by the trigger, row by row.
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "set local search_path to "+pgx.Identifier{schema}.Sanitize()+"; set local session_replication_role = replica"); err != nil {
		return nil, err
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var orgRows, contactRows, groupRows, slotRows [][]any
	for o := range benchOrgs {
		org := fmt.Sprintf("org%04d", o)
		f.orgs = append(f.orgs, org)
		orgRows = append(orgRows, []any{org, "Org " + org, "", []string{}, now, now, nil, int64(1), now, now, ""})
		groupRows = append(groupRows, []any{org, "g1", "Team", "team", int64(1), now, now})
		slotRows = append(slotRows,
			[]any{org, "billing", []byte(`[{"kind":"contact","id":"c00001"},{"kind":"group","id":"g1"}]`), int64(1), now},
			[]any{org, "primary", []byte(`[{"kind":"contact","id":"c00000"}]`), int64(1), now})
		for c := range perOrg {
			id := fmt.Sprintf("c%05d", c)
			email := fmt.Sprintf("user%d@%s.example", c, org)
			var roles, groups []string
			switch {
			case c == 0:
				roles = []string{"owner"}
			case c < 4:
				roles = []string{"admin"}
			}
			if c%100 < 5 {
				groups = []string{"g1"} // 5 % of contacts, 50 per org
			}
			dc := contacts.Contact{Org: org, ID: id, Name: "User " + id, Email: email}
			contactRows = append(contactRows, append([]any{org, id, dc.Name, email, "en", "", "", "client", "",
				nil, strs(roles), strs(groups), []byte("[]"), "verified", "active", now, int64(1), now, now, contacts.EmailKey(email)},
				directoryArgs(dc)...))
		}
		if len(contactRows) >= 100_000 || o == benchOrgs-1 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"contacts"}, append(splitCols(contactCols), "email_key", "dir_key", "name_fold", "email_fold"), pgx.CopyFromRows(contactRows)); err != nil {
				return nil, fmt.Errorf("copying contacts: %w", err)
			}
			contactRows = contactRows[:0]
		}
	}
	for _, c := range []struct {
		table string
		cols  string
		rows  [][]any
	}{
		{"orgs", orgCols, orgRows}, {"groups", groupCols, groupRows}, {"slot_holders", slotCols, slotRows},
	} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, splitCols(c.cols), pgx.CopyFromRows(c.rows)); err != nil {
			return nil, fmt.Errorf("copying %s: %w", c.table, err)
		}
	}
	if _, err := tx.Exec(ctx, `
		insert into contact_roles (org, role, contact) select org, unnest(roles), id from contacts;
		insert into contact_groups (org, grp, contact) select org, unnest(group_ids), id from contacts;
		analyze`); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	b.Logf("loaded %d contacts in %d orgs in %v", perOrg*benchOrgs, benchOrgs, time.Since(start).Round(time.Millisecond))
	return f, nil
}

func splitCols(cols string) []string { return strings.Split(cols, ", ") }

var (
	dropMu    sync.Mutex
	dropNames []string
)

// dropAtExit records a schema for TestMain to drop when the tests end.
func dropAtExit(schema string) {
	dropMu.Lock()
	defer dropMu.Unlock()
	dropNames = append(dropNames, schema)
}

func dropSchemasAtExit() {
	dropMu.Lock()
	defer dropMu.Unlock()
	if benchFix != nil {
		benchFix.store.Close()
	}
	for _, name := range dropNames {
		if adminPool != nil {
			adminPool.Exec(context.Background(), "drop schema if exists "+pgx.Identifier{name}.Sanitize()+" cascade")
		}
	}
}

// BenchmarkRecipients: the vendor's main read path, on a random org of the
// fixture: a slot held by a contact and a group of 50 members, the contact
// among them.
func BenchmarkRecipients(b *testing.B) {
	f := loadBench(b)
	ctx := context.Background()
	var p percentiles
	b.ResetTimer()
	for b.Loop() {
		org := f.orgs[rand.N(len(f.orgs))]
		start := time.Now()
		r, err := f.svc.Recipients(ctx, org, "billing", "")
		p.add(time.Since(start))
		if err != nil || len(r) != 50 {
			b.Fatalf("Recipients(%s) = %d recipients, %v; want 50", org, len(r), err)
		}
	}
	p.report(b)
}

// percentiles collects the duration of each operation, to report the
// median and the 99th percentile beside the mean.
type percentiles []time.Duration

func (p *percentiles) add(d time.Duration) { *p = append(*p, d) }

func (p percentiles) report(b *testing.B) {
	if len(p) == 0 {
		return
	}
	slices.Sort(p)
	b.ReportMetric(float64(p[len(p)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(p[len(p)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkDirectoryFirstPage: the first page of an org's directory (sorted
// by name, clients), as the owner sees it in the widget.
func BenchmarkDirectoryFirstPage(b *testing.B) {
	f := loadBench(b)
	ctx := context.Background()
	var p percentiles
	b.ResetTimer()
	for b.Loop() {
		org := f.orgs[rand.N(len(f.orgs))]
		start := time.Now()
		page, err := f.svc.Directory(ctx, contacts.Actor{Org: org, Contact: "c00000"}, org, contacts.DirectoryQuery{Filter: contacts.FilterClients})
		p.add(time.Since(start))
		if err != nil || len(page.Contacts) != contacts.DefaultPageSize {
			b.Fatalf("Directory(%s) = %d contacts, %v", org, len(page.Contacts), err)
		}
	}
	p.report(b)
}

// BenchmarkDirectorySearchPage: the first page of a text search in an
// org's directory.
func BenchmarkDirectorySearchPage(b *testing.B) {
	f := loadBench(b)
	ctx := context.Background()
	var p percentiles
	b.ResetTimer()
	for b.Loop() {
		org := f.orgs[rand.N(len(f.orgs))]
		start := time.Now()
		page, err := f.svc.Directory(ctx, contacts.Actor{Org: org, Contact: "c00000"}, org, contacts.DirectoryQuery{Text: "user c001"})
		p.add(time.Since(start))
		if err != nil || len(page.Contacts) != contacts.DefaultPageSize {
			b.Fatalf("Directory(%s) = %d contacts, %v", org, len(page.Contacts), err)
		}
	}
	p.report(b)
}
