package memstore_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// TestCrash is the crash test of RELIABILITY F3 for the data directory: a
// child process writes through the Service in a loop, from several
// goroutines, and is killed with SIGKILL at a random moment, 50 times.
// After each kill the store is opened again and must hold every write the
// child saw acknowledged, each write whole or not at all, and an audit
// chain that verifies.
//
// The child prints a line for each acknowledged write, after its Update
// returned: "c ID" for a contact created, "u ID VERSION" for one updated,
// "d ID" for one deleted (after "d? ID" when it starts to delete it, so the
// parent knows the contact may be gone). A small compaction threshold makes
// the child write snapshots and start new logs throughout, so kills land in
// those too; one kill in ten comes during start-up instead, while the child
// replays what the kills before left. The runs go in ten lives of five
// over one directory each, which bounds the state each start-up replays
// (under the race detector, replaying is slow).
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test starts 50 processes; it runs without -short")
	}
	const (
		lives = 10
		runs  = 5 // per life
	)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	var (
		st    crashStats
		start = time.Now()
	)
	for range lives {
		dir := t.TempDir()
		svc, closeStore := openService(t, dir)
		_, owner, err := svc.CreateOrg(context.Background(), contacts.Actor{Vendor: "test"}, contacts.NewOrg{ID: crashOrg, Name: "Crash Test",
			Owner: contacts.NewContact{Name: "Olga Owner", Email: "olga@crash.example"}})
		if err != nil {
			t.Fatal(err)
		}
		closeStore()
		w := newCrashWrites()
		for run := range runs {
			delay := time.Duration(20+r.IntN(181)) * time.Millisecond
			duringStartup := run == runs-1
			if duringStartup {
				delay = time.Duration(r.IntN(30)) * time.Millisecond
			}
			lines, stderr := runChild(t, dir, delay, duringStartup)
			for _, line := range lines {
				if err := w.add(line); err != nil {
					t.Fatalf("%v; its stderr:\n%s", err, stderr)
				}
			}
			st.look(t, dir)
			if r.IntN(2) == 0 {
				// What SIGKILL never does, but a power cut may: leave
				// part of a record that was being written.
				torn, err := memstore.TearLog(newestLog(t, dir), func(n int) int { return 1 + r.IntN(n-1) })
				if err != nil {
					t.Fatal(err)
				}
				if torn {
					st.torn++
				}
			}
			svc, closeStore := openService(t, dir)
			w.check(t, svc, owner.ID)
			closeStore()
			st.runs++
		}
		st.add(w)
	}
	t.Logf("%d kills, %d acknowledged writes (%d contacts created, %d deleted), every one found; "+
		"the kills left %d torn log tails, %d unfinished snapshots, %d logs a snapshot had not replaced yet; "+
		"the test tore %d more; %v",
		st.runs, st.acked, st.created, st.deleted, st.killTorn, st.temps, st.extraLogs, st.torn, time.Since(start).Round(time.Millisecond))
}

// crashOrg is the org the child writes to.
const crashOrg = "crash"

// crashStats counts what the crash test saw.
type crashStats struct {
	runs, acked, created, deleted int
	killTorn, torn                int // tails torn by a kill, and by the test
	temps, extraLogs              int
}

func (st *crashStats) add(w *crashWrites) {
	st.acked += w.acked
	st.created += len(w.created)
	st.deleted += len(w.deleted)
}

// look counts what a kill left in dir: a torn record at the end of the
// newest log, a snapshot being written, a log that the snapshot being
// written would have replaced.
func (st *crashStats) look(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var logs []string
	for _, e := range entries {
		switch name := e.Name(); {
		case strings.HasSuffix(name, ".tmp"):
			st.temps++
		case strings.HasPrefix(name, "log-"):
			logs = append(logs, name)
		}
	}
	if len(logs) > 1 {
		st.extraLogs += len(logs) - 1
	}
	if len(logs) > 0 {
		torn, err := memstore.TornBytes(filepath.Join(dir, logs[len(logs)-1]))
		if err != nil {
			t.Fatal(err)
		}
		if torn > 0 {
			st.killTorn++
		}
	}
}

// newestLog returns the path of the newest log in dir.
func newestLog(t *testing.T, dir string) string {
	t.Helper()
	logs, err := filepath.Glob(filepath.Join(dir, "log-*"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no log in %s: %v", dir, err)
	}
	return logs[len(logs)-1] // Glob sorts, and the numbers are zero-padded
}

// crashWrites is what the children of one directory acknowledged.
type crashWrites struct {
	created  map[string]bool  // acknowledged creates
	version  map[string]int64 // the last acknowledged version
	deleting map[string]bool  // deletes begun, perhaps applied
	deleted  map[string]bool  // acknowledged deletes
	acked    int
}

func newCrashWrites() *crashWrites {
	return &crashWrites{created: map[string]bool{}, version: map[string]int64{}, deleting: map[string]bool{}, deleted: map[string]bool{}}
}

// add takes in a line the child printed.
func (w *crashWrites) add(line string) error {
	op, rest, _ := strings.Cut(line, " ")
	switch op {
	case "ready":
		return nil
	case "c":
		w.created[rest], w.version[rest] = true, 1
	case "u":
		id, v, _ := strings.Cut(rest, " ")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("the child printed %q", line)
		}
		w.version[id] = n
	case "d?":
		w.deleting[rest] = true
		return nil
	case "d":
		w.deleted[rest] = true
	default:
		return fmt.Errorf("the child printed %q", line)
	}
	w.acked++
	return nil
}

// crashCompactAt is the child's compaction threshold: small, so that it
// snapshots often.
const crashCompactAt = 256 << 10

