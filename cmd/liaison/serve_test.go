package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/webhook"
	"github.com/liaisonhq/liaison/widget/wire"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test
// to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe starts "liaison serve" on a loopback port with a seeded store
// and checks that only the bearer token gets in, that the seeded contacts
// are there, and that cancelling the context shuts the server down
// cleanly.
func TestServe(t *testing.T) {
	t.Setenv("LIAISON_TOKEN", "s3cret")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	c := serveConfig{data: "mem://", prefix: "/api", org: "acme", seed: 12}
	go func() { done <- serve(ctx, ln, c, slog.New(slog.DiscardHandler), &stdout, &stderr) }()

	base := "http://" + ln.Addr().String() + "/api"
	get := func(path, auth string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		var resp *http.Response
		// The listener is open before serve starts, so the first
		// request waits for seeding rather than failing.
		if resp, err = http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}

	for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret2", "s3cret", "Basic czNjcmV0"} {
		if code, _ := get("/orgs/acme/contacts", auth); code != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d, want 401", auth, code)
		}
	}
	code, body := get("/orgs/acme/contacts?limit=100", "Bearer s3cret")
	if code != http.StatusOK {
		t.Fatalf("with the token: status %d, want 200: %s", code, body)
	}
	var page wire.ContactPage
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 12 {
		t.Errorf("seeded org has %d contacts, want 12", len(page.Items))
	}
	seen := map[string]bool{}
	for _, c := range page.Items {
		if seen[c.Email] {
			t.Errorf("address %s generated twice", c.Email)
		}
		seen[c.Email] = true
	}

	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("serve returned %d, want %d; stderr: %s", code, exitOK, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{`seeded org "acme" with 12 contacts`, "serving the API on http://" + ln.Addr().String() + "/api/"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Error("stdout shows a token that came from the environment")
	}
}

// TestServe_seedKeepsExistingOrg: seeding an org that exists adds nothing,
// so restarting a durable store with -seed does not duplicate contacts.
func TestServe_seedKeepsExistingOrg(t *testing.T) {
	store, err := openStore(t.Context(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pol, err := loadPolicy("")
	if err != nil {
		t.Fatal(err)
	}
	svc := contacts.New(store, pol)
	if n, err := seedOrg(t.Context(), svc, "acme", 7); err != nil || n != 7 {
		t.Fatalf("first seed = %d, %v; want 7, nil", n, err)
	}
	if n, err := seedOrg(t.Context(), svc, "acme", 7); err != nil || n != 0 {
		t.Fatalf("second seed = %d, %v; want 0, nil", n, err)
	}
}

func TestRunServe_usage(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "extra"},
		{"serve", "-seed", "-1"},
		{"serve", "-log", "loud"},
		{"serve", "-addr", "256.0.0.1:99999"},
		{"serve", "-prefix", "api"},
		{"serve", "-prefix", "/a b"},
		{"serve", "-prefix", "/{org}"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != exitUsage {
			t.Errorf("%q: exit %d, want %d (stderr %q)", args, code, exitUsage, stderr.String())
		}
	}
}

// TestServe_webhook: with -webhook, the seeded org's events reach a real
// receiver, each signed with the secret from the environment.
func TestServe_webhook(t *testing.T) {
	const secret = "serve-test-secret-0123456789abcdef"
	t.Setenv("LIAISON_TOKEN", "s3cret")
	t.Setenv("LIAISON_WEBHOOK_SECRET", secret)
	got := make(chan string, 16)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(r.Header, body, secret); err != nil {
			t.Errorf("delivery with a bad signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var e struct {
			Org    string `json:"org"`
			Action string `json:"action"`
		}
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("delivery body: %v", err)
		}
		got <- e.Org + " " + e.Action
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	c := serveConfig{data: "mem://", prefix: "/api", org: "acme", seed: 3, webhook: receiver.URL}
	go func() { done <- serve(ctx, ln, c, slog.New(slog.DiscardHandler), &stdout, &stderr) }()
	// The seed is an org.create and an import: the first delivery is the
	// org's creation.
	select {
	case e := <-got:
		if !strings.HasPrefix(e, "acme ") {
			t.Errorf("first delivery: %q, want an event of acme", e)
		}
	case <-time.After(time.Minute):
		t.Fatal("no delivery within a minute")
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("serve returned %d; stderr: %s", code, stderr.String())
	}
}

func TestServe_webhookNeedsSecret(t *testing.T) {
	t.Setenv("LIAISON_WEBHOOK_SECRET", "short")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr syncBuffer
	c := serveConfig{data: "mem://", prefix: "/api", org: "acme", webhook: "http://127.0.0.1:1/hook"}
	if code := serve(t.Context(), ln, c, slog.New(slog.DiscardHandler), &stdout, &stderr); code != exitUsage {
		t.Errorf("a short secret: exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr.String(), "-webhook") || !strings.Contains(stderr.String(), "32") {
		t.Errorf("stderr %q: want the flag and the rule named", stderr.String())
	}
}

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		given bool
		flag  int
		env   string
		want  int
		set   bool
	}{
		{false, defaultGOGC, "", defaultGOGC, true}, // serve's default
		{false, defaultGOGC, "150", 0, false},       // $GOGC decides: the runtime read it
		{true, 100, "150", 100, true},               // -gogc wins
		{true, 800, "", 800, true},
	} {
		got, set := gcPercent(tc.given, tc.flag, tc.env)
		if got != tc.want || set != tc.set {
			t.Errorf("gcPercent(%v, %d, %q) = %d, %v; want %d, %v", tc.given, tc.flag, tc.env, got, set, tc.want, tc.set)
		}
	}
}

func TestSoftMemoryLimit(t *testing.T) {
	const meminfo = "MemTotal:        8000000 kB\nMemFree:         1000000 kB\n"
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if s, ok := m[name]; ok {
				return []byte(s), nil
			}
			return nil, os.ErrNotExist
		}
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  int64
	}{
		{"machine", map[string]string{"/proc/meminfo": meminfo}, 8000000 * 1024 / 4 * 3},
		{"cgroup v2", map[string]string{"/sys/fs/cgroup/memory.max": "1073741824\n", "/proc/meminfo": meminfo}, 1 << 30 / 4 * 3},
		{"cgroup v2 unlimited", map[string]string{"/sys/fs/cgroup/memory.max": "max\n", "/proc/meminfo": meminfo}, 8000000 * 1024 / 4 * 3},
		{"cgroup v1", map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "2147483648\n", "/proc/meminfo": meminfo}, 2 << 30 / 4 * 3},
		{"cgroup v1 unlimited", map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n", "/proc/meminfo": meminfo}, 8000000 * 1024 / 4 * 3},
		{"cgroup above the machine", map[string]string{"/sys/fs/cgroup/memory.max": "68719476736\n", "/proc/meminfo": meminfo}, 8000000 * 1024 / 4 * 3},
		{"unknown", nil, 0},
	} {
		if got := softMemoryLimit(files(tc.files)); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
