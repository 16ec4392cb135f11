package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liaisonhq/liaison/contacts"
)

// ErrOutcomeUnknown is matched by the error Update returns when the
// connection failed after COMMIT was sent: the transaction may or may not
// have committed, and the driver does not retry it (RELIABILITY C3). The
// caller finds out by reading, or relies on an idempotency key.
var ErrOutcomeUnknown = errors.New("postgres: transaction outcome unknown")

// ErrClosed is returned by View and Update after Close.
var ErrClosed = errors.New("postgres: store is closed")

// appRole is the role every transaction runs as; the first migration
// creates it.
const appRole = "liaison_app"

// Store is the PostgreSQL [contacts.Store]. It is safe for concurrent use;
// each View and Update holds one pooled connection while it runs.
type Store struct {
	pool   *pgxpool.Pool
	closed atomic.Bool

	maxAttempts   int
	backoff       time.Duration // the first retry's maximum wait
	maxBackoff    time.Duration
	commitTimeout time.Duration

	// Test hooks: tests change how an Update begins (to show that a weaker
	// isolation level fails them) and ends (to fail the connection right
	// after the commit), and watch each statement of an Update, COMMIT
	// included (to fail the connection before it).
	beginSQL    string
	commitSQL   string
	onStatement func(pid uint32, n int)
}

var _ contacts.Store = (*Store)(nil)

// An Option configures [Open].
type Option func(*config)

type config struct {
	schema      string
	maxAttempts int
	pool        func(*pgxpool.Config)
}

// WithSchema keeps Liaison's tables in the named schema, creating it if
// needed: the pool's connections get it as their search_path. Without it
// the DSN's search_path (or the server's default) decides.
func WithSchema(name string) Option { return func(c *config) { c.schema = name } }

// WithMaxAttempts sets how many times Update runs fn before it gives up on
// serialization failures; the default is 16. Values below 1 mean 1.
func WithMaxAttempts(n int) Option { return func(c *config) { c.maxAttempts = max(n, 1) } }

// WithPoolConfig lets fn adjust the pool's configuration (sizes, timeouts,
// tracing) after the DSN is parsed.
func WithPoolConfig(fn func(*pgxpool.Config)) Option { return func(c *config) { c.pool = fn } }

// Open connects to the database dsn names (a URL or keyword/value string,
// as pgx parses it), applies the schema migrations the database lacks, checks
// that row-level security is in force, and returns the store.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg := config{maxAttempts: 16}
	for _, o := range opts {
		o(&cfg)
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parsing the DSN: %w", err)
	}
	if cfg.schema != "" {
		pcfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{cfg.schema}.Sanitize()
	}
	if cfg.pool != nil {
		cfg.pool(pcfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, pool, cfg.schema); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{
		pool:          pool,
		maxAttempts:   cfg.maxAttempts,
		backoff:       2 * time.Millisecond,
		maxBackoff:    250 * time.Millisecond,
		commitTimeout: 30 * time.Second,
		beginSQL:      beginUpdate,
		commitSQL:     "commit",
	}, nil
}

// Close closes the pool, waiting for running transactions to finish; later
// Views and Updates return [ErrClosed]. It always returns nil.
func (s *Store) Close() error {
	if !s.closed.Swap(true) {
		s.pool.Close()
	}
	return nil
}

// The statements that start a transaction, in one round trip. The
// set_config takes the snapshot at once, so a View sees the state of when
// it began, and leaves the transaction scoped to no org.
const (
	beginView   = "begin isolation level repeatable read read only; set local role " + appRole + "; select set_config('liaison.org', '', true)"
	beginUpdate = "begin isolation level serializable; set local role " + appRole + "; select set_config('liaison.org', '', true)"
)

