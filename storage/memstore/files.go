package memstore

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/go-memdb"
)

// A data directory holds, besides its LOCK file, numbered logs and
// snapshots. Snapshot N holds the state after every record of the logs
// before N; log N the records after it. A directory's files are the newest
// snapshot (none at first), the log of the same number (log 1 at first),
// and any later logs; older ones are removed once a newer snapshot is
// safely on disk.
const (
	lockName       = "LOCK"
	logPrefix      = "log-"
	snapshotPrefix = "snapshot-"
	tmpSuffix      = ".tmp"
	fileFormat     = "liaison-memstore"
	fileVersion    = 1
	kindLog        = "log"
	kindSnapshot   = "snapshot"
)

func logName(gen uint64) string      { return fmt.Sprintf("%s%020d", logPrefix, gen) }
func snapshotName(gen uint64) string { return fmt.Sprintf("%s%020d", snapshotPrefix, gen) }

// parseName returns the number of a log or snapshot file name with prefix.
func parseName(name, prefix string) (uint64, bool) {
	digits, ok := strings.CutPrefix(name, prefix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	gen, err := strconv.ParseUint(digits, 10, 64)
	return gen, err == nil && gen > 0
}

// fileHeader is the payload of a file's first frame.
type fileHeader struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Kind       string `json:"kind"`
	Generation uint64 `json:"generation"`
	// Seq is, in a snapshot, the sequence number of the last record it
	// holds; the next log record has Seq+1.
	Seq uint64 `json:"seq,omitempty"`
}

func (h fileHeader) frame() []byte {
	payload, err := json.Marshal(h)
	if err != nil {
		panic(err) // a struct of strings and numbers
	}
	frame, _ := sealFrame(append(make([]byte, frameHeader), payload...))
	return frame
}

// check returns an error unless h is the header of file kind number gen.
func (h fileHeader) check(kind string, gen uint64) error {
	switch {
	case h.Format != fileFormat:
		return fmt.Errorf("the header names format %q, not %q", h.Format, fileFormat)
	case h.Version != fileVersion:
		return fmt.Errorf("format version %d, which this version of memstore does not read (it reads %d)", h.Version, fileVersion)
	case h.Kind != kind || h.Generation != gen:
		return fmt.Errorf("the header is that of %s %d", h.Kind, h.Generation)
	}
	return nil
}

// A CorruptError reports a data file that [Open] cannot read, other than a
// torn last record: the file and the offset of the first bad frame. It
// matches [ErrCorrupt].
type CorruptError struct {
	Path   string
	Offset int64
	Err    error
}

// ErrCorrupt is matched by the [CorruptError] of a damaged data file.
var ErrCorrupt = errors.New("memstore: corrupt data file")

func (e *CorruptError) Error() string {
	return fmt.Sprintf("memstore: corrupt data file %s at offset %d: %v", e.Path, e.Offset, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrCorrupt].
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// dirFiles lists the numbers of a data directory's logs and snapshots, in
// ascending order, and its temporary files.
type dirFiles struct {
	logs, snapshots []uint64
	temps           []string
}

func listDir(dir string) (dirFiles, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return dirFiles{}, err
	}
	var out dirFiles
	for _, e := range entries {
		name := e.Name()
		if gen, ok := parseName(name, logPrefix); ok {
			out.logs = append(out.logs, gen)
		} else if gen, ok := parseName(name, snapshotPrefix); ok {
			out.snapshots = append(out.snapshots, gen)
		} else if strings.HasSuffix(name, tmpSuffix) && strings.HasPrefix(name, snapshotPrefix) {
			out.temps = append(out.temps, name)
		}
	}
	slices.Sort(out.logs)
	slices.Sort(out.snapshots)
	return out, nil
}

// syncDir makes the directory's entries durable: a file created, renamed or
// removed in it is not, until then. Windows cannot sync a directory, and
// NTFS journals its entries.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("memstore: syncing directory %s: %w", dir, err)
	}
	return nil
}

