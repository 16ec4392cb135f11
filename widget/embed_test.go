package widget

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// embed.js is a plain script a host page loads with <script src>: served
// as JavaScript, usable under a strict CSP of the host's (no eval, no
// inline code, no HTML parsing of strings), and accepting resize messages
// only from its own iframe's window at the widget's origin (RELIABILITY
// H5). The browser tests of examples/portal run it for real.
func TestHandler_embedJS(t *testing.T) {
	f := newFixture(t)
	res, js := f.get(t, "/liaison/embed.js")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("GET /liaison/embed.js: %d, Content-Type %q, X-Content-Type-Options %q",
			res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("X-Content-Type-Options"))
	}
	code := stripJSComments(js)
	for _, banned := range []string{"eval(", "Function(", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
		"setTimeout(\"", "setInterval(\"", `postMessage(`, `"*"`, "setAttribute(\"style", "cssText"} {
		if strings.Contains(code, banned) {
			t.Errorf("embed.js uses %q", banned)
		}
	}
	for _, want := range []string{
		// The origin check, and the source check that pins messages to
		// this iframe's window.
		`event.source !== frame.contentWindow || event.origin !== widgetOrigin`,
		`var widgetOrigin = src.origin;`,
		`data.type !== "liaison:resize"`,
		`typeof h !== "number" || !isFinite(h)`,
		// The iframe: after the script, with a title, no border, full width.
		`script.parentNode.insertBefore(frame, script.nextSibling)`,
		`frame.title =`,
		`frame.style.border = "0"`,
		`frame.style.width = "100%"`,
		`page.searchParams.set("org", org)`,
		`page.searchParams.set("parent", window.location.origin)`,
	} {
		if !strings.Contains(code, want) {
			t.Errorf("embed.js lacks %s", want)
		}
	}
	// The only message listener is the checked one.
	if n := len(regexp.MustCompile(`addEventListener\("message"`).FindAllString(code, -1)); n != 1 {
		t.Errorf("embed.js adds %d message listeners, want 1", n)
	}
}

// Nothing the handler serves as text names a third-party origin: no
// default go-app icon from GitHub, no CDN, no font service (RELIABILITY
// H3: the CSP would block them anyway).
func TestHandler_noThirdPartyURLs(t *testing.T) {
	// Allowed occurrences, each with why.
	allowed := map[string]string{
		"https://":                   `go-app's og:url and og:image meta with no Domain set: "https://" + "" + path; metadata, never fetched`,
		"http://www.w3.org/2000/svg": "the SVG namespace of icon.svg, an identifier, never fetched",
		"https://github.com/golang/go/issues/28975": "a comment in the Go toolchain's wasm_exec.js",
	}
	urlPattern := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]*[a-z0-9](:[0-9]+)?(/[^\s"'<>)]*)?|https?://`)
	f := newFixture(t)
	for _, tc := range servedPaths {
		if tc.contentType == "image/png" || tc.contentType == "application/wasm" {
			continue
		}
		_, body := f.get(t, "/liaison"+tc.path)
		for _, u := range urlPattern.FindAllString(body, -1) {
			if strings.HasPrefix(u, "//") && !strings.Contains(tc.contentType, "html") {
				continue // a JavaScript comment
			}
			if _, ok := allowed[u]; ok || slices.Contains(f.opts.FrameAncestors, u) {
				continue // or the host's own origins, in app.js's environment
			}
			if strings.HasPrefix(u, "https:///") {
				continue // the og: meta again, with a path
			}
			t.Errorf("GET /liaison%s names %q", tc.path, u)
		}
	}
}

// embed.js run for real (in Node, over a fake DOM): the iframe it makes,
// and which resize messages move it (RELIABILITY H5).
func TestEmbedJS_behaviour(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipped: no node on PATH to run embed.js with (the browser tests of examples/portal run it too)")
	}
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "embed.js")
	if err := os.WriteFile(file, art.embedJS, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), node, "testdata/embed_harness.js", file).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string]any{
		"basic": map[string]any{
			"tag":            "iframe",
			"src":            "https://widget.example/liaison/?org=acme+%26+co&parent=https%3A%2F%2Fportal.example",
			"title":          "Contacts",
			"marker":         "",
			"border":         "0",
			"width":          "100%",
			"height":         "300px",
			"inserted":       1.0,
			"insertedBefore": "the script's next sibling",
			"listeners":      []any{"message"},
			"errors":         []any{},
		},
		"heights": map[string]any{
			"accepted":        "513px",
			"wrong origin":    "513px",
			"wrong window":    "513px",
			"no window":       "513px",
			"other type":      "513px",
			"string height":   "513px",
			"NaN height":      "513px",
			"infinite height": "513px",
			"negative height": "513px",
			"null data":       "513px",
			"string data":     "513px",
			"huge height":     "100000px",
		},
		"noOrg":    map[string]any{"inserted": 0.0, "errors": 1.0},
		"defaults": map[string]any{"": "600px", "abc": "600px", "-1": "600px", "0": "600px", "1e9": "600px", "100001": "600px"},
		"atRoot":   map[string]any{"src": "https://widget.example/?org=acme&parent=https%3A%2F%2Fportal.example", "title": "Kontakte", "height": "600px"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("embed.js behaved differently (-want +got):\n%s", diff)
	}
}
