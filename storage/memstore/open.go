package memstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/go-memdb"
)

// An Option configures a store that [Open] returns.
type Option func(*config)

type config struct {
	compactAt int64
}

// DefaultCompactAt is the log size past which a store writes a snapshot
// and starts a new log, unless [WithCompactAt] says otherwise.
const DefaultCompactAt = 64 << 20

// WithCompactAt sets the log size, in bytes, past which the store writes a
// snapshot of its state, in the background, and starts a new log; once the
// snapshot is on disk, the older logs are removed. A smaller size makes
// start-up faster and the directory smaller, at the cost of writing the
// whole state more often. A size of 0 or less means [DefaultCompactAt].
func WithCompactAt(bytes int64) Option {
	return func(c *config) {
		if bytes > 0 {
			c.compactAt = bytes
		}
	}
}

// Open returns a durable store whose data lives in dir, which it creates if
// needed: the state its files hold, and every acknowledged write after.
// It loads the newest snapshot and replays the logs after it. A record that
// the end of the newest log holds only in part, or with a bad checksum,
// was torn by a crash before its Update returned: Open drops it and cuts the
// log there. Any other damage stops Open with a [*CorruptError] naming the
// file and offset; so does a file of a format version it does not know.
//
// Only one store may have dir open at a time; Open fails while another
// holds it, in this process or another. Close the store to release it.
func Open(dir string, opts ...Option) (*Store, error) {
	if dir == "" {
		return nil, errors.New("memstore: Open needs a data directory (New returns a store in memory only)")
	}
	cfg := config{compactAt: DefaultCompactAt}
	for _, opt := range opts {
		opt(&cfg)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("memstore: creating the data directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := load(dir, cfg, lock)
	if err != nil {
		unlockDir(lock)
		return nil, err
	}
	return s, nil
}

// load reads dir, whose lock is held, into a new store.
func load(dir string, cfg config, lock *os.File) (*Store, error) {
	files, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	s := newStore()
	txn := s.db.Txn(true)
	defer txn.Abort() // after Commit, a no-op
	var seq uint64
	ld := &loader{txn: txn, nums: s.nums, trees: s.trees, runs: make(map[uint32]*auditRun)}
	first := uint64(1) // the first log to replay
	if n := len(files.snapshots); n > 0 {
		first = files.snapshots[n-1]
		if seq, err = loadSnapshot(dir, first, ld); err != nil {
			return nil, err
		}
	}
	var logs []uint64
	for _, gen := range files.logs {
		if gen >= first {
			logs = append(logs, gen)
		}
	}
	for i, gen := range logs {
		if gen != first+uint64(i) {
			return nil, &CorruptError{Path: filepath.Join(dir, logName(first+uint64(i))),
				Err: fmt.Errorf("the file is missing, and %s follows", logName(gen))}
		}
	}
	var end int64
	for i, gen := range logs {
		if end, err = replayLog(dir, gen, i == len(logs)-1, ld, &seq); err != nil {
			return nil, err
		}
	}
	s.nums.publish()
	txn.Commit()
	if err := s.index.load(s.db, s.trees, s.nums, ld.runs); err != nil {
		return nil, err
	}

	l := &wal{dir: dir, compactAt: cfg.compactAt, rotateAt: cfg.compactAt, reader: &s.reader, index: s.index, seq: seq,
		enc: newOpEncoder(), queued: seq, durable: seq, lock: lock}
	if len(logs) == 0 {
		l.gen = first
		if l.f, l.size, err = createLog(dir, first); err != nil {
			return nil, err
		}
	} else {
		l.gen = logs[len(logs)-1]
		if l.f, l.size, err = reopenLog(dir, l.gen, end); err != nil {
			return nil, err
		}
	}
	// What a newer snapshot replaced, and a snapshot a crash left
	// unfinished.
	var errs []error
	for _, name := range files.temps {
		errs = append(errs, os.Remove(filepath.Join(dir, name)))
	}
	errs = append(errs, removeBefore(dir, first), syncDir(dir))
	if err := errors.Join(errs...); err != nil {
		l.f.Close()
		return nil, fmt.Errorf("memstore: removing files a snapshot replaced: %w", err)
	}
	s.log = l
	s.reader.Store(&view{db: s.db.Snapshot(), trees: s.trees})
	l.start()
	return s, nil
}

// reopenLog opens log gen for appending after its first end bytes, the
// valid part: a torn record after it is cut off, durably, and a log torn
// before its header was complete gets a new one.
func reopenLog(dir string, gen uint64, end int64) (*os.File, int64, error) {
	if end == 0 {
		return createLog(dir, gen)
	}
	path := filepath.Join(dir, logName(gen))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err == nil && info.Size() != end {
		if err = f.Truncate(end); err == nil {
			err = f.Sync()
		}
	}
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("memstore: cutting the torn record off %s: %w", path, err)
	}
	return f, end, nil
}

// newStore returns an empty store, in memory.
func newStore() *Store {
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
	s := &Store{db: db.Snapshot(), nums: nums, index: newContactIndex(), trees: newContactTrees()}
	s.reader.Store(&view{db: s.db.Snapshot(), trees: s.trees})
	return s
}
