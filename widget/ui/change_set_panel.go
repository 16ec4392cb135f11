package ui

import (
	"context"
	"slices"
	"strings"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// ChangeSetPanel is the change-set flow: the edits being built (made in the
// details and on the board), sent together; the org's change sets; and,
// for a pending one, a read-only view of the current and requested state
// side by side, which its requester may cancel.
type ChangeSetPanel struct {
	app.Compo

	ui app.Context // from OnMount; see "Contexts" in doc.go

	API   *Client
	Org   string
	Lang  string
	Perms Perms
	Rev   int
	// Draft is the edits being built, kept by the root.
	Draft []wire.Edit
	// Names are the names of the contacts and groups the draft names.
	Names map[string]string

	sets   []wire.ChangeSet
	next   string
	failed string
	errs   FormErrors
	notice string
	busy   bool

	// viewing is the change set whose view is open.
	viewing string
	view    wire.ChangeSetView
	viewErr string
	// names name the view's contacts and groups.
	names map[string]string
	// comment is the text of a query, an answer or a decision's reason.
	comment string
	mark    loadMark
}

// OnMount loads the change sets.
func (p *ChangeSetPanel) OnMount(ctx app.Context) {
	p.ui = ctx
	p.mark.moved(p.Rev, "")
	p.load(ctx, "")
}

// OnUpdate reloads them after a change.
func (p *ChangeSetPanel) OnUpdate(ctx app.Context) {
	if p.mark.moved(p.Rev, "") {
		p.load(ctx, "")
	}
}

func (p *ChangeSetPanel) load(ctx app.Context, after string) {
	if p.API == nil || !app.IsClient {
		return
	}
	api, org, lang := p.API, p.Org, p.Lang
	ctx.Async(func() {
		page, err := api.ChangeSets(context.Background(), org, after)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.failed = problemText(err, lang)
				return
			}
			p.failed = ""
			if after == "" {
				p.sets = page.Items
			} else {
				p.sets = append(p.sets, page.Items...)
			}
			p.next = page.Next
		})
	})
}

// send creates the change set from the draft; in review mode it then
// submits it to the vendor.
func (p *ChangeSetPanel) send(ctx app.Context) {
	if p.API == nil || p.busy || len(p.Draft) == 0 {
		return
	}
	p.busy, p.notice = true, ""
	api, org, lang, edits, review := p.API, p.Org, p.Lang, p.Draft, p.Perms.Review()
	ctx.Async(func() {
		bg := context.Background()
		cs, err := api.CreateChangeSet(bg, org, edits)
		created := err == nil
		if created && review && cs.Value.State == wire.ChangeDraft {
			_, err = api.ChangeSetStep(bg, org, cs.Value.ID, "submit", cs.Version, "")
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			p.errs = formErrors(err, lang)
			if !created {
				return
			}
			// The change set exists from here on, even when its submission
			// failed: the local draft goes, so sending again cannot make a
			// second one, and the created change set opens, where a draft
			// can be submitted again.
			ctx.NewActionWithValue(actUndraft, -1)
			ctx.NewAction(actChanged)
			switch {
			case review:
				if err == nil {
					p.notice = T(lang, msgSubmitted)
				}
				p.open(ctx, cs.Value.ID)
			case err == nil:
				p.notice = T(lang, msgApplied)
			}
		})
	})
}

// open loads the current-versus-requested view of a change set.
func (p *ChangeSetPanel) open(ctx app.Context, id string) {
	// A comment typed for another change set must not go with this one's
	// steps.
	p.viewing, p.view, p.viewErr, p.comment = id, wire.ChangeSetView{}, "", ""
	if p.API == nil {
		return
	}
	api, org, lang, known := p.API, p.Org, p.Lang, p.Names
	ctx.Async(func() {
		bg := context.Background()
		v, err := api.ChangeSetView(bg, org, id)
		var names map[string]string
		if err == nil {
			names = holderNames(bg, api, org, v, known)
		}
		ctx.Dispatch(func(ctx app.Context) {
			if id != p.viewing {
				return
			}
			if err != nil {
				p.viewErr = problemText(err, lang)
				return
			}
			p.view, p.names = v, names
		})
	})
}

