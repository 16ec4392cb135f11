package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// A migration is one numbered file of migrations/: NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order. Their names
// are ours and fixed: a bad one is a programmer error the tests catch.
func migrations() []migration {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		panic(fmt.Sprintf("postgres: reading the embedded migrations: %v", err))
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			panic(fmt.Sprintf("postgres: migration %s is not named NNNN_name.sql", e.Name()))
		}
		sql, err := fs.ReadFile(migrationFiles, path.Join("migrations", e.Name()))
		if err != nil {
			panic(fmt.Sprintf("postgres: reading migration %s: %v", e.Name(), err))
		}
		out = append(out, migration{version: v, name: name, sql: string(sql)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			panic(fmt.Sprintf("postgres: migration %d is missing or doubled", i+1))
		}
	}
	return out
}

// migrationLock is the key of the advisory lock that serialises migrations
// in a database: "liaison" in ASCII.
const migrationLock int64 = 0x6c696169736f6e

// tenantTables are the tables that hold orgs' data; each has an org column
// and row-level security.
var tenantTables = []string{"orgs", "contacts", "contact_roles", "contact_groups", "groups",
	"slot_holders", "consent_records", "tokens", "audit_events", "change_sets", "invitations", "webhook_cursors"}

// migrate applies the migrations the database lacks, in one transaction
// holding the migration lock, so that replicas starting together apply them
// once; then it checks that row-level security is in force.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	if err := apply(ctx, pool, schema, migrations()); err != nil {
		return err
	}
	return checkSecurity(ctx, pool)
}

// apply applies the migrations of all that the database lacks, as migrate
// describes; all is every migration of this driver, in order, or (in
// tests) the first of them.
func apply(ctx context.Context, pool *pgxpool.Pool, schema string, all []migration) error {
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return fmt.Errorf("taking the migration lock: %w", err)
		}
		if schema != "" {
			var exists bool
			if err := tx.QueryRow(ctx, "select exists (select 1 from pg_namespace where nspname = $1)", schema).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				if _, err := tx.Exec(ctx, "create schema "+pgx.Identifier{schema}.Sanitize()); err != nil {
					return fmt.Errorf("creating schema %s: %w", schema, err)
				}
			}
		}
		var current *string
		if err := tx.QueryRow(ctx, "select current_schema()").Scan(&current); err != nil {
			return err
		}
		if current == nil {
			return fmt.Errorf("no schema on the search_path exists to create the tables in")
		}
		if _, err := tx.Exec(ctx, `create table if not exists schema_migrations (
			version integer primary key,
			name text not null,
			applied timestamptz not null default now())`); err != nil {
			return err
		}
		var done []int
		rows, err := tx.Query(ctx, "select version from schema_migrations order by version")
		if err != nil {
			return err
		}
		if done, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil {
			return err
		}
		if len(done) > 0 && done[len(done)-1] > len(all) {
			return fmt.Errorf("the schema is at version %d, newer than this driver's %d: upgrade Liaison", done[len(done)-1], len(all))
		}
		for _, m := range all {
			if slices.Contains(done, m.version) {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("applying migration %d (%s): %w", m.version, m.name, err)
			}
			if _, err := tx.Exec(ctx, "insert into schema_migrations (version, name) values ($1, $2)", m.version, m.name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	return nil
}

// querier is a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// checkSecurity refuses to run when row-level security would not apply to
// the application role (RELIABILITY F5): a superuser or BYPASSRLS role
// bypasses every policy, and so does a table's owner unless FORCE ROW LEVEL
// SECURITY is set.
func checkSecurity(ctx context.Context, q querier) error {
	var super, bypass bool
	err := q.QueryRow(ctx, "select rolsuper, rolbypassrls from pg_roles where rolname = $1", appRole).Scan(&super, &bypass)
	if err != nil {
		return fmt.Errorf("postgres: reading role %s: %w", appRole, err)
	}
	if super || bypass {
		return fmt.Errorf("postgres: role %s is a superuser or has BYPASSRLS, so row-level security would not apply to it", appRole)
	}
	rows, err := q.Query(ctx, `
		select c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner)
		from pg_class c
		where c.relnamespace = current_schema()::regnamespace and c.relname = any ($1)`, tenantTables)
	if err != nil {
		return fmt.Errorf("postgres: reading the tables: %w", err)
	}
	seen := 0
	var name, owner string
	var rls, force bool
	_, err = pgx.ForEachRow(rows, []any{&name, &rls, &force, &owner}, func() error {
		seen++
		switch {
		case !rls || !force:
			return fmt.Errorf("table %s does not enable and force row-level security", name)
		case owner == appRole:
			return fmt.Errorf("table %s is owned by %s, which would bypass its policies", name, appRole)
		}
		return nil
	})
	if err == nil && seen != len(tenantTables) {
		err = fmt.Errorf("found %d of the %d tables", seen, len(tenantTables))
	}
	if err != nil {
		return fmt.Errorf("postgres: checking row-level security: %w", err)
	}
	return nil
}
