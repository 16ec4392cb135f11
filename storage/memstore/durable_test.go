package memstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/btree"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/go-memdb"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/storagetest"
)

// TestStore_DataDir runs the conformance suite against a store with a data
// directory, which must behave as one in memory. After each subtest, the
// directory is opened again and must hold exactly the state the store did:
// a write the log does not record shows.
func TestStore_DataDir(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) contacts.Store {
		dir := t.TempDir()
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		// Cleanups run last first: this one after the suite's Close.
		t.Cleanup(func() {
			want := dumpLatest(t, s)
			s2, err := Open(dir)
			if err != nil {
				t.Fatalf("reopening: %v", err)
			}
			defer s2.Close()
			sameState(t, want, dumpLatest(t, s2))
		})
		return s
	})
}

// TestSchema_Logged checks that the snapshots hold every table: a table
// added to the schema needs an op kind, a wireOp field and a case in apply.
func TestSchema_Logged(t *testing.T) {
	logged := map[string]bool{}
	for _, table := range snapshotTables {
		logged[table.name] = true
	}
	for name := range newSchema(newOrgNumbers()).Tables {
		if !logged[name] {
			t.Errorf("table %s is not in snapshotTables: the data directory would lose it", name)
		}
	}
}

// openDir opens a store on dir, failing the test on an error, and closes it
// when the test ends unless the test closed it.
func openDir(t *testing.T, dir string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(dir, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func closeStore(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// dumpDB lists every item of db, table by table, in primary-key order.
func dumpDB(t *testing.T, db *memdb.MemDB, trees *contactTrees, runs []*auditRun) map[string][]any {
	t.Helper()
	out := map[string][]any{}
	for _, r := range runs {
		out["audit"] = append(out["audit"], *r)
	}
	// Each tree's entries, as org ID, the key after the org's number (which
	// a reopened store may give afresh) and the contact, in that order.
	for name, tree := range map[string]*btree.BTreeG[citem]{"contacts": trees.byID, "directory": trees.byDir, "members": trees.byMember} {
		type entry struct {
			Org, Key string
			C        contacts.Contact
		}
		var es []entry
		tree.Ascend(func(it citem) bool {
			es = append(es, entry{it.c.Org, it.key[1+int(it.key[0]):], *it.c})
			return true
		})
		slices.SortFunc(es, func(a, b entry) int {
			if c := strings.Compare(a.Org, b.Org); c != 0 {
				return c
			}
			return strings.Compare(a.Key, b.Key)
		})
		for _, e := range es {
			out[name] = append(out[name], e)
		}
	}
	txn := db.Txn(false)
	for _, table := range snapshotTables {
		if table.kind == opAudit || table.kind == opContact {
			continue
		}
		it, err := txn.Get(table.name, indexIDPrefix, []byte{})
		if err != nil {
			t.Fatal(err)
		}
		for raw := it.Next(); raw != nil; raw = it.Next() {
			out[table.name] = append(out[table.name], reflect.ValueOf(raw).Elem().Interface())
		}
	}
	return out
}

// dumpLatest dumps s's latest state, dumpView the state its Views read.
func dumpLatest(t *testing.T, s *Store) map[string][]any {
	return dumpDB(t, s.db, s.trees, s.index.runsAt(math.MaxUint64))
}

func dumpView(t *testing.T, s *Store) map[string][]any {
	v := s.reader.Load()
	return dumpDB(t, v.db, v.trees, s.index.runsAt(v.gen))
}

// sameState compares two dumps. The files hold JSON, in which a nil and an
// empty list, or a time and the same instant in another zone, look alike.
func sameState(t *testing.T, want, got map[string][]any) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("state after reopening (-want +got):\n%s", diff)
	}
}

// workload makes random writes of every kind through Updates of one to
// five writes each; one Update in ten fails after writing, and must leave
// no trace. It returns the number of Updates that committed.
type workload struct {
	r        *rand.Rand
	n        int
	orgs     []string
	contacts map[string][]contacts.Contact // by org, as stored
	groups   map[string][]contacts.Group
	heads    map[string]contacts.AuditHead
	tokens   []string
	nextOrg  int // the number of the next org's ID: deleted orgs' IDs are not reused
}

func newWorkload(seed uint64) *workload {
	return &workload{r: rand.New(rand.NewPCG(seed, seed+1)), contacts: map[string][]contacts.Contact{},
		groups: map[string][]contacts.Group{}, heads: map[string]contacts.AuditHead{}}
}

var errRollback = errors.New("rolled back")

func (w *workload) run(t testing.TB, s *Store, updates int) {
	t.Helper()
	ctx := context.Background()
	for range updates {
		fail := w.r.IntN(10) == 0
		// Work on copies: a failed Update must not change the model.
		orgs := append([]string(nil), w.orgs...)
		cs := map[string][]contacts.Contact{}
		for k, v := range w.contacts {
			cs[k] = append([]contacts.Contact(nil), v...)
		}
		gs := map[string][]contacts.Group{}
		for k, v := range w.groups {
			gs[k] = append([]contacts.Group(nil), v...)
		}
		heads := map[string]contacts.AuditHead{}
		for k, v := range w.heads {
			heads[k] = v
		}
		tokens := append([]string(nil), w.tokens...)
		err := s.Update(ctx, func(tx contacts.Tx) error {
			for range w.r.IntN(5) + 1 {
				if err := w.write(tx, &orgs, cs, gs, heads, &tokens); err != nil {
					return err
				}
			}
			if fail {
				return errRollback
			}
			return nil
		})
		switch {
		case fail && errors.Is(err, errRollback):
		case err != nil:
			t.Fatalf("Update %d: %v", w.n, err)
		default:
			w.orgs, w.contacts, w.groups, w.heads, w.tokens = orgs, cs, gs, heads, tokens
		}
		w.n++
	}
}

func (w *workload) write(tx contacts.Tx, orgs *[]string, cs map[string][]contacts.Contact, gs map[string][]contacts.Group,
	heads map[string]contacts.AuditHead, tokens *[]string) error {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(w.n) * time.Second)
	if len(*orgs) > 1 && w.r.IntN(40) == 0 {
		i := w.r.IntN(len(*orgs))
		org := (*orgs)[i]
		o, err := tx.Org(org)
		if err != nil {
			return err
		}
		o.ClosedAt, o.Version = now, 2
		if err := tx.UpdateOrg(o, 1); err != nil {
			return err
		}
		if err := tx.DeleteOrg(org, 2); err != nil {
			return err
		}
		*orgs = append((*orgs)[:i:i], (*orgs)[i+1:]...)
		delete(cs, org)
		delete(gs, org)
		delete(heads, org)
		*tokens = slices.DeleteFunc(*tokens, func(h string) bool { return strings.HasPrefix(h, "h"+org+"/") })
		return nil
	}
	if len(*orgs) == 0 || w.r.IntN(20) == 0 {
		id := fmt.Sprintf("org%03d", w.nextOrg)
		w.nextOrg++
		*orgs = append(*orgs, id)
		return tx.InsertOrg(contacts.Org{ID: id, Name: "Org <" + id + "> & Co", AllowedEmailDomains: []string{"example.com"},
			Version: 1, Created: now, Updated: now})
	}
	org := (*orgs)[w.r.IntN(len(*orgs))]
	list := cs[org]
	id := fmt.Sprintf("c%05d-%d", w.n, w.r.IntN(1000))
	switch k := w.r.IntN(10); {
	case k < 3 || len(list) == 0:
		c := contacts.Contact{Org: org, ID: id, Name: "Zoë \"Q\" Müller", Email: id + "@example.com", Language: "de",
			Roles: []string{"admin"}, Groups: []string{"g1"}, Consent: []contacts.ConsentState{{Purpose: "news", Granted: true, At: now}},
			Verification: contacts.Unverified, Status: contacts.Invited, Version: 1, Created: now, Updated: now}
		if w.r.IntN(2) == 0 {
			c.Roles, c.Groups, c.Consent = nil, nil, nil
		}
		cs[org] = append(list, c)
		return tx.InsertContact(c)
	case k < 5:
		i := w.r.IntN(len(list))
		c := list[i].Clone()
		c.Title, c.Version, c.Updated = "Title "+id, c.Version+1, now
		if err := tx.UpdateContact(c, list[i].Version); err != nil {
			return err
		}
		list[i] = c
		return nil
	case k == 5:
		i := w.r.IntN(len(list))
		if err := tx.DeleteContact(org, list[i].ID, list[i].Version); err != nil {
			return err
		}
		cs[org] = append(list[:i:i], list[i+1:]...)
		return nil
	case k == 6:
		glist := gs[org]
		if len(glist) > 0 && w.r.IntN(2) == 0 {
			i := w.r.IntN(len(glist))
			if err := tx.DeleteGroup(org, glist[i].ID, glist[i].Version); err != nil {
				return err
			}
			gs[org] = append(glist[:i:i], glist[i+1:]...)
			return nil
		}
		g := contacts.Group{Org: org, ID: "g" + id, Name: "Team", Kind: contacts.Team, Version: 1, Created: now, Updated: now}
		gs[org] = append(glist, g)
		return tx.InsertGroup(g)
	case k == 7:
		h := heads[org]
		e := contacts.AuditEvent{Org: org, Seq: h.Seq + 1, Time: now, Actor: "vendor:test", Action: "test",
			Target: "contact/" + id, Before: json.RawMessage(`{"a": 1}`), After: json.RawMessage("\n[1, 2]"),
			Salt: "salt", DataDigest: "digest", Prev: h.Hash, Hash: fmt.Sprintf("hash-%s-%d", org, h.Seq+1)}
		if w.r.IntN(3) == 0 {
			e.Before, e.After, e.Salt = nil, nil, "" // erased
		}
		heads[org] = contacts.AuditHead{Seq: e.Seq, Hash: e.Hash}
		return tx.AppendAudit(e)
	case k == 8:
		c := list[w.r.IntN(len(list))]
		if err := tx.AppendConsent(contacts.ConsentRecord{Org: org, ID: "r" + id, Contact: c.ID, Purpose: "news",
			Granted: true, Actor: c.ID, Self: true, Channel: "web", ConfigVersion: "v1", TextHash: "t", Time: now}); err != nil {
			return err
		}
		return tx.PutSlotHolders(contacts.SlotHolders{Org: org, Slot: "s" + id, Version: 1, Updated: now,
			Holders: []contacts.Holder{{Kind: contacts.HolderContact, ID: c.ID, Until: now.Add(time.Hour)}}}, 0)
	default:
		if len(*tokens) > 0 && w.r.IntN(2) == 0 {
			i := w.r.IntN(len(*tokens))
			hash := (*tokens)[i]
			*tokens = append((*tokens)[:i:i], (*tokens)[i+1:]...)
			return tx.UseToken(hash, now)
		}
		hash := "h" + org + "/" + id
		*tokens = append(*tokens, hash)
		return tx.InsertToken(contacts.Token{Hash: hash, Kind: contacts.VerifyToken, Org: org, Contact: list[0].ID,
			EmailKey: "k", Created: now, Expires: now.Add(time.Hour)})
	}
}

