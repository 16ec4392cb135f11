package memstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// ErrClosed is returned by View and Update after Close.
var ErrClosed = errors.New("memstore: store is closed")

// Store is the in-memory [contacts.Store]. It is safe for concurrent use: any
// number of Views run in parallel with each other and with the one Update
// that runs at a time.
//
// Stored values are immutable copies: every write stores a deep copy of
// what it was given and every read returns a deep copy, so no caller ever
// holds a pointer into the database (RELIABILITY C6).
type Store struct {
	db     *memdb.MemDB
	nums   *orgNumbers
	closed atomic.Bool
}

var _ contacts.Store = (*Store)(nil)

// New returns an empty store that lives in memory only: its contents are
// lost when the process exits.
func New() *Store {
	nums := newOrgNumbers()
	db, err := memdb.NewMemDB(newSchema(nums))
	if err != nil {
		// The schema is ours and fixed: a bad one is a programmer error,
		// which the package's tests catch.
		panic(fmt.Sprintf("memstore: invalid schema: %v", err))
	}
	// Work on a snapshot of the new database, not the database itself:
	// memdb's snapshots do not track the radix nodes a write transaction
	// replaces, which it does only to close their watch channels at commit
	// (and, past 8,192 of them, by walking the old and new trees whole).
	// The store offers no watches, so that work would be wasted: some 10%
	// of every write, and more of a large one.
	return &Store{db: db.Snapshot(), nums: nums}
}

// View runs fn over a snapshot of the store taken when View begins. Writes
// committed later are invisible to fn, and fn never waits for them. It
// returns ctx's error, without calling fn, when ctx is already done.
func (s *Store) View(ctx context.Context, fn func(contacts.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	return fn(&readTx{txn: s.db.Txn(false), nums: s.nums})
}

// Update runs fn in a write transaction. Updates run one at a time, which
// makes them serializable; fn must not call Update on the same store, which
// would wait for itself. When fn returns nil, its writes become visible to
// every View that begins afterwards, all at once; when fn returns an error or
// panics, they are dropped and Update returns the error unchanged (or lets
// the panic go on). Update returns ctx's error, without calling fn, when ctx
// is done before the transaction starts, including while it waits for
// another Update.
func (s *Store) Update(ctx context.Context, fn func(contacts.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	txn := s.db.Txn(true)
	// Taken while this Update holds the writer lock: the latest state.
	tx := newWriteTx(txn, s.db.Txn(false), s.nums)
	committed := false
	defer func() {
		if !committed {
			// Drops every write of fn and releases the writer lock, also
			// when fn panics.
			s.nums.discard()
			txn.Abort()
		}
		tx.done = true
	}()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	s.commit(txn)
	committed = true
	return nil
}

// commit makes txn's writes visible. It is the one place every write goes
// through: a durable store will enable txn.TrackChanges when the transaction
// starts, append txn.Changes() to its log and fsync it here, before Commit,
// so that Update returns only after the write is durable.
func (s *Store) commit(txn *memdb.Txn) {
	// Numbers first: a View that sees the writes must find their orgs.
	s.nums.publish()
	txn.Commit()
}

// Close marks the store closed: later Views and Updates return [ErrClosed].
// Transactions already running finish normally. Close always returns nil.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}
