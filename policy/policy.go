package policy

import (
	"slices"
)

// A Policy is a validated, compiled [Config]. It resolves role keys into the
// ranks and permission sets [Decide] works on. A Policy is immutable and safe
// for concurrent use.
type Policy struct {
	cfg      Config
	roles    map[string]compiledRole
	order    []string // role keys, highest rank first
	top      string
	slots    map[string]Slot
	purposes map[string]Purpose
}

type compiledRole struct {
	rank  int
	owner bool
	perms PermSet
}

// New validates cfg with [Config.Validate] and compiles it. The top-ranked
// role is the owner role and holds every action. The returned error is a
// [Problems] value listing every violation.
func New(cfg Config) (*Policy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.clone()
	p := &Policy{
		cfg:      cfg,
		roles:    make(map[string]compiledRole, len(cfg.Roles)),
		slots:    make(map[string]Slot, len(cfg.Slots)),
		purposes: make(map[string]Purpose, len(cfg.Purposes)),
	}
	byKey := make(map[string]Role, len(cfg.Roles))
	for _, r := range cfg.Roles {
		byKey[r.Key] = r
	}
	p.top = topRole(cfg.Roles)
	var all PermSet
	for _, a := range Actions() {
		all = all.With(a)
	}
	for _, r := range cfg.Roles {
		cr := compiledRole{rank: r.Rank, owner: r.Key == p.top, perms: inheritedPerms(byKey, r.Key, map[string]bool{})}
		if cr.owner {
			cr.perms = all
		}
		p.roles[r.Key] = cr
		p.order = append(p.order, r.Key)
	}
	slices.SortStableFunc(p.order, func(a, b string) int { return p.roles[b].rank - p.roles[a].rank })
	for _, s := range cfg.Slots {
		p.slots[s.Key] = s
	}
	for _, pu := range cfg.Purposes {
		p.purposes[pu.Key] = pu
	}
	return p, nil
}

// inheritedPerms returns the permissions of role key and everything it
// inherits. Validate has already refused cycles; seen guards anyway.
func inheritedPerms(roles map[string]Role, key string, seen map[string]bool) PermSet {
	if seen[key] {
		return 0
	}
	seen[key] = true
	r := roles[key]
	p := PermsOf(r.Permissions...)
	for _, parent := range r.Inherits {
		p |= inheritedPerms(roles, parent, seen)
	}
	return p
}

func topRole(roles []Role) string {
	top := ""
	best := 0
	for _, r := range roles {
		if top == "" || r.Rank > best {
			top, best = r.Key, r.Rank
		}
	}
	return top
}

// Config returns a copy of the config the policy was built from.
func (p *Policy) Config() Config { return p.cfg.clone() }

// OwnerRole returns the key of the top-ranked role.
func (p *Policy) OwnerRole() string { return p.top }

// Role returns what decisions need to know about role key, and whether the
// role exists.
func (p *Policy) Role(key string) (RoleInfo, bool) {
	r, ok := p.roles[key]
	if !ok {
		return RoleInfo{}, false
	}
	return RoleInfo{Key: key, Rank: r.rank, Owner: r.owner}, true
}

// RoleKeys returns the configured role keys, highest rank first.
func (p *Policy) RoleKeys() []string { return slices.Clone(p.order) }

// Permissions returns the actions role key allows, inherited ones included.
func (p *Policy) Permissions(key string) PermSet { return p.roles[key].perms }

// Resolve returns the rank, owner flag and permission union of a set of
// role keys. Unknown keys are ignored, so a role removed from the config
// grants nothing.
func (p *Policy) Resolve(roles []string) (rank int, owner bool, perms PermSet) {
	for _, k := range roles {
		r, ok := p.roles[k]
		if !ok {
			continue
		}
		rank = max(rank, r.rank)
		owner = owner || r.owner
		perms |= r.perms
	}
	return rank, owner, perms
}

// Subject builds the subject for the contact with the given roles.
func (p *Policy) Subject(org, contact string, roles []string) Subject {
	rank, owner, perms := p.Resolve(roles)
	return Subject{Org: org, Contact: contact, Rank: rank, Owner: owner, Perms: perms}
}

// Target builds the target for the contact with the given roles.
func (p *Policy) Target(org, contact string, roles []string) Target {
	rank, owner, _ := p.Resolve(roles)
	return Target{Org: org, Contact: contact, Rank: rank, Owner: owner}
}

// IsAdmin reports whether a contact with these roles counts towards
// [MinAdmins]: its roles let it edit contacts and grant roles.
func (p *Policy) IsAdmin(roles []string) bool {
	_, _, perms := p.Resolve(roles)
	return perms.Has(EditContact) && perms.Has(GrantRole)
}

// IsOwner reports whether the roles include the owner role.
func (p *Policy) IsOwner(roles []string) bool { return slices.Contains(roles, p.top) }

// Conflicts returns the separation-of-duties pairs that the roles violate.
func (p *Policy) Conflicts(roles []string) []RolePair {
	var out []RolePair
	for _, pair := range p.cfg.SeparationOfDuties {
		if slices.Contains(roles, pair.Roles[0]) && slices.Contains(roles, pair.Roles[1]) {
			out = append(out, pair)
		}
	}
	return out
}

// Slot returns the slot named key.
func (p *Policy) Slot(key string) (Slot, bool) {
	s, ok := p.slots[key]
	return s, ok
}

// Slots returns the configured slots in config order.
func (p *Policy) Slots() []Slot { return slices.Clone(p.cfg.Slots) }

// Purpose returns the consent purpose named key.
func (p *Policy) Purpose(key string) (Purpose, bool) {
	pu, ok := p.purposes[key]
	return pu, ok
}

// Purposes returns the configured purposes in config order.
func (p *Policy) Purposes() []Purpose { return slices.Clone(p.cfg.Purposes) }

func (c Config) clone() Config {
	c.Roles = slices.Clone(c.Roles)
	for i := range c.Roles {
		c.Roles[i].Inherits = slices.Clone(c.Roles[i].Inherits)
		c.Roles[i].Permissions = slices.Clone(c.Roles[i].Permissions)
	}
	c.SeparationOfDuties = slices.Clone(c.SeparationOfDuties)
	c.Slots = slices.Clone(c.Slots)
	c.Purposes = slices.Clone(c.Purposes)
	c.Languages.Supported = slices.Clone(c.Languages.Supported)
	c.AllowedEmailDomains = slices.Clone(c.AllowedEmailDomains)
	c.MandatoryFields = slices.Clone(c.MandatoryFields)
	return c
}