func openService(t *testing.T, dir string) (*contacts.Service, func()) {
	t.Helper()
	s, err := memstore.Open(dir, memstore.WithCompactAt(crashCompactAt))
	if err != nil {
		t.Fatalf("Open after the crash: %v", err)
	}
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	return contacts.New(s, pol), func() {
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

// runChild starts the child on dir, kills it with SIGKILL delay after it is
// ready (or after it starts, with fromStart), and returns what it printed.
func runChild(t *testing.T, dir string, delay time.Duration, fromStart bool) (lines []string, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if sc.Text() == "ready" {
				close(ready)
			}
		}
	})
	if !fromStart {
		select {
		case <-ready:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child did not get ready; its stderr:\n%s", errBuf.String())
		}
	}
	time.Sleep(delay)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	reader.Wait()
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); err == nil || !ok || !ws.Signaled() {
		t.Fatalf("the child ended on its own (%v) rather than by the kill; its output ends:\n%s\nits stderr:\n%s",
			err, strings.Join(lines[max(0, len(lines)-5):], "\n"), errBuf.String())
	}
	return lines, errBuf.String()
}

// check checks the reopened store against what the children acknowledged,
// and that every write is whole: each contact has exactly one creation
// event and one update event per version after the first, and each
// creation event's contact exists unless a deletion event follows.
func (w *crashWrites) check(t *testing.T, svc *contacts.Service, owner string) {
	t.Helper()
	ctx := context.Background()
	org := crashOrg
	vendor := contacts.Actor{Org: org, Vendor: "test"}
	if _, err := svc.VerifyAudit(ctx, vendor, org, nil); err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	stored := map[string]contacts.Contact{}
	for page := (contacts.Page{Limit: 500}); ; {
		list, next, err := svc.Contacts(ctx, vendor, org, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			stored[c.ID] = c
		}
		if next == "" {
			break
		}
		page.After = next
	}
	events := map[string]map[string]int{} // by contact ID, by action
	for after := uint64(0); ; {
		list, err := svc.AuditEvents(ctx, vendor, org, after, contacts.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			if id, ok := strings.CutPrefix(e.Target, "contact/"); ok {
				if events[id] == nil {
					events[id] = map[string]int{}
				}
				events[id][e.Action]++
			}
			after = e.Seq
		}
		if len(list) < contacts.MaxPageSize {
			break
		}
	}

	if c, ok := stored[owner]; !ok || !c.HasRole("owner") {
		t.Errorf("the org's owner %s is gone or no longer an owner: %+v", owner, c)
	}
	for id := range w.created {
		c, ok := stored[id]
		switch {
		case w.deleted[id] && ok:
			t.Errorf("contact %s: deleted, acknowledged, and still there", id)
		case !ok && !w.deleting[id]:
			t.Errorf("contact %s: created, acknowledged, and gone", id)
		case ok && c.Version < w.version[id]:
			t.Errorf("contact %s: version %d, after version %d was acknowledged", id, c.Version, w.version[id])
		}
	}
	for id, c := range stored {
		ev := events[id]
		if ev["contact.create"] != 1 {
			t.Errorf("contact %s: %d creation events, want 1", id, ev["contact.create"])
		}
		if want := 1 + int64(ev["contact.update"]); c.Version != want || ev["contact.delete"] != 0 {
			t.Errorf("contact %s: version %d, with %d update events and %d deletion events", id, c.Version, ev["contact.update"], ev["contact.delete"])
		}
		if c.Name == "" || c.Email == "" || c.Status != contacts.Active {
			t.Errorf("contact %s is incomplete: %+v", id, c)
		}
	}
	for id, ev := range events {
		if _, ok := stored[id]; !ok && ev["contact.delete"] != 1 {
			t.Errorf("contact %s: %v events, but no contact", id, ev)
		}
	}
}

// crashDirEnv names the data directory of TestCrashChild.
const crashDirEnv = "MEMSTORE_CRASH_CHILD_DIR"

// TestCrashChild is TestCrash's child process; run by the test alone, it
// skips. It writes until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("the child process of TestCrash")
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		// One write per line, unbuffered: a line printed is a line the
		// parent reads, whenever the kill comes.
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
	}
	fail := func(format string, args ...any) {
		say("error "+format, args...)
		os.Exit(3)
	}
	s, err := memstore.Open(dir, memstore.WithCompactAt(crashCompactAt))
	if err != nil {
		fail("Open: %v", err)
	}
	pol, err := policy.New(policy.Default())
	if err != nil {
		fail("%v", err)
	}
	svc := contacts.New(s, pol)
	ctx := context.Background()
	org := crashOrg
	vendor := contacts.Actor{Org: org, Vendor: "test"}
	say("ready")
	// Addresses unique across children: a PID may come round again.
	run := rand.Uint64()
	for g := range 4 {
		go func() {
			title := "Updated"
			for n := 0; ; n++ {
				c, err := svc.CreateContact(ctx, vendor, org, contacts.NewContact{
					Name: fmt.Sprintf("Contact %d-%d", g, n), Email: fmt.Sprintf("r%x-%d-%d@crash.example", run, g, n)})
				if err != nil {
					fail("CreateContact: %v", err)
				}
				say("c %s", c.ID)
				if n%3 == 1 {
					if c, err = svc.UpdateContact(ctx, vendor, org, c.ID, c.Version, contacts.ContactPatch{Title: &title}); err != nil {
						fail("UpdateContact: %v", err)
					}
					say("u %s %d", c.ID, c.Version)
				}
				if n%4 == 2 {
					say("d? %s", c.ID)
					if err := svc.DeleteContact(ctx, vendor, org, c.ID, c.Version); err != nil {
						fail("DeleteContact: %v", err)
					}
					say("d %s", c.ID)
				}
			}
		}()
	}
	select {}
}
