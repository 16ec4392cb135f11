package ui

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// SlotBoard is the points-of-contact board: every slot with its holders in
// order (the first is the lead) and the people it effectively reaches,
// with whoever is left out and why. Viewers who may manage slots reorder,
// assign and remove holders; in review mode those changes go to the change
// set being built.
type SlotBoard struct {
	app.Compo

	ui app.Context // from OnMount; see "Contexts" in doc.go

	API   *Client
	Org   string
	Lang  string
	Perms Perms
	Rev   int

	slots      []wire.Slot
	recipients map[string]wire.Recipients
	unreached  map[string]string // slot → why its recipients could not be read
	names      map[string]string // contact or group ID → name
	loaded     bool
	failed     string
	errs       map[string]FormErrors // by slot
	notice     string

	// picking is the slot whose holder picker is open.
	picking string
	query   string
	found   []wire.Contact
	seq     int
	mark    loadMark
}

// OnMount loads the board.
func (b *SlotBoard) OnMount(ctx app.Context) {
	b.ui = ctx
	b.mark.moved(b.Rev, "")
	b.load(ctx)
}

// OnUpdate reloads it after a change.
func (b *SlotBoard) OnUpdate(ctx app.Context) {
	if b.mark.moved(b.Rev, "") {
		b.load(ctx)
	}
}

func (b *SlotBoard) load(ctx app.Context) {
	if b.API == nil || !app.IsClient {
		return
	}
	api, org, lang := b.API, b.Org, b.Lang
	known := b.names
	ctx.Async(func() {
		bg := context.Background()
		slots, err := api.Slots(bg, org)
		recips := map[string]wire.Recipients{}
		unreached := map[string]string{}
		names := map[string]string{}
		for k, v := range known {
			names[k] = v
		}
		if err == nil {
			denied := false
			for _, s := range slots.Items {
				if denied {
					// The viewer may not read recipients at all: one refusal
					// answers for every slot, and the board shows no
					// recipients rather than a refusal per slot.
				} else if r, rerr := api.Recipients(bg, org, s.Key, s.Purpose); rerr != nil {
					if pe, ok := errors.AsType[*ProblemError](rerr); ok && pe.Problem.Status == 403 {
						denied = true
					} else {
						unreached[s.Key] = problemText(rerr, lang)
					}
				} else {
					recips[s.Key] = r
				}
				for _, h := range s.Holders {
					if _, ok := names[h.ID]; ok || h.Kind == "group" {
						continue
					}
					if c, cerr := api.Contact(bg, org, h.ID); cerr == nil {
						names[h.ID] = c.Value.Name
					}
				}
			}
			if gs, gerr := api.Groups(bg, org, ""); gerr == nil {
				for _, g := range gs.Items {
					names[g.ID] = g.Name
				}
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			b.loaded = true
			if err != nil {
				b.failed = problemText(err, lang)
				return
			}
			b.failed, b.slots, b.recipients, b.unreached, b.names = "", slots.Items, recips, unreached, names
		})
	})
}

// assign replaces a slot's holders, or drafts it in review mode.
func (b *SlotBoard) assign(ctx app.Context, s wire.Slot, holders []wire.Holder) {
	b.picking = ""
	if b.Perms.Review() {
		ctx.NewActionWithValue(actDraft, draftEdit{Edit: wire.Edit{Kind: wire.EditAssignSlot, Slot: s.Key, Version: s.Version, Holders: holders}, Names: maps.Clone(b.names)})
		b.notice = T(b.Lang, msgAddedToDraft)
		return
	}
	if b.API == nil {
		return
	}
	api, org, lang, key, v := b.API, b.Org, b.Lang, s.Key, s.Version
	ctx.Async(func() {
		_, err := api.AssignSlot(context.Background(), org, key, v, holders)
		ctx.Dispatch(func(ctx app.Context) {
			if b.errs == nil {
				b.errs = map[string]FormErrors{}
			}
			b.errs[key] = formErrors(err, lang, "holders")
			if err == nil {
				b.notice = T(lang, msgSaved)
				ctx.NewAction(actChanged)
			}
		})
	})
}

// pick opens the holder picker of a slot.
func (b *SlotBoard) pick(ctx app.Context, key string) {
	b.picking, b.query, b.found = key, "", nil
	if b.names == nil {
		b.names = map[string]string{}
	}
	focusAfterUpdate(ctx, "lw-pick-"+key)
}

