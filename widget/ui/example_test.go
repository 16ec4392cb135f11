package ui_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/liaisonhq/liaison/widget/ui"
)

// The server and the wasm main both call Register: go-app's routes are
// process-global. On the server, the page it pre-renders is the empty
// shell; the browser loads the data through the API after mount.
func ExampleRegister() {
	ui.Register()
	h := &app.Handler{Name: "Liaison", Icon: app.Icon{Default: "/web/icon.png"}, Styles: []string{"/web/widget.css"}}
	for _, path := range ui.Routes() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path+"?org=acme", nil))
		page := w.Body.String()
		fmt.Println(path, w.Code, strings.Contains(page, `class="lw-root"`), strings.Contains(page, "acme"))
	}
	// Output:
	// / 200 true false
}
