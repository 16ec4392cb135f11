// Package storagetest is the conformance suite every storage driver passes:
// it checks an implementation of
// [github.com/liaisonhq/liaison/contacts.Store] against the contract written
// in that interface's method comments (RELIABILITY F1), in the manner of
// testing/fstest and gocloud's drivertest.
//
// A driver calls [Run] from its own tests, with a function that opens a
// fresh, empty store:
//
//	func TestStore(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) contacts.Store { return mydriver.New() })
//	}
//
// The suite covers, in subtests named by area: create, read, update and
// delete of orgs, contacts and groups; not-found errors, also for items of
// another org (tenant isolation); optimistic concurrency and uniqueness
// conflicts (RELIABILITY C1); atomic, all-or-nothing Updates (C4); snapshot
// isolation of View; copy semantics (C6); ordering and cursor pagination;
// the role and group indexes; the audit chain; slot holders records, consent
// histories, single-use tokens, change sets, invitations and webhook
// delivery cursors (versions and uniqueness, ordering and pages,
// isolation, copies down to a change set's nested edits, reading one's own
// writes, rollback, snapshots, and one
// winner among concurrent uses of a token or updates of a change set or
// invitation); and concurrent Updates, which it runs from several
// goroutines, so run it with -race.
//
// Where the method comments leave a point open, the suite holds drivers to
// the reading the Service relies on:
//   - IDs are unique within an org, not across orgs (refusing an ID that
//     another org uses would reveal that org's item), and compare as bytes:
//     "ordered by ID" is Go's string order, whatever a database's collation;
//   - a write that fails changes nothing and leaves the transaction usable,
//     and a transaction reads its own writes, listings included;
//   - a Page limit above MaxPageSize is an error;
//   - PutSlotHolders naming a prev above 0 for a record that does not exist
//     in the org is not found, as UpdateContact is (the Service never makes
//     that call: it reads a missing record as version 0);
//   - View and Update return an error matching ctx's when ctx is done before
//     they start, having written nothing.
//
// The suite stores exactly what it builds: it sets Version itself (1 on
// insert, then whatever it likes), since bumping versions is the caller's
// job and a driver only compares the version it is given with the stored
// one. It writes each org before the org's contacts, groups, audit events,
// slot holders records, change sets and invitations, and each contact
// before its consent records and tokens, so a driver that enforces such
// references passes too (a slot's holders, a change set's edits and an
// invitation may name contacts, groups and tokens that do not exist). Its
// change set and invitation fixtures set every field of their types (a
// test of the package checks that), so a driver that drops one fails. Times are UTC with whole
// microseconds, and JSON values are compact objects, so a driver that
// rounds timestamps to microseconds or stores JSON in a normalising column
// type compares equal.
//
// Beyond the store-level suite, [RunModel] drives the contacts Service over a
// driver with a rapid state machine checked against an independent model,
// and [RunDifferential] runs the same operations on two drivers in lockstep
// and compares every outcome and the whole observable state after each step,
// so a driver whose collation or normalisation drifts from another's fails.
package storagetest
