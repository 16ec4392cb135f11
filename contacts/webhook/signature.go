package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The request headers of a delivery.
const (
	// SignatureHeader carries the timestamp and the signatures:
	// "t=<unix seconds>,v1=<hex>", with one v1 entry per secret.
	SignatureHeader = "Liaison-Signature"
	// EventIDHeader carries the event's ID, its audit hash, for a receiver
	// to drop a repeated delivery.
	EventIDHeader = "Liaison-Event-Id"
	// AttemptHeader carries the attempt's number, from 1.
	AttemptHeader = "Liaison-Delivery-Attempt"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock, either way, when a [Verifier] sets none.
const DefaultTolerance = 5 * time.Minute

// The errors of [Verifier.Verify]. A receiver answers every one of them
// with a 4xx status, and processes nothing.
var (
	// ErrNoSignature: the request has no Liaison-Signature header.
	ErrNoSignature = errors.New("webhook: no " + SignatureHeader + " header")
	// ErrMalformedSignature: the header is not "t=<unix>,v1=<hex>…".
	ErrMalformedSignature = errors.New("webhook: malformed " + SignatureHeader + " header")
	// ErrTimestamp: the signed timestamp is outside the tolerance: an old
	// request replayed, or a clock far off.
	ErrTimestamp = errors.New("webhook: signature timestamp outside the tolerance")
	// ErrSignature: no signature matches the body with any secret: the
	// body was changed, or the secret is not the endpoint's.
	ErrSignature = errors.New("webhook: signature does not match")
)

// maxSignatures bounds the v1 entries a header may carry, so that a
// hostile header cannot make a receiver compute many MACs.
const maxSignatures = 8

// Sign returns the Liaison-Signature header value for body sent at time
// at, signed with secret: what the dispatcher sends, for a receiver's
// tests.
func Sign(secret string, at time.Time, body []byte) string {
	return signature([]string{secret}, at.Unix(), body)
}

// signature is the header value for body at unix time ts, with one v1
// entry per secret.
func signature(secrets []string, ts int64, body []byte) string {
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(strconv.FormatInt(ts, 10))
	for _, s := range secrets {
		b.WriteString(",v1=")
		b.WriteString(hex.EncodeToString(mac(s, ts, body)))
	}
	return b.String()
}

// mac is the HMAC-SHA256 of "<ts>.<body>" under secret.
func mac(secret string, ts int64, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(strconv.AppendInt(nil, ts, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// A Verifier checks the signature of deliveries to one endpoint.
type Verifier struct {
	// Secrets are the endpoint's secrets: a request signed with any of
	// them passes. Hold the new secret and the old one while rotating.
	Secrets []string
	// Tolerance is how far the signed timestamp may be from Now, either
	// way; 0 means [DefaultTolerance].
	Tolerance time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Verify checks the Liaison-Signature header of a delivery against its
// body, which must be the exact bytes received. It returns nil, or an error
// matching one of [ErrNoSignature], [ErrMalformedSignature],
// [ErrTimestamp] and [ErrSignature]. A receiver that also drops events
// whose body "hash" it has seen within the tolerance is safe from replays.
// Deduplicate on the body's "hash", which the signature covers, not on the
// Liaison-Event-Id header, which it does not: a replayed request may carry
// any header.
func (v Verifier) Verify(h http.Header, body []byte) error {
	value := h.Get(SignatureHeader)
	if value == "" {
		return ErrNoSignature
	}
	ts, sigs, err := parseSignature(value)
	if err != nil {
		return err
	}
	tolerance := v.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if d := now().Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed at %s, %s from now", ErrTimestamp, time.Unix(ts, 0).UTC().Format(time.RFC3339), d.Round(time.Second))
	}
	for _, secret := range v.Secrets {
		want := mac(secret, ts, body)
		for _, sig := range sigs {
			if hmac.Equal(sig, want) {
				return nil
			}
		}
	}
	return ErrSignature
}

// Verify checks a delivery signed with secret, with [DefaultTolerance]
// against time.Now: see [Verifier.Verify].
func Verify(h http.Header, body []byte, secret string) error {
	return Verifier{Secrets: []string{secret}}.Verify(h, body)
}

// parseSignature reads "t=<unix>,v1=<hex>…". Entries of other schemes are
// skipped, so that a later scheme can be added beside v1.
func parseSignature(value string) (ts int64, sigs [][]byte, err error) {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrMalformedSignature, why) }
	seenT := false
	for part := range strings.SplitSeq(value, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return 0, nil, bad("an entry without '='")
		}
		switch key {
		case "t":
			if seenT {
				return 0, nil, bad("two timestamps")
			}
			seenT = true
			ts, err = strconv.ParseInt(val, 10, 64)
			if err != nil || ts <= 0 || val[0] == '+' {
				return 0, nil, bad("the timestamp is not a positive decimal number of seconds")
			}
		case "v1":
			sig, err := hex.DecodeString(val)
			if err != nil || len(sig) != sha256.Size {
				return 0, nil, bad("a v1 signature is not 64 hexadecimal digits")
			}
			if len(sigs) == maxSignatures {
				return 0, nil, bad(fmt.Sprintf("more than %d v1 signatures", maxSignatures))
			}
			sigs = append(sigs, sig)
		}
	}
	switch {
	case !seenT:
		return 0, nil, bad("no timestamp (t=)")
	case len(sigs) == 0:
		return 0, nil, bad("no v1 signature")
	}
	return ts, sigs, nil
}