// waitSnapshot waits for a snapshot being written to finish. No Update may
// run meanwhile.
func waitSnapshot(s *Store) {
	s.log.snapWG.Wait()
}

func TestOpen_Reopen(t *testing.T) {
	for _, tc := range []struct {
		name      string
		compactAt int64
		// snapshot waits for the background snapshot before Close, which
		// would otherwise stop it, so that the next Open loads it.
		snapshot bool
	}{
		{name: "log only", compactAt: 1 << 30},
		{name: "snapshots", compactAt: 4 << 10, snapshot: true},
		{name: "snapshots stopped by Close", compactAt: 4 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w := newWorkload(1)
			for round := range 3 {
				s := openDir(t, dir, WithCompactAt(tc.compactAt))
				if round > 0 {
					// The store reopened on what the last round left.
					got := dumpView(t, s)
					sameState(t, dumpLatest(t, s), got)
				}
				w.run(t, s, 120)
				if tc.snapshot {
					waitSnapshot(s)
				}
				want := dumpLatest(t, s)
				sameState(t, want, dumpView(t, s))
				closeStore(t, s)
				s2 := openDir(t, dir, WithCompactAt(tc.compactAt))
				sameState(t, want, dumpLatest(t, s2))
				closeStore(t, s2)
			}
			files, err := listDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tc.snapshot && len(files.snapshots) != 1 {
				t.Errorf("snapshots %v: want exactly one, the older ones removed", files.snapshots)
			}
			if !tc.snapshot && tc.compactAt > 1<<20 && (len(files.logs) != 1 || len(files.snapshots) != 0) {
				t.Errorf("logs %v, snapshots %v: want one log and no snapshot", files.logs, files.snapshots)
			}
		})
	}
}

