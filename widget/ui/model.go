package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/widget/wire"
)

// This file holds the view models: plain functions from API values to what
// the components show, and from what the viewer did to API values. Event
// handlers are one-liners over them, so native tests reach the logic that
// go-app's handlers cannot be driven through.

// DirectoryQuery is the contact list's search, as the viewer set it.
type DirectoryQuery struct {
	// Text is the search box's text.
	Text string
	// Filter is one of the wire.Filter values; empty means all.
	Filter string
	// Group narrows the teams or client_groups filter to one group.
	Group string
	After string
	Limit int
}

// Values returns the query string of the directory route: parameters at
// their defaults are left out, and Group goes out as "team" or "group"
// only under the filter it narrows.
func (q DirectoryQuery) Values() url.Values {
	v := url.Values{}
	if t := strings.TrimSpace(q.Text); t != "" {
		v.Set("q", t)
	}
	if q.Filter != "" && q.Filter != wire.FilterAll {
		v.Set("filter", q.Filter)
	}
	if q.Group != "" {
		switch q.Filter {
		case wire.FilterTeams:
			v.Set("team", q.Group)
		case wire.FilterClientGroups:
			v.Set("group", q.Group)
		}
	}
	if q.After != "" {
		v.Set("after", q.After)
	}
	if q.Limit > 0 {
		v.Set("limit", itoa(q.Limit))
	}
	return v
}

// directoryFilters are the filters the list offers, in order.
var directoryFilters = []string{wire.FilterAll, wire.FilterInternal, wire.FilterTeams,
	wire.FilterClients, wire.FilterAvailableClients, wire.FilterClientGroups}

// groupKindOf returns the kind of group a filter can narrow to: "team",
// "client_group", or "" when it takes no group.
func groupKindOf(filter string) string {
	switch filter {
	case wire.FilterTeams:
		return "team"
	case wire.FilterClientGroups:
		return "client_group"
	}
	return ""
}

// appendPage adds the next page of a walk to the contacts shown so far. A
// contact already shown (one that moved while paging) is not repeated, so
// the list keeps the stable order the directory gives.
func appendPage(shown []wire.Contact, page []wire.Contact) []wire.Contact {
	seen := make(map[string]bool, len(shown))
	for _, c := range shown {
		seen[c.ID] = true
	}
	out := slices.Clone(shown)
	for _, c := range page {
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, c)
		}
	}
	return out
}

// FormErrors is what a failed request says, placed for a form: a message
// per field (by the field's JSON name, or a parameter's name) and the
// messages about the request as a whole.
type FormErrors struct {
	Fields  map[string]string
	General []string
}

// Field returns the message for field, empty when there is none.
func (f FormErrors) Field(name string) string { return f.Fields[name] }

// Empty reports whether there is nothing to show.
func (f FormErrors) Empty() bool { return len(f.Fields) == 0 && len(f.General) == 0 }

// formErrors places an error for a form. A problem's field list goes next
// to the fields it names: "/contact/email" and "/email" both land on
// "email", the last part of the pointer, unless fields lists the longer
// path; errors without a known field, and other errors, are general.
func formErrors(err error, lang string, fields ...string) FormErrors {
	out := FormErrors{Fields: map[string]string{}}
	if err == nil {
		return out
	}
	var pe *ProblemError
	if !errors.As(err, &pe) {
		out.General = append(out.General, T(lang, msgErrNetwork))
		return out
	}
	p := pe.Problem
	for _, f := range p.Errors {
		name := fieldName(f, fields)
		if name == "" {
			out.General = append(out.General, f.Detail)
			continue
		}
		if prev := out.Fields[name]; prev != "" {
			out.Fields[name] = prev + "; " + f.Detail
		} else {
			out.Fields[name] = f.Detail
		}
	}
	if len(p.Errors) == 0 || len(out.Fields) == 0 && len(out.General) == 0 {
		out.General = append(out.General, problemMessage(p, lang))
	}
	return out
}

