package main

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/liaisonhq/liaison/contacts"
)

// benchContacts is how many contacts the timed org holds.
const benchContacts = 1000

// listProbe runs in every frame before the page's scripts: it notes when
// the first row of the widget's contacts list appears, on the clock that
// performance.timeOrigin shares across the frames of a page.
const listProbe = `(() => {
  new MutationObserver((_, obs) => {
    const rows = document.querySelectorAll('[data-testid="contact"]');
    if (rows.length > 0) {
      window.__listAt = performance.timeOrigin + performance.now();
      window.__listRows = rows.length;
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
})();`

// A network is what the browser's network emulation is set to.
type networkProfile struct {
	name string
	// latency is the added round trip (ms); throughput is bytes per
	// second both ways; zero means no emulation (loopback).
	latency, throughput float64
}

var benchNetworks = []networkProfile{
	{name: "loopback"},
	{name: "9Mbit-60msRTT", latency: 60, throughput: 9e6 / 8},
}

// BenchmarkBrowser_contactsList times, in headless Chromium, from the
// navigation to the portal's contacts page until the widget in its iframe
// shows the first rows of an org of 1,000 contacts: on loopback and under
// emulated 9 Mbit/s with 60 ms round trips; cold (a fresh browser context:
// no HTTP cache, no service worker) and warm (the same context again).
// Each iteration is one page load; the metric ms-median is the median of
// the iterations, measured inside the page (Navigation Timing clock), and
// wasm-ms-median the median time at which app.wasm's last byte arrived.
// Figures are recorded in BENCHMARKS.md; nothing is asserted:
//
//	cd examples && go test -run '^$' -bench Browser_contactsList -benchtime 5x ./portal
func BenchmarkBrowser_contactsList(b *testing.B) {
	e := newEnv(b)
	cookie := e.benchOrg(b)
	for _, nw := range benchNetworks {
		for _, warm := range []bool{false, true} {
			name := nw.name + "/cold"
			if warm {
				name = nw.name + "/warm"
			}
			b.Run(name, func(b *testing.B) {
				var ms, wasm []float64
				var tb *tab
				mark := e.log.mark()
				if warm {
					tb = e.timingTab(b, cookie, nw)
					tb.listLoad() // the first load fills the cache
				}
				b.ResetTimer()
				for range b.N {
					if !warm {
						b.StopTimer()
						tb = e.timingTab(b, cookie, nw)
						b.StartTimer()
					}
					list, got := tb.listLoad()
					ms, wasm = append(ms, list), append(wasm, got)
				}
				b.StopTimer()
				b.ReportMetric(median(ms), "ms-median")
				b.ReportMetric(median(wasm), "wasm-ms-median")
				b.ReportMetric(0, "ns/op")
				b.Logf("%s: navigation to the first rows of %d contacts: %v; app.wasm received at %v: %s",
					name, benchContacts, rounded(ms), rounded(wasm), wasmSent(e.log.since(mark)))
			})
		}
	}
}

// benchOrg creates the org "bench" with benchContacts contacts and
// returns a session cookie value of its owner.
func (e *env) benchOrg(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	svc := e.portal.direct
	v := contacts.Actor{Vendor: "bench", Org: "bench"}
	_, owner, err := svc.CreateOrg(ctx, v, contacts.NewOrg{ID: "bench", Name: "Bench Inc",
		Owner: contacts.NewContact{Name: "Bench Owner", Email: "owner@bench.example"}})
	must(t, err)
	rows := make([]contacts.NewContact, 0, benchContacts-1)
	for i := 1; i < benchContacts; i++ {
		rows = append(rows, contacts.NewContact{
			Name:  fmt.Sprintf("%s %s", seedGivenNames[i%len(seedGivenNames)], seedFamilyNames[(i/len(seedGivenNames))%len(seedFamilyNames)]),
			Email: fmt.Sprintf("person%04d@bench.example", i),
			Title: "Engineer",
		})
	}
	_, err = svc.ImportContacts(ctx, v, "bench", rows)
	must(t, err)
	w := httptest.NewRecorder()
	e.portal.sessions.start(w, httptest.NewRequest("POST", "/login", nil), session{
		User:    user{Login: "bench", Name: "Bench Owner", Org: "bench", Email: "owner@bench.example", Role: "owner"},
		Contact: owner.ID,
	})
	return w.Result().Cookies()[0].Value
}

