// Package webhook delivers an org's committed events to the endpoints a
// host registers: each event as one JSON POST, signed with HMAC-SHA256,
// retried with exponential backoff until the endpoint acknowledges it, in
// order per org, and never lost while an endpoint is down, whatever the
// process does meanwhile.
//
// # The outbox
//
// The events are the audit events of [contacts.AuditEvent], and the
// outbox is the audit trail itself: the [contacts.Service] appends every
// change's events to the org's chain in the change's own transaction, so
// an event is in the outbox exactly when its change committed, and writing
// it costs nothing beyond the audit record. What delivery adds to the store
// is one [contacts.WebhookCursor] per endpoint and org: the Seq of the last
// event the endpoint acknowledged, and the failed attempts at the next one
// with the time the next attempt is due. A [Dispatcher] that restarts, or
// a store reopened from its data directory, resumes from the cursors: an
// event acknowledged is not sent again, one that is not is sent again, and
// a backoff under way is honoured.
//
// # Delivery
//
// An endpoint receives every event of every org (or those whose Action it
// lists), one request at a time per org: event n+1 of an org leaves only
// once the endpoint acknowledged event n, so the endpoint sees each org's
// events in Seq order. Orgs, and endpoints, do not wait for one another: a
// slow or failing endpoint delays only its own deliveries. A 2xx status
// acknowledges an event; any other status, a redirect, a timeout or a
// network error is a failure, retried after a backoff that doubles with
// each failure, with jitter, up to a cap, without end: the dispatcher never
// drops an event.
//
// Delivery is at least once: a process that stops between a receiver's
// acknowledgement and the write of the cursor, or an acknowledgement that
// arrives after the attempt's timeout, makes the same event arrive again.
// The event's ID (its audit hash, in the body as "hash" and, for routing
// before the body is read, in the Liaison-Event-Id header) lets the
// receiver drop the repeat; deduplicate on the body's "hash", which the
// signature covers, since the header is not signed. Its Seq, in the body,
// tells it where it is in the org's sequence.
//
// # The request
//
//	POST <endpoint URL>
//	Content-Type: application/json
//	Liaison-Event-Id: <the event's hash>
//	Liaison-Delivery-Attempt: <1 for the first attempt, then 2, 3, …>
//	Liaison-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//
//	{"org":"acme","seq":7,"time":"…","actor":"…","action":"contact.update",…}
//
// The body is the event as [contacts.Service.ExportAudit] writes it. The
// signature is the HMAC-SHA256, keyed with the endpoint's secret, of the
// timestamp in decimal, a period, and the body's exact bytes; the timestamp
// is the time of the attempt. A receiver checks it with [Verify] (or a
// [Verifier]), which refuses a body changed in transit, a wrong secret, and
// a timestamp outside a tolerance (5 minutes by default), so a captured
// request cannot be replayed later. An endpoint with several secrets (while
// one is being rotated) gets one v1 entry per secret, and a receiver holding
// any of them accepts the request.
//
// # Running it
//
//	d, err := webhook.New(store, webhook.Options{Endpoints: []webhook.Endpoint{{
//		ID: "crm", URL: "https://crm.example/hooks/liaison", Secrets: []string{secret},
//	}}})
//	…
//	defer svc.Subscribe(d.Notify)()
//	go d.Run(ctx)
//
// Notify wakes the dispatcher when the Service commits an event, so
// delivery starts at once; the dispatcher also rescans the store now and
// then (Options.Rescan), which finds the events committed by other
// processes sharing a PostgreSQL database, and every event left over from
// before a restart. Run one dispatcher per store: two would both deliver
// the same events (the cursors' versions keep them from going backwards,
// but not from sending an event twice). [Dispatcher.Backlog] reports what
// each endpoint has yet to acknowledge in each org, with its failed
// attempts and last error, for a host's monitoring.
package webhook
