package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoRawHTML fails when a source of the package calls app.Raw, which
// sets innerHTML without validation: tenant data reaches the DOM only as
// text (RELIABILITY H1).
func TestNoRawHTML(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var checked int
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, "app.Raw(") {
				t.Errorf("%s:%d calls app.Raw: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files found")
	}
}

// TestCSS_selfContained checks the style sheet names no outside resource:
// no url(), @import or absolute URL, so it loads under a strict CSP and
// leaks nothing to third parties.
func TestCSS_selfContained(t *testing.T) {
	if len(CSS) < 100 {
		t.Fatalf("the style sheet is missing or tiny (%d bytes)", len(CSS))
	}
	for _, re := range []string{`url\(`, `@import`, `https?://`, `@font-face`} {
		if m := regexp.MustCompile(re).FindString(CSS); m != "" {
			t.Errorf("the style sheet contains %q", m)
		}
	}
	if !strings.Contains(CSS, ":focus-visible") {
		t.Error("the style sheet has no visible focus style")
	}
}
