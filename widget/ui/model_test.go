package ui

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/liaisonhq/liaison/widget/wire"
)

func TestDirectoryQuery_Values(t *testing.T) {
	tests := []struct {
		name string
		q    DirectoryQuery
		want url.Values
	}{
		{"empty asks for everyone", DirectoryQuery{}, url.Values{}},
		{"all is the default and left out", DirectoryQuery{Filter: wire.FilterAll}, url.Values{}},
		{"text is trimmed", DirectoryQuery{Text: "  ana "}, url.Values{"q": {"ana"}}},
		{"blank text is left out", DirectoryQuery{Text: "   "}, url.Values{}},
		{"filter", DirectoryQuery{Filter: wire.FilterClients}, url.Values{"filter": {"clients"}}},
		{"team under teams", DirectoryQuery{Filter: wire.FilterTeams, Group: "g1"}, url.Values{"filter": {"teams"}, "team": {"g1"}}},
		{"group under client groups", DirectoryQuery{Filter: wire.FilterClientGroups, Group: "g2"}, url.Values{"filter": {"client_groups"}, "group": {"g2"}}},
		{"a group under another filter is dropped", DirectoryQuery{Filter: wire.FilterInternal, Group: "g1"}, url.Values{"filter": {"internal"}}},
		{"paging", DirectoryQuery{Text: "é", After: "cur", Limit: 50}, url.Values{"q": {"é"}, "after": {"cur"}, "limit": {"50"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.q.Values()); diff != "" {
				t.Errorf("Values() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendPage(t *testing.T) {
	c := func(id string) wire.Contact { return wire.Contact{ID: id, Name: id} }
	shown := []wire.Contact{c("a"), c("b")}
	got := appendPage(shown, []wire.Contact{c("b"), c("c"), c("c"), c("d")})
	ids := func(cs []wire.Contact) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d"}, ids(got)); diff != "" {
		t.Errorf("appendPage (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b"}, ids(shown)); diff != "" {
		t.Errorf("appendPage changed the list it was given (-want +got):\n%s", diff)
	}
}

func TestFormErrors(t *testing.T) {
	problem := func(status int, fields ...wire.ProblemField) error {
		return &ProblemError{Problem: wire.Problem{Status: status, Title: "t", Detail: "detail", Errors: fields}}
	}
	tests := []struct {
		name   string
		err    error
		fields []string
		want   FormErrors
	}{
		{"nil", nil, nil, FormErrors{Fields: map[string]string{}}},
		{"network", errors.New("boom"), nil,
			FormErrors{Fields: map[string]string{}, General: []string{T("en", msgErrNetwork)}}},
		{"pointer to a listed field", problem(422, wire.ProblemField{Pointer: "/email", Detail: "is not an address"}), []string{"email"},
			FormErrors{Fields: map[string]string{"email": "is not an address"}}},
		{"nested pointer lands on its last part", problem(422, wire.ProblemField{Pointer: "/contact/email", Detail: "taken"}), []string{"name", "email"},
			FormErrors{Fields: map[string]string{"email": "taken"}}},
		{"two messages for one field are joined", problem(422,
			wire.ProblemField{Pointer: "/phone", Detail: "a"}, wire.ProblemField{Pointer: "/phone", Detail: "b"}), []string{"phone"},
			FormErrors{Fields: map[string]string{"phone": "a; b"}}},
		{"parameter", problem(400, wire.ProblemField{Parameter: "If-Match", Detail: "bad"}), []string{"If-Match"},
			FormErrors{Fields: map[string]string{"If-Match": "bad"}}},
		{"unknown field is general", problem(422, wire.ProblemField{Pointer: "/edits/3/role", Detail: "too high"}), []string{"email"},
			FormErrors{Fields: map[string]string{}, General: []string{"too high"}}},
		{"no field list: the status speaks", problem(412), nil,
			FormErrors{Fields: map[string]string{}, General: []string{T("en", msgErrStale) + " detail"}}},
		{"forbidden", problem(403), nil,
			FormErrors{Fields: map[string]string{}, General: []string{T("en", msgErrForbidden) + " detail"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := formErrors(tt.err, "en", tt.fields...)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("formErrors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormErrors_translated(t *testing.T) {
	got := formErrors(&ProblemError{Problem: wire.Problem{Status: 404}}, "de")
	if want := []string{T("de", msgErrNotFound)}; !cmp.Equal(want, got.General) {
		t.Errorf("General = %q, want %q", got.General, want)
	}
}

func me(roles []string, grantable []string, owner bool, actions ...string) wire.Me {
	return wire.Me{Org: "o", Contact: &wire.Contact{ID: "self", Roles: roles}, Roles: roles,
		Owner: owner, Actions: actions, GrantableRoles: grantable, ChangeMode: wire.ChangeModeDirect}
}

func TestPerms(t *testing.T) {
	admin := newPerms(me([]string{"admin"}, []string{"admin", "business", "normal"}, false, wire.ActionEditContact, wire.ActionGrantRole))
	owner := newPerms(me([]string{"owner"}, []string{"owner", "admin", "business", "normal"}, true, wire.ActionEditContact))
	normal := newPerms(me([]string{"normal"}, nil, false, wire.ActionViewContacts))
	vendor := newPerms(wire.Me{Vendor: true, Owner: true, Actions: []string{wire.ActionEditContact, wire.ActionReviewChanges}})
	tests := []struct {
		name   string
		p      Perms
		target wire.Contact
		want   bool
	}{
		{"admin edits a normal contact", admin, wire.Contact{ID: "x", Roles: []string{"normal"}}, true},
		{"admin edits a contact without roles", admin, wire.Contact{ID: "x"}, true},
		{"admin does not edit another admin", admin, wire.Contact{ID: "x", Roles: []string{"admin"}}, false},
		{"admin does not edit an owner", admin, wire.Contact{ID: "x", Roles: []string{"owner"}}, false},
		{"admin does not edit itself", admin, wire.Contact{ID: "self", Roles: []string{"admin"}}, false},
		{"owner edits another owner", owner, wire.Contact{ID: "x", Roles: []string{"owner"}}, true},
		{"vendor edits anyone", vendor, wire.Contact{ID: "x", Roles: []string{"owner"}}, true},
		{"normal edits nobody", normal, wire.Contact{ID: "x"}, false},
	}
	ranks := []wire.RoleInfo{{Key: "owner", Rank: 40}, {Key: "admin", Rank: 30}, {Key: "technical", Name: "Technical", Rank: 25}, {Key: "business", Rank: 20}, {Key: "normal", Rank: 10}}
	ranked := me([]string{"admin"}, []string{"admin", "business", "normal"}, false, wire.ActionEditContact)
	ranked.Rank, ranked.RoleInfo = 30, ranks
	rankedAdmin := newPerms(ranked)
	tests = append(tests, []struct {
		name   string
		p      Perms
		target wire.Contact
		want   bool
	}{
		{"ranked: admin edits a technical contact it may not grant", rankedAdmin, wire.Contact{ID: "x", Roles: []string{"technical"}}, true},
		{"ranked: admin does not edit another admin", rankedAdmin, wire.Contact{ID: "x", Roles: []string{"normal", "admin"}}, false},
		{"ranked: an unknown role is not outranked", rankedAdmin, wire.Contact{ID: "x", Roles: []string{"mystery"}}, false},
		{"ranked: no roles", rankedAdmin, wire.Contact{ID: "x"}, true},
	}...)
	if rankedAdmin.RoleName("technical") != "Technical" || rankedAdmin.RoleName("admin") != "admin" {
		t.Error("RoleName does not read role_info")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.CanEdit(tt.target); got != tt.want {
				t.Errorf("CanEdit = %v, want %v", got, tt.want)
			}
		})
	}
	if !admin.CanGrant("business") || admin.CanGrant("owner") {
		t.Error("admin's grantable roles are read wrong")
	}
	if admin.Review() || !newPerms(wire.Me{ChangeMode: wire.ChangeModeReview}).Review() {
		t.Error("Review does not follow change_mode")
	}
	if normal.Can(wire.ActionEditContact) || !normal.Can(wire.ActionViewContacts) {
		t.Error("Can does not follow actions")
	}
	if vendor.Self() != "" || admin.Self() != "self" {
		t.Error("Self is wrong")
	}
}

func TestDiffRows(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	v := wire.ChangeSetView{
		Contacts: []wire.ContactChange{
			{Contact: "c1", Current: &wire.Contact{Name: "Ana"}, Requested: &wire.Contact{Name: "Ana"},
				Fields: []wire.FieldDiff{
					{Field: "email", Current: raw(`"ana@a.example"`), Requested: raw(`"ana@b.example"`)},
					{Field: "roles", Current: raw(`["normal"]`), Requested: raw(`["admin","normal"]`)},
					{Field: "phone", Requested: raw(`"+5511999999999"`)},
				}},
			{Contact: "new:0", Requested: &wire.Contact{Name: "Bo"}, Fields: []wire.FieldDiff{{Field: "name", Requested: raw(`"Bo"`)}}},
			{Contact: "c2", Current: &wire.Contact{Name: "Cy"}},
		},
		Slots: []wire.SlotChange{{Slot: "billing",
			Current:   []wire.Holder{{Kind: "contact", ID: "c1"}},
			Requested: []wire.Holder{{Kind: "group", ID: "g1"}, {Kind: "contact", ID: "c1"}}}},
	}
	want := []DiffRow{
		{Subject: "Ana", Field: "email", Current: "ana@a.example", Requested: "ana@b.example", Change: "edit"},
		{Subject: "Ana", Field: "roles", Current: "normal", Requested: "admin, normal", Change: "edit"},
		{Subject: "Ana", Field: "phone", Current: "", Requested: "+5511999999999", Change: "edit"},
		{Subject: "Bo", Field: "name", Requested: "Bo", Change: "add"},
		{Subject: "Cy", Change: "remove"},
		{Subject: "billing", Field: "holders", Current: "c1", Requested: "group:g1, c1", Change: "edit"},
	}
	if diff := cmp.Diff(want, diffRows(v, nil)); diff != "" {
		t.Errorf("diffRows (-want +got):\n%s", diff)
	}
}

func TestRawText(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, ""}, {`null`, ""}, {`"x"`, "x"}, {`3`, "3"}, {`true`, "true"},
		{`["a", "b"]`, "a, b"}, {`{"a": 1}`, `{"a":1}`}, {`"<img src=x>"`, "<img src=x>"},
	}
	for _, tt := range tests {
		if got := rawText(json.RawMessage(tt.in)); got != tt.want {
			t.Errorf("rawText(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHolderMoves(t *testing.T) {
	h := func(ids ...string) []wire.Holder {
		var out []wire.Holder
		for _, id := range ids {
			out = append(out, wire.Holder{Kind: "contact", ID: id})
		}
		return out
	}
	abc := h("a", "b", "c")
	tests := []struct {
		name string
		got  []wire.Holder
		want []wire.Holder
	}{
		{"up", moveHolder(abc, 1, -1), h("b", "a", "c")},
		{"down", moveHolder(abc, 1, 1), h("a", "c", "b")},
		{"past the top changes nothing", moveHolder(abc, 0, -1), abc},
		{"past the end changes nothing", moveHolder(abc, 2, 1), abc},
		{"remove", removeHolder(abc, 1), h("a", "c")},
		{"remove out of range", removeHolder(abc, 5), abc},
		{"add", addHolder(abc, wire.Holder{Kind: "contact", ID: "d"}), h("a", "b", "c", "d")},
		{"add a holder already there", addHolder(abc, wire.Holder{Kind: "contact", ID: "b"}), abc},
		{"a group of the same ID is another holder", addHolder(h("a"), wire.Holder{Kind: "group", ID: "a"}),
			[]wire.Holder{{Kind: "contact", ID: "a"}, {Kind: "group", ID: "a"}}},
		{"add nobody", addHolder(abc, wire.Holder{Kind: "contact"}), abc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff(h("a", "b", "c"), abc); diff != "" {
		t.Errorf("the moves changed their input (-want +got):\n%s", diff)
	}
}

func TestSlotsHeldAndConsent(t *testing.T) {
	slots := []wire.Slot{
		{Key: "primary", Holders: []wire.Holder{{Kind: "contact", ID: "c1"}}},
		{Key: "billing", Holders: []wire.Holder{{Kind: "group", ID: "c1"}}},
		{Key: "product_updates", Purpose: "product_updates", Holders: []wire.Holder{{Kind: "contact", ID: "c2"}, {Kind: "contact", ID: "c1"}}},
	}
	if diff := cmp.Diff([]string{"primary", "product_updates"}, slotsHeld(slots, "c1")); diff != "" {
		t.Errorf("slotsHeld (-want +got):\n%s", diff)
	}
	c := wire.Contact{Consent: []wire.ConsentState{{Purpose: "usage_interviews", Granted: false}}}
	want := []consentRow{
		{Purpose: "product_updates", Name: "product_updates", Granted: true},
		{Purpose: "usage_interviews", Name: "usage_interviews", Granted: false, Explicit: true},
	}
	if diff := cmp.Diff(want, consentRows(c, slots, nil)); diff != "" {
		t.Errorf("consentRows without purposes (-want +got):\n%s", diff)
	}
	purposes := []wire.Purpose{
		{Key: "usage_interviews", Name: "Usage interviews", Default: true},
		{Key: "newsletter", Name: "Newsletter", LegalBasis: "consent"},
		{Key: "product_updates", Default: true},
	}
	c.Consent = append(c.Consent, wire.ConsentState{Purpose: "retired", Granted: true})
	want = []consentRow{
		{Purpose: "usage_interviews", Name: "Usage interviews", Granted: false, Explicit: true},
		{Purpose: "newsletter", Name: "Newsletter", Granted: false},
		{Purpose: "product_updates", Name: "product_updates", Granted: true},
		{Purpose: "retired", Name: "retired", Granted: true, Explicit: true},
	}
	if diff := cmp.Diff(want, consentRows(c, slots, purposes)); diff != "" {
		t.Errorf("consentRows with purposes (-want +got):\n%s", diff)
	}
}

func TestContactPatch(t *testing.T) {
	c := wire.Contact{Name: "Ana", Email: "ana@example.com", Language: "en", Availability: "busy"}
	if _, changed := contactPatch(c, formOf(c)); changed {
		t.Error("an untouched form is a change")
	}
	f := formOf(c)
	f.Name, f.Phone, f.Availability = " Ana Lima ", "+4930123456", ""
	p, changed := contactPatch(c, f)
	if !changed {
		t.Fatal("an edited form is no change")
	}
	s := func(v string) *string { return &v }
	want := wire.ContactPatch{Name: s("Ana Lima"), Phone: s("+4930123456"), Availability: s("")}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("contactPatch (-want +got):\n%s", diff)
	}
}

func TestInvitationForm(t *testing.T) {
	tests := []struct {
		name     string
		form     invitationForm
		want     wire.NewInvitation
		wantErrs []string
	}{
		{"contacts mode", invitationForm{Mode: "contacts", Name: " Ana ", Email: "ana@example.com", Role: "admin"},
			wire.NewInvitation{Mode: "contacts", Contact: wire.NewContact{Name: "Ana", Email: "ana@example.com"}, Role: "admin"}, nil},
		{"workspace mode needs a workspace", invitationForm{Mode: "workspace", Name: "Ana", Email: "ana@example.com"},
			wire.NewInvitation{}, []string{"workspace"}},
		{"a workspace outside workspace mode is not sent", invitationForm{Mode: "quiet", Name: "Ana", Email: "a@b", Workspace: "w1"},
			wire.NewInvitation{Mode: "quiet", Contact: wire.NewContact{Name: "Ana", Email: "a@b"}}, nil},
		{"everything missing", invitationForm{Mode: "loud"}, wire.NewInvitation{}, []string{"email", "mode", "name"}},
		{"not an address", invitationForm{Mode: "contacts", Name: "Ana", Email: "ana"}, wire.NewInvitation{}, []string{"email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := tt.form.request("en")
			var fields []string
			for f := range errs.Fields {
				fields = append(fields, f)
			}
			if diff := cmp.Diff(tt.wantErrs, fields, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("fields in error (-want +got):\n%s", diff)
			}
			if len(tt.wantErrs) == 0 {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("request (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestConfirmsName(t *testing.T) {
	tests := []struct {
		typed, name string
		want        bool
	}{
		{"Ana Lima", "Ana Lima", true},
		{"  ana lima ", "Ana Lima", true},
		{"Ana", "Ana Lima", false},
		{"", "", false},
		{"   ", " ", false},
	}
	for _, tt := range tests {
		if got := confirmsName(tt.typed, tt.name); got != tt.want {
			t.Errorf("confirmsName(%q, %q) = %v, want %v", tt.typed, tt.name, got, tt.want)
		}
	}
}

func TestHrefs(t *testing.T) {
	mail := []struct{ in, want string }{
		{"ana@example.com", "mailto:ana@example.com"},
		{"javascript:alert(1)", ""},
		{"a@b@c", ""},
		{"@example.com", ""},
		{"ana@", ""},
		{"ana@example.com?cc=eve@evil.example", ""},
		{"ana @example.com", ""},
		{`a"@b`, ""},
	}
	for _, tt := range mail {
		if got := mailtoHref(tt.in); got != tt.want {
			t.Errorf("mailtoHref(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	tel := []struct{ in, want string }{
		{"+4930123456", "tel:+4930123456"},
		{"4930123456", ""},
		{"+49 30", ""},
		{"+1;ext=javascript:x", ""},
		{"+", ""},
		{"+12345678901234567", ""},
	}
	for _, tt := range tel {
		if got := telHref(tt.in); got != tt.want {
			t.Errorf("telHref(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUndraftAndEditText(t *testing.T) {
	s := func(v string) *string { return &v }
	draft := []wire.Edit{
		{Kind: wire.EditGrantRole, Contact: "c1", Role: "admin"},
		{Kind: wire.EditContact, Contact: "c2", Patch: &wire.ContactPatch{Email: s("x@y"), Title: s("")}},
		{Kind: wire.EditAssignSlot, Slot: "billing", Holders: []wire.Holder{{Kind: "contact", ID: "c1"}}},
	}
	if got := undraft(draft, 1); len(got) != 2 || got[1].Kind != wire.EditAssignSlot || len(draft) != 3 {
		t.Errorf("undraft(1) = %v", got)
	}
	if got := undraft(draft, -1); got != nil {
		t.Errorf("undraft(-1) = %v, want nil", got)
	}
	if got := undraft(draft, 7); len(got) != 3 {
		t.Errorf("undraft out of range changed the draft: %v", got)
	}
	wants := []string{"Grant role admin to Ana", "Change c2: email, title", "Set holders of billing to: Ana"}
	for i, e := range draft {
		if got := editText(e, "en", map[string]string{"c1": "Ana"}); got != wants[i] {
			t.Errorf("editText(%v) = %q, want %q", e.Kind, got, wants[i])
		}
	}
}

func TestBannerCounts(t *testing.T) {
	errs, warns := bannerCounts(wire.Completeness{Findings: []wire.Finding{
		{Severity: "error"}, {Severity: "warning"}, {Severity: "info"}, {Severity: "error"},
	}})
	if errs != 2 || warns != 2 {
		t.Errorf("bannerCounts = %d, %d, want 2, 2", errs, warns)
	}
	f := wire.Finding{Kind: "missing_field", Contact: "c1", Field: "phone", Message: "api text"}
	if got, want := findingText(f, "fr", map[string]string{"c1": "Ana"}), "Il manque Téléphone au contact Ana."; got != want {
		t.Errorf("findingText = %q, want %q", got, want)
	}
	f.Kind = "something_new"
	if got := findingText(f, "fr", nil); got != "api text" {
		t.Errorf("an unknown finding kind shows %q, want the API's message", got)
	}
}

func TestSafeActionURL(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"https://chat.example/u/1", true},
		{"/portal/meet?with=c1", true},
		{"http://chat.example", false},
		{"javascript:alert(1)", false},
		{"JaVaScRiPt:alert(1)", false},
		{"data:text/html,<script>", false},
		{"//evil.example/x", false},
		{"https://user@chat.example", false},
		{"https:///nohost", false},
		{"", false},
		{"/a b", false},
		{"/\\evil.example", false},
	}
	for _, tt := range tests {
		if got := safeActionURL(tt.in); got != tt.want {
			t.Errorf("safeActionURL(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDiffRows_names(t *testing.T) {
	v := wire.ChangeSetView{
		Contacts: []wire.ContactChange{{Contact: "c2", Current: &wire.Contact{ID: "c2", Name: "Bo"}, Requested: &wire.Contact{ID: "c2", Name: "Bo"}}},
		Slots: []wire.SlotChange{{Slot: "billing",
			Current:   []wire.Holder{{Kind: "contact", ID: "c1"}},
			Requested: []wire.Holder{{Kind: "group", ID: "g1"}, {Kind: "contact", ID: "c2"}, {Kind: "contact", ID: "c3"}}}},
	}
	names := viewNames(v, map[string]string{"c1": "Ana"})
	if diff := cmp.Diff(map[string]string{"c1": "Ana", "c2": "Bo"}, names); diff != "" {
		t.Errorf("viewNames (-want +got):\n%s", diff)
	}
	want := []wire.Holder{{Kind: "group", ID: "g1"}, {Kind: "contact", ID: "c3"}}
	if diff := cmp.Diff(want, unnamedHolders(v, names)); diff != "" {
		t.Errorf("unnamedHolders (-want +got):\n%s", diff)
	}
	names["g1"] = "Support"
	rows := diffRows(v, names)
	last := rows[len(rows)-1]
	if last.Current != "Ana" || last.Requested != "group:Support, Bo, c3" {
		t.Errorf("slot row = %+v", last)
	}
}

func TestAuditNames(t *testing.T) {
	events := []wire.AuditEvent{
		{Actor: "vendor:setup", Target: "org/acme"},
		{Actor: "contact:c1", Target: "contact/c2"},
		{Actor: "contact:c1", Target: "contact/c3"},
	}
	names := map[string]string{"c3": "Cy"}
	if diff := cmp.Diff([]string{"c1", "c2"}, auditContacts(events, names)); diff != "" {
		t.Errorf("auditContacts (-want +got):\n%s", diff)
	}
	names["c1"] = "Ana"
	for _, tt := range []struct{ in, want string }{
		{"contact:c1", "Ana"}, {"contact/c3", "Cy"}, {"contact/c9", "contact/c9"}, {"vendor:setup", "vendor:setup"}, {"org/acme", "org/acme"},
	} {
		if got := auditName(tt.in, names); got != tt.want {
			t.Errorf("auditName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFindingContacts(t *testing.T) {
	fs := []wire.Finding{{Contact: "c1"}, {Slot: "billing"}, {Contact: "c2"}, {Contact: "c1"}, {Contact: "c3"}, {Contact: "c4"}}
	if diff := cmp.Diff([]string{"c1", "c3"}, findingContacts(fs, map[string]string{"c2": "Bo"}, 2)); diff != "" {
		t.Errorf("findingContacts (-want +got):\n%s", diff)
	}
}

func TestInvitationForm_group(t *testing.T) {
	tests := []struct {
		name     string
		form     invitationForm
		want     wire.NewGroupInvitation
		wantErrs []string
	}{
		{"contacts", invitationForm{Group: "g1", Mode: "contacts", Role: "normal", Workspace: "ignored"},
			wire.NewGroupInvitation{Mode: "contacts", Role: "normal"}, nil},
		{"workspace", invitationForm{Group: "g1", Mode: "workspace", Workspace: " ws-1 "},
			wire.NewGroupInvitation{Mode: "workspace", Workspace: "ws-1"}, nil},
		{"workspace without one", invitationForm{Group: "g1", Mode: "workspace"}, wire.NewGroupInvitation{}, []string{"workspace"}},
		{"a group cannot be added quietly", invitationForm{Group: "g1", Mode: "quiet"}, wire.NewGroupInvitation{}, []string{"mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := tt.form.groupRequest("en")
			var fields []string
			for f := range errs.Fields {
				fields = append(fields, f)
			}
			if diff := cmp.Diff(tt.wantErrs, fields, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("fields in error (-want +got):\n%s", diff)
			}
			if len(tt.wantErrs) == 0 {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("groupRequest (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestConsentState(t *testing.T) {
	tests := []struct {
		row       consentRow
		confirmed bool
		want      string
	}{
		{consentRow{Granted: true}, true, "default"},
		{consentRow{Granted: true}, false, "pending"}, // not in force before the contacts are confirmed
		{consentRow{}, true, "none"},
		{consentRow{}, false, "none"},
		{consentRow{Granted: true, Explicit: true}, false, "granted"},
		{consentRow{Explicit: true}, true, "withdrawn"},
	}
	for _, tt := range tests {
		got := consentState(tt.row, tt.confirmed)
		if got != tt.want {
			t.Errorf("consentState(%+v) = %q, want %q", tt.row, got, tt.want)
		}
		if consentStateMsg[got] == "" {
			t.Errorf("state %q has no message", got)
		}
	}
}

func TestFindingText_slotNames(t *testing.T) {
	f := wire.Finding{Kind: "slot_below_min", Slot: "billing"}
	if got, want := findingText(f, "de", map[string]string{"billing": "Rechnungskontakt"}), T("de", msgFindSlotBelowMin, "Rechnungskontakt"); got != want {
		t.Errorf("findingText = %q, want %q", got, want)
	}
	if !slotFindings([]wire.Finding{{Contact: "c1"}, f}) || slotFindings([]wire.Finding{{Contact: "c1"}}) {
		t.Error("slotFindings is wrong")
	}
}

func TestValidOrgID(t *testing.T) {
	for _, org := range []string{"acme", "Org_2", "a-b", strings.Repeat("x", 64)} {
		if !validOrgID(org) {
			t.Errorf("validOrgID(%q) = false, want true", org)
		}
	}
	for _, org := range []string{"", "..", ".", "a/b", "a b", "é", "a%2F..", strings.Repeat("x", 65)} {
		if validOrgID(org) {
			t.Errorf("validOrgID(%q) = true, want false", org)
		}
	}
}
