package contacts

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

// Rules the Service adds to those of [policy.Decide].
const (
	// RuleUnknownActor denies an actor whose contact does not exist (any
	// more) in the org, or has not accepted its invitation.
	RuleUnknownActor policy.Rule = "unknown-actor"
	// RuleVendorOnly denies an operation only the vendor may perform,
	// such as creating an org.
	RuleVendorOnly policy.Rule = "vendor-only"
	// RuleAccountClosed denies changes to a closed org.
	RuleAccountClosed policy.Rule = "account-closed"
	// RuleAccountOpen denies deleting an org that is not closed yet.
	RuleAccountOpen policy.Rule = "account-open"
	// RuleHasChildOrgs denies deleting an org that other orgs name as
	// their parent.
	RuleHasChildOrgs policy.Rule = "has-child-orgs"
)

// Service is the contacts domain: every read and write of orgs, contacts,
// groups, roles and the audit trail goes through it, and every rule is
// enforced here. It is safe for concurrent use.
type Service struct {
	store  Store
	policy *policy.Policy
	cfg    policy.Config // the policy's config, read once: it never changes
	now    func() time.Time
	log    *slog.Logger

	notifier      Notifier
	links         func(kind TokenKind, secret string) string
	changeHook    func(ctx context.Context, cs ChangeSet) (string, error)
	workspaceHook func(ctx context.Context, org, workspace string, c Contact) error
	overview      OverviewHooks

	mu      sync.Mutex // serialises delivery, so subscribers see commit order
	subs    map[int]func(AuditEvent)
	nextSub int
}

// An Option configures a [Service].
type Option func(*Service)

// WithClock makes the Service read the time from now instead of time.Now;
// tests use it for a fixed or stepping clock.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets the logger for what the Service cannot return to a caller,
// such as a failure to record a denial. The default discards.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// New returns a Service over store, enforcing pol.
func New(store Store, pol *policy.Policy, opts ...Option) *Service {
	s := &Service{
		store:  store,
		policy: pol,
		cfg:    pol.Config(),
		now:    time.Now,
		log:    slog.New(slog.DiscardHandler),
		subs:   map[int]func(AuditEvent){},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Policy returns the policy the Service enforces.
func (s *Service) Policy() *policy.Policy { return s.policy }

// Subscribe registers fn to receive every committed audit event, in commit
// order, after the commit. fn runs on the committing goroutine and must
// return quickly (hand work to a queue). The returned function unsubscribes.
func (s *Service) Subscribe(fn func(AuditEvent)) (unsubscribe func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
	}
}

func (s *Service) publish(events []AuditEvent) {
	if len(events) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range events {
		for _, fn := range s.subs {
			fn(e.Clone())
		}
	}
}

// clock returns the current time as stored: UTC, microsecond precision
// (what every driver can keep).
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// txn is one operation's working state inside a store transaction.
type txn struct {
	s       *Service
	tx      ReadTx
	w       Tx // nil in a read-only transaction
	actor   Actor
	org     Org
	subject policy.Subject
	now     time.Time
	events  []AuditEvent
}

// begin resolves the actor inside the transaction: the org must exist and
// be the actor's, and a member actor's contact must exist and be active.
// Cross-org access reports the item as not found, exactly like a missing
// one.
func (s *Service) begin(tx ReadTx, w Tx, actor Actor, org string) (*txn, error) {
	t := new(txn)
	if err := t.start(s, tx, w, actor, org); err != nil {
		return nil, err
	}
	return t, nil
}

// start is [Service.begin] into t, which it overwrites.
func (t *txn) start(s *Service, tx ReadTx, w Tx, actor Actor, org string) error {
	*t = txn{s: s, tx: tx, w: w, actor: actor, now: s.clock()}
	if actor.Org != org || org == "" {
		return ErrNotFound
	}
	o, err := tx.Org(org)
	if err != nil {
		return err
	}
	t.org = o
	if actor.IsVendor() {
		rank, _, _ := s.policy.Resolve([]string{s.policy.OwnerRole()})
		t.subject = policy.Subject{Org: org, Rank: rank, Owner: true, Perms: s.policy.Permissions(s.policy.OwnerRole())}
		return nil
	}
	me, err := tx.Contact(org, actor.Contact)
	if errors.Is(err, ErrNotFound) || err == nil && me.Status != Active {
		return &ForbiddenError{Action: "act", Rule: RuleUnknownActor}
	}
	if err != nil {
		return err
	}
	t.subject = s.policy.Subject(org, me.ID, me.Roles)
	return nil
}

// authorize asks the policy; a denial becomes a [*ForbiddenError].
func (t *txn) authorize(a policy.Action, target policy.Target) error {
	if d := policy.Decide(t.subject, a, target); !d.Allowed {
		return &ForbiddenError{Action: a.String(), Rule: d.Rule}
	}
	return nil
}

// target builds the policy target for contact c.
func (t *txn) target(c Contact) policy.Target {
	return t.s.policy.Target(c.Org, c.ID, c.Roles)
}

// writable refuses changes to a closed org.
func (t *txn) writable() error {
	if t.org.Closed() {
		return &ForbiddenError{Action: "change", Rule: RuleAccountClosed}
	}
	return nil
}

// audit appends an event for a change made in this transaction.
func (t *txn) audit(action, target string, before, after any) error {
	e := AuditEvent{
		Org: t.org.ID, Time: t.now, Actor: t.actor.String(),
		Action: action, Target: target, RequestID: t.actor.RequestID,
	}
	e.Before, e.After = diffFields(before, after)
	return t.appendEvent(e)
}

func (t *txn) appendEvent(e AuditEvent) error {
	head, err := t.w.AuditHead(e.Org)
	if err != nil {
		return err
	}
	e.seal(head)
	if err := t.w.AppendAudit(e); err != nil {
		return err
	}
	t.events = append(t.events, e)
	return nil
}

// update runs fn as one atomic change by actor in org, wraps any error
// once, records a denial in the audit trail, and publishes the committed
// events.
func (s *Service) update(ctx context.Context, op, item string, actor Actor, org string, fn func(t *txn) error) error {
	var events []AuditEvent
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := s.begin(tx, tx, actor, org)
		if err != nil {
			return err
		}
		if err := t.writable(); err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		events = t.events
		return nil
	})
	if err != nil {
		if fe, ok := errors.AsType[*ForbiddenError](err); ok {
			s.recordDenial(ctx, op, item, actor, org, fe)
		}
		return &Error{Op: op, Item: item, Err: err}
	}
	s.publish(events)
	return nil
}

