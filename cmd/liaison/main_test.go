package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestRun_Validate runs "liaison validate" over every invalid config in
// testdata/invalid, plus a file that does not exist, and compares the
// output with testdata/validate.golden. Refresh it with
//
//	go test ./cmd/liaison -run TestRun_Validate -update
func TestRun_Validate(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.json"))
	if err != nil || len(files) < 10 {
		t.Fatalf("want at least 10 files in testdata/invalid, got %d (%v)", len(files), err)
	}
	// Slashes keep the golden file the same on every OS.
	for i, f := range files {
		files[i] = filepath.ToSlash(f)
	}
	args := append([]string{"validate"}, files...)
	args = append(args, "testdata/does-not-exist.json")
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	if code != exitInvalid {
		t.Errorf("exit code = %d, want %d", code, exitInvalid)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr = %q, want nothing", stderr.String())
	}

	golden := filepath.Join("testdata", "validate.golden")
	if *update {
		if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
		t.Errorf("output mismatch (-%s +got):\n%s", golden, diff)
	}

	t.Run("every file reports at least one problem", func(t *testing.T) {
		for _, f := range files {
			if !strings.Contains(stdout.String(), f+": /") {
				t.Errorf("no problem reported for %s", f)
			}
		}
	})
	t.Run("every line is FILE: /pointer: message", func(t *testing.T) {
		for _, line := range strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n") {
			parts := strings.SplitN(line, ": ", 3)
			if len(parts) != 3 || !strings.HasPrefix(parts[1], "/") || parts[2] == "" {
				t.Errorf("malformed line %q", line)
			}
		}
	})
}

func TestRun_ValidatePresets(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "schema", "presets", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no presets found: %v", err)
	}
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"validate"}, files...), &stdout, &stderr)
	if code != exitOK {
		t.Errorf("exit code = %d, want %d; output:\n%s%s", code, exitOK, stdout.String(), stderr.String())
	}
	var want strings.Builder
	for _, f := range files {
		want.WriteString(f + ": ok\n")
	}
	if diff := cmp.Diff(want.String(), stdout.String()); diff != "" {
		t.Errorf("output mismatch (-want +got):\n%s", diff)
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // substring; "" means empty
		wantStderr string // substring; "" means empty
	}{
		{name: "no command", args: nil, wantCode: exitUsage, wantStderr: "usage: liaison <command>"},
		{name: "help", args: []string{"help"}, wantCode: exitOK, wantStdout: "validate FILE..."},
		{name: "-h", args: []string{"-h"}, wantCode: exitOK, wantStdout: "usage: liaison <command>"},
		{name: "help for a command", args: []string{"help", "validate"}, wantCode: exitOK, wantStdout: "usage: liaison validate FILE..."},
		{name: "help for an unknown command", args: []string{"help", "frobnicate"}, wantCode: exitUsage, wantStderr: `unknown command "frobnicate"`},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: exitUsage, wantStderr: `liaison: unknown command "frobnicate"`},
		{name: "validate without files", args: []string{"validate"}, wantCode: exitUsage, wantStderr: "liaison validate: no files given"},
		{name: "validate -h", args: []string{"validate", "-h"}, wantCode: exitOK, wantStderr: "Exit status: 0 when every file is valid"},
		{name: "validate with an unknown flag", args: []string{"validate", "-strict", "x.json"}, wantCode: exitUsage, wantStderr: "flag provided but not defined: -strict"},
		{
			name:       "unreadable file",
			args:       []string{"validate", "testdata"},
			wantCode:   exitInvalid,
			wantStdout: "testdata: /: cannot read: is a directory\n",
		},
		{
			name:       "valid and invalid files",
			args:       []string{"validate", "../../schema/presets/default.json", "testdata/invalid/empty.json"},
			wantCode:   exitInvalid,
			wantStdout: "../../schema/presets/default.json: ok\ntestdata/invalid/empty.json: /: not JSON: the document is empty\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			check := func(stream, got, want string) {
				if want == "" && got != "" || !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", stream, got, want)
				}
			}
			check("stdout", stdout.String(), tt.wantStdout)
			check("stderr", stderr.String(), tt.wantStderr)
		})
	}
}

func TestReadLimited(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, bytes.Repeat([]byte(" "), 11), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("over the limit", func(t *testing.T) {
		_, err := readLimited(big, 10, "a config")
		if err == nil || err.Error() != "larger than the 10-byte limit of a config" {
			t.Errorf("readLimited = %v, want the limit error", err)
		}
	})
	t.Run("at the limit", func(t *testing.T) {
		data, err := readLimited(big, 11, "a config")
		if err != nil || len(data) != 11 {
			t.Errorf("readLimited = %d bytes, %v; want 11 bytes", len(data), err)
		}
	})
	t.Run("missing file names no path", func(t *testing.T) {
		_, err := readLimited(filepath.Join(dir, "nope.json"), 10, "a config")
		if err == nil || strings.Contains(err.Error(), dir) {
			t.Errorf("readLimited = %v, want an error without the path", err)
		}
	})
}

func TestRun_Demo(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run([]string{"demo"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("demo exited %d; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{
		"default              valid",
		"owner (owner role: holds everything)",
		"denied by rule outrank",
		"audit trail verified, 6 events",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout.String())
		}
	}
	if code := run([]string{"demo", "-preset", "nope"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("unknown preset: exit %d, want %d", code, exitUsage)
	}
}
