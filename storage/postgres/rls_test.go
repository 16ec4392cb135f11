package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
)

var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// fillOrg stores one row of every kind for org, so that every table holds
// some of its rows.
func fillOrg(t *testing.T, s *Store, org string) {
	t.Helper()
	c := contacts.Contact{Org: org, ID: "c1", Name: "Ann", Email: "ann@example.com", Language: "en",
		Roles: []string{"owner"}, Groups: []string{"g1"}, Verification: contacts.Unverified, Status: contacts.Active,
		Version: 1, Created: t0, Updated: t0}
	err := s.Update(t.Context(), func(tx contacts.Tx) error {
		return errors.Join(
			tx.InsertOrg(contacts.Org{ID: org, Name: org, Version: 1, Created: t0, Updated: t0}),
			tx.InsertGroup(contacts.Group{Org: org, ID: "g1", Name: "Team", Kind: contacts.Team, Version: 1, Created: t0, Updated: t0}),
			tx.InsertContact(c),
			tx.PutSlotHolders(contacts.SlotHolders{Org: org, Slot: "billing", Version: 1, Updated: t0,
				Holders: []contacts.Holder{{Kind: contacts.HolderContact, ID: "c1"}}}, 0),
			tx.AppendConsent(contacts.ConsentRecord{Org: org, ID: "r1", Contact: "c1", Purpose: "newsletter", Granted: true,
				Actor: "c1", Self: true, Channel: contacts.ChannelWidget, LegalBasis: policy.Consent, Time: t0}),
			tx.InsertToken(contacts.Token{Hash: "hash-" + org, Kind: contacts.InviteToken, Org: org, Contact: "c1",
				EmailKey: "ann@example.com", Role: "admin", Invitation: "i1", Created: t0, Expires: t0.Add(time.Hour)}),
			tx.InsertChangeSet(contacts.ChangeSet{Org: org, ID: "cs1", State: contacts.Submitted, Requester: "c1",
				Edits:   []contacts.Edit{{Kind: contacts.EditGrantRole, Contact: "c1", Version: 1, Role: "admin"}},
				Version: 1, Created: t0, Updated: t0}),
			tx.InsertInvitation(contacts.Invitation{Org: org, ID: "i1", Contact: "c1", Role: "admin", Mode: contacts.InviteContacts,
				InvitedBy: "c1", TokenHash: "hash-" + org, Created: t0, Expires: t0.Add(time.Hour), Version: 1}),
			tx.AppendAudit(contacts.AuditEvent{Org: org, Seq: 1, Time: t0, Actor: "vendor:test", Action: "org.create",
				Target: "org/" + org, After: json.RawMessage(`{"name":"x"}`), DataDigest: "d", Hash: org + "-1"}),
			tx.PutWebhookCursor(contacts.WebhookCursor{Org: org, Endpoint: "crm", Delivered: 1, Version: 1, Updated: t0}, 0),
		)
	})
	if err != nil {
		t.Fatalf("filling org %s: %v", org, err)
	}
}

// asApp runs fn in a transaction of the admin pool that, like the driver's,
// runs as liaison_app in schema, with liaison.org and liaison.all_orgs set
// as given. The transaction is rolled back.
func asApp(t *testing.T, schema, org, all string, fn func(tx pgx.Tx) error) error {
	t.Helper()
	ctx := t.Context()
	tx, err := admin(t).Begin(ctx)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "select set_config('search_path', $1, true), set_config('liaison.org', $2, true), set_config('liaison.all_orgs', $3, true)",
		pgx.Identifier{schema}.Sanitize(), org, all); err != nil {
		t.Fatalf("setting the scope: %v", err)
	}
	if _, err := tx.Exec(ctx, "set local role "+appRole); err != nil {
		t.Fatalf("SET ROLE: %v", err)
	}
	return fn(tx)
}

// orgsIn runs select * on table in tx and returns the org column of every
// row it sees.
func orgsIn(t *testing.T, tx pgx.Tx, table string) []string {
	t.Helper()
	rows, err := tx.Query(t.Context(), "select * from "+pgx.Identifier{table}.Sanitize())
	if err != nil {
		t.Fatalf("select * from %s: %v", table, err)
	}
	defer rows.Close()
	col := slices.IndexFunc(rows.FieldDescriptions(), func(f pgconn.FieldDescription) bool { return f.Name == "org" })
	if col < 0 {
		t.Fatalf("table %s has no org column", table)
	}
	var orgs []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("select * from %s: %v", table, err)
		}
		orgs = append(orgs, vals[col].(string))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("select * from %s: %v", table, err)
	}
	return orgs
}

// wantCode checks that err is a server error with SQLSTATE code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code {
		t.Errorf("%s: got error %v, want SQLSTATE %s", what, err, code)
	}
}

