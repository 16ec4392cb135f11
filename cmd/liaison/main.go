// Command liaison is the command-line tool of the Liaison library.
//
// Usage:
//
//	liaison <command> [arguments]
//
// The commands are:
//
//	validate FILE...   check config documents against the JSON Schema and
//	                   the policy rules
//	import FILE        add the contacts of a CSV or JSON Lines file to an
//	                   org, all or nothing, or check them with --dry-run
//	export             write an org's contacts as CSV or JSON Lines
//	demo               show the presets' rules and play a scripted session
//	                   on the embedded store
//	serve              serve the HTTP JSON API over a store, for trying it
//	                   out and for load tests
//
// validate prints "FILE: ok" for a valid file, and one line per problem,
// "FILE: /json/pointer: message", for an invalid one; a problem with the
// document as a whole (unreadable, not JSON) is shown at "/". It exits 0
// when every file is valid, 1 when any is not, and 2 on a usage error.
//
// import and export name the store with --data: a storage URL (mem://,
// file:///var/lib/liaison, postgres://…) or an existing directory, which
// means file:// of it. They act as the vendor ("vendor:import" in the
// audit trail) in an org that must exist. import prints every problem of
// the file as "line N: field: message", N being the line of the file the
// record starts on, and writes nothing unless every record is good; see
// "liaison help import" for the formats.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/schema"
)

// Exit codes.
const (
	exitOK      = 0 // the command did what was asked; every file is valid
	exitInvalid = 1 // some input is invalid
	exitUsage   = 2 // the command line is wrong
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// A command is one subcommand of liaison.
type command struct {
	name    string
	args    string // argument synopsis, such as "FILE..."
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order usage shows them.
var commands = []command{
	{
		name:    "validate",
		args:    "FILE...",
		summary: "check config documents against the JSON Schema and the policy rules",
		run:     runValidate,
	},
	{
		name:    "import",
		args:    "FILE",
		summary: "add the contacts of a CSV or JSON Lines file to an org, all or nothing (--dry-run checks only)",
		run:     runImport,
	},
	{
		name:    "export",
		args:    "--org ORG",
		summary: "write an org's contacts as CSV or JSON Lines",
		run:     runExport,
	},
	{
		name:    "demo",
		args:    "[-preset NAME]",
		summary: "show the presets' rules and play a scripted session on the embedded store",
		run:     runDemo,
	},
	{
		name:    "serve",
		args:    "[-addr ADDR] [-data URL] [-seed N]",
		summary: "serve the HTTP JSON API over a store, as the vendor holding a bearer token",
		run:     runServe,
	},
}

// run executes the command line args (without the program name), writing
// results to stdout and diagnostics to stderr, and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := lookup(args[1]); ok {
				return c.run([]string{"-h"}, stdout, stdout)
			}
			fmt.Fprintf(stderr, "liaison: unknown command %q\n", args[1])
			return exitUsage
		}
		usage(stdout)
		return exitOK
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "liaison: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.run(args[1:], stdout, stderr)
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("liaison is the command-line tool of the Liaison contacts library.\n\n")
	b.WriteString("usage: liaison <command> [arguments]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-20s %s\n", c.name+" "+c.args, c.summary)
	}
	b.WriteString("\nRun \"liaison help <command>\" for more about a command.\n")
	io.WriteString(w, b.String())
}

// newFlagSet returns a flag set for command c that reports errors instead
// of exiting, so run stays testable.
func newFlagSet(c string, synopsis, doc string, stderr io.Writer) *flag.FlagSet {
	fset := flag.NewFlagSet(c, flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprintf(fset.Output(), "usage: liaison %s %s\n\n%s", c, synopsis, doc)
		fset.PrintDefaults()
	}
	return fset
}

// parseFlags parses args, returning the exit code to stop with, or -1 to
// go on.
func parseFlags(fset *flag.FlagSet, args []string) int {
	switch err := fset.Parse(args); {
	case err == nil:
		return -1
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	default:
		return exitUsage
	}
}

const validateDoc = `Validate checks each config document against the JSON Schema
(schema/config.schema.json) and the policy rules. It prints "FILE: ok" for a
valid file and one line "FILE: /json/pointer: message" per problem otherwise;
problems with the document as a whole are shown at "/".

Exit status: 0 when every file is valid, 1 when any is not, 2 on a usage error.
`

func runValidate(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("validate", "FILE...", validateDoc, stderr)
	if code := parseFlags(fset, args); code >= 0 {
		return code
	}
	if fset.NArg() == 0 {
		fmt.Fprintln(stderr, "liaison validate: no files given")
		fset.Usage()
		return exitUsage
	}
	code := exitOK
	for _, name := range fset.Args() {
		ps := validateFile(name)
		if len(ps) == 0 {
			fmt.Fprintf(stdout, "%s: ok\n", name)
			continue
		}
		code = exitInvalid
		for _, p := range ps {
			path := p.Path
			if path == "" {
				path = "/"
			}
			fmt.Fprintf(stdout, "%s: %s: %s\n", name, path, p.Message)
		}
	}
	return code
}

// validateFile reads and validates one config file. Reading more than a
// config may hold is refused without reading the rest.
func validateFile(name string) policy.Problems {
	data, err := readLimited(name, schema.MaxConfigSize, "a config")
	if err != nil {
		return policy.Problems{{Path: "", Message: "cannot read: " + err.Error()}}
	}
	if _, err := schema.ValidateConfig(data); err != nil {
		var ps policy.Problems
		if errors.As(err, &ps) {
			return ps
		}
		return policy.Problems{{Path: "", Message: err.Error()}}
	}
	return nil
}

// readLimited reads the file name, failing when it holds more than limit
// bytes, the most that what (such as "a config") may hold. Errors leave out
// the file name, which the caller prints already.
func readLimited(name string, limit int, what string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, bare(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, bare(err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("larger than the %d-byte limit of %s", limit, what)
	}
	return data, nil
}

// bare drops the operation and path from a *fs.PathError.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
