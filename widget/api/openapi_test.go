package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/liaisonhq/liaison/schema"
	"github.com/liaisonhq/liaison/widget/wire"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// The OpenAPI document must describe exactly what the handler serves:
// every route and no other, each with its parameters and body, and
// schemas that every response the tests record validates against.

const openAPIURL = "https://liaison.dev/openapi.json"

var (
	openAPIOnce sync.Once
	openAPIDoc  map[string]any
	openAPIErr  error
	compiler    *jsonschema.Compiler
	compiledMu  sync.Mutex
	compiled    = map[string]*jsonschema.Schema{}
)

func loadOpenAPI(t testing.TB) map[string]any {
	t.Helper()
	openAPIOnce.Do(func() {
		data := schema.OpenAPI()
		if openAPIErr = json.Unmarshal(data, &openAPIDoc); openAPIErr != nil {
			return
		}
		compiler = jsonschema.NewCompiler()
		compiler.Draft = jsonschema.Draft2020
		compiler.AssertFormat = true
		openAPIErr = compiler.AddResource(openAPIURL, bytes.NewReader(data))
	})
	if openAPIErr != nil {
		t.Fatalf("schema/openapi.json: %v", openAPIErr)
	}
	return openAPIDoc
}

// compileAt compiles the schema at JSON pointer ptr of the document.
func compileAt(t testing.TB, ptr string) *jsonschema.Schema {
	t.Helper()
	loadOpenAPI(t)
	compiledMu.Lock()
	defer compiledMu.Unlock()
	if s, ok := compiled[ptr]; ok {
		return s
	}
	frag := strings.NewReplacer("{", "%7B", "}", "%7D").Replace(ptr)
	s, err := compiler.Compile(openAPIURL + "#" + frag)
	if err != nil {
		t.Fatalf("compiling %s: %v", ptr, err)
	}
	compiled[ptr] = s
	return s
}

func pointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// resolve follows a local $ref.
func resolve(doc map[string]any, v map[string]any) (map[string]any, string) {
	ref, ok := v["$ref"].(string)
	if !ok {
		return v, ""
	}
	cur := any(doc)
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		cur = obj(cur)[tok]
	}
	return obj(cur), strings.TrimPrefix(ref, "#")
}

// operation returns the documented operation of route (method, path).
func operation(doc map[string]any, method, path string) map[string]any {
	return obj(obj(obj(doc["paths"])[path])[strings.ToLower(method)])
}

// validateResponse checks a recorded response of route method path against
// the document: its status is documented for the operation, its media type
// too, its body validates against the documented schema (each line, for
// JSON Lines), and the headers the document promises are present.
func validateResponse(t testing.TB, method, path string, res result) {
	t.Helper()
	doc := loadOpenAPI(t)
	op := operation(doc, method, path)
	if op == nil {
		t.Errorf("%s %s: not in openapi.json", method, path)
		return
	}
	opPtr := "/paths/" + pointerToken(path) + "/" + strings.ToLower(method)
	code := strconv.Itoa(res.status)
	resp := obj(obj(op["responses"])[code])
	if resp == nil {
		t.Errorf("%s %s answered %d, which openapi.json does not document (body %s)", method, path, res.status, res.body)
		return
	}
	respPtr := opPtr + "/responses/" + code
	resp, ref := resolve(doc, resp)
	if ref != "" {
		respPtr = ref
	}
	for name := range obj(resp["headers"]) {
		if name == wire.HeaderIdempotentReplayed {
			continue // only on replays
		}
		if res.header.Get(name) == "" {
			t.Errorf("%s %s %d: documented header %s missing", method, path, res.status, name)
		}
	}
	content := obj(resp["content"])
	if content == nil {
		if len(res.body) != 0 {
			t.Errorf("%s %s %d: documented without a body, got %q", method, path, res.status, res.body)
		}
		return
	}
	mt, _, err := mime.ParseMediaType(res.header.Get("Content-Type"))
	if err != nil || content[mt] == nil {
		t.Errorf("%s %s %d: Content-Type %q is not documented", method, path, res.status, res.header.Get("Content-Type"))
		return
	}
	s := compileAt(t, respPtr+"/content/"+pointerToken(mt)+"/schema")
	docs := [][]byte{res.body}
	if mt == wire.MediaNDJSON {
		docs = nil
		sc := bufio.NewScanner(bytes.NewReader(res.body))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			docs = append(docs, slices.Clone(sc.Bytes()))
		}
	}
	for _, d := range docs {
		var v any
		if err := json.Unmarshal(d, &v); err != nil {
			t.Errorf("%s %s %d: body is not JSON: %v", method, path, res.status, err)
			continue
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%s %s %d: body does not match the documented schema: %v\nbody: %s", method, path, res.status, err, d)
		}
	}
}

