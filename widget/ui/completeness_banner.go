package ui

import (
	"context"
	"maps"
	"slices"

	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// CompletenessBanner shows what the org still has to do, on every load and
// after every change, while anything is open; it shows nothing once all
// is done.
type CompletenessBanner struct {
	app.Compo

	ui app.Context // from OnMount; see "Contexts" in doc.go

	API   *Client
	Org   string
	Lang  string
	Perms Perms
	// Rev changes when something changed on the server: the banner reloads.
	Rev int

	report   wire.Completeness
	loaded   bool
	expanded bool
	failed   string
	busy     bool
	// names are the names of the contacts (by ID) and slots (by key)
	// findings name.
	names map[string]string
	mark  loadMark
}

// OnMount loads the findings.
func (b *CompletenessBanner) OnMount(ctx app.Context) {
	b.ui = ctx
	b.mark.moved(b.Rev, "")
	b.load(ctx)
}

// OnUpdate reloads them when Rev moves.
func (b *CompletenessBanner) OnUpdate(ctx app.Context) {
	if b.mark.moved(b.Rev, "") {
		b.load(ctx)
	}
}

func (b *CompletenessBanner) load(ctx app.Context) {
	if b.API == nil || !app.IsClient {
		return
	}
	api, org, lang, known := b.API, b.Org, b.Lang, maps.Clone(b.names)
	ctx.Async(func() {
		bg := context.Background()
		rep, err := api.Completeness(bg, org)
		names := known
		if names == nil {
			names = map[string]string{}
		}
		if slotFindings(rep.Findings) {
			if slots, serr := api.Slots(bg, org); serr == nil {
				for _, s := range slots.Items {
					if s.Name != "" {
						names[s.Key] = s.Name
					}
				}
			}
		}
		for _, id := range findingContacts(rep.Findings, names, maxNamedFindings) {
			if c, cerr := api.Contact(bg, org, id); cerr == nil {
				names[id] = c.Value.Name
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			b.loaded = true
			if err != nil {
				b.failed = problemText(err, lang)
				return
			}
			b.report, b.names, b.failed = rep, names, ""
		})
	})
}

// confirm records that the contacts are current, then reloads everything.
func (b *CompletenessBanner) confirm(ctx app.Context) {
	if b.API == nil || b.busy {
		return
	}
	b.busy = true
	api, org, lang := b.API, b.Org, b.Lang
	ctx.Async(func() {
		err := api.ConfirmReview(context.Background(), org)
		ctx.Dispatch(func(ctx app.Context) {
			b.busy = false
			if err != nil {
				b.failed = problemText(err, lang)
				return
			}
			ctx.NewAction(actChanged)
		})
	})
}

// reviewDue reports whether a finding asks for the contacts to be
// confirmed, which the viewer may do in one step.
func reviewDue(c wire.Completeness) bool {
	for _, f := range c.Findings {
		switch f.Kind {
		case "never_confirmed", "review_overdue", "stale_contact":
			return true
		}
	}
	return false
}

// Render draws the banner, or nothing when no finding is open.
func (b *CompletenessBanner) Render() app.UI {
	lang := b.Lang
	if b.failed != "" {
		return app.Div().Class("lw-banner lw-banner-error").Attr("role", "alert").Text(b.failed)
	}
	if !b.loaded || len(b.report.Findings) == 0 {
		return app.Div().Class("lw-banner-empty").Aria("hidden", true)
	}
	errs, warns := bannerCounts(b.report)
	kind := "lw-banner-warning"
	if errs > 0 {
		kind = "lw-banner-error"
	}
	findings := b.report.Findings
	return app.Section().Class("lw-banner "+kind).Attr("role", "status").DataSet("testid", "completeness").
		Aria("labelledby", "lw-banner-title").Body(
		app.P().ID("lw-banner-title").Class("lw-banner-title").Text(T(lang, msgBannerSummary, errs, warns)),
		app.If(b.Perms.Can(wire.ActionConfirmReview) && reviewDue(b.report), func() app.UI {
			return app.Button().Type("button").Class("lw-button lw-primary").DataSet("testid", "confirm-review").
				Disabled(b.busy).Text(T(lang, msgConfirmReview)).OnClick(func(ctx app.Context, e app.Event) { b.confirm(b.ui) })
		}),
		app.Button().Type("button").Class("lw-link").Aria("expanded", b.expanded).Aria("controls", "lw-banner-list").
			Text(T(lang, msgToggleDetails)).OnClick(func(app.Context, app.Event) { b.expanded = !b.expanded }),
		app.Ul().ID("lw-banner-list").Class("lw-findings").Hidden(!b.expanded).Body(
			app.Range(findings).Slice(func(i int) app.UI {
				f := findings[i]
				return app.Li().Class("lw-finding lw-sev-"+severityClass(f.Severity)).Body(
					app.Span().Class("lw-badge").Text(T(lang, severityMsg(f.Severity))),
					app.Text(" "+findingText(f, lang, b.names)),
				)
			}),
		),
	)
}

// severityClass keeps CSS class names to known words whatever the API
// sends.
func severityClass(s string) string {
	if s == "error" {
		return "error"
	}
	return "warning"
}

func severityMsg(s string) string {
	if s == "error" {
		return msgSeverityError
	}
	return msgSeverityWarning
}

// findingText says what a finding asks for, in the viewer's language where
// its kind is known, else the API's message.
func findingText(f wire.Finding, lang string, names map[string]string) string {
	contact := nameOr(names, f.Contact)
	switch f.Kind {
	case "slot_below_min":
		return T(lang, msgFindSlotBelowMin, nameOr(names, f.Slot))
	case "slot_unreachable":
		return T(lang, msgFindSlotUnreachable, nameOr(names, f.Slot))
	case "missing_field":
		return T(lang, msgFindMissingField, contact, fieldLabel(lang, f.Field))
	case "review_overdue":
		return T(lang, msgFindReviewOverdue)
	case "never_confirmed":
		return T(lang, msgFindNeverConfirmed)
	case "stale_contact":
		return T(lang, msgFindStaleContact, contact)
	case "too_few_admins":
		return T(lang, msgFindTooFewAdmins)
	case "separation_of_duties":
		return T(lang, msgFindSeparation, contact)
	}
	return f.Message
}

// maxNamedFindings bounds how many contacts the banner reads to name its
// findings: an org with many stale contacts shows the rest by ID rather
// than costing a request each on every load.
const maxNamedFindings = 20

// slotFindings reports whether a finding names a slot.
func slotFindings(fs []wire.Finding) bool {
	return slices.ContainsFunc(fs, func(f wire.Finding) bool { return f.Slot != "" })
}

// findingContacts lists, once each and at most max, the contacts findings
// name that names lacks.
func findingContacts(fs []wire.Finding, names map[string]string, max int) []string {
	var out []string
	for _, f := range fs {
		if f.Contact != "" && names[f.Contact] == "" && !slices.Contains(out, f.Contact) && len(out) < max {
			out = append(out, f.Contact)
		}
	}
	return out
}
