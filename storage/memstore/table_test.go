package memstore

import (
	"maps"
	"testing"

	"pgregory.net/rapid"
)

// TestTable runs random puts and removes against a table and a Go map,
// and checks after each step that every key reads the same and that the
// table holds exactly the map's keys. Hashes come from a small range, so
// keys collide and probe runs wrap around the end of the slots, which is
// where removal's shifting back can go wrong.
func TestTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var tab table[int]
		model := map[ckey]head[int]{}
		hashes := map[ckey]uint64{}
		key := rapid.Custom(func(t *rapid.T) ckey {
			return ckey{num: rapid.Uint32Range(0, 3).Draw(t, "num"), s: rapid.StringMatching(`[a-c]{0,3}`).Draw(t, "s")}
		})
		hashOf := func(t *rapid.T, k ckey) uint64 {
			if h, ok := hashes[k]; ok {
				return h
			}
			h := rapid.Uint64Range(0, 40).Draw(t, "hash")
			hashes[k] = h
			return h
		}
		for step := range rapid.IntRange(1, 200).Draw(t, "steps") {
			k := key.Draw(t, "key")
			h := hashOf(t, k)
			if rapid.IntRange(0, 2).Draw(t, "op") == 0 {
				tab.remove(h, k)
				delete(model, k)
			} else {
				v := head[int]{gen: uint64(step)}
				tab.put(h, k, v)
				model[k] = v
			}
			for k, h := range hashes {
				got, ok := tab.get(h, k)
				want, wantOK := model[k]
				if ok != wantOK || got != want {
					t.Fatalf("after step %d, key %v reads %v, %v; want %v, %v", step, k, got, ok, want, wantOK)
				}
			}
			if all := maps.Collect(tab.all()); tab.len() != len(model) || !maps.Equal(all, model) {
				t.Fatalf("after step %d the table holds %v (len %d), want %v", step, all, tab.len(), model)
			}
		}
	})
}
