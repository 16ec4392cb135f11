package postgres

import (
	"strings"

	"github.com/liaisonhq/liaison/contacts"
)

// directoryArgs are the directory columns of c: its directory key, folded
// name and folded address, computed with the contacts package's own
// folding.
func directoryArgs(c contacts.Contact) []any {
	return []any{contacts.DirectoryKey(c), contacts.FoldText(c.Name), contacts.FoldText(c.Email)}
}

// likeEscaper escapes LIKE's wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchContacts returns org's contacts q matches after q.After, in
// directory order: an index range scan on (org, dir_key).
func (t *readTx) SearchContacts(org string, q contacts.ContactSearch) ([]contacts.Contact, error) {
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return nil, err
	}
	if !text(org, q.Text, q.After) {
		return nil, nil
	}
	namePattern := likeEscaper.Replace(q.Text) + "%"
	if !q.Prefix {
		namePattern = "%" + namePattern
	}
	var groups []string
	if q.Groups != nil {
		groups = append([]string{}, q.Groups...)
	}
	return list(t, "SearchContacts", orgScope(org), scanContact,
		`select `+contactCols+` from contacts
		where org = $1 and dir_key > $2
		  and ($3 = '' or name_fold like $4 or (not $5 and email_fold like $4))
		  and ($6 = '' or kind = $6)
		  and (not $7 or availability = 'available')
		  and ($8::text[] is null or group_ids && $8::text[])
		order by dir_key limit $9`,
		org, q.After, q.Text, namePattern, q.Prefix, string(q.Kind), q.Available, groups, limit)
}
