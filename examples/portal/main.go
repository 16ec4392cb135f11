// Portal is a demo host application that embeds the Liaison widget: its
// own login with demo users of two orgs and the vendor, its own pages,
// service worker and cache, and the widget mounted under /liaison/ and
// placed on a page with one <script src="/liaison/embed.js">. Its data
// lives in a durable memstore directory, seeded on first start, so a
// restart keeps every change.
//
//	cd examples && go run ./portal [-addr :8080] [-data ./liaison-demo-data]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/liaisonhq/liaison/storage/memstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config is what the command line sets.
type config struct {
	addr  string
	data  string
	hosts []string
	log   string
}

// parseArgs reads the flags; an error has already been printed to stderr.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var hosts string
	fs.StringVar(&c.addr, "addr", ":8080", "the address to listen on")
	fs.StringVar(&c.data, "data", "./liaison-demo-data", "the data directory: created and seeded on first start, kept after")
	fs.StringVar(&hosts, "hosts", "", "comma-separated Host header values the widget answers (default: localhost and the loopback addresses at the port of -addr)")
	fs.StringVar(&c.log, "log", "warn", "the log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments %q", fs.Args())
		fmt.Fprintln(stderr, "portal:", err)
		return c, err
	}
	if hosts != "" {
		for h := range strings.SplitSeq(hosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				c.hosts = append(c.hosts, h)
			}
		}
	}
	return c, nil
}

// run starts the portal and serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.log)); err != nil {
		fmt.Fprintf(stderr, "portal: -log: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return 1
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if c.hosts == nil {
		c.hosts = loopbackHosts(port)
	}
	store, err := memstore.Open(c.data)
	if err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return 1
	}
	defer store.Close()
	p, err := newPortal(store, options{Hosts: c.hosts, Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return 1
	}
	seeded, err := seed(ctx, p.direct, demoData)
	if err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return 1
	}
	printBanner(stdout, fmt.Sprintf("http://localhost:%d", port), c.data, seeded)
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintf(stderr, "portal: shutting down: %v\n", err)
	}
	return 0
}

// loopbackHosts are the Host values a browser on this machine sends.
func loopbackHosts(port int) []string {
	return []string{
		fmt.Sprintf("localhost:%d", port),
		fmt.Sprintf("127.0.0.1:%d", port),
		fmt.Sprintf("[::1]:%d", port),
	}
}

// printBanner tells where the portal runs and how to sign in.
func printBanner(w io.Writer, url, data string, seeded bool) {
	state := "kept from before"
	if seeded {
		state = "seeded with the demo data"
	}
	fmt.Fprintf(w, "Liaison demo portal on %s\n", url)
	fmt.Fprintf(w, "Data directory %s (%s; delete it to start over)\n\n", data, state)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  login\tpassword\twho\torg")
	for _, u := range demoUsers {
		org := u.Org
		if org == "" {
			org = "every org (vendor)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s, %s\t%s\n", u.Login, u.Password, u.Name, u.Role, org)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nacme sends change sets to the vendor for review; globex applies them at once.")
}
