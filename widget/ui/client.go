package ui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/widget/wire"
)

// ErrNoBrowser is returned by the browser transport outside a browser: on
// the server, where components pre-render without data, and in native
// tests.
var ErrNoBrowser = errors.New("ui: no browser to fetch from")

// Request is one HTTP request as the client builds it, independent of how
// it is sent.
type Request struct {
	Method string
	// Path is the URL path below the API base, already escaped.
	Path   string
	Query  url.Values
	Header map[string]string
	// Body is the JSON body, nil for none.
	Body []byte
}

// Response is the part of an HTTP response the client reads.
type Response struct {
	Status int
	// ETag and ContentType are the response's headers of those names.
	ETag        string
	ContentType string
	Body        []byte
}

// Transport sends a [Request]. The widget's is the browser's fetch; tests
// use a recording fake.
type Transport interface {
	RoundTrip(ctx context.Context, base string, r Request) (Response, error)
}

// ProblemError is an error response from the API: its status and its RFC
// 9457 problem details.
type ProblemError struct {
	Problem wire.Problem
}

// Error returns the problem's title and detail.
func (e *ProblemError) Error() string {
	if e.Problem.Detail == "" {
		return fmt.Sprintf("api: %d %s", e.Problem.Status, e.Problem.Title)
	}
	return fmt.Sprintf("api: %d %s: %s", e.Problem.Status, e.Problem.Title, e.Problem.Detail)
}

// Client calls Liaison's JSON API. Its methods block until the answer
// arrives, so components call them inside ctx.Async and apply the result
// with ctx.Dispatch.
type Client struct {
	// Base is the API's URL path, such as "/liaison/api".
	Base      string
	Transport Transport
	// NewKey makes Idempotency-Key values; nil uses 16 random bytes.
	NewKey func() string
}

// NewClient returns a client of the API at base that fetches through the
// browser.
func NewClient(base string) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), Transport: browserTransport{}}
}

// Versioned is a resource read with the version its ETag names, to send
// back in If-Match on the next update.
type Versioned[T any] struct {
	Value   T
	Version int64
}

// etag formats a version as the API's ETag.
func etag(version int64) string { return `"v` + strconv.FormatInt(version, 10) + `"` }

// parseETag reads the version of an API ETag; 0 when there is none.
func parseETag(s string) int64 {
	s = strings.TrimPrefix(strings.TrimSpace(s), "W/")
	if len(s) < 4 || !strings.HasPrefix(s, `"v`) || !strings.HasSuffix(s, `"`) {
		return 0
	}
	n, err := strconv.ParseInt(s[2:len(s)-1], 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// seg escapes one path segment.
func seg(s string) string { return url.PathEscape(s) }

// orgPath joins the path of an org-scoped resource.
func orgPath(org string, parts ...string) string {
	var b strings.Builder
	b.WriteString("/orgs/" + seg(org))
	for _, p := range parts {
		b.WriteString("/" + seg(p))
	}
	return b.String()
}

// call is one request option.
type call struct {
	query   url.Values
	ifMatch int64
	hasIf   bool
	idem    bool
	body    any
}

type option func(*call)

func withQuery(q url.Values) option { return func(c *call) { c.query = q } }
func withIfMatch(v int64) option    { return func(c *call) { c.ifMatch, c.hasIf = v, true } }
func withBody(v any) option         { return func(c *call) { c.body = v } }
func withIdempotencyKey() option    { return func(c *call) { c.idem = true } }

// do sends one request and decodes a 2xx JSON answer into out (when not
// nil), returning the response's version. An error answer becomes a
// *ProblemError.
func (c *Client) do(ctx context.Context, method, path string, out any, opts ...option) (int64, error) {
	var o call
	for _, opt := range opts {
		opt(&o)
	}
	req := Request{Method: method, Path: path, Query: o.query, Header: map[string]string{"Accept": wire.MediaJSON + ", " + wire.MediaProblem}}
	if o.body != nil {
		b, err := json.Marshal(o.body)
		if err != nil {
			return 0, err
		}
		req.Body = b
		req.Header["Content-Type"] = wire.MediaJSON
	}
	if o.hasIf {
		req.Header["If-Match"] = etag(o.ifMatch)
	}
	if o.idem {
		req.Header[wire.HeaderIdempotencyKey] = c.key()
	}
	res, err := c.Transport.RoundTrip(ctx, c.Base, req)
	if err != nil {
		return 0, err
	}
	if res.Status < 200 || res.Status > 299 {
		return 0, decodeProblem(res)
	}
	if out != nil && len(res.Body) > 0 {
		if err := json.Unmarshal(res.Body, out); err != nil {
			return 0, fmt.Errorf("api: decoding the answer to %s %s: %w", method, path, err)
		}
	}
	return parseETag(res.ETag), nil
}

func (c *Client) key() string {
	if c.NewKey != nil {
		return c.NewKey()
	}
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// decodeProblem turns an error response into a *ProblemError, keeping the
// status even when the body is not problem details.
func decodeProblem(res Response) error {
	var p wire.Problem
	if strings.HasPrefix(res.ContentType, wire.MediaProblem) || strings.HasPrefix(res.ContentType, wire.MediaJSON) {
		_ = json.Unmarshal(res.Body, &p) // a broken body leaves the status to speak
	}
	p.Status = res.Status
	return &ProblemError{Problem: p}
}
