// Package memstore is Liaison's embedded storage driver: a
// [github.com/liaisonhq/liaison/contacts.Store] on hashicorp/go-memdb, an
// in-memory database of immutable radix trees with multi-version
// concurrency control, with contacts and audit chains in structures of its
// own beside it (see Indexes). [New] returns an empty store in memory only, whose
// contents are lost when the process exits: for tests, demos and hosts that
// reload their contacts at start-up. [Open] returns one that is durable,
// with a data directory.
//
// Each Update is one memdb write transaction. memdb admits one writer at a
// time, so Updates are serializable, and a transaction's writes become
// visible all at once when it commits, or not at all. Each View reads one
// snapshot, taken when it begins, and never waits for a writer. An Update
// with many writes, such as an import, is the bulk-load path: a million
// contacts load in one in a few seconds.
//
// # The data directory
//
// With a data directory, every committed transaction is a record appended
// to a log, and Update returns only once the record is fsynced: a write
// whose Update returned survives a crash of the process or the machine.
// The state stays in memory, as without one; the files are only read at
// start-up.
//
// A record is the transaction's writes, each a whole item put or an item
// deleted, in JSON (the contacts types' own encoding), framed by its
// length and a CRC-32C checksum. Concurrent Updates share fsyncs (group
// commit): a transaction commits to memdb, where the next Update already
// builds on it, and queues its record; a flusher goroutine writes every
// record queued so far at once, fsyncs once for all of them, and starts
// on the next ones as soon as that fsync returns. Views see a write only
// once its record is durable, so no View shows what a crash could take
// back; an Update may read a write whose fsync is under way, and then
// returns no sooner than that write is durable. With eight writers, on a
// 2-core VM whose fsync takes 0.2 to 0.5 ms, the store acknowledges some
// 7,000 to 16,000 single-contact Updates a second, and the Service 5,500
// to 10,000 CreateContact calls, each a contact and its audit event
// (BenchmarkDurableWrites, BenchmarkDurableCreateContact). Holding the
// writer through each fsync would be simpler, but would cap the store at
// one Update per fsync: 3,300 to 4,300 a second on the same VM.
//
// Once the log passes a size ([WithCompactAt], 64 MiB by default), the
// store starts a new log and, in the background, writes the state to a
// snapshot: a temporary file, fsynced, then renamed into place, and the
// directory fsynced. Then the older logs and snapshots are removed.
// [Open] loads the newest snapshot and replays the logs after it. A crash
// can tear only the last record of the newest log, whose Update had not
// returned: Open drops it and cuts the log there. Any other damage (a bad
// record with valid data after it, a damaged snapshot, a missing log, a
// record out of sequence) stops Open with a [*CorruptError] naming the
// file and offset, and changes nothing on disk.
//
// If a write or fsync of the log fails, the Updates waiting on it return
// the error and the store takes no more writes: what memdb holds can no
// longer be trusted to match the log. Views go on showing the durable
// state. Reopening the directory recovers every acknowledged write.
//
// Limits:
//   - one process at a time may open a directory (it holds an flock on
//     its LOCK file, where the system has flock);
//   - strings must be valid UTF-8, which is all JSON holds exactly: Update
//     refuses a write holding another, rather than store it changed (the
//     Service refuses such input, but a host's request IDs and vendor names
//     reach the audit trail as they are);
//   - after a restart, an empty list reads back as nil, and a time as the
//     same instant in UTC or a fixed zone;
//   - one transaction's record holds at most 1 GiB of JSON;
//   - a snapshot rewrites the whole state, which slows writers while it
//     runs, and start-up decodes JSON at some 50 MB a second, so a large
//     state with a long audit trail takes a while to load.
//
// # Indexes
//
// Every key of an org's item starts with a short number the store gives
// the org, so an org's items are one contiguous, ID-ordered run of each
// index, and a lookup or a listing never walks another org's items:
//
//   - contacts by org and ID, by org and role, or org and group, then ID
//     (one entry per role held and per group belonged to), and by org and
//     directory key: not in memdb but in three copy-on-write B-trees, see
//     below;
//   - groups by org and ID; orgs by ID;
//   - slot holders records by org and slot key, so an org's records list
//     in slot-key order;
//   - consent records by org and record ID (unique), and by org, contact
//     and record ID, a contact's history in ID order;
//   - audit events are outside memdb: see the contact index below;
//   - webhook delivery cursors by org and endpoint ID;
//   - tokens by Hash alone, with no org number: a link's secret is all its
//     holder has, so a token is looked up across orgs.
//
// The keys are built by the store's own indexers rather than memdb's
// reflection-based stock ones, and their digits are kept narrow, since every
// write copies the radix nodes on its path. Values are pointers to deep
// copies that are never changed in place: writes store a copy of what they
// are given and reads return a copy of what is stored (RELIABILITY C6).
//
// Contacts, the one table of millions of items that takes most writes,
// are kept outside memdb, whose radix trees copy some twenty-five nodes,
// each with a watch channel, per index a write touches, and keep a leaf
// with two channels per entry. Their orders live in copy-on-write B-trees
// (github.com/google/btree): a write transaction works on lazy clones of
// the committed trees, and its commit publishes them with the rest of its
// state, so each View reads the trees of when it began. Orgs, point reads
// of contacts (by org and ID, and by org and
// [github.com/liaisonhq/liaison/contacts.EmailKey]) and each org's audit
// chain (its events in Seq order, which an append extends, sharing the
// older ones) go to the contact index: hash tables that keep versions, so
// that every View reads the state of when it began there too. A point read
// costs a few cache misses, and an audited write no radix work for its
// event. Versions no View can read any more are trimmed at a later commit.
// A stored contact, its strings and its index keys are one allocation, so
// a million contacts are a million objects for the garbage collector.
package memstore
