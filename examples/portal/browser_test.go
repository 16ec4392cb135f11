package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/liaisonhq/liaison/storage/memstore"
)

// The browser tests drive the portal and the widget in real headless
// Chromium. They wait on DOM conditions, never on fixed sleeps, and give
// every wait a generous timeout: the machine may be slow and shared.

const (
	// stepTimeout bounds one wait in the page.
	stepTimeout = 60 * time.Second
	// testTimeout bounds one scenario.
	testTimeout = 4 * time.Minute
)

// findChromium returns the browser's path, or skips the test.
func findChromium(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	return path
}

// outputDir is where a top-level test's screenshots go, so they outlive
// the test: $LIAISON_TEST_OUTPUT, or testout/ beside this file (ignored by
// git), then a folder named after the test, emptied first so that it
// holds this run's screenshots only.
func outputDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv("LIAISON_TEST_OUTPUT")
	if root == "" {
		root = "testout"
	}
	dir, err := filepath.Abs(filepath.Join(root, slug(t.Name())))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A request is one request the portal served, as the request log keeps it.
type request struct {
	Method, Path, Query string
	SecFetchDest        string
	Status              int
	// Encoding is the response's Content-Encoding; Bytes what the body
	// took on the wire.
	Encoding string
	Bytes    int64
}

// requestLog records what the portal served, so a test can say "no API
// call was made" from the server's side.
type requestLog struct {
	mu   sync.Mutex
	reqs []request
}

func (l *requestLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		l.mu.Lock()
		l.reqs = append(l.reqs, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Sec-Fetch-Dest"), sw.status,
			w.Header().Get("Content-Encoding"), sw.bytes})
		l.mu.Unlock()
	})
}

// mark returns a position; since returns the requests after it.
func (l *requestLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reqs)
}

func (l *requestLog) since(mark int) []request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]request(nil), l.reqs[mark:]...)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Flush keeps streaming responses streaming through the log.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// An env is a seeded portal on a loopback server and a headless browser.
type env struct {
	t      testing.TB
	portal *portal
	store  *memstore.Store
	base   string // the portal's origin, http://127.0.0.1:PORT
	log    *requestLog
	out    string
	// browser is the browser's first tab; every scenario opens its own
	// tab in a fresh browser context (its own cookies, caches and
	// service workers).
	browser context.Context
}

// newEnv starts the portal (durable store in a temp dir, seeded) and the
// browser, or skips when there is no browser.
func newEnv(t testing.TB) *env {
	t.Helper()
	chromium := findChromium(t)
	e := &env{t: t, log: &requestLog{}, out: outputDir(t)}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	e.store, err = memstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	e.portal, err = newPortal(e.store, options{Hosts: loopbackHosts(port)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed(context.Background(), e.portal.direct, demoData); err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: e.log.wrap(e.portal)}}
	srv.Start()
	t.Cleanup(srv.Close)
	e.base = srv.URL

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	// The first action starts the browser, which lives as long as the
	// context it ran with: this one, not one with a timeout.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	e.browser = browser
	return e
}

// A tab is one page of a scenario.
type tab struct {
	t   testing.TB
	e   *env
	ctx context.Context
	// dialogs are the JavaScript dialogs (alert, confirm, prompt) any
	// frame of the page opened, each dismissed at once.
	mu      sync.Mutex
	dialogs []string
}

// pageProbe runs in every frame of every page before the page's own
// scripts: it counts Content-Security-Policy violations, which a test
// then reads in the host page and in the widget's frame.
const pageProbe = `(() => {
  window.__probe = { csp: [] };
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__probe.csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
  });
})();`

// newTab opens a page in a fresh browser context and installs the probe
// and the dialog watcher.
func (e *env) newTab(t testing.TB) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first action opens the tab, which lives as long as ctx: the
	// timeout goes on a child context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, testTimeout)
	t.Cleanup(cancelTimeout)
	tb := &tab{t: t, e: e, ctx: ctx}
	if _, err := chromedp.Call(ctx, page.Enable, page.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	tb.addScript(pageProbe)
	tb.watchDialogs()
	return tb
}

// watchDialogs records and dismisses every JavaScript dialog of the tab.
func (tb *tab) watchDialogs() {
	dialogs := chromedp.Events(tb.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dialogs = append(tb.dialogs, string(ev.Type)+": "+ev.Message)
			tb.mu.Unlock()
			chromedp.Call(tb.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
}

// openedDialogs returns the dialogs the tab's pages opened so far.
func (tb *tab) openedDialogs() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Clone(tb.dialogs)
}

// addScript runs src in every frame of every document the tab loads
// from now on, before the document's own scripts.
func (tb *tab) addScript(src string) {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		tb.t.Fatal(err)
	}
}

// do runs steps, failing the test with what was being done.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.shot("failed-" + slug(what))
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the host page and decodes
// its value into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitJS waits until the expression, evaluated in the host page, is
// truthy.
func (tb *tab) waitJS(what, expr string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(stepTimeout)))
	if err != nil {
		tb.shot("timeout-" + slug(what))
		tb.t.Fatalf("waiting for %s: %v", what, err)
	}
}

func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do("opening "+path, chromedp.Navigate(tb.e.base+path))
}

// login signs in through the portal's own form, as a person would.
func (tb *tab) login(login string) {
	tb.t.Helper()
	u, ok := userByLogin(login)
	if !ok {
		tb.t.Fatalf("no demo user %q", login)
	}
	tb.open("/login")
	tb.do("signing in as "+login,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-name"]`), u.Login),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-password"]`), u.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="portal-nav"]`)),
	)
}

