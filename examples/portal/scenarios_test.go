package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/liaisonhq/liaison/contacts"
)

// The scenarios of issue 7 and RELIABILITY H1–H6, in real headless
// Chromium against the portal with the widget mounted as a host mounts it.
// Each scenario has its own tab in a fresh browser context; they share one
// portal and one browser. Screenshots of each main screen go to
// outputDir.
func TestBrowser(t *testing.T) {
	e := newEnv(t)
	t.Logf("screenshots go to %s", e.out)
	t.Run("admin edits in review mode", e.adminFlow)
	t.Run("owner edits in direct mode and the banner clears", e.directMode)
	t.Run("normal user sees no admin controls and the API refuses", e.normalUser)
	t.Run("vendor staff pick the org, each with its change mode", e.vendorStaff)
	t.Run("keyboard only, every control labelled", e.keyboard)
	t.Run("hostile contact data renders as text", e.hostileData)
	t.Run("host cache and service worker survive the widget", e.hostWorker)
	t.Run("a foreign origin cannot frame the widget", e.foreignFrame)
	t.Run("forged postMessage from a foreign window does nothing", e.forgedMessage)
	t.Run("embed.js hands the wasm it fetched to the widget", e.wasmHandover)
}

// wasmHandover: on a cold load, embed.js fetches the client from the host
// page (the portal's preload of widget.ClientPath answers that fetch) and
// the widget compiles that response; its page, opened with wasm=parent,
// preloads nothing, so the client is downloaded once.
func (e *env) wasmHandover(t *testing.T) {
	tb := e.newTab(t)
	tb.login("gus")
	mark := e.log.mark()
	tb.openWidget("")
	var wasm []request
	for _, r := range e.log.since(mark) {
		if wasmPath.MatchString(r.Path) {
			wasm = append(wasm, r)
		}
	}
	if len(wasm) != 1 || wasm[0].Status != http.StatusOK {
		t.Errorf("app.wasm requests on a cold load: %+v, want one 200", wasm)
	}
	type where struct {
		Src               string
		Host, Frame, Left int
	}
	got := eval[where](tb, `(() => {
  const f = `+frameJS+`;
  const n = (p) => p.getEntriesByType("resource").filter((e) => /\/web\/app\.[0-9a-f]+\.wasm$/.test(e.name)).length;
  return {Src: f.src, Host: n(performance), Frame: n(f.contentWindow.performance), Left: f.liaisonWasm ? 1 : 0};
})()`)
	if !strings.Contains(got.Src, "wasm=parent") || got.Host != 1 || got.Frame != 0 || got.Left != 0 {
		t.Errorf("iframe %q; the wasm fetched %d times by the host page and %d by the widget's (want 1 and 0); handover left on the element: %d",
			got.Src, got.Host, got.Frame, got.Left)
	}
	tb.noViolations()
}

// vendor is the vendor acting in org, for checking the store from the test.
func vendor(org string) contacts.Actor { return contacts.Actor{Vendor: "browser-test", Org: org} }

