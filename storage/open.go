package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/storage/postgres"
)

// schemes lists the URL schemes [Open] knows.
var schemes = []string{"mem", "file", "postgres", "postgresql"}

// Open returns the store that rawURL names, so that a host or the CLI
// configures storage with one string:
//
//   - mem:// is a [memstore] in memory only, empty, lost when the process
//     exits;
//   - file:///var/lib/liaison is a durable [memstore] whose data directory
//     is the URL's path, which must be absolute (the host may be empty or
//     localhost); the query parameter compact_at sets the log size, in
//     bytes, past which it writes a snapshot ([memstore.WithCompactAt]);
//   - postgres://user:pass@host/db?sslmode=verify-full, or postgresql://,
//     is a [postgres] store: the whole URL goes to pgx, which reads its
//     parameters.
//
// An unknown scheme is an error naming it and the ones Open knows. Errors
// never hold the URL's password. The caller closes the store.
func Open(ctx context.Context, rawURL string) (contacts.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's error quotes the whole string, password and all:
		// keep only its reason.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("storage: the storage URL does not parse: %w", err)
	}
	name := u.Redacted()
	switch strings.ToLower(u.Scheme) {
	case "mem":
		if u.Opaque != "" || u.Host != "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("storage: %s: mem:// takes nothing after the scheme", name)
		}
		return memstore.New(), nil
	case "file":
		dir, opts, err := fileStore(u)
		if err != nil {
			return nil, fmt.Errorf("storage: %s: %w", name, err)
		}
		s, err := memstore.Open(dir, opts...)
		if err != nil {
			return nil, fmt.Errorf("storage: %s: %w", name, err)
		}
		return s, nil
	case "postgres", "postgresql":
		s, err := postgres.Open(ctx, rawURL)
		if err != nil {
			return nil, fmt.Errorf("storage: %s: %w", name, err)
		}
		return s, nil
	case "":
		return nil, fmt.Errorf("storage: the storage URL has no scheme; use one of %s", schemeList())
	default:
		return nil, fmt.Errorf("storage: unknown storage URL scheme %q; use one of %s", u.Scheme, schemeList())
	}
}

func schemeList() string {
	return strings.Join(schemes, "://, ") + "://"
}

// fileStore returns the data directory and options of a file:// URL.
func fileStore(u *url.URL) (string, []memstore.Option, error) {
	switch {
	case u.Opaque != "":
		return "", nil, errors.New("the path must be absolute, as in file:///var/lib/liaison")
	case u.User != nil || u.Host != "" && u.Host != "localhost":
		return "", nil, fmt.Errorf("the host must be empty or localhost, not %q: the data directory is local", u.Host)
	case u.Path == "" || !filepath.IsAbs(filepath.FromSlash(u.Path)):
		return "", nil, errors.New("the path must be absolute, as in file:///var/lib/liaison")
	}
	var opts []memstore.Option
	for key, values := range u.Query() {
		switch key {
		case "compact_at":
			n, err := strconv.ParseInt(values[len(values)-1], 10, 64)
			if err != nil || n <= 0 || len(values) > 1 {
				return "", nil, fmt.Errorf("compact_at must be one positive number of bytes, not %q", values)
			}
			opts = append(opts, memstore.WithCompactAt(n))
		default:
			return "", nil, fmt.Errorf("unknown query parameter %q; file:// knows compact_at", key)
		}
	}
	return filepath.Clean(filepath.FromSlash(u.Path)), opts, nil
}
