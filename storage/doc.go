// Package storage is the home of Liaison's storage drivers: the packages
// that implement [github.com/liaisonhq/liaison/contacts.Store], whose method
// comments are the contract a driver keeps. It holds no code of its own.
//
//   - [github.com/liaisonhq/liaison/storage/memstore] is the embedded
//     default on hashicorp/go-memdb: zero setup and fast. For now it keeps
//     everything in memory only, so its contents are lost when the process
//     exits; a durable data file comes later.
//   - [github.com/liaisonhq/liaison/storage/storagetest] is the conformance
//     suite every driver, in this module or outside it, calls from its own
//     tests with storagetest.Run(t, open).
//
// In short, a driver returns copies (mutating a value passed in or handed
// out never changes stored state), reports an absent item, or an item of
// another org, as an error matching contacts.ErrNotFound, and a stale
// version, a taken ID, email or token hash, or a token used already as one
// matching contacts.ErrConflict, runs
// each Update atomically and serializably, gives each View one consistent
// snapshot, and is safe for concurrent use. The contacts.Service wraps a
// driver's errors once, with the operation and the item.
package storage
