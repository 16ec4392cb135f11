package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

// Options configure a [Dispatcher]. Only Endpoints is required.
type Options struct {
	// Endpoints receive the events; their IDs must be unique.
	Endpoints []Endpoint
	// Client sends the requests. The default is a client of its own that
	// follows no redirects (a 3xx is a failure: the endpoint is asked to
	// name its final URL).
	Client *http.Client
	// Timeout bounds each attempt, response included; 0 means 10 seconds.
	Timeout time.Duration
	// MinBackoff is the wait after the first failure, MaxBackoff the
	// longest; each failure doubles the wait, of which a random half is
	// taken off (jitter), so that endpoints that failed together do not
	// retry together. 0 means 5 seconds and 1 hour.
	MinBackoff, MaxBackoff time.Duration
	// Workers bounds the deliveries in flight at once to each endpoint,
	// across orgs; 0 means 8. Each endpoint has its own, so an endpoint
	// whose attempts hang until the timeout cannot hold up another.
	Workers int
	// Rescan is how often the dispatcher reads every org's audit head and
	// cursors to find events no Notify announced: those committed by
	// another process, or before a restart (it also scans when Run
	// starts); 0 means 30 seconds.
	Rescan time.Duration
	// Logger receives a warning for each failed attempt and store error;
	// the default discards.
	Logger *slog.Logger
}

// ErrRunning is returned by [Dispatcher.Run] while another Run of the same
// Dispatcher is under way.
var ErrRunning = errors.New("webhook: the dispatcher is running already")

// A StatusError is an attempt the endpoint answered with a status other
// than 2xx.
type StatusError struct {
	Code int
}

func (e *StatusError) Error() string {
	return "webhook: the endpoint answered " + strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
}

// batch is how many events a delivery reads from the store at a time.
const batch = 100

// A Dispatcher delivers the events of a store to the endpoints; see the
// package documentation. Its methods are safe for concurrent use.
type Dispatcher struct {
	store     contacts.Store
	endpoints []Endpoint
	client    *http.Client
	timeout   time.Duration
	minWait   time.Duration
	maxWait   time.Duration
	workers   int
	rescan    time.Duration
	log       *slog.Logger

	running atomic.Bool
	wake    chan struct{} // one pending wake-up, for Notify
	mu      sync.Mutex
	pending map[string]bool // orgs notified since Run last looked
}

