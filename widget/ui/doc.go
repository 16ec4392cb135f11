// Package ui holds the widget's go-app components, the API client built on
// the browser's fetch, the translations and the in-iframe side of the
// postMessage bridge.
//
// It compiles both for GOOS=js GOARCH=wasm (the widget's WebAssembly client)
// and natively (the server pre-renders the page shell with the same
// components). It may import only go-app, widget/wire and the standard
// library, so the wasm stays small and links no server code.
package ui
