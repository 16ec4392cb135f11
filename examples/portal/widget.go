package main

import (
	"net/http"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/widget"
)

// widgets returns the Liaison widget as the portal mounts it: one handler
// per change mode, each over the Service of that mode, and every request
// sent to the one of the org it is about. The actor comes from the
// portal's own session; the widget may be framed by the portal alone.
func (p *portal) widgets(o options) http.Handler {
	mount := func(svc *contacts.Service) http.Handler {
		return widget.Handler(widget.Options{
			Service: svc,
			Actor:   p.actor,
			Prefix:  widgetPrefix,
			Hosts:   o.Hosts,
			Logger:  o.Logger,
		})
	}
	review, direct := mount(p.review), mount(p.direct)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if reviewOrgs[p.orgOfWidgetRequest(r)] {
			review.ServeHTTP(w, r)
			return
		}
		direct.ServeHTTP(w, r)
	})
}
