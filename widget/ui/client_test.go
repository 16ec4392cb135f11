package ui

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/liaisonhq/liaison/widget/wire"
)

// recorder is a Transport that records requests and answers each with
// the next canned response (a 200 with "{}" when none is left).
type recorder struct {
	reqs  []Request
	bases []string
	res   []Response
}

func (r *recorder) RoundTrip(_ context.Context, base string, req Request) (Response, error) {
	r.reqs = append(r.reqs, req)
	r.bases = append(r.bases, base)
	if len(r.res) == 0 {
		return Response{Status: 200, ContentType: wire.MediaJSON, Body: []byte("{}")}, nil
	}
	res := r.res[0]
	r.res = r.res[1:]
	return res, nil
}

func testClient(rec *recorder) *Client {
	return &Client{Base: "/liaison/api", Transport: rec, NewKey: func() string { return "key-1" }}
}

func TestClient_requests(t *testing.T) {
	ctx := context.Background()
	accept := wire.MediaJSON + ", " + wire.MediaProblem
	tests := []struct {
		name string
		call func(c *Client) error
		want Request
	}{
		{"me", func(c *Client) error { _, err := c.Me(ctx, "acme"); return err },
			Request{Method: "GET", Path: "/orgs/acme/me", Header: map[string]string{"Accept": accept}}},
		{"directory", func(c *Client) error {
			_, err := c.Directory(ctx, "acme", DirectoryQuery{Text: "ana", Filter: wire.FilterTeams, Group: "t1", Limit: 50})
			return err
		}, Request{Method: "GET", Path: "/orgs/acme/directory",
			Query:  url.Values{"q": {"ana"}, "filter": {"teams"}, "team": {"t1"}, "limit": {"50"}},
			Header: map[string]string{"Accept": accept}}},
		{"path segments are escaped", func(c *Client) error { _, err := c.Contact(ctx, "a/b", "c d?"); return err },
			Request{Method: "GET", Path: "/orgs/a%2Fb/contacts/c%20d%3F", Header: map[string]string{"Accept": accept}}},
		{"patch sends If-Match and a body", func(c *Client) error {
			name := "Ana"
			_, err := c.PatchContact(ctx, "acme", "c1", 7, wire.ContactPatch{Name: &name})
			return err
		}, Request{Method: "PATCH", Path: "/orgs/acme/contacts/c1", Body: []byte(`{"name":"Ana"}`),
			Header: map[string]string{"Accept": accept, "Content-Type": wire.MediaJSON, "If-Match": `"v7"`}}},
		{"grant role", func(c *Client) error { _, err := c.SetRole(ctx, "acme", "c1", "admin", 3, true); return err },
			Request{Method: "PUT", Path: "/orgs/acme/contacts/c1/roles/admin", Header: map[string]string{"Accept": accept, "If-Match": `"v3"`}}},
		{"revoke role", func(c *Client) error { _, err := c.SetRole(ctx, "acme", "c1", "admin", 3, false); return err },
			Request{Method: "DELETE", Path: "/orgs/acme/contacts/c1/roles/admin", Header: map[string]string{"Accept": accept, "If-Match": `"v3"`}}},
		{"consent from the widget", func(c *Client) error { _, err := c.SetConsent(ctx, "acme", "c1", "product_updates", false); return err },
			Request{Method: "PUT", Path: "/orgs/acme/contacts/c1/consent/product_updates", Body: []byte(`{"granted":false,"channel":"widget"}`),
				Header: map[string]string{"Accept": accept, "Content-Type": wire.MediaJSON}}},
		{"review", func(c *Client) error { return c.ConfirmReview(ctx, "acme") },
			Request{Method: "POST", Path: "/orgs/acme/review", Header: map[string]string{"Accept": accept}}},
		{"verification", func(c *Client) error { return c.RequestVerification(ctx, "acme", "c1") },
			Request{Method: "POST", Path: "/orgs/acme/contacts/c1/verification", Header: map[string]string{"Accept": accept}}},
		{"assigning nobody sends an empty list, not null", func(c *Client) error { _, err := c.AssignSlot(ctx, "acme", "billing", 2, nil); return err },
			Request{Method: "PUT", Path: "/orgs/acme/slots/billing/holders", Body: []byte(`{"holders":[]}`),
				Header: map[string]string{"Accept": accept, "Content-Type": wire.MediaJSON, "If-Match": `"v2"`}}},
		{"recipients explained", func(c *Client) error {
			_, err := c.Recipients(ctx, "acme", "product_updates", "product_updates")
			return err
		},
			Request{Method: "GET", Path: "/orgs/acme/recipients/product_updates", Query: url.Values{"explain": {"true"}, "purpose": {"product_updates"}},
				Header: map[string]string{"Accept": accept}}},
		{"ownership", func(c *Client) error { _, err := c.TransferOwnership(ctx, "acme", "c2", 4); return err },
			Request{Method: "POST", Path: "/orgs/acme/ownership", Body: []byte(`{"to":"c2"}`),
				Header: map[string]string{"Accept": accept, "Content-Type": wire.MediaJSON, "If-Match": `"v4"`}}},
		{"a change set is created with an idempotency key", func(c *Client) error {
			_, err := c.CreateChangeSet(ctx, "acme", []wire.Edit{{Kind: wire.EditGrantRole, Contact: "c1", Version: 1, Role: "business"}})
			return err
		}, Request{Method: "POST", Path: "/orgs/acme/change-sets",
			Body:   []byte(`{"edits":[{"kind":"grant_role","contact":"c1","version":1,"role":"business"}]}`),
			Header: map[string]string{"Accept": accept, "Content-Type": wire.MediaJSON, wire.HeaderIdempotencyKey: "key-1"}}},
		// cancel and submit take no body: a comment left in the field must
		// not make the API refuse them (it decodes strictly).
		{"change set step", func(c *Client) error {
			_, err := c.ChangeSetStep(ctx, "acme", "cs1", "cancel", 2, "typed for another step")
			return err
		}, Request{Method: "POST", Path: "/orgs/acme/change-sets/cs1/cancel",
			Header: map[string]string{"Accept": accept, "If-Match": `"v2"`}}},
		{"change set step with a comment", func(c *Client) error {
			_, err := c.ChangeSetStep(ctx, "acme", "cs1", "reject", 3, "not this quarter")
			return err
		}, Request{Method: "POST", Path: "/orgs/acme/change-sets/cs1/reject", Body: []byte(`{"text":"not this quarter"}`),
			Header: map[string]string{"Accept": accept, "Content-Type": wire.MediaJSON, "If-Match": `"v3"`}}},
		{"view", func(c *Client) error { _, err := c.ChangeSetView(ctx, "acme", "cs1"); return err },
			Request{Method: "GET", Path: "/orgs/acme/change-sets/cs1/view", Header: map[string]string{"Accept": accept}}},
		{"invitation", func(c *Client) error {
			err := c.Invite(ctx, "acme", wire.NewInvitation{Mode: "quiet", Contact: wire.NewContact{Name: "A", Email: "a@b"}})
			return err
		}, Request{Method: "POST", Path: "/orgs/acme/invitations",
			Body:   []byte(`{"mode":"quiet","contact":{"name":"A","email":"a@b"}}`),
			Header: map[string]string{"Accept": accept, "Content-Type": wire.MediaJSON, wire.HeaderIdempotencyKey: "key-1"}}},
		{"audit page", func(c *Client) error { _, err := c.Audit(ctx, "acme", 41, 50); return err },
			Request{Method: "GET", Path: "/orgs/acme/audit", Query: url.Values{"after": {"41"}, "limit": {"50"}}, Header: map[string]string{"Accept": accept}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			if err := tt.call(testClient(rec)); err != nil {
				t.Fatal(err)
			}
			if len(rec.reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(rec.reqs))
			}
			got := rec.reqs[0]
			if len(got.Query) == 0 {
				got.Query = nil
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
			if rec.bases[0] != "/liaison/api" {
				t.Errorf("base = %q", rec.bases[0])
			}
		})
	}
}

