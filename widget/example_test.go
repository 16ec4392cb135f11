package widget_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget"
)

type sessionKey struct{}

// A host mounts the widget under a prefix of its own mux; its pages embed
// it with <script src="/liaison/embed.js" data-org="acme">.
func ExampleHandler() {
	pol, err := policy.New(policy.Default())
	if err != nil {
		panic(err)
	}
	svc := contacts.New(memstore.New(), pol)

	mux := http.NewServeMux()
	opts := widget.Options{
		Service: svc,
		// The host's session decides who acts; here a middleware would
		// have put the Actor in the request's context.
		Actor: func(r *http.Request) (contacts.Actor, error) {
			if a, ok := r.Context().Value(sessionKey{}).(contacts.Actor); ok {
				return a, nil
			}
			return contacts.Actor{}, errors.New("not signed in")
		},
		Prefix:         "/liaison",
		FrameAncestors: []string{"https://portal.example.com"},
		Hosts:          []string{"portal.example.com"},
	}
	mux.Handle(opts.Prefix+"/", widget.Handler(opts))

	for _, path := range []string{"/liaison/embed.js", "/liaison/?org=acme", "/liaison/robots.txt", "/liaison/api/orgs/acme/me"} {
		r := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "https://portal.example.com"+path, nil)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(path, w.Code, w.Header().Get("Content-Type"))
	}
	// Output:
	// /liaison/embed.js 200 text/javascript; charset=utf-8
	// /liaison/?org=acme 200 text/html; charset=utf-8
	// /liaison/robots.txt 404 text/plain; charset=utf-8
	// /liaison/api/orgs/acme/me 401 application/problem+json
}

// A page that embeds the widget can start the download of its client as
// the browser reads the page's head, before embed.js runs.
func ExampleClientPath() {
	href := widget.ClientPath("/liaison")
	fmt.Println(strings.HasPrefix(href, "/liaison/web/app."), strings.HasSuffix(href, ".wasm"))
	// In the page's <head>:
	// <link rel="preload" href="{{href}}" as="fetch" crossorigin>
	// Output:
	// true true
}
