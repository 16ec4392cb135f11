package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/schema"
	"github.com/liaisonhq/liaison/storage"
)

// defaultConfig is the config the import tests pass with --config.
var defaultConfig = filepath.Join("..", "..", "schema", "presets", "default.json")

// defaultPolicy returns the policy of the default preset.
func defaultPolicy(t testing.TB) *policy.Policy {
	t.Helper()
	cfg, err := schema.LoadPreset("default")
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// vendor is how the tests act on a store directly.
func vendor(org string) contacts.Actor { return contacts.Actor{Org: org, Vendor: "test"} }

// withStore opens the durable store in dir, runs fn with a Service over it,
// and closes it again, so that the command under test can open it.
func withStore(t testing.TB, dir string, fn func(svc *contacts.Service, store contacts.Store)) {
	t.Helper()
	store, err := storage.Open(context.Background(), "file://"+filepath.ToSlash(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	fn(contacts.New(store, defaultPolicy(t)), store)
}

// newStore creates a durable store in a new temporary directory holding
// the org acme, whose owner is Olga <olga@acme.example>, and returns the
// directory. The store is closed when newStore returns.
func newStore(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	withStore(t, dir, func(svc *contacts.Service, _ contacts.Store) {
		createOrg(t, svc, "acme", "olga@acme.example")
	})
	return dir
}

func createOrg(t testing.TB, svc *contacts.Service, id, owner string) {
	t.Helper()
	_, _, err := svc.CreateOrg(context.Background(), contacts.Actor{Vendor: "test"}, contacts.NewOrg{
		ID: id, Name: id, Owner: contacts.NewContact{Name: "Olga Owner", Email: owner},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// listContacts returns every contact of org in the store in dir.
func listContacts(t testing.TB, dir, org string) []contacts.Contact {
	t.Helper()
	var all []contacts.Contact
	withStore(t, dir, func(svc *contacts.Service, _ contacts.Store) {
		page := contacts.Page{Limit: contacts.MaxPageSize}
		for {
			list, next, err := svc.Contacts(context.Background(), vendor(org), org, page)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, list...)
			if next == "" {
				return
			}
			page.After = next
		}
	})
	return all
}

// dirFiles returns the contents of every file under dir by relative name,
// to show that a command wrote nothing.
func dirFiles(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

func runCmd(args ...string) result {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit status %d\n-- stdout --\n%s-- stderr --\n%s", r.code, r.stdout, r.stderr)
}

func importArgs(dir, file string, dryRun bool) []string {
	args := []string{"import", "--config", defaultConfig, "--data", dir, "--org", "acme", file}
	if dryRun {
		args = append([]string{"import", "--dry-run"}, args[1:]...)
	}
	return args
}

// importFiles returns the import test files, with slashes.
func importFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.csv", "*.jsonl"} {
		m, err := filepath.Glob(filepath.Join("testdata", "import", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("want at least 20 files in testdata/import, got %d", len(files))
	}
	for i, f := range files {
		files[i] = filepath.ToSlash(f) // the golden files are the same on every OS
	}
	slices.Sort(files)
	return files
}

// TestImport_Golden runs a dry run of every file in testdata/import against
// one store, and compares exit status, standard output and standard error
// with the file's .golden file. Refresh them with
//
//	go test ./cmd/liaison -run TestImport_Golden -update
//
// Then it holds a real import of each file to the same result: the same
// problems and nothing written, or the dry run's count of contacts added.
func TestImport_Golden(t *testing.T) {
	dir := newStore(t)
	before := dirFiles(t, dir)
	files := importFiles(t)
	dry := map[string]result{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			got := runCmd(importArgs(dir, file, true)...)
			dry[file] = got
			golden := strings.TrimSuffix(file, filepath.Ext(file)) + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("output mismatch (-%s +got):\n%s", golden, diff)
			}
			for _, line := range strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n") {
				if got.code == exitInvalid && !strings.HasPrefix(line, "line ") {
					t.Errorf("problem %q does not start with \"line N: \"", line)
				}
			}
		})
	}
	if diff := cmp.Diff(before, dirFiles(t, dir)); diff != "" {
		t.Fatalf("dry runs changed the store's files (-before +after):\n%s", diff)
	}
	if n := len(listContacts(t, dir, "acme")); n != 1 {
		t.Fatalf("after the dry runs acme has %d contacts, want 1", n)
	}

	t.Run("real imports match the dry runs", func(t *testing.T) {
		for _, file := range files {
			want := dry[file]
			store := dir
			if want.code == exitOK {
				store = newStore(t) // a good file changes the store
			}
			got := runCmd(importArgs(store, file, false)...)
			if got.code != want.code || got.code == exitInvalid && got.stdout != want.stdout {
				t.Errorf("%s: real import:\n%s\nwant the dry run's status and problems:\n%s", file, got, want)
				continue
			}
			var n int
			if want.code == exitOK {
				fmt.Sscanf(want.stdout, "%d", &n)
				if !strings.HasPrefix(got.stdout, fmt.Sprintf("imported %d ", n)) && !strings.Contains(got.stdout, "holds no contacts") {
					t.Errorf("%s: real import printed %q after a dry run that printed %q", file, got.stdout, want.stdout)
				}
			}
			if got := len(listContacts(t, store, "acme")); got != 1+n {
				t.Errorf("%s: acme has %d contacts after the import, want %d", file, got, 1+n)
			}
		}
	})
}

// TestImport_DryRunWritesNothing counts the contacts and compares the
// store's files before and after dry runs of a good and a bad file.
func TestImport_DryRunWritesNothing(t *testing.T) {
	dir := newStore(t)
	before := dirFiles(t, dir)
	for _, file := range []string{"testdata/import/bom_crlf_quoted.csv", "testdata/import/bad_email.csv", "testdata/import/valid.jsonl"} {
		got := runCmd(importArgs(dir, file, true)...)
		if got.code == exitUsage {
			t.Fatalf("%s: %s", file, got)
		}
	}
	if diff := cmp.Diff(before, dirFiles(t, dir)); diff != "" {
		t.Errorf("a dry run changed the store's files (-before +after):\n%s", diff)
	}
	if n := len(listContacts(t, dir, "acme")); n != 1 {
		t.Errorf("acme has %d contacts after dry runs, want 1", n)
	}
}

// TestImport_AllOrNothing imports a file with one bad record among good
// ones (nothing is written, not even an audit event), then the file fixed
// (every record is written, normalised, in one audit event).
func TestImport_AllOrNothing(t *testing.T) {
	dir := newStore(t)
	auditLen := func() int {
		var n int
		withStore(t, dir, func(svc *contacts.Service, _ contacts.Store) {
			events, err := svc.AuditEvents(context.Background(), vendor("acme"), "acme", 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			n = len(events)
		})
		return n
	}
	events := auditLen()
	csv := filepath.Join(t.TempDir(), "people.csv")
	write := func(content string) {
		if err := os.WriteFile(csv, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("name,email,language,phone\r\nAda,ada@ACME.example,pt-br,+41 44 668 18 00\r\nBob,bob@acme.example,,\r\nCarl,carl@acme.example,ja,\r\n")
	got := runCmd(importArgs(dir, csv, false)...)
	wantOut := "line 4: language: must be one of the supported languages (en, pt-BR, es, fr, de)\n"
	if got.code != exitInvalid || got.stdout != wantOut {
		t.Fatalf("import of a bad file:\n%s\nwant exit 1 and %q", got, wantOut)
	}
	if n := len(listContacts(t, dir, "acme")); n != 1 || auditLen() != events {
		t.Fatalf("a refused import wrote: %d contacts, %d audit events (want 1, %d)", n, auditLen(), events)
	}

	write("name,email,language,phone\r\nAda,ada@ACME.example,pt-br,+41 44 668 18 00\r\nBob,bob@acme.example,,\r\nCarl,carl@acme.example,DE,\r\n")
	got = runCmd(importArgs(dir, csv, false)...)
	if got.code != exitOK || got.stdout != "imported 3 contacts into acme\n" || got.stderr != "" {
		t.Fatalf("import of the fixed file:\n%s", got)
	}
	if n := auditLen(); n != events+1 {
		t.Errorf("%d audit events after the import, want %d (one for the import)", n, events+1)
	}
	var gotContacts []contacts.NewContact
	for _, c := range listContacts(t, dir, "acme") {
		if c.Email != "olga@acme.example" {
			gotContacts = append(gotContacts, contacts.NewContact{Name: c.Name, Email: c.Email, Language: c.Language, Phone: c.Phone})
		}
	}
	slices.SortFunc(gotContacts, func(a, b contacts.NewContact) int { return strings.Compare(a.Name, b.Name) })
	want := []contacts.NewContact{
		{Name: "Ada", Email: "ada@acme.example", Language: "pt-BR", Phone: "+41446681800"},
		{Name: "Bob", Email: "bob@acme.example", Language: "en"},
		{Name: "Carl", Email: "carl@acme.example", Language: "de"},
	}
	if diff := cmp.Diff(want, gotContacts); diff != "" {
		t.Errorf("imported contacts (-want +got):\n%s", diff)
	}

	got = runCmd(importArgs(dir, csv, false)...)
	if got.code != exitInvalid || !strings.Contains(got.stdout, "line 2: email: another contact of the org uses this address\n") {
		t.Errorf("importing the same file again:\n%s\nwant every address refused as taken", got)
	}
}

// TestImport_Errors covers what is wrong outside the file: the org, the
// config, the store, the file itself.
func TestImport_Errors(t *testing.T) {
	dir := newStore(t)
	badConfig := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(badConfig, []byte(`{"version": "x", "Roles": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	good := "testdata/import/bom_crlf_quoted.csv"
	tests := []struct {
		name       string
		args       []string
		wantStdout string
		wantStderr string // substring
	}{
		{
			name:       "org that does not exist",
			args:       []string{"import", "--config", defaultConfig, "--data", dir, "--org", "nope", good},
			wantStderr: `liaison import: org "nope" does not exist in the store; import adds contacts to an existing org and creates none`,
		},
		{
			name:       "empty in-memory store has no org",
			args:       []string{"import", "--config", defaultConfig, "--data", "mem://", "--org", "acme", good},
			wantStderr: `org "acme" does not exist`,
		},
		{
			name:       "invalid config",
			args:       []string{"import", "--config", badConfig, "--data", dir, "--org", "acme", good},
			wantStderr: "liaison import: config " + badConfig + `: /Roles: key "Roles" must be written "roles"`,
		},
		{
			name:       "missing config",
			args:       []string{"import", "--config", badConfig + ".missing", "--data", dir, "--org", "acme", good},
			wantStderr: ": /: cannot read: no such file or directory",
		},
		{
			name:       "data directory that does not exist",
			args:       []string{"import", "--config", defaultConfig, "--data", filepath.Join(dir, "nope"), "--org", "acme", good},
			wantStderr: "no such file or directory",
		},
		{
			name:       "bad storage URL",
			args:       []string{"import", "--config", defaultConfig, "--data", "ftp://host/x", "--org", "acme", good},
			wantStderr: `unknown storage URL scheme "ftp"`,
		},
		{
			name:       "import file that does not exist",
			args:       []string{"import", "--config", defaultConfig, "--data", dir, "--org", "acme", "testdata/import/nope.csv"},
			wantStderr: "liaison import: testdata/import/nope.csv: no such file or directory",
		},
		{
			name:       "data as a file URL",
			args:       []string{"import", "--dry-run", "--config", defaultConfig, "--data", "file://" + filepath.ToSlash(dir), "--org", "acme", good},
			wantStdout: "3 rows would be imported into acme (dry run: nothing written)\n",
		},
		{
			name:       "flags after the file",
			args:       []string{"import", good, "--dry-run", "--config", defaultConfig, "--data", dir, "--org", "acme"},
			wantStdout: "3 rows would be imported into acme (dry run: nothing written)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCmd(tt.args...)
			wantCode := exitInvalid
			if tt.wantStdout != "" {
				wantCode = exitOK
			}
			if got.code != wantCode || got.stdout != tt.wantStdout || !strings.Contains(got.stderr, tt.wantStderr) {
				t.Errorf("got\n%s\nwant exit %d, stdout %q, stderr containing %q", got, wantCode, tt.wantStdout, tt.wantStderr)
			}
		})
	}
	if n := len(listContacts(t, dir, "acme")); n != 1 {
		t.Errorf("acme has %d contacts, want 1", n)
	}
}

// TestImportExport_Usage checks that command lines that are wrong exit 2
// with a message naming what is wrong, before touching anything.
func TestImportExport_Usage(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "never-created")
	f := "testdata/import/bom_crlf_quoted.csv"
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"import without config", []string{"import", "--data", data, "--org", "acme", f}, "liaison import: --config is required"},
		{"import without data", []string{"import", "--config", defaultConfig, "--org", "acme", f}, "liaison import: --data is required"},
		{"import without org", []string{"import", "--config", defaultConfig, "--data", data, f}, "liaison import: --org is required"},
		{"import without a file", []string{"import", "--config", defaultConfig, "--data", data, "--org", "acme"}, "liaison import: no file given"},
		{"import of two files", []string{"import", "--config", defaultConfig, "--data", data, "--org", "acme", f, f}, "liaison import: one file at a time, not 2"},
		{"import of an unknown format", []string{"import", "--config", defaultConfig, "--data", data, "--org", "acme", "people.xlsx"}, "liaison import: people.xlsx: the file name must end in .csv or .jsonl"},
		{"import with an unknown flag", []string{"import", "--force", f}, "flag provided but not defined: -force"},
		{"import with a flag lacking its value", []string{"import", f, "--org"}, "flag needs an argument: -org"},
		{"export without data", []string{"export", "--org", "acme", "--format", "csv"}, "liaison export: --data is required"},
		{"export without org", []string{"export", "--data", data, "--format", "csv"}, "liaison export: --org is required"},
		{"export without format", []string{"export", "--data", data, "--org", "acme"}, "liaison export: --format is required"},
		{"export to an unknown format", []string{"export", "--data", data, "--org", "acme", "--format", "xlsx"}, `liaison export: --format must be csv or jsonl, not "xlsx"`},
		{"export with arguments", []string{"export", "--data", data, "--org", "acme", "--format", "csv", "out.csv"}, `liaison export: unexpected arguments ["out.csv"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCmd(tt.args...)
			if got.code != exitUsage || got.stdout != "" || !strings.Contains(got.stderr, tt.wantStderr) {
				t.Errorf("got\n%s\nwant exit 2 and stderr containing %q", got, tt.wantStderr)
			}
			if !strings.Contains(got.stderr, "usage: liaison ") {
				t.Errorf("stderr lacks the usage line:\n%s", got.stderr)
			}
		})
	}
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a usage error created the data directory: %v", err)
	}
	for _, c := range []string{"import", "export"} {
		if got := runCmd("help", c); got.code != exitOK || !strings.Contains(got.stdout, "usage: liaison "+c) {
			t.Errorf("help %s:\n%s", c, got)
		}
	}
}

// seedVaried fills org with contacts that exercise every exported column:
// roles, groups, a national phone, a formula-like title, quotes, commas
// and non-ASCII text.
func seedVaried(t testing.TB, svc *contacts.Service, org string) {
	t.Helper()
	ctx := context.Background()
	as := vendor(org)
	rows := []contacts.NewContact{
		{Name: `Doe, "Jane"`, Email: "jane@acme.example", Language: "de", Phone: "044 668 18 00", PhoneRegion: "ch", Title: "=SUM(A1:A9)", Kind: contacts.Client, Availability: contacts.Busy},
		{Name: "Zoë Ærø", Email: "zoë@bücher.example", Language: "pt-br", Title: "-1", Kind: contacts.Internal},
		{Name: "@handle", Email: "handle@acme.example", Availability: contacts.Offline},
		{Name: "'Tis Sam", Email: "sam@acme.example", Title: "'+quoted"},
	}
	created, err := svc.ImportContacts(ctx, as, org, rows)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GrantRole(ctx, as, org, created[0].ID, created[0].Version, "admin"); err != nil {
		t.Fatal(err)
	}
	g, err := svc.CreateGroup(ctx, as, org, contacts.NewGroup{Name: "Ops", Kind: contacts.Team})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddToGroup(ctx, as, org, g.ID, created[1].ID); err != nil {
		t.Fatal(err)
	}
}

// importable is what a round trip keeps of a contact: what import sets.
func importable(list []contacts.Contact, skip string) []contacts.NewContact {
	var out []contacts.NewContact
	for _, c := range list {
		if c.Email != skip {
			out = append(out, contacts.NewContact{Name: c.Name, Email: c.Email, Language: c.Language, Phone: c.Phone,
				Title: c.Title, Kind: c.Kind, Availability: c.Availability})
		}
	}
	slices.SortFunc(out, func(a, b contacts.NewContact) int { return strings.Compare(a.Email, b.Email) })
	return out
}

// TestExportImport_RoundTrip exports an org in each format, imports the
// file into a fresh org, and finds the same contacts there.
func TestExportImport_RoundTrip(t *testing.T) {
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			dir := newStore(t)
			withStore(t, dir, func(svc *contacts.Service, _ contacts.Store) {
				seedVaried(t, svc, "acme")
				createOrg(t, svc, "beta", "owner@beta.example")
			})
			out := filepath.Join(t.TempDir(), "acme."+format)
			got := runCmd("export", "--data", dir, "--org", "acme", "--format", format, "--out", out)
			if got.code != exitOK || got.stdout != "exported 5 contacts of acme to "+out+"\n" || got.stderr != "" {
				t.Fatalf("export:\n%s", got)
			}
			if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("export file: %v, mode %v; want mode 0600", err, fi.Mode().Perm())
			}
			got = runCmd("import", "--config", defaultConfig, "--data", dir, "--org", "beta", out)
			if got.code != exitOK || got.stdout != "imported 5 contacts into beta\n" {
				t.Fatalf("import of the export:\n%s", got)
			}
			if want := "ignoring id, roles, groups, verification, status"; !strings.Contains(got.stderr, want) {
				t.Errorf("stderr = %q, want it to contain %q", got.stderr, want)
			}
			acme := importable(listContacts(t, dir, "acme"), "")
			beta := importable(listContacts(t, dir, "beta"), "owner@beta.example")
			if diff := cmp.Diff(acme, beta); diff != "" {
				t.Errorf("contacts after the round trip (-acme +beta):\n%s", diff)
			}
		})
	}
}

