// Package widget serves Liaison's admin widget: a go-app WebAssembly app,
// the JSON API it calls (package api), and embed.js, all under one path
// prefix the host chooses. A host mounts it with
//
//	mux.Handle(opts.Prefix+"/", widget.Handler(opts))
//
// and a page of the host's embeds it with one script element:
//
//	<script src="/liaison/embed.js" data-org="acme" data-height="600"></script>
//
// which creates an iframe on {prefix}/?org=acme right after the script
// element and keeps its height in step with the widget's content by
// origin-checked postMessage. embed.js needs no inline script and no eval,
// so a host page under its own CSP needs only script-src and frame-src (or
// default-src) to allow the widget's origin: 'self' when the widget is
// mounted on the host's own origin, as it is meant to be.
//
// The handler closes the gaps go-app's own Handler leaves for an app
// embedded under a prefix of someone else's origin:
//   - every path is served under the prefix, and the resources go-app
//     links (app.js, wasm_exec.js, app.css, the manifest, icons) resolve
//     there, without go-app's PrefixedLocation, which panics on /web/ paths;
//   - /robots.txt, /sitemap.xml and /ads.txt answer 404 here: go-app
//     would fetch them from whatever the Host header names and cache the
//     answer for everyone;
//   - requests whose Host is not in [Options.Hosts] answer 421;
//   - every response carries a strict Content-Security-Policy (no inline
//     script, 'wasm-unsafe-eval' for the client, frame-ancestors from
//     [Options.FrameAncestors]), X-Content-Type-Options and
//     Referrer-Policy;
//   - the page runs a loader of ours, not go-app's app.js: boot.js, from
//     the page's head, starts compiling the wasm as it downloads
//     (streaming, so the browser may also cache the compiled code) and
//     starts the API reads of the first screen for the org in the URL,
//     which the client then takes instead of asking again; app.js gives
//     go-app's client its environment and runs the compiled module;
//   - the service worker at {prefix}/app-worker.js, which the loader
//     registers as go-app's does, is an inert one of ours: no fetch
//     handler, no Cache Storage, scope {prefix}/, so the host's caches and pages are
//     never touched; the web manifest's scope is {prefix}/ too;
//   - no third-party URL appears in anything served: the icons are ours;
//   - the WebAssembly client and its wasm_exec.js are embedded in the
//     package, built reproducibly from widget/wasm and stored compressed
//     with brotli and gzip, so a host that imports the module needs no
//     build step; app.wasm is sent in the encoding the client accepts,
//     from a path named by its hash (/web/app.<hash>.wasm) that browsers
//     may keep without revalidating.
//
// Pages are pre-rendered by go-app without tenant data: components load
// data in the browser, through the API, so nothing a tenant wrote ever
// reaches server-rendered HTML (go-app's server encoder does not escape
// attribute values as HTML requires).
//
// The embedded artifacts live in widget/web and are regenerated with
// `make widget` (go generate ./widget); a test fails when they no longer
// match the client's source.
package widget

//go:generate go run ./internal/gen -out web
