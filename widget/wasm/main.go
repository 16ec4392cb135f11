// Command wasm is the widget's WebAssembly client: the go-app components of
// package ui, run in the browser. It is built for GOOS=js GOARCH=wasm by
// `make widget` (see package widget), which embeds the result, compressed,
// in the server; nobody runs it natively.
//
// It imports only package ui and go-app, so the client links neither the
// contacts domain, nor storage drivers, nor net/http's client.
package main

import (
	"fmt"
	"os"

	"github.com/liaisonhq/liaison/widget/ui"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func main() {
	if app.IsServer {
		fmt.Fprintln(os.Stderr, "widget/wasm: this is the browser client; build it with GOOS=js GOARCH=wasm (make widget)")
		os.Exit(2)
	}
	ui.Mark("liaison:main")
	ui.Register()
	app.RunWhenOnBrowser()
}
