package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/widget/wire"
)

// Change sets. The Service decides who may take each step (the vendor
// alone reviews, the requester alone submits and answers); the handlers
// name the version read and map the errors.

func (h *handler) listChangeSets(c *call) error {
	items, next, err := listed(c, h.svc.ChangeSets, wireChangeSet)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wire.ChangeSetPage{Items: items, Next: next})
}

// createChangeSet stores the edits as a draft; in direct mode it then
// sends the draft, which applies it, so that the request answers with the
// change set applied. Should the application fail (something changed in
// between), the draft is cancelled, so that no half-made request is left
// behind, and the failure is the answer.
func (h *handler) createChangeSet(c *call) error {
	in := c.in.(*wire.NewChangeSet)
	if len(in.Edits) == 0 {
		return &contacts.InvalidError{Fields: []contacts.FieldError{{Path: "/edits", Message: "is required: at least one edit"}}}
	}
	return c.idempotently(func() error {
		ctx := c.r.Context()
		cs, err := h.svc.CreateChangeSet(ctx, c.actor, c.org, edits(in.Edits))
		if err != nil {
			return err
		}
		if h.changeMode == policy.Direct {
			applied, err := h.svc.SubmitChangeSet(ctx, c.actor, c.org, cs.ID, cs.Version)
			if err != nil {
				if _, cerr := h.svc.CancelChangeSet(context.WithoutCancel(ctx), c.actor, c.org, cs.ID, cs.Version); cerr != nil {
					h.log.LogAttrs(ctx, slog.LevelError, "liaison api: cancelling a draft that failed to apply failed",
						slog.String("request_id", c.st.id), slog.String("change_set", cs.ID), slog.String("error", cerr.Error()))
				}
				return err
			}
			cs = applied
		}
		c.w.Header().Set("Location", c.location("orgs", c.org, "change-sets", cs.ID))
		return c.replyVersioned(http.StatusCreated, wireChangeSet(cs), cs.Version)
	})
}

func (h *handler) getChangeSet(c *call) error {
	cs, err := h.svc.ChangeSet(c.r.Context(), c.actor, c.org, c.path("id"))
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireChangeSet(cs), cs.Version)
}

// changeSetView answers the current-versus-requested diff, with the
// change set's ETag: the view is of that version.
func (h *handler) changeSetView(c *call) error {
	v, err := h.svc.ChangeSetView(c.r.Context(), c.actor, c.org, c.path("id"))
	if err != nil {
		return err
	}
	return c.replyVersioned(http.StatusOK, wireChangeSetView(v), v.ChangeSet.Version)
}

// A changeStep is one lifecycle step of a change set.
type changeStep int

const (
	stepSubmit changeStep = iota
	stepQuery
	stepAnswer
	stepApprove
	stepReject
	stepCancel
)

// changeSetStep returns the handler of one lifecycle step: it names the
// change set's version read (If-Match) and, for the steps that take one,
// the comment.
func changeSetStep(step changeStep) func(*handler, *call) error {
	return func(h *handler, c *call) error {
		ctx, a, org, id, v := c.r.Context(), c.actor, c.org, c.path("id"), c.version
		var text string
		if in, ok := c.in.(*wire.Comment); ok {
			text = in.Text
		}
		var (
			cs  contacts.ChangeSet
			err error
		)
		switch step {
		case stepSubmit:
			cs, err = h.svc.SubmitChangeSet(ctx, a, org, id, v)
		case stepQuery:
			cs, err = h.svc.QueryChangeSet(ctx, a, org, id, v, text)
		case stepAnswer:
			cs, err = h.svc.AnswerChangeSet(ctx, a, org, id, v, text)
		case stepApprove:
			cs, err = h.svc.ApproveChangeSet(ctx, a, org, id, v, text)
		case stepReject:
			cs, err = h.svc.RejectChangeSet(ctx, a, org, id, v, text)
		case stepCancel:
			cs, err = h.svc.CancelChangeSet(ctx, a, org, id, v)
		}
		if err != nil {
			err = renamed(err, map[string]string{"/comment": "/text"})
			return c.precondition(err, func() (int64, error) {
				cur, err := h.svc.ChangeSet(ctx, a, org, id)
				return cur.Version, err
			})
		}
		return c.replyVersioned(http.StatusOK, wireChangeSet(cs), cs.Version)
	}
}
