package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/liaisonhq/liaison/widget/wire"
)

// hostile is a name that would be markup if it reached the DOM as HTML.
const hostile = `<img src=x onerror=alert(1)>`

// load mounts c in a native test engine and drains its work.
func load(t *testing.T, c app.Composer) {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(c); err != nil {
		t.Fatalf("loading %T: %v", c, err)
	}
	e.ConsumeAll()
}

func adminMe() wire.Me {
	return wire.Me{Org: "acme", Contact: &wire.Contact{ID: "self", Roles: []string{"admin"}}, Roles: []string{"admin"},
		ChangeMode: wire.ChangeModeDirect, GrantableRoles: []string{"admin", "business", "normal"}, ContactsConfirmed: true,
		Actions: []string{wire.ActionViewContacts, wire.ActionEditContact, wire.ActionGrantRole, wire.ActionRevokeRole,
			wire.ActionManageSlots, wire.ActionManageConsent, wire.ActionSendInvitations, wire.ActionSubmitChanges, wire.ActionViewAudit}}
}

func normalMe() wire.Me {
	return wire.Me{Org: "acme", Contact: &wire.Contact{ID: "self", Roles: []string{"normal"}}, Roles: []string{"normal"},
		ChangeMode: wire.ChangeModeDirect, GrantableRoles: []string{}, Actions: []string{wire.ActionViewContacts}, ContactsConfirmed: true}
}

// TestPrerender_noFetch mounts every component as the server pre-renders
// it, each with a client that would answer with hostile tenant data: no
// request may go out, and nothing tenant-controlled may appear.
func TestPrerender_noFetch(t *testing.T) {
	rec := &recorder{}
	api := testClient(rec)
	saved := newAPI
	newAPI = func() *Client { return api }
	t.Cleanup(func() { newAPI = saved })
	perms := newPerms(adminMe())
	compos := []app.Composer{
		&Root{},
		&CompletenessBanner{API: api, Org: "acme", Lang: "en"},
		&ContactList{API: api, Org: "acme", Lang: "en"},
		&ContactDetails{API: api, Org: "acme", Lang: "en", Perms: perms, ID: "c1"},
		&SlotBoard{API: api, Org: "acme", Lang: "en", Perms: perms},
		&ChangeSetPanel{API: api, Org: "acme", Lang: "en", Perms: perms},
		&AuditTrail{API: api, Org: "acme", Lang: "en"},
		&InviteDialog{API: api, Org: "acme", Lang: "en", Perms: perms},
		&OwnershipDialog{API: api, Org: "acme", Lang: "en", Perms: perms},
	}
	for _, c := range compos {
		load(t, c)
		html := app.HTMLString(c)
		if strings.Contains(html, "img") || strings.Contains(html, "acme") {
			t.Errorf("%T pre-rendered tenant data: %s", c, html)
		}
	}
	if len(rec.reqs) != 0 {
		t.Errorf("pre-rendering sent %d requests, first %+v", len(rec.reqs), rec.reqs[0])
	}
}

// TestPrerender_handler serves the registered page through go-app's
// Handler, as the widget's server does: the page is the empty shell.
func TestPrerender_handler(t *testing.T) {
	rec := &recorder{}
	saved := newAPI
	newAPI = func() *Client { return testClient(rec) }
	t.Cleanup(func() { newAPI = saved })
	Register()
	srv := httptest.NewServer(&app.Handler{Name: "Liaison", Icon: app.Icon{Default: "/web/icon.png"}})
	defer srv.Close()
	res, err := http.Get(srv.URL + "/?org=" + "%3Cimg%20src%3Dx%3E")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	page := string(body)
	if !strings.Contains(page, T("en", msgTitle)) || !strings.Contains(page, T("en", msgLoading)) {
		t.Errorf("the page is not the shell:\n%s", page)
	}
	if strings.Contains(page, "src=x") {
		t.Errorf("the page shows the org from the URL:\n%s", page)
	}
	if len(rec.reqs) != 0 {
		t.Errorf("pre-rendering sent %d requests", len(rec.reqs))
	}
}

// details returns a ContactDetails as it is once loaded.
func details(me wire.Me, c wire.Contact) *ContactDetails {
	return &ContactDetails{Org: "acme", Lang: "en", Perms: newPerms(me), ID: c.ID,
		loaded: true, contact: c, version: 3,
		slots: []wire.Slot{{Key: "product_updates", Purpose: "product_updates", Holders: []wire.Holder{{Kind: "contact", ID: c.ID}}}}}
}