// TestExport_CSV checks the bytes spreadsheets read: a byte order mark, the
// header, CRLF, quoting and formula guards.
func TestExport_CSV(t *testing.T) {
	dir := newStore(t)
	withStore(t, dir, func(svc *contacts.Service, _ contacts.Store) { seedVaried(t, svc, "acme") })
	got := runCmd("export", "--data", dir, "--org", "acme", "--format", "csv")
	if got.code != exitOK || got.stderr != "" {
		t.Fatalf("export:\n%s", got)
	}
	header := utf8BOM + "name,email,language,phone,phone_region,title,kind,availability,id,roles,groups,verification,status\r\n"
	if !strings.HasPrefix(got.stdout, header) {
		t.Fatalf("export does not start with the BOM and header:\n%q", got.stdout)
	}
	lines := strings.SplitAfter(strings.TrimPrefix(got.stdout, header), "\r\n")
	if lines[len(lines)-1] != "" || len(lines) != 6 {
		t.Fatalf("want 5 CRLF-terminated records, got %q", lines)
	}
	byEmail := map[string]string{}
	for _, l := range lines[:5] {
		rec, err := csv.NewReader(strings.NewReader(l)).Read()
		if err != nil {
			t.Fatalf("record %q: %v", l, err)
		}
		byEmail[rec[1]] = l
	}
	for email, want := range map[string][]string{
		"olga@acme.example":   {",owner,", ",unverified,active\r\n"},
		"jane@acme.example":   {`"Doe, ""Jane""",jane@acme.example,de,'+41446681800,,'=SUM(A1:A9),client,busy,`, ",admin,,"},
		"handle@acme.example": {"'@handle,handle@acme.example,en,", ",offline,"},
		"sam@acme.example":    {"'Tis Sam,", ",''+quoted,"},
	} {
		l, ok := byEmail[email]
		if !ok {
			t.Errorf("no record of %s in:\n%s", email, got.stdout)
			continue
		}
		for _, w := range want {
			if !strings.Contains(l, w) {
				t.Errorf("record of %s = %q, want it to contain %q", email, l, w)
			}
		}
	}

	got = runCmd("export", "--data", dir, "--org", "acme", "--format", "jsonl")
	if got.code != exitOK {
		t.Fatalf("export:\n%s", got)
	}
	recs := strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n")
	if len(recs) != 5 {
		t.Fatalf("want 5 JSON lines, got %d:\n%s", len(recs), got.stdout)
	}
	for _, r := range recs {
		if _, err := schema.ParseContact([]byte(r)); err != nil {
			t.Errorf("exported line %s does not pass contact.schema.json: %v", r, err)
		}
	}
}

