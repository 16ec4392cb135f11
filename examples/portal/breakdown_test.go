package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// breakdownProbe runs in every frame before the page's scripts: it notes
// when the wasm's compilation starts and ends, when its instantiation
// ends, and when the widget's page reaches each stage, on the clock that
// performance.timeOrigin shares across the frames of a page.
const breakdownProbe = `(() => {
  const T = window.__t = {};
  const now = () => performance.timeOrigin + performance.now();
  const cs = WebAssembly.compileStreaming;
  WebAssembly.compileStreaming = function (src) {
    T["wasm compile start"] = now();
    return cs.call(WebAssembly, src).then((m) => { T["wasm compiled"] = now(); return m; });
  };
  const inst = WebAssembly.instantiate;
  WebAssembly.instantiate = function (m, imports) {
    return inst.call(WebAssembly, m, imports).then((x) => { T["wasm instantiated"] = now(); return x; });
  };
  document.addEventListener("DOMContentLoaded", () => { T["DOMContentLoaded"] = now(); });
  new MutationObserver(() => {
    if (!T["shell rendered"] && document.querySelector('[data-testid="app"]')) T["shell rendered"] = now();
    if (!T["first rows"] && document.querySelector('[data-testid="contact"]')) T["first rows"] = now();
    if (!T["50 rows"] && document.querySelectorAll('[data-testid="contact"]').length >= 50) T["50 rows"] = now();
  }).observe(document, { childList: true, subtree: true });
})();`

// TestLoadBreakdown prints where the time of cold loads of the
// benchmark's page goes (BenchmarkBrowser_contactsList's org, networks
// and probe), three of each: every resource of the host page (P) and of
// the widget's frame (W) with its start, request, first byte and end and
// its transferSize, the client's User Timing marks (M, see ui.Mark) and
// the probe's stages (T), all in ms from the navigation's start. It
// asserts nothing and runs only with LIAISON_TRACE=1:
//
//	cd examples && LIAISON_TRACE=1 go test -run TestLoadBreakdown -v ./portal
func TestLoadBreakdown(t *testing.T) {
	if os.Getenv("LIAISON_TRACE") == "" {
		t.Skip("skipped: set LIAISON_TRACE=1 to print a breakdown of cold loads")
	}
	e := newEnv(t)
	cookie := e.benchOrg(t)
	for _, nw := range benchNetworks {
		for i := range 3 {
			tb := e.timingTab(t, cookie, nw)
			tb.addScript(breakdownProbe)
			mark := e.log.mark()
			tb.do("open", chromedp.Navigate(e.base+"/contacts"))
			tb.waitJS("rows", inWidget(`typeof w.__listAt === "number"`))
			tb.waitJS("50 rows", inWidget(`!!(w.__t && w.__t["50 rows"])`))
			out := eval[string](tb, `(() => {
  const o = performance.timeOrigin; const ev = [];
  const add = (name, t) => { if (t) ev.push([name, t - o]); };
  const f = document.querySelector("iframe[data-liaison-frame]"); const w = f.contentWindow;
  for (const r of performance.getEntriesByType("resource").concat(performance.getEntriesByType("navigation"))) {
    add("P " + r.name.replace(location.origin, "") + " start (" + r.transferSize + " B)", o + r.startTime);
    add("P " + r.name.replace(location.origin, "") + " end", o + r.responseEnd);
  }
  const wo = w.performance.timeOrigin;
  add("iframe timeOrigin", wo);
  for (const r of w.performance.getEntriesByType("resource").concat(w.performance.getEntriesByType("navigation"))) {
    const n = r.name.replace(location.origin, "").replace(/\?.*/, "");
    add("W " + n + " start (" + r.transferSize + " B)", wo + r.startTime);
    if (r.requestStart) add("W " + n + " reqStart", wo + r.requestStart);
    if (r.responseStart) add("W " + n + " respStart", wo + r.responseStart);
    add("W " + n + " end", wo + r.responseEnd);
  }
  for (const m of w.performance.getEntriesByType("mark")) add("M " + m.name, wo + m.startTime);
  for (const [k, v] of Object.entries(w.__t || {})) add("T " + k, v);
  return JSON.stringify(ev);
})()`)
			var ev [][2]any
			must(t, json.Unmarshal([]byte(out), &ev))
			sort.Slice(ev, func(a, b int) bool { return ev[a][1].(float64) < ev[b][1].(float64) })
			var b strings.Builder
			fmt.Fprintf(&b, "%s, cold load %d (app.wasm: %s):\n", nw.name, i+1, wasmSent(e.log.since(mark)))
			for _, x := range ev {
				fmt.Fprintf(&b, "%8.1f  %s\n", x[1].(float64), x[0])
			}
			t.Log(b.String())
		}
	}
}
