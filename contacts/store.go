package contacts

import (
	"context"
	"time"
)

// Store is what a storage driver implements. The [Service] is its caller,
// and the webhook dispatcher (package contacts/webhook), which reads the
// audit trail and keeps its [WebhookCursor]s; storage/storagetest checks a
// driver against this contract.
//
// A driver must:
//   - return copies: mutating a value passed in or handed out never changes
//     stored state (RELIABILITY C6);
//   - report an absent item as an error matching [ErrNotFound], a broken
//     uniqueness or version rule as one matching [ErrConflict], and any other
//     failure as an error of its own;
//   - keep orgs apart: a method given an org never sees another org's items,
//     and IDs are unique per org, not across orgs;
//   - order "by ID" by the IDs' bytes (no collation);
//   - refuse a page limit below 0 or above [MaxPageSize] with an error, and
//     read a limit of 0 as [DefaultPageSize];
//   - leave a transaction usable after a write it refused: the refused write
//     changes nothing, and the caller decides whether to go on;
//   - return an error matching ctx.Err() from View and Update when ctx is
//     done before the transaction starts, having written nothing;
//   - be safe for concurrent use (fn must not itself call Update on the
//     same store: it would wait for itself).
type Store interface {
	// View runs fn in a read-only transaction over one consistent
	// snapshot: fn sees every write committed before View began and none
	// committed after.
	View(ctx context.Context, fn func(ReadTx) error) error
	// Update runs fn in a read-write transaction. When fn returns nil every
	// write it made commits atomically, and Update returns only once the
	// commit is acknowledged (durable, for a durable driver); when fn
	// returns an error nothing it wrote is kept and Update returns that
	// error unchanged. Reads inside fn, listings included, see fn's own
	// earlier writes.
	// Concurrent Updates are serializable. A driver may
	// run fn more than once (retrying a serialization failure), so fn must
	// have no effects outside tx.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the driver's resources.
	Close() error
}

// ReadTx reads within one transaction.
type ReadTx interface {
	// Org returns the org with the given ID.
	Org(id string) (Org, error)
	// Orgs lists orgs ordered by ID, after page.After, at most page.Limit.
	Orgs(page Page) ([]Org, error)

	// Contact returns the contact with the given ID in org.
	Contact(org, id string) (Contact, error)
	// ContactByEmail returns the contact in org whose [EmailKey] is key.
	ContactByEmail(org, key string) (Contact, error)
	// Contacts lists org's contacts ordered by ID, after page.After, at
	// most page.Limit.
	Contacts(org string, page Page) ([]Contact, error)
	// ContactsWithRole returns every contact in org holding role, ordered
	// by ID.
	ContactsWithRole(org, role string) ([]Contact, error)
	// GroupMembers returns every contact in org whose Groups include group,
	// ordered by ID.
	GroupMembers(org, group string) ([]Contact, error)

	// ScanContacts calls fn with every contact of org in ID order, and
	// stops at fn's first error, which it returns. fn receives a shallow
	// copy: it must not write through the copy's slices (Roles, Groups,
	// Consent) nor keep them. This is the allocation-free path for reads
	// over a whole org.
	ScanContacts(org string, fn func(Contact) error) error
	// SearchContacts returns org's contacts that q matches (see
	// [ContactSearch.Matches]) and whose [DirectoryKey] sorts after
	// q.After (bytes), in DirectoryKey order, at most q.Limit (a page
	// limit, as for [Page]).
	SearchContacts(org string, q ContactSearch) ([]Contact, error)
	// ScanGroupMembers is ScanContacts over the members of group.
	ScanGroupMembers(org, group string, fn func(Contact) error) error

	// Group returns the group with the given ID in org.
	Group(org, id string) (Group, error)
	// Groups lists org's groups ordered by ID, after page.After, at most
	// page.Limit.
	Groups(org string, page Page) ([]Group, error)

	// SlotHolders returns the holders record of slot in org; a slot never
	// assigned in org is not found.
	SlotHolders(org, slot string) (SlotHolders, error)
	// OrgSlots returns every slot holders record of org, ordered by slot
	// key (bytes).
	OrgSlots(org string) ([]SlotHolders, error)

	// ConsentHistory returns the consent records of contact in org,
	// ordered by ID (which is time order); none is an empty (or nil) list.
	ConsentHistory(org, contact string) ([]ConsentRecord, error)

	// Token returns the token whose Hash is hash, in any org (a link's
	// secret is all its holder has).
	Token(hash string) (Token, error)

	// ChangeSet returns the change set with the given ID in org.
	ChangeSet(org, id string) (ChangeSet, error)
	// ChangeSets lists org's change sets ordered by ID, after page.After,
	// at most page.Limit.
	ChangeSets(org string, page Page) ([]ChangeSet, error)

	// Invitation returns the invitation with the given ID in org.
	Invitation(org, id string) (Invitation, error)
	// Invitations lists org's invitations ordered by ID, after page.After,
	// at most page.Limit.
	Invitations(org string, page Page) ([]Invitation, error)

	// AuditHead returns the last audit event's sequence number and hash in
	// org, or the zero AuditHead when org has no events.
	AuditHead(org string) (AuditHead, error)
	// AuditEvents lists org's audit events with Seq > after, in Seq order,
	// at most limit (a page limit, as for [Page]).
	AuditEvents(org string, after uint64, limit int) ([]AuditEvent, error)

	// WebhookCursor returns the delivery cursor of endpoint in org; none
	// stored is not found.
	WebhookCursor(org, endpoint string) (WebhookCursor, error)
	// WebhookCursors returns every delivery cursor of org, ordered by
	// Endpoint (bytes); none is an empty (or nil) list.
	WebhookCursors(org string) ([]WebhookCursor, error)
}

