package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/widget/internal/accept"
	"github.com/liaisonhq/liaison/widget/wire"
)

// A route is one method and path the handler serves. The table below is
// the single source the mux is built from; the route-inventory test holds
// schema/openapi.json to it.
type route struct {
	method string
	// path is relative to Options.Prefix, in ServeMux pattern syntax
	// (which OpenAPI shares).
	path string
	// public routes take no actor: the secret in the body is the
	// credential, or nothing is secret.
	public bool
	// ifMatch routes require If-Match naming the version read.
	ifMatch bool
	// idempotent routes honour Idempotency-Key.
	idempotent bool
	// body is the request body's type, a struct of package wire; nil for
	// routes that take none.
	body any
	// optionalBody routes may be sent without a body, read as the body
	// type's zero value.
	optionalBody bool
	// query names the query parameters the route reads; others are refused.
	query []string
	serve func(*handler, *call) error

	// Filled in by compiledRoutes.
	bodyType   reflect.Type
	bodyFields map[string]bool // top-level JSON names of the body
	params     map[string]bool // path wildcards and query parameters
}

// hasOrg reports whether the route is scoped to the org in its path.
func (rt *route) hasOrg() bool { return strings.Contains(rt.path, "{org}") }

var pageQuery = []string{"after", "limit"}

