package contacts

import (
	"context"
	"slices"

	"github.com/liaisonhq/liaison/policy"
)

// NewGroup is the input for creating a group.
type NewGroup struct {
	Name string    `json:"name"`
	Kind GroupKind `json:"kind"`
}

// GroupPatch changes some fields of a group; nil is left as it is.
type GroupPatch struct {
	Name *string    `json:"name,omitempty"`
	Kind *GroupKind `json:"kind,omitempty"`
}

func checkGroupKind(v *invalid, k GroupKind) {
	if k != Team && k != ClientGroup {
		v.add("/kind", "must be %q or %q", Team, ClientGroup)
	}
}

// CreateGroup creates a team or client group in org; the actor needs
// groups.manage.
func (s *Service) CreateGroup(ctx context.Context, actor Actor, org string, n NewGroup) (Group, error) {
	var out Group
	err := s.update(ctx, "CreateGroup", "group", actor, org, func(t *txn) error {
		if err := t.authorize(policy.ManageGroups, policy.Target{Org: org}); err != nil {
			return err
		}
		var v invalid
		g := Group{Org: org, ID: newID(t.now), Name: checkText(&v, "/name", n.Name, true, maxNameLen), Kind: n.Kind,
			Version: 1, Created: t.now, Updated: t.now}
		checkGroupKind(&v, n.Kind)
		if err := v.err(); err != nil {
			return err
		}
		if err := t.w.InsertGroup(g); err != nil {
			return err
		}
		out = g
		return t.audit("group.create", "group/"+g.ID, nil, g)
	})
	return out, err
}

// Group returns a group of org.
func (s *Service) Group(ctx context.Context, actor Actor, org, id string) (Group, error) {
	var out Group
	err := s.view(ctx, "Group", "group "+id, actor, org, func(t *txn) error {
		if err := t.canView(""); err != nil {
			return err
		}
		g, err := t.tx.Group(org, id)
		out = g
		return err
	})
	return out, err
}

// Groups lists org's groups in ID order, one page at a time.
func (s *Service) Groups(ctx context.Context, actor Actor, org string, page Page) (list []Group, next string, err error) {
	if page, err = checkPage(page); err != nil {
		return nil, "", &Error{Op: "Groups", Item: "org " + org, Err: err}
	}
	err = s.view(ctx, "Groups", "org "+org, actor, org, func(t *txn) error {
		if err := t.canView(""); err != nil {
			return err
		}
		items, err := t.tx.Groups(org, page.probe())
		list, next = cutPage(items, page.Limit, func(g Group) string { return g.ID })
		return err
	})
	return list, next, err
}

// GroupMembers returns the contacts of a group, in ID order.
func (s *Service) GroupMembers(ctx context.Context, actor Actor, org, id string) ([]Contact, error) {
	var out []Contact
	err := s.view(ctx, "GroupMembers", "group "+id, actor, org, func(t *txn) error {
		if err := t.canView(""); err != nil {
			return err
		}
		if _, err := t.tx.Group(org, id); err != nil {
			return err
		}
		members, err := t.tx.GroupMembers(org, id)
		out = members
		return err
	})
	return out, err
}

// UpdateGroup changes a group, naming the version the caller read.
func (s *Service) UpdateGroup(ctx context.Context, actor Actor, org, id string, version int64, p GroupPatch) (Group, error) {
	var out Group
	err := s.update(ctx, "UpdateGroup", "group "+id, actor, org, func(t *txn) error {
		if err := t.authorize(policy.ManageGroups, policy.Target{Org: org}); err != nil {
			return err
		}
		before, err := t.tx.Group(org, id)
		if err != nil {
			return err
		}
		if err := checkVersion("group", version, before.Version); err != nil {
			return err
		}
		var v invalid
		g := before
		if p.Name != nil {
			g.Name = checkText(&v, "/name", *p.Name, true, maxNameLen)
		}
		if p.Kind != nil {
			checkGroupKind(&v, *p.Kind)
			g.Kind = *p.Kind
		}
		if err := v.err(); err != nil {
			return err
		}
		g.Version, g.Updated = version+1, t.now
		if err := t.w.UpdateGroup(g, version); err != nil {
			return err
		}
		out = g
		return t.audit("group.update", "group/"+id, before, g)
	})
	return out, err
}

// DeleteGroup removes a group and every membership in it, naming the
// version the caller read.
func (s *Service) DeleteGroup(ctx context.Context, actor Actor, org, id string, version int64) error {
	return s.update(ctx, "DeleteGroup", "group "+id, actor, org, func(t *txn) error {
		if err := t.authorize(policy.ManageGroups, policy.Target{Org: org}); err != nil {
			return err
		}
		before, err := t.tx.Group(org, id)
		if err != nil {
			return err
		}
		if err := checkVersion("group", version, before.Version); err != nil {
			return err
		}
		members, err := t.tx.GroupMembers(org, id)
		if err != nil {
			return err
		}
		for _, m := range members {
			if err := t.setMembership(m, id, false); err != nil {
				return err
			}
		}
		if err := t.dropHolder(HolderGroup, id); err != nil {
			return err
		}
		if err := t.w.DeleteGroup(org, id, version); err != nil {
			return err
		}
		return t.audit("group.delete", "group/"+id, before, nil)
	})
}

// AddToGroup makes contact a member of group. Membership is a set: adding
// a member twice changes nothing.
func (s *Service) AddToGroup(ctx context.Context, actor Actor, org, group, contact string) (Contact, error) {
	return s.membership(ctx, "AddToGroup", actor, org, group, contact, true)
}

// RemoveFromGroup ends contact's membership of group.
func (s *Service) RemoveFromGroup(ctx context.Context, actor Actor, org, group, contact string) (Contact, error) {
	return s.membership(ctx, "RemoveFromGroup", actor, org, group, contact, false)
}

func (s *Service) membership(ctx context.Context, op string, actor Actor, org, group, id string, member bool) (Contact, error) {
	var out Contact
	err := s.update(ctx, op, "contact "+id, actor, org, func(t *txn) error {
		if err := t.authorize(policy.ManageGroups, policy.Target{Org: org}); err != nil {
			return err
		}
		if _, err := t.tx.Group(org, group); err != nil {
			return err
		}
		c, err := t.contact(id)
		if err != nil {
			return err
		}
		if err := t.setMembership(c, group, member); err != nil {
			return err
		}
		out, err = t.contact(id)
		return err
	})
	return out, err
}

// setMembership adds or removes group in c's groups, recording the change.
func (t *txn) setMembership(c Contact, group string, member bool) error {
	if slices.Contains(c.Groups, group) == member {
		return nil // already so
	}
	next := c.Clone()
	if member {
		next.Groups = append(next.Groups, group)
		slices.Sort(next.Groups)
	} else {
		next.Groups = slices.DeleteFunc(next.Groups, func(g string) bool { return g == group })
		if len(next.Groups) == 0 {
			next.Groups = nil
		}
	}
	next.Version, next.Updated = c.Version+1, t.now
	if err := t.w.UpdateContact(next, c.Version); err != nil {
		return err
	}
	action := "group.join"
	if !member {
		action = "group.leave"
	}
	return t.audit(action, "contact/"+c.ID, c, next)
}