// TestOpenAPI_routeInventory holds the document to the route table, the
// one source the mux is built from: every route is documented with its
// parameters, If-Match, Idempotency-Key and body, and every documented
// operation is served (RELIABILITY A1).
func TestOpenAPI_routeInventory(t *testing.T) {
	doc := loadOpenAPI(t)
	served := map[string]bool{}
	for _, rt := range compiledRoutes() {
		key := rt.method + " " + rt.path
		served[key] = true
		op := operation(doc, rt.method, rt.path)
		if op == nil {
			t.Errorf("%s is served but not in openapi.json", key)
			continue
		}
		var pathParams, query []string
		ifMatch, idem := false, false
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			p, _ := resolve(doc, obj(p))
			switch name := p["name"].(string); p["in"] {
			case "path":
				pathParams = append(pathParams, name)
			case "query":
				query = append(query, name)
			case "header":
				switch name {
				case "If-Match":
					ifMatch = p["required"] == true
				case wire.HeaderIdempotencyKey:
					idem = true
				default:
					t.Errorf("%s documents header %s, which the handler does not read", key, name)
				}
			}
		}
		var wantPath []string
		for name := range rt.params {
			if strings.Contains(rt.path, "{"+name+"}") {
				wantPath = append(wantPath, name)
			}
		}
		slices.Sort(wantPath)
		slices.Sort(pathParams)
		wantQuery := slices.Sorted(slices.Values(rt.query))
		slices.Sort(query)
		if diff := cmp.Diff(wantPath, pathParams, cmpEmpty); diff != "" {
			t.Errorf("%s path parameters (-served +documented):\n%s", key, diff)
		}
		if diff := cmp.Diff(wantQuery, query, cmpEmpty); diff != "" {
			t.Errorf("%s query parameters (-served +documented):\n%s", key, diff)
		}
		if ifMatch != rt.ifMatch {
			t.Errorf("%s: If-Match required: documented %v, served %v", key, ifMatch, rt.ifMatch)
		}
		if idem != rt.idempotent {
			t.Errorf("%s: Idempotency-Key: documented %v, served %v", key, idem, rt.idempotent)
		}
		body := obj(op["requestBody"])
		switch {
		case rt.body == nil && body != nil:
			t.Errorf("%s documents a body but takes none", key)
		case rt.body != nil:
			_, ref := resolve(doc, obj(obj(obj(obj(body)["content"])[wire.MediaJSON])["schema"]))
			if want := "/components/schemas/" + rt.bodyType.Name(); ref != want {
				t.Errorf("%s: body schema %q, want %q (the wire type's name)", key, ref, want)
			}
			if required := body["required"] == true; required == rt.optionalBody {
				t.Errorf("%s: body documented required=%v, served optional=%v", key, required, rt.optionalBody)
			}
		}
		if _, ok := obj(op["responses"])["401"]; ok == rt.public {
			t.Errorf("%s: 401 documented %v, but the route is public=%v", key, ok, rt.public)
		}
	}
	for path, item := range obj(doc["paths"]) {
		for method := range obj(item) {
			if key := strings.ToUpper(method) + " " + path; !served[key] {
				t.Errorf("%s is documented but not served", key)
			}
		}
	}
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })

