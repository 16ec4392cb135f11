package ui

import (
	"context"
	"errors"
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// browserTransport sends requests with the browser's fetch, through
// app.Window(), so the wasm does not link net/http's client. Cookies go
// with same-origin requests only.
type browserTransport struct{}

type fetchResult struct {
	res Response
	err error
}

// RoundTrip calls fetch and waits for its promises. It must not run on the
// UI goroutine: components call the client inside ctx.Async.
func (browserTransport) RoundTrip(ctx context.Context, base string, r Request) (Response, error) {
	if !app.IsClient {
		return Response{}, ErrNoBrowser
	}
	u := base + r.Path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	headers := map[string]any{}
	for k, v := range r.Header {
		headers[k] = v
	}
	init := map[string]any{
		"method":      r.Method,
		"headers":     headers,
		"credentials": "same-origin",
		"cache":       "no-store",
		"redirect":    "error",
	}
	if r.Body != nil {
		init["body"] = string(r.Body)
	}
	abort := app.Window().Get("AbortController").New()
	init["signal"] = abort.Get("signal")

	done := make(chan fetchResult, 1)
	var res Response
	var onText, onResponse, onError app.Func
	release := func() {
		for _, f := range []app.Func{onText, onResponse, onError} {
			if f != nil {
				f.Release()
			}
		}
	}
	onError = app.FuncOf(func(_ app.Value, args []app.Value) any {
		msg := "network error"
		if len(args) > 0 && !args[0].IsUndefined() && !args[0].IsNull() {
			msg = args[0].Call("toString").String()
		}
		done <- fetchResult{err: fmt.Errorf("api: %s %s: %s", r.Method, r.Path, msg)}
		return nil
	})
	onText = app.FuncOf(func(_ app.Value, args []app.Value) any {
		res.Body = []byte(args[0].String())
		done <- fetchResult{res: res}
		return nil
	})
	onResponse = app.FuncOf(func(_ app.Value, args []app.Value) any {
		resp := args[0]
		h := resp.Get("headers")
		res.Status = resp.Get("status").Int()
		res.ContentType = headerValue(h, "Content-Type")
		res.ETag = headerValue(h, "ETag")
		resp.Call("text").Call("then", onText, onError)
		return nil
	})
	pending := prefetched(r, u)
	if pending == nil {
		pending = app.Window().Call("fetch", u, init)
	}
	pending.Call("then", onResponse, onError)

	select {
	case out := <-done:
		release()
		return out.res, out.err
	case <-ctx.Done():
		abort.Call("abort")
		<-done // the aborted promise rejects; wait so the funcs can go
		release()
		return Response{}, errors.Join(ctx.Err(), ErrCancelled)
	}
}

// ErrCancelled marks a request given up because its context ended.
var ErrCancelled = errors.New("ui: request cancelled")

func headerValue(h app.Value, name string) string {
	v := h.Call("get", name)
	if v.IsNull() || v.IsUndefined() {
		return ""
	}
	return v.String()
}

// prefetched returns the page's boot script's pending fetch of the URL u,
// taking it so that nobody gets it twice, or nil. The boot script starts
// the reads of [FirstPaths] with the page, before the client has loaded;
// only GETs qualify, and only with the headers it sends, which are this
// transport's for a GET.
func prefetched(r Request, u string) app.Value {
	if r.Method != "GET" || r.Body != nil || len(r.Header) != 1 {
		return nil
	}
	boot := app.Window().Get("liaisonBoot")
	if !boot.Truthy() || !boot.Get("prefetched").Truthy() {
		return nil
	}
	if p := boot.Call("prefetched", u); p.Truthy() {
		return p
	}
	return nil
}
