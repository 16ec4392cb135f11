package notify

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Line lengths of RFC 5322 §2.1.1: lines should fit in 78 characters and
// must fit in 998.
const (
	foldAt     = 78
	maxLineLen = 998
)

// checkHeaderText reports whether s may go into a header: valid UTF-8
// without line breaks or other control characters (a tab is allowed). A
// line break would let s start a header of its own ("\r\nBcc: ...").
func checkHeaderText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidHeader)
	}
	for _, r := range s {
		if r == '\r' || r == '\n' {
			return fmt.Errorf("%w: holds a line break", ErrInvalidHeader)
		}
		if r != '\t' && unicode.IsControl(r) {
			return fmt.Errorf("%w: holds a control character", ErrInvalidHeader)
		}
	}
	return nil
}

// checkEmail reports whether s is a bare address ("ana@example.com"), as an
// SMTP envelope and a header both need it. It refuses display names, angle
// brackets and comments, which net/mail would accept and strip: what is
// checked must be what is sent. The error does not quote s.
func checkEmail(s string) error {
	if err := checkHeaderText(s); err != nil {
		return err
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Errorf("%w: malformed email address", ErrInvalidHeader)
	}
	return nil
}

// A draft is everything one message's text is made from.
type draft struct {
	from    mail.Address
	to      mail.Address
	subject string
	body    string
	lang    string
	date    time.Time
}

// build writes d as an RFC 5322 message: headers with non-ASCII text as
// RFC 2047 encoded-words, a UTF-8 plain-text body in quoted-printable, CRLF
// line endings throughout. It refuses header values that could inject
// headers, and returns the message ID it chose.
func (d draft) build() (msg []byte, id string, err error) {
	for _, v := range []struct{ what, s string }{
		{"sender name", d.from.Name},
		{"recipient name", d.to.Name},
		{"subject", d.subject},
		{"language", d.lang},
	} {
		if err := checkHeaderText(v.s); err != nil {
			return nil, "", fmt.Errorf("%s: %w", v.what, err)
		}
	}
	if err := checkEmail(d.from.Address); err != nil {
		return nil, "", fmt.Errorf("sender: %w", err)
	}
	if err := checkEmail(d.to.Address); err != nil {
		return nil, "", fmt.Errorf("recipient: %w", err)
	}

	id = newMessageID(d.from.Address)
	var b bytes.Buffer
	for _, h := range [...]struct{ name, value string }{
		{"Date", d.date.Format(time.RFC1123Z)},
		{"From", d.from.String()},
		{"To", d.to.String()},
		{"Subject", mime.QEncoding.Encode("UTF-8", d.subject)},
		{"Message-ID", id},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=UTF-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
		{"Content-Language", d.lang},
		// RFC 3834: keeps vacation responders from answering.
		{"Auto-Submitted", "auto-generated"},
	} {
		if err := writeHeader(&b, h.name, h.value); err != nil {
			return nil, "", err
		}
	}
	b.WriteString("\r\n")
	// The writer ends every line, "\n" or "\r\n", with CRLF, and keeps
	// lines within 76 characters with soft breaks.
	w := quotedprintable.NewWriter(&b)
	if _, err := w.Write([]byte(d.body)); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), id, nil
}

// writeHeader writes one header field, folded at spaces to keep lines
// within 78 characters where a space allows it.
func writeHeader(b *bytes.Buffer, name, value string) error {
	// Folding right after the colon is allowed, and needed for an
	// encoded-word of 75 characters to keep within RFC 2047's 76.
	line := fold(name+": "+value, len(name)+1)
	for l := range strings.SplitSeq(line, "\r\n") {
		if len(l) > maxLineLen {
			return fmt.Errorf("%s: %w: line longer than %d characters", name, ErrInvalidHeader, maxLineLen)
		}
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return nil
}

// fold inserts CRLF before spaces of line so that each line fits in foldAt
// characters where it can; unfolding (removing the CRLFs) gives back line.
// It folds only at a space at index min or later (past the field name),
// and never leaves a line of only spaces.
func fold(line string, min int) string {
	var b strings.Builder
	for len(line) > foldAt {
		i := strings.LastIndexByte(line[:foldAt+1], ' ')
		if i < min || strings.TrimSpace(line[:i]) == "" {
			// No space early enough: fold at the first one after.
			start := max(foldAt, min)
			j := strings.IndexByte(line[start:], ' ')
			if j < 0 {
				break
			}
			i = start + j
		}
		if strings.TrimSpace(line[i:]) == "" {
			break
		}
		b.WriteString(line[:i])
		b.WriteString("\r\n")
		line = line[i:]
		min = 1
	}
	b.WriteString(line)
	return b.String()
}

// newMessageID returns a unique Message-ID in the domain of the sender's
// address (RFC 5322 §3.6.4), such as "<K3J...@example.com>".
func newMessageID(from string) string {
	domain := from[strings.LastIndexByte(from, '@')+1:]
	if domain == "" || !isASCII(domain) {
		// An internationalised domain would need IDNA; the ID only has to
		// be unique, not resolvable.
		domain = "liaison.invalid"
	}
	return "<" + rand.Text() + "@" + domain + ">"
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// errNeedsSMTPUTF8 refuses an address with non-ASCII characters on a
// server that does not take them.
var errNeedsSMTPUTF8 = errors.New("address needs SMTPUTF8, which the server does not offer")