// shot saves a screenshot of the whole page (the iframe grows with the
// widget's content) as SUBTEST--NAME.png in the output directory.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	test := tb.t.Name()
	if _, sub, ok := strings.Cut(test, "/"); ok {
		test = sub
	}
	file := filepath.Join(tb.e.out, slug(test)+"--"+name+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		tb.t.Errorf("saving screenshot: %v", err)
		return
	}
	tb.t.Logf("screenshot %s", file)
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// frameJS is the widget's iframe in the host page.
const frameJS = `document.querySelector("iframe[data-liaison-frame]")`

// inWidget wraps a JavaScript expression that uses d (the widget's
// document) and w (its window) so it runs from the host page: the widget
// is same-origin, so the host page can reach into it. It is null until
// the frame has a document.
func inWidget(expr string) string {
	return `(() => { const f = ` + frameJS + `; const w = f && f.contentWindow; const d = f && f.contentDocument;
  if (!d || !d.body) return null; return (` + expr + `); })()`
}

// sel is the CSS selector of a data-testid.
func sel(testid string) string { return `[data-testid="` + testid + `"]` }

// waitWidget waits until the element that css selects in the widget is
// rendered (has a box).
func (tb *tab) waitWidget(css string) {
	tb.t.Helper()
	tb.waitJS(css+" in the widget", inWidget(`(() => { const el = d.querySelector(`+jsString(css)+`); return !!el && el.getClientRects().length > 0; })()`))
}

// clickWidget clicks the center of an element of the widget with the
// mouse: real input events, through the host page and the iframe. It
// clicks once the element has kept its place for two animation frames and
// is what the browser would hit there, so a list still re-rendering or
// an iframe still resizing does not swallow the click.
func (tb *tab) clickWidget(css string) {
	tb.t.Helper()
	tb.waitWidget(css)
	type point struct{ X, Y float64 }
	p := eval[*point](tb, inWidget(`(async () => {
  let last = "";
  for (let i = 0; i < 200; i++) {
    const el = d.querySelector(`+jsString(css)+`);
    if (el) {
      el.scrollIntoView({block: "nearest"});
      const fr = f.getBoundingClientRect(), r = el.getBoundingClientRect();
      const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      const x = fr.left + f.clientLeft + cx, y = fr.top + f.clientTop + cy;
      const hit = d.elementFromPoint(cx, cy);
      const here = document.elementFromPoint(x, y) === f && hit !== null && (hit === el || el.contains(hit));
      const key = x + "," + y;
      if (here && key === last) return {X: x, Y: y};
      last = here ? key : "";
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  return null;
})()`))
	if p == nil {
		tb.shot("unclickable-" + slug(css))
		tb.t.Fatalf("%s in the widget never stood still where a click would reach it", css)
	}
	tb.do("clicking "+css, chromedp.MouseClickXY(p.X, p.Y))
}

// typeWidget focuses an input of the widget and types text with key
// events.
func (tb *tab) typeWidget(css, text string) {
	tb.t.Helper()
	tb.waitWidget(css)
	eval[chromedp.Void](tb, inWidget(`(() => { const el = d.querySelector(`+jsString(css)+`); f.focus(); el.focus(); el.select && el.select(); })()`))
	tb.do("typing into "+css, chromedp.KeyEvent(text))
}

// cspViolations returns the violations the probe saw in the host page
// and in the widget's frame.
func (tb *tab) cspViolations() []string {
	tb.t.Helper()
	return eval[[]string](tb, `[...(window.__probe ? window.__probe.csp : []), ...(`+inWidget(`w.__probe ? w.__probe.csp : []`)+` || [])]`)
}

// openWidget opens the portal's contacts page and waits for the widget
// to render its contacts list.
func (tb *tab) openWidget(query string) {
	tb.t.Helper()
	tb.open("/contacts" + query)
	tb.waitJS("the widget's iframe", frameJS+` !== null`)
	tb.waitWidget(sel("contact"))
}

// fetchFromWidget calls the API with fetch from inside the widget's page,
// with the browser's own cookies, and returns the status.
func (tb *tab) fetchFromWidget(method, path, ifMatch, body string) int {
	tb.t.Helper()
	headers := `{"Content-Type": "application/json"`
	if ifMatch != "" {
		headers += `, "If-Match": ` + jsString(ifMatch)
	}
	headers += `}`
	opts := `{method: ` + jsString(method) + `, headers: ` + headers + `, credentials: "same-origin"`
	if body != "" {
		opts += `, body: ` + jsString(body)
	}
	opts += `}`
	return eval[int](tb, inWidget(`w.fetch(`+jsString(path)+`, `+opts+`).then((r) => r.status)`))
}

// etagFromWidget reads the ETag of a GET from inside the widget's page.
func (tb *tab) etagFromWidget(path string) string {
	tb.t.Helper()
	return eval[string](tb, inWidget(`w.fetch(`+jsString(path)+`, {credentials: "same-origin"}).then((r) => r.ok ? r.headers.get("ETag") : "status " + r.status)`))
}

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// describe formats requests for a failure message.
func describe(reqs []request) string {
	var b strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&b, "\n  %s %s?%s -> %d (%s)", r.Method, r.Path, r.Query, r.Status, r.SecFetchDest)
	}
	return b.String()
}