// routeTable lists every route. Keep it in step with schema/openapi.json:
// TestOpenAPI_routeInventory fails otherwise.
func routeTable() []route {
	return []route{
		{method: "GET", path: "/openapi.json", public: true, serve: (*handler).openAPI},

		{method: "GET", path: "/orgs", query: pageQuery, serve: (*handler).listOrgs},
		{method: "POST", path: "/orgs", idempotent: true, body: wire.NewOrg{}, serve: (*handler).createOrg},
		{method: "GET", path: "/orgs/{org}", serve: (*handler).getOrg},
		{method: "PATCH", path: "/orgs/{org}", ifMatch: true, body: wire.OrgPatch{}, serve: (*handler).patchOrg},
		{method: "DELETE", path: "/orgs/{org}", ifMatch: true, serve: (*handler).deleteOrg},
		{method: "POST", path: "/orgs/{org}/review", serve: (*handler).confirmReview},
		{method: "GET", path: "/orgs/{org}/me", serve: (*handler).me},
		{method: "GET", path: "/orgs/{org}/completeness", serve: (*handler).completeness},
		{method: "POST", path: "/orgs/{org}/ownership", ifMatch: true, body: wire.Transfer{}, serve: (*handler).transferOwnership},
		{method: "POST", path: "/orgs/{org}/bounces", body: wire.Bounce{}, serve: (*handler).reportBounce},
		{method: "POST", path: "/orgs/{org}/close", ifMatch: true, serve: (*handler).closeOrg},
		{method: "GET", path: "/orgs/{org}/directory", query: []string{"q", "prefix", "filter", "team", "group", "after", "limit"}, serve: (*handler).directory},

		{method: "GET", path: "/orgs/{org}/contacts", query: []string{"after", "limit", "email"}, serve: (*handler).listContacts},
		{method: "POST", path: "/orgs/{org}/contacts", idempotent: true, body: wire.NewContact{}, serve: (*handler).createContact},
		{method: "GET", path: "/orgs/{org}/contacts/{id}", serve: (*handler).getContact},
		{method: "PATCH", path: "/orgs/{org}/contacts/{id}", ifMatch: true, body: wire.ContactPatch{}, serve: (*handler).patchContact},
		{method: "DELETE", path: "/orgs/{org}/contacts/{id}", ifMatch: true, serve: (*handler).deleteContact},
		{method: "PUT", path: "/orgs/{org}/contacts/{id}/roles/{role}", ifMatch: true, serve: (*handler).grantRole},
		{method: "DELETE", path: "/orgs/{org}/contacts/{id}/roles/{role}", ifMatch: true, serve: (*handler).revokeRole},
		{method: "GET", path: "/orgs/{org}/contacts/{id}/overview", serve: (*handler).overview},
		{method: "GET", path: "/orgs/{org}/contacts/{id}/consent", serve: (*handler).consentHistory},
		{method: "PUT", path: "/orgs/{org}/contacts/{id}/consent/{purpose}", body: wire.ConsentChoice{}, serve: (*handler).setConsent},
		{method: "POST", path: "/orgs/{org}/contacts/{id}/verification", serve: (*handler).requestVerification},

		{method: "GET", path: "/orgs/{org}/groups", query: pageQuery, serve: (*handler).listGroups},
		{method: "POST", path: "/orgs/{org}/groups", idempotent: true, body: wire.NewGroup{}, serve: (*handler).createGroup},
		{method: "GET", path: "/orgs/{org}/groups/{id}", serve: (*handler).getGroup},
		{method: "PATCH", path: "/orgs/{org}/groups/{id}", ifMatch: true, body: wire.GroupPatch{}, serve: (*handler).patchGroup},
		{method: "DELETE", path: "/orgs/{org}/groups/{id}", ifMatch: true, serve: (*handler).deleteGroup},
		{method: "GET", path: "/orgs/{org}/groups/{id}/members", serve: (*handler).listMembers},
		{method: "PUT", path: "/orgs/{org}/groups/{id}/members/{contact}", serve: (*handler).addMember},
		{method: "DELETE", path: "/orgs/{org}/groups/{id}/members/{contact}", serve: (*handler).removeMember},

		{method: "GET", path: "/orgs/{org}/slots", serve: (*handler).listSlots},
		{method: "GET", path: "/orgs/{org}/slots/{slot}", serve: (*handler).getSlot},
		{method: "PUT", path: "/orgs/{org}/slots/{slot}/holders", ifMatch: true, body: wire.SlotAssignment{}, serve: (*handler).assignSlot},
		{method: "POST", path: "/orgs/{org}/slots/{slot}/test-message", serve: (*handler).testMessage},
		{method: "GET", path: "/orgs/{org}/recipients/{slot}", query: []string{"purpose", "explain"}, serve: (*handler).recipients},

		{method: "GET", path: "/orgs/{org}/change-sets", query: pageQuery, serve: (*handler).listChangeSets},
		{method: "POST", path: "/orgs/{org}/change-sets", idempotent: true, body: wire.NewChangeSet{}, serve: (*handler).createChangeSet},
		{method: "GET", path: "/orgs/{org}/change-sets/{id}", serve: (*handler).getChangeSet},
		{method: "GET", path: "/orgs/{org}/change-sets/{id}/view", serve: (*handler).changeSetView},
		{method: "POST", path: "/orgs/{org}/change-sets/{id}/submit", ifMatch: true, serve: changeSetStep(stepSubmit)},
		{method: "POST", path: "/orgs/{org}/change-sets/{id}/query", ifMatch: true, body: wire.Comment{}, serve: changeSetStep(stepQuery)},
		{method: "POST", path: "/orgs/{org}/change-sets/{id}/answer", ifMatch: true, body: wire.Comment{}, serve: changeSetStep(stepAnswer)},
		{method: "POST", path: "/orgs/{org}/change-sets/{id}/approve", ifMatch: true, body: wire.Comment{}, optionalBody: true, serve: changeSetStep(stepApprove)},
		{method: "POST", path: "/orgs/{org}/change-sets/{id}/reject", ifMatch: true, body: wire.Comment{}, optionalBody: true, serve: changeSetStep(stepReject)},
		{method: "POST", path: "/orgs/{org}/change-sets/{id}/cancel", ifMatch: true, serve: changeSetStep(stepCancel)},

		{method: "GET", path: "/orgs/{org}/invitations", query: pageQuery, serve: (*handler).listInvitations},
		{method: "POST", path: "/orgs/{org}/invitations", idempotent: true, body: wire.NewInvitation{}, serve: (*handler).invite},
		{method: "DELETE", path: "/orgs/{org}/invitations/{id}", serve: (*handler).revokeInvitation},
		{method: "POST", path: "/orgs/{org}/groups/{id}/invitations", body: wire.NewGroupInvitation{}, serve: (*handler).inviteGroup},
		{method: "POST", path: "/orgs/{org}/invite-links/{role}", serve: (*handler).rotateInviteLink},

		{method: "GET", path: "/orgs/{org}/audit", query: pageQuery, serve: (*handler).auditEvents},
		{method: "GET", path: "/orgs/{org}/audit/export", serve: (*handler).exportAudit},
		{method: "GET", path: "/orgs/{org}/audit/verify", query: []string{"seq", "hash"}, serve: (*handler).verifyAudit},

		{method: "POST", path: "/verify", public: true, body: wire.Token{}, serve: (*handler).verifyAddress},
		{method: "POST", path: "/consent/confirm", public: true, body: wire.Token{}, serve: (*handler).confirmConsent},
		{method: "POST", path: "/invitations/accept", public: true, body: wire.Token{}, serve: (*handler).acceptInvitation},
		{method: "POST", path: "/signup", public: true, body: wire.SignUp{}, serve: (*handler).signUp},
	}
}

