package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
)

// maxImportSize bounds an import file, which is read whole: at the most
// rows one import takes (contacts.MaxImportRows), that is over 600 bytes a
// contact, where a real one takes about a hundred.
const maxImportSize = 64 << 20

const importSynopsis = "[--dry-run] --config FILE --data URL_OR_DIR --org ORG FILE.csv|FILE.jsonl"

const importDoc = `Import adds the contacts of FILE to the existing org ORG of the store
--data names, in one atomic step: if any record is bad, nothing is written.
It acts as the vendor ("vendor:import" in the audit trail), under the rules
of the config --config names, which is validated first.

--data is a storage URL (mem://, file:///var/lib/liaison, postgres://...)
or an existing directory, meaning file:// of it.

FILE's extension names its format:
  .csv    CSV as spreadsheets write it: an optional UTF-8 byte order mark,
          a header row naming the columns, then one contact a row; quoted
          fields may hold commas, quotes and line breaks; CRLF or LF. The
          columns are name and email (required), language, phone,
          phone_region, title, kind and availability, in any order and
          without regard to case; an empty cell is an absent value. The
          columns id, roles, groups, verification and status, which export
          adds, are read and ignored. A header with semicolons and no
          commas means semicolon-separated fields.
  .jsonl  JSON Lines: one JSON object a line, as schema/contact.schema.json
          describes it; unknown, duplicate and case-variant keys are
          refused; blank lines are skipped.

Every problem is printed as "line N: field: message" (or "line N: message"
for a record or header as a whole), N being the line of the file where the
record starts: the format's problems and the contacts service's own rules
(address and language rules, the config's supported languages, addresses
repeated in the file or already used in the org). --dry-run checks every
record in the same way, against the store's current state, and writes
nothing.

Exit status: 0 when the contacts were imported (or, with --dry-run, would
be), 1 when the file, the config or the org is at fault, 2 on a usage error.
`

func runImport(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("import", importSynopsis, importDoc, stderr)
	dryRun := fset.Bool("dry-run", false, "check every record and write nothing")
	config := fset.String("config", "", "the config `FILE` whose rules apply (required)")
	data := fset.String("data", "", "the store: a storage `URL` or an existing directory (required)")
	org := fset.String("org", "", "the `ORG` to import into, which must exist (required)")
	files, code := parseArgs(fset, args)
	if code >= 0 {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "liaison import: "+format+"\n", a...)
		fmt.Fprintf(stderr, "usage: liaison import %s\n", importSynopsis)
		return exitUsage
	}
	switch {
	case *config == "":
		return usageErr("--config is required")
	case *data == "":
		return usageErr("--data is required")
	case *org == "":
		return usageErr("--org is required")
	case len(files) == 0:
		return usageErr("no file given")
	case len(files) > 1:
		return usageErr("one file at a time, not %d", len(files))
	}
	name := files[0]
	format, ok := formatOf(name)
	if !ok {
		return usageErr("%s: the file name must end in .csv or .jsonl", name)
	}

	pol, err := loadPolicy(*config)
	if err != nil {
		printConfigProblems(stderr, "import", *config, err)
		return exitInvalid
	}
	content, err := readLimited(name, maxImportSize, "an import file")
	if err != nil {
		fmt.Fprintf(stderr, "liaison import: %s: %v\n", name, err)
		return exitInvalid
	}
	file := readImport(format, content)

	ctx := context.Background()
	store, err := openStore(ctx, *data)
	if err != nil {
		fmt.Fprintf(stderr, "liaison import: %v\n", err)
		return exitInvalid
	}
	defer store.Close()
	imp := importer{store: store, pol: pol, org: *org, name: name, stdout: stdout, stderr: stderr}
	return imp.run(ctx, file, *dryRun)
}

// An importer imports one file into one org.
type importer struct {
	store          contacts.Store
	pol            *policy.Policy
	org            string
	name           string // the file's name, for messages
	stdout, stderr io.Writer
}