// New returns a dispatcher of store's events to opts.Endpoints. It returns
// a [*contacts.InvalidError] naming every field of opts that breaks a rule,
// such as "/endpoints/0/url".
func New(store contacts.Store, opts Options) (*Dispatcher, error) {
	var errs []contacts.FieldError
	seen := map[string]bool{}
	if len(opts.Endpoints) == 0 {
		errs = append(errs, contacts.FieldError{Path: "/endpoints", Message: "must hold at least one endpoint"})
	}
	for i := range opts.Endpoints {
		opts.Endpoints[i].check(fmt.Sprintf("/endpoints/%d", i), seen, &errs)
	}
	for _, d := range []struct {
		path string
		v    time.Duration
	}{{"/timeout", opts.Timeout}, {"/min_backoff", opts.MinBackoff}, {"/max_backoff", opts.MaxBackoff}, {"/rescan", opts.Rescan}} {
		if d.v < 0 {
			errs = append(errs, contacts.FieldError{Path: d.path, Message: "must not be negative"})
		}
	}
	if opts.Workers < 0 {
		errs = append(errs, contacts.FieldError{Path: "/workers", Message: "must not be negative"})
	}
	if opts.MinBackoff > 0 && opts.MaxBackoff > 0 && opts.MinBackoff > opts.MaxBackoff {
		errs = append(errs, contacts.FieldError{Path: "/min_backoff", Message: "must not exceed max_backoff"})
	}
	if store == nil {
		errs = append(errs, contacts.FieldError{Path: "/store", Message: "must not be nil"})
	}
	if len(errs) > 0 {
		return nil, &contacts.InvalidError{Fields: errs}
	}
	d := &Dispatcher{
		store:   store,
		client:  opts.Client,
		timeout: or(opts.Timeout, 10*time.Second),
		minWait: or(opts.MinBackoff, 5*time.Second),
		maxWait: or(opts.MaxBackoff, time.Hour),
		workers: or(opts.Workers, 8),
		rescan:  or(opts.Rescan, 30*time.Second),
		log:     opts.Logger,
		wake:    make(chan struct{}, 1),
		pending: map[string]bool{},
	}
	d.maxWait = max(d.maxWait, d.minWait)
	for _, ep := range opts.Endpoints {
		ep.Secrets = append([]string(nil), ep.Secrets...)
		ep.Actions = append([]string(nil), ep.Actions...)
		d.endpoints = append(d.endpoints, ep)
	}
	if d.client == nil {
		d.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d, nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Notify tells the dispatcher that e committed, so that its org's
// deliveries start at once rather than at the next rescan. It never
// blocks: pass it to [contacts.Service.Subscribe].
func (d *Dispatcher) Notify(e contacts.AuditEvent) {
	d.mu.Lock()
	d.pending[e.Org] = true
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// notified returns the orgs notified since the last call.
func (d *Dispatcher) notified() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	orgs := make([]string, 0, len(d.pending))
	for org := range d.pending {
		orgs = append(orgs, org)
	}
	clear(d.pending)
	return orgs
}

// A lane is the deliveries of one org's events to one endpoint: one at a
// time, in Seq order.
type lane struct {
	ep  int // index into endpoints
	org string
}

// laneState is what Run knows of a lane with work to do.
type laneState struct {
	due     time.Time // when the lane may run next
	running bool
	again   bool // notified while running: run again when done
}

// A result is how a run of a lane ended.
type result struct {
	lane  lane
	retry time.Time // a failure: the next attempt's time
	more  bool      // stopped early, with events left
}

// Run delivers events until ctx is done, then waits for the attempts
// under way (each bounded by Options.Timeout) and the cursor writes that
// follow them, and returns nil. It returns [ErrRunning] at once if another
// Run of d is under way. Failures of the endpoints or the store are logged
// and retried, never returned.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer d.running.Store(false)

	lanes := map[lane]*laneState{}
	results := make(chan result)
	active := make([]int, len(d.endpoints)) // running lanes per endpoint
	running := 0
	schedule := func(l lane, due time.Time) {
		st, ok := lanes[l]
		switch {
		case !ok:
			lanes[l] = &laneState{due: due}
		case st.running:
			st.again = true
		case due.Before(st.due):
			st.due = due
		}
	}
	scan := func() {
		found, err := d.scan(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.LogAttrs(ctx, slog.LevelWarn, "webhook: scanning the store failed", slog.Any("error", err))
		}
		for l, due := range found {
			schedule(l, due)
		}
	}
	scan()
	rescan := time.NewTicker(d.rescan)
	defer rescan.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := time.Now()
		next := time.Time{}
		for l, st := range lanes {
			switch {
			case st.running:
			case !st.due.After(now) && active[l.ep] < d.workers:
				st.running, st.again = true, false
				active[l.ep]++
				running++
				go func() { results <- d.drain(ctx, l) }()
			case st.due.After(now) && (next.IsZero() || st.due.Before(next)):
				// Lanes due but waiting for a worker start when one
				// finishes, which wakes the loop.
				next = st.due
			}
		}
		var tick <-chan time.Time
		if !next.IsZero() {
			timer.Reset(next.Sub(now))
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			for ; running > 0; running-- {
				<-results
			}
			return nil
		case <-d.wake:
			for _, org := range d.notified() {
				for i := range d.endpoints {
					schedule(lane{ep: i, org: org}, now)
				}
			}
		case r := <-results:
			active[r.lane.ep]--
			running--
			st := lanes[r.lane]
			st.running = false
			switch {
			case !r.retry.IsZero():
				st.due = r.retry
			case r.more || st.again:
				st.due = time.Now()
			default:
				delete(lanes, r.lane)
			}
		case <-tick:
		case <-rescan.C:
			scan()
		}
	}
}

