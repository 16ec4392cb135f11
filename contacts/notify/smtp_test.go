package notify_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/notify"
)

var clock = time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("", -3*60*60))

func slotRemoved(to ...contacts.Address) contacts.Message {
	return contacts.Message{
		Kind:    contacts.SlotRemoved,
		Org:     "acme",
		OrgName: "Açme Comércio",
		To:      to,
		Data:    map[string]string{"slot": "billing", "slot_name": "Billing"},
	}
}

var (
	jose = contacts.Address{Name: "José Müller", Email: "jose@example.de", Language: "de-AT"}
	ana  = contacts.Address{Name: "Ana Conceição", Email: "ana@example.com.br", Language: "pt-PT"}
)

// plain is a notifier for a server without TLS.
func plain(addr string) *notify.SMTP {
	return &notify.SMTP{
		Addr:           addr,
		From:           mail.Address{Name: "Liaison at Portal", Address: "no-reply@portal.example"},
		AllowPlaintext: true,
		Hostname:       "client.test",
		Now:            func() time.Time { return clock },
	}
}

// byRecipient finds the message sent to addr.
func byRecipient(t *testing.T, msgs []received, addr string) received {
	t.Helper()
	for _, m := range msgs {
		if slices.Equal(m.to, []string{addr}) {
			return m
		}
	}
	t.Fatalf("no message for %s among %d", addr, len(msgs))
	return received{}
}

var messageID = regexp.MustCompile(`^<[A-Z2-7]{26}@portal\.example>$`)

