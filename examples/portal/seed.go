package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
)

// A seedPerson is one contact of the demo data.
type seedPerson struct {
	contacts.NewContact
	Roles []string
	// Teams names the seedOrg.Groups the person belongs to.
	Teams []string
	// Withdrawn lists the purposes the person said no to.
	Withdrawn []string
}

// A seedOrg is one org of the demo data: its people, its groups, and who
// holds each slot ("group:NAME" for a group, otherwise a person's email).
type seedOrg struct {
	ID, Name string
	Domains  []string
	// People[0] is the first owner.
	People []seedPerson
	Groups []contacts.NewGroup
	Slots  map[string][]string
}

func person(name, email, title, phone, lang string, roles ...string) seedPerson {
	return seedPerson{NewContact: contacts.NewContact{
		Name: name, Email: email, Title: title, Phone: phone, Language: lang,
		Kind: contacts.Internal, Availability: contacts.Available,
	}, Roles: roles}
}

func (p seedPerson) in(teams ...string) seedPerson          { p.Teams = teams; return p }
func (p seedPerson) withdrew(purposes ...string) seedPerson { p.Withdrawn = purposes; return p }
func (p seedPerson) client() seedPerson                     { p.Kind = contacts.Client; return p }
func (p seedPerson) away(a contacts.Availability) seedPerson {
	p.Availability = a
	return p
}

// demoData is what a new data directory starts with: acme, whose change
// sets go to review, with every slot filled; globex, which applies change
// sets at once, with one slot left open so its completeness banner shows.
var demoData = []seedOrg{
	{
		ID: "acme", Name: "Acme Corporation", Domains: []string{"acme.example", "partners.example"},
		People: []seedPerson{
			person("Olga Owner", "olga.owner@acme.example", "Chief Executive Officer", "+4930901820", "de", "owner"),
			person("Alice Admin", "alice.admin@acme.example", "IT Administrator", "+4930901821", "en", "admin").in("Platform team"),
			person("Bob Business", "bob.business@acme.example", "Head of Finance", "+4930901822", "en", "business").in("Finance team"),
			person("Nora Normal", "nora.normal@acme.example", "Support Engineer", "", "en", "normal").in("Platform team"),
			person("Zoë Fischer", "zoe.fischer@acme.example", "Security Officer", "+4930901823", "de", "admin"),
			person("Mateus Oliveira", "mateus.oliveira@acme.example", "Backend Developer", "+5511987654321", "pt-BR", "normal").in("Platform team").withdrew("usage_interviews"),
			person("Léa Dubois", "lea.dubois@acme.example", "Accountant", "+33142685300", "fr", "normal").in("Finance team").withdrew("product_updates"),
			person("Søren Hansen", "soren.hansen@acme.example", "Site Reliability Engineer", "", "en", "normal").in("Platform team").away(contacts.Busy),
			person("Ximena García", "ximena.garcia@acme.example", "Legal Counsel", "+34915550123", "es", "business"),
			person("Kenji Tanaka", "kenji.tanaka@acme.example", "Product Manager", "", "en", "normal").withdrew("usage_interviews", "product_updates"),
			person("Ingrid Eriksen", "ingrid.eriksen@acme.example", "Controller", "", "en", "business").in("Finance team"),
			person("Hugo Weber", "hugo.weber@acme.example", "Frontend Developer", "", "de", "normal").in("Platform team").away(contacts.Offline),
			person("Priya Nakamura", "priya.nakamura@acme.example", "Data Analyst", "", "en", "normal"),
			person("Tomás Costa", "tomas.costa@acme.example", "Sales Lead", "+351213456789", "pt-BR", "normal"),
			person("Rosa Rossi", "rosa.rossi@acme.example", "Office Manager", "", "en", "normal").withdrew("product_updates"),
			person("Dmitri Petrov", "dmitri.petrov@acme.example", "QA Engineer", "", "en", "normal").in("Platform team"),
			person("Fatima Yilmaz", "fatima.yilmaz@acme.example", "HR Partner", "", "de", "normal"),
			person("Quentin Lambert", "quentin.lambert@partners.example", "Integration Partner", "", "fr").client().in("Partners"),
			person("Camila Andrade", "camila.andrade@partners.example", "Reseller", "", "es").client().in("Partners").withdrew("usage_interviews"),
			person("Oskar Klein", "oskar.klein@acme.example", "Procurement", "", "de", "normal"),
		},
		Groups: []contacts.NewGroup{
			{Name: "Platform team", Kind: contacts.Team},
			{Name: "Finance team", Kind: contacts.Team},
			{Name: "Partners", Kind: contacts.ClientGroup},
		},
		Slots: map[string][]string{
			"primary":         {"olga.owner@acme.example", "alice.admin@acme.example"},
			"billing":         {"bob.business@acme.example", "group:Finance team"},
			"technical":       {"alice.admin@acme.example", "group:Platform team"},
			"product_updates": {"kenji.tanaka@acme.example", "alice.admin@acme.example"},
			"security_legal":  {"zoe.fischer@acme.example", "ximena.garcia@acme.example"},
			"finance":         {"ingrid.eriksen@acme.example"},
			"integrations":    {"group:Partners"},
		},
	},
	{
		ID: "globex", Name: "Globex Ltd", Domains: []string{"globex.example"},
		People: []seedPerson{
			person("Gus Grant", "gus.grant@globex.example", "Managing Director", "+442079460000", "en", "owner"),
			person("Nina Novak", "nina.novak@globex.example", "Customer Success", "", "en", "normal"),
			person("Amara Becker", "amara.becker@globex.example", "Operations Manager", "+442079460001", "en", "admin").in("Operations"),
			person("Björn Jansen", "bjorn.jansen@globex.example", "Finance Manager", "", "de", "business"),
			person("Chloé Girard", "chloe.girard@globex.example", "Developer", "", "fr", "normal").in("Operations").withdrew("product_updates"),
			person("Emile Dupont", "emile.dupont@globex.example", "Support Agent", "", "fr", "normal").in("Operations").away(contacts.Busy),
			person("Hana Kowalski", "hana.kowalski@globex.example", "Designer", "", "en", "normal").withdrew("usage_interviews"),
			person("Ivo Novak", "ivo.novak@globex.example", "Analyst", "", "en", "normal"),
			person("Jun Zimmermann", "jun.zimmermann@globex.example", "Engineer", "", "de", "normal").in("Operations"),
			person("Marta Lopes", "marta.lopes@globex.example", "Buyer", "", "pt-BR", "normal"),
		},
		Groups: []contacts.NewGroup{{Name: "Operations", Kind: contacts.Team}},
		Slots: map[string][]string{
			"primary":         {"gus.grant@globex.example"},
			"billing":         {"bjorn.jansen@globex.example"},
			"technical":       {"amara.becker@globex.example", "group:Operations"},
			"product_updates": {"amara.becker@globex.example"},
			"finance":         {"bjorn.jansen@globex.example"},
			// security_legal is left open: globex's completeness banner
			// asks for it.
		},
	},
}