// closePicker closes the holder picker and gives focus back to the slot's
// assign button.
func (b *SlotBoard) closePicker(ctx app.Context) {
	if b.picking == "" {
		return
	}
	key := b.picking
	b.picking = ""
	focusAfterUpdate(ctx, "lw-assign-"+key)
}

// find searches the directory for the picker.
func (b *SlotBoard) find(ctx app.Context, text string) {
	b.query = text
	b.seq++
	seq := b.seq
	if b.API == nil || strings.TrimSpace(text) == "" {
		b.found = nil
		return
	}
	api, org := b.API, b.Org
	ctx.After(searchDelay, func(ctx app.Context) {
		if seq != b.seq {
			return
		}
		ctx.Async(func() {
			page, err := api.Directory(context.Background(), org, DirectoryQuery{Text: text, Limit: 10})
			ctx.Dispatch(func(ctx app.Context) {
				if seq == b.seq && err == nil {
					b.found = page.Contacts
				}
			})
		})
	})
}

// closePickerOn closes the holder picker when e is the Escape key.
func (b *SlotBoard) closePickerOn(ctx app.Context, e app.Event) {
	if isEscape(e) {
		b.closePicker(ctx)
	}
}

// addHolder makes contact c the slot's last holder.
func (b *SlotBoard) addHolder(ctx app.Context, s wire.Slot, c wire.Contact) {
	b.names[c.ID] = c.Name
	b.assign(ctx, s, addHolder(s.Holders, wire.Holder{Kind: "contact", ID: c.ID}))
}

// name shows a holder by name when known, else by ID.
func (b *SlotBoard) name(h wire.Holder) string {
	if n := b.names[h.ID]; n != "" {
		return n
	}
	return h.ID
}

// Render draws the board.
func (b *SlotBoard) Render() app.UI {
	lang := b.Lang
	if !b.loaded || b.failed != "" {
		return app.Section().Class("lw-board").Body(loadStatus(lang, b.failed))
	}
	slots := b.slots
	return app.Section().Class("lw-board").DataSet("testid", "slots").Aria("labelledby", "lw-board-title").Body(
		app.H2().ID("lw-board-title").Text(T(lang, msgTabSlots)),
		messages(b.notice, nil),
		app.Div().Class("lw-slots").Body(app.Range(slots).Slice(func(i int) app.UI { return b.renderSlot(slots[i]) })),
	)
}

func (b *SlotBoard) renderSlot(s wire.Slot) app.UI {
	lang := b.Lang
	manage := b.Perms.Can(wire.ActionManageSlots)
	title := s.Name
	if title == "" {
		title = s.Key
	}
	titleID := "lw-slot-" + s.Key
	holders := s.Holders
	errs := b.errs[s.Key]
	return app.Article().Class("lw-slot").DataSet("testid", "slot-"+s.Key).Aria("labelledby", titleID).Body(
		app.H3().ID(titleID).Text(title),
		app.P().Class("lw-hint").Text(slotBounds(lang, s)),
		app.Ol().Class("lw-holders").Aria("label", T(lang, msgHoldersOf, title)).Body(
			app.Range(holders).Slice(func(i int) app.UI {
				h := holders[i]
				name := b.name(h)
				// Handlers close over the slot's holders as read: the scope
				// makes go-app replace them when those move.
				scope := app.EventScope(s.Key, s.Version, i, h.Kind, h.ID)
				return app.Li().Class("lw-holder").Body(
					app.Span().Class("lw-name").Text(name),
					app.If(h.Kind == "group", func() app.UI { return app.Span().Class("lw-badge").Text(T(lang, msgGroupHolder)) }),
					app.If(i == 0, func() app.UI { return app.Span().Class("lw-badge lw-lead").Text(T(lang, msgLead)) }),
					app.If(manage, func() app.UI {
						return app.Span().Class("lw-holder-actions").Body(
							app.Button().Type("button").Class("lw-icon-button").Aria("label", T(lang, msgMoveUp, name)).
								Disabled(i == 0).Text("↑").
								OnClick(func(ctx app.Context, e app.Event) { b.assign(b.ui, s, moveHolder(holders, i, -1)) }, scope),
							app.Button().Type("button").Class("lw-icon-button").Aria("label", T(lang, msgMoveDown, name)).
								Disabled(i == len(holders)-1).Text("↓").
								OnClick(func(ctx app.Context, e app.Event) { b.assign(b.ui, s, moveHolder(holders, i, 1)) }, scope),
							app.Button().Type("button").Class("lw-icon-button lw-danger").DataSet("testid", "remove-holder").
								Aria("label", T(lang, msgRemoveHolder, name)).Text("×").
								OnClick(func(ctx app.Context, e app.Event) { b.assign(b.ui, s, removeHolder(holders, i)) }, scope),
						)
					}),
				)
			}),
		),
		messages("", slotErrors(errs)),
		app.If(manage && b.picking != s.Key, func() app.UI {
			return app.Button().Type("button").ID("lw-assign-"+s.Key).Class("lw-button").DataSet("testid", "assign-"+s.Key).
				Text(T(lang, msgAssign)).OnClick(func(ctx app.Context, e app.Event) { b.pick(b.ui, s.Key) }, app.EventScope(s.Key))
		}),
		app.If(manage && b.picking == s.Key, func() app.UI { return b.renderPicker(s) }),
		b.renderRecipients(s),
	)
}

