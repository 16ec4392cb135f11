package bench

import (
	"fmt"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/liaisonhq/liaison/policy"
)

const (
	numUsers = 10_000
	numOrgs  = 100
)

// casbinModel is casbin's RBAC-with-domains model: a request is
// (user, org, action), a policy line grants an action to a role inside one
// org, and g links a user (or a role) to a role inside one org.
//
// The matcher tests the two cheap string equalities before the role lookup
// g(...), so casbin skips the role-manager walk for policy lines of other
// orgs and other actions; the canonical ordering (g first) measured about
// 5x slower here.
const casbinModel = `
[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, dom, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.dom == p.dom && r.act == p.act && g(r.sub, p.sub, r.dom)
`

// casbinSharedModel is the same RBAC-with-domains model with the policy
// lines shared by every org: a policy line grants an action to a role in any
// org, and only the g links (user to role, role to role) are per org. It
// holds 16 policy lines instead of 1,600, and Enforce evaluates the matcher
// against the policy lines in turn (all of them for a deny), so it is
// casbin's fastest plain layout for this hierarchy.
const casbinSharedModel = `
[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && g(r.sub, p.sub, r.dom)
`

// A user is one of the 10,000 simulated portal users.
type user struct {
	id    string
	org   string
	roles []string
}

// A decision is one "may this user do this action in this org" question,
// prepared for both libraries: the casbin request values, and the Liaison
// subject (resolved once, as a portal caches the actor per request), action
// and target.
type decision struct {
	name string // set for the hand-picked cases, empty for generated ones

	// Casbin's request, boxed once here so that the timed loop measures
	// Enforce itself rather than the string-to-interface conversions at
	// the call site.
	user, org, act any

	subject policy.Subject
	action  policy.Action
	target  policy.Target

	want *bool // expected answer for the hand-picked cases
}

// world is everything the test and the benchmarks share, built once.
type world struct {
	enforcer  *casbin.Enforcer       // casbinModel: policy lines per org
	shared    *casbin.Enforcer       // casbinSharedModel: policy lines shared
	cached    *casbin.CachedEnforcer // casbinSharedModel, answers memoized
	decisions []decision
}

var (
	worldOnce sync.Once
	theWorld  *world
	worldErr  error
)

func setup(tb testing.TB) *world {
	tb.Helper()
	worldOnce.Do(func() { theWorld, worldErr = build() })
	if worldErr != nil {
		tb.Fatal(worldErr)
	}
	return theWorld
}

func orgName(i int) string { return fmt.Sprintf("org%03d", i) }

// roleOf spreads the roles within each org of 100 users: 50 normal,
// 20 business, 20 admin and 10 owners.
func roleOf(i int) string {
	switch slot := (i / numOrgs) % 10; {
	case slot < 5:
		return "normal"
	case slot < 7:
		return "business"
	case slot < 9:
		return "admin"
	default:
		return "owner"
	}
}

