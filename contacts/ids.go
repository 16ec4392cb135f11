package contacts

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// crockford is Crockford's base32 alphabet: sortable, no I, L, O or U.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// idGen makes identifiers monotonic within the process: within one
// millisecond the random part counts up, so IDs made later sort later even
// when the clock has not moved (consent history is ordered by ID).
var idGen struct {
	sync.Mutex
	ms   uint64
	hi16 uint16 // the random part: 16 high bits...
	lo64 uint64 // ...and 64 low bits
}

// newID returns a 26-character identifier: 48 bits of milliseconds since
// the epoch, then 80 bits that are random for the first ID of a millisecond
// and count up from there, in Crockford base32 (the ULID layout). IDs sort
// by creation time, so listings ordered by ID are stable and cursor
// pagination never reorders earlier pages.
func newID(now time.Time) string {
	ms := uint64(now.UnixMilli())
	idGen.Lock()
	if ms > idGen.ms {
		var r [10]byte
		rand.Read(r[:])
		idGen.ms = ms
		idGen.hi16 = binary.BigEndian.Uint16(r[:2])
		idGen.lo64 = binary.BigEndian.Uint64(r[2:])
	} else {
		// Same millisecond, or a clock that stepped back: count up from
		// the last ID.
		idGen.lo64++
		if idGen.lo64 == 0 {
			idGen.hi16++
		}
	}
	hi := idGen.ms<<16 | uint64(idGen.hi16)
	lo := idGen.lo64
	idGen.Unlock()
	// 128 bits -> 26 chars of 5 bits, most significant first (the first
	// char carries only 3 bits).
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// validID reports whether s looks like an identifier this package or a
// host would hand out: 1 to 64 bytes of letters, digits, '-' and '_'.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
