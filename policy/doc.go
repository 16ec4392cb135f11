// Package policy holds Liaison's pure rules: the ranked role hierarchy and its
// permissions, the points-of-contact slots, the consent purposes, the review
// interval and the change mode, all described by one [Config].
//
// Nothing here does I/O. The contacts service resolves who is acting and who
// is the target, then asks [Decide]; a [Decision] says whether the action is
// allowed and names the [Rule] that decided. The role invariants that need a
// count of the org's holders (the last owner, the two-admin warning) are
// plain functions over counts, so the service can evaluate them inside the
// same transaction as the write they guard.
//
// The package imports only the standard library.
package policy