func TestContactDetails_adminControls(t *testing.T) {
	target := wire.Contact{ID: "c1", Name: "Bea", Email: "bea@example.com", Language: "en", Roles: []string{"normal"}, Verification: "unverified"}
	controls := []string{`data-testid="edit"`, `data-testid="grant-role"`, `data-testid="revoke-role"`,
		`data-testid="consent-product_updates"`, `data-testid="request-verification"`, `data-testid="flag-removal"`}

	admin := details(adminMe(), target)
	load(t, admin)
	html := app.HTMLString(admin)
	for _, c := range controls {
		if !strings.Contains(html, c) {
			t.Errorf("an admin does not get %s", c)
		}
	}

	normal := details(normalMe(), target)
	load(t, normal)
	html = app.HTMLString(normal)
	for _, c := range controls {
		if strings.Contains(html, c) {
			t.Errorf("a normal user gets %s", c)
		}
	}
	if strings.Contains(html, "disabled") {
		t.Error("a normal user's controls are disabled rather than absent")
	}
	if !strings.Contains(html, `data-state="default"`) {
		t.Error("the consent row has no data-state")
	}
	unconfirmed := normalMe()
	unconfirmed.ContactsConfirmed = false
	pending := details(unconfirmed, target)
	load(t, pending)
	if html := app.HTMLString(pending); !strings.Contains(html, `data-state="pending"`) || !strings.Contains(html, "once the contacts are confirmed") {
		t.Error("before the org confirms its contacts, a default grant is not shown as pending")
	}
	if !strings.Contains(html, "Bea") || !strings.Contains(html, "product_updates") {
		t.Errorf("the details lack the contact:\n%s", html)
	}
}

func TestContactDetails_text(t *testing.T) {
	c := wire.Contact{ID: "c1", Name: hostile, Email: "javascript:alert(1)", Phone: "+1;javascript:x", Title: `x" autofocus onfocus=alert(1) y="`}
	d := details(adminMe(), c)
	load(t, d)
	html := app.HTMLString(d)
	if strings.Contains(html, "<img") || strings.Contains(html, "onfocus=alert") && !strings.Contains(html, "onfocus=alert(1) y=&#34;") {
		t.Errorf("tenant data became markup:\n%s", html)
	}
	if strings.Contains(html, "href") {
		t.Errorf("an unsafe address became a link:\n%s", html)
	}
	// The heading's text node is the name, as text.
	if err := app.Match(app.Text(hostile), d, 0, 0, 0); err != nil {
		t.Error(err)
	}

	withActions := details(adminMe(), wire.Contact{ID: "c1", Name: "Ana"})
	withActions.overview = wire.Overview{Actions: []wire.QuickAction{
		{Kind: "chat", Label: "Chat", URL: "https://chat.example/u/1"},
		{Kind: "meeting", Label: hostile, URL: "javascript:alert(1)"},
	}}
	load(t, withActions)
	html = app.HTMLString(withActions)
	if !strings.Contains(html, `data-testid="quick-chat"`) || strings.Contains(html, "quick-meeting") {
		t.Errorf("quick actions: want chat shown and the javascript: one dropped:\n%s", html)
	}

	safe := details(adminMe(), wire.Contact{ID: "c1", Name: "Ana", Email: "ana@example.com", Phone: "+4930123456"})
	load(t, safe)
	html = app.HTMLString(safe)
	for _, want := range []string{`href="mailto:ana@example.com"`, `href="tel:+4930123456"`} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s", want)
		}
	}
}

func TestContactDetails_reviewMode(t *testing.T) {
	m := adminMe()
	m.ChangeMode = wire.ChangeModeReview
	d := details(m, wire.Contact{ID: "c1", Name: "Bea", Roles: []string{"normal"}})
	d.editing, d.form = true, formOf(d.contact)
	load(t, d)
	html := app.HTMLString(d)
	if !strings.Contains(html, T("en", msgAddToDraft)) {
		t.Errorf("in review mode the form does not add to the change set:\n%s", html)
	}
}