// View runs fn in a read-only transaction over one snapshot. It returns
// ctx's error, without calling fn, when ctx is already done, and fn's error
// unchanged.
func (s *Store) View(ctx context.Context, fn func(contacts.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	conn, err := s.beginRetrying(ctx, beginView)
	if err != nil {
		return err
	}
	st := &txState{ctx: ctx, conn: conn}
	defer s.end(ctx, st)
	return fn(&readTx{state: st})
}

// beginRetrying is begin, tried again while its failure is one that
// pgconn.SafeToRetry vouches for.
func (s *Store) beginRetrying(ctx context.Context, sql string) (*pgxpool.Conn, error) {
	for attempt := 1; ; attempt++ {
		conn, err := s.begin(ctx, sql)
		if err == nil || !pgconn.SafeToRetry(err) || ctx.Err() != nil || attempt >= s.maxAttempts {
			return conn, err
		}
		if err := s.pause(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// Update runs fn in a SERIALIZABLE transaction and commits it when fn
// returns nil; see the package documentation for what it retries.
func (s *Store) Update(ctx context.Context, fn func(contacts.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	for attempt := 1; ; attempt++ {
		retry, err := s.attempt(ctx, fn)
		if !retry {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("postgres: %w (the transaction had failed: %w)", ctx.Err(), err)
		}
		if attempt >= s.maxAttempts {
			return fmt.Errorf("postgres: %w: giving up after %d attempts: %w", contacts.ErrConflict, attempt, err)
		}
		if perr := s.pause(ctx, attempt); perr != nil {
			return fmt.Errorf("postgres: %w (the transaction had failed: %w)", perr, err)
		}
	}
}

// attempt runs fn once. It reports whether the whole transaction may run
// again: only when nothing of it can have committed.
func (s *Store) attempt(ctx context.Context, fn func(contacts.Tx) error) (retry bool, err error) {
	conn, err := s.begin(ctx, s.beginSQL)
	if err != nil {
		return pgconn.SafeToRetry(err), err
	}
	st := &txState{ctx: ctx, conn: conn, onStatement: s.onStatement}
	// Also when fn panics: the panic goes on after the rollback.
	defer s.end(ctx, st)
	t := &writeTx{readTx{state: st}}
	fnErr := fn(t)
	aborted, retryErr := st.failure()
	if retryErr != nil {
		return true, retryErr
	}
	if fnErr != nil {
		return false, fnErr
	}
	if aborted != nil {
		return false, fmt.Errorf("postgres: fn returned nil after an error that aborted the transaction: %w", aborted)
	}
	st.close()
	if st.onStatement != nil {
		st.onStatement(conn.Conn().PgConn().PID(), st.statements)
	}
	return s.commit(ctx, conn)
}

// commit sends COMMIT and classifies its failure (RELIABILITY C3).
func (s *Store) commit(ctx context.Context, conn *pgxpool.Conn) (retry bool, err error) {
	// The answer matters more than the caller's patience: a COMMIT
	// abandoned on cancellation would be an unknown outcome.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.commitTimeout)
	defer cancel()
	tag, err := conn.Exec(cctx, s.commitSQL)
	var pgErr *pgconn.PgError
	switch {
	case err == nil && tag.String() == "COMMIT":
		return false, nil
	case err == nil:
		// The server rolled back instead; the driver tracks aborting
		// errors, so this is not expected.
		return false, fmt.Errorf("postgres: COMMIT answered %q", tag.String())
	case errors.As(err, &pgErr) && retryable(pgErr.Code):
		// Serialization failures at COMMIT roll the transaction back.
		return true, fmt.Errorf("postgres: commit: %w", err)
	case errors.As(err, &pgErr) && pgErr.Severity == "ERROR":
		// An ERROR (not FATAL) answering COMMIT means it rolled back.
		return false, fmt.Errorf("postgres: commit: %w", err)
	case pgconn.SafeToRetry(err):
		// COMMIT never left: the server rolls the transaction back when the
		// connection goes.
		return true, fmt.Errorf("postgres: commit: %w", err)
	}
	return false, fmt.Errorf("%w: the connection failed after COMMIT was sent: %w", ErrOutcomeUnknown, err)
}

// begin takes a connection and starts a transaction on it.
func (s *Store) begin(ctx context.Context, sql string) (*pgxpool.Conn, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		if s.closed.Load() {
			return nil, ErrClosed
		}
		return nil, fmt.Errorf("postgres: acquiring a connection: %w", err)
	}
	if _, err := conn.Exec(ctx, sql); err != nil {
		conn.Release() // the pool drops it unless it is idle and healthy
		return nil, fmt.Errorf("postgres: beginning a transaction: %w", err)
	}
	return conn, nil
}

// end rolls back the transaction of st, if it is still open, and releases
// the connection. The pool destroys a connection that is not idle
// afterwards.
func (s *Store) end(ctx context.Context, st *txState) {
	st.close()
	conn := st.conn
	if !conn.Conn().IsClosed() && conn.Conn().PgConn().TxStatus() != 'I' {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.commitTimeout)
		_, _ = conn.Exec(rctx, "rollback")
		cancel()
	}
	conn.Release()
}

// pause waits before attempt+1: exponential backoff with full jitter, so
// that transactions that collided do not collide again in step.
func (s *Store) pause(ctx context.Context, attempt int) error {
	ceiling := s.backoff << min(attempt-1, 16)
	if ceiling > s.maxBackoff || ceiling <= 0 {
		ceiling = s.maxBackoff
	}
	timer := time.NewTimer(rand.N(ceiling) + time.Microsecond)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// retryable reports whether SQLSTATE code means the transaction lost a race
// and may run again: a serialization failure, a deadlock, or a unique
// violation. The driver checks every uniqueness rule before it writes, so a
// unique violation means a concurrent transaction inserted the key after
// this one's snapshot was taken: a serialization failure that PostgreSQL
// reports as 23505 (PostgreSQL documentation, 13.5).
func retryable(code string) bool {
	switch code {
	case "40001", "40P01", "23505":
		return true
	}
	return false
}
