// Package api is Liaison's HTTP JSON API: an [http.Handler] over
// [contacts.Service] that a host mounts under a prefix of its choice. The
// widget's client and the host's own integrations talk to it; the OpenAPI
// document returned by [schema.OpenAPI] describes exactly the routes it
// serves, and the handler serves it too, at {prefix}/openapi.json.
//
// Identity comes only from the host: [Options.Actor] turns a request into a
// [contacts.Actor] (from the host's session or token), and nothing in a
// body, query or header chosen by the client can name the actor or another
// org. An org in the path that is not the actor's answers exactly like a
// missing one, and so do ids of another org's items.
//
// A client learns what the viewer may do in an org from
// {prefix}/orgs/{org}/me ([wire.Me]), computed with the same policy the
// Service applies, so that it shows only the controls that would be
// allowed; the handler still checks every request.
//
// Every request is held to the same rules:
//   - single-resource reads carry an ETag ("v" and the version, quoted);
//     updates and deletes of versioned resources, and every step of a
//     change set's review, require If-Match with it (428 without, 412 when
//     stale); revoking an invitation, one-way and final, needs none;
//   - creates honour an Idempotency-Key, kept in an [IdempotencyStore]:
//     the same key with the same body replays the first response;
//   - bodies are JSON of at most [Options.MaxBodyBytes], decoded strictly:
//     unknown, duplicate and case-variant keys, nulls and trailing data are
//     refused;
//   - unsafe methods pass [http.CrossOriginProtection];
//   - every error is an RFC 9457 problem (see package wire), and an
//     internal error never shows its text;
//   - every response carries security headers and the request ID, and
//     every request is logged with log/slog.
package api
