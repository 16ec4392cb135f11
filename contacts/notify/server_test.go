package notify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// A received is one message as the test server took it.
type received struct {
	from string
	to   []string
	data []byte
	tls  bool   // the session ran over STARTTLS
	user string // who authenticated, if anyone
}

// backend is a go-smtp backend that keeps every message it is given.
type backend struct {
	// rejectRcpt, if set, refuses recipients it returns true for.
	rejectRcpt func(addr string) bool
	// dropRcpt, if set, hangs up on recipients it returns true for, as a
	// crashing server would.
	dropRcpt func(addr string) bool
	// users, if set, makes the server offer AUTH PLAIN for these
	// user-password pairs.
	users map[string]string

	mu       sync.Mutex
	msgs     []received
	sessions int // sessions that issued MAIL
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	s := &session{b: b, conn: c, tls: isTLS}
	if b.users != nil {
		return &authSession{s}, nil
	}
	return s, nil
}

func (b *backend) mailSessions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sessions
}

func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b      *backend
	conn   *smtp.Conn
	tls    bool
	user   string
	from   string
	to     []string
	mailed bool
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.users != nil && s.user == "" {
		return smtp.ErrAuthRequired
	}
	if !s.mailed {
		s.mailed = true
		s.b.mu.Lock()
		s.b.sessions++
		s.b.mu.Unlock()
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.dropRcpt != nil && s.b.dropRcpt(to) {
		s.conn.Conn().Close()
		return errors.New("hung up")
	}
	if s.b.rejectRcpt != nil && s.b.rejectRcpt(to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.msgs = append(s.b.msgs, received{from: s.from, to: s.to, data: data, tls: s.tls, user: s.user})
	return nil
}

type authSession struct{ *session }

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := s.b.users[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

// startServer runs an SMTP server on 127.0.0.1 until the test ends and
// returns its address. With tlsConfig it offers STARTTLS.
func startServer(t *testing.T, be *backend, tlsConfig *tls.Config) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(be)
	srv.Domain = "mx.test"
	srv.TLSConfig = tlsConfig
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		// Close closes only the listeners Serve has registered: if the
		// test ends before the goroutine reached Serve (no client ever
		// connected), Serve would then block in Accept for good.
		l.Close()
		<-done
	})
	return l.Addr().String()
}

// selfSigned makes a CA certificate for 127.0.0.1 and returns the server's
// TLS config and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "notify test server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}, pool
}

// parsed is a received message taken apart.
type parsed struct {
	header  mail.Header
	subject string // decoded
	body    string // decoded from quoted-printable, "\n" line endings
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	if rest := strings.ReplaceAll(string(data), "\r\n", ""); strings.ContainsAny(rest, "\r\n") {
		t.Errorf("message has a bare CR or LF:\n%q", data)
	}
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode Subject: %v", err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("decode body: %v", err)
	}
	return parsed{header: m.Header, subject: subject, body: strings.ReplaceAll(string(body), "\r\n", "\n")}
}
