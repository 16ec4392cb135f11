package memstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// wal is the log of a durable store: it appends the records of committed
// transactions to the newest log file, makes them durable in groups, and
// publishes the state they lead to for Views once they are.
//
// Group commit: the writer (one Update at a time, under Store.writeMu)
// commits a transaction to memdb, where the next writer builds on it, and
// queues its record with the memdb snapshot after it. Then it waits for the
// record to be durable. The flusher, a goroutine of its own, takes every
// record queued so far, writes them with one write and one fsync,
// publishes the last one's snapshot as the state Views read, and wakes the
// waiters; then it takes what was queued meanwhile, at once. Views never
// see a write before it is durable.
type wal struct {
	dir       string
	compactAt int64
	reader    *atomic.Pointer[view] // the store's state for Views
	index     *contactIndex         // the store's, for the audit runs of a snapshot

	// The writer's, under Store.writeMu.
	seq uint64 // the sequence number of the last record queued
	enc *opEncoder

	mu      sync.Mutex
	queue   sync.Cond // signalled when a record is queued, or at Close
	flushed sync.Cond // signalled when a flush ends
	pending []byte    // frames queued, not yet written
	spare   []byte    // the buffer of the last flush, for reuse
	snap    *view
	queued  uint64 // the last record in pending
	durable uint64 // the last record fsynced
	closing bool
	err     error // a failed write or fsync: the store takes no more writes
	bgErr   error // a failed rotation or snapshot, which Close reports

	// The flusher's, or Open's and Close's when it is not running.
	flusherDone chan struct{}
	f           *os.File
	gen         uint64 // f's number
	size        int64  // f's length
	rotateAt    int64  // the size at which to start the next log

	snapshotting atomic.Bool
	stop         atomic.Bool // Close stops a snapshot being written
	snapWG       sync.WaitGroup
	lock         *os.File // holds the directory's lock
}

// failed returns the error that stopped the log taking writes, or nil.
func (l *wal) failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// encode returns the frame of the next record, which holds ops. The writer
// calls it; the frame is valid until its next call.
func (l *wal) encode(ops []logOp) ([]byte, error) {
	return l.enc.record(l.seq+1, ops)
}

// enqueue queues frame, the record encode returned last, after which the
// state is snap, and returns its sequence number.
func (l *wal) enqueue(frame []byte, snap *view) uint64 {
	l.seq++
	l.mu.Lock()
	l.pending = append(l.pending, frame...)
	l.queued = l.seq
	l.snap = snap
	l.mu.Unlock()
	l.queue.Signal()
	return l.seq
}

// wait returns once record seq is durable, or the error that prevents it.
func (l *wal) wait(seq uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.durable < seq {
		if l.err != nil {
			return l.err
		}
		l.flushed.Wait()
	}
	return nil
}

// start starts the flusher.
func (l *wal) start() {
	l.queue.L, l.flushed.L = &l.mu, &l.mu
	l.flusherDone = make(chan struct{})
	go l.flushLoop()
}

// flushLoop is the flusher: it flushes whatever is queued, as soon as the
// last flush ends, until Close, after flushing what Close left queued.
// The flush after a failed one fails too, at once.
func (l *wal) flushLoop() {
	defer close(l.flusherDone)
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		for len(l.pending) == 0 && !l.closing {
			l.queue.Wait()
		}
		if len(l.pending) == 0 {
			return
		}
		if l.err != nil {
			l.pending = l.pending[:0]
			l.flushed.Broadcast()
			continue
		}
		l.flush()
	}
}

// flush writes and fsyncs every queued record. It is called with mu held,
// which it releases while it writes.
func (l *wal) flush() {
	buf, last, snap := l.pending, l.queued, l.snap
	l.pending, l.spare, l.snap = l.spare[:0], nil, nil
	l.mu.Unlock()

	err := l.write(buf)
	var rotateErr error
	if err == nil && l.size >= l.rotateAt && l.snapshotting.CompareAndSwap(false, true) {
		rotateErr = l.rotate(snap, last)
	}

	l.mu.Lock()
	if cap(buf) <= 4<<20 {
		l.spare = buf[:0] // a huge one, of an import, is let go
	}
	if err != nil {
		l.err = fmt.Errorf("memstore: writing the log, the store takes no more writes: %w", err)
	} else {
		l.durable = last
		l.reader.Store(snap)
	}
	if rotateErr != nil {
		l.bgErr = rotateErr
	}
	l.flushed.Broadcast()
}

// write appends buf to the log file and fsyncs it.
func (l *wal) write(buf []byte) error {
	if _, err := l.f.Write(buf); err != nil {
		return err
	}
	l.size += int64(len(buf))
	return l.f.Sync()
}

// rotate starts log gen+1 for the records after seq, and a snapshot of
// snap, the state after record seq, which once on disk replaces the older
// logs. A failure leaves the current log in use, and the store tries again
// once it has grown by as much again.
//
// The audit runs of snap are read here, before the flusher publishes snap
// or any later state: until then no writer trims a version a View of
// snap's gen reads (see viewTracker).
func (l *wal) rotate(snap *view, seq uint64) error {
	f, size, err := createLog(l.dir, l.gen+1)
	if err != nil {
		l.snapshotting.Store(false)
		os.Remove(filepath.Join(l.dir, logName(l.gen+1)))
		l.rotateAt = l.size + l.compactAt
		return fmt.Errorf("memstore: starting log %d: %w", l.gen+1, err)
	}
	l.f.Close() // fsynced: nothing is lost if closing fails
	l.f, l.size, l.rotateAt = f, size, l.compactAt
	l.gen++
	gen := l.gen
	runs := l.index.runsAt(snap.gen)
	l.snapWG.Add(1)
	go func() {
		defer l.snapWG.Done()
		defer l.snapshotting.Store(false)
		err := writeSnapshot(l.dir, gen, snap.db, snap.trees, runs, seq, &l.stop)
		if err == nil {
			err = removeBefore(l.dir, gen)
		}
		if err != nil && !errors.Is(err, errStopped) {
			l.mu.Lock()
			l.bgErr = fmt.Errorf("memstore: writing snapshot %d: %w", gen, err)
			l.mu.Unlock()
		}
	}()
	return nil
}

// removeBefore removes the logs and snapshots numbered below gen, which
// snapshot gen replaces.
func removeBefore(dir string, gen uint64) error {
	files, err := listDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, list := range []struct {
		gens []uint64
		name func(uint64) string
	}{{files.logs, logName}, {files.snapshots, snapshotName}} {
		for _, g := range list.gens {
			if g < gen {
				if err := os.Remove(filepath.Join(dir, list.name(g))); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// close flushes what is queued, stops the flusher and a snapshot being
// written, and closes the files. The writer lock is held: nothing more is
// queued.
func (l *wal) close() error {
	l.mu.Lock()
	l.closing = true
	l.mu.Unlock()
	l.queue.Signal()
	<-l.flusherDone
	l.mu.Lock()
	err := l.err
	l.mu.Unlock()
	l.stop.Store(true)
	l.snapWG.Wait()
	l.mu.Lock()
	errs := []error{err, l.bgErr}
	l.mu.Unlock()
	if l.f != nil {
		errs = append(errs, l.f.Close())
	}
	errs = append(errs, unlockDir(l.lock))
	return errors.Join(errs...)
}
