package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startRun runs the command with args until the returned stop is called,
// and returns the portal's URL from its banner and the rest of the banner.
func startRun(t *testing.T, args ...string) (url, banner string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, args, w, &stderr)
		w.Close()
	}()
	lines := bufio.NewScanner(out)
	var b strings.Builder
	for lines.Scan() {
		line := lines.Text()
		b.WriteString(line + "\n")
		if u, ok := strings.CutPrefix(line, "Liaison demo portal on "); ok {
			url = u
		}
		if strings.HasPrefix(line, "acme sends change sets") {
			break
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no URL in the banner:\n%s\nstderr: %s", b.String(), stderr.String())
	}
	go io.Copy(io.Discard, out)
	return url, b.String(), func() int {
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(stepTimeout):
			t.Fatal("the portal did not stop")
			return -1
		}
	}
}

// The command seeds a new data directory, prints the URL and the logins,
// serves, stops on cancel, and on the next start keeps the data.
func TestRun_startAndRestart(t *testing.T) {
	dir := t.TempDir()
	url, banner, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", dir)
	if !strings.HasPrefix(url, "http://localhost:") {
		t.Errorf("URL %q, want http://localhost:PORT", url)
	}
	for _, u := range demoUsers {
		if !strings.Contains(banner, u.Login) || !strings.Contains(banner, u.Password) {
			t.Errorf("the banner lacks the login %s and its password:\n%s", u.Login, banner)
		}
	}
	if !strings.Contains(banner, "seeded with the demo data") {
		t.Errorf("the first start does not say it seeded:\n%s", banner)
	}
	res, err := http.Get(strings.Replace(url, "localhost", "127.0.0.1", 1) + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /login: %d", res.StatusCode)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code %d after a clean stop, want 0", code)
	}

	_, banner, stop = startRun(t, "-addr", "127.0.0.1:0", "-data", dir)
	if !strings.Contains(banner, "kept from before") {
		t.Errorf("the second start does not keep the data:\n%s", banner)
	}
	stop()
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    config
		wantErr string
	}{
		{"defaults", nil, config{addr: ":8080", data: "./liaison-demo-data", log: "warn"}, ""},
		{"hosts", []string{"-hosts", "portal.example.com, localhost:8080,"},
			config{addr: ":8080", data: "./liaison-demo-data", log: "warn", hosts: []string{"portal.example.com", "localhost:8080"}}, ""},
		{"extra argument", []string{"serve"}, config{}, "unexpected arguments"},
		{"unknown flag", []string{"-port", "1"}, config{}, "flag provided but not defined: -port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			got, err := parseArgs(tt.args, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error()+stderr.String(), tt.wantErr) {
					t.Errorf("err %v (stderr %q), want one saying %q", err, stderr.String(), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.addr != tt.want.addr || got.data != tt.want.data || got.log != tt.want.log || strings.Join(got.hosts, "|") != strings.Join(tt.want.hosts, "|") {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A bad flag value stops the command with the usage exit code, before it
// opens anything.
func TestRun_badFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-log", "loud"}, &stdout, &stderr); code != 2 {
		t.Errorf("exit code %d, want 2; stderr %q", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "-log") {
		t.Errorf("stderr %q does not name the flag", stderr.String())
	}
}