// fill sets every field of the value v points to, recursively, to a value
// that is not the zero value, so that a field the files drop shows.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d <&> \u00e9", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(fmt.Sprintf(` {"x": %d} `, *n)))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2025, 1, 2, 3, 4, 5, *n*1000, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	default:
		panic("fill: a field of kind " + v.Kind().String())
	}
}

// TestOpen_EveryField writes items with every field set and reads them back
// from the log and from a snapshot: a field added to a contacts type that
// the files would drop fails it.
func TestOpen_EveryField(t *testing.T) {
	var n int
	filled := func(p any) any {
		fill(reflect.ValueOf(p).Elem(), &n)
		return reflect.ValueOf(p).Elem().Interface()
	}
	org := filled(&contacts.Org{}).(contacts.Org)
	c := filled(&contacts.Contact{}).(contacts.Contact)
	c.Org = org.ID
	g := filled(&contacts.Group{}).(contacts.Group)
	g.Org = org.ID
	sh := filled(&contacts.SlotHolders{}).(contacts.SlotHolders)
	sh.Org, sh.Version = org.ID, 1
	r := filled(&contacts.ConsentRecord{}).(contacts.ConsentRecord)
	r.Org = org.ID
	tok := filled(&contacts.Token{}).(contacts.Token)
	e := filled(&contacts.AuditEvent{}).(contacts.AuditEvent)
	e.Org, e.Seq, e.Prev = org.ID, 1, ""
	wc := filled(&contacts.WebhookCursor{}).(contacts.WebhookCursor)
	wc.Org = org.ID

	for _, snapshot := range []bool{false, true} {
		t.Run(fmt.Sprintf("snapshot=%v", snapshot), func(t *testing.T) {
			dir := t.TempDir()
			compactAt := int64(1 << 30)
			if snapshot {
				compactAt = 1
			}
			s := openDir(t, dir, WithCompactAt(compactAt))
			err := s.Update(context.Background(), func(tx contacts.Tx) error {
				return errors.Join(tx.InsertOrg(org), tx.InsertContact(c), tx.InsertGroup(g),
					tx.PutSlotHolders(sh, 0), tx.AppendConsent(r), tx.InsertToken(tok), tx.AppendAudit(e),
					tx.PutWebhookCursor(wc, 0))
			})
			if err != nil {
				t.Fatal(err)
			}
			waitSnapshot(s)
			want := dumpLatest(t, s)
			closeStore(t, s)
			files, _ := listDir(dir)
			if got := len(files.snapshots); got != map[bool]int{false: 0, true: 1}[snapshot] {
				t.Fatalf("%d snapshots", got)
			}
			s2 := openDir(t, dir)
			// Exactly: no nil-for-empty or time zone leeway here.
			if diff := cmp.Diff(want, dumpLatest(t, s2)); diff != "" {
				t.Errorf("after reopening (-want +got):\n%s", diff)
			}
		})
	}
}

