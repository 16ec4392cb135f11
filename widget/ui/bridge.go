package ui

import (
	"math"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The in-iframe side of the postMessage bridge. The widget tells its parent
// page how tall it is, so embed.js can size the iframe, and posts only to
// an exact origin: the parent named in the iframe URL (?parent=) when
// LIAISON_PARENT_ORIGINS allows it, else the widget's own origin. It
// accepts no command from the parent.

// resizeMessage is the only message type the widget sends.
const resizeMessage = "liaison:resize"

// parentOrigin picks the origin the widget posts to: parent when it is an
// allowed origin, else self. allowed is LIAISON_PARENT_ORIGINS,
// comma-separated; the widget's own origin is always allowed.
func parentOrigin(parent, self, allowed string) string {
	p := canonicalOrigin(parent)
	if p == "" {
		return self
	}
	if p == canonicalOrigin(self) {
		return p
	}
	for _, a := range strings.Split(allowed, ",") {
		if canonicalOrigin(a) == p {
			return p
		}
	}
	return self
}

// canonicalOrigin returns an http(s) origin in canonical form
// (scheme://host[:port], lower case, no path), or "" for anything else.
func canonicalOrigin(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	return scheme + "://" + strings.ToLower(u.Host)
}

// resizePayload is the message for a height, or nil when the height is not
// a finite, non-negative number of pixels.
func resizePayload(height float64) map[string]any {
	if math.IsNaN(height) || math.IsInf(height, 0) || height < 0 || height > 1e6 {
		return nil
	}
	return map[string]any{"type": resizeMessage, "height": math.Ceil(height)}
}

// bridge is the running bridge: a ResizeObserver on the page's root
// element.
var bridge struct {
	observer app.Value
	callback app.Func
	root     app.Value
	target   string
	last     float64
}

// startBridge begins reporting the height of root, the page's root
// element, to the parent window. It measures root rather than the document,
// whose scroll height never drops below the iframe's own height, so the
// iframe could grow but never shrink.
func startBridge(root app.Value) {
	if !app.IsClient || bridge.callback != nil {
		return
	}
	w := app.Window()
	if w.Get("parent").Equal(w.JSValue()) {
		return // not framed
	}
	self := w.Get("location").Get("origin").String()
	bridge.target = parentOrigin(w.URL().Query().Get("parent"), self, app.Getenv("LIAISON_PARENT_ORIGINS"))
	bridge.root = root
	bridge.callback = app.FuncOf(func(app.Value, []app.Value) any {
		postHeight()
		return nil
	})
	ro := w.Get("ResizeObserver")
	if !ro.Truthy() {
		postHeight()
		return
	}
	bridge.observer = ro.New(bridge.callback)
	bridge.observer.Call("observe", root)
}

// postHeight posts the height the page needs, the bottom of its root
// element, if it changed.
func postHeight() {
	w := app.Window()
	h := bridge.root.Call("getBoundingClientRect").Get("bottom").Float() + w.Get("scrollY").Float()
	msg := resizePayload(h)
	if msg == nil || h == bridge.last {
		return
	}
	bridge.last = h
	w.Get("parent").Call("postMessage", msg, bridge.target)
}

// stopBridge stops reporting.
func stopBridge() {
	if bridge.observer != nil && bridge.observer.Truthy() {
		bridge.observer.Call("disconnect")
	}
	if bridge.callback != nil {
		bridge.callback.Release()
	}
	bridge.observer, bridge.callback, bridge.root, bridge.last = nil, nil, nil, 0
}