// wireTypes maps the component schemas to the wire types they describe.
var wireTypes = map[string]any{
	"Problem": wire.Problem{}, "ProblemField": wire.ProblemField{},
	"Org": wire.Org{}, "OrgPage": wire.OrgPage{}, "NewOrg": wire.NewOrg{}, "CreatedOrg": wire.CreatedOrg{}, "OrgPatch": wire.OrgPatch{},
	"Contact": wire.Contact{}, "ContactPage": wire.ContactPage{}, "NewContact": wire.NewContact{}, "ContactPatch": wire.ContactPatch{},
	"Transfer": wire.Transfer{}, "Ownership": wire.Ownership{},
	"ConsentState": wire.ConsentState{}, "ConsentChoice": wire.ConsentChoice{}, "ConsentRecord": wire.ConsentRecord{},
	"ConsentHistory": wire.ConsentHistory{}, "Token": wire.Token{}, "Redeemed": wire.Redeemed{}, "Bounce": wire.Bounce{},
	"Group": wire.Group{}, "GroupPage": wire.GroupPage{}, "Members": wire.Members{}, "NewGroup": wire.NewGroup{}, "GroupPatch": wire.GroupPatch{},
	"Holder": wire.Holder{}, "Slot": wire.Slot{}, "Slots": wire.Slots{}, "SlotAssignment": wire.SlotAssignment{},
	"Address": wire.Address{}, "TestMessage": wire.TestMessage{}, "Finding": wire.Finding{}, "Completeness": wire.Completeness{},
	"Recipients": wire.Recipients{}, "Recipient": wire.Recipient{}, "Reason": wire.Reason{}, "Exclusion": wire.Exclusion{},
	"AuditEvent": wire.AuditEvent{}, "AuditPage": wire.AuditPage{}, "AuditHead": wire.AuditHead{}, "AuditVerification": wire.AuditVerification{},
	"Me": wire.Me{}, "RoleInfo": wire.RoleInfo{}, "Purpose": wire.Purpose{}, "DirectoryPage": wire.DirectoryPage{}, "Workspace": wire.Workspace{}, "QuickAction": wire.QuickAction{},
	"Overview": wire.Overview{}, "Edit": wire.Edit{}, "NewChangeSet": wire.NewChangeSet{}, "ChangeSetComment": wire.ChangeSetComment{},
	"ChangeSet": wire.ChangeSet{}, "ChangeSetPage": wire.ChangeSetPage{}, "Comment": wire.Comment{}, "FieldDiff": wire.FieldDiff{},
	"ContactChange": wire.ContactChange{}, "SlotChange": wire.SlotChange{}, "ChangeSetView": wire.ChangeSetView{},
	"NewInvitation": wire.NewInvitation{}, "NewGroupInvitation": wire.NewGroupInvitation{}, "GroupInvited": wire.GroupInvited{},
	"Invitation": wire.Invitation{}, "InvitationPage": wire.InvitationPage{}, "InviteLink": wire.InviteLink{}, "SignUp": wire.SignUp{},
}

// requiredExceptions are fields the handler requires although Go cannot
// say so with a tag, each with the reason.
var requiredExceptions = map[string]string{
	"ConsentChoice.granted": "a pointer, so that an absent choice is refused instead of read as a withdrawal",
}

// TestOpenAPI_schemasMatchWire holds every component schema to its wire
// type: the same properties, closed to others, and required exactly when
// the field is always written (no omitempty or omitzero).
func TestOpenAPI_schemasMatchWire(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := obj(obj(doc["components"])["schemas"])
	for _, name := range sortedKeys(schemas) {
		v, ok := wireTypes[name]
		if !ok {
			t.Errorf("component schema %s describes no wire type", name)
			continue
		}
		s := obj(schemas[name])
		if s["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties must be false: the handler refuses unknown fields and sends none", name)
		}
		var want, wantRequired, props, required []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			tag := typ.Field(i).Tag.Get("json")
			jname, opts, _ := strings.Cut(tag, ",")
			want = append(want, jname)
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") || requiredExceptions[name+"."+jname] != "" {
				wantRequired = append(wantRequired, jname)
			}
		}
		for p := range obj(s["properties"]) {
			props = append(props, p)
		}
		reqd, _ := s["required"].([]any)
		for _, r := range reqd {
			required = append(required, r.(string))
		}
		slices.Sort(want)
		slices.Sort(wantRequired)
		slices.Sort(props)
		slices.Sort(required)
		if diff := cmp.Diff(want, props, cmpEmpty); diff != "" {
			t.Errorf("%s properties (-wire +openapi):\n%s", name, diff)
		}
		if diff := cmp.Diff(wantRequired, required, cmpEmpty); diff != "" {
			t.Errorf("%s required (-wire +openapi):\n%s", name, diff)
		}
	}
	for name := range wireTypes {
		if schemas[name] == nil {
			t.Errorf("wire type %s has no component schema", name)
		}
	}
}

// TestOpenAPI_served checks that the handler serves the document itself,
// without identity.
func TestOpenAPI_served(t *testing.T) {
	f := newFixture(t)
	res := f.do("none", "acme", req{method: "GET", path: "/openapi.json"})
	if res.status != http.StatusOK || !bytes.Equal(res.body, schema.OpenAPI()) {
		t.Fatalf("GET /openapi.json = %d, %d bytes; want 200 and the document", res.status, len(res.body))
	}
	validateResponse(t, "GET", "/openapi.json", res)
}
