package contacts

import (
	"context"

	"github.com/liaisonhq/liaison/policy"
)

// A Workspace is a place in the host's product that two people share, such
// as a project or a channel.
type Workspace struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// A QuickAction is something the viewer can start with a contact from the
// overview, such as a chat or a meeting, in the host's product.
type QuickAction struct {
	// Kind names the action, such as "chat" or "meeting".
	Kind  string `json:"kind"`
	Label string `json:"label"`
	URL   string `json:"url"`
}

// OverviewHooks are the host's answers the contact overview shows. A nil
// hook means the host has none: the overview then shows no such section
// and no such buttons.
type OverviewHooks struct {
	// SharedWorkspaces lists the workspaces viewer and contact share.
	SharedWorkspaces func(ctx context.Context, org string, viewer Actor, contact Contact) ([]Workspace, error)
	// QuickActions lists what viewer can start with contact.
	QuickActions func(ctx context.Context, org string, viewer Actor, contact Contact) ([]QuickAction, error)
}

// WithOverviewHooks sets the host's hooks for the contact overview.
func WithOverviewHooks(h OverviewHooks) Option { return func(s *Service) { s.overview = h } }

// Overview is what the directory shows about one contact.
type Overview struct {
	Contact Contact `json:"contact"`
	// Groups are the contact's groups, in ID order.
	Groups []Group `json:"groups"`
	// Workspaces is nil when the host has no workspace hook.
	Workspaces []Workspace `json:"workspaces,omitempty"`
	// Actions is nil when the host has no quick-action hook.
	Actions []QuickAction `json:"actions,omitempty"`
}

// ContactOverview returns a contact's overview for the actor: its details
// and availability, its groups, and — from the host's hooks, where there are
// any — the workspaces they share and the quick actions the actor can
// start. Readers of the directory may call it.
func (s *Service) ContactOverview(ctx context.Context, actor Actor, org, id string) (Overview, error) {
	const op = "ContactOverview"
	var out Overview
	err := s.view(ctx, op, "contact "+id, actor, org, func(t *txn) error {
		if id != t.subject.Contact {
			if err := t.authorize(policy.ViewContacts, policy.Target{Org: org}); err != nil {
				return err
			}
		}
		c, err := t.contact(id)
		if err != nil {
			return err
		}
		out.Contact, out.Groups = c, []Group{}
		for _, gid := range c.Groups {
			g, err := t.tx.Group(org, gid)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			out.Groups = append(out.Groups, g)
		}
		return nil
	})
	if err != nil {
		return Overview{}, err
	}
	// The hooks run outside the transaction: they are the host's I/O.
	if h := s.overview.SharedWorkspaces; h != nil {
		ws, err := h(ctx, org, actor, out.Contact.Clone())
		if err != nil {
			return Overview{}, &Error{Op: op, Item: "contact " + id, Err: err}
		}
		out.Workspaces = append([]Workspace{}, ws...)
	}
	if h := s.overview.QuickActions; h != nil {
		as, err := h(ctx, org, actor, out.Contact.Clone())
		if err != nil {
			return Overview{}, &Error{Op: op, Item: "contact " + id, Err: err}
		}
		out.Actions = append([]QuickAction{}, as...)
	}
	return out, nil
}
