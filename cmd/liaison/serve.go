package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/webhook"
	"github.com/liaisonhq/liaison/widget/api"
)

const serveDoc = `Serve runs the HTTP JSON API over a store, for trying the API out and for
load tests. Every request must carry "Authorization: Bearer TOKEN" and acts
as the vendor ("vendor:serve" in the audit trail); the token comes from
$LIAISON_TOKEN, or is generated and printed at start. Nothing else can name
an actor. The API lives under -prefix; its OpenAPI document is served at
PREFIX/openapi.json.

With -seed N, an org (-org) that does not exist yet is created and filled
with N generated contacts first, so a fresh store is ready to query.

With -webhook URL, every committed event of every org is POSTed there,
signed with HMAC-SHA256 under $LIAISON_WEBHOOK_SECRET (at least 32 bytes),
retried with backoff until the receiver takes it, and resumed after a
restart from the store (the endpoint's ID is "serve"; a receiver new to a
store gets its whole history first). See package contacts/webhook.

A mem:// or file:// store lives wholly in memory (a file:// one is read at
start), and the garbage collector marks all of it in every cycle, however
little garbage the requests make: at Go's default target (GOGC=100) a
store of 100,000 contacts (about 2 KB each) is marked twice a second under
load, and requests served meanwhile wait. So serve sets the target with
-gogc, 400 by default: a collection once the heap has grown by 400% of
what is live, for a quarter of the collections, at the price of a peak
heap of up to five times the live one rather than two. When -gogc is not
given and $GOGC is set, $GOGC decides instead. So that the larger target
never runs the machine out of memory, serve also sets a soft memory limit,
unless $GOMEMLIMIT sets one: three quarters of the memory the process may
use (its cgroup's limit, or the machine's); nearing it, the collector
runs sooner. -gogc 100 is Go's default.

The demo portal with the admin widget is "make demo" (examples/portal).
`

// serveConfig is what the serve command line says.
type serveConfig struct {
	addr, data, config, prefix, org, logLevel string
	webhook                                   string
	seed                                      int
	gogc                                      int
}

// defaultGOGC is serve's garbage-collection target (see serveDoc).
const defaultGOGC = 400

func runServe(args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("serve", "[flags]", serveDoc, stderr)
	var c serveConfig
	fset.StringVar(&c.addr, "addr", "localhost:8080", "the address to listen on")
	fset.StringVar(&c.data, "data", "mem://", "the store: mem://, file:///dir, postgres://… or an existing directory")
	fset.StringVar(&c.config, "config", "", "a config file (default: the default preset)")
	fset.StringVar(&c.prefix, "prefix", "/api", "the path the API is served under")
	fset.StringVar(&c.org, "org", "demo", "the org -seed fills")
	fset.IntVar(&c.seed, "seed", 0, "create -org with this many generated contacts when it does not exist")
	fset.StringVar(&c.logLevel, "log", "info", "request log level: debug, info, warn, error or off")
	fset.StringVar(&c.webhook, "webhook", "", "deliver every committed event to this http(s) URL, signed with $LIAISON_WEBHOOK_SECRET")
	fset.IntVar(&c.gogc, "gogc", defaultGOGC, "the garbage collector's target percentage, as $GOGC, which decides when -gogc is not given (100 is Go's default)")
	if code := parseFlags(fset, args); code >= 0 {
		return code
	}
	if c.gogc < 1 {
		fmt.Fprintf(stderr, "liaison serve: -gogc: must be a percentage of at least 1\n")
		return exitUsage
	}
	if percent, ok := gcPercent(flagGiven(fset, "gogc"), c.gogc, os.Getenv("GOGC")); ok {
		debug.SetGCPercent(percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if limit := softMemoryLimit(os.ReadFile); limit > 0 {
			debug.SetMemoryLimit(limit)
		}
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "liaison serve: unexpected arguments %q\n", fset.Args())
		return exitUsage
	}
	logger, err := newLogger(stderr, c.logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "liaison serve: -log: %v\n", err)
		return exitUsage
	}
	if c.prefix = strings.TrimSuffix(c.prefix, "/"); c.prefix != "" && (!strings.HasPrefix(c.prefix, "/") || strings.ContainsAny(c.prefix, "{} \t\r\n?#")) {
		fmt.Fprintf(stderr, "liaison serve: -prefix %q: must be empty or a path starting with /, without spaces, braces, ? or #\n", c.prefix)
		return exitUsage
	}
	if c.seed < 0 || c.seed > maxSeed {
		fmt.Fprintf(stderr, "liaison serve: -seed: must be between 0 and %d\n", maxSeed)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		fmt.Fprintf(stderr, "liaison serve: %v\n", err)
		return exitUsage
	}
	return serve(ctx, ln, c, logger, stdout, stderr)
}