// writeRecords opens dir, commits n Updates of one contact each, and closes
// the store; it returns the state after each Update.
func writeRecords(t *testing.T, dir string, n int) []map[string][]any {
	t.Helper()
	s := openDir(t, dir)
	var states []map[string][]any
	ctx := context.Background()
	for i := range n {
		err := s.Update(ctx, func(tx contacts.Tx) error {
			if i == 0 {
				if err := tx.InsertOrg(contacts.Org{ID: "o", Version: 1}); err != nil {
					return err
				}
			}
			return tx.InsertContact(contacts.Contact{Org: "o", ID: fmt.Sprintf("c%d", i), Email: fmt.Sprintf("c%d@example.com", i), Version: 1})
		})
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, dumpLatest(t, s))
	}
	closeStore(t, s)
	return states
}

func lastLog(t *testing.T, dir string) string {
	t.Helper()
	files, err := listDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, logName(files.logs[len(files.logs)-1]))
}

// frameOffsets returns where each frame of a file starts, and its end.
func frameOffsets(t *testing.T, path string) []int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fr, err := newFrameReader(f)
	if err != nil {
		t.Fatal(err)
	}
	offs := []int64{0}
	for {
		if _, err := fr.next(); err != nil {
			break
		}
		offs = append(offs, fr.off)
	}
	return offs
}

