package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/storagetest"
)

// The tests reach a server through LIAISON_POSTGRES_DSN, connecting as a
// user that may create schemas (and, the first time, the liaison_app
// role). Each test gets a schema of its own, dropped when it ends.

const skipMessage = "LIAISON_POSTGRES_DSN is not set; the PostgreSQL driver tests need a server (for example postgres://postgres@127.0.0.1:5432/test)"

func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("LIAISON_POSTGRES_DSN")
	if dsn == "" {
		t.Skip(skipMessage)
	}
	return dsn
}

var (
	adminMu   sync.Mutex
	adminPool *pgxpool.Pool
)

// admin returns a pool connected as the DSN's user, outside any schema of a
// test, for setting up and inspecting.
func admin(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dsn := testDSN(t)
	adminMu.Lock()
	defer adminMu.Unlock()
	if adminPool == nil {
		p, err := pgxpool.New(context.Background(), dsn)
		if err != nil {
			t.Fatalf("connecting to %s: %v", dsn, err)
		}
		adminPool = p
	}
	return adminPool
}

func TestMain(m *testing.M) {
	code := m.Run()
	dropSchemasAtExit()
	if adminPool != nil {
		adminPool.Close()
	}
	os.Exit(code)
}

// freshSchema returns the name of a schema that does not exist yet, which
// is dropped with everything in it when the test ends.
func freshSchema(t testing.TB) string {
	t.Helper()
	pool := admin(t)
	var b [6]byte
	rand.Read(b[:])
	name := "liaison_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "drop schema if exists "+pgx.Identifier{name}.Sanitize()+" cascade"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return name
}

// openStore opens a store over a fresh schema, closed when the test ends.
func openStore(t testing.TB, opts ...Option) (*Store, string) {
	t.Helper()
	schema := freshSchema(t)
	s, err := Open(t.Context(), testDSN(t), append([]Option{WithSchema(schema)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, schema
}

func TestStore(t *testing.T) {
	testDSN(t)
	storagetest.Run(t, func(t *testing.T) contacts.Store {
		s, _ := openStore(t)
		return s
	})
}

// rawQuery runs sql inside the transaction tx of this driver, scoped to org
// (all orgs when org is "*"), and returns the rows: the test hook for
// running SQL of the test's own among the driver's statements.
func rawQuery(tx contacts.ReadTx, org, sql string, args ...any) ([][]any, error) {
	var st *txState
	switch tx := tx.(type) {
	case *readTx:
		st = tx.state
	case *writeTx:
		st = tx.state
	default:
		return nil, fmt.Errorf("rawQuery: %T is not a transaction of this driver", tx)
	}
	sc := orgScope(org)
	if org == "*" {
		sc = allOrgs
	}
	var out [][]any
	err := st.query("rawQuery", sc, sql, args, func(rows pgx.Rows) error {
		vals, err := rows.Values()
		out = append(out, vals)
		return err
	})
	return out, err
}
