package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget"
)

// newTestPortal returns a seeded portal over a durable store in a temp
// directory, served by an httptest server.
func newTestPortal(t *testing.T) (*portal, *httptest.Server) {
	t.Helper()
	store, err := memstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	p, err := newPortal(store, options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed(context.Background(), p.direct, demoData); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv
}

// client returns an HTTP client with its own cookie jar that does not
// follow redirects.
func client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func postLogin(t *testing.T, c *http.Client, base, login, password string) *http.Response {
	t.Helper()
	res, err := c.PostForm(base+"/login", url.Values{"login": {login}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func TestPortal_login(t *testing.T) {
	_, srv := newTestPortal(t)
	tests := []struct {
		name, login, password string
		wantStatus            int
	}{
		{"admin", "alice", "alice-demo", http.StatusSeeOther},
		{"vendor", "vera", "vera-demo", http.StatusSeeOther},
		{"wrong password", "alice", "olga-demo", http.StatusUnauthorized},
		{"unknown login", "mallory", "x", http.StatusUnauthorized},
		{"empty", "", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := postLogin(t, client(t), srv.URL, tt.login, tt.password)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.wantStatus)
			}
			cookies := res.Cookies()
			if tt.wantStatus != http.StatusSeeOther {
				if len(cookies) != 0 {
					t.Errorf("a failed login set cookies %v", cookies)
				}
				return
			}
			if len(cookies) != 1 {
				t.Fatalf("got cookies %v, want the session cookie", cookies)
			}
			c := cookies[0]
			got := []any{c.Name, c.HttpOnly, c.SameSite, c.Secure, c.Path}
			want := []any{sessionCookie, true, http.SameSiteLaxMode, false, "/"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("session cookie over plain HTTP (-want +got):\n%s", diff)
			}
		})
	}
}

// Over TLS the session cookie is Secure too.
func TestPortal_loginTLSCookieSecure(t *testing.T) {
	store := memstore.New()
	defer store.Close()
	p, err := newPortal(store, options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed(context.Background(), p.direct, demoData); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(p)
	defer srv.Close()
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res := postLogin(t, c, srv.URL, "olga", "olga-demo")
	if len(res.Cookies()) != 1 {
		t.Fatalf("status %d, cookies %v", res.StatusCode, res.Cookies())
	}
	if ck := res.Cookies()[0]; !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie over TLS: Secure=%v HttpOnly=%v SameSite=%v, want Secure HttpOnly Lax", ck.Secure, ck.HttpOnly, ck.SameSite)
	}
}

// A cross-site form post to /login is refused before any session starts
// (login CSRF).
func TestPortal_loginCrossSiteRefused(t *testing.T) {
	_, srv := newTestPortal(t)
	req, err := http.NewRequest("POST", srv.URL+"/login", strings.NewReader("login=alice&password=alice-demo"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || len(res.Cookies()) != 0 {
		t.Errorf("cross-site login: status %d cookies %v, want 403 and none", res.StatusCode, res.Cookies())
	}
}

func TestPortal_pagesNeedLogin(t *testing.T) {
	_, srv := newTestPortal(t)
	c := client(t)
	for _, path := range []string{"/", "/contacts"} {
		res, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
			t.Errorf("GET %s logged out: %d to %q, want 303 to /login", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res, b.String()
}

// The contacts page embeds the widget for the user's own org; vendor
// staff pick one of the orgs, and an unknown ?org= falls back to the
// first.
func TestPortal_contactsPageEmbedsWidget(t *testing.T) {
	_, srv := newTestPortal(t)
	tests := []struct {
		login, query, wantOrg string
	}{
		{"alice", "", "acme"},
		{"alice", "?org=globex", "acme"}, // a member sees only its own org
		{"nina", "", "globex"},
		{"vera", "?org=globex", "globex"},
		{"vera", "?org=nope", "acme"},
	}
	for _, tt := range tests {
		t.Run(tt.login+tt.query, func(t *testing.T) {
			c := client(t)
			postLogin(t, c, srv.URL, tt.login, tt.login+"-demo")
			res, body := get(t, c, srv.URL+"/contacts"+tt.query)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			want := `<script src="/liaison/embed.js" data-org="` + tt.wantOrg + `"></script>`
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %s:\n%s", want, body)
			}
			preload := `<link rel="preload" href="` + widget.ClientPath(widgetPrefix) + `" as="fetch" crossorigin>`
			if head, _, _ := strings.Cut(body, "</head>"); !strings.Contains(head, preload) {
				t.Errorf("the page's head lacks %s:\n%s", preload, head)
			}
			csp := res.Header.Get("Content-Security-Policy")
			for _, d := range []string{"script-src 'self'", "frame-ancestors 'self'", "object-src 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
		})
	}
	// A page without the widget does not download its client.
	c := client(t)
	postLogin(t, c, srv.URL, "alice", "alice-demo")
	if _, body := get(t, c, srv.URL+"/"); strings.Contains(body, "preload") {
		t.Errorf("the dashboard preloads:\n%s", body)
	}
}

// The Actor the widget receives is the session's contact in its org, or
// the vendor; no session is an error.
func TestPortal_actor(t *testing.T) {
	p, srv := newTestPortal(t)
	ctx := context.Background()
	alice, err := p.review.ContactByEmail(ctx, contacts.Actor{Vendor: "test", Org: "acme"}, "acme", "alice.admin@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		login string
		want  contacts.Actor
	}{
		{"alice", contacts.Actor{Org: "acme", Contact: alice.ID}},
		{"vera", contacts.Actor{Vendor: "support:vera"}},
	}
	for _, tt := range tests {
		c := client(t)
		res := postLogin(t, c, srv.URL, tt.login, tt.login+"-demo")
		req := httptest.NewRequest("GET", "/liaison/", nil)
		for _, ck := range res.Cookies() {
			req.AddCookie(ck)
		}
		got, err := p.actor(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.login, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: actor (-want +got):\n%s", tt.login, diff)
		}
	}
	if _, err := p.actor(httptest.NewRequest("GET", "/liaison/", nil)); !errors.Is(err, errNoSession) {
		t.Errorf("no session: err %v, want errNoSession", err)
	}
}

func TestPortal_logout(t *testing.T) {
	_, srv := newTestPortal(t)
	c := client(t)
	postLogin(t, c, srv.URL, "nora", "nora-demo")
	if res, _ := get(t, c, srv.URL+"/"); res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard after login: %d", res.StatusCode)
	}
	res, err := c.Post(srv.URL+"/logout", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res, _ := get(t, c, srv.URL+"/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("dashboard after logout: %d, want 303 to the login page", res.StatusCode)
	}
}

func TestSessions_expire(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ss := newSessions(func() time.Time { return now })
	w := httptest.NewRecorder()
	ss.start(w, httptest.NewRequest("POST", "/login", nil), session{User: demoUsers[0]})
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(w.Result().Cookies()[0])
	if _, ok := ss.get(r); !ok {
		t.Fatal("a new session is not found")
	}
	now = now.Add(sessionTTL)
	if _, ok := ss.get(r); ok {
		t.Error("a session is still live after sessionTTL")
	}
}

// A member's request is about its own org whatever the path says; vendor
// staff's is about the org of the API path or of ?org=.
func TestPortal_orgOfWidgetRequest(t *testing.T) {
	p, srv := newTestPortal(t)
	cookie := func(login string) *http.Cookie {
		res := postLogin(t, client(t), srv.URL, login, login+"-demo")
		return res.Cookies()[0]
	}
	nina, vera := cookie("nina"), cookie("vera")
	tests := []struct {
		name   string
		cookie *http.Cookie
		target string
		want   string
	}{
		{"member, other org in path", nina, "/liaison/api/orgs/acme/contacts", "globex"},
		{"vendor, api path", vera, "/liaison/api/orgs/acme/change-sets", "acme"},
		{"vendor, escaped api path", vera, "/liaison/api/orgs/glo%62ex/slots", "globex"},
		{"vendor, page", vera, "/liaison/?org=globex", "globex"},
		{"vendor, asset", vera, "/liaison/app.js", ""},
		{"no session", nil, "/liaison/?org=acme", "acme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			if tt.cookie != nil {
				r.AddCookie(tt.cookie)
			}
			if got := p.orgOfWidgetRequest(r); got != tt.want {
				t.Errorf("org %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPortal_staticFiles(t *testing.T) {
	_, srv := newTestPortal(t)
	tests := []struct {
		path string
		want int
	}{
		{"/static/portal.css", http.StatusOK},
		{"/static/portal.js", http.StatusOK},
		{"/static/", http.StatusNotFound},
		{"/static/nope.js", http.StatusNotFound},
	}
	for _, tt := range tests {
		res, _ := get(t, client(t), srv.URL+tt.path)
		if res.StatusCode != tt.want {
			t.Errorf("GET %s: %d, want %d", tt.path, res.StatusCode, tt.want)
		}
	}
}

func TestPortal_serviceWorkerAtRoot(t *testing.T) {
	_, srv := newTestPortal(t)
	res, body := get(t, client(t), srv.URL+"/sw.js")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET /sw.js: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, `"host-v1"`) {
		t.Error("the portal's worker does not keep the host-v1 cache")
	}
}