func TestClient_versions(t *testing.T) {
	rec := &recorder{res: []Response{{Status: 200, ContentType: wire.MediaJSON, ETag: `"v12"`, Body: []byte(`{"id":"c1","name":"Ana"}`)}}}
	got, err := testClient(rec).Contact(context.Background(), "acme", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 12 || got.Value.Name != "Ana" {
		t.Errorf("Contact = %+v, want version 12 and name Ana", got)
	}
	for _, tt := range []struct {
		in   string
		want int64
	}{{`"v3"`, 3}, {`W/"v3"`, 3}, {``, 0}, {`"3"`, 0}, {`"v-1"`, 0}, {`"vx"`, 0}} {
		if got := parseETag(tt.in); got != tt.want {
			t.Errorf("parseETag(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestClient_problems(t *testing.T) {
	p := wire.Problem{Type: wire.ProblemInvalid, Title: "Invalid", Status: 422, Detail: "fix it",
		Errors: []wire.ProblemField{{Pointer: "/email", Detail: "is not an address"}}}
	body, _ := json.Marshal(p)
	tests := []struct {
		name string
		res  Response
		want wire.Problem
	}{
		{"problem details", Response{Status: 422, ContentType: wire.MediaProblem, Body: body}, p},
		{"not JSON keeps the status", Response{Status: 502, ContentType: "text/html", Body: []byte("<h1>bad gateway</h1>")}, wire.Problem{Status: 502}},
		{"broken JSON keeps the status", Response{Status: 500, ContentType: wire.MediaProblem, Body: []byte("{")}, wire.Problem{Status: 500}},
		{"the status line wins over the body", Response{Status: 409, ContentType: wire.MediaProblem, Body: []byte(`{"status":200}`)}, wire.Problem{Status: 409}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{res: []Response{tt.res}}
			_, err := testClient(rec).Me(context.Background(), "acme")
			pe, ok := errors.AsType[*ProblemError](err)
			if !ok {
				t.Fatalf("error %v is not a *ProblemError", err)
			}
			if diff := cmp.Diff(tt.want, pe.Problem); diff != "" {
				t.Errorf("problem (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClient_badAnswer(t *testing.T) {
	rec := &recorder{res: []Response{{Status: 200, ContentType: wire.MediaJSON, Body: []byte("not json")}}}
	_, err := testClient(rec).Me(context.Background(), "acme")
	if err == nil {
		t.Fatal("a 200 with a body that is not JSON is no error")
	}
	if _, ok := errors.AsType[*ProblemError](err); ok {
		t.Errorf("a decoding error is reported as a problem: %v", err)
	}
}

func TestBrowserTransport_native(t *testing.T) {
	_, err := NewClient("/api").Me(context.Background(), "acme")
	if !errors.Is(err, ErrNoBrowser) {
		t.Errorf("outside a browser the client returned %v, want ErrNoBrowser", err)
	}
}

// The reads the boot script starts with the page are exactly the URLs the
// client asks for as the page opens (the list's first page, unfiltered),
// built as the browser transport builds them: any drift would only lose
// the head start, never change an answer, but it would lose it silently.
func TestFirstPaths_matchTheFirstLoad(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	c := testClient(rec)
	c.Me(ctx, "acme")
	c.Directory(ctx, "acme", DirectoryQuery{Limit: pageSize})
	c.Completeness(ctx, "acme")
	c.Groups(ctx, "acme", "")
	var got []string
	for _, r := range rec.reqs {
		u := r.Path
		if len(r.Query) > 0 {
			u += "?" + r.Query.Encode()
		}
		got = append(got, u)
	}
	var want []string
	for _, p := range FirstPaths() {
		want = append(want, "/orgs/acme/"+p)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FirstPaths and the first load's requests differ (-want +got):\n%s", diff)
	}
}