func TestContactList_structure(t *testing.T) {
	l := &ContactList{Org: "acme", Lang: "fr", contacts: []wire.Contact{{ID: "c1", Name: "Ana", Email: "ana@example.com"}}, next: "cur"}
	load(t, l)
	// section > h2, div[role=search] > label, input ...
	if err := app.Match(app.H2().ID("lw-list-title"), l, 0, 0); err != nil {
		t.Error(err)
	}
	if err := app.Match(app.Text(T("fr", msgTabContacts)), l, 0, 0, 0); err != nil {
		t.Error(err)
	}
	if err := app.Match(app.Label().For("lw-q"), l, 0, 1, 0, 0); err != nil {
		t.Error(err)
	}
	html := app.HTMLString(l)
	for _, want := range []string{`data-testid="more"`, `data-testid="contact"`, "Ana", T("fr", msgShownMore, 1), `<label for="lw-filter"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the list lacks %s:\n%s", want, html)
		}
	}
	if strings.Contains(html, `id="lw-group"`) {
		t.Error("the group select shows under the all filter")
	}
	l2 := &ContactList{Org: "acme", Lang: "en", query: DirectoryQuery{Filter: wire.FilterTeams},
		groups: []wire.Group{{ID: "t1", Name: "Support", Kind: "team"}, {ID: "g1", Name: "Retail", Kind: "client_group"}}}
	load(t, l2)
	html = app.HTMLString(l2)
	if !strings.Contains(html, "Support") || strings.Contains(html, "Retail") {
		t.Errorf("the team select does not list exactly the teams:\n%s", html)
	}
}

func TestSlotBoard_controls(t *testing.T) {
	slots := []wire.Slot{{Key: "billing", Name: "Billing", Min: 1, Version: 2,
		Holders: []wire.Holder{{Kind: "contact", ID: "c1"}, {Kind: "group", ID: "g1"}}}}
	recips := map[string]wire.Recipients{"billing": {Recipients: []wire.Recipient{{Name: hostile, Email: "a@b"}},
		Excluded: []wire.Exclusion{{Name: "Cy", Reason: "consent_withdrawn"}}}}
	admin := &SlotBoard{Org: "acme", Lang: "en", Perms: newPerms(adminMe()), loaded: true, slots: slots, recipients: recips,
		names: map[string]string{"c1": "Ana", "g1": "Support"}}
	load(t, admin)
	html := app.HTMLString(admin)
	for _, want := range []string{`data-testid="remove-holder"`, `data-testid="assign-billing"`, "Ana", "Support", "consent_withdrawn",
		T("en", msgMoveUp, "Ana"), T("en", msgRecipientsCount, 1), "&lt;img"} {
		if !strings.Contains(html, want) {
			t.Errorf("the admin board lacks %s", want)
		}
	}
	if strings.Contains(html, "<img") {
		t.Error("a recipient's name became markup")
	}
	normal := &SlotBoard{Org: "acme", Lang: "en", Perms: newPerms(normalMe()), loaded: true, slots: slots, recipients: recips}
	load(t, normal)
	html = app.HTMLString(normal)
	for _, absent := range []string{`data-testid="remove-holder"`, `data-testid="assign-billing"`, "↑"} {
		if strings.Contains(html, absent) {
			t.Errorf("a normal user's board has %s", absent)
		}
	}
}

func TestChangeSetPanel_pendingView(t *testing.T) {
	m := adminMe()
	m.ChangeMode = wire.ChangeModeReview
	p := &ChangeSetPanel{Org: "acme", Lang: "es", Perms: newPerms(m),
		Draft:   []wire.Edit{{Kind: wire.EditGrantRole, Contact: "c1", Role: "business"}},
		viewing: "cs1",
		view: wire.ChangeSetView{
			ChangeSet: wire.ChangeSet{ID: "cs1", State: wire.ChangeSubmitted, Requester: "self", Version: 2},
			Contacts: []wire.ContactChange{{Contact: "c1", Current: &wire.Contact{Name: "Ana"}, Requested: &wire.Contact{Name: "Ana"},
				Fields: []wire.FieldDiff{{Field: "roles", Current: []byte(`["normal"]`), Requested: []byte(`["business","normal"]`)}}}},
		}}
	load(t, p)
	html := app.HTMLString(p)
	for _, want := range []string{`data-testid="pending-diff"`, `data-testid="diff-row"`, `data-testid="changeset-cancel"`, `data-testid="changeset-send"`,
		T("es", msgSubmitForReview), "business, normal", T("es", msgEditGrant, "business", "c1")} {
		if !strings.Contains(html, want) {
			t.Errorf("the panel lacks %s:\n%s", want, html)
		}
	}
	// The pending view is read-only: no inputs in it.
	if strings.Contains(html, "<input") || strings.Contains(html, "<select") {
		t.Error("the pending view has inputs")
	}
	other := &ChangeSetPanel{Org: "acme", Lang: "en", Perms: newPerms(normalMe()), viewing: "cs1", view: p.view}
	other.view.ChangeSet.Requester = "someone-else"
	load(t, other)
	html = app.HTMLString(other)
	if strings.Contains(html, "changeset-cancel") || strings.Contains(html, "changeset-send") {
		t.Error("a viewer who did not request the change set may cancel it, or may send changes without the action")
	}
}

func TestChangeSetPanel_review(t *testing.T) {
	view := wire.ChangeSetView{ChangeSet: wire.ChangeSet{ID: "cs1", State: wire.ChangeSubmitted, Requester: "c9", Version: 2}}
	vendor := &ChangeSetPanel{Lang: "en", Perms: newPerms(wire.Me{Vendor: true, Actions: []string{wire.ActionReviewChanges}}), viewing: "cs1", view: view}
	load(t, vendor)
	html := app.HTMLString(vendor)
	for _, want := range []string{`data-testid="changeset-approve"`, `data-testid="changeset-reject"`, `data-testid="changeset-query"`, `for="lw-cs-comment"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the vendor lacks %s", want)
		}
	}
	if strings.Contains(html, "changeset-cancel") || strings.Contains(html, "changeset-send") {
		t.Error("the vendor may cancel another's request or send changes")
	}
	queried := view
	queried.ChangeSet.State, queried.ChangeSet.Requester = wire.ChangeQueried, "self"
	requester := &ChangeSetPanel{Lang: "en", Perms: newPerms(adminMe()), viewing: "cs1", view: queried}
	load(t, requester)
	if html := app.HTMLString(requester); !strings.Contains(html, `data-testid="changeset-answer"`) || !strings.Contains(html, T("en", msgAnswerLabel)) {
		t.Errorf("the requester cannot answer a query:\n%s", html)
	}
	draft := view
	draft.ChangeSet.State, draft.ChangeSet.Requester = wire.ChangeDraft, "self"
	leftover := &ChangeSetPanel{Lang: "en", Perms: newPerms(adminMe()), viewing: "cs1", view: draft}
	load(t, leftover)
	if html := app.HTMLString(leftover); !strings.Contains(html, `data-testid="changeset-submit"`) {
		t.Errorf("the requester cannot submit a draft left over:\n%s", html)
	}
	admin := &ChangeSetPanel{Lang: "en", Perms: newPerms(adminMe()), viewing: "cs1", view: view}
	load(t, admin)
	if html := app.HTMLString(admin); strings.Contains(html, "changeset-approve") || strings.Contains(html, "changeset-reject") || strings.Contains(html, "changeset-query") {
		t.Error("an admin may review change sets")
	}
}

