package memstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
)

// ErrClosed is returned by View and Update after Close.
var ErrClosed = errors.New("memstore: store is closed")

// Store is the [contacts.Store] on go-memdb, in memory only ([New]) or
// durable, with a data directory ([Open]). It is safe for concurrent use:
// any number of Views run in parallel with each other and with the one
// Update that runs at a time.
//
// Stored values are immutable copies: every write stores a deep copy of
// what it was given and every read returns a deep copy, so no caller ever
// holds a pointer into the database (RELIABILITY C6).
type Store struct {
	// db is the writer's database, which holds the latest state. Views
	// read reader: db itself in memory; with a data directory, the state
	// after the last durable write, which may lag db by the writes whose
	// fsync is under way.
	db     *memdb.MemDB
	reader atomic.Pointer[view]
	nums   *orgNumbers
	index  *contactIndex
	views  viewTracker
	trees  *contactTrees // the contact trees of the last commit, under writeMu
	closed atomic.Bool

	// writeMu orders commits, with what each publishes: its index
	// versions, its view, and with a data directory its log record
	// (memdb's own writer lock is released at Commit, before those).
	writeMu sync.Mutex
	gen     uint64 // the last commit's, under writeMu
	log     *wal   // with a data directory
}

var _ contacts.Store = (*Store)(nil)

// New returns an empty store that lives in memory only: its contents are
// lost when the process exits. [Open] returns a durable one.
func New() *Store {
	return newStore()
}

// View runs fn over a snapshot of the store taken when View begins. Writes
// committed later are invisible to fn, and fn never waits for them. It
// returns ctx's error, without calling fn, when ctx is already done.
//
// With a data directory, the snapshot holds only durable writes: those of
// Updates that returned, or are about to return, nil.
func (s *Store) View(ctx context.Context, fn func(contacts.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	slot := s.views.enter(s.reader.Load().gen)
	defer s.views.leave(slot)
	v := s.reader.Load() // the same view or a later one: see viewTracker
	return fn(&readTx{db: v.db, nums: s.nums, index: s.index, gen: v.gen, trees: v.trees})
}

// Update runs fn in a write transaction. Updates run one at a time, which
// makes them serializable; fn must not call Update on the same store, which
// would wait for itself. When fn returns nil, its writes become visible to
// every View that begins afterwards, all at once; when fn returns an error or
// panics, they are dropped and Update returns the error unchanged (or lets
// the panic go on). Update returns ctx's error, without calling fn, when ctx
// is done before the transaction starts, including while it waits for
// another Update.
//
// With a data directory, Update returns nil only once the transaction's
// log record is fsynced. fn may read the writes of earlier Updates whose
// fsync is still under way (which is how concurrent Updates come to share
// one), so Update returns at all, nil or fn's error, only once those are
// durable too. If the log cannot be written, Update returns the error, and
// the store takes no more writes.
func (s *Store) Update(ctx context.Context, fn func(contacts.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	seq, err := s.run(ctx, fn)
	if s.log != nil && seq > 0 {
		// Once fn has run, wait even if it failed: its error may rest on
		// a write that is not durable yet, and an error a crash could
		// make untrue must not reach the caller before the write is safe.
		if werr := s.log.wait(seq); err == nil {
			err = werr
		}
	}
	return err
}

// run runs fn in a write transaction and commits it. With a data directory
// it returns the sequence number of the last log record fn may have read
// or written, whose durability Update waits for.
func (s *Store) run(ctx context.Context, fn func(contacts.Tx) error) (seq uint64, err error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.log != nil {
		if s.closed.Load() {
			return 0, ErrClosed
		}
		if err := s.log.failed(); err != nil {
			return 0, err
		}
	}
	txn := s.db.Txn(true)
	// Taken while this Update holds the writer lock: the latest state.
	tx := newWriteTx(txn, s.db.Txn(false), s.nums, s.index)
	tx.trees = s.trees
	// No View reads gen before this commit publishes it, and none begins
	// with an older one than keep while it runs: the published gen only
	// grows, and only this writer publishes commits.
	tx.gen, tx.keep = s.gen+1, s.views.oldest(s.reader.Load().gen)
	tx.logging = s.log != nil
	committed := false
	defer func() {
		if !committed {
			// Drops every write of fn and releases the writer lock, also
			// when fn panics.
			s.nums.discard()
			tx.rollback()
			txn.Abort()
		}
		tx.done = true
	}()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := fn(tx); err != nil {
		if s.log != nil {
			seq = s.log.seq
		}
		return seq, err
	}
	seq, err = s.commit(txn, tx)
	if err != nil {
		return 0, err
	}
	committed = true
	return seq, nil
}

// commit makes txn's writes, ops, visible to later Updates. It is the one
// place every write goes through. In memory, Views see them at once. With
// a data directory, it queues their log record and returns its sequence
// number; Views see the writes once the record is durable.
//
// The record is encoded here, before Commit, so that a write the log
// cannot hold fails its Update rather than the log. Views never see a
// write before its fsync, yet the next Update can start at once, and
// concurrent Updates share fsyncs: keeping the writer lock through the
// fsync instead would be simpler, but would cap the store at one write per
// fsync (see the package documentation).
func (s *Store) commit(txn *memdb.Txn, tx *writeTx) (uint64, error) {
	var frame []byte
	if s.log != nil {
		if len(tx.ops) == 0 {
			s.nums.publish()
			txn.Commit()
			return s.log.seq, nil
		}
		var err error
		if frame, err = s.log.encode(tx.ops); err != nil {
			return 0, err
		}
	}
	// The org numbers first, since a View that sees the writes must find
	// their orgs. The contact index holds the transaction's versions
	// already.
	s.gen = tx.gen
	s.index.trimSome(tx.keep)
	s.nums.publish()
	txn.Commit()
	// The state after this commit: no other writer commits while this one
	// holds writeMu.
	s.trees = tx.trees
	v := &view{db: s.db.Snapshot(), gen: s.gen, trees: s.trees}
	if s.log == nil {
		s.reader.Store(v)
		return 0, nil
	}
	return s.log.enqueue(frame, v), nil
}

// Close marks the store closed: later Views and Updates return [ErrClosed].
// Transactions already running finish normally. In memory, Close always
// returns nil. With a data directory, it waits for the running Update,
// makes every queued write durable, stops a snapshot being written (the
// logs it would have replaced stay), closes the files and releases the
// directory; it returns an error if the log failed, or a snapshot or the
// start of a new log did.
func (s *Store) Close() error {
	if s.closed.Swap(true) || s.log == nil {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.log.close()
}
