package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Dialogs are native <dialog> elements opened with showModal: the browser
// then keeps focus inside, makes the page behind inert and turns Escape
// into a "cancel" event, which the dialogs answer by closing. Focus goes
// back to the control that opened the dialog when it closes.

// modal remembers what had focus before a dialog opened.
type modal struct {
	opener app.Value
}

// open shows the dialog element el as a modal and focuses the element with
// ID first.
func (m *modal) open(el app.Value, first string) {
	if !app.IsClient {
		return
	}
	m.opener = app.Window().Get("document").Get("activeElement")
	if el.Truthy() && !el.Get("showModal").IsUndefined() {
		el.Call("showModal")
	}
	if f := app.Window().GetElementByID(first); f.Truthy() {
		f.Call("focus")
	}
}

// restore gives focus back to the dialog's opener.
func (m *modal) restore() {
	if !app.IsClient || m.opener == nil || !m.opener.Truthy() {
		return
	}
	m.opener.Call("focus")
}

// isEscape reports whether a keyboard event is the Escape key.
func isEscape(e app.Event) bool { return e.Get("key").String() == "Escape" }

// closeDialog asks the root to close the open dialog.
func closeDialog(ctx app.Context) { ctx.NewAction(actClose) }

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