// step moves a pending change set on: "submit" (a draft whose submission
// failed), "cancel" or "answer" (its requester), or "approve", "reject" or "query" (the vendor's review), with
// the comment typed, if any; done is the notice shown once it has.
func (p *ChangeSetPanel) step(ctx app.Context, cs wire.ChangeSet, step, done string) {
	if p.API == nil || p.busy {
		return
	}
	p.busy = true
	api, org, lang, comment := p.API, p.Org, p.Lang, strings.TrimSpace(p.comment)
	ctx.Async(func() {
		_, err := api.ChangeSetStep(context.Background(), org, cs.ID, step, cs.Version, comment)
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			p.errs = formErrors(err, lang)
			if err == nil {
				p.notice, p.viewing, p.comment = T(lang, done), "", ""
				ctx.NewAction(actChanged)
			}
		})
	})
}

// Render draws the panel.
func (p *ChangeSetPanel) Render() app.UI {
	lang := p.Lang
	draft, sets := p.Draft, p.sets
	return app.Section().Class("lw-changes").DataSet("testid", "changes").Aria("labelledby", "lw-changes-title").Body(
		app.H2().ID("lw-changes-title").Text(T(lang, msgTabChanges)),
		messages(p.notice, p.errs.General),
		app.If(p.Perms.Can(wire.ActionSubmitChanges), func() app.UI {
			return app.Section().Class("lw-block").Aria("labelledby", "lw-draft-title").Body(
				app.H3().ID("lw-draft-title").Text(T(lang, msgDraft)),
				app.If(len(draft) == 0, func() app.UI { return app.P().Class("lw-hint").Text(T(lang, msgDraftEmpty)) }),
				app.Ol().Class("lw-rows").DataSet("testid", "draft").Body(app.Range(draft).Slice(func(i int) app.UI {
					text := editText(draft[i], lang, p.Names)
					return app.Li().Class("lw-row").Body(
						app.Span().Class("lw-row-label").Text(text),
						app.Button().Type("button").Class("lw-icon-button").Aria("label", T(lang, msgRemoveEdit, text)).Text("×").
							OnClick(func(ctx app.Context, e app.Event) { ctx.NewActionWithValue(actUndraft, i) }, app.EventScope(i)),
					)
				})),
				app.If(len(draft) > 0, func() app.UI {
					return app.Div().Class("lw-actions").Body(
						app.Button().Type("button").Class("lw-button lw-primary").DataSet("testid", "changeset-send").Disabled(p.busy).
							Text(T(lang, sendMsg(p.Perms))).OnClick(func(ctx app.Context, e app.Event) { p.send(p.ui) }),
						app.Button().Type("button").Class("lw-button").Text(T(lang, msgDiscard)).
							OnClick(func(ctx app.Context, e app.Event) { ctx.NewActionWithValue(actUndraft, -1) }),
					)
				}),
			)
		}),
		app.If(p.failed != "", func() app.UI {
			return app.P().Class("lw-error").DataSet("testid", "error").Attr("role", "alert").Text(p.failed)
		}),
		app.Table().Class("lw-table").DataSet("testid", "change-sets").Body(
			app.Caption().Text(T(lang, msgChangeSets)),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text(T(lang, msgCreated)),
				app.Th().Scope("col").Text(T(lang, msgState)),
				app.Th().Scope("col").Text(T(lang, msgEdits)),
				app.Th().Scope("col").Body(app.Span().Class("lw-sr").Text(T(lang, msgActions))),
			)),
			app.TBody().Body(app.Range(sets).Slice(func(i int) app.UI {
				cs := sets[i]
				return app.Tr().Body(
					app.Td().Text(cs.Created.Format("2006-01-02 15:04")),
					app.Td().Body(app.Span().Class("lw-badge").Text(T(lang, stateMsg(cs.State)))),
					app.Td().Text(itoa(len(cs.Edits))),
					app.Td().Body(app.If(openState(cs.State), func() app.UI {
						return app.Button().Type("button").Class("lw-link").DataSet("testid", "view-change-set").
							Aria("label", T(lang, msgViewChangeSet, cs.Created.Format("2006-01-02 15:04"))).
							Text(T(lang, msgView)).OnClick(func(ctx app.Context, e app.Event) { p.open(p.ui, cs.ID) }, app.EventScope(cs.ID))
					})),
				)
			})),
		),
		app.If(p.next != "", func() app.UI {
			return app.Button().Type("button").Class("lw-button").Text(T(lang, msgMore)).
				OnClick(func(ctx app.Context, e app.Event) { p.load(p.ui, p.next) })
		}),
		app.If(p.viewing != "", p.renderView),
	)
}

