package widget

import "strings"

// resolver is go-app's ResourceResolver for the prefix. Unlike
// app.PrefixedLocation it is not an http.Handler, so go-app never serves
// /web/ paths (the handler does) and never fetches "proxy resources" from
// the Host the request names.
//
// It prefixes absolute local paths and leaves the rest alone: URLs with a
// scheme (mailto:, tel:), relative ones, and paths already under the
// prefix, which is how components must write links, since go-app's client
// side does not prefix them.
type resolver struct {
	prefix string
}

// Resolve implements app.ResourceResolver.
func (r resolver) Resolve(location string) string {
	switch {
	case location == "/" || location == "":
		// GOAPP_ROOT_PREFIX: the client trims it from paths before routing.
		return r.prefix + "/"
	case !strings.HasPrefix(location, "/") || strings.HasPrefix(location, "//"):
		return location
	case r.prefix != "" && (location == r.prefix || strings.HasPrefix(location, r.prefix+"/")):
		return location
	}
	return r.prefix + location
}
