package postgres

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liaisonhq/liaison/contacts"
)

func TestMigrations_Embedded(t *testing.T) {
	all := migrations()
	if len(all) == 0 || all[0].version != 1 {
		t.Fatalf("migrations() = %d, first %+v; want versions from 1", len(all), all)
	}
}

// appliedVersions reads schema's schema_migrations.
func appliedVersions(t *testing.T, schema string) []int {
	t.Helper()
	rows, err := admin(t).Query(t.Context(), "select version from "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+" order by version")
	if err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	return versions
}

// TestOpen_ReplicasStartTogether: stores opened at once over one empty
// schema apply the migrations once, and all of them work.
func TestOpen_ReplicasStartTogether(t *testing.T) {
	const replicas = 8
	schema := freshSchema(t)
	stores := make([]*Store, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range replicas {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = Open(t.Context(), testDSN(t), WithSchema(schema))
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Open: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if got := appliedVersions(t, schema); len(got) != len(migrations()) {
		t.Errorf("schema_migrations holds %v, want each of the %d migrations once", got, len(migrations()))
	}
	for i, s := range stores {
		err := s.Update(t.Context(), func(tx contacts.Tx) error {
			return tx.InsertOrg(contacts.Org{ID: string(rune('a' + i)), Name: "x", Version: 1})
		})
		if err != nil {
			t.Errorf("replica %d: Update: %v", i, err)
		}
	}
	checkCatalog(t, schema)
}

// TestOpen_Idempotent: opening a migrated schema again changes nothing and
// keeps the data.
func TestOpen_Idempotent(t *testing.T) {
	s, schema := openStore(t)
	insertOrg(t, s, "acme")
	s.Close()
	s2, err := Open(t.Context(), testDSN(t), WithSchema(schema))
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s2.Close()
	if got := appliedVersions(t, schema); len(got) != len(migrations()) {
		t.Errorf("schema_migrations holds %v after a second Open", got)
	}
	err = s2.View(t.Context(), func(tx contacts.ReadTx) error {
		_, err := tx.Org("acme")
		return err
	})
	if err != nil {
		t.Errorf("Org after reopening: %v", err)
	}
}

// TestOpen_RefusesNewerSchema: a schema migrated by a newer driver is not
// used by an older one.
func TestOpen_RefusesNewerSchema(t *testing.T) {
	s, schema := openStore(t)
	s.Close()
	if _, err := admin(t).Exec(t.Context(), "insert into "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+" (version, name) values (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(t.Context(), testDSN(t), WithSchema(schema))
	if err == nil {
		s2.Close()
		t.Fatal("Open over a newer schema succeeded")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open = %v, want it to say the schema is newer", err)
	}
}

// TestOpen_RefusesBypassingRole: Open checks the application role, so a
// liaison_app that a DBA made BYPASSRLS is refused rather than trusted.
func TestOpen_RefusesBypassingRole(t *testing.T) {
	_, schema := openStore(t)
	ctx := t.Context()
	// Inside a transaction that is rolled back, so other tests never see
	// the role altered.
	tx, err := admin(t).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "alter role "+appRole+" bypassrls"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "select set_config('search_path', $1, true)", pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	err = checkSecurity(ctx, tx)
	if err == nil || !strings.Contains(err.Error(), "BYPASSRLS") {
		t.Errorf("checkSecurity with a BYPASSRLS role = %v, want a refusal", err)
	}
	if _, err := tx.Exec(ctx, "alter role "+appRole+" nobypassrls; alter table "+pgx.Identifier{schema, "contacts"}.Sanitize()+" no force row level security"); err != nil {
		t.Fatal(err)
	}
	err = checkSecurity(ctx, tx)
	if err == nil || !strings.Contains(err.Error(), "contacts") {
		t.Errorf("checkSecurity with a table not forcing row-level security = %v, want a refusal", err)
	}
}

// TestOpen_NonSuperuserOwner: the deployment the design expects, where the
// DSN's user owns the tables but is no superuser, and a DBA created
// liaison_app and made the owner a member. The driver works, and the owner
// itself, outside the driver, is held by the policies too (FORCE ROW LEVEL
// SECURITY): with no org set it sees nothing.
func TestOpen_NonSuperuserOwner(t *testing.T) {
	ctx := t.Context()
	pool := admin(t)
	owner := "liaison_test_owner_" + strings.TrimPrefix(freshSchema(t), "liaison_test_")
	schema := freshSchema(t)
	var db string
	if err := pool.QueryRow(ctx, "select current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	quoted := pgx.Identifier{owner}.Sanitize()
	for _, stmt := range []string{
		"create role " + quoted + " login nosuperuser nocreaterole nobypassrls",
		"grant create on database " + pgx.Identifier{db}.Sanitize() + " to " + quoted,
		"grant " + appRole + " to " + quoted,
	} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		ctx := context.Background()
		// This runs before freshSchema's cleanup (the last registered runs
		// first), so it drops the schema itself, before the role owning it.
		for _, stmt := range []string{
			"drop schema if exists " + pgx.Identifier{schema}.Sanitize() + " cascade",
			"drop owned by " + quoted,
			"drop role " + quoted,
		} {
			if _, err := pool.Exec(ctx, stmt); err != nil {
				t.Errorf("%s: %v", stmt, err)
			}
		}
	})

	s, err := Open(ctx, testDSN(t), WithSchema(schema), WithPoolConfig(func(c *pgxpool.Config) { c.ConnConfig.User = owner }))
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "28000" || strings.Contains(err.Error(), "password") {
			t.Skipf("cannot log in as a new role on this server: %v", err)
		}
		t.Fatalf("Open as %s: %v", owner, err)
	}
	defer s.Close()
	fillOrg(t, s, "acme")
	if err := s.View(ctx, func(tx contacts.ReadTx) error {
		_, err := tx.Contact("acme", "c1")
		return err
	}); err != nil {
		t.Errorf("reading through the driver as %s: %v", owner, err)
	}

	cfg, err := pgx.ParseConfig(testDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.User = owner
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connecting as %s: %v", owner, err)
	}
	defer conn.Close(context.Background())
	for _, org := range []string{"", "acme"} {
		var n int
		err := conn.QueryRow(ctx, "select set_config('liaison.org', $1, false)", org).Scan(new(string))
		if err == nil {
			err = conn.QueryRow(ctx, "select count(*) from "+pgx.Identifier{schema, "contacts"}.Sanitize()).Scan(&n)
		}
		want := map[string]int{"": 0, "acme": 1}[org]
		if err != nil || n != want {
			t.Errorf("the owner counting contacts with liaison.org %q: %d, %v; want %d", org, n, err, want)
		}
	}
}

// TestOpen_UpgradesFromVersion1: Open brings a schema that the first
// migration made, holding rows written then, to the latest version. The
// old rows read back with the fields added since empty, every table keeps
// row-level security, and the new tables and columns work.
func TestOpen_UpgradesFromVersion1(t *testing.T) {
	ctx := t.Context()
	schema := freshSchema(t)
	cfg, err := pgxpool.ParseConfig(testDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := apply(ctx, pool, schema, migrations()[:1]); err != nil {
		t.Fatalf("applying migration 1: %v", err)
	}
	if got := appliedVersions(t, schema); !slices.Equal(got, []int{1}) {
		t.Fatalf("schema_migrations holds %v, want [1]", got)
	}
	// Rows as the first version's driver wrote them, naming its columns.
	for _, stmt := range []string{
		`insert into orgs (org, name, parent, allowed_email_domains, confirmed_at, reviewed_at, closed_at, version, created, updated)
			values ('acme', 'Acme', '', '{}', null, null, null, 1, $1, $1)`,
		`insert into tokens (hash, org, kind, contact, email_key, purpose, created, expires, used)
			values ('h1', 'acme', 'verify', 'c1', 'ann@example.com', '', $1, $1, null)`,
	} {
		if _, err := pool.Exec(ctx, stmt, t0); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}

	s, err := Open(ctx, testDSN(t), WithSchema(schema))
	if err != nil {
		t.Fatalf("Open over version 1: %v", err)
	}
	defer s.Close()
	if got, want := appliedVersions(t, schema), len(migrations()); len(got) != want || got[len(got)-1] != want {
		t.Errorf("schema_migrations holds %v after Open, want 1 to %d", got, want)
	}
	checkCatalog(t, schema)

	wantOrg := contacts.Org{ID: "acme", Name: "Acme", Version: 1, Created: t0.Truncate(time.Microsecond), Updated: t0.Truncate(time.Microsecond)}
	wantTok := contacts.Token{Hash: "h1", Kind: contacts.VerifyToken, Org: "acme", Contact: "c1", EmailKey: "ann@example.com",
		Created: t0.Truncate(time.Microsecond), Expires: t0.Truncate(time.Microsecond)}
	err = s.View(ctx, func(tx contacts.ReadTx) error {
		o, err := tx.Org("acme")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(o, wantOrg) {
			t.Errorf("Org(acme) of version 1 = %+v, want %+v", o, wantOrg)
		}
		tok, err := tx.Token("h1")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(tok, wantTok) {
			t.Errorf("Token(h1) of version 1 = %+v, want %+v", tok, wantTok)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	err = s.Update(ctx, func(tx contacts.Tx) error {
		o := wantOrg
		o.InviteLink, o.Version = "h2", 2
		return errors.Join(
			tx.UpdateOrg(o, 1),
			tx.InsertToken(contacts.Token{Hash: "h2", Kind: contacts.InviteLinkToken, Org: "acme", Role: "normal", Created: t0}),
			tx.UseToken("h1", t0),
			tx.InsertChangeSet(contacts.ChangeSet{Org: "acme", ID: "cs1", State: contacts.Draft, Version: 1}),
			tx.InsertInvitation(contacts.Invitation{Org: "acme", ID: "i1", Mode: contacts.InviteQuiet, Version: 1}),
			tx.PutWebhookCursor(contacts.WebhookCursor{Org: "acme", Endpoint: "crm", Delivered: 3, Version: 1}, 0),
		)
	})
	if err != nil {
		t.Fatalf("Update after the upgrade: %v", err)
	}
	err = s.View(ctx, func(tx contacts.ReadTx) error {
		o, err1 := tx.Org("acme")
		tok, err2 := tx.Token("h2")
		_, err3 := tx.ChangeSet("acme", "cs1")
		_, err4 := tx.Invitation("acme", "i1")
		_, err5 := tx.WebhookCursor("acme", "crm")
		if o.InviteLink != "h2" || tok.Role != "normal" {
			t.Errorf("after the upgrade: invite link %q, token role %q; want h2, normal", o.InviteLink, tok.Role)
		}
		return errors.Join(err1, err2, err3, err4, err5)
	})
	if err != nil {
		t.Errorf("View after the upgrade: %v", err)
	}
}