// gcPercent returns the GC target serve sets, and false when it leaves
// the runtime's (set from $GOGC, env): -gogc when given, or else
// defaultGOGC unless $GOGC is set.
func gcPercent(given bool, flagValue int, env string) (int, bool) {
	if !given && env != "" {
		return 0, false
	}
	return flagValue, true
}

// softMemoryLimit returns the soft memory limit serve sets when
// $GOMEMLIMIT sets none: three quarters of the memory the process may use,
// its cgroup's limit (v2, then v1) or else the machine's memory, read with
// readFile; 0 when none is known (not Linux, say).
func softMemoryLimit(readFile func(string) ([]byte, error)) int64 {
	var avail int64
	for _, name := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := readFile(name)
		if err != nil {
			continue
		}
		// "max", or v1's huge number, when unlimited.
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && n < 1<<50 {
			avail = n
			break
		}
	}
	if b, err := readFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			// MemTotal:       24684092 kB
			f := strings.Fields(line)
			if len(f) == 3 && f[0] == "MemTotal:" && f[2] == "kB" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil && kb > 0 && (avail == 0 || kb*1024 < avail) {
					avail = kb * 1024
				}
				break
			}
		}
	}
	return avail / 4 * 3
}

// flagGiven reports whether the command line set the flag name.
func flagGiven(fset *flag.FlagSet, name string) bool {
	given := false
	fset.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// maxSeed bounds -seed: a million contacts fit comfortably in memory.
const maxSeed = 1_000_000

// serve runs the API on ln until ctx ends.
func serve(ctx context.Context, ln net.Listener, c serveConfig, logger *slog.Logger, stdout, stderr io.Writer) int {
	defer ln.Close()
	pol, err := loadPolicy(c.config)
	if err != nil {
		printConfigProblems(stderr, "serve", c.config, err)
		return exitInvalid
	}
	store, err := openStore(ctx, c.data)
	if err != nil {
		fmt.Fprintf(stderr, "liaison serve: %v\n", err)
		return exitInvalid
	}
	defer store.Close()
	svc := contacts.New(store, pol, contacts.WithLogger(logger))
	if c.seed > 0 {
		n, err := seedOrg(ctx, svc, c.org, c.seed)
		if err != nil {
			fmt.Fprintf(stderr, "liaison serve: -seed: %v\n", err)
			return exitInvalid
		}
		if n > 0 {
			fmt.Fprintf(stdout, "seeded org %q with %d contacts\n", c.org, n)
		}
	}
	if c.webhook != "" {
		d, err := webhook.New(store, webhook.Options{Logger: logger, Endpoints: []webhook.Endpoint{{
			ID: "serve", URL: c.webhook, Secrets: []string{os.Getenv("LIAISON_WEBHOOK_SECRET")}}}})
		if err != nil {
			fmt.Fprintf(stderr, "liaison serve: -webhook: %v\n", err)
			return exitUsage
		}
		defer svc.Subscribe(d.Notify)()
		runCtx, stopHooks := context.WithCancel(context.WithoutCancel(ctx))
		hooksDone := make(chan struct{})
		go func() {
			defer close(hooksDone)
			if err := d.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
				logger.Error("liaison serve: webhook delivery stopped", "error", err)
			}
		}()
		// Stop delivering only after the server has stopped taking
		// requests: deferred calls run last in, first out.
		defer func() { stopHooks(); <-hooksDone }()
	}
	token := os.Getenv("LIAISON_TOKEN")
	if token == "" {
		token = rand.Text()
		fmt.Fprintf(stdout, "token (set LIAISON_TOKEN to choose one): %s\n", token)
	}
	h := api.New(svc, api.Options{
		Actor:  bearerActor(token),
		Prefix: c.prefix,
		Logger: logger,
	})
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      5 * time.Minute, // an audit export streams
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "serving the API on http://%s%s/ (OpenAPI at %s/openapi.json)\n", ln.Addr(), c.prefix, c.prefix)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "liaison serve: %v\n", err)
		return exitInvalid
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintf(stderr, "liaison serve: shutdown: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

// bearerActor authenticates "Authorization: Bearer TOKEN" as the vendor,
// comparing in constant time.
func bearerActor(token string) func(*http.Request) (contacts.Actor, error) {
	want := []byte("Bearer " + token)
	return func(r *http.Request) (contacts.Actor, error) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			return contacts.Actor{}, errors.New("no valid bearer token")
		}
		return contacts.Actor{Vendor: "serve"}, nil
	}
}

// newLogger returns a text logger on w at the named level; "off" discards.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	if level == "off" {
		return slog.New(slog.DiscardHandler), nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("%q is not debug, info, warn, error or off", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