// run imports file, or with dryRun checks it, and returns the exit code.
func (imp importer) run(ctx context.Context, file importFile, dryRun bool) int {
	actor := contacts.Actor{Org: imp.org, Vendor: "import"}
	svc := contacts.New(imp.store, imp.pol)
	if _, err := svc.Org(ctx, actor, imp.org); err != nil {
		if errors.Is(err, contacts.ErrNotFound) {
			fmt.Fprintf(imp.stderr, "liaison import: org %q does not exist in the store; import adds contacts to an existing org and creates none\n", imp.org)
		} else {
			fmt.Fprintf(imp.stderr, "liaison import: %v\n", err)
		}
		return exitInvalid
	}
	if len(file.ignored) > 0 {
		fmt.Fprintf(imp.stderr, "liaison import: %s: ignoring %s: export writes them, import does not set them\n",
			imp.name, strings.Join(file.ignored, ", "))
	}

	problems := slices.Clone(file.problems)
	batch, lines, repeats := dedupe(file.rows)
	problems = append(problems, repeats...)

	// With problems of its own the file is refused anyway; still, the
	// Service checks the other records, so that one run reports all.
	if len(problems) > 0 || dryRun {
		if len(batch) > 0 {
			check := contacts.New(rollbackStore{imp.store}, imp.pol)
			_, err := check.ImportContacts(ctx, actor, imp.org, batch)
			ps, ok := serviceProblems(err, lines)
			if !ok {
				fmt.Fprintf(imp.stderr, "liaison import: %v\n", err)
				return exitInvalid
			}
			problems = append(problems, ps...)
		}
		if len(problems) > 0 {
			return imp.refuse(problems, dryRun)
		}
		fmt.Fprintf(imp.stdout, "%d %s would be imported into %s (dry run: nothing written)\n", len(batch), plural(len(batch), "row", "rows"), imp.org)
		return exitOK
	}

	if len(batch) == 0 {
		fmt.Fprintf(imp.stdout, "%s holds no contacts; nothing imported into %s\n", imp.name, imp.org)
		return exitOK
	}
	created, err := svc.ImportContacts(ctx, actor, imp.org, batch)
	if err != nil {
		ps, ok := serviceProblems(err, lines)
		if !ok {
			fmt.Fprintf(imp.stderr, "liaison import: %v\n", err)
			return exitInvalid
		}
		return imp.refuse(ps, false)
	}
	fmt.Fprintf(imp.stdout, "imported %d %s into %s\n", len(created), plural(len(created), "contact", "contacts"), imp.org)
	return exitOK
}

// refuse prints every problem, in line order, and a summary.
func (imp importer) refuse(problems []problem, dryRun bool) int {
	slices.SortStableFunc(problems, func(a, b problem) int { return cmp.Compare(a.line, b.line) })
	lines := map[int]bool{}
	for _, p := range problems {
		fmt.Fprintln(imp.stdout, p)
		lines[p.line] = true
	}
	outcome := "nothing imported"
	if dryRun {
		outcome = "nothing would be imported (dry run)"
	}
	fmt.Fprintf(imp.stderr, "liaison import: %s: %d %s on %d %s; %s\n", imp.name,
		len(problems), plural(len(problems), "problem", "problems"),
		len(lines), plural(len(lines), "line", "lines"), outcome)
	return exitInvalid
}

// dedupe returns the records to hand to the Service and the line each
// starts on, leaving out those whose address repeats an earlier record's
// (compared as the Service compares them), with a problem for each. An
// address that does not normalise is left for the Service to explain.
func dedupe(rows []row) (batch []contacts.NewContact, lines []int, repeats []problem) {
	first := make(map[string]int, len(rows))
	for _, r := range rows {
		if e, err := contacts.NormalizeEmail(strings.TrimSpace(r.rec.Email)); err == nil {
			key := contacts.EmailKey(e)
			if line, ok := first[key]; ok {
				repeats = append(repeats, problem{line: r.line, field: "email", msg: fmt.Sprintf("repeats the address on line %d", line)})
				continue
			}
			first[key] = r.line
		}
		batch = append(batch, newContact(r.rec))
		lines = append(lines, r.line)
	}
	return batch, lines, repeats
}

// serviceProblems maps the outcome of ImportContacts to problems of the
// file: a success (on the real store, or rolled back) is none, and an
// *InvalidError's /rows/N/field paths become the lines records N start on.
// ok is false for any other error.
func serviceProblems(err error, lines []int) (ps []problem, ok bool) {
	if err == nil || errors.Is(err, errRolledBack) {
		return nil, true
	}
	bad, isInvalid := errors.AsType[*contacts.InvalidError](err)
	if !isInvalid {
		return nil, false
	}
	for _, f := range bad.Fields {
		rest, _ := strings.CutPrefix(f.Path, "/rows/")
		index, field, _ := strings.Cut(rest, "/")
		i, err := strconv.Atoi(index)
		if err != nil || i < 0 || i >= len(lines) {
			// Not about one record, such as the limit on rows.
			ps = append(ps, problem{line: 1, field: fieldOf(f.Path), msg: f.Message})
			continue
		}
		p := problem{line: lines[i], msg: f.Message}
		if field != "" {
			p.field = fieldOf("/" + field)
		}
		ps = append(ps, p)
	}
	return ps, true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
