package notify

import (
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFold(t *testing.T) {
	long := strings.Repeat("word ", 30)
	tests := []struct {
		name, line string
		min        int
		want       string
		reason     string
	}{
		{name: "short", line: "Subject: hello", min: 8, want: "Subject: hello"},
		{
			name: "at the last space that fits",
			line: "Subject: " + strings.TrimSpace(long), min: 8,
			want: "Subject:" + strings.Repeat(" word", 14) + "\r\n" +
				strings.Repeat(" word", 15) + "\r\n" + " word",
		},
		{
			name: "after the colon", line: "Subject: " + strings.Repeat("x", 75), min: 8,
			want:   "Subject:\r\n " + strings.Repeat("x", 75),
			reason: "a 75-character encoded-word fits only on a line of its own",
		},
		{
			name: "no space to fold at", line: "Subject: " + strings.Repeat("x", 100), min: 8,
			want: "Subject:\r\n " + strings.Repeat("x", 100),
		},
		{
			name: "not inside the name", line: strings.Repeat("X", 70) + " X: " + strings.Repeat("v", 10), min: 73,
			want:   strings.Repeat("X", 70) + " X:\r\n " + strings.Repeat("v", 10),
			reason: "the space at 70 is part of the name",
		},
		{
			name: "never a line of spaces", line: "Subject: a" + strings.Repeat(" ", 100), min: 8,
			want: "Subject: a" + strings.Repeat(" ", 100),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fold(tc.line, tc.min)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fold (-want +got): %s\n%s", tc.reason, diff)
			}
			if strings.ReplaceAll(got, "\r\n", "") != tc.line {
				t.Errorf("unfolding does not give the line back")
			}
			for l := range strings.SplitSeq(got, "\r\n") {
				if len(l) > foldAt && strings.Contains(strings.TrimSpace(l[min(len(l), tc.min+1):]), " ") {
					t.Errorf("line of %d characters could have been folded: %q", len(l), l)
				}
			}
		})
	}
}

func testDraft() draft {
	return draft{
		from:    mail.Address{Name: "Portal", Address: "no-reply@portal.example"},
		to:      mail.Address{Name: "José Müller", Address: "jose@example.de"},
		subject: "Sie sind nicht mehr Kontakt für „Billing“ bei Acme",
		body:    "Hallo José,\n\n" + strings.Repeat("ein langer Satz mit Umlauten: äöü ß. ", 10) + "\n.\nLetzte Zeile\n",
		lang:    "de",
		date:    time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

func TestDraft_build(t *testing.T) {
	d := testDraft()
	msg, id, err := d.build()
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(strings.NewReader(string(msg)))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"Auto-Submitted", "Content-Language", "Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if got := m.Header.Get("Message-ID"); got != id {
		t.Errorf("Message-ID = %q, build returned %q", got, id)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.body, strings.ReplaceAll(string(body), "\r\n", "\n")); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != d.subject {
		t.Errorf("Subject = %q, %v; want %q", subject, err, d.subject)
	}
}

func TestDraft_build_refusesInjection(t *testing.T) {
	tests := []struct {
		name   string
		change func(*draft)
	}{
		{"CRLF in recipient name", func(d *draft) { d.to.Name = "Eve\r\nBcc: x@y" }},
		{"LF in recipient name", func(d *draft) { d.to.Name = "Eve\nBcc: x@y" }},
		{"CR in recipient name", func(d *draft) { d.to.Name = "Eve\rBcc: x@y" }},
		{"NUL in recipient name", func(d *draft) { d.to.Name = "Eve\x00" }},
		{"C1 control in recipient name", func(d *draft) { d.to.Name = "Eve\u0085Bcc: x@y" }},
		{"invalid UTF-8 in recipient name", func(d *draft) { d.to.Name = "Eve\xff" }},
		{"CRLF in sender name", func(d *draft) { d.from.Name = "Portal\r\nBcc: x@y" }},
		{"CRLF in subject", func(d *draft) { d.subject = "Hi\r\nBcc: x@y" }},
		{"CRLF in recipient address", func(d *draft) { d.to.Address = "eve@example.com\r\nBcc: x@y" }},
		{"display name in recipient address", func(d *draft) { d.to.Address = "Eve <eve@example.com>" }},
		{"two recipient addresses", func(d *draft) { d.to.Address = "eve@example.com, x@y" }},
		{"comment in recipient address", func(d *draft) { d.to.Address = "eve@example.com (x)" }},
		{"no recipient address", func(d *draft) { d.to.Address = "" }},
		{"CRLF in sender address", func(d *draft) { d.from.Address = "a@b\r\nBcc: x@y" }},
		{"CRLF in language", func(d *draft) { d.lang = "de\r\nBcc: x@y" }},
		{"subject too long to fold", func(d *draft) { d.subject = strings.Repeat("x", 1000) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := testDraft()
			tc.change(&d)
			if _, _, err := d.build(); !errors.Is(err, ErrInvalidHeader) {
				t.Errorf("build = %v, want ErrInvalidHeader", err)
			}
		})
	}
}

// FuzzDraft_build checks that whatever goes into the names, the address and
// the subject, a built message has exactly the headers build writes, with
// the values given.
func FuzzDraft_build(f *testing.F) {
	f.Add("José Müller", "jose@example.de", "Olá — ação")
	f.Add("Eve\r\nBcc: x@y", "eve@example.com", "Hi")
	f.Add("Eve", "eve@example.com>\r\nRCPT TO:<x@y", "Hi")
	f.Add("Eve", "eve@example.com", "Hi\nBcc: x@y")
	f.Add(`"Doe, John" <x>`, "jd@example.com", "=?UTF-8?q?fake?=")
	f.Add("", `"quoted local"@example.com`, strings.Repeat("long subject ", 20))
	f.Fuzz(func(t *testing.T, name, addr, subject string) {
		d := testDraft()
		d.to = mail.Address{Name: name, Address: addr}
		d.subject = subject
		msg, _, err := d.build()
		if err != nil {
			if !errors.Is(err, ErrInvalidHeader) {
				t.Fatalf("build = %v, want ErrInvalidHeader or success", err)
			}
			return
		}
		if strings.ContainsAny(strings.ReplaceAll(string(msg), "\r\n", ""), "\r\n") {
			t.Fatalf("bare CR or LF in %q", msg)
		}
		m, err := mail.ReadMessage(strings.NewReader(string(msg)))
		if err != nil {
			t.Fatalf("ReadMessage: %v\n%q", err, msg)
		}
		if len(m.Header) != 10 {
			t.Fatalf("%d headers, want 10:\n%q", len(m.Header), msg)
		}
		for k, v := range m.Header {
			if len(v) != 1 {
				t.Fatalf("header %s appears %d times", k, len(v))
			}
		}
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != addr {
			t.Fatalf("To = %v, %v; want %q", to, err, addr)
		}
		got, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		// textproto trims a value and joins folded lines with one space, so
		// only subjects without runs of spaces or look-alike encoded-words
		// must come back exactly.
		if err == nil && got != subject && got != strings.TrimSpace(subject) &&
			!strings.Contains(subject, "=?") && !strings.Contains(subject, "  ") {
			t.Fatalf("Subject = %q, want %q", got, subject)
		}
	})
}
