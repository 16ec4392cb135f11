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
