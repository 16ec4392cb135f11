package contacts

import (
	"testing"
	"time"
)

// TestAuditHashes_pinned pins the hash formats: a stored chain must verify
// after any change to how the hashes are computed.
func TestAuditHashes_pinned(t *testing.T) {
	e := AuditEvent{Org: "acme", Seq: 42, Time: time.Date(2026, 11, 23, 9, 10, 11, 123456789, time.FixedZone("x", 3600)),
		Actor: "contact:c1", Action: "contact.update", Target: "contact/c2", RequestID: "req-1",
		Salt: "00ff", Prev: "abc"}
	e.DataDigest = dataDigest(e.Salt, []byte(`{"name":"Ann"}`), []byte(`{"name":"Anna"}`))
	for _, c := range []struct{ what, got, want string }{
		{"data digest", e.DataDigest, "6f23e1c52fa9e2d776393d273e803226b3162013af1bb643f191b8a9b4390a90"},
		{"event hash", hashEvent(e), "f13a2b116166bc23c257157a1b0668cd14965488a0dc94f50ec1f4f26a24171c"},
		{"digest of no data", dataDigest("", nil, nil), "9d908ecfb6b256def8b49a7c504e6c889c4b0e41fe6ce3e01863dd7b61a20aa0"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.what, c.got, c.want)
		}
	}
}
