package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/schema"
	"github.com/liaisonhq/liaison/storage"
)

// storeURL turns the --data argument into a storage URL: a URL (mem://,
// file:///abs/dir, postgres://…) is used as it is, and anything else is a
// directory that must exist, meaning file:// of its absolute path. Asking
// for an existing directory keeps a mistyped path from creating an empty
// store.
func storeURL(data string) (string, error) {
	if strings.Contains(data, "://") {
		return data, nil
	}
	abs, err := filepath.Abs(data)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	switch {
	case err != nil:
		return "", fmt.Errorf("data directory %s: %w", data, bare(err))
	case !fi.IsDir():
		return "", fmt.Errorf("data directory %s: not a directory", data)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	return (&url.URL{Scheme: "file", Path: p}).String(), nil
}

// openStore opens the store --data names.
func openStore(ctx context.Context, data string) (contacts.Store, error) {
	u, err := storeURL(data)
	if err != nil {
		return nil, err
	}
	return storage.Open(ctx, u)
}

// loadPolicy reads and validates the config file name, or returns the
// default preset's policy when name is empty. A config that is not valid
// comes back as a policy.Problems error.
func loadPolicy(name string) (*policy.Policy, error) {
	var cfg policy.Config
	if name == "" {
		var err error
		if cfg, err = schema.LoadPreset("default"); err != nil {
			return nil, err
		}
	} else {
		data, err := readLimited(name, schema.MaxConfigSize, "a config")
		if err != nil {
			return nil, policy.Problems{{Path: "", Message: "cannot read: " + err.Error()}}
		}
		if cfg, err = schema.ValidateConfig(data); err != nil {
			return nil, err
		}
	}
	return policy.New(cfg)
}

// printConfigProblems reports why the config file name cannot be used.
func printConfigProblems(w io.Writer, cmd, name string, err error) {
	var ps policy.Problems
	if !errors.As(err, &ps) {
		fmt.Fprintf(w, "liaison %s: config %s: %v\n", cmd, name, err)
		return
	}
	for _, p := range ps {
		path := p.Path
		if path == "" {
			path = "/"
		}
		fmt.Fprintf(w, "liaison %s: config %s: %s: %s\n", cmd, name, path, p.Message)
	}
}

// errRolledBack ends the transaction of a dry run. Returned from inside
// Update, it makes the store keep nothing the transaction wrote: the
// contract of contacts.Store.Update.
var errRolledBack = errors.New("dry run: rolled back")

// rollbackStore runs every Update of the store it wraps and then rolls it
// back, so the Service checks a change against the real state, with all
// its rules, and writes nothing. An Update that succeeded returns
// errRolledBack.
type rollbackStore struct{ contacts.Store }

func (s rollbackStore) Update(ctx context.Context, fn func(contacts.Tx) error) error {
	return s.Store.Update(ctx, func(tx contacts.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRolledBack
	})
}

// Close does nothing: whoever opened the wrapped store closes it.
func (rollbackStore) Close() error { return nil }

// parseArgs parses args with fset, allowing flags after the positional
// arguments too ("import FILE --org acme"), and returns the positional
// ones, or the exit code to stop with. After "--" every argument is
// positional.
func parseArgs(fset *flag.FlagSet, args []string) ([]string, int) {
	var positional []string
	for {
		if code := parseFlags(fset, args); code >= 0 {
			return nil, code
		}
		rest := fset.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), -1
		}
		if len(rest) == 0 {
			return positional, -1
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