// view runs fn over a snapshot as actor in org.
func (s *Service) view(ctx context.Context, op, item string, actor Actor, org string, fn func(t *txn) error) error {
	err := s.store.View(ctx, func(tx ReadTx) error {
		t, err := s.begin(tx, nil, actor, org)
		if err != nil {
			return err
		}
		return fn(t)
	})
	if err != nil {
		return &Error{Op: op, Item: item, Err: err}
	}
	return nil
}

// A pointRead is the state of one [Service.readContact], kept for reuse:
// unlike [Service.view], whose callers' closures and results escape to
// the heap, a point read allocates nothing of its own, so that lookups at
// a high rate leave the garbage collector nothing to do.
type pointRead struct {
	t   txn
	org string
	arg string
	get func(t *txn, arg string) (Contact, error)
	out Contact
	run func(ReadTx) error // p.in, bound once
}

var pointReads = sync.Pool{New: func() any {
	p := new(pointRead)
	p.run = p.in
	return p
}}

func (p *pointRead) in(tx ReadTx) error {
	if err := p.t.start(p.t.s, tx, nil, p.t.actor, p.org); err != nil {
		return err
	}
	c, err := p.get(&p.t, p.arg)
	p.out = c
	return err
}

// readContact returns get(t, arg) over a snapshot as actor in org; get
// must not keep t. The caller wraps the error.
func (s *Service) readContact(ctx context.Context, actor Actor, org, arg string, get func(t *txn, arg string) (Contact, error)) (Contact, error) {
	p := pointReads.Get().(*pointRead)
	p.t.s, p.t.actor, p.org, p.arg, p.get = s, actor, org, arg, get
	err := s.store.View(ctx, p.run)
	out := p.out
	*p = pointRead{run: p.run} // keep nothing alive
	pointReads.Put(p)
	return out, err
}

// recordDenial appends a "denied" event in the actor's own org, in a
// transaction of its own (the denied one rolled back). Denials across orgs
// are reported as not found and never reach here.
func (s *Service) recordDenial(ctx context.Context, op, item string, actor Actor, org string, fe *ForbiddenError) {
	var events []AuditEvent
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Org(org); err != nil {
			return err
		}
		after := map[string]string{"operation": op, "action": fe.Action, "rule": string(fe.Rule)}
		t := &txn{s: s, tx: tx, w: tx, actor: actor, org: Org{ID: org}, now: s.clock()}
		// Items read "contact ID" in errors; targets read "contact/ID".
		target := strings.Replace(item, " ", "/", 1)
		e := AuditEvent{Org: org, Time: t.now, Actor: actor.String(), Action: "denied", Target: target, RequestID: actor.RequestID}
		_, e.After = diffFields(nil, after)
		if err := t.appendEvent(e); err != nil {
			return err
		}
		events = t.events
		return nil
	})
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "liaison: recording a denial failed",
			slog.String("org", org), slog.String("op", op), slog.String("rule", string(fe.Rule)), slog.Any("error", err))
		return
	}
	s.publish(events)
}
