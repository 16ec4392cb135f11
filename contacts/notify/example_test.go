package notify_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/contacts/notify"
)

func ExampleRender() {
	m := contacts.Message{
		Kind:    contacts.SlotRemoved,
		Org:     "acme",
		OrgName: "Acme Ltda",
		Data:    map[string]string{"slot": "billing", "slot_name": "Faturamento"},
	}
	// pt-PT has no templates of its own: the closest is pt-BR.
	to := contacts.Address{Name: "Ana", Email: "ana@example.com", Language: "pt-PT"}

	subject, body, lang, err := notify.Render(m, to)
	if err != nil {
		log.Fatal(err)
	}
	// The body ends with a footer after a "-- " signature line, saying why
	// the recipient gets the message; it is left out here.
	text, _, _ := strings.Cut(body, "\n-- \n")
	fmt.Println(lang)
	fmt.Println(subject)
	fmt.Println()
	fmt.Println(text)
	// Output:
	// pt-BR
	// Você não é mais o contato “Faturamento” de Acme Ltda
	//
	// Olá, Ana,
	//
	// Você não é mais o contato “Faturamento” de Acme Ltda e deixará de receber as mensagens dessa função.
	//
	// Se você acha que isso é um engano, fale com um administrador de Acme Ltda.
}

func ExampleMatchLanguage() {
	for _, tag := range []string{"de-AT", "pt", "fr-CA", "ja", ""} {
		fmt.Printf("%q → %s\n", tag, notify.MatchLanguage(tag))
	}
	// Output:
	// "de-AT" → de
	// "pt" → pt-BR
	// "fr-CA" → fr
	// "ja" → en
	// "" → en
}

// ExampleSMTP shows a notifier for a submission server with STARTTLS and a
// password. Hosts pass it to the Service as its Notifier.
func ExampleSMTP() {
	n := &notify.SMTP{
		Addr:      "smtp.example.com:587",
		From:      mail.Address{Name: "Example Portal", Address: "no-reply@example.com"},
		Auth:      smtp.PlainAuth("", "portal", "app-password", "smtp.example.com"),
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12},
		Hostname:  "portal.example.com",
		Timeout:   20 * time.Second,
	}
	err := n.Notify(context.Background(), contacts.Message{
		Kind:    contacts.ReviewReminder,
		Org:     "acme",
		OrgName: "Acme Ltda",
		To:      []contacts.Address{{Name: "Ana", Email: "ana@example.com", Language: "pt-BR"}},
		Data:    map[string]string{"due": "2026-06-30", "link": "https://portal.example.com/contacts/review"},
	})
	if err != nil {
		log.Print(err)
	}
}
