package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/liaisonhq/liaison/contacts"
)

// Change sets and invitations are stored like groups: one row each, keyed
// by org and ID, written under the same rules. A change set's edits and
// comments are jsonb arrays in the contacts types' own JSON encoding; its
// other fields, and every field of an invitation, are columns.

// ChangeSet returns the change set with the given ID in org.
func (t *readTx) ChangeSet(org, id string) (contacts.ChangeSet, error) {
	if !text(org, id) {
		return contacts.ChangeSet{}, contacts.ErrNotFound
	}
	return get(t, "ChangeSet", orgScope(org), scanChangeSet,
		"select "+csCols+" from change_sets where org = $1 and id = $2", org, id)
}

// ChangeSets lists org's change sets ordered by ID.
func (t *readTx) ChangeSets(org string, page contacts.Page) ([]contacts.ChangeSet, error) {
	return listPage(t, "ChangeSets", csCols, "change_sets", scanChangeSet, org, page)
}

// Invitation returns the invitation with the given ID in org.
func (t *readTx) Invitation(org, id string) (contacts.Invitation, error) {
	if !text(org, id) {
		return contacts.Invitation{}, contacts.ErrNotFound
	}
	return get(t, "Invitation", orgScope(org), scanInvitation,
		"select "+invCols+" from invitations where org = $1 and id = $2", org, id)
}

// Invitations lists org's invitations ordered by ID.
func (t *readTx) Invitations(org string, page contacts.Page) ([]contacts.Invitation, error) {
	return listPage(t, "Invitations", invCols, "invitations", scanInvitation, org, page)
}

// InsertChangeSet stores a new change set; the same ID in the org is a
// conflict.
func (t *writeTx) InsertChangeSet(cs contacts.ChangeSet) error {
	if err := errors.Join(checkIDs("change set", cs.Org, cs.ID), checkText("change set", allText(cs)...)); err != nil {
		return err
	}
	args, err := changeSetArgs(cs)
	if err != nil {
		return err
	}
	ok, err := t.inserted("InsertChangeSet", orgScope(cs.Org),
		"insert into change_sets ("+csCols+") values ("+placeholders(1, 12)+") on conflict do nothing returning true", args...)
	if err == nil && !ok {
		err = conflict("change set %s exists in org %s", cs.ID, cs.Org)
	}
	return err
}

// UpdateChangeSet replaces the change set whose stored Version is prev.
func (t *writeTx) UpdateChangeSet(cs contacts.ChangeSet, prev int64) error {
	if err := checkText("change set", allText(cs)...); err != nil {
		return err
	}
	args, err := changeSetArgs(cs)
	if err != nil {
		return err
	}
	return t.versioned("UpdateChangeSet", "change set "+cs.ID+" of org "+cs.Org, orgScope(cs.Org), prev, `
		with cur as (select version from change_sets where org = $1 and id = $2),
		upd as (
			update change_sets set state = $3, requester = $4, edits = $5, comments = $6, ticket = $7,
				created_contacts = $8, decided_by = $9, version = $10, created = $11, updated = $12
			where org = $1 and id = $2 and version = $13
			returning true)
		select (select version from cur), exists (select 1 from upd)`,
		append(args, prev)...)
}

// InsertInvitation stores a new invitation; the same ID in the org is a
// conflict.
func (t *writeTx) InsertInvitation(inv contacts.Invitation) error {
	if err := errors.Join(checkIDs("invitation", inv.Org, inv.ID), checkText("invitation", invitationText(inv)...)); err != nil {
		return err
	}
	ok, err := t.inserted("InsertInvitation", orgScope(inv.Org),
		"insert into invitations ("+invCols+") values ("+placeholders(1, 13)+") on conflict do nothing returning true",
		invitationArgs(inv)...)
	if err == nil && !ok {
		err = conflict("invitation %s exists in org %s", inv.ID, inv.Org)
	}
	return err
}

// UpdateInvitation replaces the invitation whose stored Version is prev.
func (t *writeTx) UpdateInvitation(inv contacts.Invitation, prev int64) error {
	if err := checkText("invitation", invitationText(inv)...); err != nil {
		return err
	}
	return t.versioned("UpdateInvitation", "invitation "+inv.ID+" of org "+inv.Org, orgScope(inv.Org), prev, `
		with cur as (select version from invitations where org = $1 and id = $2),
		upd as (
			update invitations set contact = $3, role = $4, mode = $5, workspace = $6, invited_by = $7,
				token_hash = $8, created = $9, expires = $10, accepted = $11, revoked = $12, version = $13
			where org = $1 and id = $2 and version = $14
			returning true)
		select (select version from cur), exists (select 1 from upd)`,
		append(invitationArgs(inv), prev)...)
}