func TestDialogs_structure(t *testing.T) {
	inv := &InviteDialog{Org: "acme", Lang: "de", Perms: newPerms(adminMe())}
	inv.form.Mode = wire.InviteWorkspace
	load(t, inv)
	if err := app.Match(app.Dialog().Class("lw-dialog").DataSet("testid", "invite-dialog").Aria("labelledby", "lw-inv-title").
		On("cancel", func(app.Context, app.Event) {}), inv, 0); err != nil {
		t.Error(err)
	}
	html := app.HTMLString(inv)
	for _, m := range inviteModes {
		if !strings.Contains(html, `data-testid="mode-`+m+`"`) {
			t.Errorf("mode %s is missing", m)
		}
	}
	for _, want := range []string{`for="lw-inv-workspace"`, `for="lw-inv-name"`, `for="lw-inv-role"`, T("de", msgSendInvite)} {
		if !strings.Contains(html, want) {
			t.Errorf("the invitation lacks %s", want)
		}
	}

	group := &InviteDialog{Org: "acme", Lang: "en", Perms: newPerms(adminMe()), groups: []wire.Group{{ID: "g1", Name: "Retail", Kind: "client_group"}}}
	group.form.Mode, group.form.Group = wire.InviteContacts, "g1"
	load(t, group)
	html = app.HTMLString(group)
	if strings.Contains(html, `id="lw-inv-name"`) || strings.Contains(html, "mode-quiet") || !strings.Contains(html, T("en", msgWholeGroup, "Retail")) {
		t.Errorf("inviting a group still asks for one person, or offers a quiet addition:\n%s", html)
	}

	own := &OwnershipDialog{Org: "acme", Lang: "en", Perms: newPerms(adminMe()), target: &wire.Contact{ID: "c2", Name: "Bea"}, typed: "Be"}
	load(t, own)
	html = app.HTMLString(own)
	if !disabled(html, "owner-transfer") {
		t.Errorf("the transfer is not held back until the name is typed:\n%s", html)
	}
	own2 := &OwnershipDialog{Org: "acme", Lang: "en", Perms: newPerms(adminMe()), target: &wire.Contact{ID: "c2", Name: "Bea"}, typed: "bea"}
	load(t, own2)
	if html := app.HTMLString(own2); disabled(html, "owner-transfer") {
		t.Errorf("the transfer stays disabled once the name is typed:\n%s", html)
	}
}

