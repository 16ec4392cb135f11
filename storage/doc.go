// Package storage is the home of Liaison's storage drivers: the packages
// that implement [github.com/liaisonhq/liaison/contacts.Store], whose method
// comments are the contract a driver keeps. [Open] picks one from a URL, so
// that a host or the CLI configures storage with one string:
//
//   - mem:// is [github.com/liaisonhq/liaison/storage/memstore] in memory
//     only: zero setup and fast, and its contents are lost when the process
//     exits;
//   - file:///var/lib/liaison is memstore with that data directory: an
//     append-only log fsynced before each Update returns, compacted into
//     snapshots, so acknowledged writes survive a crash;
//   - postgres://… is [github.com/liaisonhq/liaison/storage/postgres], for
//     hosts that run several portal replicas on one database.
//
// [github.com/liaisonhq/liaison/storage/storagetest] is the conformance
// suite every driver, in this module or outside it, calls from its own
// tests with storagetest.Run(t, open).
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