func build() (*world, error) {
	cfg := policy.Default()
	pol, err := policy.New(cfg)
	if err != nil {
		return nil, err
	}

	users := make([]user, numUsers)
	for i := range users {
		users[i] = user{
			id:    fmt.Sprintf("user%05d", i),
			org:   orgName(i % numOrgs),
			roles: []string{roleOf(i)},
		}
	}

	e, err := casbin.NewEnforcer(mustModel(casbinModel))
	if err != nil {
		return nil, err
	}
	shared, err := casbin.NewEnforcer(mustModel(casbinSharedModel))
	if err != nil {
		return nil, err
	}
	cached, err := casbin.NewCachedEnforcer(mustModel(casbinSharedModel))
	if err != nil {
		return nil, err
	}
	if err := load(e, cfg, users, false); err != nil {
		return nil, err
	}
	if err := load(shared, cfg, users, true); err != nil {
		return nil, err
	}
	if err := load(cached, cfg, users, true); err != nil {
		return nil, err
	}

	// Resolve every user's subject once, outside any timed loop.
	subjects := make([]policy.Subject, numUsers)
	for i, u := range users {
		subjects[i] = pol.Subject(u.org, u.id, u.roles)
	}

	// Grants and revokes name the lowest role, which every holder of
	// GrantRole/RevokeRole outranks, so Decide's grant ceiling never fires.
	lowest, ok := pol.Role("normal")
	if !ok {
		return nil, fmt.Errorf("default policy has no normal role")
	}

	mk := func(name string, i int, a policy.Action, org string, want *bool) decision {
		// The target is the org as a whole: no target contact, so none
		// of Decide's contact rules (self, outrank) apply; see
		// TestSameDecisions.
		t := pol.Target(org, "", nil)
		if a == policy.GrantRole || a == policy.RevokeRole {
			t.Role = lowest
		}
		return decision{
			name:    name,
			user:    users[i].id,
			org:     org,
			act:     a.String(),
			subject: subjects[i],
			action:  a,
			target:  t,
			want:    want,
		}
	}
	first := func(role string) int {
		for i := range users {
			if users[i].org == orgName(0) && users[i].roles[0] == role {
				return i
			}
		}
		panic("no " + role + " in " + orgName(0))
	}
	yes, no := true, false
	normal, business, admin, owner := first("normal"), first("business"), first("admin"), first("owner")

	ds := []decision{
		mk("normal views contacts", normal, policy.ViewContacts, orgName(0), &yes),
		mk("normal edits contacts", normal, policy.EditContact, orgName(0), &no),
		mk("normal manages billing", normal, policy.ManageBilling, orgName(0), &no),
		mk("business manages billing", business, policy.ManageBilling, orgName(0), &yes),
		mk("business grants roles", business, policy.GrantRole, orgName(0), &no),
		mk("admin grants roles", admin, policy.GrantRole, orgName(0), &yes),
		mk("admin views audit", admin, policy.ViewAudit, orgName(0), &yes),
		mk("admin closes account", admin, policy.CloseAccount, orgName(0), &no),
		mk("admin transfers ownership", admin, policy.TransferOwnership, orgName(0), &no),
		mk("owner closes account", owner, policy.CloseAccount, orgName(0), &yes),
		mk("owner transfers ownership", owner, policy.TransferOwnership, orgName(0), &yes),
		mk("owner of org A views contacts in org B", owner, policy.ViewContacts, orgName(1), &no),
		mk("admin of org A edits contacts in org B", admin, policy.EditContact, orgName(1), &no),
	}

	// One generated decision per user: the action cycles through all 16
	// (7 is coprime to 16), and every ninth decision (9 is coprime to 16
	// and to 100, so these cover every action and role) aims at the next
	// org.
	actions := policy.Actions()
	for i, u := range users {
		a := actions[(i*7)%len(actions)]
		org := u.org
		if i%9 == 0 {
			org = orgName((i%numOrgs + 1) % numOrgs)
		}
		ds = append(ds, mk("", i, a, org, nil))
	}

	return &world{enforcer: e, shared: shared, cached: cached, decisions: ds}, nil
}

func mustModel(text string) model.Model {
	m, err := model.NewModelFromString(text)
	if err != nil {
		panic(err)
	}
	return m
}

// loader is what load needs of a casbin enforcer, plain or cached.
type loader interface {
	AddPolicies(rules [][]string) (bool, error)
	AddGroupingPolicies(rules [][]string) (bool, error)
}

// load adds to e, in code, the policy lines for the same hierarchy as cfg
// and each user's role links, one domain per org. With shared set the policy
// lines are those of [casbinSharedModel], which hold for every org;
// otherwise each org gets its own copy, as [casbinModel] expects.
func load(e loader, cfg policy.Config, users []user, shared bool) error {
	var ps, gs [][]string
	// Each role's own permissions; inherited ones come from the role links
	// below, as in cfg.
	if shared {
		for _, r := range cfg.Roles {
			for _, a := range r.Permissions {
				ps = append(ps, []string{r.Key, a.String()})
			}
		}
	}
	for o := range numOrgs {
		org := orgName(o)
		for _, r := range cfg.Roles {
			if !shared {
				for _, a := range r.Permissions {
					ps = append(ps, []string{r.Key, org, a.String()})
				}
			}
			// "owner inherits admin" is g(owner, admin): whoever has
			// the owner role also has the admin role.
			for _, parent := range r.Inherits {
				gs = append(gs, []string{r.Key, parent, org})
			}
		}
	}
	for _, u := range users {
		for _, r := range u.roles {
			gs = append(gs, []string{u.id, r, u.org})
		}
	}
	if _, err := e.AddPolicies(ps); err != nil {
		return err
	}
	_, err := e.AddGroupingPolicies(gs)
	return err
}

// An enforcer answers a casbin request; *casbin.Enforcer and
// *casbin.CachedEnforcer both are.
type enforcer interface {
	Enforce(rvals ...any) (bool, error)
}