// createLog creates log gen in dir, holding its header, durably, and
// returns it open for appending. A file of that name, which only a failed
// earlier attempt can have left, is replaced.
func createLog(dir string, gen uint64) (*os.File, int64, error) {
	path := filepath.Join(dir, logName(gen))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	header := fileHeader{Format: fileFormat, Version: fileVersion, Kind: kindLog, Generation: gen}.frame()
	if _, err := f.Write(header); err != nil {
		f.Close()
		return nil, 0, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, 0, err
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, int64(len(header)), nil
}

// snapshotChunk is a snapshot's data frame; the last one has End set, and
// Count, the number of items in the snapshot.
type snapshotChunk struct {
	Ops   []wireOp `json:"ops"`
	End   bool     `json:"end,omitempty"`
	Count int      `json:"count,omitempty"`
}

// errStopped ends a snapshot that Close interrupted.
var errStopped = errors.New("memstore: snapshot stopped by Close")

// snapshotTables are the tables a snapshot holds, in the order it writes
// them.
var snapshotTables = []struct {
	name string
	kind opKind
}{
	{tableOrgs, opOrg}, {tableGroups, opGroup}, {"", opContact}, {tableSlots, opSlot}, // contacts: the trees
	{tableConsent, opConsent}, {tableTokens, opToken}, {"", opAudit}, // runs, outside memdb
	{tableChangeSets, opChangeSet}, {tableInvitations, opInvitation}, {tableCursors, opCursor},
}

// writeSnapshot writes snapshot gen of db, trees and runs (the contacts
// and audit runs of the same state), whose last record is seq, to dir:
// to a temporary file, synced, then renamed into place, and the directory
// synced. It gives up with errStopped soon after stop is set.
func writeSnapshot(dir string, gen uint64, db *memdb.MemDB, trees *contactTrees, runs []*auditRun, seq uint64, stop *atomic.Bool) (err error) {
	tmp := filepath.Join(dir, snapshotName(gen)+tmpSuffix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := w.Write(fileHeader{Format: fileFormat, Version: fileVersion, Kind: kindSnapshot, Generation: gen, Seq: seq}.frame()); err != nil {
		return err
	}
	enc := newOpEncoder()
	var ops []logOp
	count := 0
	flush := func(end bool) error {
		if stop.Load() {
			return errStopped
		}
		enc.buf.Reset()
		enc.buf.Write(make([]byte, frameHeader))
		enc.buf.WriteByte('{')
		if err := enc.writeOps(ops); err != nil {
			return err
		}
		if end {
			fmt.Fprintf(&enc.buf, `,"end":true,"count":%d`, count)
		}
		enc.buf.WriteByte('}')
		frame, err := sealFrame(enc.buf.Bytes())
		if err != nil {
			return err
		}
		ops = ops[:0]
		_, err = w.Write(frame)
		return err
	}
	txn := db.Txn(false)
	add := func(kind opKind, v any) error {
		ops = append(ops, logOp{kind: kind, v: v})
		count++
		if len(ops) == 1000 {
			return flush(false)
		}
		return nil
	}
	for _, table := range snapshotTables {
		if table.kind == opAudit {
			// One op per event, as the log holds them.
			for _, run := range runs {
				for _, e := range run.Events {
					if err := add(opAudit, e); err != nil {
						return err
					}
				}
			}
			continue
		}
		if table.kind == opContact {
			var err error
			trees.byID.Ascend(func(it citem) bool {
				err = add(opContact, it.c)
				return err == nil
			})
			if err != nil {
				return err
			}
			continue
		}
		it, err := txn.Get(table.name, indexIDPrefix, []byte{})
		if err != nil {
			return err
		}
		for raw := it.Next(); raw != nil; raw = it.Next() {
			if err := add(table.kind, raw); err != nil {
				return err
			}
		}
	}
	if err := flush(true); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, snapshotName(gen))); err != nil {
		return err
	}
	return syncDir(dir)
}