// fieldName finds which of fields a problem field names: the pointer
// without its leading slash if listed, else its last segment if listed,
// else the parameter.
func fieldName(f wire.ProblemField, fields []string) string {
	if f.Pointer != "" {
		p := strings.TrimPrefix(f.Pointer, "/")
		if slices.Contains(fields, p) {
			return p
		}
		last := p[strings.LastIndex(p, "/")+1:]
		if slices.Contains(fields, last) {
			return last
		}
		return ""
	}
	if f.Parameter != "" && slices.Contains(fields, f.Parameter) {
		return f.Parameter
	}
	return ""
}

// problemMessage is the sentence shown for a problem as a whole: the
// translated meaning of its status, then the API's detail.
func problemMessage(p wire.Problem, lang string) string {
	var id string
	switch p.Status {
	case 401:
		id = msgErrUnauthenticated
	case 403:
		id = msgErrForbidden
	case 404:
		id = msgErrNotFound
	case 409, 412:
		id = msgErrStale
	case 422, 400:
		id = msgErrInvalid
	default:
		id = msgErrServer
	}
	s := T(lang, id)
	if p.Detail != "" {
		s += " " + p.Detail
	}
	return s
}

// Perms is what the viewer may do, read from /me. It only decides which
// controls exist; the API checks every request itself.
type Perms struct {
	me      wire.Me
	actions map[string]bool
}

// newPerms reads /me's answer.
func newPerms(me wire.Me) Perms {
	p := Perms{me: me, actions: map[string]bool{}}
	for _, a := range me.Actions {
		p.actions[a] = true
	}
	return p
}

// Can reports whether /me lists action.
func (p Perms) Can(action string) bool { return p.actions[action] }

// ContactsConfirmed reports whether the org has confirmed its contacts,
// which puts default-granted purposes in force.
func (p Perms) ContactsConfirmed() bool { return p.me.ContactsConfirmed }

// Review reports whether change sets go to the vendor for review.
func (p Perms) Review() bool { return p.me.ChangeMode == wire.ChangeModeReview }

// CanGrant reports whether the viewer may grant or revoke role.
func (p Perms) CanGrant(role string) bool { return slices.Contains(p.me.GrantableRoles, role) }

// CanEdit reports whether the viewer may change contact c: it needs the
// edit action and, unless it is an owner, to outrank c, whose rank is the
// highest of its roles' ranks in /me's role_info. An API without
// role_info leaves the ranks unknown: then c counts as outranked when every
// role it holds is one the viewer may grant and none is the viewer's own
// top role. The API has the last word either way.
func (p Perms) CanEdit(c wire.Contact) bool {
	if !p.Can(wire.ActionEditContact) {
		return false
	}
	if p.me.Owner || p.me.Vendor {
		return true
	}
	if p.me.Contact != nil && p.me.Contact.ID == c.ID {
		return false
	}
	if len(p.me.RoleInfo) > 0 {
		return p.me.Rank > p.rank(c.Roles)
	}
	top := ""
	if len(p.me.GrantableRoles) > 0 && slices.Contains(p.me.Roles, p.me.GrantableRoles[0]) {
		top = p.me.GrantableRoles[0]
	}
	for _, r := range c.Roles {
		if r == top || !p.CanGrant(r) {
			return false
		}
	}
	return true
}

// rank is the highest rank among roles; a role /me does not describe
// counts as the highest configured rank, so an unknown role is never
// taken to be outranked.
func (p Perms) rank(roles []string) int {
	best := 0
	for _, r := range roles {
		i := slices.IndexFunc(p.me.RoleInfo, func(ri wire.RoleInfo) bool { return ri.Key == r })
		switch {
		case i < 0 && len(p.me.RoleInfo) > 0:
			best = max(best, p.me.RoleInfo[0].Rank)
		case i >= 0:
			best = max(best, p.me.RoleInfo[i].Rank)
		}
	}
	return best
}

