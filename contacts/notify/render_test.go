package notify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/notify"
)

// allKinds lists every kind contacts/notify.go declares; a kind added there
// belongs here too.
var allKinds = []contacts.MessageKind{
	contacts.ReviewReminder,
	contacts.InvitationMessage,
	contacts.VerificationMessage,
	contacts.SlotRemoved,
	contacts.OwnerChanged,
	contacts.AddressChanged,
	contacts.TestMessage,
	contacts.ChangeSetUpdate,
}

func TestLanguages(t *testing.T) {
	want := []string{"en", "pt-BR", "es", "fr", "de"}
	if diff := cmp.Diff(want, notify.Languages()); diff != "" {
		t.Errorf("Languages (-want +got):\n%s", diff)
	}
}

func TestMatchLanguage(t *testing.T) {
	tests := []struct {
		tag, want string
		reason    string
	}{
		{tag: "", want: "en"},
		{tag: "und", want: "en"},
		{tag: "en", want: "en"},
		{tag: "en-GB", want: "en"},
		{tag: "pt", want: "pt-BR"},
		{tag: "pt-BR", want: "pt-BR"},
		{tag: "pt-PT", want: "pt-BR", reason: "the only Portuguese there is"},
		{tag: "pt-AO", want: "pt-BR"},
		{tag: "es", want: "es"},
		{tag: "es-MX", want: "es"},
		{tag: "es-419", want: "es"},
		{tag: "fr-CA", want: "fr"},
		{tag: "fr-CH", want: "fr"},
		{tag: "de", want: "de"},
		{tag: "de-AT", want: "de"},
		{tag: "de-CH", want: "de"},
		{tag: "gsw", want: "de", reason: "the Matcher knows Swiss German readers read German"},
		{tag: "ja", want: "en", reason: "no close language: the fallback"},
		{tag: "it", want: "en", reason: "Italian is not close enough to Spanish or French for the Matcher"},
		{tag: "pt-br", want: "pt-BR", reason: "case does not matter"},
		{tag: "en_US", want: "en"},
		{tag: "de-XX", want: "de", reason: "an unknown region leaves the language to go by"},
		{tag: "not a tag", want: "en"},
		{tag: "pt-" + strings.Repeat("x", 40), want: "en", reason: "over 35 characters is not parsed"},
	}
	for _, tc := range tests {
		if got := notify.MatchLanguage(tc.tag); got != tc.want {
			t.Errorf("MatchLanguage(%q) = %q, want %q %s", tc.tag, got, tc.want, tc.reason)
		}
	}
}

// sample holds a distinct value for every Data key, so a test can tell
// which ones a text shows.
var sample = map[string]string{
	"due":       "2026-04-30",
	"link":      "https://portal.example/liaison/review?t=L1NK",
	"expires":   "2026-05-02T18:45:00Z",
	"inviter":   "Inês Inviter",
	"slot_name": "Sl0t Name",
	"new_owner": "Nuno New-Owner",
	"state":     "approved",
}

// shown is how each sample value appears in a text, dates aside.
func shown(key string) string {
	switch key {
	case "due":
		return "30"
	case "expires":
		return "18:45"
	case "state":
		return "" // a sentence, tested on its own
	}
	return sample[key]
}

var required = map[contacts.MessageKind][]string{
	contacts.ReviewReminder:      {"due"},
	contacts.InvitationMessage:   {"link", "expires"},
	contacts.VerificationMessage: {"link", "expires"},
	contacts.SlotRemoved:         {"slot_name"},
	contacts.OwnerChanged:        {"new_owner"},
	contacts.TestMessage:         {"slot_name"},
	contacts.ChangeSetUpdate:     {"state"},
}

var optional = map[contacts.MessageKind][]string{
	contacts.ReviewReminder:    {"link"},
	contacts.InvitationMessage: {"inviter"},
	contacts.ChangeSetUpdate:   {"link"},
}

// TestRender_everyKindAndLanguage renders every kind in every language, with
// and without its optional data: a missing template, a misspelt key or a
// key the text forgets to show fails here.
func TestRender_everyKindAndLanguage(t *testing.T) {
	for _, lang := range notify.Languages() {
		for _, kind := range allKinds {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				full := contacts.Message{Kind: kind, Org: "acme", OrgName: "Ørgan Acme", Data: map[string]string{}}
				for _, k := range required[kind] {
					full.Data[k] = sample[k]
				}
				bare := full
				bare.Data = map[string]string{}
				for k, v := range full.Data {
					bare.Data[k] = v
				}
				for _, k := range optional[kind] {
					full.Data[k] = sample[k]
				}
				to := contacts.Address{Name: "Rita Recipient", Email: "rita@example.com", Language: lang}

				subject, body, gotLang, err := notify.Render(full, to)
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				if gotLang != lang {
					t.Errorf("lang = %q, want %q", gotLang, lang)
				}
				if subject == "" || strings.ContainsAny(subject, "\r\n") || !strings.Contains(subject, "Ørgan Acme") {
					t.Errorf("subject = %q, want one line naming the org", subject)
				}
				for _, want := range []string{"Ørgan Acme", "Rita Recipient"} {
					if !strings.Contains(body, want) {
						t.Errorf("body lacks %q:\n%s", want, body)
					}
				}
				for _, k := range append(required[kind], optional[kind]...) {
					if !strings.Contains(body, shown(k)) {
						t.Errorf("body does not show %s (%q):\n%s", k, shown(k), body)
					}
				}
				for _, bad := range []string{"<no value>", "{{", "2026-04-30", "2026-05-02T"} {
					if strings.Contains(subject+body, bad) {
						t.Errorf("text holds %q:\n%s\n%s", bad, subject, body)
					}
				}
				if !strings.HasSuffix(body, "\n") || strings.HasSuffix(body, "\n\n") || strings.Contains(body, "\n\n\n") {
					t.Errorf("body has stray blank lines:\n%q", body)
				}

				_, bareBody, _, err := notify.Render(bare, to)
				if err != nil {
					t.Fatalf("Render without optional data: %v", err)
				}
				for _, k := range optional[kind] {
					if strings.Contains(bareBody, shown(k)) {
						t.Errorf("body without %s still shows it", k)
					}
				}
				if strings.Contains(bareBody, "\n\n\n") {
					t.Errorf("body without optional data has stray blank lines:\n%q", bareBody)
				}
			})
		}
	}
}

