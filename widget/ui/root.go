package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Root is the widget's page: it reads the organization from the URL and
// shows the sections the viewer may use.
type Root struct {
	app.Compo
}

// Render draws the page shell. It holds no tenant data.
func (r *Root) Render() app.UI {
	return app.Main().Class("lw-root").Body(
		app.H1().Text("Contacts"),
	)
}
