package contacts

import (
	"context"
	"encoding/json"
	"io"

	"github.com/liaisonhq/liaison/policy"
)

// auditBatch is how many events one read of the audit trail fetches.
const auditBatch = 1000

// AuditEvents lists org's audit events after sequence number after, at most
// limit (0 means [DefaultPageSize]). The actor needs audit.view.
func (s *Service) AuditEvents(ctx context.Context, actor Actor, org string, after uint64, limit int) ([]AuditEvent, error) {
	page, err := checkPage(Page{Limit: limit})
	if err != nil {
		return nil, &Error{Op: "AuditEvents", Item: "org " + org, Err: err}
	}
	var out []AuditEvent
	err = s.view(ctx, "AuditEvents", "org "+org, actor, org, func(t *txn) error {
		if err := t.authorize(policy.ViewAudit, policy.Target{Org: org}); err != nil {
			return err
		}
		out, err = t.tx.AuditEvents(org, after, page.Limit)
		return err
	})
	return out, err
}

// eachAuditEvent calls fn on every event of org in order, over one
// snapshot, after checking the actor may read the trail.
func (s *Service) eachAuditEvent(ctx context.Context, op string, actor Actor, org string, fn func(AuditEvent, AuditHead) error) error {
	return s.view(ctx, op, "org "+org, actor, org, func(t *txn) error {
		if err := t.authorize(policy.ViewAudit, policy.Target{Org: org}); err != nil {
			return err
		}
		head, err := t.tx.AuditHead(org)
		if err != nil {
			return err
		}
		for after := uint64(0); ; {
			batch, err := t.tx.AuditEvents(org, after, auditBatch)
			if err != nil {
				return err
			}
			for _, e := range batch {
				if err := fn(e, head); err != nil {
					return err
				}
			}
			if len(batch) < auditBatch {
				return nil
			}
			after = batch[len(batch)-1].Seq
		}
	})
}

// VerifyAudit checks org's whole audit chain (see [VerifyChain]) and that it
// ends at the head the store records. When want is not nil, the chain must
// also end exactly there: a host that keeps the head it last saw outside the
// store detects a truncated or replaced trail. It returns the verified head,
// and an error wrapping a [*ChainError] when the chain is broken.
func (s *Service) VerifyAudit(ctx context.Context, actor Actor, org string, want *AuditHead) (AuditHead, error) {
	var (
		events []AuditEvent
		stored AuditHead
	)
	err := s.eachAuditEvent(ctx, "VerifyAudit", actor, org, func(e AuditEvent, head AuditHead) error {
		events, stored = append(events, e), head
		return nil
	})
	if err != nil {
		return AuditHead{}, err
	}
	if want == nil {
		want = &stored
	}
	if err := VerifyChain(org, events, want); err != nil {
		return AuditHead{}, &Error{Op: "VerifyAudit", Item: "org " + org, Err: err}
	}
	return stored, nil
}

// ExportAudit writes org's audit trail to w as JSON Lines, one event per
// line, in order. Values are JSON-encoded, so no input can forge a line.
func (s *Service) ExportAudit(ctx context.Context, actor Actor, org string, w io.Writer) error {
	enc := json.NewEncoder(w)
	return s.eachAuditEvent(ctx, "ExportAudit", actor, org, func(e AuditEvent, _ AuditHead) error {
		return enc.Encode(e)
	})
}
