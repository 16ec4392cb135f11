package webhook_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/liaisonhq/liaison/contacts/webhook"
)

// A receiver checks each delivery's signature before it trusts the body,
// and drops an event ID it has seen (deliveries are at least once).
func ExampleVerify() {
	const secret = "whsec-0123456789abcdef0123456789abcdef"
	seen := map[string]bool{}
	receive := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := webhook.Verify(r.Header, body, secret); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if id := r.Header.Get(webhook.EventIDHeader); !seen[id] {
			seen[id] = true
			fmt.Println("processing", string(body))
		}
		w.WriteHeader(http.StatusNoContent)
	})

	// Two deliveries of one event, then a forged one.
	body := `{"org":"acme","seq":1,"action":"org.create","hash":"3f2a"}`
	for _, sig := range []string{webhook.Sign(secret, time.Now(), []byte(body)), webhook.Sign(secret, time.Now(), []byte(body)),
		webhook.Sign("not-the-endpoint-secret-at-all-000000", time.Now(), []byte(body))} {
		r := httptest.NewRequest(http.MethodPost, "/hooks/liaison", strings.NewReader(body))
		r.Header.Set(webhook.SignatureHeader, sig)
		r.Header.Set(webhook.EventIDHeader, "3f2a")
		w := httptest.NewRecorder()
		receive.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	// Output:
	// processing {"org":"acme","seq":1,"action":"org.create","hash":"3f2a"}
	// 204
	// 204
	// 401
}