func TestSMTP_Notify(t *testing.T) {
	be := &backend{}
	n := plain(startServer(t, be, nil))
	m := slotRemoved(jose, ana)
	if err := n.Notify(t.Context(), m); err != nil {
		t.Fatalf("Notify: %v", err)
	}

	msgs := be.messages()
	if len(msgs) != 2 {
		t.Fatalf("server got %d messages, want one per recipient (2)", len(msgs))
	}
	if be.mailSessions() != 1 {
		t.Errorf("server saw %d sessions, want both messages over one", be.mailSessions())
	}
	ids := map[string]bool{}
	for _, tc := range []struct {
		to       contacts.Address
		wantLang string
		wantText string // a sentence of the localized body
	}{
		{jose, "de", "Sie sind nicht mehr als Kontakt für „Billing“ bei Açme Comércio eingetragen"},
		{ana, "pt-BR", "Você não é mais o contato “Billing” de Açme Comércio"},
	} {
		t.Run(tc.wantLang, func(t *testing.T) {
			r := byRecipient(t, msgs, tc.to.Email)
			if r.from != "no-reply@portal.example" {
				t.Errorf("envelope sender = %q", r.from)
			}
			p := parse(t, r.data)
			wantSubject, wantBody, _, err := notify.Render(m, tc.to)
			if err != nil {
				t.Fatal(err)
			}

			from, err := p.header.AddressList("From")
			if diff := cmp.Diff([]*mail.Address{{Name: "Liaison at Portal", Address: "no-reply@portal.example"}}, from); err != nil || diff != "" {
				t.Errorf("From (-want +got):\n%s%v", diff, err)
			}
			to, err := p.header.AddressList("To")
			if diff := cmp.Diff([]*mail.Address{{Name: tc.to.Name, Address: tc.to.Email}}, to); err != nil || diff != "" {
				t.Errorf("To (-want +got):\n%s%v", diff, err)
			}
			if raw := p.header.Get("To"); !strings.HasPrefix(raw, "=?utf-8?") {
				t.Errorf("To = %q, want the non-ASCII name as an encoded-word", raw)
			}
			if raw := p.header.Get("Subject"); !strings.HasPrefix(raw, "=?UTF-8?") {
				t.Errorf("Subject = %q, want an encoded-word", raw)
			}
			if p.subject != wantSubject {
				t.Errorf("Subject decodes to %q, want %q", p.subject, wantSubject)
			}
			if date, err := p.header.Date(); err != nil || !date.Equal(clock) {
				t.Errorf("Date = %v, %v; want %v", date, err, clock)
			}
			id := p.header.Get("Message-ID")
			if !messageID.MatchString(id) || ids[id] {
				t.Errorf("Message-ID = %q, want a fresh <random@portal.example>", id)
			}
			ids[id] = true
			for k, want := range map[string]string{
				"MIME-Version":              "1.0",
				"Content-Type":              "text/plain; charset=UTF-8",
				"Content-Transfer-Encoding": "quoted-printable",
				"Content-Language":          tc.wantLang,
				"Auto-Submitted":            "auto-generated",
			} {
				if got := p.header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if p.body != wantBody {
				t.Errorf("body (-want +got):\n%s", cmp.Diff(wantBody, p.body))
			}
			if !strings.Contains(p.body, tc.wantText) {
				t.Errorf("body lacks %q:\n%s", tc.wantText, p.body)
			}
			for line := range strings.SplitSeq(string(r.data), "\r\n") {
				if len(line) > 78 {
					t.Errorf("line longer than 78 characters: %q", line)
				}
			}
		})
	}
}

func TestSMTP_Notify_starttls(t *testing.T) {
	serverTLS, roots := selfSigned(t)
	be := &backend{users: map[string]string{"portal": "s3cret"}}
	addr := startServer(t, be, serverTLS)
	host, _, _ := net.SplitHostPort(addr)
	n := &notify.SMTP{
		Addr:      addr,
		From:      mail.Address{Address: "no-reply@portal.example"},
		Auth:      smtp.PlainAuth("", "portal", "s3cret", host),
		TLSConfig: &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"},
	}
	if err := n.Notify(t.Context(), slotRemoved(jose)); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	msgs := be.messages()
	if len(msgs) != 1 || !msgs[0].tls || msgs[0].user != "portal" {
		t.Fatalf("server got %+v, want one message over TLS from user portal", msgs)
	}
	if got := parse(t, msgs[0].data).header.Get("Content-Language"); got != "de" {
		t.Errorf("Content-Language = %q, want de", got)
	}

	t.Run("server name from Addr", func(t *testing.T) {
		n := *n
		n.TLSConfig = &tls.Config{RootCAs: roots}
		if err := n.Notify(t.Context(), slotRemoved(ana)); err != nil {
			t.Fatalf("Notify: %v", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		before := len(be.messages())
		n := *n
		n.TLSConfig = nil // system roots do not hold the test CA
		n.AllowPlaintext = true
		err := n.Notify(t.Context(), slotRemoved(ana))
		if _, ok := errors.AsType[*tls.CertificateVerificationError](err); !ok {
			t.Errorf("Notify = %v, want a certificate verification error", err)
		}
		if got := len(be.messages()); got != before {
			t.Errorf("server got %d new messages, want none (no fallback to plaintext)", got-before)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		n := *n
		n.Auth = smtp.PlainAuth("", "portal", "wrong", host)
		var tpe *textproto.Error
		if err := n.Notify(t.Context(), slotRemoved(ana)); !errors.As(err, &tpe) || tpe.Code != 535 {
			t.Errorf("Notify = %v, want the server's 535", err)
		}
	})
}

func TestSMTP_Notify_requiresTLS(t *testing.T) {
	be := &backend{}
	n := plain(startServer(t, be, nil))
	n.AllowPlaintext = false
	err := n.Notify(t.Context(), slotRemoved(jose, ana))
	if !errors.Is(err, notify.ErrTLSRequired) {
		t.Errorf("Notify = %v, want ErrTLSRequired", err)
	}
	if be.mailSessions() != 0 || len(be.messages()) != 0 {
		t.Errorf("server saw %d MAIL sessions and %d messages, want none", be.mailSessions(), len(be.messages()))
	}
}

func TestSMTP_Notify_headerInjection(t *testing.T) {
	be := &backend{}
	n := plain(startServer(t, be, nil))
	m := slotRemoved(
		contacts.Address{Name: "Eve\r\nBcc: x@y", Email: "eve@example.com", Language: "en"},
		ana,
		contacts.Address{Name: "Eve", Email: "eve@example.com>\r\nRCPT TO:<x@y", Language: "en"},
		contacts.Address{Name: "Eve", Email: "Eve <eve@example.com>", Language: "en"},
		contacts.Address{Name: "Eve\nBcc: x@y", Email: "eve@example.com", Language: "fr"},
	)
	err := n.Notify(t.Context(), m)
	if !errors.Is(err, notify.ErrInvalidHeader) {
		t.Fatalf("Notify = %v, want ErrInvalidHeader", err)
	}
	var failed []int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		re, ok := errors.AsType[*notify.RecipientError](e)
		if !ok {
			t.Fatalf("error %v is no RecipientError", e)
		}
		if strings.Contains(re.Error(), "@") {
			t.Errorf("error %q names an address", re)
		}
		failed = append(failed, re.Index)
	}
	if diff := cmp.Diff([]int{0, 2, 3, 4}, failed); diff != "" {
		t.Errorf("failed recipients (-want +got):\n%s", diff)
	}
	msgs := be.messages()
	if len(msgs) != 1 || !slices.Equal(msgs[0].to, []string{ana.Email}) {
		t.Fatalf("server got %+v, want only Ana's message", msgs)
	}
	if strings.Contains(string(msgs[0].data), "Bcc") || strings.Contains(string(msgs[0].data), "x@y") {
		t.Errorf("message carries the injected header:\n%s", msgs[0].data)
	}
}

func TestSMTP_Notify_rejectedRecipient(t *testing.T) {
	be := &backend{rejectRcpt: func(addr string) bool { return addr == "gone@example.com" }}
	n := plain(startServer(t, be, nil))
	gone := contacts.Address{Name: "Gone", Email: "gone@example.com", Language: "es"}
	intl := contacts.Address{Name: "Zoë", Email: "zoë@example.com", Language: "fr"}
	err := n.Notify(t.Context(), slotRemoved(jose, gone, intl, ana))

	re, ok := errors.AsType[*notify.RecipientError](err)
	var tpe *textproto.Error
	if !ok || re.Index != 1 || !errors.As(err, &tpe) || tpe.Code != 550 {
		t.Errorf("Notify = %v, want recipient 1 refused with 550", err)
	}
	if !strings.Contains(err.Error(), "recipient 2: address needs SMTPUTF8") {
		t.Errorf("Notify = %v, want recipient 2 refused for its non-ASCII address", err)
	}
	var got []string
	for _, m := range be.messages() {
		got = append(got, m.to...)
	}
	if diff := cmp.Diff([]string{jose.Email, ana.Email}, got); diff != "" {
		t.Errorf("delivered to (-want +got):\n%s", diff)
	}
	if be.mailSessions() != 1 {
		t.Errorf("server saw %d sessions, want one: a refusal keeps the connection", be.mailSessions())
	}
}

func TestSMTP_Notify_reconnects(t *testing.T) {
	be := &backend{dropRcpt: func(addr string) bool { return addr == "crash@example.com" }}
	n := plain(startServer(t, be, nil))
	crash := contacts.Address{Email: "crash@example.com", Language: "en"}
	err := n.Notify(t.Context(), slotRemoved(jose, crash, ana))
	if re, ok := errors.AsType[*notify.RecipientError](err); !ok || re.Index != 1 {
		t.Errorf("Notify = %v, want recipient 1 to fail", err)
	}
	var got []string
	for _, m := range be.messages() {
		got = append(got, m.to...)
	}
	if diff := cmp.Diff([]string{jose.Email, ana.Email}, got); diff != "" {
		t.Errorf("delivered to (-want +got):\n%s", diff)
	}
	if be.mailSessions() != 2 {
		t.Errorf("server saw %d sessions, want a second after the hang-up", be.mailSessions())
	}
}

// stalled accepts connections and never answers.
func stalled(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func TestSMTP_Notify_unresponsiveServer(t *testing.T) {
	addr := stalled(t)
	t.Run("context", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		if err := plain(addr).Notify(ctx, slotRemoved(jose)); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Notify = %v, want DeadlineExceeded", err)
		}
	})
	t.Run("Timeout", func(t *testing.T) {
		n := plain(addr)
		n.Timeout = 100 * time.Millisecond
		if err := n.Notify(t.Context(), slotRemoved(jose)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Notify = %v, want a timeout", err)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := l.Addr().String()
		l.Close()
		err = plain(closed).Notify(t.Context(), slotRemoved(jose, ana))
		if _, ok := errors.AsType[*net.OpError](err); !ok {
			t.Errorf("Notify = %v, want the dial error", err)
		}
		if _, ok := errors.AsType[*notify.RecipientError](err); ok {
			t.Errorf("Notify = %v, want one error for the message, not one per recipient", err)
		}
	})
	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := plain(addr).Notify(ctx, slotRemoved(jose)); !errors.Is(err, context.Canceled) {
			t.Errorf("Notify = %v, want Canceled", err)
		}
	})
}

func TestSMTP_Notify_wholeMessageErrors(t *testing.T) {
	be := &backend{}
	addr := startServer(t, be, nil)
	tests := []struct {
		name   string
		smtp   func(*notify.SMTP)
		msg    contacts.Message
		want   error // nil: no error
		reason string
	}{
		{name: "no recipients", msg: slotRemoved(), reason: "nothing to send is not a failure"},
		{name: "unknown kind", msg: contacts.Message{Kind: "fax", OrgName: "Acme", To: []contacts.Address{ana}}, want: notify.ErrUnknownKind},
		{name: "missing data", msg: contacts.Message{Kind: contacts.SlotRemoved, OrgName: "Acme", To: []contacts.Address{ana}}, want: notify.ErrMissingData},
		{name: "sender with line break", smtp: func(s *notify.SMTP) { s.From.Address = "a@b\r\nBcc: x@y" }, msg: slotRemoved(ana), want: notify.ErrInvalidHeader},
		{name: "sender name with line break", smtp: func(s *notify.SMTP) { s.From.Name = "Portal\r\nBcc: x@y" }, msg: slotRemoved(ana), want: notify.ErrInvalidHeader},
		{name: "no sender", smtp: func(s *notify.SMTP) { s.From = mail.Address{} }, msg: slotRemoved(ana), want: notify.ErrInvalidHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := plain(addr)
			if tc.smtp != nil {
				tc.smtp(n)
			}
			err := n.Notify(t.Context(), tc.msg)
			if tc.want == nil && err != nil || !errors.Is(err, tc.want) {
				t.Errorf("Notify = %v, want %v (%s)", err, tc.want, tc.reason)
			}
		})
	}
	if be.mailSessions() != 0 {
		t.Errorf("server saw %d MAIL sessions, want none", be.mailSessions())
	}
	t.Run("bad Addr", func(t *testing.T) {
		n := plain("no port")
		if err := n.Notify(t.Context(), slotRemoved(ana)); err == nil {
			t.Error("Notify = nil, want an error for Addr without a port")
		}
	})
}
