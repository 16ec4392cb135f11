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

// FirstPaths are the API reads the page makes as it opens on its first
// tab, as paths below {api}/orgs/{org}/: who the viewer is, the first page
// of the directory, the completeness banner and the groups for the list's
// filters. The widget's page starts them before the client has loaded
// (its boot script), and the client takes those answers instead of asking
// again.
func FirstPaths() []string {
	return []string{
		"me",
		"directory?" + DirectoryQuery{Limit: pageSize}.Values().Encode(),
		"completeness",
		"groups",
	}
}
