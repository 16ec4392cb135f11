package contacts_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

func names(cs []contacts.Contact) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestService_Directory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "acme")
	admin := f.as(f.admin)
	mk := func(name, email string, kind contacts.Kind, avail contacts.Availability) contacts.Contact {
		c, err := f.svc.CreateContact(ctx, admin, "acme", contacts.NewContact{Name: name, Email: email, Kind: kind, Availability: avail})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	emile := mk("Émile Durand", "emile@client.example", contacts.Client, contacts.Available)
	jo := mk("Jo Annesley", "jo@client.example", contacts.Client, contacts.Busy)
	mk("Ines Internal", "ines@acme.example", contacts.Internal, contacts.Available)
	team, _ := f.svc.CreateGroup(ctx, admin, "acme", contacts.NewGroup{Name: "Support", Kind: contacts.Team})
	cg, _ := f.svc.CreateGroup(ctx, admin, "acme", contacts.NewGroup{Name: "Big client", Kind: contacts.ClientGroup})
	f.svc.AddToGroup(ctx, admin, "acme", team.ID, f.norm.ID)
	f.svc.AddToGroup(ctx, admin, "acme", cg.ID, emile.ID)
	f.svc.AddToGroup(ctx, admin, "acme", cg.ID, jo.ID)

	tests := []struct {
		name string
		q    contacts.DirectoryQuery
		want []string
	}{
		{"everyone, by name", contacts.DirectoryQuery{}, []string{"Alice", "Bob", "Émile Durand", "Ines Internal", "Jo Annesley", "Nina", "Olga"}},
		{"accent-insensitive", contacts.DirectoryQuery{Text: "EMILE"}, []string{"Émile Durand"}},
		{"inside names", contacts.DirectoryQuery{Text: "nne"}, []string{"Jo Annesley"}},
		{"in addresses", contacts.DirectoryQuery{Text: "client.example"}, []string{"Émile Durand", "Jo Annesley"}},
		{"prefix", contacts.DirectoryQuery{Text: "in", Prefix: true}, []string{"Ines Internal"}},
		{"internal", contacts.DirectoryQuery{Filter: contacts.FilterInternal}, []string{"Ines Internal"}},
		{"clients", contacts.DirectoryQuery{Filter: contacts.FilterClients}, []string{"Émile Durand", "Jo Annesley"}},
		{"available clients", contacts.DirectoryQuery{Filter: contacts.FilterAvailableClients}, []string{"Émile Durand"}},
		{"teams", contacts.DirectoryQuery{Filter: contacts.FilterTeams}, []string{"Nina"}},
		{"one client group", contacts.DirectoryQuery{Filter: contacts.FilterClientGroups, Group: cg.ID}, []string{"Émile Durand", "Jo Annesley"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := f.svc.Directory(ctx, f.as(f.norm), "acme", tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(page.Contacts); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, q := range []contacts.DirectoryQuery{
		{Filter: "vips"},
		{Filter: contacts.FilterTeams, Group: cg.ID}, // a client group is not a team
		{Group: team.ID}, // a group needs the teams or client_groups filter
		{After: "not-a-cursor"},
		{Limit: contacts.MaxPageSize + 1},
	} {
		if _, err := f.svc.Directory(ctx, admin, "acme", q); !errors.Is(err, contacts.ErrInvalid) {
			t.Errorf("query %+v: %v, want invalid", q, err)
		}
	}
	g := &fixture{}
	f.add(t, "globex", g)
	if _, err := f.svc.Directory(ctx, f.as(g.owner), "acme", contacts.DirectoryQuery{}); !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("another org's directory: %v", err)
	}
}

// TestService_Directory_concurrentWalk checks that a paged walk returns every
// contact present for the whole walk exactly once, while others are added
// and removed around it.
func TestService_Directory_concurrentWalk(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "acme")
	admin := f.as(f.admin)
	rows := make([]contacts.NewContact, 200)
	for i := range rows {
		rows[i] = contacts.NewContact{Name: fmt.Sprintf("Stable %03d", (i*37)%200), Email: fmt.Sprintf("s%d@acme.example", i)}
	}
	stable, err := f.svc.ImportContacts(ctx, admin, "acme", rows)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			c, err := f.svc.CreateContact(ctx, admin, "acme", contacts.NewContact{Name: fmt.Sprintf("Stable %03d churn", i%200), Email: fmt.Sprintf("churn%d@acme.example", i)})
			if err != nil {
				t.Error(err)
				return
			}
			if i%2 == 0 {
				if err := f.svc.DeleteContact(ctx, admin, "acme", c.ID, c.Version); err != nil {
					t.Error(err)
					return
				}
			}
		}
	})
	seen := map[string]int{}
	q := contacts.DirectoryQuery{Text: "stable", Limit: 7}
	for {
		page, err := f.svc.Directory(ctx, f.as(f.norm), "acme", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Contacts {
			seen[c.ID]++
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	close(done)
	wg.Wait()
	for _, c := range stable {
		if seen[c.ID] != 1 {
			t.Errorf("%s (%s) returned %d times", c.Name, c.ID, seen[c.ID])
		}
	}
}

func TestService_ContactOverview(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "acme")
	admin := f.as(f.admin)
	g, _ := f.svc.CreateGroup(ctx, admin, "acme", contacts.NewGroup{Name: "Support", Kind: contacts.Team})
	f.svc.AddToGroup(ctx, admin, "acme", g.ID, f.business.ID)

	// No hooks: no workspaces, no actions.
	o, err := f.svc.ContactOverview(ctx, f.as(f.norm), "acme", f.business.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Contact.Name != "Bob" || len(o.Groups) != 1 || o.Groups[0].Name != "Support" || o.Workspaces != nil || o.Actions != nil {
		t.Errorf("overview without hooks = %+v", o)
	}

	pol := f.svc.Policy()
	svc := contacts.New(f.store, pol, contacts.WithOverviewHooks(contacts.OverviewHooks{
		SharedWorkspaces: func(_ context.Context, org string, viewer contacts.Actor, c contacts.Contact) ([]contacts.Workspace, error) {
			return []contacts.Workspace{{ID: "w1", Name: "Onboarding " + org + " " + c.Name}}, nil
		},
		QuickActions: func(_ context.Context, _ string, viewer contacts.Actor, c contacts.Contact) ([]contacts.QuickAction, error) {
			return []contacts.QuickAction{{Kind: "chat", Label: "Chat with " + c.Name, URL: "https://chat.example/" + c.ID}}, nil
		},
	}))
	o, err = svc.ContactOverview(ctx, f.as(f.norm), "acme", f.business.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Workspaces) != 1 || o.Workspaces[0].Name != "Onboarding acme Bob" || len(o.Actions) != 1 || o.Actions[0].Kind != "chat" {
		t.Errorf("overview with hooks = %+v", o)
	}
	g2 := &fixture{}
	f.add(t, "globex", g2)
	if _, err := svc.ContactOverview(ctx, f.as(g2.owner), "acme", f.business.ID); !errors.Is(err, contacts.ErrNotFound) {
		t.Errorf("another org's contact: %v", err)
	}
}

func TestContactSearch_Matches(t *testing.T) {
	c := contacts.Contact{Name: "Émile ANNESLEY", Email: "emile.a@Example.com"}
	for _, tt := range []struct {
		q    contacts.ContactSearch
		want bool
	}{
		{contacts.ContactSearch{Text: "emile"}, true},
		{contacts.ContactSearch{Text: "nnes"}, true},
		{contacts.ContactSearch{Text: "example"}, true},
		{contacts.ContactSearch{Text: "emile", Prefix: true}, true},
		{contacts.ContactSearch{Text: "nnes", Prefix: true}, false},
		{contacts.ContactSearch{Text: "example", Prefix: true}, false},
		{contacts.ContactSearch{Text: "xyz"}, false},
		{contacts.ContactSearch{Text: "annesley!"}, false},
	} {
		if got := tt.q.Matches(c); got != tt.want {
			t.Errorf("%+v.Matches = %v, want %v", tt.q, got, tt.want)
		}
	}
	ascii := contacts.Contact{Name: "Jo ANNESLEY", Email: "jo@x.example"}
	for text, want := range map[string]bool{"annesley": true, "jo annes": true, "JO": false /* text arrives folded */, "": true} {
		if got := (contacts.ContactSearch{Text: text}).Matches(ascii); got != want {
			t.Errorf("ASCII %q: %v, want %v", text, got, want)
		}
	}
}