// Purposes returns the org's consent purposes, in configured order.
func (p Perms) Purposes() []wire.Purpose { return p.me.Purposes }

// RoleName is the configured name of a role, or its key.
func (p Perms) RoleName(role string) string {
	for _, ri := range p.me.RoleInfo {
		if ri.Key == role && ri.Name != "" {
			return ri.Name
		}
	}
	return role
}

// GrantableRoles returns the roles the viewer may grant, highest first.
func (p Perms) GrantableRoles() []string { return p.me.GrantableRoles }

// Self returns the viewer's own contact ID, empty for a vendor.
func (p Perms) Self() string {
	if p.me.Contact == nil {
		return ""
	}
	return p.me.Contact.ID
}

// DiffRow is one line of a change set's current-versus-requested view.
type DiffRow struct {
	// Subject is the contact's name (or ID) or the slot's key.
	Subject string
	// Field is the contact field's JSON name, or "holders" for a slot.
	Field     string
	Current   string
	Requested string
	// Change is "add", "remove" or "edit".
	Change string
}

// diffRows flattens a change set view into rows: each contact's changed
// fields, then each slot's holders, named by names where it knows them. A
// field absent on one side shows as empty.
func diffRows(v wire.ChangeSetView, names map[string]string) []DiffRow {
	var rows []DiffRow
	for _, c := range v.Contacts {
		subject, change := c.Contact, "edit"
		switch {
		case c.Current == nil && c.Requested != nil:
			change, subject = "add", c.Requested.Name
		case c.Requested == nil && c.Current != nil:
			change, subject = "remove", c.Current.Name
		case c.Current != nil:
			subject = c.Current.Name
		}
		if len(c.Fields) == 0 {
			rows = append(rows, DiffRow{Subject: subject, Change: change})
		}
		for _, f := range c.Fields {
			rows = append(rows, DiffRow{Subject: subject, Field: f.Field, Change: change,
				Current: rawText(f.Current), Requested: rawText(f.Requested)})
		}
	}
	for _, s := range v.Slots {
		rows = append(rows, DiffRow{Subject: s.Slot, Field: "holders", Change: "edit",
			Current: holdersText(s.Current, names), Requested: holdersText(s.Requested, names)})
	}
	return rows
}

// viewNames returns the names a change set view gives its contacts, added
// to known.
func viewNames(v wire.ChangeSetView, known map[string]string) map[string]string {
	out := maps.Clone(known)
	if out == nil {
		out = map[string]string{}
	}
	for _, c := range v.Contacts {
		for _, x := range []*wire.Contact{c.Current, c.Requested} {
			if x != nil && x.ID != "" && x.Name != "" {
				out[x.ID] = x.Name
			}
		}
	}
	return out
}

// unnamedHolders lists the contacts and groups a view's slots name that
// names lacks, each once.
func unnamedHolders(v wire.ChangeSetView, names map[string]string) []wire.Holder {
	seen := map[string]bool{}
	var out []wire.Holder
	for _, s := range v.Slots {
		for _, h := range slices.Concat(s.Current, s.Requested) {
			if names[h.ID] == "" && !seen[h.Kind+"/"+h.ID] {
				seen[h.Kind+"/"+h.ID] = true
				out = append(out, h)
			}
		}
	}
	return out
}

// rawText shows a JSON value as plain text: strings without quotes, lists
// joined with ", ", objects as compact JSON, null and absent as "".
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		parts := make([]string, 0, len(list))
		for _, e := range list {
			parts = append(parts, rawText(e))
		}
		return strings.Join(parts, ", ")
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return string(raw)
}

