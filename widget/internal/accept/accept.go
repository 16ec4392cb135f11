// Package accept negotiates the content coding of a response from the
// request's Accept-Encoding header (RFC 9110 §12.5.3), for the widget's
// handler (the client, its scripts) and its API (long JSON replies), so
// that both read the header by the same rules.
package accept

import (
	"regexp"
	"strconv"
	"strings"
)

// The content codings the widget sends. Identity is no coding at all.
const (
	Brotli   = "br"
	Gzip     = "gzip"
	Identity = "identity"
)

// qvaluePattern is RFC 9110's qvalue: 0 to 1 with at most three decimals.
var qvaluePattern = regexp.MustCompile(`^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

// Encoding picks the coding of a representation available in codings (in
// order of preference when the client weighs them equally) and in
// identity, from the request's Accept-Encoding field lines, values (as
// http.Header.Values returns them): the acceptable coding of highest
// weight, the codings before identity on ties.
//
// No header means no preference, so identity. A coding not listed takes
// the weight of "*" if present; identity is acceptable unless excluded
// ("identity;q=0", or "*;q=0" without identity). A member with a
// malformed weight is ignored. When even identity is excluded, identity
// is returned anyway: sending the representation beats refusing it.
func Encoding(values []string, codings ...string) string {
	weights := map[string]float64{}
	star := -1.0 // weight of "*", -1 when absent
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding == "" {
				continue
			}
			q, ok := parseQ(params)
			if !ok {
				continue // a malformed weight: ignore the member
			}
			if coding == "x-gzip" {
				coding = Gzip
			}
			if coding == "*" {
				star = max(star, q)
				continue
			}
			if w, seen := weights[coding]; !seen || q > w {
				weights[coding] = q
			}
		}
	}
	weight := func(coding string) float64 {
		if w, ok := weights[coding]; ok {
			return w
		}
		if star >= 0 {
			return star
		}
		if coding == Identity {
			return 0.001 // acceptable, but below anything the client listed
		}
		return 0
	}
	best, bestW := Identity, 0.0
	for _, c := range codings {
		if w := weight(c); w > bestW {
			best, bestW = c, w
		}
	}
	if weight(Identity) > bestW {
		best = Identity
	}
	return best
}

// parseQ reads the weight from an Accept-Encoding member's parameters: 1
// when absent, false when malformed or outside [0, 1].
func parseQ(params string) (float64, bool) {
	q := 1.0
	for p := range strings.SplitSeq(params, ";") {
		name, value, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found {
			if strings.TrimSpace(p) == "" {
				continue
			}
			return 0, false
		}
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		value = strings.TrimSpace(value)
		if !qvaluePattern.MatchString(value) {
			return 0, false
		}
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return 0, false
		}
		q = f
	}
	return q, true
}
