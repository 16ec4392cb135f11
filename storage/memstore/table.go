package memstore

import "iter"

// A table is the hash table of one shard of a [shardedMap]: open
// addressing with linear probing, each slot holding its key's hash beside
// the key. Go's own maps hash a key again each time they grow, which
// for string keys means reading every key's bytes, scattered over the
// heap, several times as a map of a million keys grows; a table grows by
// the stored hashes alone. A lookup compares the stored hash first, so
// it reads a key's bytes only for the key it finds, and the one hash the
// [shardedMap] computes picks both the shard and the slot.
//
// Removal shifts the following slots back (no tombstones), so a table
// that shrinks probes as short as one that never held the removed keys.
type table[T any] struct {
	slots []slot[T] // len is 0 or a power of two
	n     int       // slots in use
}

type slot[T any] struct {
	hash uint64 // the key's hash with usedBit set; 0 when the slot is free
	k    ckey
	h    head[T]
}

// usedBit marks a slot in use. [shardedMap] picks shards by the top six
// bits of a hash and slots by the low ones, so bit 57 is free to mark.
const usedBit = 1 << 57

// maxLoad is the share of slots in use past which a table doubles, in
// eighths: at three quarters a lookup for a missing key, the common case
// when an address is checked before it is taken, probes some eight
// slots, all in a row.
const maxLoad = 6

// find returns the index of k's slot, or of the free slot that ends its
// probe, and whether k is there. t.slots is not empty.
func (t *table[T]) find(hash uint64, k ckey) (int, bool) {
	mask := uint64(len(t.slots) - 1)
	hash |= usedBit
	for i := hash & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch {
		case s.hash == 0:
			return int(i), false
		case s.hash == hash && s.k == k:
			return int(i), true
		}
	}
}

// get returns the head stored under k.
func (t *table[T]) get(hash uint64, k ckey) (head[T], bool) {
	if t.n == 0 {
		return head[T]{}, false
	}
	i, ok := t.find(hash, k)
	if !ok {
		return head[T]{}, false
	}
	return t.slots[i].h, true
}

// put stores h under k, replacing what k held.
func (t *table[T]) put(hash uint64, k ckey, h head[T]) {
	if (t.n+1)*8 > len(t.slots)*maxLoad {
		t.grow()
	}
	i, ok := t.find(hash, k)
	if !ok {
		t.slots[i] = slot[T]{hash: hash | usedBit, k: k}
		t.n++
	}
	t.slots[i].h = h
}

// grow doubles the slots, placing each key by its stored hash.
func (t *table[T]) grow() {
	old := t.slots
	t.slots = make([]slot[T], max(8, 2*len(old)))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.hash == 0 {
			continue
		}
		i := s.hash & mask
		for t.slots[i].hash != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// remove drops k, if it is there.
func (t *table[T]) remove(hash uint64, k ckey) {
	if t.n == 0 {
		return
	}
	i, ok := t.find(hash, k)
	if !ok {
		return
	}
	t.n--
	// Move back each following key whose probe passes through the hole,
	// until a free slot ends the run.
	mask := uint64(len(t.slots) - 1)
	hole := uint64(i)
	for j := (hole + 1) & mask; t.slots[j].hash != 0; j = (j + 1) & mask {
		home := t.slots[j].hash & mask
		// The key at j may fill the hole unless its home lies cyclically
		// after the hole and at or before j.
		if (j-home)&mask >= (j-hole)&mask {
			t.slots[hole] = t.slots[j]
			hole = j
		}
	}
	t.slots[hole] = slot[T]{}
}

// len returns how many keys t holds.
func (t *table[T]) len() int { return t.n }

// all yields every key of t with its head, in no order.
func (t *table[T]) all() iter.Seq2[ckey, head[T]] {
	return func(yield func(ckey, head[T]) bool) {
		for i := range t.slots {
			if s := &t.slots[i]; s.hash != 0 && !yield(s.k, s.h) {
				return
			}
		}
	}
}
