package widget

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/liaisonhq/liaison/widget/ui"
	"golang.org/x/net/html"
)

// pageURLs are the pages the tests pre-render: every route the app
// registers, plain and with hostile query values (the org and parent a
// host's embed.js would pass, forged).
func pageURLs() []string {
	var out []string
	for _, route := range ui.Routes() {
		out = append(out, route, route+"?org=acme&parent=https%3A%2F%2Fportal.example.com")
		for _, v := range hostile {
			out = append(out, route+"?org="+url.QueryEscape(v)+"&parent="+url.QueryEscape(v))
		}
	}
	return out
}

// allowedAttrs lists, per element, the attributes a pre-rendered page may
// carry; "*" applies to every element. Anything else, on* handlers above
// all, means data or markup leaked into attributes (RELIABILITY H2).
var allowedAttrs = map[string][]string{
	"*":      {"id", "class", "lang", "role", "title", "hidden", "tabindex", "dir", "aria-*", "data-testid", "data-state"},
	"meta":   {"charset", "name", "content", "property"},
	"link":   {"rel", "href", "type", "as", "crossorigin"},
	"script": {"src", "defer", "data-wasm", "data-wasm-size", "data-api", "data-prefetch"}, // boot.js's settings, fixed by the handler
	"img":    {"src", "alt"},
	"a":      {"href"},
	"input":  {"type", "name", "value", "placeholder", "autocomplete", "disabled", "checked", "for", "required"},
	"button": {"type", "disabled"},
	"label":  {"for"},
	"select": {"name", "disabled"},
	"option": {"value", "selected"},
}

func attrAllowed(tag, name string) bool {
	for _, list := range [][]string{allowedAttrs["*"], allowedAttrs[tag]} {
		for _, a := range list {
			if a == name || (strings.HasSuffix(a, "*") && strings.HasPrefix(name, strings.TrimSuffix(a, "*"))) {
				return true
			}
		}
	}
	return false
}

// walk calls fn on every element of the tree under n.
func walk(n *html.Node, fn func(*html.Node)) {
	if n.Type == html.ElementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

// The pre-rendered pages hold no tenant data, whatever the store and the
// query hold, and no attribute outside the allowlist (RELIABILITY H2); and
// they need nothing the CSP forbids: no inline script, no event-handler
// attributes, no inline style, no javascript: URL (H3).
func TestHandler_pagesArePrerenderedSafely(t *testing.T) {
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"/liaison", ""} {
		f := newFixture(t, withPrefix(prefix))
		for _, u := range pageURLs() {
			before := f.actored.Load()
			res, body := f.do(t, f.asOwner(httptestRequest(prefix+u)))
			name := "GET " + prefix + u
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", name, res.StatusCode)
			}
			if f.actored.Load() != before {
				t.Errorf("%s: serving a page called Options.Actor: pages must not read the session", name)
			}
			for _, v := range append(hostile, "alert(1)", "onerror", "onfocus", f.owner.ID, "olga@acme.example") {
				if strings.Contains(body, v) || strings.Contains(body, html.EscapeString(v)) {
					t.Errorf("%s: the page contains %q, tenant or request data", name, v)
				}
			}
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var scripts, manifests, styles, preloads []string
			walk(doc, func(n *html.Node) {
				tag := n.Data
				for _, a := range n.Attr {
					if strings.HasPrefix(strings.ToLower(a.Key), "on") || !attrAllowed(tag, a.Key) {
						t.Errorf("%s: <%s %s=%q>: attribute outside the allowlist", name, tag, a.Key, a.Val)
					}
					if a.Key == "href" || a.Key == "src" {
						if v := strings.ToLower(strings.TrimSpace(a.Val)); strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.Contains(v, "//") {
							t.Errorf("%s: <%s %s=%q>: not a same-origin URL", name, tag, a.Key, a.Val)
						}
						if !strings.HasPrefix(a.Val, prefix+"/") && !strings.HasPrefix(a.Val, "mailto:") && !strings.HasPrefix(a.Val, "tel:") {
							t.Errorf("%s: <%s %s=%q>: outside the prefix %q", name, tag, a.Key, a.Val, prefix+"/")
						}
					}
				}
				switch tag {
				case "link":
					switch attr(n, "rel") {
					case "manifest":
						manifests = append(manifests, attr(n, "href"))
					case "stylesheet":
						styles = append(styles, attr(n, "href"))
					case "preload":
						preloads = append(preloads, attr(n, "href")+" as="+attr(n, "as")+" crossorigin="+attr(n, "crossorigin"))
					}
				case "script":
					src := attr(n, "src")
					scripts = append(scripts, src)
					if src == "" || n.FirstChild != nil {
						t.Errorf("%s: an inline <script> (src %q): the CSP forbids it", name, src)
					}
				case "style":
					t.Errorf("%s: a <style> element: the CSP forbids inline styles", name)
				case "base", "object", "embed", "iframe":
					t.Errorf("%s: a <%s> element", name, tag)
				}
				if attr(n, "style") != "" {
					t.Errorf("%s: <%s style=...>: the CSP forbids inline styles; use a class", name, tag)
				}
			})
			if want := []string{prefix + "/wasm_exec.js", prefix + "/app.js", prefix + "/boot.js"}; !slices.Equal(scripts, want) {
				t.Errorf("%s: scripts %q, want %q", name, scripts, want)
			}
			if want := []string{prefix + "/manifest.webmanifest"}; !slices.Equal(manifests, want) {
				t.Errorf("%s: manifests %q, want %q", name, manifests, want)
			}
			// The wasm's download starts with the page, in the mode boot.js
			// fetches it, so the browser reuses it rather than fetching twice.
			if want := []string{prefix + wasmPath(art) + " as=fetch crossorigin=anonymous"}; !slices.Equal(preloads, want) {
				t.Errorf("%s: preloads %q, want %q", name, preloads, want)
			}
			if want := []string{prefix + "/app.css", prefix + "/web/widget.css"}; !slices.Equal(styles, want) {
				t.Errorf("%s: style sheets %q, want %q", name, styles, want)
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// A page opened by embed.js after it fetched the wasm itself (wasm=parent)
// leaves out the wasm's preload, which would download the client again;
// it still loads boot.js, which takes the response embed.js left on the
// iframe element, or fetches the wasm when there is none.
func TestHandler_pageAfterHandover(t *testing.T) {
	art, err := loadArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	preload := `<link rel="preload" href="/liaison` + wasmPath(art) + `"`
	for _, tc := range []struct {
		query   string
		preload bool
	}{
		{"?org=acme", true},
		{"?org=acme&wasm=parent", false},
		{"?org=acme&wasm=other", true},
	} {
		res, body := f.get(t, "/liaison/"+tc.query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /liaison/%s: %d", tc.query, res.StatusCode)
		}
		if got := strings.Contains(body, preload); got != tc.preload {
			t.Errorf("GET /liaison/%s: preloads the wasm %v, want %v", tc.query, got, tc.preload)
		}
		if !strings.Contains(body, `<script src="/liaison/boot.js" data-wasm="/liaison`+wasmPath(art)+`"`) {
			t.Errorf("GET /liaison/%s: no boot.js", tc.query)
		}
	}
	_, js := f.get(t, "/liaison/embed.js")
	if !strings.Contains(js, `var wasmPath = "`+wasmPath(art)+`";`) {
		t.Errorf("embed.js does not name the wasm's path %s", wasmPath(art))
	}
}
