package contacts

import (
	"context"
	"strconv"

	"github.com/liaisonhq/liaison/policy"
)

// MaxImportRows bounds one import, so one call cannot hold the store's
// write transaction for long.
const MaxImportRows = 100_000

// ImportContacts adds many contacts to org in one atomic step, as a CLI or
// API import does. Every row is checked first, against the same rules as
// [Service.CreateContact] and against the other rows; if any row is bad,
// nothing is written and the [*InvalidError] names every bad field as
// /rows/N/field (N counting from 0). One audit event records the import.
func (s *Service) ImportContacts(ctx context.Context, actor Actor, org string, rows []NewContact) ([]Contact, error) {
	var out []Contact
	err := s.update(ctx, "ImportContacts", "org "+org, actor, org, func(t *txn) error {
		if err := t.authorize(policy.EditContact, policy.Target{Org: org}); err != nil {
			return err
		}
		if len(rows) > MaxImportRows {
			return errInvalid("/rows", "at most %d rows in one import, not %d", MaxImportRows, len(rows))
		}
		rules, err := t.rules(t.org)
		if err != nil {
			return err
		}
		var bad invalid
		batch := make([]Contact, 0, len(rows))
		seen := make(map[string]int, len(rows))
		for i, row := range rows {
			// Built only for a bad row: most rows are good.
			prefix := func() string { return "/rows/" + strconv.Itoa(i) }
			c, err := rules.build(row)
			if err != nil {
				for _, f := range err.(*InvalidError).Fields {
					bad = append(bad, FieldError{Path: prefix() + f.Path, Message: f.Message})
				}
				continue
			}
			key := EmailKey(c.Email)
			if j, dup := seen[key]; dup {
				bad.add(prefix()+"/email", "repeats the address of row %d", j)
				continue
			}
			seen[key] = i
			if err := t.emailFree(c.Email, ""); err != nil {
				bad.add(prefix()+"/email", "another contact of the org uses this address")
				continue
			}
			c.Org, c.ID, c.Status = org, newID(t.now), Active
			c.Version, c.Created, c.Updated = 1, t.now, t.now
			if c.Availability != "" {
				c.AvailabilitySince = t.now
			}
			batch = append(batch, c)
		}
		if err := bad.err(); err != nil {
			return err
		}
		ids := make([]string, len(batch))
		for i, c := range batch {
			if err := t.w.InsertContact(c); err != nil {
				return err
			}
			ids[i] = c.ID
		}
		out = batch
		return t.audit("contact.import", "org/"+org, nil, map[string]any{"created": ids})
	})
	return out, err
}
