package widget

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// servedPaths are the paths below the prefix the handler answers 200 for,
// with the Content-Type each must have.
var servedPaths = []struct {
	path, contentType string
}{
	{"/", "text/html; charset=utf-8"},
	{"/?org=acme", "text/html; charset=utf-8"},
	{"/app.js", "text/javascript; charset=utf-8"},
	{"/boot.js", "text/javascript; charset=utf-8"},
	{"/app.css", "text/css; charset=utf-8"},
	{"/wasm_exec.js", "text/javascript; charset=utf-8"},
	{"/app-worker.js", "text/javascript; charset=utf-8"},
	{"/embed.js", "text/javascript; charset=utf-8"},
	{"/manifest.webmanifest", "application/manifest+json"},
	{"/manifest.json", "application/manifest+json"},
	{"/web/app.wasm", "application/wasm"},
	{"/web/icon.svg", "image/svg+xml"},
	{"/web/icon-192.png", "image/png"},
	{"/web/icon-512.png", "image/png"},
	{"/web/widget.css", "text/css; charset=utf-8"},
}

// missingPaths answer 404 below any prefix: go-app's proxied resources
// (which would fetch from the Host header), its wasm aliases, unknown files
// and unrouted pages.
var missingPaths = []string{
	"/robots.txt", "/sitemap.xml", "/ads.txt",
	"/app.wasm", "/goapp.wasm",
	"/web/", "/web/robots.txt", "/web/app.wasm.br", "/web/manifest.json", "/web/../embed.js",
	"/no-such-page",
}

func TestHandler_routes(t *testing.T) {
	for _, prefix := range []string{"/liaison", "", "/a/b-c"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			f := newFixture(t, withPrefix(prefix))
			for _, tc := range servedPaths {
				res, body := f.get(t, prefix+tc.path)
				if res.StatusCode != http.StatusOK {
					t.Errorf("GET %s: status %d, want 200", prefix+tc.path, res.StatusCode)
					continue
				}
				if got := res.Header.Get("Content-Type"); got != tc.contentType {
					t.Errorf("GET %s: Content-Type %q, want %q", prefix+tc.path, got, tc.contentType)
				}
				if body == "" {
					t.Errorf("GET %s: empty body", prefix+tc.path)
				}
			}
			for _, p := range missingPaths {
				if res, _ := f.get(t, prefix+p); res.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s: status %d, want 404", prefix+p, res.StatusCode)
				}
			}
			if prefix != "" {
				for _, p := range []string{"/", "/embed.js", "/other" + prefix + "/embed.js", prefix + "x/embed.js"} {
					if res, _ := f.get(t, p); res.StatusCode != http.StatusNotFound {
						t.Errorf("GET %s (outside the prefix): status %d, want 404", p, res.StatusCode)
					}
				}
				res, _ := f.get(t, prefix+"?org=acme")
				if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != prefix+"/?org=acme" {
					t.Errorf("GET %s?org=acme: %d to %q, want 308 to %q", prefix, res.StatusCode, res.Header.Get("Location"), prefix+"/?org=acme")
				}
			}
		})
	}
}

func TestHandler_mountedOnAServeMux(t *testing.T) {
	f := newFixture(t)
	mux := http.NewServeMux()
	mux.Handle(f.opts.Prefix+"/", f.h)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("host page")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct{ path, want string }{
		{"/liaison/embed.js", "liaison:resize"},
		{"/liaison/", `src="/liaison/app.js"`},
		{"/liaison", `src="/liaison/app.js"`}, // the mux redirects to the slash
		{"/elsewhere", "host page"},
	} {
		res, err := srv.Client().Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || !strings.Contains(string(b), tc.want) {
			t.Errorf("GET %s: %d, body without %q (err %v)", tc.path, res.StatusCode, tc.want, err)
		}
	}
}

