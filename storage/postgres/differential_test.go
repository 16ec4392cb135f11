package postgres

import (
	"testing"

	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/storage/storagetest"
)

// TestDifferential runs the same random operations on the embedded store
// and on PostgreSQL in lockstep and compares every result and, after every
// step, everything observable (RELIABILITY F2), with addresses that differ
// only in case or Unicode form among the inputs.
func TestDifferential(t *testing.T) {
	testDSN(t)
	s, _ := openStore(t)
	mem := memstore.New()
	defer mem.Close()
	storagetest.RunDifferential(t, mem, s)
}