// compiledRoutes returns the route table with the derived fields filled in.
func compiledRoutes() []*route {
	table := routeTable()
	out := make([]*route, len(table))
	for i := range table {
		rt := &table[i]
		rt.params = map[string]bool{}
		for _, seg := range strings.Split(rt.path, "/") {
			if strings.HasPrefix(seg, "{") {
				rt.params[strings.Trim(seg, "{}")] = true
			}
		}
		for _, q := range rt.query {
			rt.params[q] = true
		}
		rt.bodyFields = map[string]bool{}
		if rt.body != nil {
			rt.bodyType = reflect.TypeOf(rt.body)
			for name := range jsonFields(rt.bodyType) {
				rt.bodyFields[name] = true
			}
		}
		out[i] = rt
	}
	return out
}

// A call is one request to one route, as its handler sees it.
type call struct {
	h  *handler
	w  http.ResponseWriter
	r  *http.Request
	rt *route
	st *state
	// actor is who acts, with Org set to the path's org.
	actor contacts.Actor
	// org is the path's org, for org-scoped routes.
	org string
	// version is the version If-Match names, for ifMatch routes.
	version int64
	query   url.Values
	raw     []byte // the body as sent
	in      any    // the decoded body: a pointer to the route's body type
}

func (c *call) path(name string) string { return c.r.PathValue(name) }

// endpoint returns the http.HandlerFunc of rt: it resolves the actor and
// the org, checks the query, If-Match and body, then serves.
func (h *handler) endpoint(rt *route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &call{h: h, w: w, r: r, rt: rt, st: stateOf(r)}
		c.st.route = rt.method + " " + rt.path
		err := c.prepare()
		if err == nil {
			err = rt.serve(h, c)
		}
		if err != nil {
			h.fail(w, r, rt, err)
		}
	}
}

// prepare checks, in order: identity (401), the org (404, exactly like a
// missing one), the query, If-Match (428), and the body (413, 415, 400).
// Authorization is the Service's, and comes before the version check.
func (c *call) prepare() error {
	if !c.rt.public {
		a, err := c.h.opts.Actor(c.r)
		if err != nil || !a.IsVendor() && (a.Org == "" || a.Contact == "") {
			return errUnauthenticated
		}
		a.RequestID = c.st.id
		c.actor = a
		c.st.actor = a.String()
		if c.rt.hasOrg() {
			c.org = c.path("org")
			if !a.IsVendor() && a.Org != c.org {
				return contacts.ErrNotFound
			}
			// A vendor acts in the org the path names; the Service still
			// checks that the org exists and applies every invariant.
			c.actor.Org = c.org
		}
	}
	if err := c.checkQuery(); err != nil {
		return err
	}
	if c.rt.ifMatch {
		v, err := ifMatch(c.r.Header)
		if err != nil {
			return err
		}
		c.version = v
	}
	return c.readBody()
}

// checkQuery refuses unknown and repeated query parameters.
func (c *call) checkQuery() error {
	q, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		return malformedParam("", "the query string is not well-formed")
	}
	for name, vals := range q {
		if !slices.Contains(c.rt.query, name) {
			return malformedParam(name, "is not a parameter of this operation")
		}
		if len(vals) > 1 {
			return malformedParam(name, "is given more than once")
		}
	}
	c.query = q
	return nil
}

