package ui

import (
	"context"
	"time"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// searchDelay is how long the list waits after the last keystroke before
// it searches, so typing a name costs one request, not one per letter.
const searchDelay = 300 * time.Millisecond

// pageSize is how many contacts one "more" fetches.
const pageSize = 50

// firstRows is how many rows a new first page draws in its first frame,
// about what the list's first screen shows; the rest of the page follows
// in the next frame, so the first rows need not wait for all of them.
const firstRows = 15

// ContactList is the directory: a search box, a filter, an optional team
// or client group, and the contacts in the directory's stable order, a
// page at a time.
type ContactList struct {
	app.Compo

	ui app.Context // from OnMount; see "Contexts" in doc.go

	API  *Client
	Org  string
	Lang string
	Rev  int
	// Selected is the contact whose details are open.
	Selected string

	query    DirectoryQuery
	contacts []wire.Contact
	next     string
	groups   []wire.Group
	// groupsAsked says the groups were asked for, once, after the first
	// page of contacts.
	groupsAsked bool
	// rows, when not 0, is how many contacts Render draws: the first
	// frame of a new first page (firstRows).
	rows    int
	loading bool
	failed  string
	// seq numbers searches, so a slow answer to an old one is dropped.
	seq  int
	mark loadMark
}

// OnMount loads the first page; the groups for the filters follow it.
func (l *ContactList) OnMount(ctx app.Context) {
	l.ui = ctx
	l.mark.moved(l.Rev, "")
	l.search(ctx)
}

// OnUpdate reloads after a change elsewhere.
func (l *ContactList) OnUpdate(ctx app.Context) {
	if l.mark.moved(l.Rev, "") {
		l.search(ctx)
	}
}

// setText records the search text and searches once typing pauses.
func (l *ContactList) setText(ctx app.Context, text string) {
	l.query.Text = text
	l.seq++
	seq := l.seq
	ctx.After(searchDelay, func(ctx app.Context) {
		if seq == l.seq {
			l.search(ctx)
		}
	})
}

// setFilter changes the filter, dropping a group that does not fit it.
func (l *ContactList) setFilter(ctx app.Context, filter string) {
	l.query.Filter = filter
	l.query.Group = ""
	l.search(ctx)
}

func (l *ContactList) setGroup(ctx app.Context, group string) {
	l.query.Group = group
	l.search(ctx)
}

// search loads the first page of the current query.
func (l *ContactList) search(ctx app.Context) { l.fetch(ctx, "") }

// more loads the page after the last one shown.
func (l *ContactList) more(ctx app.Context) { l.fetch(ctx, l.next) }

func (l *ContactList) fetch(ctx app.Context, after string) {
	if l.API == nil || !app.IsClient {
		return
	}
	l.seq++
	seq := l.seq
	q := l.query
	q.After, q.Limit = after, pageSize
	api, org, lang := l.API, l.Org, l.Lang
	l.loading = true
	ctx.Async(func() {
		page, err := api.Directory(context.Background(), org, q)
		ctx.Dispatch(func(ctx app.Context) {
			if seq != l.seq {
				return // a newer search is on its way
			}
			l.loading = false
			if err != nil {
				l.failed = problemText(err, lang)
				return
			}
			l.failed = ""
			if after == "" {
				l.contacts = appendPage(nil, page.Contacts)
				l.drawInTwoFrames(ctx)
			} else {
				l.contacts = appendPage(l.contacts, page.Contacts)
				l.rows = 0
			}
			l.next = page.Next
			if !l.groupsAsked {
				Mark("liaison:list")
				// Only now: the first rows go first, and the groups are
				// needed only once someone picks a group filter.
				l.groupsAsked = true
				l.loadGroups(ctx)
			}
		})
	})
}

// drawInTwoFrames has a new first page drawn firstRows rows first, and
// the rest a display frame after that update is done, so the browser can
// show the first rows before it has built the others.
func (l *ContactList) drawInTwoFrames(ctx app.Context) {
	if len(l.contacts) <= firstRows {
		l.rows = 0
		return
	}
	l.rows = firstRows
	ctx.Defer(func(ctx app.Context) {
		// Unconditionally: a newer page has set its own limit, and
		// lifting that early only draws its rows sooner.
		ctx.After(displayFrame, func(ctx app.Context) { l.rows = 0 })
	})
}

// displayFrame is about one frame of a 60 Hz display.
const displayFrame = 17 * time.Millisecond

func (l *ContactList) loadGroups(ctx app.Context) {
	if l.API == nil || !app.IsClient {
		return
	}
	api, org := l.API, l.Org
	ctx.Async(func() {
		var all []wire.Group
		after := ""
		for range 20 { // at most 20 pages of groups for the filter
			page, err := api.Groups(context.Background(), org, after)
			if err != nil {
				break
			}
			all = append(all, page.Items...)
			if after = page.Next; after == "" {
				break
			}
		}
		ctx.Dispatch(func(ctx app.Context) { l.groups = all })
	})
}

// Render draws the search controls and the list.
func (l *ContactList) Render() app.UI {
	lang := l.Lang
	kind := groupKindOf(l.query.Filter)
	var groups []wire.Group
	for _, g := range l.groups {
		if g.Kind == kind {
			groups = append(groups, g)
		}
	}
	contacts := l.contacts
	if l.rows > 0 && l.rows < len(contacts) {
		contacts = contacts[:l.rows]
	}
	return app.Section().Class("lw-list").Aria("labelledby", "lw-list-title").Body(
		app.H2().ID("lw-list-title").Text(T(lang, msgTabContacts)),
		app.Div().Class("lw-search").Attr("role", "search").Body(
			app.Div().Class("lw-field").Body(
				app.Label().For("lw-q").Text(T(lang, msgSearch)),
				app.Input().ID("lw-q").Type("search").Class("lw-input").DataSet("testid", "search").
					Value(l.query.Text).AutoComplete(false).
					OnInput(func(ctx app.Context, e app.Event) { l.setText(l.ui, ctx.JSSrc().Get("value").String()) }),
			),
			app.Div().Class("lw-field").Body(
				app.Label().For("lw-filter").Text(T(lang, msgFilter)),
				app.Select().ID("lw-filter").Class("lw-input").DataSet("testid", "filter").
					OnChange(func(ctx app.Context, e app.Event) { l.setFilter(l.ui, ctx.JSSrc().Get("value").String()) }).
					Body(app.Range(directoryFilters).Slice(func(i int) app.UI {
						f := directoryFilters[i]
						return app.Option().Value(f).Selected(f == l.query.Filter || l.query.Filter == "" && f == wire.FilterAll).
							Text(T(lang, filterMsg(f)))
					})),
			),
			app.If(kind != "", func() app.UI {
				return app.Div().Class("lw-field").Body(
					app.Label().For("lw-group").Text(T(lang, msgGroup)),
					app.Select().ID("lw-group").Class("lw-input").DataSet("testid", "group").
						OnChange(func(ctx app.Context, e app.Event) { l.setGroup(l.ui, ctx.JSSrc().Get("value").String()) }).
						Body(
							app.Option().Value("").Selected(l.query.Group == "").Text(T(lang, msgAnyGroup)),
							app.Range(groups).Slice(func(i int) app.UI {
								g := groups[i]
								return app.Option().Value(g.ID).Selected(g.ID == l.query.Group).Text(g.Name)
							}),
						),
				)
			}),
		),
		app.If(l.failed != "", func() app.UI {
			return app.P().Class("lw-error").DataSet("testid", "error").Attr("role", "alert").Text(l.failed)
		}),
		app.P().Class("lw-status").Attr("role", "status").Aria("live", "polite").Text(listStatus(lang, l.loading, len(l.contacts), l.next != "")),
		app.Ul().Class("lw-contacts").DataSet("testid", "contacts").Body(
			app.Range(contacts).Slice(func(i int) app.UI {
				c := contacts[i]
				// Attr, not DataSet and Aria, which format every value
				// with fmt: this runs for every row of every render.
				return app.Li().Class("lw-contact").Body(
					app.Button().Type("button").Class("lw-contact-button").Attr("data-testid", "contact").
						Attr("aria-current", c.ID == l.Selected).
						OnClick(func(ctx app.Context, e app.Event) { ctx.NewActionWithValue(actSelect, c.ID) }, app.EventScope(c.ID)).
						Body(
							app.Span().Class("lw-name").Text(c.Name),
							app.Span().Class("lw-email").Text(c.Email),
							app.If(c.Availability != "", func() app.UI {
								return app.Span().Class("lw-badge").Text(T(lang, availabilityMsg(c.Availability)))
							}),
						),
				)
			}),
		),
		app.If(l.next != "", func() app.UI {
			return app.Button().Type("button").Class("lw-button").DataSet("testid", "more").Disabled(l.loading).
				Text(T(lang, msgMore)).OnClick(func(ctx app.Context, e app.Event) { l.more(l.ui) })
		}),
	)
}

// listStatus says how many contacts are shown, for screen readers too.
func listStatus(lang string, loading bool, n int, more bool) string {
	switch {
	case loading:
		return T(lang, msgLoading)
	case n == 0:
		return T(lang, msgNoContacts)
	case more:
		return T(lang, msgShownMore, n)
	}
	return T(lang, msgShown, n)
}

func filterMsg(f string) string {
	switch f {
	case wire.FilterInternal:
		return msgFilterInternal
	case wire.FilterTeams:
		return msgFilterTeams
	case wire.FilterClients:
		return msgFilterClients
	case wire.FilterAvailableClients:
		return msgFilterAvailableClients
	case wire.FilterClientGroups:
		return msgFilterClientGroups
	}
	return msgFilterAll
}

func availabilityMsg(a string) string {
	switch a {
	case "available":
		return msgAvailable
	case "busy":
		return msgBusy
	case "offline":
		return msgOffline
	}
	return msgUnknown
}
