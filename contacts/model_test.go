package contacts_test

import (
	"testing"

	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/storage/storagetest"
)

// TestService_stateMachine runs the model-based test of the Service
// (storagetest.RunModel) over the embedded store.
func TestService_stateMachine(t *testing.T) {
	storagetest.RunModel(t, memstore.New())
}
