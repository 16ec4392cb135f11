package postgres

import (
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/liaisonhq/liaison/contacts"
)

// Webhook cursors are rows of webhook_cursors, keyed by org and endpoint,
// written like slot holders records: a new one with prev 0, else in place
// of the stored version prev.

const cursorCols = "org, endpoint, delivered, attempts, next_attempt, last_error, version, updated"

// WebhookCursor returns the delivery cursor of endpoint in org.
func (t *readTx) WebhookCursor(org, endpoint string) (contacts.WebhookCursor, error) {
	if !text(org, endpoint) {
		return contacts.WebhookCursor{}, contacts.ErrNotFound
	}
	return get(t, "WebhookCursor", orgScope(org), scanCursor,
		"select "+cursorCols+" from webhook_cursors where org = $1 and endpoint = $2", org, endpoint)
}

// WebhookCursors returns every delivery cursor of org, ordered by endpoint.
func (t *readTx) WebhookCursors(org string) ([]contacts.WebhookCursor, error) {
	if !text(org) {
		return nil, nil
	}
	return list(t, "WebhookCursors", orgScope(org), scanCursor,
		`select `+cursorCols+` from webhook_cursors where org = $1 order by endpoint collate "C"`, org)
}

// PutWebhookCursor stores c as the cursor of c.Endpoint in c.Org: a new one
// with prev 0, else in place of the one whose stored Version is prev.
func (t *writeTx) PutWebhookCursor(c contacts.WebhookCursor, prev int64) error {
	if err := errors.Join(checkIDs("webhook cursor", c.Org, c.Endpoint), checkText("webhook cursor", c.Org, c.Endpoint, c.LastError)); err != nil {
		return err
	}
	if c.Delivered > math.MaxInt64 || c.Attempts < 0 {
		return fmt.Errorf("postgres: webhook cursor of endpoint %s in org %s: delivered %d or attempts %d out of range",
			c.Endpoint, c.Org, c.Delivered, c.Attempts)
	}
	args := []any{c.Org, c.Endpoint, int64(c.Delivered), int64(c.Attempts), ts(c.NextAttempt), c.LastError, c.Version, ts(c.Updated)}
	what := "webhook cursor of endpoint " + c.Endpoint + " in org " + c.Org
	if prev == 0 {
		ok, err := t.inserted("PutWebhookCursor", orgScope(c.Org),
			"insert into webhook_cursors ("+cursorCols+") values ("+placeholders(1, 8)+") on conflict do nothing returning true", args...)
		if err == nil && !ok {
			err = conflict("%s exists", what)
		}
		return err
	}
	return t.versioned("PutWebhookCursor", what, orgScope(c.Org), prev, `
		with cur as (select version from webhook_cursors where org = $1 and endpoint = $2),
		upd as (
			update webhook_cursors set delivered = $3, attempts = $4, next_attempt = $5, last_error = $6,
				version = $7, updated = $8
			where org = $1 and endpoint = $2 and version = $9
			returning true)
		select (select version from cur), exists (select 1 from upd)`,
		append(args, prev)...)
}

func scanCursor(rows pgx.Rows) (contacts.WebhookCursor, error) {
	var c contacts.WebhookCursor
	var delivered, attempts int64
	var next, updated pgtype.Timestamptz
	if err := rows.Scan(&c.Org, &c.Endpoint, &delivered, &attempts, &next, &c.LastError, &c.Version, &updated); err != nil {
		return c, err
	}
	c.Delivered, c.Attempts = uint64(delivered), int(attempts)
	c.NextAttempt, c.Updated = fromTS(next), fromTS(updated)
	return c, nil
}
