// Package notify renders Liaison's messages ([contacts.Message]) as short,
// localized plain-text emails and delivers them by SMTP.
//
// [Render] turns one message and one recipient into a subject and a body in
// the recipient's language. The templates ship with the package, embedded
// from templates/<lang>/<kind>.txt (first line the subject, a blank line,
// then the body), in en, pt-BR, es, fr and de; [MatchLanguage] picks the
// closest of them to a recipient's preferred language (pt-PT becomes pt-BR,
// de-AT becomes de, anything unknown becomes en).
//
// [SMTP] is a [contacts.Notifier] that renders a message once per recipient,
// each in that recipient's language, and sends it over one SMTP session,
// with STARTTLS required unless the host allows plaintext.
//
// # Message data
//
// Every template sees the org's display name as "org_name" ([contacts.Message].OrgName,
// or Org when that is empty) and the recipient's name as "name" (may be
// empty). Each kind reads these keys of [contacts.Message].Data; a required
// key that is missing or blank makes [Render] fail with [ErrMissingData],
// and keys a kind does not read are ignored:
//
//	kind               required                 optional
//	review_reminder    due                      link
//	invitation         link, expires            inviter
//	verification       link, expires
//	slot_removed       slot_name
//	owner_changed      new_owner
//	address_changed    (none: the new address is never sent to the old one)
//	test_message       slot_name
//	change_set_update  state                    link
//
// "due" and "expires" are dates, "2006-01-02", or instants in RFC 3339,
// "2006-01-02T15:04:05Z07:00"; they are written the way the language writes
// dates ("1 March 2026", "1. März 2026"), in the offset given. A value that
// is neither is shown as it is. "state" is one of pending, commented,
// approved, applied, rejected or cancelled, each with its own sentence;
// another state is shown as it is. "link" is shown as it is, on a line of
// its own.
package notify