// holdersText shows holders in order, by name where names has it, a
// group's marked as such.
func holdersText(hs []wire.Holder, names map[string]string) string {
	parts := make([]string, 0, len(hs))
	for _, h := range hs {
		n := names[h.ID]
		if n == "" {
			n = h.ID
		}
		if h.Kind == "group" {
			n = "group:" + n
		}
		parts = append(parts, n)
	}
	return strings.Join(parts, ", ")
}

// moveHolder returns holders with the one at i moved by delta places
// (-1 up, +1 down); a move past either end changes nothing.
func moveHolder(hs []wire.Holder, i, delta int) []wire.Holder {
	j := i + delta
	out := slices.Clone(hs)
	if i < 0 || i >= len(hs) || j < 0 || j >= len(hs) {
		return out
	}
	out[i], out[j] = out[j], out[i]
	return out
}

// removeHolder returns holders without the one at i.
func removeHolder(hs []wire.Holder, i int) []wire.Holder {
	if i < 0 || i >= len(hs) {
		return slices.Clone(hs)
	}
	return slices.Delete(slices.Clone(hs), i, i+1)
}

// addHolder returns holders with h appended, unless it already holds the
// slot.
func addHolder(hs []wire.Holder, h wire.Holder) []wire.Holder {
	out := slices.Clone(hs)
	if h.ID == "" {
		return out
	}
	for _, x := range hs {
		if x.Kind == h.Kind && x.ID == h.ID {
			return out
		}
	}
	return append(out, h)
}

// slotsHeld returns the keys of the slots contact id holds in person.
func slotsHeld(slots []wire.Slot, id string) []string {
	var out []string
	for _, s := range slots {
		for _, h := range s.Holders {
			if h.Kind != "group" && h.ID == id {
				out = append(out, s.Key)
				break
			}
		}
	}
	return out
}

// consentRow is one purpose's state on a contact.
type consentRow struct {
	Purpose string
	// Name is the purpose's configured name, or its key.
	Name    string
	Granted bool
	// Explicit is false when the contact never chose and the default
	// applies.
	Explicit bool
}

// consentRows lists a contact's consent per purpose: every purpose /me
// lists, in configured order, with its default where the contact never
// chose; then any other purpose the contact chose or a slot names (an API
// without purposes in /me), sorted by key.
func consentRows(c wire.Contact, slots []wire.Slot, purposes []wire.Purpose) []consentRow {
	chosen := map[string]wire.ConsentState{}
	for _, st := range c.Consent {
		chosen[st.Purpose] = st
	}
	var out []consentRow
	seen := map[string]bool{}
	for _, p := range purposes {
		row := consentRow{Purpose: p.Key, Name: p.Name, Granted: p.Default}
		if row.Name == "" {
			row.Name = p.Key
		}
		if st, ok := chosen[p.Key]; ok {
			row.Granted, row.Explicit = st.Granted, true
		}
		out = append(out, row)
		seen[p.Key] = true
	}
	var rest []consentRow
	for _, s := range slots {
		if s.Purpose != "" && !seen[s.Purpose] {
			seen[s.Purpose] = true
			row := consentRow{Purpose: s.Purpose, Name: s.Purpose, Granted: true}
			if st, ok := chosen[s.Purpose]; ok {
				row.Granted, row.Explicit = st.Granted, true
			}
			rest = append(rest, row)
		}
	}
	for _, st := range c.Consent {
		if !seen[st.Purpose] {
			seen[st.Purpose] = true
			rest = append(rest, consentRow{Purpose: st.Purpose, Name: st.Purpose, Granted: st.Granted, Explicit: true})
		}
	}
	slices.SortFunc(rest, func(a, b consentRow) int { return strings.Compare(a.Purpose, b.Purpose) })
	return append(out, rest...)
}

// bannerCounts counts completeness findings by severity: errors (what
// blocks) and the rest (warnings).
func bannerCounts(c wire.Completeness) (errs, warnings int) {
	for _, f := range c.Findings {
		if f.Severity == "error" {
			errs++
		} else {
			warnings++
		}
	}
	return errs, warnings
}

