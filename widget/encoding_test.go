package widget

import "testing"

func TestNegotiateEncoding(t *testing.T) {
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
		if got := negotiateEncoding(tc.header); got != tc.want {
			t.Errorf("negotiateEncoding(%q) = %q, want %q %s", tc.header, got, tc.want, tc.reason)
		}
	}
}

func FuzzNegotiateEncoding(f *testing.F) {
	for _, s := range []string{"", "gzip, br", "br;q=0.5, *;q=0", "identity;q=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		switch got := negotiateEncoding(header); got {
		case "br", "gzip", "identity":
		default:
			t.Fatalf("negotiateEncoding(%q) = %q", header, got)
		}
	})
}