// renderView draws a pending change set read-only: its diff, and cancel
// for its requester.
func (p *ChangeSetPanel) renderView() app.UI {
	lang := p.Lang
	if p.viewErr != "" {
		return app.P().Class("lw-error").DataSet("testid", "error").Attr("role", "alert").Text(p.viewErr)
	}
	cs := p.view.ChangeSet
	if cs.ID == "" {
		return app.P().Class("lw-status").Attr("role", "status").Text(T(lang, msgLoading))
	}
	rows := diffRows(p.view, p.names)
	var comments []wire.ChangeSetComment
	for _, c := range cs.Comments {
		if c.Text != "" {
			comments = append(comments, c)
		}
	}
	mine := cs.Requester != "" && cs.Requester == p.Perms.Self()
	// The vendor reviews what was submitted (or answered after a query).
	review := p.Perms.Can(wire.ActionReviewChanges) && (cs.State == wire.ChangeSubmitted || cs.State == wire.ChangeAnswered)
	// The requester answers the vendor's question.
	answer := mine && cs.State == wire.ChangeQueried
	return app.Section().Class("lw-block lw-pending").DataSet("testid", "pending-diff").Aria("labelledby", "lw-pending-title").Body(
		app.H3().ID("lw-pending-title").Text(T(lang, msgPending, T(lang, stateMsg(cs.State)))),
		app.If(cs.Ticket != "", func() app.UI { return app.P().Text(T(lang, msgTicket, cs.Ticket)) }),
		app.If(p.view.Problem != nil, func() app.UI {
			return app.P().Class("lw-error").DataSet("testid", "error").Attr("role", "alert").Text(T(lang, msgWouldNotApply) + " " + p.view.Problem.Detail)
		}),
		app.Table().Class("lw-table lw-diff").Body(
			app.Caption().Text(T(lang, msgDiff)),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text(T(lang, msgSubject)),
				app.Th().Scope("col").Text(T(lang, msgField)),
				app.Th().Scope("col").Text(T(lang, msgCurrent)),
				app.Th().Scope("col").Text(T(lang, msgRequested)),
			)),
			app.TBody().Body(app.Range(rows).Slice(func(i int) app.UI {
				r := rows[i]
				return app.Tr().Class("lw-diff-"+r.Change).DataSet("testid", "diff-row").Body(
					app.Th().Scope("row").Text(r.Subject),
					app.Td().Text(fieldLabel(lang, r.Field)),
					app.Td().Class("lw-old").Text(r.Current),
					app.Td().Class("lw-new").Text(r.Requested),
				)
			})),
		),
		app.Range(comments).Slice(func(i int) app.UI {
			c := comments[i]
			return app.P().Class("lw-comment").Text(c.Time.Format("2006-01-02 15:04") + " " + nameOr(p.names, c.Author) + ": " + c.Text)
		}),
		app.If(review || answer, func() app.UI {
			return app.Div().Class("lw-field").Body(
				app.Label().For("lw-cs-comment").Text(T(lang, commentMsg(answer))),
				app.Input().ID("lw-cs-comment").Type("text").Class("lw-input").DataSet("testid", "changeset-comment").
					Value(p.comment).OnInput(func(ctx app.Context, e app.Event) { p.comment = ctx.JSSrc().Get("value").String() }),
			)
		}),
		app.Div().Class("lw-actions").Body(
			app.If(mine && cs.State == wire.ChangeDraft, func() app.UI {
				return app.Button().Type("button").Class("lw-button lw-primary").DataSet("testid", "changeset-submit").
					Disabled(p.busy).Text(T(lang, msgSubmitForReview)).
					OnClick(func(ctx app.Context, e app.Event) { p.step(p.ui, cs, "submit", msgSubmitted) }, app.EventScope(cs.ID, cs.Version))
			}),
			app.If(answer, func() app.UI {
				return app.Button().Type("button").Class("lw-button lw-primary").DataSet("testid", "changeset-answer").
					Disabled(p.busy).Text(T(lang, msgAnswer)).
					OnClick(func(ctx app.Context, e app.Event) { p.step(p.ui, cs, "answer", msgAnswered) }, app.EventScope(cs.ID, cs.Version))
			}),
			app.If(review, func() app.UI {
				return app.Button().Type("button").Class("lw-button").DataSet("testid", "changeset-query").
					Disabled(p.busy).Text(T(lang, msgQuery)).
					OnClick(func(ctx app.Context, e app.Event) { p.step(p.ui, cs, "query", msgQueried) }, app.EventScope(cs.ID, cs.Version))
			}),
			app.If(mine && openState(cs.State), func() app.UI {
				return app.Button().Type("button").Class("lw-button lw-danger").DataSet("testid", "changeset-cancel").
					Disabled(p.busy).Text(T(lang, msgCancelChangeSet)).
					OnClick(func(ctx app.Context, e app.Event) { p.step(p.ui, cs, "cancel", msgCancelled) }, app.EventScope(cs.ID, cs.Version))
			}),
			app.If(review, func() app.UI {
				return app.Button().Type("button").Class("lw-button lw-primary").DataSet("testid", "changeset-approve").
					Disabled(p.busy).Text(T(lang, msgApprove)).
					OnClick(func(ctx app.Context, e app.Event) { p.step(p.ui, cs, "approve", msgApproved) }, app.EventScope(cs.ID, cs.Version))
			}),
			app.If(review, func() app.UI {
				return app.Button().Type("button").Class("lw-button lw-danger").DataSet("testid", "changeset-reject").
					Disabled(p.busy).Text(T(lang, msgReject)).
					OnClick(func(ctx app.Context, e app.Event) { p.step(p.ui, cs, "reject", msgRejected) }, app.EventScope(cs.ID, cs.Version))
			}),
			app.Button().Type("button").Class("lw-button").Text(T(lang, msgClose)).
				OnClick(func(app.Context, app.Event) { p.viewing = "" }),
		),
	)
}

