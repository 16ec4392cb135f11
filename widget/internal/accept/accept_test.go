package accept

import (
	"strings"
	"testing"
)

func TestEncoding(t *testing.T) {
	for _, tc := range []struct {
		header, want, reason string
	}{
		{"", "identity", "no header: no preference"},
		{"gzip, deflate, br, zstd", "br", "a browser's: brotli preferred on ties"},
		{"gzip, deflate", "gzip", ""},
		{"deflate", "identity", "nothing we have but identity"},
		{"br;q=0.5, gzip", "gzip", "q-values outrank our order"},
		{"gzip;q=0.8, br;q=0.9", "br", ""},
		{"br;q=0, gzip;q=0", "identity", "both refused"},
		{"*", "br", "anything goes"},
		{"*;q=0.5, gzip;q=0.7", "gzip", "gzip listed above the rest"},
		{"br;q=0, *", "gzip", "all but brotli"},
		{"identity;q=0, *;q=0", "identity", "nothing acceptable: identity anyway"},
		{"identity, gzip;q=0.5", "identity", ""},
		{"gzip;q=0.5, identity;q=0.5", "gzip", "codings before identity on ties"},
		{"x-gzip", "gzip", "the old alias"},
		{"GZIP;Q=1", "gzip", "case-insensitive"},
		{"br;q=1.5, gzip", "gzip", "a malformed weight voids its member"},
		{"br;q=NaN, gzip;q=0.1", "gzip", ""},
		{"br;q=0.1234, gzip;q=0.1", "gzip", "more than three decimals"},
		{"br;q=, gzip;q=0.1", "gzip", ""},
		{" , ;q=1, gzip", "gzip", "empty members"},
		{"br;level=5", "br", "unknown parameters are ignored"},
		{"gzip;q=0.001", "gzip", "the lowest weight still beats an unlisted identity"},
	} {
		if got := Encoding([]string{tc.header}, Brotli, Gzip); got != tc.want {
			t.Errorf("Encoding(%q, br, gzip) = %q, want %q %s", tc.header, got, tc.want, tc.reason)
		}
	}
}

// The API offers gzip alone; a request may carry several field lines.
func TestEncoding_gzipOnly(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{nil, Identity},
		{[]string{""}, Identity},
		{[]string{"gzip, deflate, br, zstd"}, Gzip},
		{[]string{"br", "gzip"}, Gzip},
		{[]string{"gzip;q=0", "gzip;q=0.5"}, Gzip},
		{[]string{"x-gzip"}, Gzip},
		{[]string{"GZIP;Q=0.5"}, Gzip},
		{[]string{"gzip;q=0"}, Identity},
		{[]string{"gzip;q=0, *"}, Identity},
		{[]string{"*"}, Gzip},
		{[]string{"*;q=0"}, Identity},
		{[]string{"br, identity"}, Identity},
		{[]string{"gzip;q=2"}, Identity},
		{[]string{"gzip;q=abc"}, Identity},
	} {
		if got := Encoding(tc.values, Gzip); got != tc.want {
			t.Errorf("Encoding(%q, gzip) = %q, want %q", tc.values, got, tc.want)
		}
	}
}

// The codings the caller passes are not written to.
func TestEncoding_leavesCodings(t *testing.T) {
	codings := make([]string, 1, 2)
	codings[0] = Gzip
	Encoding([]string{"identity"}, codings...)
	if got := codings[:2]; got[1] != "" {
		t.Errorf("Encoding wrote %q after the codings", got[1])
	}
}

func FuzzEncoding(f *testing.F) {
	for _, s := range []string{"", "gzip, br", "br;q=0.5\n*;q=0", "identity;q=0", "gzip;q=0\ngzip"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		lines := strings.Split(header, "\n")
		got := Encoding(lines, Brotli, Gzip)
		switch got {
		case Brotli, Gzip, Identity:
		default:
			t.Fatalf("Encoding(%q) = %q", lines, got)
		}
		// Several field lines mean what one comma-separated line does.
		if joined := Encoding([]string{strings.Join(lines, ",")}, Brotli, Gzip); joined != got {
			t.Fatalf("Encoding(%q) = %q, but %q joined in one line", lines, got, joined)
		}
	})
}
