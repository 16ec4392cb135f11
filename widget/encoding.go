package widget

import (
	"regexp"
	"strconv"
	"strings"
)

// qvaluePattern is RFC 9110's qvalue: 0 to 1 with at most three decimals.
var qvaluePattern = regexp.MustCompile(`^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

// Content codings the handler can send app.wasm in, in order of preference
// when a client weighs them equally.
const (
	codingBrotli   = "br"
	codingGzip     = "gzip"
	codingIdentity = "identity"
)

// negotiateEncoding picks the content coding for a response from an
// Accept-Encoding header value (RFC 9110 §12.5.3): the acceptable coding of
// highest weight, brotli before gzip before none on ties. A missing header
// means no preference, so identity. A coding not listed takes the weight of
// "*" if present; identity is acceptable unless excluded ("identity;q=0",
// or "*;q=0" without identity). When even identity is excluded, identity
// is returned anyway: sending the representation beats refusing it.
func negotiateEncoding(header string) string {
	return negotiate(header, codingBrotli, codingGzip)
}

// negotiate is negotiateEncoding for a representation available in the
// given codings (in order of preference on ties) and identity.
func negotiate(header string, codings ...string) string {
	if strings.TrimSpace(header) == "" {
		return codingIdentity
	}
	weights := map[string]float64{}
	star := -1.0 // weight of "*", -1 when absent
	for _, part := range strings.Split(header, ",") {
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
			coding = codingGzip
		}
		if coding == "*" {
			star = q
			continue
		}
		if w, seen := weights[coding]; !seen || q > w {
			weights[coding] = q
		}
	}
	weight := func(coding string) float64 {
		if w, ok := weights[coding]; ok {
			return w
		}
		if star >= 0 {
			return star
		}
		if coding == codingIdentity {
			return 0.001 // acceptable, but below anything the client listed
		}
		return 0
	}
	best, bestW := codingIdentity, 0.0
	for _, c := range append(codings, codingIdentity) {
		if w := weight(c); w > bestW {
			best, bestW = c, w
		}
	}
	return best
}

// parseQ reads the weight from an Accept-Encoding member's parameters: 1
// when absent, false when malformed or outside [0, 1].
func parseQ(params string) (float64, bool) {
	q := 1.0
	for _, p := range strings.Split(params, ";") {
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