// confirmsName reports whether what the viewer typed names the new owner:
// the same text once surrounding space is trimmed and case is ignored.
func confirmsName(typed, name string) bool {
	t := strings.TrimSpace(typed)
	return t != "" && strings.EqualFold(t, strings.TrimSpace(name))
}

// inviteModes are the invitation dialog's modes, in order.
var inviteModes = []string{wire.InviteContacts, wire.InviteWorkspace, wire.InviteQuiet}

// invitationForm is what the invitation dialog holds.
type invitationForm struct {
	// Group, when set, invites that whole group instead of one person.
	Group     string
	Mode      string
	Name      string
	Email     string
	Language  string
	Role      string
	Workspace string
}

// request builds the API body, or returns the fields to fix, with the
// rule each breaks. Only what the browser can know is checked here; the
// API checks the rest.
func (f invitationForm) request(lang string) (wire.NewInvitation, FormErrors) {
	errs := FormErrors{Fields: map[string]string{}}
	if !slices.Contains(inviteModes, f.Mode) {
		errs.Fields["mode"] = T(lang, msgErrChooseMode)
	}
	if strings.TrimSpace(f.Name) == "" {
		errs.Fields["name"] = T(lang, msgErrRequired)
	}
	if e := strings.TrimSpace(f.Email); e == "" {
		errs.Fields["email"] = T(lang, msgErrRequired)
	} else if !strings.Contains(e, "@") {
		errs.Fields["email"] = T(lang, msgErrEmail)
	}
	ws := strings.TrimSpace(f.Workspace)
	if f.Mode == wire.InviteWorkspace && ws == "" {
		errs.Fields["workspace"] = T(lang, msgErrRequired)
	}
	if f.Mode != wire.InviteWorkspace {
		ws = ""
	}
	return wire.NewInvitation{
		Mode:      f.Mode,
		Contact:   wire.NewContact{Name: strings.TrimSpace(f.Name), Email: strings.TrimSpace(f.Email), Language: strings.TrimSpace(f.Language)},
		Role:      f.Role,
		Workspace: ws,
	}, errs
}

// groupModes are the modes a whole group may be invited in: a quiet
// addition makes no sense for people who are already contacts.
var groupModes = []string{wire.InviteContacts, wire.InviteWorkspace}

// groupRequest builds the API body that invites the form's group, or
// returns the fields to fix.
func (f invitationForm) groupRequest(lang string) (wire.NewGroupInvitation, FormErrors) {
	errs := FormErrors{Fields: map[string]string{}}
	if !slices.Contains(groupModes, f.Mode) {
		errs.Fields["mode"] = T(lang, msgErrChooseMode)
	}
	ws := strings.TrimSpace(f.Workspace)
	if f.Mode == wire.InviteWorkspace && ws == "" {
		errs.Fields["workspace"] = T(lang, msgErrRequired)
	}
	if f.Mode != wire.InviteWorkspace {
		ws = ""
	}
	return wire.NewGroupInvitation{Mode: f.Mode, Role: f.Role, Workspace: ws}, errs
}

// mailtoHref returns a mailto: link for an address that looks like one (no
// scheme tricks: one @, no spaces or characters that would end the URL),
// else "".
func mailtoHref(email string) string {
	at := strings.IndexByte(email, '@')
	if at <= 0 || at != strings.LastIndexByte(email, '@') || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n<>\"'?#&:/\\") {
		return ""
	}
	return "mailto:" + email
}

