package ui

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// auditPageSize is how many events one page of the trail shows.
const auditPageSize = 50

// AuditTrail lists the org's audit events oldest first, a page at a time.
type AuditTrail struct {
	app.Compo

	ui app.Context // from OnMount; see "Contexts" in doc.go

	API  *Client
	Org  string
	Lang string
	Rev  int

	events  []wire.AuditEvent
	next    string
	loading bool
	failed  string
	// names are the names of the contacts the events name, by ID.
	names map[string]string
	mark  loadMark
}

// OnMount loads the first page.
func (a *AuditTrail) OnMount(ctx app.Context) {
	a.ui = ctx
	a.mark.moved(a.Rev, "")
	a.load(ctx, "")
}

// OnUpdate starts over after a change.
func (a *AuditTrail) OnUpdate(ctx app.Context) {
	if a.mark.moved(a.Rev, "") {
		a.load(ctx, "")
	}
}

func (a *AuditTrail) load(ctx app.Context, after string) {
	if a.API == nil || !app.IsClient || a.loading {
		return
	}
	var seq uint64
	if after != "" {
		n, err := strconv.ParseUint(after, 10, 64)
		if err != nil {
			return
		}
		seq = n
	}
	a.loading = true
	api, org, lang, known := a.API, a.Org, a.Lang, maps.Clone(a.names)
	ctx.Async(func() {
		bg := context.Background()
		page, err := api.Audit(bg, org, seq, auditPageSize)
		names := known
		if names == nil {
			names = map[string]string{}
		}
		for _, id := range auditContacts(page.Items, names) {
			if c, cerr := api.Contact(bg, org, id); cerr == nil {
				names[id] = c.Value.Name
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			a.loading = false
			if err != nil {
				a.failed = problemText(err, lang)
				return
			}
			a.failed, a.names = "", names
			if after == "" {
				a.events = page.Items
			} else {
				a.events = append(a.events, page.Items...)
			}
			a.next = page.Next
		})
	})
}

// Render draws the trail.
func (a *AuditTrail) Render() app.UI {
	lang := a.Lang
	events := a.events
	return app.Section().Class("lw-audit").DataSet("testid", "audit").Aria("labelledby", "lw-audit-title").Body(
		app.H2().ID("lw-audit-title").Text(T(lang, msgTabAudit)),
		app.If(a.failed != "", func() app.UI {
			return app.P().Class("lw-error").DataSet("testid", "error").Attr("role", "alert").Text(a.failed)
		}),
		app.Table().Class("lw-table").Body(
			app.Caption().Text(T(lang, msgAuditCaption)),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("#"),
				app.Th().Scope("col").Text(T(lang, msgTime)),
				app.Th().Scope("col").Text(T(lang, msgActor)),
				app.Th().Scope("col").Text(T(lang, msgAction)),
				app.Th().Scope("col").Text(T(lang, msgTarget)),
			)),
			app.TBody().Body(app.Range(events).Slice(func(i int) app.UI {
				e := events[i]
				return app.Tr().Body(
					app.Td().Text(strconv.FormatUint(e.Seq, 10)),
					app.Td().Body(app.Time().DateTime(e.Time.UTC().Format("2006-01-02T15:04:05Z")).Text(e.Time.UTC().Format("2006-01-02 15:04"))),
					app.Td().Text(auditName(e.Actor, a.names)),
					app.Td().Text(e.Action),
					app.Td().Text(auditName(e.Target, a.names)),
				)
			})),
		),
		app.P().Class("lw-status").Attr("role", "status").Text(auditStatus(lang, a.loading, len(events))),
		app.If(a.next != "", func() app.UI {
			return app.Button().Type("button").Class("lw-button").DataSet("testid", "audit-more").Disabled(a.loading).
				Text(T(lang, msgMore)).OnClick(func(ctx app.Context, e app.Event) { a.load(a.ui, a.next) })
		}),
	)
}

func auditStatus(lang string, loading bool, n int) string {
	switch {
	case loading:
		return T(lang, msgLoading)
	case n == 0:
		return T(lang, msgNoEvents)
	}
	return T(lang, msgEventsShown, n)
}

// auditContactID returns the contact an audit actor ("contact:ID") or
// target ("contact/ID") names, or "".
func auditContactID(s string) string {
	for _, p := range []string{"contact:", "contact/"} {
		if id, ok := strings.CutPrefix(s, p); ok {
			return id
		}
	}
	return ""
}

// auditContacts lists, once each and at most auditPageSize, the contacts
// events name that names lacks.
func auditContacts(events []wire.AuditEvent, names map[string]string) []string {
	var out []string
	for _, e := range events {
		for _, s := range []string{e.Actor, e.Target} {
			id := auditContactID(s)
			if id != "" && names[id] == "" && !slices.Contains(out, id) && len(out) < auditPageSize {
				out = append(out, id)
			}
		}
	}
	return out
}

// auditName shows an audit actor or target by the contact's name where it
// is known, else as recorded.
func auditName(s string, names map[string]string) string {
	if n := names[auditContactID(s)]; n != "" {
		return n
	}
	return s
}