// A Backlog is what one endpoint has yet to acknowledge of one org's events.
type Backlog struct {
	Endpoint string
	Org      string
	// Pending counts the org's events after the cursor, those the
	// endpoint's filters will pass over included.
	Pending uint64
	// Cursor is the stored delivery state: the failed attempts at the next
	// event, when the next is due, and why the last one failed. A zero
	// Version means nothing was ever stored.
	Cursor contacts.WebhookCursor
}

// Backlog reads, from the store, every endpoint's undelivered events in
// every org: one entry per endpoint and org with events pending, ordered by
// org and then endpoint as registered. A host watches it for an endpoint
// that has been failing for long (Cursor.Attempts, Cursor.LastError).
func (d *Dispatcher) Backlog(ctx context.Context) ([]Backlog, error) {
	var out []Backlog
	for after := ""; ; {
		var orgs []contacts.Org
		err := d.store.View(ctx, func(tx contacts.ReadTx) error {
			var err error
			orgs, err = tx.Orgs(contacts.Page{After: after, Limit: contacts.MaxPageSize})
			if err != nil {
				return err
			}
			for _, o := range orgs {
				head, err := tx.AuditHead(o.ID)
				if err != nil {
					return err
				}
				if head.Seq == 0 {
					continue
				}
				cursors, err := tx.WebhookCursors(o.ID)
				if err != nil {
					return err
				}
				for _, ep := range d.endpoints {
					cur := contacts.WebhookCursor{Org: o.ID, Endpoint: ep.ID}
					for _, c := range cursors {
						if c.Endpoint == ep.ID {
							cur = c
						}
					}
					if cur.Delivered < head.Seq {
						out = append(out, Backlog{Endpoint: ep.ID, Org: o.ID, Pending: head.Seq - cur.Delivered, Cursor: cur})
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(orgs) < contacts.MaxPageSize {
			return out, nil
		}
		after = orgs[len(orgs)-1].ID
	}
}

// scan returns the lanes with events to deliver, each with the time it
// may run.
func (d *Dispatcher) scan(ctx context.Context) (map[lane]time.Time, error) {
	backlog, err := d.Backlog(ctx)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(d.endpoints))
	for i, ep := range d.endpoints {
		index[ep.ID] = i
	}
	now := time.Now()
	found := make(map[lane]time.Time, len(backlog))
	for _, b := range backlog {
		found[lane{ep: index[b.Endpoint], org: b.Org}] = later(now, b.Cursor.NextAttempt)
	}
	return found, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// drain delivers the lane's events in order until none is left, an attempt
// fails, or ctx is done.
func (d *Dispatcher) drain(ctx context.Context, l lane) result {
	ep := &d.endpoints[l.ep]
	for {
		if ctx.Err() != nil {
			return result{lane: l, more: true}
		}
		var (
			cur    contacts.WebhookCursor
			events []contacts.AuditEvent
		)
		now := time.Now()
		err := d.store.View(ctx, func(tx contacts.ReadTx) error {
			var err error
			cur, err = tx.WebhookCursor(l.org, ep.ID)
			switch {
			case errors.Is(err, contacts.ErrNotFound):
				cur = contacts.WebhookCursor{Org: l.org, Endpoint: ep.ID}
			case err != nil:
				return err
			}
			if cur.NextAttempt.After(now) {
				return nil // backing off, perhaps since before a restart
			}
			events, err = tx.AuditEvents(l.org, cur.Delivered, batch)
			return err
		})
		switch {
		case err != nil:
			return d.storeFailed(ctx, l, "reading the events", err)
		case cur.NextAttempt.After(now):
			return result{lane: l, retry: cur.NextAttempt}
		case len(events) == 0:
			return result{lane: l}
		}
		saved := cur.Delivered
		for _, e := range events {
			if !ep.wants(e) {
				cur.Delivered = e.Seq
				continue
			}
			attempt := cur.Attempts + 1
			if err := d.attempt(ctx, ep, e, attempt); err != nil {
				now := time.Now()
				cur.Attempts, cur.LastError = attempt, truncate(err.Error(), 500)
				cur.NextAttempt = now.Add(d.backoff(attempt)).UTC().Truncate(time.Microsecond)
				d.log.LogAttrs(ctx, slog.LevelWarn, "webhook: delivery failed",
					slog.String("endpoint", ep.ID), slog.String("org", l.org), slog.Uint64("seq", e.Seq),
					slog.Int("attempt", attempt), slog.Time("next_attempt", cur.NextAttempt), slog.Any("error", err))
				if err := d.save(ctx, &cur); err != nil {
					return d.storeFailed(ctx, l, "recording a failure", err)
				}
				return result{lane: l, retry: cur.NextAttempt}
			}
			cur.Delivered, cur.Attempts, cur.NextAttempt, cur.LastError = e.Seq, 0, time.Time{}, ""
			if err := d.save(ctx, &cur); err != nil {
				return d.storeFailed(ctx, l, "recording a delivery", err)
			}
			saved = cur.Delivered
			if ctx.Err() != nil {
				return result{lane: l, more: true}
			}
		}
		if cur.Delivered != saved {
			// The batch ended with events the endpoint does not take.
			if err := d.save(ctx, &cur); err != nil {
				return d.storeFailed(ctx, l, "passing over events", err)
			}
		}
		if len(events) < batch {
			return result{lane: l}
		}
	}
}

// storeFailed logs a store error of lane l and returns the result that
// tries the lane again after the shortest backoff. A conflict (the cursor
// changed under the dispatcher) is tried again at once, from the stored
// cursor.
func (d *Dispatcher) storeFailed(ctx context.Context, l lane, doing string, err error) result {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return result{lane: l, more: true}
	}
	if errors.Is(err, contacts.ErrConflict) {
		return result{lane: l, more: true}
	}
	d.log.LogAttrs(ctx, slog.LevelWarn, "webhook: "+doing+" failed",
		slog.String("endpoint", d.endpoints[l.ep].ID), slog.String("org", l.org), slog.Any("error", err))
	return result{lane: l, retry: time.Now().Add(d.minWait)}
}

// save writes cur, whose Version is the stored one (0 for none), as the
// next version. It finishes even when ctx is done: the attempt it records
// happened.
func (d *Dispatcher) save(ctx context.Context, cur *contacts.WebhookCursor) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.timeout)
	defer cancel()
	next := *cur
	next.Version++
	next.Updated = time.Now().UTC().Truncate(time.Microsecond)
	err := d.store.Update(sctx, func(tx contacts.Tx) error {
		return tx.PutWebhookCursor(next, cur.Version)
	})
	if err == nil {
		*cur = next
	}
	return err
}

// backoff returns the wait after the attempt-th failure in a row: the
// ceiling min·2^(attempt-1), capped at max, less a random part of up to
// half of it.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	ceiling := d.minWait << min(attempt-1, 40)
	if ceiling > d.maxWait || ceiling <= 0 {
		ceiling = d.maxWait
	}
	return ceiling - rand.N(ceiling/2+1)
}

// attempt sends e to ep once. It finishes even when ctx is done, within the
// timeout, so that an attempt under way at shutdown is recorded.
func (d *Dispatcher) attempt(ctx context.Context, ep *Endpoint, e contacts.AuditEvent, n int) error {
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("webhook: encoding event %d of org %s: %w", e.Seq, e.Org, err)
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Liaison-Webhook/1")
	req.Header.Set(EventIDHeader, e.Hash)
	req.Header.Set(AttemptHeader, strconv.Itoa(n))
	req.Header.Set(SignatureHeader, signature(ep.Secrets, time.Now().Unix(), body))
	resp, err := d.client.Do(req)
	if uerr, ok := errors.AsType[*url.Error](err); ok {
		// Without the URL, which may carry a token of the receiver's:
		// the error is stored in the cursor and logged.
		return fmt.Errorf("%s: %w", uerr.Op, uerr.Err)
	}
	if err != nil {
		return err
	}
	// Read a little of the body, so the connection can be reused; the
	// content is the endpoint's business.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Code: resp.StatusCode}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut at a rune boundary: the store keeps valid UTF-8 only.
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
