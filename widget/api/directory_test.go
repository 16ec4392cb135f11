package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/storage/memstore"
	"github.com/liaisonhq/liaison/widget/wire"
)

// names returns the names of a directory page.
func names(p wire.DirectoryPage) []string {
	out := []string{}
	for _, c := range p.Contacts {
		out = append(out, c.Name)
	}
	return out
}

func TestDirectory(t *testing.T) {
	f := newFixture(t)
	group := f.orgs["acme"].group.ID
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"everyone, by name", "", []string{"Alice", "Bob", "Ivy", "Nina", "Olga", "Tom"}},
		{"anywhere in names and addresses", "q=" + url.QueryEscape("O"), []string{"Bob", "Olga", "Tom"}},
		{"at the start of names", "q=o&prefix=1", []string{"Olga"}},
		{"case and accents", "q=" + url.QueryEscape("ÁLI"), []string{"Alice"}},
		{"the team", "team=" + group, []string{"Ivy", "Tom"}},
		{"any team, searched", "filter=teams&q=t", []string{"Tom"}},
		{"clients", "filter=clients", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.send(t, "normal", req{method: "GET", path: "/orgs/acme/directory?" + tt.query}, http.StatusOK)
			var page wire.DirectoryPage
			res.decode(t, &page)
			if diff := cmp.Diff(tt.want, names(page)); diff != "" || page.Next != "" {
				t.Errorf("(-want +got):\n%s\nnext %q", diff, page.Next)
			}
		})
	}
}