// seedActor is who writes the demo data into org: the vendor, which may
// act as an owner of any org.
func seedActor(org string) contacts.Actor { return contacts.Actor{Vendor: "demo-seed", Org: org} }

// seed writes demoData into svc's store unless it is there already, and
// reports whether it wrote. It checks each org, so a data directory seeded
// before keeps every change made since.
func seed(ctx context.Context, svc *contacts.Service, data []seedOrg) (bool, error) {
	wrote := false
	for _, o := range data {
		switch _, err := svc.Org(ctx, seedActor(o.ID), o.ID); {
		case err == nil:
			continue
		case !errors.Is(err, contacts.ErrNotFound):
			return wrote, err
		}
		if err := seedOne(ctx, svc, o); err != nil {
			return wrote, fmt.Errorf("seeding org %s: %w", o.ID, err)
		}
		wrote = true
	}
	return wrote, nil
}

// seedOne creates one org and everything in it.
func seedOne(ctx context.Context, svc *contacts.Service, o seedOrg) error {
	if len(o.People) == 0 {
		return errors.New("the org needs at least its owner")
	}
	org, owner, err := svc.CreateOrg(ctx, seedActor(o.ID), contacts.NewOrg{
		ID: o.ID, Name: o.Name, AllowedEmailDomains: o.Domains, Owner: o.People[0].NewContact,
	})
	if err != nil {
		return err
	}
	groups := map[string]string{} // name -> ID
	for _, g := range o.Groups {
		made, err := svc.CreateGroup(ctx, seedActor(org.ID), org.ID, g)
		if err != nil {
			return fmt.Errorf("group %q: %w", g.Name, err)
		}
		groups[g.Name] = made.ID
	}
	byEmail := map[string]string{o.People[0].Email: owner.ID}
	for i, p := range o.People {
		c := owner
		if i > 0 {
			if c, err = svc.CreateContact(ctx, seedActor(org.ID), org.ID, p.NewContact); err != nil {
				return fmt.Errorf("contact %s: %w", p.Email, err)
			}
			byEmail[p.Email] = c.ID
		}
		if err := seedPersonState(ctx, svc, org.ID, c, p, groups); err != nil {
			return fmt.Errorf("contact %s: %w", p.Email, err)
		}
	}
	for slot, names := range o.Slots {
		holders := make([]contacts.Holder, 0, len(names))
		for _, n := range names {
			h := contacts.Holder{Kind: contacts.HolderContact, ID: byEmail[n]}
			if g, ok := strings.CutPrefix(n, "group:"); ok {
				h = contacts.Holder{Kind: contacts.HolderGroup, ID: groups[g]}
			}
			if h.ID == "" {
				return fmt.Errorf("slot %s: no contact or group %q in the seed data", slot, n)
			}
			holders = append(holders, h)
		}
		if _, err := svc.AssignSlot(ctx, seedActor(org.ID), org.ID, slot, 0, holders); err != nil {
			return fmt.Errorf("slot %s: %w", slot, err)
		}
	}
	_, err = svc.ConfirmReview(ctx, seedActor(org.ID), org.ID)
	return err
}

// seedPersonState gives a created contact its roles, teams and consent
// choices.
func seedPersonState(ctx context.Context, svc *contacts.Service, org string, c contacts.Contact, p seedPerson, groups map[string]string) error {
	var err error
	for _, role := range p.Roles {
		if c.HasRole(role) {
			continue
		}
		if c, err = svc.GrantRole(ctx, seedActor(org), org, c.ID, c.Version, role); err != nil {
			return fmt.Errorf("role %s: %w", role, err)
		}
	}
	for _, team := range p.Teams {
		id, ok := groups[team]
		if !ok {
			return fmt.Errorf("no group %q in the seed data", team)
		}
		if c, err = svc.AddToGroup(ctx, seedActor(org), org, id, c.ID); err != nil {
			return fmt.Errorf("group %q: %w", team, err)
		}
	}
	for _, purpose := range p.Withdrawn {
		if c, err = svc.SetConsent(ctx, seedActor(org), org, c.ID, purpose, false, contacts.ChannelImport); err != nil {
			return fmt.Errorf("consent %s: %w", purpose, err)
		}
	}
	return nil
}