// commentMsg labels the comment field: an answer for the requester, else
// the reviewer's question or reason.
func commentMsg(answer bool) string {
	if answer {
		return msgAnswerLabel
	}
	return msgReviewComment
}

// sendMsg names the send button: review mode submits for review.
func sendMsg(p Perms) string {
	if p.Review() {
		return msgSubmitForReview
	}
	return msgApplyChanges
}

func stateMsg(s string) string {
	switch s {
	case wire.ChangeDraft:
		return msgStateDraft
	case wire.ChangeSubmitted:
		return msgStateSubmitted
	case wire.ChangeQueried:
		return msgStateQueried
	case wire.ChangeAnswered:
		return msgStateAnswered
	case wire.ChangeApplied:
		return msgStateApplied
	case wire.ChangeRejected:
		return msgStateRejected
	case wire.ChangeCancelled:
		return msgStateCancelled
	}
	return msgUnknown
}

// holderNames names the contacts and groups a change set view mentions:
// from the view itself and known, then by reading the rest (a slot's
// holders come as IDs). A name that cannot be read stays an ID.
func holderNames(ctx context.Context, api *Client, org string, v wire.ChangeSetView, known map[string]string) map[string]string {
	names := viewNames(v, known)
	groups := false
	for _, h := range unnamedHolders(v, names) {
		if h.Kind == "group" {
			groups = true
			continue
		}
		if c, err := api.Contact(ctx, org, h.ID); err == nil {
			names[h.ID] = c.Value.Name
		}
	}
	if ids := commentAuthors(v, names); len(ids) > 0 {
		for _, id := range ids {
			if c, err := api.Contact(ctx, org, id); err == nil {
				names[id] = c.Value.Name
			}
		}
	}
	if groups {
		after := ""
		for range 20 {
			page, err := api.Groups(ctx, org, after)
			if err != nil {
				break
			}
			for _, g := range page.Items {
				names[g.ID] = g.Name
			}
			if after = page.Next; after == "" {
				break
			}
		}
	}
	return names
}

// commentAuthors lists the authors of a view's comments with text that
// names lacks.
func commentAuthors(v wire.ChangeSetView, names map[string]string) []string {
	var out []string
	for _, c := range v.ChangeSet.Comments {
		if c.Text != "" && c.Author != "" && names[c.Author] == "" && !slices.Contains(out, c.Author) {
			out = append(out, c.Author)
		}
	}
	return out
}

// nameOr returns the name of id, or id when names lacks it.
func nameOr(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n
	}
	return id
}

// fieldLabel names a contact field (or a slot's holders) of the diff in
// the viewer's language; a field the UI does not know shows its JSON name.
func fieldLabel(lang, field string) string {
	id, ok := map[string]string{
		"name": msgName, "email": msgEmail, "phone": msgPhone, "title": msgJobTitle,
		"language": msgLanguage, "availability": msgAvailability, "roles": msgRoles,
		"groups": msgGroups, "status": msgStatus, "holders": msgHolders,
	}[field]
	if !ok {
		return field
	}
	return T(lang, id)
}
