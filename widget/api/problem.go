package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/widget/wire"
)

// The error kinds of the HTTP layer itself, besides those of contacts.
var (
	errMalformed            = errors.New("malformed request")
	errUnauthenticated      = errors.New("unauthenticated")
	errCrossOrigin          = errors.New("cross-origin request refused")
	errMethod               = errors.New("method not allowed")
	errIdempotencyInFlight  = errors.New("idempotency key in flight")
	errStale                = errors.New("stale version")
	errTooLarge             = errors.New("request body too large")
	errMediaType            = errors.New("unsupported media type")
	errIdempotencyReused    = errors.New("idempotency key reused with another request")
	errPreconditionRequired = errors.New("precondition required")
)

// A problemKind is how one error kind answers: status, type and title, and
// the detail shown unless the error carries a safe one of its own.
type problemKind struct {
	err    error
	status int
	typ    string
	title  string
	detail string
}

// problemKinds is the one table from error kind to response. The first
// kind the error matches with errors.Is wins; an error matching none is
// internal and answers 500 without its text.
var problemKinds = [...]problemKind{
	{errMalformed, http.StatusBadRequest, wire.ProblemMalformed, "Malformed request",
		"the request is not in the form this operation takes"},
	{errUnauthenticated, http.StatusUnauthorized, wire.ProblemUnauthenticated, "Unauthenticated",
		"the request carries no identity the host accepts"},
	{errCrossOrigin, http.StatusForbidden, wire.ProblemCrossOrigin, "Cross-origin request refused",
		"unsafe requests must come from the same origin or a trusted one"},
	{contacts.ErrForbidden, http.StatusForbidden, wire.ProblemForbidden, "Forbidden",
		"the policy does not allow this"},
	{contacts.ErrNotFound, http.StatusNotFound, wire.ProblemNotFound, "Not found",
		"the resource does not exist"},
	{errMethod, http.StatusMethodNotAllowed, wire.ProblemMethodNotAllowed, "Method not allowed",
		"the resource does not support this method; see the Allow header"},
	{errIdempotencyInFlight, http.StatusConflict, wire.ProblemIdempotencyInFlight, "Request in flight",
		"a request with this Idempotency-Key is still being processed; retry later"},
	{errStale, http.StatusPreconditionFailed, wire.ProblemStale, "Stale version",
		"the resource changed since the version named in If-Match; read it again and retry"},
	{contacts.ErrConflict, http.StatusConflict, wire.ProblemConflict, "Conflict",
		"the request conflicts with the current state, such as an email address another contact uses"},
	{errTooLarge, http.StatusRequestEntityTooLarge, wire.ProblemTooLarge, "Request body too large",
		"the request body is larger than this API accepts"},
	{errMediaType, http.StatusUnsupportedMediaType, wire.ProblemMediaType, "Unsupported media type",
		"request bodies must be application/json (UTF-8)"},
	{errIdempotencyReused, http.StatusUnprocessableEntity, wire.ProblemIdempotencyReused, "Idempotency-Key reused",
		"this Idempotency-Key was used for a different request"},
	{contacts.ErrInvalid, http.StatusUnprocessableEntity, wire.ProblemInvalid, "Invalid input",
		"the input breaks a rule"},
	{errPreconditionRequired, http.StatusPreconditionRequired, wire.ProblemPreconditionRequired, "Precondition required",
		"send If-Match with the ETag of the version you read"},
}

var internalKind = problemKind{nil, http.StatusInternalServerError, wire.ProblemInternal, "Internal error",
	"the server could not complete the request; quote the request ID when reporting it"}

// kindOf returns the table row for err.
func kindOf(err error) problemKind {
	for _, k := range problemKinds {
		if errors.Is(err, k.err) {
			return k
		}
	}
	return internalKind
}

// requestError is an error of the HTTP layer: its kind, a detail safe to
// show, and the offending fields or parameters.
type requestError struct {
	kind   error
	detail string
	fields []wire.ProblemField
}

func (e *requestError) Error() string {
	var b strings.Builder
	b.WriteString(e.kind.Error())
	if e.detail != "" {
		b.WriteString(": " + e.detail)
	}
	for _, f := range e.fields {
		b.WriteString("; " + f.Pointer + f.Parameter + " " + f.Detail)
	}
	return b.String()
}

func (e *requestError) Unwrap() error { return e.kind }

// malformedParam reports a path, query or header parameter this layer
// cannot read.
func malformedParam(name, format string, args ...any) error {
	return &requestError{kind: errMalformed, fields: []wire.ProblemField{{Parameter: name, Detail: fmt.Sprintf(format, args...)}}}
}

// staleError is a conflict on a version named by If-Match that is no
// longer current.
type staleError struct{ err error }

func (e *staleError) Error() string { return e.err.Error() }
func (e *staleError) Is(target error) bool {
	return target == errStale
}

// problem builds the problem details for err, answering request id, in a
// route that reads the given parameters and body fields (to tell a
// parameter from a body pointer in a field path).
func problem(err error, id string, rt *route) wire.Problem {
	k := kindOf(err)
	p := wire.Problem{Type: k.typ, Title: k.title, Status: k.status, Detail: k.detail, RequestID: id}
	if re, ok := errors.AsType[*requestError](err); ok {
		if re.detail != "" {
			p.Detail = re.detail
		}
		p.Errors = re.fields
	}
	if fe, ok := errors.AsType[*contacts.ForbiddenError](err); ok {
		p.Rule = string(fe.Rule)
		p.Detail = "the policy denies " + fe.Action + " (rule " + string(fe.Rule) + ")"
	}
	if ie, ok := errors.AsType[*contacts.InvalidError](err); ok {
		p.Detail = "the input breaks " + plural(len(ie.Fields), "rule", "rules") + "; see errors"
		for _, f := range ie.Fields {
			p.Errors = append(p.Errors, rt.field(f.Path, f.Message))
		}
	}
	return p
}

// field places a Service field path: a top-level body field becomes a
// pointer, a parameter of the route a parameter, anything else stays in the
// detail.
func (rt *route) field(path, msg string) wire.ProblemField {
	name, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if rt != nil {
		if rt.bodyFields[name] {
			return wire.ProblemField{Pointer: path, Detail: msg}
		}
		if rt.params[name] {
			return wire.ProblemField{Parameter: name, Detail: msg}
		}
	}
	if path == "" {
		return wire.ProblemField{Detail: msg}
	}
	return wire.ProblemField{Detail: path + ": " + msg}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// writeProblem sends p.
func writeProblem(w http.ResponseWriter, p wire.Problem) {
	body, err := json.Marshal(p)
	if err != nil { // a Problem always marshals
		panic(err)
	}
	w.Header().Set("Content-Type", wire.MediaProblem)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(p.Status)
	w.Write(body)
}