// TestDirectory_paging walks the directory two at a time: every contact
// once, in order.
func TestDirectory_paging(t *testing.T) {
	f := newFixture(t)
	var got []string
	after := ""
	for range 10 {
		res := f.send(t, "normal", req{method: "GET", path: "/orgs/acme/directory?limit=2&after=" + after}, http.StatusOK)
		var page wire.DirectoryPage
		res.decode(t, &page)
		got = append(got, names(page)...)
		if after = page.Next; after == "" {
			break
		}
	}
	if diff := cmp.Diff([]string{"Alice", "Bob", "Ivy", "Nina", "Olga", "Tom"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDirectory_refused names the offending parameter of each bad query.
func TestDirectory_refused(t *testing.T) {
	f := newFixture(t)
	long := make([]byte, 101)
	for i := range long {
		long[i] = 'a'
	}
	tests := []struct {
		query  string
		status int
		param  string
	}{
		{"filter=friends", http.StatusUnprocessableEntity, "filter"},
		{"q=" + string(long), http.StatusUnprocessableEntity, "q"},
		{"after=garbage", http.StatusUnprocessableEntity, "after"},
		{"limit=0x10", http.StatusBadRequest, "limit"},
		{"limit=5000", http.StatusUnprocessableEntity, "limit"},
		{"team=x&group=y", http.StatusBadRequest, "group"},
		{"team=" + f.orgs["acme"].group.ID + "&filter=clients", http.StatusBadRequest, "team"},
		{"group=" + f.orgs["acme"].group.ID, http.StatusUnprocessableEntity, "group"}, // a team, not a client group
		{"team=" + f.orgs["other"].group.ID, http.StatusUnprocessableEntity, "team"},  // another org's, like a missing one
		{"team=", http.StatusBadRequest, "team"},
		{"prefix=yes", http.StatusBadRequest, "prefix"},
		{"org=other", http.StatusBadRequest, "org"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := f.send(t, "normal", req{method: "GET", path: "/orgs/acme/directory?" + tt.query}, tt.status)
			if p := res.problem(t); len(p.Errors) == 0 || p.Errors[0].Parameter != tt.param {
				t.Errorf("want a problem naming %s: %s", tt.param, res.body)
			}
		})
	}
}

// TestOverview shows the hook sections only where the host has hooks.
func TestOverview(t *testing.T) {
	t.Run("without hooks", func(t *testing.T) {
		f := newFixture(t)
		o := f.orgs["acme"]
		res := f.send(t, "normal", req{method: "GET", path: "/orgs/acme/contacts/" + o.target.ID + "/overview"}, http.StatusOK)
		var raw map[string]json.RawMessage
		res.decode(t, &raw)
		if _, ok := raw["workspaces"]; ok {
			t.Errorf("workspaces without a hook: %s", res.body)
		}
		if _, ok := raw["actions"]; ok {
			t.Errorf("actions without a hook: %s", res.body)
		}
		var ov wire.Overview
		res.decode(t, &ov)
		if ov.Contact.ID != o.target.ID || len(ov.Groups) != 1 || ov.Groups[0].ID != o.group.ID {
			t.Errorf("overview: %s", res.body)
		}
	})
	t.Run("with hooks", func(t *testing.T) {
		var viewer contacts.Actor
		hooks := contacts.OverviewHooks{
			SharedWorkspaces: func(_ context.Context, org string, v contacts.Actor, c contacts.Contact) ([]contacts.Workspace, error) {
				viewer = v
				if c.Name == "Nina" {
					return nil, nil // shares nothing
				}
				return []contacts.Workspace{{ID: "w1", Name: "Launch", URL: "https://app.example/w1"}}, nil
			},
			QuickActions: func(_ context.Context, org string, v contacts.Actor, c contacts.Contact) ([]contacts.QuickAction, error) {
				if c.Name == "Nina" {
					return nil, errors.New("chat service down")
				}
				return []contacts.QuickAction{{Kind: "chat", Label: "Chat", URL: "https://app.example/chat/" + c.ID}}, nil
			},
		}
		f := newFixtureWith(t, memstore.New(), testPolicy(t), []contacts.Option{contacts.WithOverviewHooks(hooks)})
		o := f.orgs["acme"]
		res := f.send(t, "normal", req{method: "GET", path: "/orgs/acme/contacts/" + o.target.ID + "/overview"}, http.StatusOK)
		var ov wire.Overview
		res.decode(t, &ov)
		want := wire.Overview{Workspaces: []wire.Workspace{{ID: "w1", Name: "Launch", URL: "https://app.example/w1"}},
			Actions: []wire.QuickAction{{Kind: "chat", Label: "Chat", URL: "https://app.example/chat/" + o.target.ID}}}
		if diff := cmp.Diff(want.Workspaces, ov.Workspaces); diff != "" {
			t.Errorf("workspaces (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want.Actions, ov.Actions); diff != "" {
			t.Errorf("actions (-want +got):\n%s", diff)
		}
		if viewer.Contact != o.normal.ID {
			t.Errorf("the hook saw viewer %+v, want Nina", viewer)
		}
		// A failing hook is the host's internal error: 500, its text not shown.
		res = f.send(t, "admin", req{method: "GET", path: "/orgs/acme/contacts/" + o.normal.ID + "/overview"}, http.StatusInternalServerError)
		if p := res.problem(t); p.Type != wire.ProblemInternal || strings.Contains(string(res.body), "chat service") {
			t.Errorf("a failing hook: %s", res.body)
		}
	})
}

// TestCloseOrg closes the org: a stale version is refused, and afterwards
// the org is read-only, and /me says so.
func TestCloseOrg(t *testing.T) {
	f := newFixture(t)
	o := f.send(t, "owner", req{method: "GET", path: "/orgs/acme"}, http.StatusOK)
	var org wire.Org
	o.decode(t, &org)
	f.send(t, "owner", req{method: "POST", path: "/orgs/acme/close"}, http.StatusPreconditionRequired)
	f.send(t, "owner", req{method: "POST", path: "/orgs/acme/close", header: ifm(org.Version - 1)}, http.StatusPreconditionFailed)
	res := f.send(t, "admin", req{method: "POST", path: "/orgs/acme/close", header: ifm(org.Version)}, http.StatusForbidden)
	if p := res.problem(t); p.Rule != "no-permission" {
		t.Errorf("an admin closing: %s", res.body)
	}
	res = f.send(t, "owner", req{method: "POST", path: "/orgs/acme/close", header: ifm(org.Version)}, http.StatusOK)
	res.decode(t, &org)
	if org.ClosedAt.IsZero() || res.header.Get("ETag") != etag(org.Version) {
		t.Fatalf("closed: %s", res.body)
	}
	tom := f.contact("acme", f.orgs["acme"].target.ID)
	res = f.send(t, "owner", req{method: "PATCH", path: "/orgs/acme/contacts/" + tom.ID, body: `{"title":"x"}`, header: ifm(tom.Version)}, http.StatusForbidden)
	if p := res.problem(t); p.Rule != string(contacts.RuleAccountClosed) {
		t.Errorf("a change to a closed org: %s", res.body)
	}
	f.send(t, "normal", req{method: "GET", path: "/orgs/acme/directory"}, http.StatusOK)
	var me wire.Me
	f.send(t, "owner", req{method: "GET", path: "/orgs/acme/me"}, http.StatusOK).decode(t, &me)
	if !me.Closed {
		t.Errorf("/me of a closed org: %+v", me)
	}
}

// TestDeleteOrg erases an org over HTTP: only the vendor, only once it is
// closed, at the version read; afterwards the org answers 404 and the
// other org is untouched.
func TestDeleteOrg(t *testing.T) {
	f := newFixture(t)
	var org wire.Org
	f.send(t, "vendor", req{method: "GET", path: "/orgs/acme"}, http.StatusOK).decode(t, &org)
	f.send(t, "vendor", req{method: "DELETE", path: "/orgs/acme"}, http.StatusPreconditionRequired)
	f.send(t, "owner", req{method: "DELETE", path: "/orgs/acme", header: ifm(org.Version)}, http.StatusForbidden)
	res := f.send(t, "vendor", req{method: "DELETE", path: "/orgs/acme", header: ifm(org.Version)}, http.StatusForbidden)
	if p := res.problem(t); p.Rule != string(contacts.RuleAccountOpen) {
		t.Errorf("deleting an open org: %s", res.body)
	}
	f.send(t, "owner", req{method: "POST", path: "/orgs/acme/close", header: ifm(org.Version)}, http.StatusOK).decode(t, &org)
	f.send(t, "vendor", req{method: "DELETE", path: "/orgs/acme", header: ifm(org.Version - 1)}, http.StatusPreconditionFailed)
	f.send(t, "vendor", req{method: "DELETE", path: "/orgs/acme", header: ifm(org.Version)}, http.StatusNoContent)
	f.send(t, "vendor", req{method: "GET", path: "/orgs/acme"}, http.StatusNotFound)
	f.send(t, "vendor", req{method: "DELETE", path: "/orgs/acme", header: ifm(org.Version)}, http.StatusNotFound)
	f.send(t, "owner", req{method: "GET", path: "/orgs/acme/contacts"}, http.StatusNotFound)
	f.send(t, "vendor", req{method: "GET", path: "/orgs/other"}, http.StatusOK)
}
