// Package postgres is the PostgreSQL driver of Liaison: a
// [github.com/liaisonhq/liaison/contacts.Store] on jackc/pgx/v5, for hosts
// that run several portal replicas over one database.
//
// [Open] connects a pool, applies the embedded schema migrations and
// returns a [Store]:
//
//	store, err := postgres.Open(ctx, "postgres://liaison@db.internal/portal", postgres.WithSchema("liaison"))
//	if err != nil { ... }
//	defer store.Close()
//	svc := contacts.New(store, pol)
//
// # Schema and migrations
//
// The migrations (migrations/*.sql, embedded) are numbered and recorded in
// a schema_migrations table. Open applies the missing ones in a single
// transaction that first takes a transaction-level advisory lock, so any
// number of replicas may start at once: the first applies them, the others
// wait for it and find nothing left to do. A database whose schema is newer
// than the driver is refused. The DSN's user owns the tables: it needs
// CREATE on the schema (on the database too, for a [WithSchema] schema that
// does not exist yet) and, unless a DBA has created the liaison_app role
// already and granted the user membership in it, CREATEROLE.
//
// # Transactions
//
// [Store.View] runs fn in a READ ONLY REPEATABLE READ transaction: one
// snapshot. [Store.Update] runs fn in a SERIALIZABLE transaction, so
// multi-row invariants that the [contacts.Service] checks (the last owner,
// slot minimums) hold under concurrency (RELIABILITY B3, C5, F4). Update
// runs fn again, from the start, on a serialization failure (SQLSTATE
// 40001), a deadlock (40P01), or a unique violation that a concurrent
// transaction caused (the driver checks every uniqueness rule itself
// first, so a 23505 from the server means a row its snapshot could not
// see), up to [WithMaxAttempts] times with jittered exponential backoff,
// and then returns an error matching [contacts.ErrConflict]. Whatever fn
// returned on an attempt the database had already doomed is dropped with
// that attempt; an attempt whose fn returns nil after ignoring such an
// error is not committed.
// A broken connection is retried only when pgconn.SafeToRetry says the
// failed message never left the driver. Otherwise, before COMMIT was sent,
// Update returns the connection error: nothing was committed (the server
// rolls back a transaction whose connection drops). After COMMIT was sent
// it is never retried: Update returns an error matching
// [ErrOutcomeUnknown], and the caller must find out, through an
// idempotency key or by reading, whether the change landed (RELIABILITY
// C3; lib/pq #939 shows what a blind retry does). COMMIT waits for its
// answer even when ctx is cancelled, so a cancellation does not turn a
// commit into an unknown outcome.
//
// # Row-level security
//
// Every table has an org column, ROW LEVEL SECURITY enabled and FORCE ROW
// LEVEL SECURITY set, with policies over two settings: liaison.org and
// liaison.all_orgs. The migration creates the role liaison_app (NOLOGIN,
// NOBYPASSRLS, not a superuser, owner of nothing) with only the privileges
// the driver needs (consent records and audit events are insert-only; a
// token's only updatable column is used; orgs, slot records, change sets,
// invitations and webhook cursors are never deleted), and every transaction of the
// driver runs SET LOCAL ROLE liaison_app. Each statement runs with
// liaison.org set, transaction-locally, to the org it concerns; only the
// reads that the contract makes cross-org (Orgs, Token by hash, and the
// lookup half of UseToken) run with liaison.all_orgs on and liaison.org
// empty. What this guarantees: a statement of the driver for org A reads
// and changes only rows whose org is A, even if its WHERE clause forgot the
// org (a driver bug); no statement writes a row of another org than the one
// it is scoped to; statements scoped to all orgs cannot write at all; a
// transaction that set nothing sees nothing; and the application role can
// neither change nor delete consent records and audit events. Open refuses
// to run when liaison_app is a superuser or has BYPASSRLS, owns a table,
// or a table does not enable and force row-level security, so the
// backstop cannot silently lapse (RELIABILITY F5). What it does not guarantee:
// it does not check that the org a method is given is one the actor may
// use (the Service does that), and it is no barrier against someone who
// can run arbitrary SQL on the driver's connection, who can RESET ROLE or
// change the settings. It is a backstop, not the access control.
//
// # Values
//
// IDs and keys are stored with COLLATE "C", so listings come in byte order.
// A contact's unique key is contacts.EmailKey of its address, computed by
// the driver and stored beside it. Times are stored as timestamptz, to the
// microsecond (the Service's clock is truncated to microseconds; a finer
// time is truncated, except an audit event's, which is refused because its
// hash covers the time), and come back in UTC; a zero time is stored as
// NULL. A change set's edits and comments are jsonb arrays in the contacts
// types' own JSON encoding (so renaming one of their JSON keys is a schema
// change), and its other fields columns. Times inside a slot's holders, a
// contact's consent states and a change set's edits and comments are JSON
// and kept exactly, coming back in UTC. Audit data is stored as the exact bytes given,
// since its digest covers them (jsonb would reorder the keys). Text
// PostgreSQL cannot store (a NUL byte, invalid UTF-8) is refused before it
// is sent, however deep in a change set it is, and a read of such an ID
// finds nothing, so neither aborts the transaction.
//
// Tests reach a server through LIAISON_POSTGRES_DSN; without it they skip.
package postgres
