package policy

import (
	"fmt"
	"math/bits"
	"strings"
)

// An Action is something an actor may do to a target inside an org. The set
// of actions is fixed by the library, because only actions the library knows
// are ever checked; a configuration decides which roles hold each one.
type Action uint8

// The actions, named in configs by the string of [Action.String].
const (
	// ViewContacts reads the org's contacts, groups and directory.
	ViewContacts Action = iota + 1
	// OpenSupport opens a support matter on behalf of the org.
	OpenSupport
	// DiscussAccount talks with the vendor about the account.
	DiscussAccount
	// ManageBilling handles billing matters.
	ManageBilling
	// EditContact adds, edits or deletes another contact.
	EditContact
	// GrantRole grants a role to a contact.
	GrantRole
	// RevokeRole revokes a role from a contact.
	RevokeRole
	// ManageSlots assigns and unassigns slot holders.
	ManageSlots
	// ManageConsent grants or withdraws consent on another contact's behalf.
	ManageConsent
	// ManageGroups creates, edits and deletes groups and their members.
	ManageGroups
	// SendInvitations invites people into the org.
	SendInvitations
	// SubmitChanges builds and sends change sets.
	SubmitChanges
	// ConfirmReview confirms that the org's contacts are current.
	ConfirmReview
	// ViewAudit reads and exports the org's audit trail.
	ViewAudit
	// TransferOwnership hands ownership to another contact.
	TransferOwnership
	// CloseAccount closes the org's account.
	CloseAccount

	maxAction = CloseAccount
)

var actionNames = [...]string{
	ViewContacts:      "contacts.view",
	OpenSupport:       "support.open",
	DiscussAccount:    "account.discuss",
	ManageBilling:     "billing.manage",
	EditContact:       "contacts.edit",
	GrantRole:         "roles.grant",
	RevokeRole:        "roles.revoke",
	ManageSlots:       "slots.manage",
	ManageConsent:     "consent.manage",
	ManageGroups:      "groups.manage",
	SendInvitations:   "invitations.send",
	SubmitChanges:     "changes.submit",
	ConfirmReview:     "review.confirm",
	ViewAudit:         "audit.view",
	TransferOwnership: "ownership.transfer",
	CloseAccount:      "account.close",
}

// Actions returns every action in declaration order.
func Actions() []Action {
	all := make([]Action, 0, maxAction)
	for a := Action(1); a <= maxAction; a++ {
		all = append(all, a)
	}
	return all
}

// String returns the action's config name, such as "contacts.edit".
func (a Action) String() string {
	if a == 0 || a > maxAction {
		return fmt.Sprintf("action(%d)", uint8(a))
	}
	return actionNames[a]
}

// ParseAction returns the action named s, as in a config's permission list.
func ParseAction(s string) (Action, error) {
	for a := Action(1); a <= maxAction; a++ {
		if actionNames[a] == s {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown action %q (known: %s)", s, strings.Join(actionNames[1:], ", "))
}

// MarshalText encodes the action as its config name.
func (a Action) MarshalText() ([]byte, error) {
	if a == 0 || a > maxAction {
		return nil, fmt.Errorf("policy: cannot marshal %s", a)
	}
	return []byte(actionNames[a]), nil
}

// UnmarshalText decodes a config name into the action.
func (a *Action) UnmarshalText(b []byte) error {
	v, err := ParseAction(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// A PermSet is a set of actions, one bit each, so checking a permission costs
// one AND.
type PermSet uint64

// PermsOf returns the set holding the given actions.
func PermsOf(actions ...Action) PermSet {
	var p PermSet
	for _, a := range actions {
		p = p.With(a)
	}
	return p
}

// Has reports whether a is in the set.
func (p PermSet) Has(a Action) bool { return p&(1<<a) != 0 }

// With returns the set plus a.
func (p PermSet) With(a Action) PermSet { return p | 1<<a }

// Len returns how many actions the set holds.
func (p PermSet) Len() int { return bits.OnesCount64(uint64(p)) }

// Actions lists the set's actions in declaration order.
func (p PermSet) Actions() []Action {
	var out []Action
	for a := Action(1); a <= maxAction; a++ {
		if p.Has(a) {
			out = append(out, a)
		}
	}
	return out
}
