package main

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/schema"
	"github.com/liaisonhq/liaison/widget"
)

// widgetPrefix is where the portal mounts the widget: its pages, its API,
// its embed.js.
const widgetPrefix = "/liaison"

// reviewOrgs are the orgs whose change sets go to the vendor for review;
// every other org's change sets apply at once. The change mode is a
// Service setting, so the portal runs one Service per mode over one store.
var reviewOrgs = map[string]bool{"acme": true}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// options configures a portal.
type options struct {
	// Hosts are the Host header values the widget answers; empty means
	// any, which is only safe when nothing in front rewrites Host.
	Hosts []string
	// Logger receives the widget's request log; nil discards.
	Logger *slog.Logger
	// Now is the clock for sessions and the Services; nil means time.Now.
	Now func() time.Time
}

// A portal is the demo host application: its own login and pages, with
// the Liaison widget mounted under widgetPrefix.
type portal struct {
	// review and direct are the Services of the two change modes, over
	// the same store.
	review, direct *contacts.Service
	sessions       *sessions
	log            *slog.Logger
	handler        http.Handler
}

// newPortal returns the portal over store. It does not seed the store.
func newPortal(store contacts.Store, o options) (*portal, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	review, err := servicesFor(store, policy.Review, o)
	if err != nil {
		return nil, err
	}
	direct, err := servicesFor(store, policy.Direct, o)
	if err != nil {
		return nil, err
	}
	p := &portal{review: review, direct: direct, sessions: newSessions(o.Now), log: o.Logger}
	p.handler = p.routes(o)
	return p, nil
}

// servicesFor returns a Service over store enforcing the default preset
// with change mode m.
func servicesFor(store contacts.Store, m policy.ChangeMode, o options) (*contacts.Service, error) {
	cfg, err := schema.LoadPreset("default")
	if err != nil {
		return nil, err
	}
	cfg.ChangeMode = m
	pol, err := policy.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("the %s policy: %w", m, err)
	}
	return contacts.New(store, pol, contacts.WithClock(o.Now), contacts.WithLogger(o.Logger)), nil
}

// service returns the Service for org's change mode.
func (p *portal) service(org string) *contacts.Service {
	if reviewOrgs[org] {
		return p.review
	}
	return p.direct
}

func (p *portal) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.handler.ServeHTTP(w, r) }

// routes builds the portal's handler: its own pages behind a cross-origin
// check (login and logout are POSTs), and the widget under its prefix.
func (p *portal) routes(o options) http.Handler {
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	own := http.NewServeMux()
	own.HandleFunc("GET /login", p.loginPage)
	own.HandleFunc("POST /login", p.login)
	own.HandleFunc("POST /logout", p.logout)
	own.HandleFunc("GET /{$}", p.dashboard)
	own.HandleFunc("GET /contacts", p.contactsPage)
	own.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(static)))
	own.HandleFunc("GET /sw.js", serviceWorker)

	mux := http.NewServeMux()
	mux.Handle("/", hostHeaders(http.NewCrossOriginProtection().Handler(own)))
	mux.Handle(widgetPrefix+"/", p.widgets(o))
	return mux
}

// staticFiles serves the portal's files, and no directory listings.
func staticFiles(files fs.FS) http.Handler {
	srv := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		srv.ServeHTTP(w, r)
	})
}

