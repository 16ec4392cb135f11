package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"time"

	"github.com/liaisonhq/liaison/contacts"
)

// DefaultTimeout bounds connecting and each message's exchange with the
// server when [SMTP].Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTP is a [contacts.Notifier] that sends each recipient of a message its
// own email, rendered by [Render] in that recipient's language, through one
// SMTP server (a relay or submission service, not the recipients' own mail
// exchangers).
//
// The zero value of every optional field is the safe choice: STARTTLS is
// required and the server's certificate is verified. An SMTP value must not
// be changed while Notify runs; Notify may be called concurrently.
type SMTP struct {
	// Addr is the server's "host:port", such as "smtp.example.com:587".
	Addr string
	// From is the sender, in the From header and as the envelope sender
	// (where bounces go). Its Address is required; its Name is optional.
	From mail.Address
	// Auth, if set, authenticates after STARTTLS, such as
	// smtp.PlainAuth("", user, password, host).
	Auth smtp.Auth
	// TLSConfig configures STARTTLS. Nil means the system's roots and, as
	// when ServerName is empty, the host of Addr as the server name.
	TLSConfig *tls.Config
	// AllowPlaintext permits sending when the server does not offer
	// STARTTLS, for a local test server. Without it such a server gets
	// nothing, and Notify fails with [ErrTLSRequired]. STARTTLS is used
	// whenever offered either way, and a failed handshake is never retried
	// in plaintext.
	AllowPlaintext bool
	// Timeout bounds connecting and then each message's exchange with the
	// server; zero means [DefaultTimeout]. The context passed to Notify
	// bounds the whole call as well.
	Timeout time.Duration
	// Hostname is this host's name, sent in EHLO; empty means "localhost".
	// Many servers want a fully qualified name here.
	Hostname string
	// Now returns the time for the Date header; nil means [time.Now].
	Now func() time.Time
}

var _ contacts.Notifier = (*SMTP)(nil)

// Notify sends m to every address in m.To, each in its own language, over
// one connection to s.Addr (a new one if the connection breaks midway). It
// returns nil when every message was accepted by the server. Otherwise it
// returns an error for the message as a whole (an unknown kind, missing
// data, an invalid sender, no connection before anything was sent), or
// [errors.Join] of one [*RecipientError] per recipient not reached; the
// others were still sent. A message with no recipients sends nothing.
func (s *SMTP) Notify(ctx context.Context, m contacts.Message) error {
	if len(m.To) == 0 {
		return nil
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("notify: smtp: Addr: %w", err)
	}
	if err := checkEmail(s.From.Address); err != nil {
		return fmt.Errorf("notify: smtp: From: %w", err)
	}
	if err := checkHeaderText(s.From.Name); err != nil {
		return fmt.Errorf("notify: smtp: From: name: %w", err)
	}
	// Kind and data are the same for every recipient: fail once, not once
	// per recipient.
	if _, err := templateData(m); err != nil {
		return err
	}

	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	var (
		errs  []error
		queue []envelope
	)
	for i, to := range m.To {
		e, err := s.prepare(m, to, now())
		if err != nil {
			errs = append(errs, &RecipientError{Index: i, Err: err})
			continue
		}
		e.index = i
		queue = append(queue, e)
	}

	var sess *session
	defer func() {
		if sess != nil {
			sess.quit(ctx)
		}
	}()
	for n, e := range queue {
		if ctx.Err() != nil {
			errs = append(errs, &RecipientError{Index: e.index, Err: context.Cause(ctx)})
			continue
		}
		if sess == nil {
			sess, err = s.dial(ctx, host)
			if err != nil {
				if n == 0 && len(errs) == 0 {
					// Nothing was sent and nothing else failed: one
					// error says it all.
					return fmt.Errorf("notify: smtp: %w", err)
				}
				for _, e := range queue[n:] {
					errs = append(errs, &RecipientError{Index: e.index, Err: err})
				}
				break
			}
		}
		if err := sess.send(ctx, s.From.Address, e); err != nil {
			errs = append(errs, &RecipientError{Index: e.index, Err: err})
			if !sess.reset(ctx, err) {
				sess.close()
				sess = nil
			}
		}
	}
	return errors.Join(errs...)
}

// An envelope is one rendered message and its recipient.
type envelope struct {
	index int
	to    string
	msg   []byte
}

