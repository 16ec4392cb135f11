package webhook_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts/webhook"
)

// FuzzVerifier_Verify feeds Verify hostile headers and bodies: it never
// panics, always returns nil or one of its four errors, and returns nil
// only when the header carries, at a timestamp within the tolerance, the
// signature Sign makes of that very body.
func FuzzVerifier_Verify(f *testing.F) {
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	good := webhook.Sign(secretA, now, body)
	for _, seed := range []struct{ header, body string }{
		{good, string(body)},
		{good, string(body) + " "},
		{"t=1,v1=00", "{}"},
		{"t=" + strings.Repeat("9", 30) + ",v1=" + strings.Repeat("a", 64), ""},
		{",,,=,t=,v1=", "x"},
		{good + "," + good, string(body)},
		{"T=1773500966,V1=" + strings.Repeat("0", 64), string(body)},
	} {
		f.Add(seed.header, []byte(seed.body))
	}
	v := webhook.Verifier{Secrets: []string{secretA}, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := v.Verify(headerOf(header), body)
		if err == nil {
			// Only the genuine signature of this body passes: the
			// header must hold it (hex in either case).
			sig := webhook.Sign(secretA, now, body)
			if !strings.Contains(strings.ToLower(header), sig[strings.Index(sig, "v1="):]) {
				t.Fatalf("Verify(%q, %q) = nil, but the header lacks the body's signature", header, body)
			}
			return
		}
		for _, known := range []error{webhook.ErrNoSignature, webhook.ErrMalformedSignature, webhook.ErrTimestamp, webhook.ErrSignature} {
			if errors.Is(err, known) {
				return
			}
		}
		t.Fatalf("Verify(%q) = %v, which matches none of the package's errors", header, err)
	})
}