// TestOpen_TornRecord cuts the log anywhere inside its last record, or
// garbles its end, as a crash during the write would: Open drops the record,
// keeps the others, cuts the file, and appends after it.
func TestOpen_TornRecord(t *testing.T) {
	base := t.TempDir()
	states := writeRecords(t, filepath.Join(base, "orig"), 3)
	orig := lastLog(t, filepath.Join(base, "orig"))
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	offs := frameOffsets(t, orig) // header, 3 records, end
	lastStart, end := offs[3], offs[4]

	type damage struct {
		name string
		edit func([]byte) []byte
	}
	var cases []damage
	for _, cut := range []int64{1, 4, frameHeader - 1, frameHeader, frameHeader + 1, (end - lastStart) / 2, end - lastStart - 1} {
		cases = append(cases, damage{fmt.Sprintf("cut to %d bytes", cut), func(b []byte) []byte { return b[:lastStart+cut] }})
	}
	cases = append(cases,
		damage{"last byte flipped", func(b []byte) []byte { b[len(b)-1] ^= 0x20; return b }},
		damage{"checksum flipped", func(b []byte) []byte { b[lastStart+5] ^= 1; return b }},
		damage{"zeros after", func(b []byte) []byte { return append(b[:lastStart+10], make([]byte, 4096)...) }},
		damage{"length too large", func(b []byte) []byte { b[lastStart+3] = 0x7f; return b }},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, filepath.Base(orig))
			if err := os.WriteFile(path, tc.edit(append([]byte(nil), data...)), 0o600); err != nil {
				t.Fatal(err)
			}
			s := openDir(t, dir)
			sameState(t, states[1], dumpLatest(t, s))
			if info, _ := os.Stat(path); info.Size() != lastStart {
				t.Errorf("the log is %d bytes after Open, want %d: the torn record cut off", info.Size(), lastStart)
			}
			// Writes go on after the cut, and survive the next Open.
			if err := s.Update(context.Background(), func(tx contacts.Tx) error {
				return tx.InsertContact(contacts.Contact{Org: "o", ID: "after", Email: "after@example.com", Version: 1})
			}); err != nil {
				t.Fatal(err)
			}
			want := dumpLatest(t, s)
			closeStore(t, s)
			s2 := openDir(t, dir)
			sameState(t, want, dumpLatest(t, s2))
		})
	}
}