// prepare renders m for to and builds the message.
func (s *SMTP) prepare(m contacts.Message, to contacts.Address, date time.Time) (envelope, error) {
	subject, body, lang, err := Render(m, to)
	if err != nil {
		return envelope{}, err
	}
	msg, _, err := draft{
		from:    s.From,
		to:      mail.Address{Name: to.Name, Address: to.Email},
		subject: subject,
		body:    body,
		lang:    lang,
		date:    date,
	}.build()
	if err != nil {
		return envelope{}, err
	}
	return envelope{to: to.Email, msg: msg}, nil
}

func (s *SMTP) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

// A session is one connection to the server, past EHLO, STARTTLS and AUTH.
type session struct {
	conn    net.Conn
	client  *smtp.Client
	timeout time.Duration
	utf8    bool // the server takes non-ASCII addresses (SMTPUTF8)
	stop    func() bool
}

// dial connects to the server and readies the session for mail.
func (s *SMTP) dial(ctx context.Context, host string) (*session, error) {
	timeout := s.timeout()
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return nil, err
	}
	ss := &session{
		conn:    conn,
		timeout: timeout,
		// Cancelling ctx interrupts whatever read or write is under way.
		stop: context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) }),
	}
	if err := ss.arm(ctx); err != nil {
		ss.close()
		return nil, err
	}
	if err := s.start(ss, host); err != nil {
		ss.close()
		return nil, ss.cause(ctx, err)
	}
	return ss, nil
}

// start greets the server, upgrades to TLS and authenticates.
func (s *SMTP) start(ss *session, host string) error {
	c, err := smtp.NewClient(ss.conn, host)
	if err != nil {
		return err
	}
	ss.client = c
	hostname := s.Hostname
	if hostname == "" {
		hostname = "localhost"
	}
	if err := c.Hello(hostname); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{}
		if s.TLSConfig != nil {
			cfg = s.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	} else if !s.AllowPlaintext {
		c.Quit()
		return ErrTLSRequired
	}
	if s.Auth != nil {
		if err := c.Auth(s.Auth); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	ss.utf8, _ = c.Extension("SMTPUTF8")
	return nil
}

// arm sets the deadline for the next exchange. Should ctx end meanwhile,
// the AfterFunc set in dial moves the deadline into the past; checking ctx
// after setting it keeps a cancellation from being overwritten.
func (ss *session) arm(ctx context.Context) error {
	if err := ss.conn.SetDeadline(time.Now().Add(ss.timeout)); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// cause prefers the context's error to the I/O error it provoked.
func (ss *session) cause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", context.Cause(ctx), err)
	}
	return err
}

// send runs one mail transaction: MAIL, RCPT, DATA.
func (ss *session) send(ctx context.Context, from string, e envelope) error {
	if !ss.utf8 && (!isASCII(from) || !isASCII(e.to)) {
		return errNeedsSMTPUTF8
	}
	if err := ss.arm(ctx); err != nil {
		return err
	}
	err := func() error {
		if err := ss.client.Mail(from); err != nil {
			return fmt.Errorf("MAIL: %w", err)
		}
		if err := ss.client.Rcpt(e.to); err != nil {
			return fmt.Errorf("RCPT: %w", err)
		}
		w, err := ss.client.Data()
		if err != nil {
			return fmt.Errorf("DATA: %w", err)
		}
		if _, err := w.Write(e.msg); err != nil {
			w.Close()
			return fmt.Errorf("DATA: %w", err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("DATA: %w", err)
		}
		return nil
	}()
	if err != nil {
		return ss.cause(ctx, err)
	}
	return nil
}

// reset readies the session for the next transaction after one failed
// with err, and reports whether it could. A refusal by the server (a
// [textproto.Error], such as a rejected recipient) leaves the connection
// usable; a broken or timed-out connection, or an address refused before
// anything was sent, is handled apart.
func (ss *session) reset(ctx context.Context, err error) bool {
	if errors.Is(err, errNeedsSMTPUTF8) {
		return true // nothing was sent
	}
	if _, ok := errors.AsType[*textproto.Error](err); !ok {
		return false
	}
	if ss.arm(ctx) != nil {
		return false
	}
	return ss.client.Reset() == nil
}

// quit ends the session politely. The messages are already accepted, so
// an error here changes nothing.
func (ss *session) quit(ctx context.Context) {
	if ss.arm(ctx) == nil {
		ss.client.Quit()
	}
	ss.close()
}

func (ss *session) close() {
	ss.stop()
	ss.conn.Close()
}