// Tx reads and writes within one transaction.
type Tx interface {
	ReadTx

	// InsertOrg stores a new org; an org with the same ID is a conflict.
	InsertOrg(o Org) error
	// UpdateOrg replaces the org whose stored Version is prev with o;
	// another stored version is a conflict, no org is not found.
	UpdateOrg(o Org, prev int64) error
	// DeleteOrg removes the org whose stored Version is prev and every
	// record stored under it: contacts (their roles and memberships),
	// groups, slot holders records, consent records, tokens, change sets,
	// invitations, audit events and webhook cursors. Another stored
	// version is a conflict, and so is an org that is not closed (a
	// second guard behind the Service's); no org is not found. It is the
	// one way consent records and audit events are ever removed: erasing
	// a whole org. Whether other orgs name it as parent is the Service's
	// rule, not the store's.
	DeleteOrg(id string, prev int64) error

	// InsertContact stores a new contact. A contact with the same ID in
	// the org, or with the same EmailKey in the org, is a conflict.
	InsertContact(c Contact) error
	// UpdateContact replaces the contact whose stored Version is prev with
	// c. Another stored version, or c's EmailKey held by another contact of
	// the org, is a conflict; no such contact is not found.
	UpdateContact(c Contact, prev int64) error
	// DeleteContact removes the contact whose stored Version is prev.
	DeleteContact(org, id string, prev int64) error

	// InsertGroup stores a new group; the same ID in the org is a conflict.
	InsertGroup(g Group) error
	// UpdateGroup replaces the group whose stored Version is prev with g;
	// another stored version is a conflict, no such group is not found.
	UpdateGroup(g Group, prev int64) error
	// DeleteGroup removes the group whose stored Version is prev, like
	// UpdateGroup. The caller removes its members first.
	DeleteGroup(org, id string, prev int64) error

	// PutSlotHolders stores s as the holders record of s.Org's slot
	// s.Slot. With prev 0 no record may exist yet (one that does is a
	// conflict); otherwise the stored Version must be prev (another is a
	// conflict, no record is not found).
	PutSlotHolders(s SlotHolders, prev int64) error

	// AppendConsent appends a consent record; an ID already used in the
	// org is a conflict. Records are never changed or removed through a Tx.
	AppendConsent(r ConsentRecord) error

	// InsertToken stores a new token; a Hash already stored is a conflict.
	InsertToken(t Token) error
	// UseToken marks the token whose Hash is hash as used at time at, which
	// must not be zero. A token already used is a conflict; no such token is
	// not found.
	UseToken(hash string, at time.Time) error

	// InsertChangeSet stores a new change set; the same ID in the org is a
	// conflict.
	InsertChangeSet(cs ChangeSet) error
	// UpdateChangeSet replaces the change set whose stored Version is prev
	// with cs; another stored version is a conflict, none is not found.
	UpdateChangeSet(cs ChangeSet, prev int64) error

	// InsertInvitation stores a new invitation; the same ID in the org is a
	// conflict.
	InsertInvitation(inv Invitation) error
	// UpdateInvitation replaces the invitation whose stored Version is prev
	// with inv; another stored version is a conflict, none is not found.
	UpdateInvitation(inv Invitation, prev int64) error

	// AppendAudit appends e to e.Org's audit chain. Unless e.Seq is the
	// stored head's Seq plus one and e.Prev the head's Hash, it is a
	// conflict. Events are never changed, and removed only with their org
	// ([Tx.DeleteOrg]).
	AppendAudit(e AuditEvent) error

	// PutWebhookCursor stores c as the delivery cursor of c.Endpoint in
	// c.Org. With prev 0 no cursor may exist yet (one that does is a
	// conflict); otherwise the stored Version must be prev (another is a
	// conflict, no cursor is not found). An empty Org or Endpoint is
	// refused. The org need not exist, as for slot holders records; the
	// store keeps every field as given, and checks nothing of Delivered
	// against the audit trail: the dispatcher owns that rule.
	PutWebhookCursor(c WebhookCursor, prev int64) error
}