func TestHandler_methods(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/liaison/", "/liaison/embed.js", "/liaison/web/app.wasm", "/liaison/app.js"} {
		res, _ := f.do(t, httptest.NewRequest(http.MethodPost, p, nil))
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("POST %s: %d Allow %q, want 405 Allow \"GET, HEAD\"", p, res.StatusCode, res.Header.Get("Allow"))
		}
		res, body := f.do(t, httptest.NewRequest(http.MethodHead, p, nil))
		if res.StatusCode != http.StatusOK || body != "" {
			t.Errorf("HEAD %s: %d with %d body bytes, want 200 and none", p, res.StatusCode, len(body))
		}
	}
}

func TestHandler_hostGuard(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Hosts = []string{"portal.example.com", "localhost:8080"} })
	for _, tc := range []struct {
		host string
		want int
	}{
		{"portal.example.com", http.StatusOK},
		{"PORTAL.example.com", http.StatusOK},
		{"localhost:8080", http.StatusOK},
		{"localhost:8081", http.StatusMisdirectedRequest},
		{"localhost", http.StatusMisdirectedRequest},
		{"evil.example", http.StatusMisdirectedRequest},
		{"portal.example.com.evil.example", http.StatusMisdirectedRequest},
		{"", http.StatusMisdirectedRequest},
	} {
		for _, p := range []string{"/liaison/", "/liaison/embed.js", "/liaison/robots.txt", "/liaison/api/orgs/acme/me"} {
			r := f.asOwner(httptest.NewRequest(http.MethodGet, p, nil))
			r.Host = tc.host
			res, _ := f.do(t, r)
			want := tc.want
			if want == http.StatusOK && p == "/liaison/robots.txt" {
				want = http.StatusNotFound
			}
			if res.StatusCode != want {
				t.Errorf("GET %s with Host %q: status %d, want %d", p, tc.host, res.StatusCode, want)
			}
		}
	}
}

// The robots.txt, sitemap.xml and ads.txt that go-app's Handler would
// fetch from the Host the request names (GOAPP.md §4, pitfall 6) answer
// 404 without any request leaving the process, whatever the Host says.
func TestHandler_proxyResourcesNeverFetched(t *testing.T) {
	var hits atomic.Int64
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<script>alert(1)</script>"))
	}))
	defer upstream.Close()
	host := strings.TrimPrefix(upstream.URL, "http://")
	for _, prefix := range []string{"/liaison", ""} {
		f := newFixture(t, withPrefix(prefix))
		for _, p := range []string{"/robots.txt", "/sitemap.xml", "/ads.txt", "/web/robots.txt", "/web/sitemap.xml", "/web/ads.txt"} {
			for range 2 { // the second would be served from go-app's poisoned cache
				r := httptest.NewRequest(http.MethodGet, prefix+p, nil)
				r.Host = host
				res, body := f.do(t, r)
				if res.StatusCode != http.StatusNotFound || strings.Contains(body, "alert") {
					t.Errorf("GET %s with Host %s: %d %q, want 404", prefix+p, host, res.StatusCode, body)
				}
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the handler fetched from the Host the request named %d times", n)
	}
}

// Every response, including errors, redirects and the API's, carries the
// security headers (RELIABILITY H3).
func TestHandler_securityHeaders(t *testing.T) {
	const wantCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'self' https://portal.example.com https://admin.example.org:8443"
	f := newFixture(t, func(o *Options) {
		o.FrameAncestors = []string{"https://portal.example.com", "https://admin.example.org:8443"}
		o.Hosts = []string{"example.com"}
	})
	var reqs []*http.Request
	for _, tc := range servedPaths {
		reqs = append(reqs, httptest.NewRequest(http.MethodGet, "/liaison"+tc.path, nil))
	}
	for _, p := range append(missingPaths, "", "/") {
		reqs = append(reqs, httptest.NewRequest(http.MethodGet, "/liaison"+p, nil))
	}
	reqs = append(reqs,
		httptest.NewRequest(http.MethodPost, "/liaison/", nil),
		httptest.NewRequest(http.MethodGet, "/outside", nil),
		f.asOwner(httptest.NewRequest(http.MethodGet, "/liaison/api/orgs/acme/me", nil)),
		httptest.NewRequest(http.MethodGet, "/liaison/api/orgs/acme/me", nil),
		httptest.NewRequest(http.MethodGet, "/liaison/api/nowhere", nil),
	)
	wrongHost := httptest.NewRequest(http.MethodGet, "/liaison/", nil)
	wrongHost.Host = "evil.example"
	reqs = append(reqs, wrongHost)
	for _, r := range reqs {
		if r != wrongHost {
			r.Host = "example.com"
		}
		res, _ := f.do(t, r)
		name := r.Method + " " + r.URL.String() + " (Host " + r.Host + ")"
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", name, got)
		}
		if res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: no Referrer-Policy", name)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if strings.HasPrefix(r.URL.Path, "/liaison/api/") {
			// The API's own policy is stricter still.
			if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: CSP %q", name, csp)
			}
			continue
		}
		if csp != wantCSP {
			t.Errorf("%s: CSP\n%q, want\n%q", name, csp, wantCSP)
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
			t.Errorf("%s: CSP allows inline script or eval: %q", name, csp)
		}
	}
}

