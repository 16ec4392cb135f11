package memstore_test

import (
	"testing"

	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/storage/storagetest"
)

// TestModel_DataDir runs the Service's model-based test over the durable
// store, with its log and group commit in the path of every write.
func TestModel_DataDir(t *testing.T) {
	s, err := memstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storagetest.RunModel(t, s)
}
