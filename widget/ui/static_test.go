package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

// TestRowHandlersScoped fails when an event handler made inside a
// Range(...).Slice(...) row lacks an app.EventScope: go-app compares
// handlers by code pointer, so an unscoped row handler keeps the data of
// whatever row first held its place (see "Event handlers" in doc.go). It
// sees handlers written inside the row's function literal, not those of a
// method the row calls (renderSlot scopes its own).
func TestRowHandlersScoped(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var rows int
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || selectorName(call) != "Slice" || len(call.Args) != 1 {
				return true
			}
			row, ok := call.Args[0].(*ast.FuncLit)
			if !ok {
				return true
			}
			rows++
			// Scopes may be built once per row: names assigned from
			// app.EventScope count as scopes.
			scopes := map[string]bool{}
			ast.Inspect(row.Body, func(n ast.Node) bool {
				if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == 1 && len(as.Rhs) == 1 {
					if c, ok := as.Rhs[0].(*ast.CallExpr); ok && selectorName(c) == "EventScope" {
						if id, ok := as.Lhs[0].(*ast.Ident); ok {
							scopes[id.Name] = true
						}
					}
				}
				return true
			})
			ast.Inspect(row.Body, func(n ast.Node) bool {
				h, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				name := selectorName(h)
				first := 1 // OnClick(handler, scope...)
				if name == "On" {
					first = 2 // On(event, handler, scope...)
				}
				if !strings.HasPrefix(name, "On") {
					return true
				}
				scoped := false
				for _, arg := range h.Args[min(len(h.Args), first):] {
					switch a := arg.(type) {
					case *ast.CallExpr:
						scoped = scoped || selectorName(a) == "EventScope"
					case *ast.Ident:
						scoped = scoped || scopes[a.Name]
					}
				}
				if !scoped {
					t.Errorf("%s: %s in a row has no app.EventScope", fset.Position(h.Pos()), name)
				}
				return true
			})
			return true
		})
	}
	if rows == 0 {
		t.Fatal("no Range rows found: the test no longer sees the code it guards")
	}
}

func selectorName(call *ast.CallExpr) string {
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		return sel.Sel.Name
	}
	return ""
}

// TestCSS_contrast checks the style sheet's colour pairs against WCAG 2
// contrast: 4.5:1 for text, 3:1 for the focus ring.
func TestCSS_contrast(t *testing.T) {
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`(--lw-[a-z-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(CSS, -1) {
		vars[m[1]] = m[2]
	}
	tests := []struct {
		fg, bg string
		min    float64
	}{
		{"--lw-fg", "--lw-bg", 4.5},
		{"--lw-fg", "--lw-surface", 4.5},
		{"--lw-muted", "--lw-bg", 4.5},
		{"--lw-muted", "--lw-surface", 4.5},
		{"--lw-accent", "--lw-bg", 4.5},
		{"--lw-accent-fg", "--lw-accent", 4.5},
		{"--lw-danger", "--lw-bg", 4.5},
		{"--lw-danger", "--lw-error-bg", 4.5},
		{"--lw-warning-fg", "--lw-warning-bg", 4.5},
		{"--lw-ok", "--lw-bg", 4.5},
		{"--lw-focus", "--lw-bg", 3},
	}
	for _, tt := range tests {
		fg, bg := vars[tt.fg], vars[tt.bg]
		if fg == "" || bg == "" {
			t.Errorf("%s or %s is not a #rrggbb colour in the style sheet", tt.fg, tt.bg)
			continue
		}
		if got := contrast(fg, bg); got < tt.min {
			t.Errorf("%s (%s) on %s (%s): contrast %.2f, want at least %.1f", tt.fg, fg, tt.bg, bg, got, tt.min)
		}
	}
}

// contrast is the WCAG 2 contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	ch := func(shift uint) float64 {
		c := float64(v>>shift&0xff) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(16) + 0.7152*ch(8) + 0.0722*ch(0)
}