// ifMatch reads the version an If-Match header names: exactly one strong
// ETag as this API sends them.
func ifMatch(h http.Header) (int64, error) {
	vals := h.Values("If-Match")
	switch {
	case len(vals) == 0 || strings.TrimSpace(vals[0]) == "":
		return 0, errPreconditionRequired
	case len(vals) > 1:
		return 0, malformedParam("If-Match", "must be given once")
	}
	v := strings.TrimSpace(vals[0])
	if v == "*" {
		return 0, &requestError{kind: errPreconditionRequired,
			detail: "If-Match must name the ETag of the version you read, not *: that is what prevents lost updates"}
	}
	if len(v) < 4 || !strings.HasPrefix(v, `"v`) || !strings.HasSuffix(v, `"`) {
		return 0, malformedParam("If-Match", `must be one ETag this API sent, such as "v3"`)
	}
	n, err := strconv.ParseInt(v[2:len(v)-1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != v[2:len(v)-1] {
		return 0, malformedParam("If-Match", `must be one ETag this API sent, such as "v3"`)
	}
	return n, nil
}

// etag formats a version as the ETag this API sends.
func etag(version int64) string { return `"v` + strconv.FormatInt(version, 10) + `"` }

// readBody reads the body within the size limit and decodes it strictly
// into the route's body type. A route without one accepts no body, or an
// empty JSON object; a route whose body is optional reads no body as the
// zero value.
func (c *call) readBody() error {
	if c.r.Method == http.MethodGet || c.r.Method == http.MethodHead {
		return nil // safe methods take no body, and their body is not read
	}
	limit := c.h.opts.MaxBodyBytes
	if c.r.ContentLength > limit {
		return errTooLarge
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return errTooLarge
		}
		return &requestError{kind: errMalformed, detail: "the request body could not be read"}
	}
	if len(raw) == 0 && (c.rt.body == nil || c.rt.optionalBody) {
		if c.rt.body != nil {
			c.in = reflect.New(c.rt.bodyType).Interface()
		}
		return nil
	}
	if err := checkMediaType(c.r.Header.Get("Content-Type")); err != nil {
		return err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return &requestError{kind: errMalformed, detail: "this operation takes a JSON object as its body"}
	}
	c.raw = raw
	if c.rt.body == nil {
		return decodeStrict(raw, &struct{}{})
	}
	c.in = reflect.New(c.rt.bodyType).Interface()
	return decodeStrict(raw, c.in)
}

// checkMediaType accepts application/json, with at most a UTF-8 charset.
func checkMediaType(ct string) error {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != wire.MediaJSON {
		return errMediaType
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return errMediaType
		}
	}
	return nil
}

// replyBuffers recycles reply's encoding buffers: a page of contacts is
// tens of kilobytes, and a busy handler would otherwise allocate, and
// collect, that much for every response.
var replyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledReply bounds the buffers kept for reuse, so one huge response
// does not pin its memory.
const maxPooledReply = 256 << 10

