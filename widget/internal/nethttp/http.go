// Package http is what the widget's WebAssembly client links in place of
// the standard library's net/http.
//
// go-app's pkg/app holds both halves of an app: the client, and the
// server's app.Handler. The Handler is why pkg/app imports net/http, and
// net/http brings crypto/tls, crypto/x509, net and every algorithm of
// Go's FIPS 140 module, whose package initialisers keep their code linked
// even though the client never serves a page or opens a connection (it
// calls the API through the browser's fetch). That was about a fifth of
// the client: 2.1 MB of its 9.6 MB, 0.35 MB of its 1.55 MB brotli, and
// the time to download, compile and initialise it on every cold load.
//
// The client's build (package wasmbuild) therefore compiles this file as
// net/http, through the go command's -overlay flag: it declares exactly
// what pkg/app's Handler and resource resolvers refer to, so pkg/app
// type-checks unchanged, and nothing more. None of it runs in the client;
// what would need a network or a file system reports [ErrNotInClient].
// When a go-app upgrade refers to more of net/http, the client's build
// fails to compile, naming what to add here.
//
// Natively this is an ordinary package that nothing imports; its tests
// run there.
package http

import (
	"errors"
	"io"
	"net/url"
	"strings"
)

// ErrNotInClient is what the operations that would need a network or a
// file system report: the WebAssembly client has neither through Go.
var ErrNotInClient = errors.New("net/http is not linked into the Liaison widget's WebAssembly client; it calls the API through the browser's fetch")

// The request method and status codes pkg/app uses.
const (
	MethodGet = "GET"

	StatusOK                  = 200
	StatusNotModified         = 304
	StatusNotFound            = 404
	StatusNotImplemented      = 501
	StatusInternalServerError = 500
)

// A Header is a message's header fields, keyed by canonical name.
type Header map[string][]string

// Get returns the first value of the field key, or "".
func (h Header) Get(key string) string {
	if v := h[CanonicalHeaderKey(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Set replaces the values of the field key with value.
func (h Header) Set(key, value string) {
	h[CanonicalHeaderKey(key)] = []string{value}
}

// CanonicalHeaderKey returns key with its first letter and every letter
// after a hyphen in upper case and the others in lower case, as net/http
// does; a key holding a byte that may not appear in a field name (RFC
// 9110's token characters) is returned as is.
func CanonicalHeaderKey(key string) string {
	for i := 0; i < len(key); i++ {
		if !isTokenByte(key[i]) {
			return key
		}
	}
	b := []byte(key)
	upper := true
	for i, c := range b {
		switch {
		case upper && 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case !upper && 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
		upper = c == '-'
	}
	return string(b)
}

func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c != 0 && strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// A Request is an HTTP request as a server receives it.
type Request struct {
	Method string
	URL    *url.URL
	Header Header
	// Host is the host the request was sent to.
	Host string
	// TLS is non-nil for a request that arrived over TLS.
	TLS *ConnectionState
}

// ConnectionState stands for a TLS connection's state; the client never
// has one.
type ConnectionState struct{}

// A Response is an HTTP response as a client receives it.
type Response struct {
	StatusCode int
	Header     Header
	Body       io.ReadCloser
}

// A ResponseWriter is how a [Handler] answers.
type ResponseWriter interface {
	Header() Header
	Write([]byte) (int, error)
	WriteHeader(statusCode int)
}

// A Handler answers HTTP requests.
type Handler interface {
	ServeHTTP(ResponseWriter, *Request)
}

// NotFound answers 404 Not Found.
func NotFound(w ResponseWriter, r *Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(StatusNotFound)
	io.WriteString(w, "404 page not found\n")
}

// A FileSystem is a tree of files to serve.
type FileSystem interface {
	Open(name string) (io.ReadCloser, error)
}

// Dir is a directory of the local file system, which the client has none
// of: opening any file in it reports [ErrNotInClient].
type Dir string

// Open reports [ErrNotInClient].
func (Dir) Open(name string) (io.ReadCloser, error) { return nil, ErrNotInClient }

// FileServer returns a Handler that answers every request with 501 Not
// Implemented, naming [ErrNotInClient].
func FileServer(root FileSystem) Handler { return notInClient{} }

type notInClient struct{}

func (notInClient) ServeHTTP(w ResponseWriter, _ *Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(StatusNotImplemented)
	io.WriteString(w, ErrNotInClient.Error()+"\n")
}

// Get reports [ErrNotInClient]: the client sends no requests through Go.
func Get(url string) (*Response, error) { return nil, ErrNotInClient }