// TestRowLevelSecurity: the backstop of RELIABILITY F5. As liaison_app,
// with one org set, every table shows that org's rows only, whatever the
// query's WHERE clause says; with none set, nothing; with all orgs, every
// row but no write.
func TestRowLevelSecurity(t *testing.T) {
	s, schema := openStore(t)
	fillOrg(t, s, "acme")
	fillOrg(t, s, "globex")

	t.Run("OneOrg", func(t *testing.T) {
		asApp(t, schema, "acme", "", func(tx pgx.Tx) error {
			for _, table := range tenantTables {
				got := orgsIn(t, tx, table)
				if len(got) == 0 || slices.ContainsFunc(got, func(o string) bool { return o != "acme" }) {
					t.Errorf("select * from %s with liaison.org acme: orgs %v, want acme's rows only", table, got)
				}
			}
			return nil
		})
	})
	t.Run("NoOrg", func(t *testing.T) {
		for _, org := range []string{"", "nobody"} {
			asApp(t, schema, org, "", func(tx pgx.Tx) error {
				for _, table := range tenantTables {
					if got := orgsIn(t, tx, table); len(got) != 0 {
						t.Errorf("select * from %s with liaison.org %q: orgs %v, want no rows", table, org, got)
					}
				}
				return nil
			})
		}
	})
	t.Run("AllOrgsReads", func(t *testing.T) {
		asApp(t, schema, "", "on", func(tx pgx.Tx) error {
			for _, table := range tenantTables {
				got := orgsIn(t, tx, table)
				slices.Sort(got)
				if got = slices.Compact(got); !slices.Equal(got, []string{"acme", "globex"}) {
					t.Errorf("select * from %s with all orgs: orgs %v, want acme and globex", table, got)
				}
			}
			return nil
		})
	})
	t.Run("AllOrgsWritesNothing", func(t *testing.T) {
		err := asApp(t, schema, "", "on", func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), "insert into groups (org, id, name, kind, version) values ('acme', 'g9', 'x', 'team', 1)")
			return err
		})
		wantCode(t, "insert with all orgs", err, "42501")
		asApp(t, schema, "", "on", func(tx pgx.Tx) error {
			for _, stmt := range []string{"update contacts set name = 'x'", "delete from groups",
				"update change_sets set state = 'x'", "update invitations set role = 'x'"} {
				tag, err := tx.Exec(t.Context(), stmt)
				if err != nil || tag.RowsAffected() != 0 {
					t.Errorf("%s with all orgs: %d rows, %v; want none", stmt, tag.RowsAffected(), err)
				}
			}
			return nil
		})
	})
	t.Run("DeleteOrgFunctionOnlyInScope", func(t *testing.T) {
		// liaison_delete_org runs with its owner's rights, so it checks
		// the scope itself: another org, all orgs, or none is refused,
		// and nothing of globex goes.
		for _, sc := range []struct{ org, all string }{{"acme", ""}, {"", "on"}, {"", ""}} {
			err := asApp(t, schema, sc.org, sc.all, func(tx pgx.Tx) error {
				_, err := tx.Exec(t.Context(), "select liaison_delete_org('globex')")
				return err
			})
			wantCode(t, fmt.Sprintf("liaison_delete_org('globex') with liaison.org %q, all orgs %q", sc.org, sc.all), err, "42501")
		}
		asApp(t, schema, "globex", "", func(tx pgx.Tx) error {
			for _, table := range tenantTables {
				if got := orgsIn(t, tx, table); len(got) == 0 {
					t.Errorf("%s lost globex's rows", table)
				}
			}
			return nil
		})
		// A temporary table shadowing one of the function's tables must
		// not be what it deletes from: its search_path names pg_temp last.
		err := asApp(t, schema, "acme", "", func(tx pgx.Tx) error {
			for _, stmt := range []string{
				"update orgs set closed_at = now() where org = 'acme'",
				"create temp table contact_roles (org text, contact text, role text)",
				"insert into pg_temp.contact_roles values ('acme', 'c1', 'owner')",
				"select liaison_delete_org('acme')",
			} {
				if _, err := tx.Exec(t.Context(), stmt); err != nil {
					return fmt.Errorf("%s: %w", stmt, err)
				}
			}
			var shadow, real int
			if err := tx.QueryRow(t.Context(), "select count(*) from pg_temp.contact_roles").Scan(&shadow); err != nil {
				return err
			}
			if err := tx.QueryRow(t.Context(), "select count(*) from "+pgx.Identifier{schema, "contact_roles"}.Sanitize()).Scan(&real); err != nil {
				return err
			}
			if shadow != 1 || real != 0 {
				t.Errorf("after liaison_delete_org with a shadowing temp table: temp rows %d, real rows %d; want 1 and 0", shadow, real)
			}
			return nil
		})
		if err != nil {
			t.Errorf("deleting a closed org in scope (rolled back): %v", err)
		}
		err = asApp(t, schema, "globex", "", func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), "select liaison_delete_org('globex')")
			return err
		})
		wantCode(t, "liaison_delete_org of an open org", err, "42501")
		var public bool
		if err := s.pool.QueryRow(t.Context(), "select has_function_privilege('public', $1, 'execute')",
			schema+".liaison_delete_org(text)").Scan(&public); err != nil || public {
			t.Errorf("PUBLIC may execute liaison_delete_org: %v, %v; want false", public, err)
		}
	})
	t.Run("OtherOrgsRowsUntouchable", func(t *testing.T) {
		asApp(t, schema, "acme", "", func(tx pgx.Tx) error {
			for _, stmt := range []string{
				"update contacts set name = 'x' where org = 'globex'",
				"delete from contacts where org = 'globex'",
				"update orgs set name = 'x' where org = 'globex'",
				"update change_sets set state = 'x' where org = 'globex'",
				"update invitations set role = 'owner' where org = 'globex'",
			} {
				tag, err := tx.Exec(t.Context(), stmt)
				if err != nil || tag.RowsAffected() != 0 {
					t.Errorf("%s with liaison.org acme: %d rows, %v; want none", stmt, tag.RowsAffected(), err)
				}
			}
			return nil
		})
		for _, stmt := range []string{
			"insert into groups (org, id, name, kind, version) values ('globex', 'g9', 'x', 'team', 1)",
			"update groups set org = 'globex' where org = 'acme'",
			"update change_sets set org = 'globex' where org = 'acme'",
			"update invitations set org = 'globex' where org = 'acme'",
			`insert into invitations (org, id, contact, role, mode, workspace, invited_by, token_hash, version)
				values ('globex', 'i9', 'c1', '', 'quiet', '', 'c1', 'h', 1)`,
		} {
			err := asApp(t, schema, "acme", "", func(tx pgx.Tx) error {
				_, err := tx.Exec(t.Context(), stmt)
				return err
			})
			wantCode(t, stmt+" with liaison.org acme", err, "42501")
		}
	})
	t.Run("LeastPrivilege", func(t *testing.T) {
		for _, stmt := range []string{
			"select * from schema_migrations",
			"update audit_events set actor = 'x'",
			"delete from audit_events",
			"update consent_records set granted = false",
			"delete from consent_records",
			"update tokens set org = 'globex'",
			"update tokens set role = 'owner'",
			"update tokens set invitation = 'i2'",
			"delete from tokens",
			"delete from orgs",
			"delete from change_sets",
			"delete from webhook_cursors",
			"delete from invitations",
		} {
			err := asApp(t, schema, "acme", "", func(tx pgx.Tx) error {
				_, err := tx.Exec(t.Context(), stmt)
				return err
			})
			wantCode(t, stmt+" as "+appRole, err, "42501")
		}
	})
	t.Run("DriverStatementsAreScoped", func(t *testing.T) {
		// A statement of the driver that forgot its org filter (run here
		// through the test hook, scoped as the driver scopes acme's
		// statements) still sees acme's rows only.
		err := s.Update(t.Context(), func(tx contacts.Tx) error {
			for _, table := range tenantTables {
				rows, err := rawQuery(tx, "acme", "select distinct org from "+table)
				if err != nil {
					return err
				}
				if len(rows) != 1 || rows[0][0] != "acme" {
					t.Errorf("driver statement on %s scoped to acme: orgs %v, want acme", table, rows)
				}
			}
			rows, err := rawQuery(tx, "acme", "select current_user")
			if err == nil && (len(rows) != 1 || rows[0][0] != appRole) {
				t.Errorf("driver statements run as %v, want %s", rows, appRole)
			}
			return err
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
	})
	t.Run("Catalog", func(t *testing.T) {
		checkCatalog(t, schema)
	})
}

// checkCatalog asserts what makes the policies apply (RELIABILITY F5): the
// application role is no superuser and cannot bypass row-level security,
// and every table of the schema but schema_migrations has an org column
// and enables and forces row-level security, and is not liaison_app's.
func checkCatalog(t *testing.T, schema string) {
	t.Helper()
	ctx := t.Context()
	pool := admin(t)
	var super, bypass, login bool
	if err := pool.QueryRow(ctx, "select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = $1", appRole).Scan(&super, &bypass, &login); err != nil {
		t.Fatalf("reading role %s: %v", appRole, err)
	}
	if super || bypass || login {
		t.Errorf("role %s: rolsuper %v, rolbypassrls %v, rolcanlogin %v; want all false", appRole, super, bypass, login)
	}
	rows, err := pool.Query(ctx, `
		select c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
			exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org' and not a.attisdropped)
		from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = $1 and c.relkind in ('r', 'p')
		order by c.relname`, schema)
	if err != nil {
		t.Fatalf("reading pg_class: %v", err)
	}
	var tables []string
	var name, owner string
	var rls, force, org bool
	_, err = pgx.ForEachRow(rows, []any{&name, &rls, &force, &owner, &org}, func() error {
		if name == "schema_migrations" {
			return nil
		}
		tables = append(tables, name)
		if !rls || !force || !org || owner == appRole {
			t.Errorf("table %s: relrowsecurity %v, relforcerowsecurity %v, org column %v, owner %s; want true, true, true, not %s",
				name, rls, force, org, owner, appRole)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading pg_class: %v", err)
	}
	want := slices.Sorted(slices.Values(tenantTables))
	if !slices.Equal(tables, want) {
		t.Errorf("tables of the schema: %v, want %v", tables, want)
	}
}
