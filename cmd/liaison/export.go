package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
)

const exportSynopsis = "--data URL_OR_DIR --org ORG --format csv|jsonl [--out FILE] [--config FILE]"

const exportDoc = `Export writes the contacts of the org ORG of the store --data names, in
ID order, acting as the vendor. --data is a storage URL (mem://,
file:///var/lib/liaison, postgres://...) or an existing directory, meaning
file:// of it.

--format csv writes CSV for spreadsheets: a UTF-8 byte order mark, a header
row, CRLF line ends, fields quoted where needed. The columns are those
import reads (name, email, language, phone, phone_region, title, kind,
availability), then id, roles and groups (items joined by semicolons),
verification and status, which import ignores. A cell that a spreadsheet
would run as a formula (one starting with =, +, -, @) is written with a
leading apostrophe, which spreadsheets hide and import removes.
--format jsonl writes one JSON object a line, with the same members, as
schema/contact.schema.json describes them.

An exported file imports again unchanged. Without --out the file goes to
standard output; with it, to FILE (created with mode 0600, since it holds
personal data), which is replaced only once the export is complete.
--config names the config whose rules apply; the default preset without.

Exit status: 0 on success, 1 when the org or the store is at fault, 2 on a
usage error.
`

func runExport(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("export", exportSynopsis, exportDoc, stderr)
	data := fset.String("data", "", "the store: a storage `URL` or an existing directory (required)")
	org := fset.String("org", "", "the `ORG` whose contacts to write (required)")
	format := fset.String("format", "", "the file format: csv or jsonl (required)")
	out := fset.String("out", "", "write to `FILE` instead of standard output")
	config := fset.String("config", "", "the config `FILE` whose rules apply (default: the default preset)")
	rest, code := parseArgs(fset, args)
	if code >= 0 {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "liaison export: "+format+"\n", a...)
		fmt.Fprintf(stderr, "usage: liaison export %s\n", exportSynopsis)
		return exitUsage
	}
	f := fileFormat(*format)
	switch {
	case *data == "":
		return usageErr("--data is required")
	case *org == "":
		return usageErr("--org is required")
	case *format == "":
		return usageErr("--format is required")
	case f != formatCSV && f != formatJSONL:
		return usageErr("--format must be csv or jsonl, not %q", *format)
	case len(rest) > 0:
		return usageErr("unexpected arguments %q", rest)
	}

	pol, err := loadPolicy(*config)
	if err != nil {
		printConfigProblems(stderr, "export", *config, err)
		return exitInvalid
	}
	ctx := context.Background()
	store, err := openStore(ctx, *data)
	if err != nil {
		fmt.Fprintf(stderr, "liaison export: %v\n", err)
		return exitInvalid
	}
	defer store.Close()

	var n int
	if *out == "" {
		n, err = exportContacts(ctx, store, pol, *org, f, stdout)
	} else {
		n, err = exportToFile(ctx, store, pol, *org, f, *out)
	}
	switch {
	case errors.Is(err, contacts.ErrNotFound):
		fmt.Fprintf(stderr, "liaison export: org %q does not exist in the store\n", *org)
		return exitInvalid
	case err != nil:
		fmt.Fprintf(stderr, "liaison export: %v\n", err)
		return exitInvalid
	}
	if *out != "" {
		fmt.Fprintf(stdout, "exported %d %s of %s to %s\n", n, plural(n, "contact", "contacts"), *org, *out)
	}
	return exitOK
}

// exportContacts writes the contacts of org to w in format f, page by page
// through the Service as the vendor, and returns how many it wrote. Nothing
// is written when the first page cannot be read, such as for an org that
// does not exist.
func exportContacts(ctx context.Context, store contacts.Store, pol *policy.Policy, org string, f fileFormat, w io.Writer) (int, error) {
	svc := contacts.New(store, pol)
	actor := contacts.Actor{Org: org, Vendor: "export"}
	page := contacts.Page{Limit: contacts.MaxPageSize}
	list, next, err := svc.Contacts(ctx, actor, org, page)
	if err != nil {
		return 0, err
	}
	rw, err := newRecordWriter(f, w)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		for _, c := range list {
			if err := rw.Write(recordOf(c)); err != nil {
				return n, err
			}
			n++
		}
		if next == "" {
			break
		}
		page.After = next
		if list, next, err = svc.Contacts(ctx, actor, org, page); err != nil {
			return n, err
		}
	}
	return n, rw.Close()
}

// exportToFile exports into a new file beside name and renames it to name
// once complete, so name never holds half an export.
func exportToFile(ctx context.Context, store contacts.Store, pol *policy.Policy, org string, f fileFormat, name string) (n int, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return 0, bare(err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if n, err = exportContacts(ctx, store, pol, org, f, tmp); err != nil {
		return n, err
	}
	if err = tmp.Sync(); err != nil {
		return n, err
	}
	if err = tmp.Close(); err != nil {
		return n, err
	}
	return n, os.Rename(tmp.Name(), name)
}
