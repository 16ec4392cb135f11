package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/schema"
	"github.com/liaisonhq/liaison/storage/memstore"
)

const demoDoc = `Demo validates every preset, prints the effective rules of one preset
(default unless -preset names another), and plays a short scripted session
against the embedded in-memory store: an org, its contacts and roles, a
denied escalation, an ownership transfer, and the verified audit trail.
`

func runDemo(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("demo", "[-preset NAME]", demoDoc, stderr)
	preset := fset.String("preset", "default", "the preset whose rules to print")
	if code := parseFlags(fset, args); code >= 0 {
		return code
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "liaison demo: unexpected arguments %q\n", fset.Args())
		return exitUsage
	}
	fmt.Fprintln(stdout, "Presets:")
	for _, name := range schema.Presets() {
		if _, err := schema.LoadPreset(name); err != nil {
			fmt.Fprintf(stdout, "  %-20s INVALID: %v\n", name, err)
			return exitInvalid
		}
		fmt.Fprintf(stdout, "  %-20s valid\n", name)
	}
	cfg, err := schema.LoadPreset(*preset)
	if err != nil {
		fmt.Fprintf(stderr, "liaison demo: %v\n", err)
		return exitUsage
	}
	pol, err := policy.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "liaison demo: %v\n", err)
		return exitInvalid
	}
	fmt.Fprintf(stdout, "\nEffective rules of preset %q (version %s):\n", *preset, cfg.Version)
	printRules(stdout, pol)
	if *preset != "default" {
		return exitOK
	}
	fmt.Fprintln(stdout, "\nA scripted session on the embedded store:")
	if err := playSession(context.Background(), stdout, pol); err != nil {
		fmt.Fprintf(stderr, "liaison demo: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

// printRules shows roles with what each may do, then slots and purposes.
func printRules(w io.Writer, pol *policy.Policy) {
	cfg := pol.Config()
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  role\trank\tmay")
	for _, key := range pol.RoleKeys() {
		info, _ := pol.Role(key)
		var acts []string
		for _, a := range pol.Permissions(key).Actions() {
			acts = append(acts, a.String())
		}
		mark := ""
		if info.Owner {
			mark = " (owner role: holds everything)"
		}
		fmt.Fprintf(tw, "  %s%s\t%d\t%s\n", key, mark, info.Rank, strings.Join(acts, ", "))
	}
	tw.Flush()
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\n  slot\tkind\tmin\tmax\tgroups\tneeds consent")
	for _, s := range cfg.Slots {
		maxS := fmt.Sprint(s.Max)
		if s.Max == 0 {
			maxS = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%v\t%s\n", s.Key, s.Kind, s.Min, maxS, s.Groups, or(s.Purpose, "-"))
	}
	tw.Flush()
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\n  purpose\tlegal basis\tgranted by default")
	for _, p := range cfg.Purposes {
		fmt.Fprintf(tw, "  %s\t%s\t%v\n", p.Key, p.LegalBasis, p.Default)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n  review every %s; changes are %s; languages %s (default %s)\n",
		cfg.ReviewInterval, cfg.ChangeMode, strings.Join(cfg.Languages.Supported, ", "), cfg.Languages.Default)
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// playSession runs the scripted session and narrates it.
func playSession(ctx context.Context, w io.Writer, pol *policy.Policy) error {
	store := memstore.New()
	defer store.Close()
	svc := contacts.New(store, pol)
	org, olga, err := svc.CreateOrg(ctx, contacts.Actor{Vendor: "demo"}, contacts.NewOrg{
		ID: "acme", Name: "Acme Corp",
		Owner: contacts.NewContact{Name: "Olga Owner", Email: "olga@acme.example", Language: "de"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  created org %s with owner %s <%s>\n", org.ID, olga.Name, olga.Email)
	asOlga := contacts.Actor{Org: org.ID, Contact: olga.ID}
	alice, err := svc.CreateContact(ctx, asOlga, org.ID, contacts.NewContact{Name: "Alice Admin", Email: "Alice@ACME.example", Language: "pt-br"})
	if err != nil {
		return err
	}
	if alice, err = svc.GrantRole(ctx, asOlga, org.ID, alice.ID, alice.Version, "admin"); err != nil {
		return err
	}
	fmt.Fprintf(w, "  added %s <%s> (language %s) with roles %v\n", alice.Name, alice.Email, alice.Language, alice.Roles)
	_, err = svc.CreateContact(ctx, asOlga, org.ID, contacts.NewContact{Name: "Mallory", Email: "Mallory <m@acme.example>", Language: "en_US"})
	var bad *contacts.InvalidError
	if errors.As(err, &bad) {
		for _, f := range bad.Fields {
			fmt.Fprintf(w, "  refused a contact: %s %s\n", f.Path, f.Message)
		}
	}
	asAlice := contacts.Actor{Org: org.ID, Contact: alice.ID}
	_, err = svc.GrantRole(ctx, asAlice, org.ID, olga.ID, olga.Version, "business")
	var denied *contacts.ForbiddenError
	if errors.As(err, &denied) {
		fmt.Fprintf(w, "  Alice may not change the owner's roles: %s denied by rule %s\n", denied.Action, denied.Rule)
	}
	from, to, err := svc.TransferOwnership(ctx, asOlga, org.ID, alice.ID, alice.Version)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  ownership transferred: %s now %v, %s now %v\n", from.Name, from.Roles, to.Name, to.Roles)
	head, err := svc.VerifyAudit(ctx, asAlice, org.ID, nil)
	if err != nil {
		return err
	}
	events, err := svc.AuditEvents(ctx, asAlice, org.ID, 0, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  audit trail verified, %d events:\n", head.Seq)
	for _, e := range events {
		fmt.Fprintf(w, "    %d %-20s %s\n", e.Seq, e.Action, e.Target)
	}
	return nil
}