// TestOpen_Corrupt damages the files in ways a torn write cannot explain:
// Open fails with a CorruptError naming the file and offset.
func TestOpen_Corrupt(t *testing.T) {
	base := t.TempDir()
	writeRecords(t, filepath.Join(base, "orig"), 3)
	orig := lastLog(t, filepath.Join(base, "orig"))
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	offs := frameOffsets(t, orig)
	logFile := filepath.Base(orig)

	// A snapshot, for the cases that damage one.
	snapDir := filepath.Join(base, "snap")
	s := openDir(t, snapDir, WithCompactAt(1))
	if err := s.Update(context.Background(), func(tx contacts.Tx) error {
		return tx.InsertOrg(contacts.Org{ID: "o", Version: 1})
	}); err != nil {
		t.Fatal(err)
	}
	waitSnapshot(s)
	closeStore(t, s)
	snapFiles, _ := listDir(snapDir)
	snapFile := snapshotName(snapFiles.snapshots[0])
	snapData, err := os.ReadFile(filepath.Join(snapDir, snapFile))
	if err != nil {
		t.Fatal(err)
	}
	snapOffs := frameOffsets(t, filepath.Join(snapDir, snapFile)) // header, one frame of items, end

	for _, tc := range []struct {
		name    string
		files   map[string][]byte
		file    string // the file the error names
		offset  int64
		message string
	}{{
		name:   "middle record flipped",
		files:  map[string][]byte{logFile: flip(data, offs[2]+20)},
		file:   logFile,
		offset: offs[2], message: "followed by a valid frame",
	}, {
		name:   "middle record's length flipped",
		files:  map[string][]byte{logFile: flip(data, offs[2]+1)},
		file:   logFile,
		offset: offs[2], message: "followed by a valid frame",
	}, {
		name:  "header garbled",
		files: map[string][]byte{logFile: flip(data, 12)},
		file:  logFile, message: "followed by a valid frame",
	}, {
		name: "torn log that is not the newest",
		files: map[string][]byte{
			logName(1): data[:offs[3]+5],
			logName(2): fileHeader{Format: fileFormat, Version: fileVersion, Kind: kindLog, Generation: 2}.frame(),
		},
		file: logName(1), offset: offs[3], message: "not the newest",
	}, {
		name: "a log missing",
		files: map[string][]byte{
			logName(1): data,
			logName(3): fileHeader{Format: fileFormat, Version: fileVersion, Kind: kindLog, Generation: 3}.frame(),
		},
		file: logName(2), message: "missing",
	}, {
		name:  "a newer format",
		files: map[string][]byte{logFile: fileHeader{Format: fileFormat, Version: 2, Kind: kindLog, Generation: 1}.frame()},
		file:  logFile, message: "format version 2",
	}, {
		name:  "snapshot flipped",
		files: map[string][]byte{snapFile: flip(snapData, int64(len(snapData))-3)},
		file:  snapFile, offset: snapOffs[1], message: "checksum",
	}, {
		name:  "snapshot cut short",
		files: map[string][]byte{snapFile: snapData[:len(snapData)-20]},
		file:  snapFile, offset: snapOffs[1], message: "length",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, b := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Open(dir)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			var ce *CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: %v, not a CorruptError", err)
			}
			if filepath.Base(ce.Path) != tc.file || ce.Offset != tc.offset || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("Open: %v\nwant file %s, offset %d, and %q", err, tc.file, tc.offset, tc.message)
			}
			// The files are left as they were, for a person to look at.
			for name, b := range tc.files {
				if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != string(b) {
					t.Errorf("Open changed %s", name)
				}
			}
			// And the directory is not left locked.
			if s, err := Open(dir); err == nil || strings.Contains(err.Error(), "in use") {
				t.Errorf("Open again: %v", err)
				if s != nil {
					s.Close()
				}
			}
		})
	}
}

func flip(b []byte, at int64) []byte {
	b = append([]byte(nil), b...)
	b[at] ^= 0x40
	return b
}

func TestOpen_Locked(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	if s2, err := Open(dir); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Open: %v, want an error saying the directory is in use", err)
		if s2 != nil {
			s2.Close()
		}
	}
	closeStore(t, s)
	openDir(t, dir)
}