// reply sends v as JSON with status. Every writer the handler wraps c.w in
// copies what it is given, so the buffer is reused once Write returns.
func (c *call) reply(status int, v any) error {
	buf := replyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledReply {
			replyBuffers.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return err
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n")) // as json.Marshal writes it
	c.writeJSON(status, body)
	return nil
}

// replyAppended sends the JSON body that appendBody appends to the slice
// it is given, with status, as reply does: into a pooled buffer.
func (c *call) replyAppended(status int, appendBody func([]byte) ([]byte, error)) error {
	buf := replyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	body, err := appendBody(buf.AvailableBuffer())
	if cap(body) > buf.Cap() {
		*buf = *bytes.NewBuffer(body[:0]) // keep the grown buffer for the next reply
	}
	defer func() {
		if buf.Cap() <= maxPooledReply {
			replyBuffers.Put(buf)
		}
	}()
	if err != nil {
		return err
	}
	c.writeJSON(status, body)
	return nil
}

// writeJSON writes body, JSON, with status and its length: gzipped when
// it is long enough to gain from it, the client accepts gzip, and no ETag
// names the identity bytes (a strong validator belongs to one
// representation).
func (c *call) writeJSON(status int, body []byte) {
	h := c.w.Header()
	h.Set("Content-Type", wire.MediaJSON)
	if len(body) >= minGzipReply && h.Get("ETag") == "" {
		h.Add("Vary", "Accept-Encoding")
		if accept.Encoding(c.r.Header.Values("Accept-Encoding"), accept.Gzip) == accept.Gzip {
			zb := gzipBuffers.Get().(*gzipBuffer)
			defer gzipBuffers.Put(zb)
			zb.buf.Reset()
			zb.w.Reset(&zb.buf)
			zb.w.Write(body) // a bytes.Buffer does not fail
			zb.w.Close()
			h.Set("Content-Encoding", "gzip")
			body = zb.buf.Bytes()
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	c.w.Write(body)
}

// minGzipReply is the shortest body writeJSON gzips: below about one
// packet, compressing saves no round trip and costs the server time.
// Pages of contacts (tens of kilobytes, the widget's first screen among
// them) shrink to about a fifth.
const minGzipReply = 1400

// gzipBuffer is a gzip writer, at its fastest level, with its output.
type gzipBuffer struct {
	buf bytes.Buffer
	w   *gzip.Writer
}

var gzipBuffers = sync.Pool{New: func() any {
	zb := new(gzipBuffer)
	zb.w, _ = gzip.NewWriterLevel(&zb.buf, gzip.BestSpeed) // a valid level
	return zb
}}

// replyVersioned sends a single resource with its ETag.
func (c *call) replyVersioned(status int, v any, version int64) error {
	c.w.Header().Set("ETag", etag(version))
	return c.reply(status, v)
}

// location returns the URL path of a resource below the prefix.
func (c *call) location(parts ...string) string {
	var b strings.Builder
	b.WriteString(c.h.opts.Prefix)
	for _, p := range parts {
		b.WriteString("/" + url.PathEscape(p))
	}
	return b.String()
}

// page reads the after and limit parameters.
func (c *call) page() (contacts.Page, error) {
	p := contacts.Page{After: c.query.Get("after")}
	if c.query.Has("limit") {
		n, err := strconv.Atoi(c.query.Get("limit"))
		if err != nil {
			return p, malformedParam("limit", "must be a whole number")
		}
		p.Limit = n
	}
	return p, nil
}

// precondition turns a conflict on a request that named a version into
// 412 when that version is no longer current (read by current after the
// failed attempt). A conflict while the version is still current is of
// another kind, such as a taken email address, and stays 409.
func (c *call) precondition(err error, current func() (int64, error)) error {
	if !errors.Is(err, contacts.ErrConflict) {
		return err
	}
	if v, rerr := current(); rerr != nil || v != c.version {
		return &staleError{err: err}
	}
	return err
}

// idempotently runs create under the request's Idempotency-Key, if any
// (RELIABILITY C2). The key is scoped to the actor and org; the same key
// with the same request replays the first response, with another request
// answers 422, and while the first is in flight answers 409. Only a
// successful response is kept: a failed create changed nothing, so its
// retry runs anew.
func (c *call) idempotently(create func() error) error {
	vals := c.r.Header.Values(wire.HeaderIdempotencyKey)
	if len(vals) == 0 {
		return create()
	}
	key, ok := validIdempotencyKey(strings.TrimSpace(vals[0]))
	if len(vals) > 1 || !ok {
		return malformedParam(wire.HeaderIdempotencyKey, "must be given once, 1 to 255 visible ASCII characters")
	}
	ctx := c.r.Context()
	scope := hashParts("liaison-idempotency-v1", c.actor.Org, c.actor.String(), key)
	var compact bytes.Buffer
	if err := json.Compact(&compact, c.raw); err != nil {
		compact.Reset()
		compact.Write(c.raw)
	}
	fp := hashParts(c.rt.method, c.rt.path, c.r.URL.Path, compact.String())
	now := c.h.now()
	entry, fresh, err := c.h.idem.Reserve(ctx, scope, IdempotencyEntry{Fingerprint: fp, Expires: now.Add(c.h.opts.IdempotencyTTL)}, now)
	switch {
	case err != nil:
		return err
	case !fresh && entry.Fingerprint != fp:
		return errIdempotencyReused
	case !fresh && entry.Response == nil:
		return errIdempotencyInFlight
	case !fresh:
		res := entry.Response
		for _, k := range []string{"Content-Type", "Location", "ETag"} {
			if v := res.Header.Get(k); v != "" {
				c.w.Header().Set(k, v)
			}
		}
		c.w.Header().Set(wire.HeaderIdempotentReplayed, "true")
		c.w.Header().Set("Content-Length", strconv.Itoa(len(res.Body)))
		c.w.WriteHeader(res.Status)
		c.w.Write(res.Body)
		return nil
	}
	done := false
	defer func() {
		if !done {
			c.h.idem.Release(context.WithoutCancel(ctx), scope)
		}
	}()
	tee := &teeWriter{ResponseWriter: c.w}
	c.w = tee
	err = create()
	c.w = tee.ResponseWriter
	if err != nil || tee.status < 200 || tee.status > 299 {
		return err
	}
	res := StoredResponse{Status: tee.status, Header: http.Header{}, Body: tee.body.Bytes()}
	for _, k := range []string{"Content-Type", "Location", "ETag"} {
		if v := tee.Header().Get(k); v != "" {
			res.Header.Set(k, v)
		}
	}
	if err := c.h.idem.Complete(context.WithoutCancel(ctx), scope, res); err != nil {
		// The create stands and its response is on its way; a retry with
		// this key would now run it again, so say so in the log.
		c.h.log.LogAttrs(ctx, slog.LevelError, "liaison api: keeping an idempotency key failed",
			slog.String("request_id", c.st.id), slog.String("error", err.Error()))
		return nil
	}
	done = true
	return nil
}

// teeWriter passes a response through and keeps a copy.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *teeWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}
