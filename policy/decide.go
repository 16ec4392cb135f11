package policy

// A Rule names the reason behind a [Decision]. Denials carry it to the
// caller, so an error can say which rule forbade an action.
type Rule string

// The rules [Decide] and the invariant checks report.
const (
	// RuleOtherOrg denies any action whose target lies in another org
	// than the subject's (or when the subject has no org).
	RuleOtherOrg Rule = "other-org"
	// RuleNoPermission denies an action none of the subject's roles allow.
	RuleNoPermission Rule = "no-permission"
	// RuleOutrank denies changing a contact the subject does not outrank;
	// owners are exempt.
	RuleOutrank Rule = "outrank"
	// RuleGrantCeiling denies granting or revoking a role ranked above the
	// subject's own rank.
	RuleGrantCeiling Rule = "grant-ceiling"
	// RuleOwnerOnly denies granting or revoking the owner role, or
	// transferring ownership, to anyone but an owner.
	RuleOwnerOnly Rule = "owner-only"
	// RuleSelfRaise denies a subject granting itself a role above its rank.
	RuleSelfRaise Rule = "self-raise"
	// RuleLastOwner denies a change that would leave the org without an
	// owner.
	RuleLastOwner Rule = "last-owner"
	// RuleSelf allows a contact to edit its own details and consent.
	RuleSelf Rule = "self"
	// RulePermission allows an action one of the subject's roles holds,
	// on a target the subject may act on.
	RulePermission Rule = "permission"
)

// A Decision is the answer to "may the subject do this": allowed or not, and
// the rule that decided.
type Decision struct {
	Allowed bool
	Rule    Rule
}

func allow(r Rule) Decision { return Decision{Allowed: true, Rule: r} }
func deny(r Rule) Decision  { return Decision{Rule: r} }

// A Subject is an actor with its roles already resolved, as [Policy.Subject]
// builds it.
type Subject struct {
	// Org is the org the actor belongs to.
	Org string
	// Contact is the actor's own contact ID.
	Contact string
	// Rank is the highest rank among the actor's roles; 0 for none.
	Rank int
	// Owner says whether the actor holds the owner (top) role.
	Owner bool
	// Perms is the union of the actor's roles' permissions.
	Perms PermSet
}

// A Target is what an action is aimed at: an org, and within it possibly a
// contact and a role being granted or revoked.
type Target struct {
	// Org is the org the target lives in.
	Org string
	// Contact is the target contact's ID, or empty when the action aims at
	// the org as a whole (closing the account, confirming a review).
	Contact string
	// Rank is the target contact's current rank; 0 for none.
	Rank int
	// Owner says whether the target contact holds the owner role.
	Owner bool
	// Role is the role being granted or revoked, for [GrantRole] and
	// [RevokeRole].
	Role RoleInfo
}

// RoleInfo is what a decision needs to know about one role.
type RoleInfo struct {
	Key   string
	Rank  int
	Owner bool
}

// Decide reports whether subject s may perform action a on target t, and
// which rule decided. It is a pure function of its arguments; the role
// invariants that need counts are [LastOwner] and [TooFewAdmins].
//
// The rules, in the order they are applied:
//   - the target must be in the subject's org (RuleOtherOrg);
//   - a contact may always edit its own details and consent (RuleSelf);
//   - nobody grants themselves a role above their rank (RuleSelfRaise);
//   - the subject's roles must allow the action (RuleNoPermission);
//   - only an owner grants or revokes the owner role or transfers
//     ownership (RuleOwnerOnly);
//   - a role ranked above the subject's rank is neither granted nor revoked
//     (RuleGrantCeiling);
//   - another contact is changed only by an owner or by a subject that
//     outranks it (RuleOutrank).
func Decide(s Subject, a Action, t Target) Decision {
	if s.Org == "" || s.Org != t.Org {
		return deny(RuleOtherOrg)
	}
	self := t.Contact != "" && t.Contact == s.Contact
	if self && (a == EditContact || a == ManageConsent) {
		return allow(RuleSelf)
	}
	grant := a == GrantRole || a == RevokeRole
	if self && a == GrantRole && t.Role.Rank > s.Rank {
		return deny(RuleSelfRaise)
	}
	if !s.Perms.Has(a) {
		return deny(RuleNoPermission)
	}
	if !s.Owner && (a == TransferOwnership || grant && t.Role.Owner) {
		return deny(RuleOwnerOnly)
	}
	if grant && t.Role.Rank > s.Rank {
		return deny(RuleGrantCeiling)
	}
	if t.Contact != "" && !self && !s.Owner && t.Rank >= s.Rank {
		return deny(RuleOutrank)
	}
	return allow(RulePermission)
}

// LastOwner decides whether a change that leaves ownersAfter owners in an org
// may commit: an org always keeps at least one owner.
func LastOwner(ownersAfter int) Decision {
	if ownersAfter < 1 {
		return deny(RuleLastOwner)
	}
	return allow(RulePermission)
}

// MinAdmins is how many contacts should hold admin rights (admins plus
// owners); fewer is a completeness warning, not an error.
const MinAdmins = 2

// TooFewAdmins reports whether an org with n admins and owners should be
// warned that it has fewer than [MinAdmins].
func TooFewAdmins(n int) bool { return n < MinAdmins }
