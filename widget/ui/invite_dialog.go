package ui

import (
	"context"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// InviteDialog invites one person in one of the three modes: contacts (add
// and send the invitation), workspace (also add to a workspace the host
// names) or quiet (add, send nothing). A role may go with it, among those
// the viewer may grant.
type InviteDialog struct {
	app.Compo

	ui app.Context // from OnMount; see "Contexts" in doc.go

	API   *Client
	Org   string
	Lang  string
	Perms Perms

	form   invitationForm
	errs   FormErrors
	busy   bool
	sent   bool
	dialog modal
}

// OnMount opens the dialog and focuses its first field.
func (d *InviteDialog) OnMount(ctx app.Context) {
	d.ui = ctx
	d.form.Mode = wire.InviteContacts
	d.dialog.open(d.JSValue(), "lw-inv-name")
}

// OnDismount returns focus to the opener.
func (d *InviteDialog) OnDismount() { d.dialog.restore() }

// submit checks the form and sends the invitation.
func (d *InviteDialog) submit(ctx app.Context) {
	req, errs := d.form.request(d.Lang)
	d.errs = errs
	if !errs.Empty() || d.API == nil || d.busy {
		return
	}
	d.busy = true
	api, org, lang := d.API, d.Org, d.Lang
	ctx.Async(func() {
		_, err := api.Invite(context.Background(), org, req)
		ctx.Dispatch(func(ctx app.Context) {
			d.busy = false
			d.errs = formErrors(err, lang, "mode", "name", "email", "language", "role", "workspace")
			if err == nil {
				d.sent = true
				focusAfterUpdate(ctx, "lw-inv-done")
				ctx.NewAction(actChanged)
			}
		})
	})
}

// Render draws the dialog.
func (d *InviteDialog) Render() app.UI {
	lang := d.Lang
	f := &d.form
	field := func(id, label, value string, set func(string)) app.UI {
		msg := d.errs.Field(id)
		in := app.Input().ID("lw-inv-"+id).Class("lw-input").Type("text").Value(value).
			OnInput(func(ctx app.Context, e app.Event) { set(ctx.JSSrc().Get("value").String()) }, app.EventScope(id))
		if id == "email" {
			in = in.Type("email")
		}
		if msg != "" {
			in = in.Aria("invalid", true).Aria("describedby", "lw-inv-err-"+id)
		}
		return app.Div().Class("lw-field").Body(
			app.Label().For("lw-inv-"+id).Text(T(lang, label)),
			in,
			app.If(msg != "", func() app.UI { return app.P().ID("lw-inv-err-" + id).Class("lw-field-error").Text(msg) }),
		)
	}
	roles := d.Perms.GrantableRoles()
	return app.Dialog().Class("lw-dialog").DataSet("testid", "invite-dialog").Aria("labelledby", "lw-inv-title").
		On("cancel", func(ctx app.Context, e app.Event) { e.PreventDefault(); closeDialog(ctx) }).Body(
		app.H2().ID("lw-inv-title").Text(T(lang, msgInvite)),
		app.If(d.sent, func() app.UI {
			return app.Div().Body(
				app.P().Class("lw-notice").Attr("role", "status").Text(T(lang, msgInvited)),
				app.Button().Type("button").ID("lw-inv-done").Class("lw-button lw-primary").Text(T(lang, msgClose)).
					AutoFocus(true).OnClick(func(ctx app.Context, e app.Event) { closeDialog(ctx) }),
			)
		}).Else(func() app.UI {
			return app.Form().Class("lw-form").OnSubmit(func(ctx app.Context, e app.Event) { e.PreventDefault(); d.submit(d.ui) }).Body(
				messages("", d.errs.General),
				app.FieldSet().Class("lw-modes").Body(
					app.Legend().Text(T(lang, msgInviteMode)),
					app.Range(inviteModes).Slice(func(i int) app.UI {
						m := inviteModes[i]
						id := "lw-inv-mode-" + m
						return app.Div().Class("lw-radio").Body(
							app.Input().Type("radio").ID(id).Name("mode").Value(m).Checked(f.Mode == m).DataSet("testid", "mode-"+m).
								OnChange(func(ctx app.Context, e app.Event) { f.Mode = m }, app.EventScope(m)),
							app.Label().For(id).Body(
								app.Strong().Text(T(lang, modeMsg(m))),
								app.Span().Class("lw-hint").Text(" "+T(lang, modeHintMsg(m))),
							),
						)
					}),
					app.If(d.errs.Field("mode") != "", func() app.UI {
						return app.P().Class("lw-field-error").Text(d.errs.Field("mode"))
					}),
				),
				field("name", msgName, f.Name, func(v string) { f.Name = v }),
				field("email", msgEmail, f.Email, func(v string) { f.Email = v }),
				field("language", msgLanguageOptional, f.Language, func(v string) { f.Language = v }),
				app.If(f.Mode == wire.InviteWorkspace, func() app.UI {
					return field("workspace", msgWorkspace, f.Workspace, func(v string) { f.Workspace = v })
				}),
				app.If(len(roles) > 0, func() app.UI {
					return app.Div().Class("lw-field").Body(
						app.Label().For("lw-inv-role").Text(T(lang, msgRole)),
						app.Select().ID("lw-inv-role").Class("lw-input").
							OnChange(func(ctx app.Context, e app.Event) { f.Role = ctx.JSSrc().Get("value").String() }).
							Body(
								app.Option().Value("").Selected(f.Role == "").Text(T(lang, msgNoRole)),
								app.Range(roles).Slice(func(i int) app.UI {
									return app.Option().Value(roles[i]).Selected(roles[i] == f.Role).Text(roles[i])
								}),
							),
						app.If(d.errs.Field("role") != "", func() app.UI { return app.P().Class("lw-field-error").Text(d.errs.Field("role")) }),
					)
				}),
				app.Div().Class("lw-actions").Body(
					app.Button().Type("submit").Class("lw-button lw-primary").DataSet("testid", "send-invite").
						Disabled(d.busy).Text(T(lang, msgSendInvite)),
					app.Button().Type("button").Class("lw-button").Text(T(lang, msgCancel)).
						OnClick(func(ctx app.Context, e app.Event) { closeDialog(ctx) }),
				),
			)
		}),
	)
}

func modeMsg(m string) string {
	switch m {
	case wire.InviteWorkspace:
		return msgModeWorkspace
	case wire.InviteQuiet:
		return msgModeQuiet
	}
	return msgModeContacts
}

func modeHintMsg(m string) string {
	switch m {
	case wire.InviteWorkspace:
		return msgModeWorkspaceHint
	case wire.InviteQuiet:
		return msgModeQuietHint
	}
	return msgModeContactsHint
}
