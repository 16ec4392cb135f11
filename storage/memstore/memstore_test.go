package memstore_test

import (
	"testing"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/storage/storagetest"
)

func TestStore(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) contacts.Store { return memstore.New() })
}