var (
	seedGivenNames  = strings.Fields("Ada Bruno Chloé Dmitri Elena Farid Greta Hugo Ingrid José Kenji Léa Mateus Nadia Oskar Priya")
	seedFamilyNames = strings.Fields("Almeida Becker Castro Dubois Eriksen Fischer García Hansen Ibáñez Jansen Kowalski Lambert Müller")
)

// timingTab opens a tab in a fresh browser context, signed in with the
// cookie, with the list probe installed and the network emulated.
func (e *env) timingTab(t testing.TB, cookie string, nw networkProfile) *tab {
	t.Helper()
	tb := e.newTab(t)
	tb.addScript(listProbe)
	// DevTools keeps a copy of every response body for its Network panel
	// unless told not to: for the 7.5 MB client that is a copy a user's
	// browser never makes, on the same two cores (measured: 200 ms of a
	// cold load on loopback). A buffer of one byte keeps none.
	noBodies := int64(1)
	_, err := chromedp.Call(tb.ctx, network.Enable, network.EnableParams{
		MaxTotalBufferSize: &noBodies, MaxResourceBufferSize: &noBodies,
	})
	must(t, err)
	httpOnly := true
	_, err = chromedp.Call(tb.ctx, network.SetCookie, network.SetCookieParams{
		Name: sessionCookie, Value: cookie, URL: e.base + "/", Path: "/", HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax,
	})
	must(t, err)
	if nw.throughput > 0 {
		_, err = chromedp.Call(tb.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{
				Latency: nw.latency, DownloadThroughput: nw.throughput, UploadThroughput: nw.throughput,
			}},
		})
		must(t, err)
	}
	return tb
}

// listLoad navigates to the contacts page and returns the milliseconds
// from the navigation's start to the first rows of the list, and to the
// last byte of app.wasm (0 when the page did not fetch it).
func (tb *tab) listLoad() (list, wasm float64) {
	tb.t.Helper()
	tb.do("opening the contacts page", chromedp.Navigate(tb.e.base+"/contacts"))
	tb.waitJS("the first rows of the list", inWidget(`typeof w.__listAt === "number"`))
	type times struct{ List, Wasm float64 }
	// embed.js fetches the wasm from the host page when the widget shares
	// its origin (the iframe's page then does not): look there first.
	got := eval[times](tb, inWidget(`(() => {
  const find = (p) => p.getEntriesByType("resource").find((e) => /\/web\/app(\.[0-9a-f]+)?\.wasm$/.test(e.name));
  const h = find(performance), r = find(w.performance);
  return {
    List: w.__listAt - performance.timeOrigin,
    Wasm: h ? h.responseEnd : r ? w.performance.timeOrigin + r.responseEnd - performance.timeOrigin : 0,
  };
})()`))
	return got.List, got.Wasm
}

// wasmPath matches the client's paths: /web/app.wasm, and the one the
// pages use, named by its hash.
var wasmPath = regexp.MustCompile(`^` + widgetPrefix + `/web/app(\.[0-9a-f]+)?\.wasm$`)

// wasmSent says how the client went out in reqs: its encodings and sizes,
// or that the browser did not ask (its cache answered).
func wasmSent(reqs []request) string {
	var sent []string
	for _, r := range reqs {
		if wasmPath.MatchString(r.Path) {
			sent = append(sent, fmt.Sprintf("%d %s %d B", r.Status, r.Encoding, r.Bytes))
		}
	}
	if len(sent) == 0 {
		return "not requested (cached)"
	}
	return strings.Join(slices.Compact(sent), ", ")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func rounded(xs []float64) []time.Duration {
	out := make([]time.Duration, len(xs))
	for i, x := range xs {
		out[i] = time.Duration(x * float64(time.Millisecond)).Round(time.Millisecond)
	}
	return out
}
