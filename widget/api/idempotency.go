package api

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// An IdempotencyStore remembers the Idempotency-Keys of creates and the
// responses they produced (RELIABILITY C2). Keys arrive already scoped to
// the actor and org, and hashed. The handler uses it in three steps:
// [IdempotencyStore.Reserve] before the create runs, then
// [IdempotencyStore.Complete] with a successful response, or
// [IdempotencyStore.Release] when the create failed and changed nothing.
// Implementations must be safe for concurrent use; [NewMemoryIdempotencyStore]
// is the default, and a durable one (in the host's database) lets replays
// survive a restart and span replicas.
type IdempotencyStore interface {
	// Reserve atomically claims key for a request described by e. When no
	// entry for key is live (none, or one whose Expires is not after now)
	// it stores e, which has no Response yet, and returns e and true.
	// Otherwise it returns the live entry and false, storing nothing.
	Reserve(ctx context.Context, key string, e IdempotencyEntry, now time.Time) (IdempotencyEntry, bool, error)
	// Complete stores the response of the request that reserved key; the
	// entry keeps its fingerprint and expiry.
	Complete(ctx context.Context, key string, r StoredResponse) error
	// Release forgets the reservation of key, so a retry runs anew.
	Release(ctx context.Context, key string) error
}

// IdempotencyEntry is what an [IdempotencyStore] keeps for one key.
type IdempotencyEntry struct {
	// Fingerprint identifies the request (operation, path and body): a
	// key reused for another request is refused.
	Fingerprint string
	// Expires is when the key may be used afresh.
	Expires time.Time
	// Response is the first request's response, or nil while that
	// request is in flight.
	Response *StoredResponse
}

// StoredResponse is a response kept for replay.
type StoredResponse struct {
	Status int
	// Header holds the headers a replay repeats: Content-Type, Location
	// and ETag.
	Header http.Header
	Body   []byte
}

// NewMemoryIdempotencyStore returns an [IdempotencyStore] in memory: keys
// are lost on restart and not shared between processes. Expired entries
// are dropped as new keys arrive.
func NewMemoryIdempotencyStore() IdempotencyStore {
	return &memoryIdempotency{entries: map[string]IdempotencyEntry{}}
}

type memoryIdempotency struct {
	mu      sync.Mutex
	entries map[string]IdempotencyEntry
	// sweepAt is the size at which the next Reserve drops expired
	// entries: sweeping each time the map doubles keeps Reserve O(1)
	// amortized.
	sweepAt int
}

func (m *memoryIdempotency) Reserve(_ context.Context, key string, e IdempotencyEntry, now time.Time) (IdempotencyEntry, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.entries[key]; ok && old.Expires.After(now) {
		return old, false, nil
	}
	if len(m.entries) >= m.sweepAt {
		for k, old := range m.entries {
			if !old.Expires.After(now) {
				delete(m.entries, k)
			}
		}
		m.sweepAt = max(1024, 2*len(m.entries))
	}
	e.Response = nil
	m.entries[key] = e
	return e, true, nil
}

func (m *memoryIdempotency) Complete(_ context.Context, key string, r StoredResponse) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entries[key]; ok {
		r.Header = r.Header.Clone()
		r.Body = append([]byte(nil), r.Body...)
		e.Response = &r
		m.entries[key] = e
	}
	return nil
}

func (m *memoryIdempotency) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entries[key]; ok && e.Response == nil {
		delete(m.entries, key)
	}
	return nil
}

// hashParts hashes parts, each length-prefixed so no two lists collide.
func hashParts(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(p))))
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// validIdempotencyKey reads the Idempotency-Key header's value: a
// structured-field string ("...") as the IETF draft writes it, or the bare
// token many clients send; 1 to 255 visible ASCII characters.
func validIdempotencyKey(v string) (string, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if len(v) == 0 || len(v) > 255 {
		return "", false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e || v[i] == '"' || v[i] == '\\' {
			return "", false
		}
	}
	return v, true
}
