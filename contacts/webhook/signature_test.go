package webhook_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liaisonhq/liaison/contacts/webhook"
)

var (
	signedAt = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	body     = []byte(`{"org":"acme","seq":7,"action":"contact.update","hash":"ab12"}`)
)

// headerOf returns a header holding signature.
func headerOf(signature string) http.Header {
	h := http.Header{}
	if signature != "" {
		h.Set(webhook.SignatureHeader, signature)
	}
	return h
}

// at returns a Verifier of secrets whose clock reads t.
func at(t time.Time, secrets ...string) webhook.Verifier {
	return webhook.Verifier{Secrets: secrets, Now: func() time.Time { return t }}
}

func TestVerifier_Verify(t *testing.T) {
	good := webhook.Sign(secretA, signedAt, body)
	v1 := good[strings.Index(good, "v1="):]
	rotated := good + "," + webhook.Sign(secretB, signedAt, body)[strings.Index(good, "v1="):]
	ts := strconv.FormatInt(signedAt.Unix(), 10)
	tampered := []byte(strings.Replace(string(body), `"seq":7`, `"seq":8`, 1))
	for _, tc := range []struct {
		name      string
		signature string
		body      []byte
		v         webhook.Verifier
		want      error // nil: verified
	}{
		{"valid", good, body, at(signedAt, secretA), nil},
		{"valid, clock ahead within tolerance", good, body, at(signedAt.Add(4*time.Minute), secretA), nil},
		{"valid, clock behind within tolerance", good, body, at(signedAt.Add(-4*time.Minute), secretA), nil},
		{"valid, a wider tolerance", good, body, webhook.Verifier{Secrets: []string{secretA}, Tolerance: time.Hour,
			Now: func() time.Time { return signedAt.Add(59 * time.Minute) }}, nil},
		{"valid, the receiver holds the old and the new secret", good, body, at(signedAt, secretB, secretA), nil},
		{"valid, two signatures while rotating, receiver on the new one", rotated, body, at(signedAt, secretB), nil},
		{"valid, an unknown scheme beside v1", "v0=zz," + good + ",v2=anything", body, at(signedAt, secretA), nil},
		{"tampered body", good, tampered, at(signedAt, secretA), webhook.ErrSignature},
		{"body with a trailing newline", good, append(body, '\n'), at(signedAt, secretA), webhook.ErrSignature},
		{"wrong secret", good, body, at(signedAt, secretB), webhook.ErrSignature},
		{"no secrets", good, body, at(signedAt), webhook.ErrSignature},
		{"timestamp changed", "t=" + strconv.FormatInt(signedAt.Unix()+1, 10) + "," + v1, body, at(signedAt, secretA), webhook.ErrSignature},
		{"old timestamp (replay)", good, body, at(signedAt.Add(6*time.Minute), secretA), webhook.ErrTimestamp},
		{"future timestamp", good, body, at(signedAt.Add(-6*time.Minute), secretA), webhook.ErrTimestamp},
		{"no header", "", body, at(signedAt, secretA), webhook.ErrNoSignature},
		{"no timestamp", v1, body, at(signedAt, secretA), webhook.ErrMalformedSignature},
		{"two timestamps", "t=" + ts + "," + good, body, at(signedAt, secretA), webhook.ErrMalformedSignature},
		{"timestamp not a number", "t=soon," + v1, body, at(signedAt, secretA), webhook.ErrMalformedSignature},
		{"negative timestamp", "t=-5," + v1, body, at(signedAt, secretA), webhook.ErrMalformedSignature},
		{"no v1", "t=" + ts, body, at(signedAt, secretA), webhook.ErrMalformedSignature},
		{"v1 not hex", "t=" + ts + ",v1=" + strings.Repeat("z", 64), body, at(signedAt, secretA), webhook.ErrMalformedSignature},
		{"v1 too short", "t=" + ts + ",v1=abcd", body, at(signedAt, secretA), webhook.ErrMalformedSignature},
		{"an entry without =", good + ",junk", body, at(signedAt, secretA), webhook.ErrMalformedSignature},
		{"too many signatures", "t=" + ts + strings.Repeat(","+v1, 9), body, at(signedAt, secretA), webhook.ErrMalformedSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Verify(headerOf(tc.signature), tc.body)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Verify(%q) = %v, want %v", tc.signature, err, tc.want)
			}
		})
	}
}

// TestVerify_Now: Verify reads the real clock, so a fresh signature passes
// and one from an hour ago does not.
func TestVerify_Now(t *testing.T) {
	if err := webhook.Verify(headerOf(webhook.Sign(secretA, time.Now(), body)), body, secretA); err != nil {
		t.Errorf("Verify(fresh) = %v", err)
	}
	err := webhook.Verify(headerOf(webhook.Sign(secretA, time.Now().Add(-time.Hour), body)), body, secretA)
	if !errors.Is(err, webhook.ErrTimestamp) {
		t.Errorf("Verify(an hour old) = %v, want ErrTimestamp", err)
	}
}

// TestSign_Format: the header is "t=<unix>,v1=<64 hex digits>".
func TestSign_Format(t *testing.T) {
	got := webhook.Sign(secretA, signedAt, body)
	prefix := "t=" + strconv.FormatInt(signedAt.Unix(), 10) + ",v1="
	if !strings.HasPrefix(got, prefix) || len(got) != len(prefix)+64 || strings.Trim(got[len(prefix):], "0123456789abcdef") != "" {
		t.Errorf("Sign = %q, want %q and 64 lowercase hex digits", got, prefix)
	}
	if webhook.Sign(secretA, signedAt, body) != got {
		t.Error("Sign is not deterministic")
	}
}

func BenchmarkSignVerify(b *testing.B) {
	payload := []byte(`{"org":"acme","seq":7,"time":"2026-03-14T15:09:26.535897Z","actor":"01JQ5ZC8V1W3X4Y5Z6A7B8C9D0",` +
		`"action":"contact.update","target":"contact/01JQ5ZC8V1W3X4Y5Z6A7B8C9D1","request_id":"req-1",` +
		`"before":{"name":"Ann","email":"ann@acme.example"},"after":{"name":"Anna","email":"anna@acme.example"},` +
		`"salt":"00112233445566778899aabbccddeeff","data_digest":"` + strings.Repeat("d", 64) + `",` +
		`"prev":"` + strings.Repeat("p", 64) + `","hash":"` + strings.Repeat("h", 64) + `"}`)
	v := webhook.Verifier{Secrets: []string{secretA}}
	h := http.Header{}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		h.Set(webhook.SignatureHeader, webhook.Sign(secretA, time.Now(), payload))
		if err := v.Verify(h, payload); err != nil {
			b.Fatal(err)
		}
	}
}