func TestBanner(t *testing.T) {
	empty := &CompletenessBanner{Lang: "en", loaded: true}
	load(t, empty)
	if html := app.HTMLString(empty); strings.Contains(html, "completeness") {
		t.Errorf("an org with nothing open shows a banner: %s", html)
	}
	b := &CompletenessBanner{Lang: "pt-BR", loaded: true, expanded: true, report: wire.Completeness{Findings: []wire.Finding{
		{Kind: "slot_below_min", Severity: "error", Slot: "billing"}, {Kind: "too_few_admins", Severity: "warning"}}}}
	load(t, b)
	html := app.HTMLString(b)
	for _, want := range []string{`data-testid="completeness"`, T("pt-BR", msgBannerSummary, 1, 1), T("pt-BR", msgFindSlotBelowMin, "billing"), "lw-banner-error"} {
		if !strings.Contains(html, want) {
			t.Errorf("the banner lacks %s:\n%s", want, html)
		}
	}
}

func TestBanner_confirmReview(t *testing.T) {
	report := wire.Completeness{Findings: []wire.Finding{{Kind: "never_confirmed", Severity: "warning"}}}
	admin := &CompletenessBanner{Lang: "en", Perms: newPerms(wire.Me{Actions: []string{wire.ActionConfirmReview}}), loaded: true, report: report}
	load(t, admin)
	if html := app.HTMLString(admin); !strings.Contains(html, `data-testid="confirm-review"`) {
		t.Errorf("an admin cannot confirm the contacts:\n%s", html)
	}
	normal := &CompletenessBanner{Lang: "en", Perms: newPerms(normalMe()), loaded: true, report: report}
	load(t, normal)
	if html := app.HTMLString(normal); strings.Contains(html, "confirm-review") {
		t.Error("a normal user may confirm the contacts")
	}
	other := &CompletenessBanner{Lang: "en", Perms: admin.Perms, loaded: true,
		report: wire.Completeness{Findings: []wire.Finding{{Kind: "slot_below_min", Severity: "error", Slot: "billing"}}}}
	load(t, other)
	if html := app.HTMLString(other); strings.Contains(html, "confirm-review") {
		t.Error("confirming is offered when no review is due")
	}
}

func TestAuditTrail_structure(t *testing.T) {
	a := &AuditTrail{Lang: "en", events: []wire.AuditEvent{{Seq: 1, Actor: "c1", Action: "contact.create", Target: hostile}}, next: "1"}
	load(t, a)
	html := app.HTMLString(a)
	for _, want := range []string{"contact.create", `data-testid="audit-more"`, "&lt;img", `scope="col"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the trail lacks %s", want)
		}
	}
}

// disabled reports whether the element with data-testid id is disabled.
// go-app sets "disabled" as a property in the browser; its HTML encoding
// writes a bare attribute for true and disabled="false" for false.
func disabled(html, id string) bool {
	tag := regexp.MustCompile(`<[^>]*data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(html)
	return regexp.MustCompile(`\sdisabled(\s|>|="true")`).MatchString(tag)
}
