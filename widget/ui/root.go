package ui

import (
	"context"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The actions components send the root, which owns the page's state.
const (
	// actSelect opens a contact's details; its value is the contact ID.
	actSelect = "liaison.select"
	// actChanged says something changed on the server: the banner and the
	// open views reload.
	actChanged = "liaison.changed"
	// actDraft adds its value, a draftEdit, to the change set being built.
	actDraft = "liaison.draft"
	// actClose closes the open dialog.
	actClose = "liaison.close"
	// actUndraft removes the edit at its value's index from the change set
	// being built, or every edit when the value is -1.
	actUndraft = "liaison.undraft"
)

// The page's tabs.
const (
	tabContacts = "contacts"
	tabSlots    = "slots"
	tabChanges  = "changes"
	tabAudit    = "audit"
)

// The dialogs.
const (
	dialogInvite    = "invite"
	dialogOwnership = "ownership"
)

// draftEdit is the value of actDraft: an edit, and the names of the
// contacts and groups it names by ID.
type draftEdit struct {
	Edit  wire.Edit
	Names map[string]string
}

// newAPI makes the client the page uses; tests replace it to record what
// would be fetched.
var newAPI = func() *Client { return NewClient(app.Getenv("LIAISON_API")) }

// Root is the widget's page. It reads the org from the URL (?org=) and the
// viewer's language from the browser, asks /me what the viewer may do, and
// shows the sections it may use. Everything it shows comes from the API
// after mount: the server pre-renders only the empty shell.
type Root struct {
	app.Compo

	api    *Client
	org    string
	lang   string
	perms  Perms
	ready  bool
	failed string

	tab      string
	selected string
	draft    []wire.Edit
	// names are the names of the contacts and groups the draft's edits
	// name by ID, for showing the draft.
	names  map[string]string
	dialog string
	// rev counts server-side changes; children reload when it moves.
	rev int
	// meSeq numbers /me requests, so that an older answer arriving last
	// cannot overwrite a newer one.
	meSeq int
}

// OnMount starts the page: it runs in the browser only.
func (r *Root) OnMount(ctx app.Context) {
	if !app.IsClient {
		return
	}
	Mark("liaison:mount")
	r.org = app.Window().URL().Query().Get("org")
	r.lang = pickLang(browserLanguages())
	r.tab = tabContacts
	r.api = newAPI()
	ctx.Page().SetLang(r.lang)
	ctx.Handle(actSelect, r.onSelect)
	ctx.Handle(actChanged, r.onChanged)
	ctx.Handle(actDraft, r.onDraft)
	ctx.Handle(actClose, r.onClose)
	ctx.Handle(actUndraft, r.onUndraft)
	startBridge(r.JSValue())
	r.loadMe(ctx)
}

// OnDismount stops the bridge.
func (r *Root) OnDismount() { stopBridge() }

func (r *Root) loadMe(ctx app.Context) {
	api, org, lang := r.api, r.org, r.lang
	if !validOrgID(org) {
		r.failed = T(lang, msgErrNoOrg)
		return
	}
	r.meSeq++
	seq := r.meSeq
	ctx.Async(func() {
		me, err := api.Me(context.Background(), org)
		ctx.Dispatch(func(ctx app.Context) {
			if seq != r.meSeq {
				return // a later request is under way, or answered already
			}
			switch {
			case err == nil:
				if !r.ready {
					Mark("liaison:me")
				}
				r.perms, r.ready = newPerms(me), true
			case !r.ready:
				r.failed = problemText(err, lang)
			}
			// A failed reload keeps the page as it was: every request is
			// checked by the API anyway.
		})
	})
}

func (r *Root) onSelect(ctx app.Context, a app.Action) {
	id, _ := a.Value.(string)
	r.selected = id
}

// onChanged reloads what may have changed: the open views, and /me, since
// a change (an ownership transfer, a role) may change what the viewer may
// do.
func (r *Root) onChanged(ctx app.Context, a app.Action) {
	r.rev++
	r.loadMe(ctx)
}

func (r *Root) onDraft(ctx app.Context, a app.Action) {
	if e, ok := a.Value.(draftEdit); ok {
		r.draft = append(r.draft, e.Edit)
		if r.names == nil {
			r.names = map[string]string{}
		}
		for id, name := range e.Names {
			r.names[id] = name
		}
	}
}

func (r *Root) onClose(ctx app.Context, a app.Action) { r.dialog = "" }

func (r *Root) onUndraft(ctx app.Context, a app.Action) {
	i, _ := a.Value.(int)
	r.draft = undraft(r.draft, i)
}

// selectTab switches tabs.
func (r *Root) selectTab(tab string) { r.tab, r.selected = tab, "" }

// Render draws the page.
func (r *Root) Render() app.UI {
	lang := r.lang
	if !r.ready {
		return app.Main().Class("lw-root").Body(
			app.H1().Class("lw-title").Text(T(lang, msgTitle)),
			loadStatus(lang, r.failed),
		)
	}
	return app.Main().Class("lw-root").DataSet("testid", "app").Body(
		app.H1().Class("lw-title").Text(T(lang, msgTitle)),
		&CompletenessBanner{API: r.api, Org: r.org, Lang: lang, Perms: r.perms, Rev: r.rev},
		r.renderTabs(),
		app.Div().Class("lw-panel").Body(r.renderTab()),
		r.renderDialog(),
	)
}

func (r *Root) renderTabs() app.UI {
	tabs := []struct{ id, label string }{{tabContacts, msgTabContacts}, {tabSlots, msgTabSlots}}
	if r.perms.Can(wire.ActionSubmitChanges) || r.perms.Can(wire.ActionReviewChanges) {
		tabs = append(tabs, struct{ id, label string }{tabChanges, msgTabChanges})
	}
	if r.perms.Can(wire.ActionViewAudit) {
		tabs = append(tabs, struct{ id, label string }{tabAudit, msgTabAudit})
	}
	return app.Nav().Class("lw-tabs").Aria("label", T(r.lang, msgSections)).Body(
		app.Range(tabs).Slice(func(i int) app.UI {
			t := tabs[i]
			b := app.Button().Type("button").Class("lw-tab").DataSet("testid", "tab-"+t.id).
				Aria("pressed", t.id == r.tab).Text(T(r.lang, t.label)).
				OnClick(func(app.Context, app.Event) { r.selectTab(t.id) }, app.EventScope(t.id))
			return b
		}),
		app.If(r.perms.Can(wire.ActionSendInvitations), func() app.UI {
			return app.Button().Type("button").Class("lw-button").DataSet("testid", "open-invite").
				Text(T(r.lang, msgInvite)).OnClick(func(ctx app.Context, e app.Event) { r.dialog = dialogInvite })
		}),
		app.If(r.perms.Can(wire.ActionTransferOwnership), func() app.UI {
			return app.Button().Type("button").Class("lw-button").DataSet("testid", "open-ownership").
				Text(T(r.lang, msgTransfer)).OnClick(func(ctx app.Context, e app.Event) { r.dialog = dialogOwnership })
		}),
	)
}

func (r *Root) renderTab() app.UI {
	switch r.tab {
	case tabSlots:
		return &SlotBoard{API: r.api, Org: r.org, Lang: r.lang, Perms: r.perms, Rev: r.rev}
	case tabChanges:
		return &ChangeSetPanel{API: r.api, Org: r.org, Lang: r.lang, Perms: r.perms, Rev: r.rev, Draft: r.draft, Names: r.names}
	case tabAudit:
		return &AuditTrail{API: r.api, Org: r.org, Lang: r.lang, Rev: r.rev}
	}
	return app.Div().Class("lw-split").Body(
		&ContactList{API: r.api, Org: r.org, Lang: r.lang, Rev: r.rev, Selected: r.selected},
		app.If(r.selected != "", func() app.UI {
			return &ContactDetails{API: r.api, Org: r.org, Lang: r.lang, Perms: r.perms, Rev: r.rev, ID: r.selected}
		}),
	)
}

func (r *Root) renderDialog() app.UI {
	switch r.dialog {
	case dialogInvite:
		return &InviteDialog{API: r.api, Org: r.org, Lang: r.lang, Perms: r.perms}
	case dialogOwnership:
		return &OwnershipDialog{API: r.api, Org: r.org, Lang: r.lang, Perms: r.perms}
	}
	return nil
}

// problemText is the one-line message for a failed load.
func problemText(err error, lang string) string {
	fe := formErrors(err, lang)
	if len(fe.General) > 0 {
		return fe.General[0]
	}
	for _, m := range fe.Fields {
		return m
	}
	return T(lang, msgErrServer)
}

// validOrgID reports whether org can be an org's ID (1 to 64 ASCII
// letters, digits, '-' or '_', as the Service requires): anything else
// from the page's URL, such as "..", must never reach a request path.
func validOrgID(org string) bool {
	if len(org) == 0 || len(org) > 64 {
		return false
	}
	for i := 0; i < len(org); i++ {
		c := org[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
