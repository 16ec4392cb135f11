package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
)

// directory searches the org's directory. Query parameters: q, the text;
// prefix, to match at the start of names only; filter; team or group, one
// team (with the teams filter, which it implies) or one client group (with
// client_groups); after and limit.
func (h *handler) directory(c *call) error {
	q := contacts.DirectoryQuery{Text: c.query.Get("q"), Filter: contacts.DirectoryFilter(c.query.Get("filter")),
		After: c.query.Get("after")}
	var err error
	if q.Prefix, err = boolParam(c, "prefix"); err != nil {
		return err
	}
	// Which parameter named the group, for the Service's "/group" errors.
	groupParam := "/group"
	team, group := c.query.Get("team"), c.query.Get("group")
	switch {
	case c.query.Has("team") && c.query.Has("group"):
		return malformedParam("group", "cannot be combined with team: name one team or one client group")
	case c.query.Has("team"):
		if q.Filter != "" && q.Filter != contacts.FilterTeams {
			return malformedParam("team", "applies only to the teams filter")
		}
		q.Filter, q.Group, groupParam = contacts.FilterTeams, team, "/team"
	case c.query.Has("group"):
		if q.Filter != "" && q.Filter != contacts.FilterClientGroups {
			return malformedParam("group", "applies only to the client_groups filter")
		}
		q.Filter, q.Group = contacts.FilterClientGroups, group
	}
	if c.query.Has("limit") {
		p, err := c.page()
		if err != nil {
			return err
		}
		q.Limit = p.Limit
	}
	if (c.query.Has("team") || c.query.Has("group")) && q.Group == "" {
		return malformedParam(strings.TrimPrefix(groupParam, "/"), "must name a group's ID")
	}
	page, err := h.svc.Directory(c.r.Context(), c.actor, c.org, q)
	if err != nil {
		return renamed(err, map[string]string{"/text": "/q", "/group": groupParam})
	}
	// As c.reply(wire.DirectoryPage{Contacts: wireContacts(page.Contacts),
	// Next: page.Next}) writes it, without reflection (see jsonenc.go).
	return c.replyAppended(http.StatusOK, func(b []byte) ([]byte, error) {
		return appendContactPageJSON(b, "contacts", page.Contacts, page.Next)
	})
}

// boolParam reads an optional true/false query parameter.
func boolParam(c *call, name string) (bool, error) {
	switch c.query.Get(name) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, malformedParam(name, `must be "1", "true", "0" or "false"`)
}

// renamed returns err with the Service's field paths renamed to the names
// the request used for them (a query parameter for a Service field, say),
// when it is an invalid-input error; names maps a path, and everything
// below it, to its new name.
func renamed(err error, names map[string]string) error {
	ie, ok := errors.AsType[*contacts.InvalidError](err)
	if !ok {
		return err
	}
	out := &contacts.InvalidError{Fields: make([]contacts.FieldError, 0, len(ie.Fields))}
	for _, f := range ie.Fields {
		for from, to := range names {
			if f.Path == from || strings.HasPrefix(f.Path, from+"/") {
				f.Path = to + f.Path[len(from):]
				break
			}
		}
		out.Fields = append(out.Fields, f)
	}
	return out
}

// overview answers what the directory shows about one contact. It has no
// ETag: it joins several resources; the contact in it carries its version.
func (h *handler) overview(c *call) error {
	ov, err := h.svc.ContactOverview(c.r.Context(), c.actor, c.org, c.path("id"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, wireOverview(ov))
}

// deleteOrg erases a closed org and everything stored for it (vendor
// only), naming the org's version read.
func (h *handler) deleteOrg(c *call) error {
	if err := h.svc.DeleteOrg(c.r.Context(), c.actor, c.org, c.version); err != nil {
		return c.precondition(err, h.orgVersion(c))
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// closeOrg closes the org's account, naming the org's version read; the
// org is read-only from then on.
func (h *handler) closeOrg(c *call) error {
	o, err := h.svc.CloseOrg(c.r.Context(), c.actor, c.org, c.version)
	if err != nil {
		return c.precondition(err, h.orgVersion(c))
	}
	return c.replyVersioned(http.StatusOK, wireOrg(o), o.Version)
}