// loadSnapshot applies snapshot gen in dir to txn and returns the sequence
// number of its last record. Any damage is a [*CorruptError]: a snapshot
// is renamed into place only once it is complete and synced.
func loadSnapshot(dir string, gen uint64, ld *loader) (uint64, error) {
	path := filepath.Join(dir, snapshotName(gen))
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fr, err := newFrameReader(f)
	if err != nil {
		return 0, err
	}
	corrupt := func(off int64, format string, args ...any) error {
		return &CorruptError{Path: path, Offset: off, Err: fmt.Errorf(format, args...)}
	}
	payload, err := fr.next()
	if err != nil {
		return 0, corrupt(0, "reading the header: %w", err)
	}
	var h fileHeader
	if err := decodeJSON(payload, &h); err != nil {
		return 0, corrupt(0, "decoding the header: %w", err)
	}
	if err := h.check(kindSnapshot, gen); err != nil {
		return 0, corrupt(0, "%w", err)
	}
	count := 0
	for {
		off := fr.off
		payload, err := fr.next()
		if err == io.EOF {
			return 0, corrupt(off, "the snapshot ends before its last frame")
		}
		if err != nil {
			return 0, corrupt(off, "%w", err)
		}
		var chunk snapshotChunk
		if err := decodeJSON(payload, &chunk); err != nil {
			return 0, corrupt(off, "decoding a frame: %w", err)
		}
		for i := range chunk.Ops {
			if err := chunk.Ops[i].apply(ld); err != nil {
				return 0, corrupt(off, "item %d of the frame: %w", i, err)
			}
		}
		count += len(chunk.Ops)
		if chunk.End {
			if chunk.Count != count {
				return 0, corrupt(off, "the snapshot holds %d items, its last frame says %d", count, chunk.Count)
			}
			if fr.off != fr.size {
				return 0, corrupt(fr.off, "data after the last frame")
			}
			return h.Seq, nil
		}
	}
}

// replayLog applies the records of log gen in dir to txn, in order; each
// must have the sequence number after *seq, which it advances. It returns
// the length of the file's valid part.
//
// In the newest log (last), a bad frame with no valid frame after it is a
// write the crash tore: the records before it are kept, and the caller
// cuts the file there. Every other kind of damage is a [*CorruptError].
func replayLog(dir string, gen uint64, last bool, ld *loader, seq *uint64) (int64, error) {
	path := filepath.Join(dir, logName(gen))
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fr, err := newFrameReader(f)
	if err != nil {
		return 0, err
	}
	// torn returns where a bad frame at off leaves the file's valid part,
	// or the error it is.
	torn := func(off int64, bad error) (int64, error) {
		if !last {
			return 0, &CorruptError{Path: path, Offset: off, Err: fmt.Errorf("%w, in a log that is not the newest", bad)}
		}
		at, found, err := validFrameAfter(f, off, fr.size)
		if err != nil {
			return 0, err
		}
		if found {
			return 0, &CorruptError{Path: path, Offset: off, Err: fmt.Errorf("%w, followed by a valid frame at offset %d", bad, at)}
		}
		return off, nil
	}
	payload, err := fr.next()
	switch {
	case err == io.EOF || errors.Is(err, errBadFrame):
		// Torn while the log was being created: no record is in it.
		if err == io.EOF {
			err = errors.New("the file is empty")
		}
		return torn(0, fmt.Errorf("no header: %w", err))
	case err != nil:
		return 0, err
	}
	var h fileHeader
	if err := decodeJSON(payload, &h); err != nil {
		return 0, &CorruptError{Path: path, Err: fmt.Errorf("decoding the header: %w", err)}
	}
	if err := h.check(kindLog, gen); err != nil {
		return 0, &CorruptError{Path: path, Err: err}
	}
	for {
		off := fr.off
		payload, err := fr.next()
		switch {
		case err == io.EOF:
			return off, nil
		case errors.Is(err, errBadFrame):
			return torn(off, err)
		case err != nil:
			return 0, err
		}
		var rec wireRecord
		if err := decodeJSON(payload, &rec); err != nil {
			return 0, &CorruptError{Path: path, Offset: off, Err: fmt.Errorf("decoding a record: %w", err)}
		}
		if rec.Seq != *seq+1 {
			return 0, &CorruptError{Path: path, Offset: off, Err: fmt.Errorf("record %d where record %d should be", rec.Seq, *seq+1)}
		}
		for i := range rec.Ops {
			if err := rec.Ops[i].apply(ld); err != nil {
				return 0, &CorruptError{Path: path, Offset: off, Err: fmt.Errorf("record %d, op %d: %w", rec.Seq, i, err)}
			}
		}
		*seq = rec.Seq
	}
}
