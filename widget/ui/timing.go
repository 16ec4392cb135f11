package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Mark records a User Timing mark (performance.mark) in the browser, so
// that the Performance panel, or a test reading
// performance.getEntriesByType("mark"), shows where a page load's time
// went: the client marks
//
//   - liaison:main, when the Go program starts (after the wasm's download,
//     compilation and the runtime's and packages' initialization);
//   - liaison:mount, when the page's root component mounts;
//   - liaison:me, when the first answer of /me is in;
//   - liaison:list, when the first page of contacts is in, about to render.
//
// Outside the browser it does nothing.
func Mark(name string) {
	if app.IsClient {
		app.Window().Get("performance").Call("mark", name)
	}
}
