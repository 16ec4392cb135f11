package postgres

import (
	"testing"

	"github.com/liaisonhq/liaison/storage/storagetest"
)

// TestModel runs the Service's model-based test over PostgreSQL: the same
// state machine the embedded store passes (RELIABILITY F2).
func TestModel(t *testing.T) {
	testDSN(t)
	s, _ := openStore(t)
	storagetest.RunModel(t, s)
}
