package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// What every view uses to tell the viewer what happened: status lines,
// notices and errors, and where focus goes next.

// messages shows a notice and error messages in one element that is always
// rendered, even empty: go-app matches children by position, so a message
// appearing before a form would otherwise remount the form and lose the
// viewer's focus. The element is a polite live region.
func messages(notice string, errs []string) app.UI {
	return app.Div().Class("lw-messages").Aria("live", "polite").Body(
		app.If(notice != "", func() app.UI { return app.P().Class("lw-notice").Text(notice) }),
		app.Range(errs).Slice(func(i int) app.UI {
			return app.P().Class("lw-error").DataSet("testid", "error").Attr("role", "alert").Text(errs[i])
		}),
	)
}

// focusAfterUpdate moves focus to the element with ID id once the current
// update has rendered it: an element inserted later does not honour
// autofocus.
func focusAfterUpdate(ctx app.Context, id string) {
	if !app.IsClient {
		return
	}
	ctx.Defer(func(app.Context) {
		if el := app.Window().GetElementByID(id); el.Truthy() {
			el.Call("focus")
		}
	})
}

// loadStatus is the status line of a view whose data has not arrived:
// loading, or why it failed.
func loadStatus(lang, failed string) app.UI {
	msg := T(lang, msgLoading)
	if failed != "" {
		msg = failed
	}
	return app.P().Class("lw-status").Attr("role", "status").Text(msg)
}
