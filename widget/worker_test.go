package widget

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The service worker go-app's app.js registers is ours and inert: it never
// touches Cache Storage (go-app's deletes every cache of the origin,
// host's included), answers no fetch and claims no client; app.js
// registers it without a scope, so its scope is the prefix's directory
// (RELIABILITY H6).
func TestHandler_serviceWorker(t *testing.T) {
	for _, prefix := range []string{"/liaison", "/a/b"} {
		f := newFixture(t, withPrefix(prefix))
		res, worker := f.get(t, prefix+"/app-worker.js")
		if res.StatusCode != 200 {
			t.Fatalf("GET %s/app-worker.js: %d", prefix, res.StatusCode)
		}
		code := stripJSComments(worker)
		for _, banned := range []string{"caches", "clients", "fetch", "importScripts", "respondWith"} {
			if strings.Contains(code, banned) {
				t.Errorf("the worker's code uses %q:\n%s", banned, worker)
			}
		}
		if res.Header.Get("Service-Worker-Allowed") != "" {
			t.Errorf("the worker is served with Service-Worker-Allowed %q: its scope could leave the prefix", res.Header.Get("Service-Worker-Allowed"))
		}

		_, js := f.get(t, prefix+"/app.js")
		calls := regexp.MustCompile(`navigator\.serviceWorker\.register\(\s*("[^"]*")\s*(,[^)]*)?\)`).FindAllStringSubmatch(js, -1)
		if len(calls) != 1 {
			t.Fatalf("app.js registers %d service workers, want 1", len(calls))
		}
		var script string
		if err := json.Unmarshal([]byte(calls[0][1]), &script); err != nil {
			t.Fatal(err)
		}
		if script != prefix+"/app-worker.js" || calls[0][2] != "" {
			t.Errorf("app.js registers %q with options %q; want %q and no options, for the scope %s/", script, calls[0][2], prefix+"/app-worker.js", prefix)
		}

		_, manifest := f.get(t, prefix+"/manifest.webmanifest")
		var m struct {
			Scope    string `json:"scope"`
			StartURL string `json:"start_url"`
			Icons    []struct {
				Src string `json:"src"`
			} `json:"icons"`
		}
		if err := json.Unmarshal([]byte(manifest), &m); err != nil {
			t.Fatal(err)
		}
		if m.Scope != prefix+"/" || m.StartURL != prefix+"/" {
			t.Errorf("the web manifest's scope %q and start_url %q, want %q", m.Scope, m.StartURL, prefix+"/")
		}
		for _, icon := range m.Icons {
			if res, _ := f.get(t, icon.Src); !strings.HasPrefix(icon.Src, prefix+"/web/") || res.StatusCode != 200 {
				t.Errorf("the manifest's icon %q: %d", icon.Src, res.StatusCode)
			}
		}
	}
}

// stripJSComments removes // and /* */ comments from simple JavaScript
// (no comment markers inside strings, as in our files).
func stripJSComments(js string) string {
	return regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`).ReplaceAllString(js, "")
}
