package policy_test

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/liaisonhq/liaison/policy"
)

// matrixCase is one cell of testdata/authz_matrix.txt.
type matrixCase struct {
	line          int
	action        policy.Action
	targetContact bool
	grant         string // role granted or revoked, for roles.* blocks
	actor, target string
	want          policy.Decision
}

func parseCell(s string) (policy.Decision, error) {
	switch {
	case strings.HasPrefix(s, "+"):
		return policy.Decision{Allowed: true, Rule: policy.Rule(s[1:])}, nil
	case strings.HasPrefix(s, "-"):
		return policy.Decision{Allowed: false, Rule: policy.Rule(s[1:])}, nil
	}
	return policy.Decision{}, fmt.Errorf("cell %q must start with + or -", s)
}

// readMatrix parses the decision table; the format is described in the
// file's header.
func readMatrix(t *testing.T) (cases []matrixCase, otherOrg policy.Decision) {
	t.Helper()
	f, err := os.Open("testdata/authz_matrix.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		block   *matrixCase
		columns []string
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		fail := func(format string, args ...any) {
			t.Fatalf("authz_matrix.txt:%d: %s", n, fmt.Sprintf(format, args...))
		}
		switch {
		case fields[0] == "other-org":
			if otherOrg, err = parseCell(fields[1]); err != nil {
				fail("%v", err)
			}
		case fields[0] == "action":
			a, err := policy.ParseAction(fields[1])
			if err != nil {
				fail("%v", err)
			}
			block = &matrixCase{action: a, targetContact: fields[3] == "contact"}
			if len(fields) == 6 && fields[4] == "role" {
				block.grant = fields[5]
			}
			columns = nil
		case columns == nil:
			columns = fields
		default:
			if block == nil || len(fields) != len(columns)+1 {
				fail("row %q does not fit the block's columns %v", fields, columns)
			}
			for i, cell := range fields[1:] {
				want, err := parseCell(cell)
				if err != nil {
					fail("%v", err)
				}
				c := *block
				c.line, c.actor, c.target, c.want = n, fields[0], columns[i], want
				cases = append(cases, c)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases, otherOrg
}

func TestDecide_matrix(t *testing.T) {
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	cases, otherOrg := readMatrix(t)

	// The table must be exhaustive: every action, every actor and target
	// role, and for grants every granted role.
	roles := pol.RoleKeys()
	covered := map[string]bool{}
	for _, c := range cases {
		covered[fmt.Sprint(c.action, c.grant, c.actor, c.target)] = true
	}
	for _, a := range policy.Actions() {
		grants := []string{""}
		if a == policy.GrantRole || a == policy.RevokeRole {
			grants = roles
		}
		for _, g := range grants {
			for _, actor := range roles {
				for _, target := range roles {
					if !covered[fmt.Sprint(a, g, actor, target)] {
						t.Errorf("matrix lacks action %s role %q actor %s target %s", a, g, actor, target)
					}
				}
			}
		}
	}

	for _, c := range cases {
		for _, org := range []string{"same-org", "other-org"} {
			name := fmt.Sprintf("%s/%s/%s->%s/%s", c.action, c.grant, c.actor, c.target, org)
			t.Run(name, func(t *testing.T) {
				s := pol.Subject("acme", "actor", []string{c.actor})
				targetOrg, want := "acme", c.want
				if org == "other-org" {
					targetOrg, want = "globex", otherOrg
				}
				tgt := policy.Target{Org: targetOrg}
				if c.targetContact {
					tgt = pol.Target(targetOrg, "target", []string{c.target})
				}
				if c.grant != "" {
					info, ok := pol.Role(c.grant)
					if !ok {
						t.Fatalf("unknown role %q", c.grant)
					}
					tgt.Role = info
				}
				if got := policy.Decide(s, c.action, tgt); got != want {
					t.Errorf("authz_matrix.txt:%d: Decide = %+v, want %+v", c.line, got, want)
				}
			})
		}
	}
}

func TestDecide_self(t *testing.T) {
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	role := func(k string) policy.RoleInfo { r, _ := pol.Role(k); return r }
	tests := []struct {
		name   string
		roles  []string
		action policy.Action
		grant  policy.RoleInfo
		want   policy.Decision
	}{
		{"normal edits own details", []string{"normal"}, policy.EditContact, policy.RoleInfo{}, policy.Decision{true, policy.RuleSelf}},
		{"contact without roles withdraws own consent", nil, policy.ManageConsent, policy.RoleInfo{}, policy.Decision{true, policy.RuleSelf}},
		{"normal cannot assign itself a slot", []string{"normal"}, policy.ManageSlots, policy.RoleInfo{}, policy.Decision{false, policy.RuleNoPermission}},
		{"normal grants itself admin", []string{"normal"}, policy.GrantRole, role("admin"), policy.Decision{false, policy.RuleSelfRaise}},
		{"admin grants itself owner", []string{"admin"}, policy.GrantRole, role("owner"), policy.Decision{false, policy.RuleSelfRaise}},
		{"business grants itself business", []string{"business"}, policy.GrantRole, role("business"), policy.Decision{false, policy.RuleNoPermission}},
		{"admin grants itself business (no raise)", []string{"admin"}, policy.GrantRole, role("business"), policy.Decision{true, policy.RulePermission}},
		{"admin revokes own admin", []string{"admin"}, policy.RevokeRole, role("admin"), policy.Decision{true, policy.RulePermission}},
		{"admin revokes own owner role it lacks", []string{"admin"}, policy.RevokeRole, role("owner"), policy.Decision{false, policy.RuleOwnerOnly}},
		{"owner revokes own owner (last-owner is checked by count)", []string{"owner"}, policy.RevokeRole, role("owner"), policy.Decision{true, policy.RulePermission}},
		{"reason: several roles rank by the highest", []string{"normal", "admin"}, policy.EditContact, policy.RoleInfo{}, policy.Decision{true, policy.RuleSelf}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pol.Subject("acme", "c1", tt.roles)
			tgt := pol.Target("acme", "c1", tt.roles)
			tgt.Role = tt.grant
			if got := policy.Decide(s, tt.action, tgt); got != tt.want {
				t.Errorf("Decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecide_noOrg(t *testing.T) {
	pol, _ := policy.New(policy.Default())
	s := pol.Subject("", "c1", []string{"owner"})
	if got := policy.Decide(s, policy.ViewContacts, policy.Target{}); got.Allowed || got.Rule != policy.RuleOtherOrg {
		t.Errorf("subject without org: Decide = %+v, want denial by %s", got, policy.RuleOtherOrg)
	}
}

func TestDecide_multipleRoles(t *testing.T) {
	pol, _ := policy.New(policy.Default())
	// A business+admin contact is an admin: it outranks a business contact
	// but not another admin.
	s := pol.Subject("acme", "a", []string{"business", "admin"})
	if d := policy.Decide(s, policy.EditContact, pol.Target("acme", "b", []string{"business"})); !d.Allowed {
		t.Errorf("admin+business editing business: %+v, want allowed", d)
	}
	if d := policy.Decide(s, policy.EditContact, pol.Target("acme", "b", []string{"normal", "admin"})); d.Allowed || d.Rule != policy.RuleOutrank {
		t.Errorf("admin+business editing normal+admin: %+v, want outrank denial", d)
	}
}

func TestLastOwner(t *testing.T) {
	for n, want := range map[int]bool{-1: false, 0: false, 1: true, 2: true} {
		d := policy.LastOwner(n)
		if d.Allowed != want || (!want && d.Rule != policy.RuleLastOwner) {
			t.Errorf("LastOwner(%d) = %+v, want allowed=%v", n, d, want)
		}
	}
}

func TestTooFewAdmins(t *testing.T) {
	for n, want := range map[int]bool{0: true, 1: true, 2: false, 5: false} {
		if got := policy.TooFewAdmins(n); got != want {
			t.Errorf("TooFewAdmins(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestPolicy_resolution(t *testing.T) {
	pol, err := policy.New(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pol.RoleKeys(), []string{"owner", "admin", "business", "normal"}; !slices.Equal(got, want) {
		t.Errorf("RoleKeys = %v, want %v", got, want)
	}
	if pol.OwnerRole() != "owner" {
		t.Errorf("OwnerRole = %q, want owner", pol.OwnerRole())
	}
	// Inheritance: admin holds normal's and business's permissions.
	adminPerms := pol.Permissions("admin")
	for _, a := range []policy.Action{policy.ViewContacts, policy.ManageBilling, policy.GrantRole} {
		if !adminPerms.Has(a) {
			t.Errorf("admin lacks inherited %s", a)
		}
	}
	if adminPerms.Has(policy.CloseAccount) {
		t.Error("admin holds account.close")
	}
	if got := pol.Permissions("owner").Len(); got != len(policy.Actions()) {
		t.Errorf("owner holds %d actions, want all %d", got, len(policy.Actions()))
	}
	rank, owner, _ := pol.Resolve([]string{"normal", "retired_role"})
	if rank != 10 || owner {
		t.Errorf("Resolve ignores unknown roles: rank %d owner %v", rank, owner)
	}
	if !pol.IsAdmin([]string{"admin"}) || !pol.IsAdmin([]string{"owner"}) || pol.IsAdmin([]string{"business"}) {
		t.Error("IsAdmin: want admin and owner counted, business not")
	}
}

func TestPolicy_Conflicts(t *testing.T) {
	cfg := policy.Default()
	cfg.SeparationOfDuties = []policy.RolePair{{Roles: [2]string{"business", "admin"}, Reason: "who pays should not also approve"}}
	pol, err := policy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := pol.Conflicts([]string{"admin", "business"}); len(got) != 1 {
		t.Errorf("Conflicts(admin, business) = %v, want one pair", got)
	}
	if got := pol.Conflicts([]string{"admin"}); len(got) != 0 {
		t.Errorf("Conflicts(admin) = %v, want none", got)
	}
}

func BenchmarkDecide(b *testing.B) {
	pol, err := policy.New(policy.Default())
	if err != nil {
		b.Fatal(err)
	}
	s := pol.Subject("org-000123", "contact-00042", []string{"admin"})
	allowT := pol.Target("org-000123", "contact-00077", []string{"business"})
	denyT := pol.Target("org-000123", "contact-00078", []string{"owner"})
	b.Run("allow", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !policy.Decide(s, policy.EditContact, allowT).Allowed {
				b.Fatal("want allowed")
			}
		}
	})
	b.Run("deny", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if policy.Decide(s, policy.EditContact, denyT).Allowed {
				b.Fatal("want denied")
			}
		}
	})
}
