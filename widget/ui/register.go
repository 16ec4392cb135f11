package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Routes lists the app paths Register declares. The widget is one page:
// its sections are views of that page, not routes.
func Routes() []string { return []string{"/"} }

// Register declares the widget's go-app routes. go-app routes are
// package-global, so both the server (to pre-render the shell) and the wasm
// main (to run the client) must call it once before serving or running.
func Register() {
	app.Route("/", func() app.Composer { return &Root{} })
}
