package storage_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/storage/postgres"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("mem", func(t *testing.T) {
		s, err := storage.Open(ctx, "mem://")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, ok := s.(*memstore.Store); !ok {
			t.Errorf("Open(mem://) = %T, want *memstore.Store", s)
		}
	})
	t.Run("file", func(t *testing.T) {
		// A directory whose name needs escaping in a URL.
		dir := filepath.Join(t.TempDir(), "data dir%")
		u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir), RawQuery: "compact_at=1048576"}).String()
		s, err := storage.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(*memstore.Store); !ok {
			t.Errorf("Open(%s) = %T, want *memstore.Store", u, s)
		}
		if err := s.Update(ctx, func(tx contacts.Tx) error { return tx.InsertOrg(contacts.Org{ID: "o", Version: 1}) }); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "LOCK")); err != nil {
			t.Errorf("the data directory is not at the URL's path: %v", err)
		}
		// localhost is the same machine; the write survived.
		s, err = storage.Open(ctx, "file://localhost"+(&url.URL{Path: filepath.ToSlash(dir)}).EscapedPath())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		err = s.View(ctx, func(tx contacts.ReadTx) error {
			_, err := tx.Org("o")
			return err
		})
		if err != nil {
			t.Errorf("the org written before reopening: %v", err)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("LIAISON_POSTGRES_DSN")
		if dsn == "" {
			t.Skip("LIAISON_POSTGRES_DSN is not set; the postgres:// case of TestOpen_Errors still runs")
		}
		s, err := storage.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, ok := s.(*postgres.Store); !ok {
			t.Errorf("Open(postgres DSN) = %T, want *postgres.Store", s)
		}
	})
}

func TestOpen_Errors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, url string
		want      []string // in the error
	}{
		{name: "empty", url: "", want: []string{"no scheme", "mem://", "file://", "postgres://"}},
		{name: "unknown scheme", url: "mysql://user:hunter2@db/liaison", want: []string{`"mysql"`, "mem://, file://, postgres://, postgresql://"}},
		{name: "no scheme", url: "/var/lib/liaison", want: []string{"no scheme"}},
		{name: "mem with a path", url: "mem://x", want: []string{"nothing after"}},
		{name: "relative file", url: "file:data", want: []string{"absolute"}},
		{name: "file on another host", url: "file://fileserver/data", want: []string{"localhost"}},
		{name: "file without a path", url: "file://", want: []string{"absolute"}},
		{name: "unknown file parameter", url: "file://" + filepath.ToSlash(dir) + "?sync=off", want: []string{`"sync"`, "compact_at"}},
		{name: "bad compact_at", url: "file://" + filepath.ToSlash(dir) + "?compact_at=lots", want: []string{"compact_at"}},
		{name: "unparsable", url: "postgres://user:hunter2@[::1", want: []string{"does not parse", "missing ']'"}},
		// Nothing listens on port 1: the postgres driver is the one
		// that fails.
		{name: "postgres down", url: "postgres://liaison:hunter2@127.0.0.1:1/liaison?connect_timeout=5", want: []string{"postgres"}},
		{name: "postgresql down", url: "postgresql://liaison:hunter2@127.0.0.1:1/liaison?connect_timeout=5", want: []string{"postgres"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s, err := storage.Open(ctx, tc.url)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tc.url)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open(%q): %v\nwant it to say %s", tc.url, err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Open(%q): %v\nthe error holds the password", tc.url, err)
			}
		})
	}
}

func TestOpen_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := storage.Open(ctx, "mem://"); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a canceled context: %v", err)
	}
}

func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "liaison")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// The URL would come from the host's configuration.
	s, err := storage.Open(ctx, "file://"+filepath.ToSlash(dir))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	err = s.Update(ctx, func(tx contacts.Tx) error {
		return tx.InsertOrg(contacts.Org{ID: "acme", Name: "Acme", Version: 1})
	})
	fmt.Println("durable write:", err)

	_, err = storage.Open(ctx, "sqlite:///var/lib/liaison.db")
	fmt.Println(err)
	// Output:
	// durable write: <nil>
	// storage: unknown storage URL scheme "sqlite"; use one of mem://, file://, postgres://, postgresql://
}
