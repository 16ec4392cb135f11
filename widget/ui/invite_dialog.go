package ui

import (
	"context"
	"slices"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// InviteDialog invites one person in one of the three modes: contacts (add
// and send the invitation), workspace (also add to a workspace the host
// names) or quiet (add, send nothing); or a whole group, in the first two.
// A role may go with it, among those the viewer may grant.
type InviteDialog struct {
	app.Compo

	ui app.Context // from OnMount; see "Contexts" in doc.go

	API   *Client
	Org   string
	Lang  string
	Perms Perms

	form   invitationForm
	groups []wire.Group
	errs   FormErrors
	busy   bool
	sent   bool
	// count is how many invitations a group invitation sent.
	count  int
	dialog modal
}

// OnMount opens the dialog and focuses its first field.
func (d *InviteDialog) OnMount(ctx app.Context) {
	d.ui = ctx
	d.form.Mode = wire.InviteContacts
	d.dialog.open(d.JSValue(), "lw-inv-who")
	d.loadGroups(ctx)
}

// loadGroups lists the groups that may be invited whole.
func (d *InviteDialog) loadGroups(ctx app.Context) {
	if d.API == nil || !app.IsClient {
		return
	}
	api, org := d.API, d.Org
	ctx.Async(func() {
		page, err := api.Groups(context.Background(), org, "")
		ctx.Dispatch(func(ctx app.Context) {
			if err == nil {
				d.groups = page.Items
			}
		})
	})
}

// setGroup switches between inviting one person (group "") and a group.
func (d *InviteDialog) setGroup(group string) {
	d.form.Group = group
	if group != "" && !slices.Contains(groupModes, d.form.Mode) {
		d.form.Mode = wire.InviteContacts
	}
}

// OnDismount returns focus to the opener.
func (d *InviteDialog) OnDismount() { d.dialog.restore() }

// submit checks the form and sends the invitation.
func (d *InviteDialog) submit(ctx app.Context) {
	if d.form.Group != "" {
		d.submitGroup(ctx)
		return
	}
	req, errs := d.form.request(d.Lang)
	d.errs = errs
	if !errs.Empty() || d.API == nil || d.busy {
		return
	}
	d.busy = true
	api, org, lang := d.API, d.Org, d.Lang
	ctx.Async(func() {
		err := api.Invite(context.Background(), org, req)
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

// submitGroup invites the chosen group.
func (d *InviteDialog) submitGroup(ctx app.Context) {
	req, errs := d.form.groupRequest(d.Lang)
	d.errs = errs
	if !errs.Empty() || d.API == nil || d.busy {
		return
	}
	d.busy = true
	api, org, lang, group := d.API, d.Org, d.Lang, d.form.Group
	ctx.Async(func() {
		res, err := api.InviteGroup(context.Background(), org, group, req)
		ctx.Dispatch(func(ctx app.Context) {
			d.busy = false
			d.errs = formErrors(err, lang, "mode", "role", "workspace")
			if err == nil {
				d.sent, d.count = true, res.Sent
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
	modes := inviteModes
	if f.Group != "" {
		modes = groupModes
	}
	return app.Dialog().Class("lw-dialog").DataSet("testid", "invite-dialog").Aria("labelledby", "lw-inv-title").
		On("cancel", func(ctx app.Context, e app.Event) { e.PreventDefault(); closeDialog(ctx) }).Body(
		app.H2().ID("lw-inv-title").Text(T(lang, msgInvite)),
		app.If(d.sent, func() app.UI {
			return app.Div().Body(
				app.P().Class("lw-notice").Attr("role", "status").Text(invitedText(lang, d.form.Group != "", d.count)),
				app.Button().Type("button").ID("lw-inv-done").Class("lw-button lw-primary").Text(T(lang, msgClose)).
					AutoFocus(true).OnClick(func(ctx app.Context, e app.Event) { closeDialog(ctx) }),
			)
		}).Else(func() app.UI {
			return app.Form().Class("lw-form").OnSubmit(func(ctx app.Context, e app.Event) { e.PreventDefault(); d.submit(d.ui) }).Body(
				messages("", d.errs.General),
				app.Div().Class("lw-field").Body(
					app.Label().For("lw-inv-who").Text(T(lang, msgInviteWho)),
					app.Select().ID("lw-inv-who").Class("lw-input").DataSet("testid", "invite-who").
						OnChange(func(ctx app.Context, e app.Event) { d.setGroup(ctx.JSSrc().Get("value").String()) }).
						Body(
							app.Option().Value("").Selected(f.Group == "").Text(T(lang, msgOnePerson)),
							app.Range(d.groups).Slice(func(i int) app.UI {
								g := d.groups[i]
								return app.Option().Value(g.ID).Selected(g.ID == f.Group).Text(T(lang, msgWholeGroup, g.Name))
							}),
						),
				),
				app.FieldSet().Class("lw-modes").Body(
					app.Legend().Text(T(lang, msgInviteMode)),
					app.Range(modes).Slice(func(i int) app.UI {
						m := modes[i]
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
				app.If(f.Group == "", func() app.UI {
					return app.Div().Body(
						field("name", msgName, f.Name, func(v string) { f.Name = v }),
						field("email", msgEmail, f.Email, func(v string) { f.Email = v }),
						field("language", msgLanguageOptional, f.Language, func(v string) { f.Language = v }),
					)
				}),
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
									return app.Option().Value(roles[i]).Selected(roles[i] == f.Role).Text(d.Perms.RoleName(roles[i]))
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

// invitedText is the notice once invitations went out.
func invitedText(lang string, group bool, n int) string {
	if group {
		return T(lang, msgGroupInvited, n)
	}
	return T(lang, msgInvited)
}