func TestOpen_NoDir(t *testing.T) {
	if _, err := Open(""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

// TestUpdate_InvalidUTF8 checks that a string JSON would change is refused
// rather than stored changed.
func TestUpdate_InvalidUTF8(t *testing.T) {
	s := openDir(t, t.TempDir())
	ctx := context.Background()
	err := s.Update(ctx, func(tx contacts.Tx) error {
		return tx.InsertOrg(contacts.Org{ID: "o", Name: "bad \xff byte", Version: 1})
	})
	if !errors.Is(err, errInvalidUTF8) {
		t.Errorf("Update: %v, want errInvalidUTF8", err)
	}
	// U+FFFD itself is valid, and stored.
	if err := s.Update(ctx, func(tx contacts.Tx) error {
		return tx.InsertOrg(contacts.Org{ID: "o", Name: "replacement \uFFFD char", Version: 1})
	}); err != nil {
		t.Fatal(err)
	}
}

// TestUpdate_LogFails breaks the log file under the store: the Update whose
// write fails returns the error, its write never becomes visible, and the
// store takes no more writes.
func TestUpdate_LogFails(t *testing.T) {
	s := openDir(t, t.TempDir())
	ctx := context.Background()
	insert := func(id string) error {
		return s.Update(ctx, func(tx contacts.Tx) error { return tx.InsertOrg(contacts.Org{ID: id, Version: 1}) })
	}
	if err := insert("a"); err != nil {
		t.Fatal(err)
	}
	s.log.f.Close() // the next write fails
	if err := insert("b"); err == nil {
		t.Fatal("Update succeeded with the log closed")
	}
	if err := insert("c"); err == nil || !strings.Contains(err.Error(), "no more writes") {
		t.Errorf("Update after the failure: %v", err)
	}
	err := s.View(ctx, func(tx contacts.ReadTx) error {
		orgs, err := tx.Orgs(contacts.Page{})
		if err == nil && (len(orgs) != 1 || orgs[0].ID != "a") {
			t.Errorf("Views see %v, want only org a", orgs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err == nil {
		t.Error("Close: nil, want the log's error")
	}
}

// TestUpdate_Concurrent runs writers and readers at once: every write is
// durable and visible once its Update returns, the reader's snapshots only
// grow, and a reopened store holds the same state.
func TestUpdate_Concurrent(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir, WithCompactAt(16<<10))
	ctx := context.Background()
	if err := s.Update(ctx, func(tx contacts.Tx) error { return tx.InsertOrg(contacts.Org{ID: "o", Version: 1}) }); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 100
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
		}
	}
	done := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		// Contacts only ever get added: a View never sees fewer than
		// the last one did.
		last := 0
		for {
			select {
			case <-done:
				return
			default:
			}
			n := 0
			err := s.View(ctx, func(tx contacts.ReadTx) error {
				for page := (contacts.Page{Limit: contacts.MaxPageSize}); ; {
					list, err := tx.Contacts("o", page)
					n += len(list)
					if err != nil || len(list) < page.Limit {
						return err
					}
					page.After = list[len(list)-1].ID
				}
			})
			if err == nil && n < last {
				err = fmt.Errorf("a View saw %d contacts after one saw %d", n, last)
			}
			if err != nil {
				fail(err)
				return
			}
			last = n
		}
	})
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-%03d", w, i)
				err := s.Update(ctx, func(tx contacts.Tx) error {
					return tx.InsertContact(contacts.Contact{Org: "o", ID: id, Email: id + "@example.com", Version: 1})
				})
				if err == nil {
					// Acknowledged, so visible.
					err = s.View(ctx, func(tx contacts.ReadTx) error {
						_, err := tx.Contact("o", id)
						return err
					})
				}
				if err != nil {
					fail(fmt.Errorf("contact %s: %w", id, err))
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	reader.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	want := dumpLatest(t, s)
	if n := len(want["contacts"]); n != writers*each {
		t.Fatalf("%d contacts, want %d", n, writers*each)
	}
	closeStore(t, s)
	sameState(t, want, dumpLatest(t, openDir(t, dir)))
}

// TestUpdate_RotateFails blocks the creation of the next log: writes go on
// in the current one, Close reports the failure, and nothing is lost.
func TestUpdate_RotateFails(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir, WithCompactAt(2<<10))
	// A directory where the next log would go: creating it fails.
	if err := os.Mkdir(filepath.Join(dir, logName(2)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, logName(2), "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWorkload(3)
	w.run(t, s, 30)
	if s.log.gen != 1 {
		t.Fatalf("the store is on log %d, want 1", s.log.gen)
	}
	if err := os.RemoveAll(filepath.Join(dir, logName(2))); err != nil {
		t.Fatal(err)
	}
	w.run(t, s, 60)
	if s.log.gen == 1 {
		t.Error("the store never started log 2 once it could")
	}
	waitSnapshot(s)
	want := dumpLatest(t, s)
	if err := s.Close(); err == nil || !strings.Contains(err.Error(), "starting log 2") {
		t.Errorf("Close: %v, want the failure to start log 2", err)
	}
	sameState(t, want, dumpLatest(t, openDir(t, dir)))
}