// The JSON API answers under {prefix}/api, authenticated by Options.Actor.
func TestHandler_api(t *testing.T) {
	for _, prefix := range []string{"/liaison", ""} {
		f := newFixture(t, withPrefix(prefix))
		res, body := f.do(t, f.asOwner(httptest.NewRequest(http.MethodGet, prefix+"/api/orgs/acme/me", nil)))
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("GET %s/api/orgs/acme/me: %d %s\n%s", prefix, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		var me map[string]any
		if err := json.Unmarshal([]byte(body), &me); err != nil {
			t.Fatalf("GET %s/api/orgs/acme/me: %v\n%s", prefix, err, body)
		}
		if !strings.Contains(body, f.owner.ID) {
			t.Errorf("GET %s/api/orgs/acme/me does not name the owner %s:\n%s", prefix, f.owner.ID, body)
		}
		if res, _ := f.get(t, prefix+"/api/orgs/acme/me"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s/api/orgs/acme/me without a session: %d, want 401", prefix, res.StatusCode)
		}
		// Unsafe cross-site requests are refused (RELIABILITY H4).
		r := f.asOwner(httptest.NewRequest(http.MethodPost, prefix+"/api/orgs/acme/invitations", strings.NewReader(`{}`)))
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		if res, _ := f.do(t, r); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s/api/...: %d, want 403", prefix, res.StatusCode)
		}
	}
}

// Whatever the path, Host, method and Accept-Encoding, the handler answers
// without panicking, with the security headers, and never from go-app's
// proxy (which would answer 500 for a failed fetch).
func FuzzHandler(f *testing.F) {
	fx := newFixture(f, func(o *Options) { o.Hosts = []string{"example.com"} })
	for _, p := range append(missingPaths, "/", "/app.js", "/web/app.wasm", "/api/orgs/acme/me", "/%2e%2e/x", "//x", "/web/%2e%2e/embed.js") {
		f.Add(http.MethodGet, "example.com", "/liaison"+p, "gzip, br")
	}
	f.Add(http.MethodHead, "evil.example", "/liaison/", "")
	f.Add("PROPFIND", "example.com", "/liaison/web/app.wasm", "br;q=0")
	f.Fuzz(func(t *testing.T, method, host, path, acceptEncoding string) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n?#") || strings.ContainsAny(host, " \t\r\n/") {
			return
		}
		r, err := http.NewRequest(method, "http://example.com"+path, nil)
		if err != nil {
			return
		}
		r.Host = host
		r.RequestURI = path
		r.Header.Set("Accept-Encoding", acceptEncoding)
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s (Host %q): no security headers", method, path, host)
		}
		if w.Code >= 500 {
			t.Errorf("%s %s (Host %q): status %d", method, path, host, w.Code)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