func TestExport_Errors(t *testing.T) {
	dir := newStore(t)
	out := filepath.Join(t.TempDir(), "out.csv")
	got := runCmd("export", "--data", dir, "--org", "nope", "--format", "csv", "--out", out)
	if got.code != exitInvalid || got.stdout != "" || got.stderr != "liaison export: org \"nope\" does not exist in the store\n" {
		t.Errorf("export of a missing org:\n%s", got)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("a failed export left files: %v", entries)
	}
	got = runCmd("export", "--data", dir, "--org", "nope", "--format", "jsonl")
	if got.code != exitInvalid || got.stdout != "" {
		t.Errorf("export of a missing org to stdout wrote something:\n%s", got)
	}
}

// TestContactSchema_Fields holds the member lists of schema to the schema
// document: the writable and read-only members, and the required ones.
func TestContactSchema_Fields(t *testing.T) {
	var doc struct {
		Properties map[string]struct {
			ReadOnly bool `json:"readOnly"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(schema.ContactSchema(), &doc); err != nil {
		t.Fatal(err)
	}
	var writable, readOnly []string
	for name, p := range doc.Properties {
		if p.ReadOnly {
			readOnly = append(readOnly, name)
		} else {
			writable = append(writable, name)
		}
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	if diff := cmp.Diff(sorted(writable), sorted(schema.ContactFields())); diff != "" {
		t.Errorf("ContactFields (-schema +Go):\n%s", diff)
	}
	if diff := cmp.Diff(sorted(readOnly), sorted(schema.ContactReadOnlyFields())); diff != "" {
		t.Errorf("ContactReadOnlyFields (-schema +Go):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"name", "email"}, doc.Required); diff != "" {
		t.Errorf("required (-want +schema):\n%s", diff)
	}
}

func TestGuardCell(t *testing.T) {
	tests := []struct{ value, cell string }{
		{"Ada", "Ada"},
		{"", ""},
		{"=SUM(A1)", "'=SUM(A1)"},
		{"+4930901820", "'+4930901820"},
		{"-1", "'-1"},
		{"@x", "'@x"},
		{"'Tis", "'Tis"},
		{"'=x", "''=x"},
		{"''+x", "'''+x"},
		{"'", "'"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := guardCell(tt.value); got != tt.cell {
			t.Errorf("guardCell(%q) = %q, want %q", tt.value, got, tt.cell)
		}
		if got := unguardCell(tt.cell); got != tt.value {
			t.Errorf("unguardCell(%q) = %q, want %q", tt.cell, got, tt.value)
		}
	}
	// What a person types to enter a phone number as text.
	if got := unguardCell("'+41 44 668 18 00"); got != "+41 44 668 18 00" {
		t.Errorf("unguardCell of a typed guard = %q", got)
	}
}

// TestImport_CSVAsSpreadsheetsWriteIt imports files with a byte order
// mark, CRLF, quoted commas and quotes, formula guards and semicolons, and
// checks what the contacts hold.
func TestImport_CSVAsSpreadsheetsWriteIt(t *testing.T) {
	dir := newStore(t)
	for _, f := range []string{"bom_crlf_quoted.csv", "formula_guard.csv", "semicolons.csv"} {
		// semicolons.csv repeats formula_guard.csv's Ada: give it an org of its own.
		org := strings.TrimSuffix(f, ".csv")
		withStore(t, dir, func(svc *contacts.Service, _ contacts.Store) { createOrg(t, svc, org, "olga@acme.example") })
		got := runCmd("import", "--config", defaultConfig, "--data", dir, "--org", org, filepath.Join("testdata", "import", f))
		if got.code != exitOK {
			t.Fatalf("%s:\n%s", f, got)
		}
	}
	var got []contacts.NewContact
	for _, org := range []string{"bom_crlf_quoted", "formula_guard", "semicolons"} {
		got = append(got, importable(listContacts(t, dir, org), "olga@acme.example")...)
	}
	want := []contacts.NewContact{
		{Name: "Bob Builder", Email: "BOB@acme.example", Language: "pt-BR"},
		{Name: "Doe, Jane", Email: "jane@acme.example", Language: "de", Title: `Head of "Ops", EMEA`},
		{Name: "Zoë Ærø", Email: "zoe@acme.example", Language: "en", Title: "CTO"},
		{Name: "Ada", Email: "ada@acme.example", Language: "en", Phone: "+41446681800", Title: "=Boss"},
		{Name: "'Tis Sam", Email: "sam@acme.example", Language: "en"},
		{Name: "Ada", Email: "ada@acme.example", Language: "en", Phone: "+41446681800"},
		{Name: "Bob", Email: "bob@acme.example", Language: "en", Phone: "+4930901820"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("imported contacts (-want +got):\n%s", diff)
	}
}
