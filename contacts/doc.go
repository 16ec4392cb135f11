// Package contacts is Liaison's domain: orgs, their contacts and groups,
// roles, and the tamper-evident audit trail, behind the [Service] every
// caller uses — the HTTP API, the widget, the CLI and the host's own code.
//
// Every rule is enforced in the Service, inside the same store transaction
// as the write it guards: an actor reads and changes only its own org, acts
// only where the [policy] allows, names the version it read on every update,
// and can never leave an org without an owner. Errors are typed: test them
// with errors.Is against [ErrNotFound], [ErrConflict], [ErrForbidden] and
// [ErrInvalid], or with errors.As against [*ForbiddenError] (which names the
// policy rule) and [*InvalidError] (which names the fields).
//
// Storage is pluggable through the [Store] interface, whose method comments
// are the contract a driver must keep; storage/storagetest checks a driver
// against it, and storage/memstore is the embedded default.
package contacts
