package ui

import (
	"context"
	"slices"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// ContactDetails shows one contact: its details and availability, its
// roles (grant, revoke), the slots it holds, its consent per purpose
// (withdraw, grant) and its address's verification (request one). Controls
// the viewer may not use are not rendered. In review mode, edits that a
// change set carries (fields, roles, removal) go to the change set being
// built instead of applying at once.
type ContactDetails struct {
	app.Compo

	ui app.Context // from OnMount; see "Contexts" in doc.go

	API   *Client
	Org   string
	Lang  string
	Perms Perms
	Rev   int
	// ID is the contact shown.
	ID string

	contact  wire.Contact
	version  int64
	overview wire.Overview
	slots    []wire.Slot
	loaded   bool
	failed   string

	editing bool
	form    contactForm
	errs    FormErrors
	// role is the role picked in the grant select.
	role   string
	notice string
	busy   bool
	mark   loadMark
}

// OnMount loads the contact.
func (d *ContactDetails) OnMount(ctx app.Context) {
	d.ui = ctx
	d.mark.moved(d.Rev, d.ID)
	d.load(ctx)
}

// OnUpdate reloads when another contact is picked or something changed.
func (d *ContactDetails) OnUpdate(ctx app.Context) {
	if !d.mark.moved(d.Rev, d.ID) {
		return
	}
	if d.mark.key != d.contact.ID {
		d.editing, d.notice, d.errs = false, "", FormErrors{}
	}
	d.load(ctx)
}

func (d *ContactDetails) load(ctx app.Context) {
	if d.API == nil || !app.IsClient || d.ID == "" {
		return
	}
	api, org, id, lang := d.API, d.Org, d.ID, d.Lang
	ctx.Async(func() {
		bg := context.Background()
		c, err := api.Contact(bg, org, id)
		var ov wire.Overview
		var slots wire.Slots
		if err == nil {
			ov, _ = api.Overview(bg, org, id) // the hooks' extras are optional
			slots, err = api.Slots(bg, org)
		}
		ctx.Dispatch(func(ctx app.Context) {
			if id != d.ID {
				return
			}
			d.loaded = true
			if err != nil {
				d.failed = problemText(err, lang)
				return
			}
			d.failed, d.contact, d.version, d.overview, d.slots = "", c.Value, c.Version, ov, slots.Items
		})
	})
}

// apply runs one change against the API and then reloads everything that
// may show it.
func (d *ContactDetails) apply(ctx app.Context, done string, f func(api *Client) error) {
	if d.API == nil || d.busy {
		return
	}
	d.busy, d.notice = true, ""
	api, lang := d.API, d.Lang
	ctx.Async(func() {
		err := f(api)
		ctx.Dispatch(func(ctx app.Context) {
			d.busy = false
			d.errs = formErrors(err, lang, contactFields...)
			if err == nil {
				d.editing, d.notice = false, T(lang, done)
				ctx.NewAction(actChanged)
			}
		})
	})
}

// draft adds an edit to the change set being built.
func (d *ContactDetails) draft(ctx app.Context, e wire.Edit) {
	ctx.NewActionWithValue(actDraft, draftEdit{Edit: e, Names: map[string]string{d.contact.ID: d.contact.Name}})
	d.notice = T(d.Lang, msgAddedToDraft)
}

// flagRemoval adds the contact's removal to the change set.
func (d *ContactDetails) flagRemoval(ctx app.Context) {
	d.draft(ctx, wire.Edit{Kind: wire.EditRemoveContact, Contact: d.contact.ID, Version: d.version})
}

// setRole grants or revokes a role, or drafts it in review mode.
func (d *ContactDetails) setRole(ctx app.Context, role string, grant bool) {
	if role == "" {
		return
	}
	if d.Perms.Review() {
		kind := wire.EditRevokeRole
		if grant {
			kind = wire.EditGrantRole
		}
		d.draft(ctx, wire.Edit{Kind: kind, Contact: d.contact.ID, Version: d.version, Role: role})
		return
	}
	org, id, v := d.Org, d.contact.ID, d.version
	d.apply(ctx, msgSaved, func(api *Client) error {
		_, err := api.SetRole(context.Background(), org, id, role, v, grant)
		return err
	})
}

// save sends the edit form's changes.
func (d *ContactDetails) save(ctx app.Context) {
	p, changed := contactPatch(d.contact, d.form)
	if !changed {
		d.editing = false
		return
	}
	if d.Perms.Review() {
		d.draft(ctx, wire.Edit{Kind: wire.EditContact, Contact: d.contact.ID, Version: d.version, Patch: &p})
		d.editing = false
		return
	}
	org, id, v := d.Org, d.contact.ID, d.version
	d.apply(ctx, msgSaved, func(api *Client) error {
		_, err := api.PatchContact(context.Background(), org, id, v, p)
		return err
	})
}

func (d *ContactDetails) setConsent(ctx app.Context, purpose string, granted bool) {
	org, id := d.Org, d.contact.ID
	d.apply(ctx, msgSaved, func(api *Client) error {
		_, err := api.SetConsent(context.Background(), org, id, purpose, granted)
		return err
	})
}

func (d *ContactDetails) requestVerification(ctx app.Context) {
	org, id := d.Org, d.contact.ID
	d.apply(ctx, msgVerificationSent, func(api *Client) error {
		return api.RequestVerification(context.Background(), org, id)
	})
}

func (d *ContactDetails) startEdit(ctx app.Context) {
	d.editing, d.form, d.errs = true, formOf(d.contact), FormErrors{}
	focusAfterUpdate(ctx, "lw-f-name")
}

// stopEdit leaves the form unsaved and gives focus back to the edit button.
func (d *ContactDetails) stopEdit(ctx app.Context) {
	d.editing = false
	focusAfterUpdate(ctx, "lw-edit")
}

// Render draws the details.
func (d *ContactDetails) Render() app.UI {
	lang := d.Lang
	if !d.loaded || d.failed != "" {
		return app.Section().Class("lw-details").Body(loadStatus(lang, d.failed))
	}
	c := d.contact
	canEdit := d.Perms.CanEdit(c)
	self := d.Perms.Self() == c.ID
	return app.Section().Class("lw-details").DataSet("testid", "details").Aria("labelledby", "lw-details-title").Body(
		app.H2().ID("lw-details-title").Text(c.Name),
		messages(d.notice, d.errs.General),
		app.If(d.editing, d.renderForm).Else(d.renderFacts),
		app.If(canEdit && !d.editing, func() app.UI {
			return app.Div().Class("lw-actions").Body(
				app.Button().Type("button").ID("lw-edit").Class("lw-button").DataSet("testid", "edit").
					Text(T(lang, msgEdit)).OnClick(func(ctx app.Context, e app.Event) { d.startEdit(d.ui) }),
				app.Button().Type("button").Class("lw-button lw-danger").DataSet("testid", "flag-removal").
					Text(T(lang, msgFlagRemoval)).OnClick(func(ctx app.Context, e app.Event) { d.flagRemoval(ctx) }),
			)
		}),
		d.renderRoles(canEdit),
		d.renderSlots(),
		d.renderConsent(canEdit && d.Perms.Can(wire.ActionManageConsent) || self),
		d.renderVerification(canEdit || self),
		d.renderOverview(),
	)
}

func (d *ContactDetails) renderFacts() app.UI {
	lang, c := d.Lang, d.contact
	row := func(label string, value app.UI) app.UI {
		return app.Div().Class("lw-fact").Body(app.Dt().Text(T(lang, label)), app.Dd().Body(value))
	}
	email := app.UI(app.Text(c.Email))
	if href := mailtoHref(c.Email); href != "" {
		email = app.A().Href(href).Text(c.Email)
	}
	phone := app.UI(app.Text(c.Phone))
	if href := telHref(c.Phone); href != "" {
		phone = app.A().Href(href).Text(c.Phone)
	}
	avail := T(lang, availabilityMsg(c.Availability))
	return app.Dl().Class("lw-facts").Body(
		row(msgEmail, email),
		app.If(c.Phone != "", func() app.UI { return row(msgPhone, phone) }),
		app.If(c.Title != "", func() app.UI { return row(msgJobTitle, app.Text(c.Title)) }),
		row(msgLanguage, app.Text(c.Language)),
		row(msgAvailability, app.Text(avail)),
		row(msgStatus, app.Text(statusText(lang, c.Status))),
	)
}

func (d *ContactDetails) renderForm() app.UI {
	lang := d.Lang
	field := func(id, label, value string, set func(string)) app.UI {
		errID := "lw-err-" + id
		msg := d.errs.Field(id)
		in := app.Input().ID("lw-f-"+id).Class("lw-input").Type("text").Value(value).
			OnInput(func(ctx app.Context, e app.Event) { set(ctx.JSSrc().Get("value").String()) }, app.EventScope(id))
		if msg != "" {
			in = in.Aria("invalid", true).Aria("describedby", errID)
		}
		return app.Div().Class("lw-field").Body(
			app.Label().For("lw-f-"+id).Text(T(lang, label)),
			in,
			app.If(msg != "", func() app.UI { return app.P().ID(errID).Class("lw-field-error").Text(msg) }),
		)
	}
	f := &d.form
	avail := []string{"", "available", "busy", "offline"}
	return app.Form().Class("lw-form").DataSet("testid", "contact-form").
		OnSubmit(func(ctx app.Context, e app.Event) { e.PreventDefault(); d.save(d.ui) }).Body(
		field("name", msgName, f.Name, func(v string) { f.Name = v }),
		field("email", msgEmail, f.Email, func(v string) { f.Email = v }),
		field("phone", msgPhone, f.Phone, func(v string) { f.Phone = v }),
		field("title", msgJobTitle, f.Title, func(v string) { f.Title = v }),
		field("language", msgLanguage, f.Language, func(v string) { f.Language = v }),
		app.Div().Class("lw-field").Body(
			app.Label().For("lw-f-availability").Text(T(lang, msgAvailability)),
			app.Select().ID("lw-f-availability").Class("lw-input").
				OnChange(func(ctx app.Context, e app.Event) { f.Availability = ctx.JSSrc().Get("value").String() }).
				Body(app.Range(avail).Slice(func(i int) app.UI {
					return app.Option().Value(avail[i]).Selected(avail[i] == f.Availability).Text(T(lang, availabilityMsg(avail[i])))
				})),
			app.If(d.errs.Field("availability") != "", func() app.UI {
				return app.P().Class("lw-field-error").Text(d.errs.Field("availability"))
			}),
		),
		app.Div().Class("lw-actions").Body(
			app.Button().Type("submit").Class("lw-button lw-primary").Disabled(d.busy).Text(T(lang, saveMsg(d.Perms))),
			app.Button().Type("button").Class("lw-button").Text(T(lang, msgCancel)).
				OnClick(func(ctx app.Context, e app.Event) { d.stopEdit(d.ui) }),
		),
	)
}

// saveMsg names the save button: in review mode saving adds to the change
// set.
func saveMsg(p Perms) string {
	if p.Review() {
		return msgAddToDraft
	}
	return msgSave
}

func (d *ContactDetails) renderRoles(canEdit bool) app.UI {
	lang, c := d.Lang, d.contact
	roles := c.Roles
	canRevoke := canEdit && d.Perms.Can(wire.ActionRevokeRole)
	var grantable []string
	if canEdit && d.Perms.Can(wire.ActionGrantRole) {
		for _, r := range d.Perms.GrantableRoles() {
			if !slices.Contains(roles, r) {
				grantable = append(grantable, r)
			}
		}
	}
	if d.role != "" && !slices.Contains(grantable, d.role) {
		d.role = ""
	}
	if d.role == "" && len(grantable) > 0 {
		d.role = grantable[0]
	}
	return app.Section().Class("lw-block").Aria("labelledby", "lw-roles-title").Body(
		app.H3().ID("lw-roles-title").Text(T(lang, msgRoles)),
		app.If(len(roles) == 0, func() app.UI { return app.P().Text(T(lang, msgNone)) }),
		app.Ul().Class("lw-chips").DataSet("testid", "roles").Body(app.Range(roles).Slice(func(i int) app.UI {
			r := roles[i]
			return app.Li().Class("lw-chip").Body(
				app.Span().Text(d.Perms.RoleName(r)),
				app.If(canRevoke && d.Perms.CanGrant(r), func() app.UI {
					return app.Button().Type("button").Class("lw-chip-button").DataSet("testid", "revoke-role").
						Aria("label", T(lang, msgRevokeRole, d.Perms.RoleName(r))).Text("×").
						OnClick(func(ctx app.Context, e app.Event) { d.setRole(d.ui, r, false) }, app.EventScope(r))
				}),
			)
		})),
		app.If(len(grantable) > 0, func() app.UI {
			return app.Div().Class("lw-inline").Body(
				app.Label().For("lw-grant-role").Text(T(lang, msgRole)),
				app.Select().ID("lw-grant-role").Class("lw-input").
					OnChange(func(ctx app.Context, e app.Event) { d.role = ctx.JSSrc().Get("value").String() }).
					Body(app.Range(grantable).Slice(func(i int) app.UI {
						return app.Option().Value(grantable[i]).Selected(grantable[i] == d.role).Text(d.Perms.RoleName(grantable[i]))
					})),
				app.Button().Type("button").Class("lw-button").DataSet("testid", "grant-role").Disabled(d.busy).
					Text(T(lang, msgGrant)).OnClick(func(ctx app.Context, e app.Event) { d.setRole(d.ui, d.role, true) }),
			)
		}),
	)
}

func (d *ContactDetails) renderSlots() app.UI {
	lang := d.Lang
	held := slotsHeld(d.slots, d.contact.ID)
	return app.Section().Class("lw-block").Aria("labelledby", "lw-held-title").Body(
		app.H3().ID("lw-held-title").Text(T(lang, msgSlotsHeld)),
		app.If(len(held) == 0, func() app.UI { return app.P().Text(T(lang, msgNone)) }),
		app.Ul().Class("lw-chips").Body(app.Range(held).Slice(func(i int) app.UI {
			return app.Li().Class("lw-chip").Text(held[i])
		})),
	)
}

func (d *ContactDetails) renderConsent(canChange bool) app.UI {
	lang := d.Lang
	rows := consentRows(d.contact, d.slots, d.Perms.Purposes())
	return app.Section().Class("lw-block").Aria("labelledby", "lw-consent-title").Body(
		app.H3().ID("lw-consent-title").Text(T(lang, msgConsent)),
		app.If(len(rows) == 0, func() app.UI { return app.P().Text(T(lang, msgNone)) }),
		app.Ul().Class("lw-rows").DataSet("testid", "consent").Body(app.Range(rows).Slice(func(i int) app.UI {
			r := rows[i]
			state := consentState(r, d.Perms.ContactsConfirmed())
			return app.Li().Class("lw-row").DataSet("state", state).Body(
				app.Span().Class("lw-row-label").Text(r.Name),
				app.Span().Class("lw-badge").Text(T(lang, consentStateMsg[state])),
				app.If(canChange, func() app.UI {
					label, to := msgWithdraw, false
					if !r.Granted {
						label, to = msgGrant, true
					}
					return app.Button().Type("button").Class("lw-button").DataSet("testid", "consent-"+r.Purpose).
						Disabled(d.busy).Aria("label", T(lang, label)+" — "+r.Name).Text(T(lang, label)).
						OnClick(func(ctx app.Context, e app.Event) { d.setConsent(d.ui, r.Purpose, to) }, app.EventScope(r.Purpose, to))
				}),
			)
		})),
	)
}

func (d *ContactDetails) renderVerification(canRequest bool) app.UI {
	lang := d.Lang
	state := d.contact.Verification
	return app.Section().Class("lw-block").Aria("labelledby", "lw-verify-title").Body(
		app.H3().ID("lw-verify-title").Text(T(lang, msgVerification)),
		app.P().Body(app.Span().Class("lw-badge lw-verify-"+verificationClass(state)).Text(T(lang, verificationMsg(state)))),
		app.If(canRequest && state != "verified", func() app.UI {
			return app.Button().Type("button").Class("lw-button").DataSet("testid", "request-verification").
				Disabled(d.busy).Text(T(lang, msgRequestVerification)).
				OnClick(func(ctx app.Context, e app.Event) { d.requestVerification(d.ui) })
		}),
	)
}

func (d *ContactDetails) renderOverview() app.UI {
	lang, ov := d.Lang, d.overview
	var actions []wire.QuickAction
	for _, a := range ov.Actions {
		if safeActionURL(a.URL) {
			actions = append(actions, a)
		}
	}
	if len(ov.Groups) == 0 && len(ov.Workspaces) == 0 && len(actions) == 0 {
		return nil
	}
	return app.Section().Class("lw-block").Aria("labelledby", "lw-groups-title").Body(
		app.H3().ID("lw-groups-title").Text(T(lang, msgGroups)),
		app.Ul().Class("lw-chips").Body(app.Range(ov.Groups).Slice(func(i int) app.UI {
			return app.Li().Class("lw-chip").Text(ov.Groups[i].Name)
		})),
		app.If(len(ov.Workspaces) > 0, func() app.UI {
			return app.Div().Body(
				app.H3().Text(T(lang, msgWorkspaces)),
				app.Ul().Class("lw-chips").Body(app.Range(ov.Workspaces).Slice(func(i int) app.UI {
					return app.Li().Class("lw-chip").Text(ov.Workspaces[i].Name)
				})),
			)
		}),
		app.If(len(actions) > 0, func() app.UI {
			return app.Div().Class("lw-actions").Aria("label", T(lang, msgQuickActions)).Body(
				app.Range(actions).Slice(func(i int) app.UI {
					a := actions[i]
					return app.Button().Type("button").Class("lw-button").DataSet("testid", "quick-"+a.Kind).Text(a.Label).
						OnClick(func(app.Context, app.Event) { openAction(a.URL) }, app.EventScope(a.Kind, a.URL))
				}),
			)
		}),
	)
}

// openAction opens a host's quick action in a new tab, without giving it
// a handle on the widget.
func openAction(u string) {
	if app.IsClient && safeActionURL(u) {
		app.Window().Call("open", u, "_blank", "noopener,noreferrer")
	}
}

func verificationClass(s string) string {
	switch s {
	case "verified", "invalid":
		return s
	}
	return "unverified"
}

func verificationMsg(s string) string {
	switch s {
	case "verified":
		return msgVerified
	case "invalid":
		return msgInvalidAddress
	}
	return msgUnverified
}

// consentState is a purpose's state as a word for data-state: granted or
// withdrawn (the contact chose), default (granted because the contact never
// chose and the purpose is granted by default) or none (never given).
func consentState(r consentRow, confirmed bool) string {
	switch {
	case !r.Explicit && r.Granted && !confirmed:
		// A default grant is not in force until the org has confirmed
		// its contacts: the Service contacts nobody for it yet.
		return "pending"
	case !r.Explicit && r.Granted:
		return "default"
	case !r.Explicit:
		return "none"
	case r.Granted:
		return "granted"
	}
	return "withdrawn"
}

// consentStateMsg names each consent state.
var consentStateMsg = map[string]string{
	"default": msgConsentDefault, "pending": msgConsentPending, "none": msgConsentNone,
	"granted": msgConsentGranted, "withdrawn": msgConsentWithdrawn,
}

// statusText names a contact's status in the viewer's language, or as the
// API sent it when it is not a known one.
func statusText(lang, s string) string {
	switch s {
	case "active":
		return T(lang, msgStatusActive)
	case "invited":
		return T(lang, msgStatusInvited)
	}
	return s
}