// TestSameDecisions checks that casbin and Liaison give the same allow/deny
// answer on every decision the benchmarks run, so the benchmarks compare
// equal work.
//
// Only the permission part of Decide is compared: every target is the org
// as a whole (no target contact), and grants and revokes name the lowest
// role. Decide's rules about a target contact or role — self-service edits,
// the self-raise guard, outranking the contact, the grant ceiling and
// owner-only grants — have no equivalent in casbin's RBAC-with-domains
// model, so the decisions are chosen to leave them out: what remains is
// "same org" plus "does one of the user's roles, with inheritance, hold the
// action". The owner-only rule on TransferOwnership coincides with the
// permission check here, because in the default config only the owner role
// holds it. The test also asserts that Decide reached no other rule.
func TestSameDecisions(t *testing.T) {
	w := setup(t)
	casbins := []struct {
		name string
		e    enforcer
	}{
		{"casbin", w.enforcer},
		{"casbin (shared policy)", w.shared},
		{"casbin (cached)", w.cached},
	}
	var allowed, denied int
	for i, d := range w.decisions {
		dec := policy.Decide(d.subject, d.action, d.target)
		switch dec.Rule {
		case policy.RuleOtherOrg, policy.RuleNoPermission, policy.RulePermission:
		default:
			t.Errorf("decision %d (%s %s in %s): Decide used rule %q, outside the compared permission part",
				i, d.user, d.action, d.org, dec.Rule)
		}
		for _, c := range casbins {
			// The per-org model costs ~0.4 ms a call (far more under
			// -race), so it checks the hand-picked cases and every
			// seventh generated one; the others check all.
			if c.e == w.enforcer && d.want == nil && i%7 != 0 {
				continue
			}
			got, err := c.e.Enforce(d.user, d.org, d.act)
			if err != nil {
				t.Fatalf("decision %d: %s: %v", i, c.name, err)
			}
			if got != dec.Allowed {
				t.Errorf("decision %d (%s, perms %v, %s in %s): %s says %t, Liaison says %t (%s)",
					i, d.user, d.subject.Perms.Actions(), d.action, d.org, c.name, got, dec.Allowed, dec.Rule)
			}
		}
		if d.want != nil && dec.Allowed != *d.want {
			t.Errorf("%s: got %t (%s), want %t", d.name, dec.Allowed, dec.Rule, *d.want)
		}
		if dec.Allowed {
			allowed++
		} else {
			denied++
		}
	}
	if allowed == 0 || denied == 0 {
		t.Fatalf("decisions are not mixed: %d allowed, %d denied", allowed, denied)
	}
	t.Logf("%d decisions agree: %d allowed, %d denied", len(w.decisions), allowed, denied)
}

// sink keeps the benchmark results alive.
var sink int

// BenchmarkCasbinEnforce times one casbin Enforce per op, cycling through the
// shared decisions, on casbinModel (policy lines per org).
func BenchmarkCasbinEnforce(b *testing.B) {
	benchmarkEnforce(b, setup(b).enforcer)
}

// BenchmarkCasbinEnforceSharedPolicy is BenchmarkCasbinEnforce on
// casbinSharedModel, casbin's fastest plain layout here: Enforce scans every
// policy line, and this layout has 16 of them instead of 1,600.
func BenchmarkCasbinEnforceSharedPolicy(b *testing.B) {
	benchmarkEnforce(b, setup(b).shared)
}

// BenchmarkCasbinCachedEnforce is BenchmarkCasbinEnforceSharedPolicy through
// casbin's CachedEnforcer, timed with a warm cache: every decision has been
// asked once before the timer starts, so each op is a cache hit (a map
// lookup keyed by the joined request strings) and evaluates no roles at all.
// It is not equal work — it memoizes answers, which Decide does not need —
// but it is the fastest casbin gets.
func BenchmarkCasbinCachedEnforce(b *testing.B) {
	w := setup(b)
	for _, d := range w.decisions {
		if _, err := w.cached.Enforce(d.user, d.org, d.act); err != nil {
			b.Fatal(err)
		}
	}
	benchmarkEnforce(b, w.cached)
}

func benchmarkEnforce(b *testing.B, e enforcer) {
	ds := setup(b).decisions
	b.ReportAllocs()
	i, allowed := 0, 0
	for b.Loop() {
		d := &ds[i]
		ok, err := e.Enforce(d.user, d.org, d.act)
		if err != nil {
			b.Fatal(err)
		}
		if ok {
			allowed++
		}
		if i++; i == len(ds) {
			i = 0
		}
	}
	sink = allowed
}

// BenchmarkLiaisonDecide times one policy.Decide per op over the same
// decisions, with each subject resolved beforehand by Policy.Subject.
func BenchmarkLiaisonDecide(b *testing.B) {
	w := setup(b)
	ds := w.decisions
	b.ReportAllocs()
	i, allowed := 0, 0
	for b.Loop() {
		d := &ds[i]
		if policy.Decide(d.subject, d.action, d.target).Allowed {
			allowed++
		}
		if i++; i == len(ds) {
			i = 0
		}
	}
	sink = allowed
}