func TestRender_greetingWithoutName(t *testing.T) {
	want := map[string]string{"en": "Hello,\n", "pt-BR": "Olá,\n", "es": "Hola:\n", "fr": "Bonjour,\n", "de": "Hallo,\n"}
	for _, lang := range notify.Languages() {
		m := contacts.Message{Kind: contacts.AddressChanged, OrgName: "Acme"}
		_, body, _, err := notify.Render(m, contacts.Address{Email: "x@example.com", Language: lang})
		if err != nil || !strings.HasPrefix(body, want[lang]) {
			t.Errorf("%s: body starts %q, %v; want %q", lang, body[:min(len(body), 20)], err, want[lang])
		}
	}
}

func TestRender_changeSetStates(t *testing.T) {
	states := []string{"pending", "commented", "approved", "rejected", "cancelled"}
	for _, lang := range notify.Languages() {
		seen := map[string]string{}
		for _, state := range append(states, "escalated") {
			m := contacts.Message{Kind: contacts.ChangeSetUpdate, OrgName: "Acme", Data: map[string]string{"state": state}}
			_, body, _, err := notify.Render(m, contacts.Address{Language: lang})
			if err != nil {
				t.Fatalf("%s %s: %v", lang, state, err)
			}
			sentence := strings.Split(body, "\n")[2]
			if other, ok := seen[sentence]; ok {
				t.Errorf("%s: %s and %s read the same: %q", lang, other, state, sentence)
			}
			seen[sentence] = state
			if state == "escalated" && !strings.Contains(sentence, state) {
				t.Errorf("%s: %q; want an unknown state shown as it is", lang, sentence)
			}
		}
		applied := contacts.Message{Kind: contacts.ChangeSetUpdate, OrgName: "Acme", Data: map[string]string{"state": "applied"}}
		_, body, _, _ := notify.Render(applied, contacts.Address{Language: lang})
		if seen[strings.Split(body, "\n")[2]] != "approved" {
			t.Errorf("%s: applied does not read as approved", lang)
		}
	}
}

func TestRender_errors(t *testing.T) {
	to := contacts.Address{Name: "Ana", Email: "ana@example.com", Language: "pt-BR"}
	tests := []struct {
		name     string
		msg      contacts.Message
		want     error
		wantText string
	}{
		{
			name: "unknown kind",
			msg:  contacts.Message{Kind: "fax", OrgName: "Acme"},
			want: notify.ErrUnknownKind,
		},
		{
			name:     "missing required keys",
			msg:      contacts.Message{Kind: contacts.InvitationMessage, OrgName: "Acme", Data: map[string]string{"link": "https://x"}},
			want:     notify.ErrMissingData,
			wantText: "expires",
		},
		{
			name:     "blank required key",
			msg:      contacts.Message{Kind: contacts.SlotRemoved, OrgName: "Acme", Data: map[string]string{"slot_name": "  "}},
			want:     notify.ErrMissingData,
			wantText: "slot_name",
		},
		{
			name:     "no org name",
			msg:      contacts.Message{Kind: contacts.AddressChanged},
			want:     notify.ErrMissingData,
			wantText: "org_name",
		},
		{
			name: "line break in the subject",
			msg:  contacts.Message{Kind: contacts.AddressChanged, OrgName: "Acme\r\nBcc: x@y"},
			want: notify.ErrInvalidHeader,
		},
		{
			name: "line break in a value the subject shows",
			msg:  contacts.Message{Kind: contacts.SlotRemoved, OrgName: "Acme", Data: map[string]string{"slot_name": "Billing\nBcc: x@y"}},
			want: notify.ErrInvalidHeader,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := notify.Render(tc.msg, to)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("Render = %v, want %v naming %q", err, tc.want, tc.wantText)
			}
		})
	}
}

func TestRender_orgFallsBackToID(t *testing.T) {
	subject, _, _, err := notify.Render(contacts.Message{Kind: contacts.AddressChanged, Org: "acme"}, contacts.Address{})
	if err != nil || subject != "Your email address at acme has been changed" {
		t.Errorf("Render = %q, %v; want the org ID in place of a name", subject, err)
	}
}
