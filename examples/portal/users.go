package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"sync"
	"time"
)

// A user is one demo login of the portal. The portal keeps its own
// accounts, as a real host would; the contacts library never sees a
// password. A member user maps to the contact with Email in Org; a vendor
// user has no org and acts for the vendor.
type user struct {
	Login    string
	Password string
	Name     string
	// Org and Email name the user's contact, for org members.
	Org   string
	Email string
	// Role is what the demo banner says the user is; the contact's roles
	// in the store are what the library enforces.
	Role string
	// Vendor, when set, makes the user vendor staff, acting as
	// contacts.Actor{Vendor: Vendor}.
	Vendor string
}

// demoUsers are the portal's accounts. Their passwords are printed on start
// and shown on the login page: this is a demo.
var demoUsers = []user{
	{Login: "olga", Password: "olga-demo", Name: "Olga Owner", Org: "acme", Email: "olga.owner@acme.example", Role: "owner"},
	{Login: "alice", Password: "alice-demo", Name: "Alice Admin", Org: "acme", Email: "alice.admin@acme.example", Role: "admin"},
	{Login: "bob", Password: "bob-demo", Name: "Bob Business", Org: "acme", Email: "bob.business@acme.example", Role: "business"},
	{Login: "nora", Password: "nora-demo", Name: "Nora Normal", Org: "acme", Email: "nora.normal@acme.example", Role: "normal"},
	{Login: "gus", Password: "gus-demo", Name: "Gus Grant", Org: "globex", Email: "gus.grant@globex.example", Role: "owner"},
	{Login: "nina", Password: "nina-demo", Name: "Nina Novak", Org: "globex", Email: "nina.novak@globex.example", Role: "normal"},
	{Login: "vera", Password: "vera-demo", Name: "Vera Vendor", Role: "vendor support", Vendor: "support:vera"},
}

// userByLogin finds a demo user by login name.
func userByLogin(login string) (user, bool) {
	for _, u := range demoUsers {
		if u.Login == login {
			return u, true
		}
	}
	return user{}, false
}

// checkPassword compares in constant time, over digests so the lengths
// do not leak either.
func checkPassword(u user, password string) bool {
	want := sha256.Sum256([]byte(u.Password))
	got := sha256.Sum256([]byte(password))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// sessionCookie is the name of the portal's session cookie.
const sessionCookie = "portal_session"

// sessionTTL is how long a login lasts.
const sessionTTL = 12 * time.Hour

// A session is one logged-in browser.
type session struct {
	User user
	// Contact is the ID of the user's contact in its org, resolved at
	// login; empty for vendor users.
	Contact string
	Expires time.Time
}

// sessions holds the portal's logins in memory: a restart logs everyone
// out, and keeps the contacts data (that lives in the store).
type sessions struct {
	mu   sync.Mutex
	byID map[string]session
	now  func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{byID: map[string]session{}, now: now}
}

// start stores s under a new random token and sets the cookie. The cookie
// is HttpOnly and SameSite=Lax, and Secure when the request came over TLS
// (the demo also runs on plain http://localhost).
func (ss *sessions) start(w http.ResponseWriter, r *http.Request, s session) {
	token := rand.Text()
	s.Expires = ss.now().Add(sessionTTL)
	ss.mu.Lock()
	ss.byID[token] = s
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  s.Expires,
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

// get returns the request's live session.
func (ss *sessions) get(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[c.Value]
	if !ok {
		return session{}, false
	}
	if !ss.now().Before(s.Expires) {
		delete(ss.byID, c.Value)
		return session{}, false
	}
	return s, true
}

// end forgets the request's session and clears the cookie.
func (ss *sessions) end(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		ss.mu.Lock()
		delete(ss.byID, c.Value)
		ss.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}
