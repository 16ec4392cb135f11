package ui

import (
	"context"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// OwnershipDialog hands the viewer's ownership to another contact, in two
// steps: pick the new owner, then confirm by typing the new owner's name.
// Nothing is sent before the name matches.
type OwnershipDialog struct {
	app.Compo

	ui app.Context // from OnMount; see "Contexts" in doc.go

	API   *Client
	Org   string
	Lang  string
	Perms Perms

	query  string
	found  []wire.Contact
	target *wire.Contact
	typed  string
	errs   FormErrors
	busy   bool
	done   bool
	seq    int
	dialog modal
}

// OnMount opens the dialog on its search field.
func (d *OwnershipDialog) OnMount(ctx app.Context) {
	d.ui = ctx
	d.dialog.open(d.JSValue(), "lw-own-q")
}

// OnDismount returns focus to the opener.
func (d *OwnershipDialog) OnDismount() { d.dialog.restore() }

// find searches the directory for the new owner.
func (d *OwnershipDialog) find(ctx app.Context, text string) {
	d.query = text
	d.seq++
	seq := d.seq
	if d.API == nil || text == "" {
		d.found = nil
		return
	}
	api, org, self := d.API, d.Org, d.Perms.Self()
	ctx.After(searchDelay, func(ctx app.Context) {
		if seq != d.seq {
			return
		}
		ctx.Async(func() {
			page, err := api.Directory(context.Background(), org, DirectoryQuery{Text: text, Limit: 10})
			ctx.Dispatch(func(ctx app.Context) {
				if seq != d.seq || err != nil {
					return
				}
				d.found = nil
				for _, c := range page.Contacts {
					if c.ID != self {
						d.found = append(d.found, c)
					}
				}
			})
		})
	})
}

// choose moves to the confirmation step.
func (d *OwnershipDialog) choose(ctx app.Context, c wire.Contact) {
	d.target, d.typed, d.errs = &c, "", FormErrors{}
	focusAfterUpdate(ctx, "lw-own-confirm")
}

// back returns to picking the new owner.
func (d *OwnershipDialog) back(ctx app.Context) {
	d.target = nil
	focusAfterUpdate(ctx, "lw-own-q")
}

// transfer sends the transfer once the typed name matches, naming the
// version of the contact the owner picked and confirmed: if it changed
// since, the API refuses (412) rather than transfer to what was not seen.
func (d *OwnershipDialog) transfer(ctx app.Context) {
	if d.target == nil || d.API == nil || d.busy {
		return
	}
	if !confirmsName(d.typed, d.target.Name) {
		d.errs = FormErrors{Fields: map[string]string{"confirm": T(d.Lang, msgErrConfirmName)}}
		return
	}
	d.busy = true
	api, org, lang, to, version := d.API, d.Org, d.Lang, d.target.ID, d.target.Version
	ctx.Async(func() {
		_, err := api.TransferOwnership(context.Background(), org, to, version)
		ctx.Dispatch(func(ctx app.Context) {
			d.busy = false
			d.errs = formErrors(err, lang, "to")
			if err == nil {
				d.done = true
				ctx.NewAction(actChanged)
			}
		})
	})
}

// Render draws the step the dialog is at.
func (d *OwnershipDialog) Render() app.UI {
	lang := d.Lang
	return app.Dialog().Class("lw-dialog").DataSet("testid", "ownership-dialog").Aria("labelledby", "lw-own-title").
		On("cancel", func(ctx app.Context, e app.Event) { e.PreventDefault(); closeDialog(ctx) }).Body(
		app.H2().ID("lw-own-title").Text(T(lang, msgTransfer)),
		messages("", d.errs.General),
		app.If(d.done, func() app.UI {
			return app.Div().Body(
				app.P().Class("lw-notice").Attr("role", "status").Text(T(lang, msgTransferred)),
				app.Button().Type("button").Class("lw-button lw-primary").AutoFocus(true).Text(T(lang, msgClose)).
					OnClick(func(ctx app.Context, e app.Event) { closeDialog(ctx) }),
			)
		}).ElseIf(d.target != nil, d.renderConfirm).Else(d.renderPick),
	)
}

func (d *OwnershipDialog) renderPick() app.UI {
	lang := d.Lang
	found := d.found
	return app.Div().Body(
		app.P().Text(T(lang, msgTransferIntro)),
		app.Label().For("lw-own-q").Text(T(lang, msgFindPerson)),
		app.Input().ID("lw-own-q").Type("search").Class("lw-input").Value(d.query).DataSet("testid", "owner-search").
			OnInput(func(ctx app.Context, e app.Event) { d.find(d.ui, ctx.JSSrc().Get("value").String()) }),
		app.Ul().Class("lw-found").Body(app.Range(found).Slice(func(i int) app.UI {
			c := found[i]
			return app.Li().Body(app.Button().Type("button").Class("lw-link").DataSet("testid", "owner-pick").
				Text(c.Name+" <"+c.Email+">").OnClick(func(ctx app.Context, e app.Event) { d.choose(d.ui, c) }, app.EventScope(c.ID)))
		})),
		app.Div().Class("lw-actions").Body(
			app.Button().Type("button").Class("lw-button").Text(T(lang, msgCancel)).
				OnClick(func(ctx app.Context, e app.Event) { closeDialog(ctx) }),
		),
	)
}

func (d *OwnershipDialog) renderConfirm() app.UI {
	lang, t := d.Lang, d.target
	msg := d.errs.Field("confirm")
	in := app.Input().ID("lw-own-confirm").Type("text").Class("lw-input").Value(d.typed).AutoFocus(true).
		AutoComplete(false).DataSet("testid", "owner-confirm").
		OnInput(func(ctx app.Context, e app.Event) { d.typed = ctx.JSSrc().Get("value").String() })
	if msg != "" {
		in = in.Aria("invalid", true).Aria("describedby", "lw-own-err")
	}
	return app.Form().Class("lw-form").OnSubmit(func(ctx app.Context, e app.Event) { e.PreventDefault(); d.transfer(d.ui) }).Body(
		app.P().Class("lw-warning").Text(T(lang, msgTransferWarning, t.Name)),
		app.Label().For("lw-own-confirm").Text(T(lang, msgTypeName, t.Name)),
		in,
		app.If(msg != "", func() app.UI { return app.P().ID("lw-own-err").Class("lw-field-error").Text(msg) }),
		app.If(d.errs.Field("to") != "", func() app.UI { return app.P().Class("lw-field-error").Text(d.errs.Field("to")) }),
		app.Div().Class("lw-actions").Body(
			app.Button().Type("submit").Class("lw-button lw-danger").DataSet("testid", "owner-transfer").
				Disabled(d.busy || !confirmsName(d.typed, t.Name)).Text(T(lang, msgTransferConfirm)),
			app.Button().Type("button").Class("lw-button").Text(T(lang, msgBack)).
				OnClick(func(ctx app.Context, e app.Event) { d.back(d.ui) }),
		),
	)
}