// hostHeaders sets the portal pages' own security headers: a strict CSP
// (the widget's iframe is same-origin, so 'self' covers it) and no
// framing by others.
func hostHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// serviceWorker serves the portal's own service worker from the root, so
// its scope is the whole origin: the widget must leave it alone.
func serviceWorker(w http.ResponseWriter, r *http.Request) {
	b, err := staticFS.ReadFile("static/sw.js")
	if err != nil {
		http.Error(w, "no service worker", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// errNoSession answers the widget's API with 401 for a logged-out browser.
var errNoSession = errors.New("portal: not logged in")

// actor maps the portal's session to who acts in the widget: a member's
// contact in its org, or the vendor for vendor staff.
func (p *portal) actor(r *http.Request) (contacts.Actor, error) {
	s, ok := p.sessions.get(r)
	if !ok {
		return contacts.Actor{}, errNoSession
	}
	if s.User.Vendor != "" {
		return contacts.Actor{Vendor: s.User.Vendor}, nil
	}
	return contacts.Actor{Org: s.User.Org, Contact: s.Contact}, nil
}

// A pageData is what every portal template reads.
type pageData struct {
	Title   string
	User    *user
	OrgName string
	// Served is new on every response: the browser test reads it to
	// tell a page fetched from the network from a cached one.
	Served string
	Error  string
	Users  []user
	// For the contacts page: the org the widget shows, and for vendor
	// staff the orgs to choose from.
	Org  string
	Orgs []contacts.Org
	// Preload is the widget's client, on a page that embeds the widget:
	// its download starts with the page's head, before embed.js runs.
	Preload string
}

func (p *portal) render(w http.ResponseWriter, name string, status int, d pageData) {
	d.Served = rand.Text()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, d); err != nil {
		p.log.Error("portal: rendering a page", "page", name, "err", err)
	}
}

func (p *portal) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.sessions.get(r); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p.render(w, "login.html", http.StatusOK, pageData{Title: "Sign in", Users: demoUsers})
}

// login checks the form's login and password and starts a session. A
// member's contact is looked up by email now, so a contact removed from
// the org can no longer sign in.
func (p *portal) login(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		p.render(w, "login.html", status, pageData{Title: "Sign in", Users: demoUsers, Error: msg})
	}
	u, ok := userByLogin(r.PostFormValue("login"))
	if !ok || !checkPassword(u, r.PostFormValue("password")) {
		fail(http.StatusUnauthorized, "Unknown login or wrong password.")
		return
	}
	s := session{User: u}
	if u.Vendor == "" {
		c, err := p.service(u.Org).ContactByEmail(r.Context(), contacts.Actor{Vendor: "portal-login", Org: u.Org}, u.Org, u.Email)
		if err != nil {
			p.log.Warn("portal: login without a contact", "login", u.Login, "err", err)
			fail(http.StatusForbidden, "Your contact no longer exists in "+u.Org+".")
			return
		}
		s.Contact = c.ID
	}
	p.sessions.start(w, r, s)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (p *portal) logout(w http.ResponseWriter, r *http.Request) {
	p.sessions.end(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// signedIn returns the request's session, or redirects to the login page.
func (p *portal) signedIn(w http.ResponseWriter, r *http.Request) (session, bool) {
	s, ok := p.sessions.get(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
	return s, ok
}

func (p *portal) dashboard(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	d := pageData{Title: "Dashboard", User: &s.User}
	if s.User.Vendor == "" {
		d.Org = s.User.Org
		d.OrgName = p.orgName(r.Context(), s.User.Org)
	}
	p.render(w, "dashboard.html", http.StatusOK, d)
}

// contactsPage embeds the widget for the user's org; vendor staff choose
// the org with ?org=.
func (p *portal) contactsPage(w http.ResponseWriter, r *http.Request) {
	s, ok := p.signedIn(w, r)
	if !ok {
		return
	}
	d := pageData{Title: "Contacts", User: &s.User, Org: s.User.Org}
	if s.User.Vendor != "" {
		orgs, _, err := p.direct.Orgs(r.Context(), contacts.Actor{Vendor: s.User.Vendor}, contacts.Page{Limit: contacts.MaxPageSize})
		if err != nil {
			p.log.Error("portal: listing orgs", "err", err)
			http.Error(w, "the orgs could not be listed", http.StatusInternalServerError)
			return
		}
		d.Orgs, d.Org = orgs, r.URL.Query().Get("org")
		if !slices.ContainsFunc(orgs, func(o contacts.Org) bool { return o.ID == d.Org }) {
			d.Org = ""
			if len(orgs) > 0 {
				d.Org = orgs[0].ID
			}
		}
	}
	d.OrgName = p.orgName(r.Context(), d.Org)
	if d.Org != "" {
		d.Preload = widget.ClientPath(widgetPrefix)
	}
	p.render(w, "contacts.html", http.StatusOK, d)
}

// orgName returns org's display name, or its ID when it cannot be read.
func (p *portal) orgName(ctx context.Context, org string) string {
	o, err := p.service(org).Org(ctx, contacts.Actor{Vendor: "portal", Org: org}, org)
	if err != nil {
		return org
	}
	return o.Name
}

// orgOfWidgetRequest returns the org a request to the widget is about,
// which picks the Service of its change mode: the member's own org, or
// for vendor staff the org its API path or ?org= names.
func (p *portal) orgOfWidgetRequest(r *http.Request) string {
	if s, ok := p.sessions.get(r); ok && s.User.Vendor == "" {
		return s.User.Org
	}
	rest := r.URL.Path[len(widgetPrefix):]
	if after, ok := strings.CutPrefix(rest, "/api/orgs/"); ok {
		org, _, _ := strings.Cut(after, "/")
		if o, err := url.PathUnescape(org); err == nil {
			return o
		}
	}
	return r.URL.Query().Get("org")
}
