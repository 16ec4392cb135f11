package widget

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
)

// Options configures the handler [Handler] returns.
type Options struct {
	// Service is the contacts service the API serves. Required.
	Service *contacts.Service
	// Actor authenticates an API request from the host's session or token
	// (see api.Options.Actor). Required: the library never invents
	// identity. Pages and static files never call it.
	Actor func(*http.Request) (contacts.Actor, error)
	// Prefix is the path the host mounts the widget under, such as
	// "/liaison": empty for the origin's root, or "/" followed by segments
	// of letters, digits, "-", "_", "." and "~", not ending in "/". The host
	// mounts it with mux.Handle(Prefix+"/", Handler(opts)).
	//
	// Prefer a prefix on an origin that serves anything else: go-app's
	// app.js registers the widget's (inert) service worker with the scope
	// Prefix+"/", and at the root that scope is "/", which would replace a
	// service worker the host registered for its whole origin.
	Prefix string
	// FrameAncestors are the origins, such as "https://portal.example.com",
	// allowed to frame the widget besides its own. They go into the CSP's
	// frame-ancestors and are the origins the widget exchanges postMessage
	// with (LIAISON_PARENT_ORIGINS).
	FrameAncestors []string
	// Hosts are the Host header values, such as "portal.example.com" or
	// "localhost:8080", the handler answers; any other answers 421
	// Misdirected Request. Empty means any Host, which is unsafe behind a
	// proxy that forwards arbitrary Host headers: set it in production.
	Hosts []string
	// TrustedOrigins are origins whose cross-origin unsafe API requests are
	// allowed (see api.Options.TrustedOrigins). Same-origin requests need
	// none.
	TrustedOrigins []string
	// Logger receives the API's request log and the handler's errors. Nil
	// discards them.
	Logger *slog.Logger
	// Version names the client's release: when it changes, browsers fetch
	// the app anew. Optional; the default is derived from the embedded
	// wasm's hash and these options, so a new build is picked up. At most
	// 64 letters, digits, ".", "_" or "-".
	Version string
}

// OptionError reports an Options field that cannot be used, and the rule
// it breaks.
type OptionError struct {
	// Field names the field, with an index for list items:
	// "FrameAncestors[1]".
	Field string
	// Value is the offending value.
	Value string
	// Rule says what the value must be.
	Rule string
}

// Error names the field, its value and the rule, as in
// `widget: Options.Prefix "/x/": must be ...`.
func (e *OptionError) Error() string {
	return fmt.Sprintf("widget: Options.%s %q: %s", e.Field, e.Value, e.Rule)
}

var (
	prefixPattern  = regexp.MustCompile(`^(/[A-Za-z0-9_~.-]+)*$`)
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	hostPattern    = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$|^\[[0-9a-f:.]+\](:[0-9]{1,5})?$`)
)

// Validate reports every unusable field, each as an [*OptionError]
// (joined with errors.Join), or nil. [Handler] panics with this error.
func (o Options) Validate() error {
	var errs []error
	bad := func(field, value, rule string) {
		errs = append(errs, &OptionError{Field: field, Value: value, Rule: rule})
	}
	if o.Service == nil {
		bad("Service", "<nil>", "is required")
	}
	if o.Actor == nil {
		bad("Actor", "<nil>", "is required: the library never invents identity")
	}
	if !prefixPattern.MatchString(o.Prefix) {
		bad("Prefix", o.Prefix, `must be empty or "/" followed by segments of letters, digits, "-", "_", "." or "~", without a trailing "/"`)
	} else {
		for _, seg := range strings.Split(o.Prefix, "/") {
			if seg == "." || seg == ".." {
				bad("Prefix", o.Prefix, `must not contain "." or ".." segments`)
				break
			}
		}
	}
	for i, origin := range o.FrameAncestors {
		if rule := originRule(origin); rule != "" {
			bad(fmt.Sprintf("FrameAncestors[%d]", i), origin, rule)
		}
	}
	for i, origin := range o.TrustedOrigins {
		if rule := originRule(origin); rule != "" {
			bad(fmt.Sprintf("TrustedOrigins[%d]", i), origin, rule)
		}
	}
	for i, host := range o.Hosts {
		if !hostPattern.MatchString(strings.ToLower(host)) {
			bad(fmt.Sprintf("Hosts[%d]", i), host, `must be a Host header value: a host name or bracketed IP, and an optional ":port"`)
		}
	}
	if o.Version != "" && !versionPattern.MatchString(o.Version) {
		bad("Version", o.Version, `must be empty or 1 to 64 letters, digits, ".", "_" or "-"`)
	}
	return errors.Join(errs...)
}

// originRule returns what is wrong with origin as a serialized web origin
// ("https://host[:port]"), or "".
func originRule(origin string) string {
	const rule = `must be an origin: "https://" or "http://", a host, an optional port, and nothing else`
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Opaque != "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(origin, "?") || strings.HasSuffix(origin, "#") {
		return rule
	}
	if origin != strings.ToLower(origin) {
		return "must be lower case, as browsers serialize origins"
	}
	if !hostPattern.MatchString(u.Host) {
		return rule
	}
	return ""
}