// contactByEmail reads a contact from the store.
func (e *env) contactByEmail(t *testing.T, org, email string) contacts.Contact {
	t.Helper()
	c, err := e.portal.service(org).ContactByEmail(context.Background(), vendor(org), org, email)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// eventually waits until cond holds, checking the store (not the page)
// every few milliseconds; it asserts no duration.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// noViolations fails the test when the probe saw a CSP violation in the
// host page or the widget.
func (tb *tab) noViolations() {
	tb.t.Helper()
	if !eval[bool](tb, `!!window.__probe && (`+frameJS+` === null || `+inWidget(`!!w.__probe`)+` === true)`) {
		tb.t.Error("the CSP probe is missing from the page or the widget's frame: nothing was watched")
	}
	if v := tb.cspViolations(); len(v) > 0 {
		tb.t.Errorf("%d Content-Security-Policy violations: %q", len(v), v)
	}
	if d := tb.openedDialogs(); len(d) > 0 {
		tb.t.Errorf("JavaScript dialogs opened: %q", d)
	}
}

// waitFrameFits waits until embed.js has sized the iframe to the widget's
// content, which the widget reports by postMessage: the one message the
// host page must accept.
func (tb *tab) waitFrameFits(when string) {
	tb.t.Helper()
	tb.waitJS("the iframe to fit the widget "+when, inWidget(`(() => {
  const root = d.querySelector('[data-testid="app"]') || d.body.firstElementChild;
  const need = Math.ceil(root.getBoundingClientRect().bottom + w.scrollY);
  return Math.abs(f.getBoundingClientRect().height - need) <= 1;
})()`))
}

// adminFlow: Alice, an admin of acme (review mode), finds a contact,
// withdraws a consent, changes a slot holder, sends the change set and
// sees the pending diff; the slot itself is unchanged until Vera, the
// vendor, approves it in her widget.
func (e *env) adminFlow(t *testing.T) {
	tb := e.newTab(t)
	tb.login("alice")
	tb.openWidget("")
	tb.waitFrameFits("with the list")
	tb.shot("contacts")
	tb.noViolations()

	// Directory search.
	tb.typeWidget(sel("search"), "Mateus")
	tb.waitJS("the search to narrow the list to Mateus", inWidget(`(() => {
  const rows = [...d.querySelectorAll('[data-testid="contact"]')];
  return rows.length === 1 && rows[0].textContent.includes("Mateus Oliveira");
})()`))
	tb.shot("search")

	// Details.
	tb.clickWidget(sel("contact"))
	tb.waitJS("Mateus's details", inWidget(`(() => { const h = d.querySelector('[data-testid="details"] h2'); return !!h && h.textContent === "Mateus Oliveira"; })()`))
	tb.shot("details")

	// Withdraw a consent: product_updates is granted by default for him.
	mateus := e.contactByEmail(t, "acme", "mateus.oliveira@acme.example")
	if cs, ok := mateus.ConsentFor("product_updates"); ok && !cs.Granted {
		t.Fatalf("the seed data has product_updates withdrawn for Mateus already: %+v", cs)
	}
	tb.clickWidget(sel("consent-product_updates"))
	tb.waitWidget(`li[data-state="withdrawn"] ` + sel("consent-product_updates"))
	eventually(t, "the withdrawal to reach the store", func() bool {
		cs, ok := e.contactByEmail(t, "acme", "mateus.oliveira@acme.example").ConsentFor("product_updates")
		return ok && !cs.Granted
	})
	tb.shot("consent-withdrawn")

	// Change a slot holder: add Bob to finance. In review mode this goes
	// into the draft change set.
	finance := func() []contacts.Holder {
		sh, err := e.portal.review.SlotHolders(context.Background(), vendor("acme"), "acme", "finance")
		if err != nil {
			t.Fatal(err)
		}
		return sh.Holders
	}
	before := finance()
	tb.clickWidget(sel("tab-slots"))
	tb.waitWidget(sel("slot-finance"))
	tb.waitFrameFits("with the slot board")
	tb.shot("slot-board")
	tb.clickWidget(sel("assign-finance"))
	tb.typeWidget("#lw-pick-finance", "Bob")
	tb.waitJS("Bob in the picker", inWidget(`[...d.querySelectorAll('[data-testid="slot-finance"] [data-testid="pick"]')].some((b) => b.textContent.includes("Bob Business"))`))
	tb.clickWidget(`[data-testid="slot-finance"] [data-testid="pick"]`)

	// Send the change set and see the pending diff.
	tb.clickWidget(sel("tab-changes"))
	tb.waitJS("the drafted edit", inWidget(`d.querySelectorAll('[data-testid="draft"] li').length === 1`))
	tb.waitFrameFits("shrunk to the change sets")
	tb.shot("draft")
	tb.clickWidget(sel("changeset-send"))
	tb.waitWidget(sel("pending-diff"))
	// The diff's row for finance: Bob (by name, or at least by ID) is
	// requested and not current.
	bob := e.contactByEmail(t, "acme", "bob.business@acme.example")
	tb.waitJS("the diff to show Bob as requested", inWidget(`[...d.querySelectorAll('[data-testid="pending-diff"] [data-testid="diff-row"]')].some((r) => {
  const cells = [...r.cells].map((c) => c.textContent);
  const bob = (s) => s.includes("Bob Business") || s.includes(`+jsString(bob.ID)+`);
  return cells[0].includes("finance") || cells[0].includes("Finance") ? bob(cells[cells.length - 1]) && !bob(cells[cells.length - 2]) : false;
})`))
	tb.shot("pending-diff")

	// The store: one submitted change set assigning finance; the slot
	// itself waits for the vendor.
	sets, _, err := e.portal.review.ChangeSets(context.Background(), vendor("acme"), "acme", contacts.Page{})
	must(t, err)
	submitted := slices.DeleteFunc(slices.Clone(sets), func(cs contacts.ChangeSet) bool { return cs.State != contacts.Submitted })
	if len(submitted) != 1 || len(submitted[0].Edits) != 1 {
		t.Fatalf("want one submitted change set with one edit, got %+v", sets)
	}
	edit := submitted[0].Edits[0]
	if edit.Kind != contacts.EditAssignSlot || edit.Slot != "finance" ||
		!slices.ContainsFunc(edit.Holders, func(h contacts.Holder) bool { return h.ID == bob.ID }) {
		t.Errorf("the change set's edit is %+v, want finance assigned with Bob (%s) among the holders", edit, bob.ID)
	}
	if after := finance(); !slices.Equal(before, after) {
		t.Errorf("in review mode the slot changed before approval: %v -> %v", before, after)
	}
	tb.noViolations()

	// The vendor reviews it: Vera opens acme's change sets, sees the same
	// diff and approves; the slot changes then.
	vera := e.newTab(t)
	vera.login("vera")
	vera.openWidget("?org=acme")
	vera.clickWidget(sel("tab-changes"))
	vera.clickWidget(sel("view-change-set"))
	vera.waitJS("the diff for the vendor", inWidget(`[...d.querySelectorAll('[data-testid="pending-diff"] [data-testid="diff-row"]')].some((r) => r.textContent.includes("Bob Business") || r.textContent.includes(`+jsString(bob.ID)+`))`))
	vera.shot("vendor-review")
	vera.clickWidget(sel("changeset-approve"))
	eventually(t, "the approved change set to apply", func() bool {
		cs, err := e.portal.review.ChangeSet(context.Background(), vendor("acme"), "acme", submitted[0].ID)
		must(t, err)
		return cs.State == contacts.Applied
	})
	if after := finance(); !slices.ContainsFunc(after, func(h contacts.Holder) bool { return h.ID == bob.ID }) {
		t.Errorf("after approval finance is held by %v, without Bob (%s)", after, bob.ID)
	}
	vera.shot("vendor-approved")
	vera.noViolations()

	// A control for the probe: an inline script the test injects into the
	// widget's page is refused by the CSP, and the probe sees it.
	eval[chromedp.Void](tb, inWidget(`void d.body.appendChild(Object.assign(d.createElement("script"), {textContent: "window.__ran = true"}))`))
	tb.waitJS("the probe to see the refused inline script", inWidget(`w.__probe.csp.some((v) => v.startsWith("script-src"))`))
	if eval[bool](tb, inWidget(`w.__ran === true`)+` || false`) {
		t.Error("an inline script ran in the widget's page: its CSP allows inline script")
	}
}

// directMode: Gus owns globex, whose change sets apply at once. The
// completeness banner asks for the open security_legal slot; assigning it
// on the board changes the store at once, with no change set, and the
// banner goes away.
func (e *env) directMode(t *testing.T) {
	ctx := context.Background()
	tb := e.newTab(t)
	tb.login("gus")
	tb.openWidget("")
	tb.waitWidget(sel("completeness"))
	tb.clickWidget(`[data-testid="completeness"] button`)
	tb.waitJS("the open slot among the findings", inWidget(`[...d.querySelectorAll('[data-testid="completeness"] li')].some((li) => li.textContent.includes("security_legal") || li.textContent.includes("Security and legal"))`))
	tb.shot("completeness")

	tb.clickWidget(sel("tab-slots"))
	tb.clickWidget(sel("assign-security_legal"))
	tb.typeWidget("#lw-pick-security_legal", "Amara")
	tb.waitJS("Amara in the picker", inWidget(`[...d.querySelectorAll('[data-testid="slot-security_legal"] [data-testid="pick"]')].some((b) => b.textContent.includes("Amara Becker"))`))
	tb.clickWidget(`[data-testid="slot-security_legal"] [data-testid="pick"]`)
	amara := e.contactByEmail(t, "globex", "amara.becker@globex.example")
	eventually(t, "Amara to hold security_legal in the store", func() bool {
		sh, err := e.portal.direct.SlotHolders(ctx, vendor("globex"), "globex", "security_legal")
		return err == nil && slices.ContainsFunc(sh.Holders, func(h contacts.Holder) bool { return h.ID == amara.ID })
	})
	tb.waitJS("the banner to clear", inWidget(`d.querySelector('[data-testid="completeness"]') === null`))
	tb.waitJS("Amara on the board", inWidget(`d.querySelector('[data-testid="slot-security_legal"]').textContent.includes("Amara Becker")`))
	tb.shot("slot-assigned")
	sets, _, err := e.portal.direct.ChangeSets(ctx, vendor("globex"), "globex", contacts.Page{})
	must(t, err)
	if len(sets) != 0 {
		t.Errorf("direct mode made change sets: %+v", sets)
	}
	tb.noViolations()
}

// normalUser: Nora holds the normal role; the widget shows her no admin
// control, and the API refuses what the controls would do when she calls
// it herself from the page.
func (e *env) normalUser(t *testing.T) {
	tb := e.newTab(t)
	tb.login("nora")
	tb.openWidget("")
	alice := e.contactByEmail(t, "acme", "alice.admin@acme.example")

	absent := func(where string, testids ...string) {
		t.Helper()
		for _, id := range testids {
			css := id
			if !strings.ContainsAny(id, "[#.") {
				css = sel(id)
			}
			if n := eval[int](tb, inWidget(`d.querySelectorAll(`+jsString(css)+`).length`)+` || 0`); n != 0 {
				t.Errorf("%s: %d %s, want none for a normal user", where, n, css)
			}
		}
	}
	absent("tabs", "open-invite", "open-ownership", "tab-audit", "tab-changes")
	tb.shot("contacts")

	tb.typeWidget(sel("search"), "Alice")
	tb.waitJS("Alice alone in the list", inWidget(`(() => { const r = d.querySelectorAll('[data-testid="contact"]'); return r.length === 1 && r[0].textContent.includes("Alice Admin"); })()`))
	tb.clickWidget(sel("contact"))
	tb.waitJS("Alice's details", inWidget(`(() => { const h = d.querySelector('[data-testid="details"] h2'); return !!h && h.textContent === "Alice Admin"; })()`))
	absent("details", "edit", "flag-removal", "grant-role", "revoke-role", `[data-testid^="consent-"]`, "request-verification")
	tb.shot("details")

	tb.clickWidget(sel("tab-slots"))
	tb.waitWidget(sel("slot-primary"))
	absent("slot board", `[data-testid^="assign-"]`, "remove-holder", "pick")
	tb.shot("slot-board")

	// The API refuses her, whatever the page shows.
	api := widgetPrefix + "/api/orgs/acme"
	aliceTag := tb.etagFromWidget(api + "/contacts/" + alice.ID)
	slotTag := tb.etagFromWidget(api + "/slots/primary")
	for _, tag := range []string{aliceTag, slotTag} {
		if !strings.HasPrefix(tag, `"v`) {
			t.Fatalf("reading as a normal user: %s", tag)
		}
	}
	mark := e.log.mark()
	calls := []struct {
		name, method, path, ifMatch, body string
	}{
		{"edit a contact", "PATCH", api + "/contacts/" + alice.ID, aliceTag, `{"title":"Hacked"}`},
		{"grant a role", "PUT", api + "/contacts/" + alice.ID + "/roles/owner", aliceTag, ""},
		{"withdraw another's consent", "PUT", api + "/contacts/" + alice.ID + "/consent/product_updates", "", `{"granted":false}`},
		{"assign a slot", "PUT", api + "/slots/primary/holders", slotTag, `{"holders":[]}`},
		{"create a change set", "POST", api + "/change-sets", "", `{"edits":[{"kind":"remove_contact","contact":"` + alice.ID + `","version":1}]}`},
		{"read the audit trail", "GET", api + "/audit", "", ""},
	}
	for _, c := range calls {
		if got := tb.fetchFromWidget(c.method, c.path, c.ifMatch, c.body); got != http.StatusForbidden {
			t.Errorf("%s (%s %s): status %d, want 403", c.name, c.method, c.path, got)
		}
	}
	if got := e.contactByEmail(t, "acme", "alice.admin@acme.example"); got.Version != alice.Version {
		t.Errorf("Alice changed after refused calls: version %d -> %d", alice.Version, got.Version)
	}
	for _, r := range e.log.since(mark) {
		if r.Method != "GET" && r.Status < 400 {
			t.Errorf("a refused call succeeded: %s %s -> %d", r.Method, r.Path, r.Status)
		}
	}
	tb.noViolations()
}

// vendorStaff: Vera, the vendor's support, picks an org on the portal's
// contacts page; the widget shows that org, and its API answers with the
// org's change mode, so the portal routed her requests to the right
// Service.
func (e *env) vendorStaff(t *testing.T) {
	tb := e.newTab(t)
	tb.login("vera")
	for _, c := range []struct{ org, person, mode string }{
		{"globex", "Gus Grant", "direct"},
		{"acme", "Olga Owner", "review"},
	} {
		tb.open("/contacts")
		tb.do("picking "+c.org, chromedp.SetValue(chromedp.CSS(`[data-testid="portal-org"]`), c.org))
		if _, err := chromedp.RunResponse(tb.ctx, chromedp.Submit(chromedp.CSS(`[data-testid="portal-org"]`))); err != nil {
			t.Fatalf("showing %s: %v", c.org, err)
		}
		tb.waitJS("the widget for "+c.org, frameJS+` !== null && `+frameJS+`.src.includes("org=`+c.org+`")`)
		tb.waitJS(c.person+" in the list", inWidget(`[...d.querySelectorAll('[data-testid="contact"]')].some((b) => b.textContent.includes(`+jsString(c.person)+`))`))
		tb.shot(c.org)
		type me struct {
			Org        string `json:"org"`
			Vendor     bool   `json:"vendor"`
			ChangeMode string `json:"change_mode"`
		}
		got := eval[me](tb, inWidget(`w.fetch(`+jsString(widgetPrefix+"/api/orgs/"+c.org+"/me")+`).then((r) => r.json())`))
		if got.Org != c.org || !got.Vendor || got.ChangeMode != c.mode {
			t.Errorf("%s: /me says %+v, want the vendor in %s with change mode %s", c.org, got, c.org, c.mode)
		}
		tb.noViolations()
	}
}

// keyboard: Bob (business role) finds and opens a contact with the
// keyboard alone, and every control the widget draws has an accessible
// name.
func (e *env) keyboard(t *testing.T) {
	tb := e.newTab(t)
	tb.login("bob")
	tb.openWidget("")
	unlabelled := func(where string) {
		t.Helper()
		got := eval[[]string](tb, inWidget(`[...d.querySelectorAll("button, input, select, textarea, a[href]")].filter((el) => {
  if (el.type === "hidden") return false;
  const named = (el.getAttribute("aria-label") || "").trim() !== "" || el.getAttribute("aria-labelledby") ||
    (el.labels && el.labels.length > 0) || (el.tagName === "BUTTON" || el.tagName === "A") && el.textContent.trim() !== "";
  return !named;
}).map((el) => el.outerHTML.slice(0, 120))`))
		if len(got) > 0 {
			t.Errorf("%s: controls without an accessible name: %q", where, got)
		}
		if eval[int](tb, inWidget(`d.querySelectorAll("button, input, select").length`)+` || 0`) == 0 {
			t.Errorf("%s: no control to check", where)
		}
	}
	unlabelled("contacts list")

	tb.typeWidget(sel("search"), "Léa")
	tb.waitJS("Léa alone in the list", inWidget(`(() => { const r = d.querySelectorAll('[data-testid="contact"]'); return r.length === 1 && r[0].textContent.includes("Léa Dubois"); })()`))
	const focusedRow = `d.activeElement && d.activeElement.matches('[data-testid="contact"]')`
	for i := 0; i < 10 && !eval[bool](tb, inWidget(focusedRow)+` || false`); i++ {
		tb.do("pressing Tab", chromedp.KeyEvent(kb.Tab))
	}
	if !eval[bool](tb, inWidget(focusedRow)+` || false`) {
		tb.shot("focus-lost")
		t.Fatalf("ten Tabs from the search box never reached the contact row; focus is on %s",
			eval[string](tb, inWidget(`d.activeElement ? d.activeElement.outerHTML.slice(0, 120) : "nothing"`)+` || ""`))
	}
	tb.do("pressing Enter", chromedp.KeyEvent(kb.Enter))
	tb.waitJS("Léa's details", inWidget(`(() => { const h = d.querySelector('[data-testid="details"] h2'); return !!h && h.textContent === "Léa Dubois"; })()`))
	tb.shot("details-by-keyboard")
	unlabelled("details")

	tb.clickWidget(sel("tab-slots"))
	tb.waitWidget(sel("slot-primary"))
	unlabelled("slot board")
	tb.noViolations()
}

// Hostile values stored in globex, the owner views them.
const (
	hostileName  = `<img src=x onerror=alert(1)>`
	hostileTitle = `javascript:alert(1)`
	hostileEmail = "mallory@globex.example"
)

// hostileData: a contact named like markup, with a javascript: title,
// shows as text: no element, no script, no dialog, and every link the
// widget draws from data is mailto: or tel:.
func (e *env) hostileData(t *testing.T) {
	ctx := context.Background()
	svc := e.portal.service("globex")
	if _, err := svc.CreateContact(ctx, vendor("globex"), "globex", contacts.NewContact{
		Name: hostileName, Email: hostileEmail, Title: hostileTitle, Phone: "+442079460099",
	}); err != nil {
		t.Fatal(err)
	}
	tb := e.newTab(t)
	tb.login("gus")
	tb.openWidget("")
	tb.waitJS("the hostile contact's row, as text", inWidget(`[...d.querySelectorAll('[data-testid="contact"]')].some((b) => b.textContent.includes(`+jsString(hostileName)+`))`))
	tb.shot("list")
	tb.typeWidget(sel("search"), "mallory")
	tb.waitJS("the hostile contact alone", inWidget(`d.querySelectorAll('[data-testid="contact"]').length === 1`))
	tb.clickWidget(sel("contact"))
	tb.waitJS("its details, the name as text", inWidget(`(() => { const h = d.querySelector('[data-testid="details"] h2'); return !!h && h.textContent === `+jsString(hostileName)+`; })()`))
	tb.waitJS("the title as text", inWidget(`d.querySelector('[data-testid="details"]').textContent.includes(`+jsString(hostileTitle)+`)`))
	tb.shot("details")

	type dom struct {
		Imgs     int
		Handlers []string
		Hrefs    []string
	}
	got := eval[dom](tb, inWidget(`({
  Imgs: d.querySelectorAll('img[src="x"], [data-testid="details"] img, [data-testid="contacts"] img').length,
  Handlers: [...d.querySelectorAll("*")].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => el.tagName + " " + a.name)),
  Hrefs: [...d.querySelectorAll("a[href]")].map((a) => a.href),
})`))
	if got.Imgs != 0 {
		t.Errorf("%d <img> elements came from the data, want none", got.Imgs)
	}
	if len(got.Handlers) != 0 {
		t.Errorf("inline event handler attributes in the widget: %q", got.Handlers)
	}
	var mailto, tel bool
	for _, h := range got.Hrefs {
		switch {
		case strings.HasPrefix(h, "mailto:"):
			mailto = true
		case strings.HasPrefix(h, "tel:"):
			tel = true
		default:
			t.Errorf("a link with href %q: only mailto: and tel: may come from data", h)
		}
	}
	if !mailto || !tel {
		t.Errorf("hrefs %q: want the contact's mailto: and tel: links", got.Hrefs)
	}
	tb.noViolations()
}

// hostWorker: the portal registers its own service worker at / and keeps
// a cache host-v1; loading the widget leaves both in place, registers no
// worker outside /liaison/, and host pages still come from the network.
func (e *env) hostWorker(t *testing.T) {
	tb := e.newTab(t)
	tb.login("olga")
	tb.waitJS("the portal's worker and cache", `document.documentElement.dataset.portalReady === "true"`)
	tb.waitJS("the portal's worker to activate", `navigator.serviceWorker.ready.then((r) => !!r.active)`)
	if !eval[bool](tb, `caches.has("host-v1")`) {
		t.Fatal("the portal did not create its cache host-v1")
	}

	tb.openWidget("")
	// The widget's loader registers its worker once the page is idle;
	// wait until it is active, so a worker that cleans caches on
	// activation has done so.
	tb.waitJS("the widget's worker to activate", `navigator.serviceWorker.getRegistrations().then((rs) => rs.some((r) => r.scope.endsWith("/liaison/") && r.active))`)
	tb.shot("widget-with-host-worker")

	type registration struct{ Scope, Script string }
	regs := eval[[]registration](tb, `navigator.serviceWorker.getRegistrations().then((rs) => rs.map((r) => ({Scope: r.scope, Script: (r.active || r.waiting || r.installing).scriptURL})))`)
	host := false
	for _, r := range regs {
		switch {
		case r.Script == e.base+"/sw.js":
			host = r.Scope == e.base+"/"
		case !strings.HasPrefix(r.Scope, e.base+widgetPrefix+"/"):
			t.Errorf("a worker registered outside the widget's prefix: scope %s, script %s", r.Scope, r.Script)
		}
	}
	if !host {
		t.Errorf("the portal's own worker at / is gone: registrations %+v", regs)
	}
	keys := eval[[]string](tb, `caches.keys()`)
	if !slices.Contains(keys, "host-v1") {
		t.Errorf("the portal's cache host-v1 is gone; caches %q", keys)
	}
	if !eval[bool](tb, `caches.open("host-v1").then((c) => c.match("/static/portal.css")).then((r) => !!r)`) {
		t.Error("the portal's cache host-v1 lost its entry")
	}

	tb.noViolations()

	// A host page still loads from the network: the server sees the
	// request and the page is new.
	served := eval[string](tb, `document.body.dataset.served`)
	mark := e.log.mark()
	tb.open("/")
	again := eval[string](tb, `document.body.dataset.served`)
	fromServer := slices.ContainsFunc(e.log.since(mark), func(r request) bool { return r.Method == "GET" && r.Path == "/" })
	if again == served || !fromServer {
		t.Errorf("the dashboard did not come from the network after the widget loaded (served %q then %q; requests:%s)", served, again, describe(e.log.since(mark)))
	}
	tb.noViolations()
}

// foreignServer serves the pages of another site: it is reached as
// http://localhost:PORT while the portal is http://127.0.0.1:PORT.
func foreignServer(t *testing.T, pages map[string]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
}

// foreignFrame: a page of another site frames the widget. The browser
// refuses to render it (frame-ancestors), so none of the widget's scripts
// is even requested.
func (e *env) foreignFrame(t *testing.T) {
	widgetURL := e.base + widgetPrefix + "/?org=acme"
	foreign := foreignServer(t, map[string]string{"/": `<!doctype html><title>foreign</title>
<h1>Another site</h1>
<iframe id="f" src="` + widgetURL + `" width="800" height="400"></iframe>
<script>document.getElementById("f").onload = () => { document.title = "framed"; };</script>`})
	tb := e.newTab(t)
	tb.login("alice") // a session exists: the refusal is not for want of one
	mark := e.log.mark()
	tb.do("opening the foreign page", chromedp.Navigate(foreign+"/"))
	tb.waitJS("the foreign page's iframe to finish", `document.title === "framed"`)
	tb.shot("foreign-page")

	targets, err := chromedp.Targets(tb.ctx)
	must(t, err)
	found := false
	for _, info := range targets {
		if info.Type != "iframe" || !strings.HasPrefix(info.URL, e.base+widgetPrefix+"/") {
			continue
		}
		found = true
		frame, cancel := chromedp.NewContext(tb.ctx, chromedp.WithTargetID(info.TargetID))
		loc, err := chromedp.Run(frame, chromedp.Evaluate[string](`location.href`))
		cancel()
		must(t, err)
		if !strings.HasPrefix(loc, "chrome-error://") {
			t.Errorf("the widget framed by another site shows %s, want the browser's blocked-frame page", loc)
		}
	}
	if !found {
		t.Errorf("no iframe target for %s among %d targets", widgetURL, len(targets))
	}
	for _, r := range e.log.since(mark) {
		if strings.HasPrefix(r.Path, widgetPrefix+"/") && r.SecFetchDest != "iframe" {
			t.Errorf("the blocked frame still loaded %s %s (%s)", r.Method, r.Path, r.SecFetchDest)
		}
	}
}

// forgedMessage: a window of another site that holds a reference to the
// portal's page (it opened it) posts messages to the widget's frame and to
// the host page: a fake "approve" and fake resizes. Nothing happens: no
// API call, no change in the store, the iframe keeps its height.
func (e *env) forgedMessage(t *testing.T) {
	ctx := context.Background()
	// A pending change set of Alice's: what a forged "approve" targets.
	alice := e.contactByEmail(t, "acme", "alice.admin@acme.example")
	asAlice := contacts.Actor{Org: "acme", Contact: alice.ID}
	kenji := e.contactByEmail(t, "acme", "kenji.tanaka@acme.example")
	title := "Chief Product Officer"
	cs, err := e.portal.review.CreateChangeSet(ctx, asAlice, "acme", []contacts.Edit{
		{Kind: contacts.EditFields, Contact: kenji.ID, Version: kenji.Version, Patch: &contacts.ContactPatch{Title: &title}},
	})
	must(t, err)
	cs, err = e.portal.review.SubmitChangeSet(ctx, asAlice, "acme", cs.ID, cs.Version)
	must(t, err)
	head := func() contacts.AuditHead {
		h, err := e.portal.review.VerifyAudit(ctx, vendor("acme"), "acme", nil)
		must(t, err)
		return h
	}

	opener := e.newTab(t)
	opener.login("alice")
	foreign := foreignServer(t, map[string]string{"/": `<!doctype html><title>opener</title>
<button id="open">Open the portal</button>
<script>
document.getElementById("open").onclick = () => { window.portal = window.open(` + jsString(e.base+"/contacts") + `, "portal"); };
</script>`})
	opener.do("opening the foreign page", chromedp.Navigate(foreign+"/"))
	popupID := chromedp.WaitNewTarget(opener.ctx, func(info *target.Info) bool { return strings.HasPrefix(info.URL, e.base+"/contacts") })
	opener.do("opening the portal from the foreign page", chromedp.Click(chromedp.ID("open")))
	var id target.ID
	select {
	case id = <-popupID:
	case <-opener.ctx.Done():
		t.Fatal("the portal's window did not open")
	}
	popCtx, cancel := chromedp.NewContext(opener.ctx, chromedp.WithTargetID(id))
	defer cancel()
	popup := &tab{t: t, e: e, ctx: popCtx}
	must(t, chromedp.Do(popCtx))
	popup.watchDialogs()
	// The popup is a target of its own, opened before the probe could be
	// installed in it: install it, and load the page again (the opener
	// keeps its reference to the window).
	popup.addScript(pageProbe)
	popup.do("reloading the portal's window", chromedp.Reload())
	popup.waitJS("the widget's iframe", frameJS+` !== null`)
	popup.waitWidget(sel("contact"))
	// The widget sizes its iframe as it renders: wait until the height
	// has held for a while before forging.
	heightBefore := eval[float64](popup, `(async () => {
  const f = `+frameJS+`;
  let h = -1, same = 0;
  while (same < 20) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = f.getBoundingClientRect().height;
    same = now === h ? same + 1 : 0;
    h = now;
  }
  return h;
})()`)
	// Listeners of our own, added after the widget's and embed.js's: a
	// message they see has been dispatched to those too.
	eval[chromedp.Void](popup, `window.addEventListener("message", (e) => { if (e.data === "sentinel") window.__sentinel = true; })`)
	eval[chromedp.Void](popup, inWidget(`w.addEventListener("message", (e) => { if (e.data === "sentinel") w.__sentinel = true; })`))
	auditBefore := head()
	mark := e.log.mark()

	forged := `[
  {type: "liaison:approve", id: ` + jsString(cs.ID) + `, version: 2},
  {type: "liaison:resize", height: 5},
  {type: "liaison:navigate", url: "javascript:alert(1)"},
  "liaison:approve",
]`
	eval[chromedp.Void](opener, `(() => {
  const w = window.portal;
  for (const m of `+forged+`) { w.frames[0].postMessage(m, "*"); w.postMessage(m, "*"); }
  w.frames[0].postMessage("sentinel", "*");
  w.postMessage("sentinel", "*");
})()`)
	popup.waitJS("the forged messages to be delivered", `window.__sentinel === true && `+inWidget(`w.__sentinel === true`))
	// A round trip of our own: had the forged messages started API calls,
	// they would have been sent before this one.
	if st := popup.fetchFromWidget("GET", widgetPrefix+"/api/orgs/acme/me", "", ""); st != http.StatusOK {
		t.Fatalf("GET /me from the widget: %d", st)
	}
	popup.shot("after-forged-messages")

	for _, r := range e.log.since(mark) {
		if r.Method != "GET" {
			t.Errorf("a forged message caused %s %s", r.Method, r.Path)
		}
	}
	got, err := e.portal.review.ChangeSet(ctx, vendor("acme"), "acme", cs.ID)
	must(t, err)
	if got.State != contacts.Submitted || got.Version != cs.Version {
		t.Errorf("the change set moved: %s v%d -> %s v%d", cs.State, cs.Version, got.State, got.Version)
	}
	if after := head(); after != auditBefore {
		t.Errorf("the audit trail grew: %+v -> %+v", auditBefore, after)
	}
	// The forged resize asks for 5 px; the widget's own resizes may
	// still move the height, never to that.
	if h := eval[float64](popup, frameJS+`.getBoundingClientRect().height`); h == 5 || h < 100 {
		t.Errorf("a forged resize took: the iframe is %v px high (it was %v)", h, heightBefore)
	}
	popup.noViolations()
}