// telHref returns a tel: link for an E.164 number, else "".
func telHref(phone string) string {
	if len(phone) < 3 || len(phone) > 16 || phone[0] != '+' {
		return ""
	}
	for _, r := range phone[1:] {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return "tel:" + phone
}

func itoa(n int) string { return strconv.Itoa(n) }

// contactForm is the contact details' edit form.
type contactForm struct {
	Name, Email, Phone, Title, Language, Availability string
}

// formOf fills the form from a contact.
func formOf(c wire.Contact) contactForm {
	return contactForm{Name: c.Name, Email: c.Email, Phone: c.Phone, Title: c.Title, Language: c.Language, Availability: c.Availability}
}

// contactPatch returns the patch that turns c into what the form says,
// naming only the fields that differ; changed is false when none does.
func contactPatch(c wire.Contact, f contactForm) (p wire.ContactPatch, changed bool) {
	set := func(dst **string, old, now string) {
		now = strings.TrimSpace(now)
		if now != old {
			*dst, changed = &now, true
		}
	}
	set(&p.Name, c.Name, f.Name)
	set(&p.Email, c.Email, f.Email)
	set(&p.Phone, c.Phone, f.Phone)
	set(&p.Title, c.Title, f.Title)
	set(&p.Language, c.Language, f.Language)
	set(&p.Availability, c.Availability, f.Availability)
	return p, changed
}

// contactFields are the JSON names the edit form shows errors next to.
var contactFields = []string{"name", "email", "phone", "title", "language", "availability"}

// undraft removes edit i from a draft, or all of them for -1.
func undraft(draft []wire.Edit, i int) []wire.Edit {
	if i == -1 {
		return nil
	}
	if i < 0 || i >= len(draft) {
		return draft
	}
	return slices.Delete(slices.Clone(draft), i, i+1)
}

// editText describes a draft edit in the viewer's language, naming
// contacts and groups by name where names has them.
func editText(e wire.Edit, lang string, names map[string]string) string {
	name := func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
	switch e.Kind {
	case wire.EditAddContact:
		n := ""
		if e.New != nil {
			n = e.New.Name
		}
		return T(lang, msgEditAdd, n)
	case wire.EditContact:
		var fields []string
		if p := e.Patch; p != nil {
			for _, f := range []struct {
				name string
				v    *string
			}{{"name", p.Name}, {"email", p.Email}, {"phone", p.Phone}, {"title", p.Title}, {"language", p.Language}, {"availability", p.Availability}} {
				if f.v != nil {
					fields = append(fields, f.name)
				}
			}
		}
		return T(lang, msgEditFields, name(e.Contact), strings.Join(fields, ", "))
	case wire.EditGrantRole:
		return T(lang, msgEditGrant, e.Role, name(e.Contact))
	case wire.EditRevokeRole:
		return T(lang, msgEditRevoke, e.Role, name(e.Contact))
	case wire.EditRemoveContact:
		return T(lang, msgEditRemove, name(e.Contact))
	case wire.EditAssignSlot:
		return T(lang, msgEditAssign, e.Slot, holdersText(e.Holders, names))
	}
	return e.Kind
}

// openState reports whether a change set is still pending.
func openState(s string) bool {
	switch s {
	case wire.ChangeDraft, wire.ChangeSubmitted, wire.ChangeQueried, wire.ChangeAnswered:
		return true
	}
	return false
}

// loadMark remembers the revision (and item) a component last loaded, so
// that OnUpdate reloads when they move and not on every change of another
// attribute, such as the selected contact of the list.
type loadMark struct {
	rev int
	key string
	set bool
}

// moved reports whether rev or key differ from the last call, and records
// them.
func (m *loadMark) moved(rev int, key string) bool {
	if m.set && m.rev == rev && m.key == key {
		return false
	}
	m.rev, m.key, m.set = rev, key, true
	return true
}

// safeActionURL reports whether a quick action's URL, which the host's hook
// made, may be opened: an https URL, or a path on the widget's own origin.
// Anything else (javascript:, data:, protocol-relative //host) is dropped.
func safeActionURL(s string) bool {
	if strings.ContainsAny(s, " \t\r\n\\") || s == "" {
		return false
	}
	if strings.HasPrefix(s, "/") {
		return !strings.HasPrefix(s, "//")
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}