func scanChangeSet(rows pgx.Rows) (contacts.ChangeSet, error) {
	var cs contacts.ChangeSet
	var state string
	var edits, comments []byte
	var created, updated pgtype.Timestamptz
	err := rows.Scan(&cs.Org, &cs.ID, &state, &cs.Requester, &edits, &comments, &cs.Ticket, &cs.CreatedContacts,
		&cs.DecidedBy, &cs.Version, &created, &updated)
	if err != nil {
		return cs, err
	}
	cs.State, cs.Created, cs.Updated = contacts.ChangeState(state), fromTS(created), fromTS(updated)
	cs.CreatedContacts = nilIfEmpty(cs.CreatedContacts)
	if err := json.Unmarshal(edits, &cs.Edits); err != nil {
		return cs, fmt.Errorf("postgres: edits of change set %s: %w", cs.ID, err)
	}
	if err := json.Unmarshal(comments, &cs.Comments); err != nil {
		return cs, fmt.Errorf("postgres: comments of change set %s: %w", cs.ID, err)
	}
	// An empty array reads back as nil, and times come back in UTC, as
	// everywhere else.
	if len(cs.Edits) == 0 {
		cs.Edits = nil
	}
	if len(cs.Comments) == 0 {
		cs.Comments = nil
	}
	for i := range cs.Edits {
		for j := range cs.Edits[i].Holders {
			cs.Edits[i].Holders[j].Until = cs.Edits[i].Holders[j].Until.UTC()
		}
	}
	for i := range cs.Comments {
		cs.Comments[i].Time = cs.Comments[i].Time.UTC()
	}
	return cs, nil
}

// changeSetArgs returns the values of csCols.
func changeSetArgs(cs contacts.ChangeSet) ([]any, error) {
	edits, comments := cs.Edits, cs.Comments
	if edits == nil {
		edits = []contacts.Edit{}
	}
	if comments == nil {
		comments = []contacts.Comment{}
	}
	rawEdits, err := json.Marshal(edits)
	if err != nil {
		return nil, fmt.Errorf("postgres: edits of change set %s: %w", cs.ID, err)
	}
	rawComments, err := json.Marshal(comments)
	if err != nil {
		return nil, fmt.Errorf("postgres: comments of change set %s: %w", cs.ID, err)
	}
	return []any{cs.Org, cs.ID, string(cs.State), cs.Requester, rawEdits, rawComments, cs.Ticket,
		strs(cs.CreatedContacts), cs.DecidedBy, cs.Version, ts(cs.Created), ts(cs.Updated)}, nil
}

// allText returns every string v holds, through exported struct fields,
// pointers, interfaces, slices, arrays and maps: the strings of its
// columns and of its JSON. A change set nests them (edits, their new
// contacts, patches and holders, comments), and each must be checked
// before it is sent: jsonb refuses the \u0000 a NUL byte is encoded as,
// and json.Marshal would replace invalid UTF-8 rather than fail. Walking
// the value, rather than listing its fields, keeps a field added to one
// of the nested types from escaping the check.
func allText(v any) []string {
	var out []string
	walkText(reflect.ValueOf(v), &out)
	return out
}

func walkText(v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkText(v.Elem(), out)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, which JSON holds as base64
		}
		for i := range v.Len() {
			walkText(v.Index(i), out)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walkText(it.Key(), out)
			walkText(it.Value(), out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkText(v.Field(i), out)
			}
		}
	}
}

func scanInvitation(rows pgx.Rows) (contacts.Invitation, error) {
	var inv contacts.Invitation
	var mode string
	var created, expires, accepted, revoked pgtype.Timestamptz
	err := rows.Scan(&inv.Org, &inv.ID, &inv.Contact, &inv.Role, &mode, &inv.Workspace, &inv.InvitedBy, &inv.TokenHash,
		&created, &expires, &accepted, &revoked, &inv.Version)
	inv.Mode = contacts.InvitationMode(mode)
	inv.Created, inv.Expires, inv.Accepted, inv.Revoked = fromTS(created), fromTS(expires), fromTS(accepted), fromTS(revoked)
	return inv, err
}

func invitationArgs(inv contacts.Invitation) []any {
	return []any{inv.Org, inv.ID, inv.Contact, inv.Role, string(inv.Mode), inv.Workspace, inv.InvitedBy, inv.TokenHash,
		ts(inv.Created), ts(inv.Expires), ts(inv.Accepted), ts(inv.Revoked), inv.Version}
}

func invitationText(inv contacts.Invitation) []string {
	return []string{inv.Org, inv.ID, inv.Contact, inv.Role, string(inv.Mode), inv.Workspace, inv.InvitedBy, inv.TokenHash}
}
