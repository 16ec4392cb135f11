package widget

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/liaisonhq/liaison/widget/api"
	"github.com/liaisonhq/liaison/widget/ui"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// handler is the http.Handler Handler returns.
type handler struct {
	prefix string
	hosts  map[string]bool // nil: any Host
	csp    string
	log    *slog.Logger
	api    http.Handler
	app    *app.Handler
	// appHanded serves the page embed.js opens when it fetched the wasm
	// itself (handoverQuery): the same page without the wasm's preload,
	// which would download it a second time.
	appHanded *app.Handler
	wasm      *wasmFile
	// wasmPath is the wasm's path named by its content, below the
	// prefix, which browsers may keep without asking again.
	wasmPath string
	// files are the paths, below the prefix, served from memory.
	files map[string]asset
}

// Handler returns the widget's handler: the app's pages and resources, the
// JSON API under {Prefix}/api, and embed.js, all under opts.Prefix. Mount
// it with mux.Handle(opts.Prefix+"/", Handler(opts)); it expects full
// request paths (it strips the prefix itself) and answers 404 outside the
// prefix.
//
// It panics with the error of [Options.Validate] when opts is unusable, or
// when the embedded artifacts are corrupt: programmer errors at start-up.
// It calls ui.Register, which declares go-app's routes. go-app keeps its
// routes, and the environment it hands the client (which it also copies
// into the process's environment), in process-wide state: serve one
// widget configuration per process.
func Handler(opts Options) http.Handler {
	if err := opts.Validate(); err != nil {
		panic(err)
	}
	art, err := loadArtifacts()
	if err != nil {
		panic(err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ui.Register()

	version := opts.Version
	if version == "" {
		version = defaultVersion(art, opts)
	}
	h := &handler{
		prefix: opts.Prefix,
		csp:    contentSecurityPolicy(opts.FrameAncestors),
		log:    log,
		api: api.New(opts.Service, api.Options{
			Actor:          opts.Actor,
			Prefix:         opts.Prefix + "/api",
			TrustedOrigins: opts.TrustedOrigins,
			Logger:         opts.Logger,
		}),
		wasm:     newWasmFile(art.br, art.gz, art.manifest.Wasm.Size, art.manifest.Wasm.SHA256[:32], log),
		wasmPath: wasmPath(art),
	}
	if len(opts.Hosts) > 0 {
		h.hosts = map[string]bool{}
		for _, host := range opts.Hosts {
			h.hosts[strings.ToLower(host)] = true
		}
	}

	res := resolver{prefix: opts.Prefix}
	newApp := func(preload bool) *app.Handler {
		return &app.Handler{
			Name:            "Liaison contacts",
			ShortName:       "Contacts",
			Title:           "Contacts",
			Description:     "Your organization's contacts and points of contact.",
			Lang:            "en",
			BackgroundColor: "#ffffff",
			ThemeColor:      "#1f4e79",
			Icon: app.Icon{
				Default:  "/web/icon-192.png",
				Large:    "/web/icon-512.png",
				Maskable: "/web/icon-512.png",
				SVG:      "/web/icon.svg",
			},
			Env: map[string]string{
				"LIAISON_API":            opts.Prefix + "/api",
				"LIAISON_PARENT_ORIGINS": strings.Join(opts.FrameAncestors, ","),
			},
			Resources: res,
			Version:   version,
			// go-app links its own /app.css first.
			Styles: []string{"/web/widget.css"},
			// Start downloading the wasm with the page, and compiling it and
			// reading the first page's data as soon as boot.js runs, rather
			// than after the deferred scripts have.
			RawHeaders: headLinks(opts.Prefix, art, preload),
		}
	}
	h.app, h.appHanded = newApp(true), newApp(false)

	worker := append([]byte("// version "+version+"\n"), art.workerJS...)
	h.files = map[string]asset{
		"/app.js":               newAsset(loaderJS(art, h.app.Env, version, res), "text/javascript; charset=utf-8"),
		"/boot.js":              newAsset(art.bootJS, "text/javascript; charset=utf-8"),
		"/embed.js":             newAsset(embedJS(art), "text/javascript; charset=utf-8"),
		"/wasm_exec.js":         newAsset(art.wasmExecJS, "text/javascript; charset=utf-8"),
		"/app-worker.js":        newAsset(worker, "text/javascript; charset=utf-8"),
		"/manifest.webmanifest": newAsset(webManifest(opts.Prefix), "application/manifest+json"),
		"/web/icon.svg":         newAsset(art.iconSVG, "image/svg+xml"),
		"/web/icon-192.png":     newAsset(art.icon192, "image/png"),
		"/web/icon-512.png":     newAsset(art.icon512, "image/png"),
		"/web/widget.css":       newAsset([]byte(ui.CSS), "text/css; charset=utf-8"),
	}
	h.files["/manifest.json"] = h.files["/manifest.webmanifest"]
	return h
}

// defaultVersion derives the release name from everything the client
// receives: the wasm, the files served beside it, and the options that end
// up in app.js, so that any change makes browsers fetch the app anew.
func defaultVersion(art *artifacts, opts Options) string {
	s := sha256.New()
	for _, part := range []string{art.manifest.Wasm.SHA256, art.manifest.WasmExecJS.SHA256, string(art.workerJS),
		string(art.embedJS), string(art.bootJS), string(art.loaderJS), ui.CSS, strings.Join(headLinks(opts.Prefix, art, true), ""),
		opts.Prefix, strings.Join(opts.FrameAncestors, ",")} {
		s.Write([]byte(strconv.Itoa(len(part)) + ":" + part))
	}
	return hex.EncodeToString(s.Sum(nil))[:20]
}

// headLinks are what the page's <head> gets after go-app's own: with
// preload, the preload that starts the wasm's download with the page, in
// the mode boot.js fetches it (so that fetch takes this response); and
// boot.js, which compiles the wasm and reads the first page's data while
// the rest loads. Part of the version, as pages are revalidated by it. The
// prefix is validated and the prefetch paths are fixed, so nothing needs
// escaping.
func headLinks(prefix string, art *artifacts, preload bool) []string {
	wasm := prefix + wasmPath(art)
	boot := `<script src="` + prefix + `/boot.js" data-wasm="` + wasm + `" data-wasm-size="` + strconv.FormatInt(art.manifest.Wasm.Size, 10) +
		`" data-api="` + prefix + `/api" data-prefetch="` + strings.Join(ui.FirstPaths(), " ") + `"></script>`
	if !preload {
		return []string{boot}
	}
	return []string{`<link rel="preload" href="` + wasm + `" as="fetch" crossorigin="anonymous">`, boot}
}

// handoverQuery is the query parameter, with the value "parent", that
// embed.js adds to the page's URL when it has started the wasm's download
// itself, a round trip before the page could, and left the response on
// the iframe element for boot.js: the page then comes without the wasm's
// preload, which would download it again.
const handoverQuery = "wasm"

// wasmPath is where the pages load the wasm from, below the prefix: a
// path named by the wasm's hash, so that browsers may keep it for good
// and load it again without a round trip. /web/app.wasm serves the same
// bytes under revalidation.
func wasmPath(art *artifacts) string {
	return "/web/app." + art.manifest.Wasm.SHA256[:20] + ".wasm"
}

// ClientPath returns the path at which a handler mounted under prefix (see
// [Options.Prefix]) serves the widget's WebAssembly client, named by its
// content: prefix + "/web/app.<hash>.wasm", which browsers may keep
// without asking again.
//
// The client is what a first visit waits for. embed.js starts its
// download when it runs, when the widget shares the page's origin; a page
// that embeds the widget can start it sooner, as the browser reads the
// page's head, with
//
//	<link rel="preload" href="{ClientPath(prefix)}" as="fetch" crossorigin>
//
// and embed.js's request for the client is then answered by that
// download. Only pages that embed the widget should carry it: browsers
// warn about a preload nobody uses.
//
// It panics when the embedded artifacts are corrupt, as [Handler] does.
func ClientPath(prefix string) string {
	art, err := loadArtifacts()
	if err != nil {
		panic(err)
	}
	return prefix + wasmPath(art)
}

// embedJS is static/embed.js with the path of the wasm, below the
// prefix, that it fetches ahead of the iframe.
func embedJS(art *artifacts) []byte {
	return []byte(strings.Replace(string(art.embedJS), "{{WASM}}", wasmPath(art), 1))
}

// loaderJS is the app.js the page runs in place of go-app's: the client's
// environment, as go-app would give it, then static/app.js.
func loaderJS(art *artifacts, env map[string]string, version string, res resolver) []byte {
	all := map[string]string{
		// What go-app adds to Handler.Env (its makeAppJS), with no
		// InternalURLs.
		"GOAPP_INTERNAL_URLS":        "null",
		"GOAPP_VERSION":              version,
		"GOAPP_STATIC_RESOURCES_URL": res.Resolve("/web"),
		"GOAPP_ROOT_PREFIX":          res.Resolve("/"),
	}
	for k, v := range env {
		all[k] = v
	}
	b, err := json.Marshal(all)
	if err != nil {
		panic(err) // strings always encode
	}
	js := strings.NewReplacer("{{WORKER}}", res.Resolve("/app-worker.js"), "{{WASM}}", res.Resolve(wasmPath(art))).
		Replace(string(art.loaderJS))
	return []byte("var goappEnv = " + string(b) + ";\n" + js)
}

// webManifest is the PWA manifest, confined to the prefix: go-app's own
// declares scope "/", the whole origin.
func webManifest(prefix string) []byte {
	type icon struct {
		Src     string `json:"src"`
		Type    string `json:"type"`
		Sizes   string `json:"sizes"`
		Purpose string `json:"purpose,omitempty"`
	}
	b, err := json.Marshal(struct {
		Name            string `json:"name"`
		ShortName       string `json:"short_name"`
		Scope           string `json:"scope"`
		StartURL        string `json:"start_url"`
		Display         string `json:"display"`
		BackgroundColor string `json:"background_color"`
		ThemeColor      string `json:"theme_color"`
		Icons           []icon `json:"icons"`
	}{
		Name: "Liaison contacts", ShortName: "Contacts",
		Scope: prefix + "/", StartURL: prefix + "/", Display: "browser",
		BackgroundColor: "#ffffff", ThemeColor: "#1f4e79",
		Icons: []icon{
			{Src: prefix + "/web/icon.svg", Type: "image/svg+xml", Sizes: "any"},
			{Src: prefix + "/web/icon-192.png", Type: "image/png", Sizes: "192x192"},
			{Src: prefix + "/web/icon-512.png", Type: "image/png", Sizes: "512x512", Purpose: "any maskable"},
		},
	})
	if err != nil {
		panic(err) // a fixed struct of strings always encodes
	}
	return b
}

// ServeHTTP sets the security headers, checks the Host, and routes: the
// API keeps the full path; everything else is served below the prefix.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header(), h.csp)
	if h.hosts != nil && !h.hosts[strings.ToLower(r.Host)] {
		h.log.Debug("widget: request for an unknown host", "host", r.Host, "path", r.URL.Path)
		http.Error(w, "misdirected request: unknown host", http.StatusMisdirectedRequest)
		return
	}
	path, ok := h.below(r.URL)
	switch {
	case !ok:
		http.NotFound(w, r)
		return
	case path == "":
		// The prefix itself: the app lives at prefix + "/".
		u := *r.URL
		u.Path, u.RawPath = h.prefix+"/", ""
		http.Redirect(w, r, u.RequestURI(), http.StatusPermanentRedirect)
		return
	case path == "/api" || strings.HasPrefix(path, "/api/"):
		h.api.ServeHTTP(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if f, ok := h.files[path]; ok {
		f.serve(w, r)
		return
	}
	switch {
	case path == "/web/app.wasm":
		h.wasm.serve(w, r, false)
		return
	case path == h.wasmPath:
		h.wasm.serve(w, r, true)
		return
	case strings.HasPrefix(path, "/web/"),
		// go-app fetches these from the Host the request names and caches
		// the answer for everyone: never let it.
		path == "/robots.txt", path == "/sitemap.xml", path == "/ads.txt",
		// go-app's aliases for the wasm, which app.js does not use.
		path == "/app.wasm", path == "/goapp.wasm":
		http.NotFound(w, r)
		return
	}
	r2 := new(http.Request)
	*r2 = *r
	r2.URL = new(url.URL)
	*r2.URL = *r.URL
	r2.URL.Path, r2.URL.RawPath = path, ""
	a := h.app
	if r.URL.Query().Get(handoverQuery) == "parent" {
		a = h.appHanded
	}
	a.ServeHTTP(&charsetWriter{ResponseWriter: w, head: r.Method == http.MethodHead}, r2)
}

// charsetWriter names UTF-8 in the Content-Type of go-app's HTML, scripts
// and styles, which it sends without a charset, and drops the body go-app
// writes for HEAD requests.
type charsetWriter struct {
	http.ResponseWriter
	head        bool
	wroteHeader bool
}

func (w *charsetWriter) WriteHeader(status int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		switch h := w.Header(); h.Get("Content-Type") {
		case "text/html":
			h.Set("Content-Type", "text/html; charset=utf-8")
		case "application/javascript":
			h.Set("Content-Type", "text/javascript; charset=utf-8")
		case "text/css":
			h.Set("Content-Type", "text/css; charset=utf-8")
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *charsetWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.head {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// below returns u's path with the prefix removed, "" for the prefix
// itself, and false for a path outside the prefix.
func (h *handler) below(u *url.URL) (string, bool) {
	p := u.Path
	if h.prefix == "" {
		return p, strings.HasPrefix(p, "/")
	}
	if p == h.prefix {
		return "", true
	}
	rest, ok := strings.CutPrefix(p, h.prefix+"/")
	if !ok {
		return "", false
	}
	return "/" + rest, true
}