func (b *SlotBoard) renderPicker(s wire.Slot) app.UI {
	lang := b.Lang
	found := b.found
	id := "lw-pick-" + s.Key
	return app.Div().Class("lw-picker").Body(
		app.Label().For(id).Text(T(lang, msgFindPerson)),
		app.Input().ID(id).Type("search").Class("lw-input").Value(b.query).
			OnInput(func(ctx app.Context, e app.Event) { b.find(b.ui, ctx.JSSrc().Get("value").String()) }).
			OnKeyDown(func(ctx app.Context, e app.Event) { b.closePickerOn(b.ui, e) }),
		app.Ul().Class("lw-found").Body(app.Range(found).Slice(func(i int) app.UI {
			c := found[i]
			return app.Li().Body(app.Button().Type("button").Class("lw-link").DataSet("testid", "pick").
				Text(c.Name+" <"+c.Email+">").
				OnClick(func(ctx app.Context, e app.Event) { b.addHolder(b.ui, s, c) }, app.EventScope(s.Key, s.Version, c.ID)))
		})),
		app.Button().Type("button").Class("lw-button").Text(T(lang, msgCancel)).
			OnClick(func(ctx app.Context, e app.Event) { b.closePicker(b.ui) }),
	)
}

func (b *SlotBoard) renderRecipients(s wire.Slot) app.UI {
	lang := b.Lang
	r, ok := b.recipients[s.Key]
	if why, failed := b.unreached[s.Key]; failed {
		return app.P().Class("lw-hint").Text(T(lang, msgRecipientsUnavailable) + " " + why)
	}
	if !ok {
		return nil // the viewer may not read recipients
	}
	list, excluded := r.Recipients, r.Excluded
	return app.Details().Class("lw-recipients").Body(
		app.Summary().Text(T(lang, msgRecipientsCount, len(list))),
		app.If(r.Fallback, func() app.UI { return app.P().Class("lw-hint").Text(T(lang, msgFallback)) }),
		app.If(r.Withheld > 0, func() app.UI {
			return app.P().Class("lw-hint").Text(T(lang, msgRecipientsWithheld, r.Source, r.Withheld))
		}),
		app.Ul().Body(app.Range(list).Slice(func(i int) app.UI {
			p := list[i]
			return app.Li().Body(app.Span().Class("lw-name").Text(p.Name), app.Text(" "), app.Span().Class("lw-email").Text(p.Email))
		})),
		app.If(len(excluded) > 0, func() app.UI {
			return app.Div().Body(
				app.H4().Text(T(lang, msgExcluded)),
				app.Ul().Body(app.Range(excluded).Slice(func(i int) app.UI {
					x := excluded[i]
					return app.Li().Body(app.Span().Class("lw-name").Text(x.Name), app.Text(" — "+x.Reason))
				})),
			)
		}),
	)
}

// slotBounds says how many holders a slot takes; a Max of 0 has no upper
// bound.
func slotBounds(lang string, s wire.Slot) string {
	if s.Min == 0 && s.Max == 0 {
		return T(lang, msgSlotOptional)
	}
	if s.Max > 0 {
		return T(lang, msgSlotMinMax, s.Min, s.Max)
	}
	return T(lang, msgSlotMin, s.Min)
}

// slotErrors lists a slot's error messages: the holders field's, then the
// rest.
func slotErrors(fe FormErrors) []string {
	var out []string
	if m := fe.Field("holders"); m != "" {
		out = append(out, m)
	}
	return append(out, fe.General...)
}
