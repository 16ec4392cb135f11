// Package ui holds the widget's go-app components, the API client built on
// the browser's fetch, the translations and the in-iframe side of the
// postMessage bridge.
//
// It compiles both for GOOS=js GOARCH=wasm (the widget's WebAssembly client)
// and natively (the server pre-renders the page shell with the same
// components). It may import only go-app, widget/wire and the standard
// library, so the wasm stays small and links no server code.
//
// # Components
//
// [Root] is the page; it reads the org from the URL (?org=) and /me, and
// renders the others with the same attributes (exported fields, which
// go-app compares to decide when a child updates): API, the [Client];
// Org, the org's ID; Lang, the UI language; Perms, what /me says the viewer
// may do; and Rev, a revision the root moves after every change, on which
// each view reloads. Data is loaded in OnMount and OnUpdate only, which run
// in the browser: the server pre-renders the shell without a request.
//
// # Contexts
//
// A component that sends requests keeps the context go-app gives its
// OnMount in a field named ui, and event handlers pass that context, not
// their own, to the methods that send requests. The answer arrives later,
// through ctx.Dispatch, and go-app drops a dispatch whose source element
// is no longer mounted; an event's source (a button, a form) may have been
// re-rendered by then, the component has not.
//
// # Event handlers
//
// go-app keeps an element's handler when the new one has the same code
// pointer, whatever the closure captured; handlers that close over per-row
// data (a contact in a list, a holder of a slot) carry app.EventScope with
// that data, so that they are replaced when it changes.
package ui
