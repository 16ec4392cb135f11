package widget

import (
	"net/http"
	"strings"
)

// contentSecurityPolicy is the policy of every response for the given
// extra frame ancestors: scripts only from the widget's origin (no inline
// script, no eval), WebAssembly compilation allowed, no plugins, no <base>,
// and framing by the widget's own origin and the host's listed ones.
func contentSecurityPolicy(frameAncestors []string) string {
	return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors " +
		strings.Join(append([]string{"'self'"}, frameAncestors...), " ")
}

// setSecurityHeaders sets the headers every response carries. The API
// replaces the CSP with its own, stricter one.
func setSecurityHeaders(h http.Header, csp string) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}
