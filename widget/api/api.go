package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/widget/wire"
)

const (
	// DefaultMaxBodyBytes is the body limit when Options.MaxBodyBytes is
	// zero: 1 MiB, far above any real request.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultIdempotencyTTL is how long Idempotency-Keys are kept when
	// Options.IdempotencyTTL is zero, as long as Stripe keeps them.
	DefaultIdempotencyTTL = 24 * time.Hour
)

// Options configures the handler [New] returns.
type Options struct {
	// Actor authenticates a request: it returns who acts, from the host's
	// session or token. It is required: the library never invents
	// identity. An error (or an actor naming neither a vendor nor an org's
	// contact) answers 401; its text is never shown. The handler sets the
	// returned Actor's RequestID, and [RequestID] gives Actor the ID too.
	// A vendor actor may act in any org the path names.
	Actor func(*http.Request) (contacts.Actor, error)
	// Prefix is the path every route lives under, such as "/api/v1":
	// empty, or starting with "/" and not ending with one.
	Prefix string
	// MaxBodyBytes bounds request bodies; a larger one answers 413. Zero
	// means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives one record per request, and the text of internal
	// errors. Nil discards them.
	Logger *slog.Logger
	// TrustedOrigins are origins, such as "https://portal.example.com",
	// whose cross-origin unsafe requests are allowed (see
	// [http.CrossOriginProtection.AddTrustedOrigin]). Same-origin requests
	// need no entry.
	TrustedOrigins []string
	// Idempotency keeps Idempotency-Keys; nil means a fresh
	// [NewMemoryIdempotencyStore].
	Idempotency IdempotencyStore
	// IdempotencyTTL is how long a key is kept; zero means
	// DefaultIdempotencyTTL.
	IdempotencyTTL time.Duration
	// Now is the clock idempotency keys expire by; nil means time.Now.
	Now func() time.Time
}

// handler is the http.Handler New returns.
type handler struct {
	svc *contacts.Service
	pol *policy.Policy
	// changeMode is the config's, read once: Policy.Config copies.
	changeMode policy.ChangeMode
	opts       Options
	log        *slog.Logger
	mux        *http.ServeMux
	inner      http.Handler // mux behind the cross-origin check
	idem       IdempotencyStore
	now        func() time.Time
}

// New returns the HTTP JSON API over svc. It panics when opts is unusable
// (no Actor, a malformed Prefix or trusted origin): a programmer error at
// start-up.
func New(svc *contacts.Service, opts Options) http.Handler {
	if svc == nil {
		panic("api: New needs a contacts.Service")
	}
	if opts.Actor == nil {
		panic("api: Options.Actor is required: the library never invents identity")
	}
	if p := opts.Prefix; p != "" && (!strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.ContainsAny(p, "{} \t\r\n")) {
		panic(fmt.Sprintf("api: Options.Prefix %q must be empty, or start with / and not end with one", p))
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.IdempotencyTTL <= 0 {
		opts.IdempotencyTTL = DefaultIdempotencyTTL
	}
	h := &handler{svc: svc, pol: svc.Policy(), opts: opts, log: opts.Logger, idem: opts.Idempotency, now: opts.Now}
	// As the Service reads it: review only when the config says so.
	h.changeMode = policy.Direct
	if h.pol.Config().ChangeMode == policy.Review {
		h.changeMode = policy.Review
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.idem == nil {
		h.idem = NewMemoryIdempotencyStore()
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.mux = http.NewServeMux()
	for _, rt := range compiledRoutes() {
		h.mux.HandleFunc(rt.method+" "+opts.Prefix+rt.path, h.endpoint(rt))
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range opts.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			panic(fmt.Sprintf("api: Options.TrustedOrigins: %v", err))
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, problem(errCrossOrigin, stateOf(r).id, nil))
	}))
	h.inner = cop.Handler(http.HandlerFunc(h.dispatch))
	return h
}

// state is what the middleware learns about a request as it goes, for the
// log line.
type state struct {
	id    string
	route string
	actor string
	err   error // the error behind a 5xx: logged, never shown
}

type stateKey struct{}

func stateOf(r *http.Request) *state {
	if st, ok := r.Context().Value(stateKey{}).(*state); ok {
		return st
	}
	return &state{}
}

// RequestID returns the request ID the handler gave the request that ctx
// belongs to, or "". [Options.Actor] may use it.
func RequestID(ctx context.Context) string {
	if st, ok := ctx.Value(stateKey{}).(*state); ok {
		return st.id
	}
	return ""
}

// ServeHTTP sets the headers every response carries, assigns the request
// ID, recovers from panics, and logs the request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	st := &state{id: requestID(r)}
	sw := &statusWriter{ResponseWriter: w}
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	hdr.Set(wire.HeaderRequestID, st.id)
	r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				h.logRequest(r, st, sw, start)
				panic(p)
			}
			st.err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			if sw.status == 0 {
				writeProblem(sw, problem(st.err, st.id, nil))
			}
		}
		h.logRequest(r, st, sw, start)
	}()
	h.inner.ServeHTTP(sw, r)
}

// dispatch routes a request that passed the cross-origin check. Requests
// no route matches answer with problems, like every other error: an
// unknown path exactly like a missing resource.
func (h *handler) dispatch(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern != "" {
		h.mux.ServeHTTP(w, r)
		return
	}
	// Let the mux say what it would answer (404, 405 with Allow, or a
	// redirect to a clean path), then answer in kind.
	cw := &captureWriter{header: http.Header{}}
	h.mux.ServeHTTP(cw, r)
	id := stateOf(r).id
	switch cw.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", cw.header.Get("Allow"))
		writeProblem(w, problem(errMethod, id, nil))
	case http.StatusMovedPermanently, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusFound:
		w.Header().Set("Location", cw.header.Get("Location"))
		w.WriteHeader(cw.status)
	default:
		writeProblem(w, problem(contacts.ErrNotFound, id, nil))
	}
}

// fail answers err as a problem, keeping an internal error's text for the
// log.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, rt *route, err error) {
	st := stateOf(r)
	p := problem(err, st.id, rt)
	if p.Status >= 500 {
		st.err = err
	}
	writeProblem(w, p)
}

func (h *handler) logRequest(r *http.Request, st *state, sw *statusWriter, start time.Time) {
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if !h.log.Enabled(r.Context(), level) {
		return // and build no record: a busy server logging at warn pays nothing per request
	}
	attrs := []slog.Attr{
		slog.String("request_id", st.id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path), // never the query: it may hold an address
		slog.String("route", st.route),
		slog.String("actor", st.actor),
		slog.Int("status", status),
		slog.Int64("bytes", sw.bytes),
		slog.Duration("duration", time.Since(start)),
	}
	if status >= 500 {
		if st.err != nil {
			attrs = append(attrs, slog.String("error", st.err.Error()))
		}
	}
	h.log.LogAttrs(r.Context(), level, "liaison api", attrs...)
}

// requestID returns the client's X-Request-Id when it is a short token
// (1 to 64 letters, digits, '.', '_', ':' or '-'), or a fresh random one.
func requestID(r *http.Request) string {
	if v := r.Header.Get(wire.HeaderRequestID); validRequestID(v) {
		return v
	}
	return rand.Text()
}

func validRequestID(v string) bool {
	if len(v) == 0 || len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// captureWriter keeps a response in memory.
type captureWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *captureWriter) Header() http.Header { return w.header }
func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}
