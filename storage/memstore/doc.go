// Package memstore is Liaison's embedded storage driver: a
// [github.com/liaisonhq/liaison/contacts.Store] on hashicorp/go-memdb, an
// in-memory database of immutable radix trees with multi-version
// concurrency control. It needs no setup: [New] returns an empty store.
//
// Each Update is one memdb write transaction. memdb admits one writer at a
// time, so Updates are serializable, and a transaction's writes become
// visible all at once when it commits, or not at all. Each View reads one
// snapshot, taken when it begins, and never waits for a writer. An Update
// with many writes, such as an import, is the bulk-load path: a million
// contacts load in one in a few seconds.
//
// The store is not durable yet: everything is lost when the process exits,
// including the audit trail and consent history. A data file (an append-only
// log with fsync, compacted into snapshots) is planned; until then, use it
// for tests, demos and hosts that reload their contacts at start-up.
//
// # Indexes
//
// Every key of an org's item starts with a short number the store gives
// the org, so an org's items are one contiguous, ID-ordered run of each
// index, and a lookup or a listing never walks another org's items:
//
//   - contacts by org and ID (the primary index); by org and
//     [github.com/liaisonhq/liaison/contacts.EmailKey], behind a few bytes of
//     its hash, which keep the tree shallow (unique); and by org and role,
//     or org and group, then ID, one entry per role held and per group
//     belonged to (contacts with neither have no entry);
//   - groups by org and ID; orgs by ID;
//   - slot holders records by org and slot key, so an org's records list
//     in slot-key order;
//   - consent records by org and record ID (unique), and by org, contact
//     and record ID, a contact's history in ID order;
//   - audit events by org and sequence number, in an order-preserving
//     encoding, so the last key of an org's run is the head of its chain;
//   - tokens by Hash alone, with no org number: a link's secret is all its
//     holder has, so a token is looked up across orgs.
//
// The keys are built by the store's own indexers rather than memdb's
// reflection-based stock ones, and their digits are kept narrow, since every
// write copies the radix nodes on its path. Values are pointers to deep
// copies that are never changed in place: writes store a copy of what they
// are given and reads return a copy of what is stored (RELIABILITY C6).
//
// At a million contacts in a thousand orgs, a contact costs about 1.5 KiB of
// heap, most of it memdb's: every index entry is a radix leaf with two
// watch channels.
package memstore
