package contacts_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

// chain returns a real audit chain of a few events.
func chain(t testing.TB) ([]contacts.AuditEvent, contacts.AuditHead) {
	t.Helper()
	f := newFixture(t, "acme")
	events, err := f.svc.AuditEvents(context.Background(), f.as(f.owner), "acme", 0, contacts.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 5 {
		t.Fatalf("fixture has only %d events", len(events))
	}
	last := events[len(events)-1]
	return events, contacts.AuditHead{Seq: last.Seq, Hash: last.Hash}
}

func TestVerifyChain(t *testing.T) {
	base, head := chain(t)
	clone := func() []contacts.AuditEvent {
		out := make([]contacts.AuditEvent, len(base))
		for i, e := range base {
			out[i] = e.Clone()
		}
		return out
	}
	tests := []struct {
		name    string
		tamper  func([]contacts.AuditEvent) []contacts.AuditEvent
		head    *contacts.AuditHead
		wantSeq uint64 // 0: the chain must verify
	}{
		{"untouched", func(es []contacts.AuditEvent) []contacts.AuditEvent { return es }, &head, 0},
		{"edited actor", func(es []contacts.AuditEvent) []contacts.AuditEvent { es[2].Actor = "someone-else"; return es }, &head, 3},
		{"edited data", func(es []contacts.AuditEvent) []contacts.AuditEvent {
			es[1].After = json.RawMessage(`{"roles":["owner"]}`)
			return es
		}, &head, 2},
		{"dropped event", func(es []contacts.AuditEvent) []contacts.AuditEvent { return append(es[:2], es[3:]...) }, &head, 3},
		{"swapped events", func(es []contacts.AuditEvent) []contacts.AuditEvent { es[1], es[2] = es[2], es[1]; return es }, &head, 2},
		{"replayed event", func(es []contacts.AuditEvent) []contacts.AuditEvent {
			return append(es[:2], append([]contacts.AuditEvent{es[1]}, es[2:]...)...)
		}, &head, 3},
		{"forged event inserted", func(es []contacts.AuditEvent) []contacts.AuditEvent {
			fake := es[1].Clone()
			fake.Action = "role.grant"
			return append(es[:1], append([]contacts.AuditEvent{fake}, es[1:]...)...)
		}, &head, 2},
		{"truncated, detected by the head", func(es []contacts.AuditEvent) []contacts.AuditEvent { return es[:len(es)-1] }, &head, uint64(len(base))},
		{"truncated, no head kept", func(es []contacts.AuditEvent) []contacts.AuditEvent { return es[:len(es)-1] }, nil, 0},
		{"personal data erased", func(es []contacts.AuditEvent) []contacts.AuditEvent {
			for i := range es {
				es[i].Before, es[i].After, es[i].Salt = nil, nil, ""
			}
			return es
		}, &head, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := contacts.VerifyChain("acme", tt.tamper(clone()), tt.head)
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("VerifyChain = %v, want nil", err)
				}
				return
			}
			ce, ok := errors.AsType[*contacts.ChainError](err)
			if !ok {
				t.Fatalf("VerifyChain = %v, want a ChainError", err)
			}
			if ce.Seq != tt.wantSeq {
				t.Errorf("first bad event = %d (%s), want %d", ce.Seq, ce.Reason, tt.wantSeq)
			}
		})
	}
}

func FuzzAuditVerify(f *testing.F) {
	f.Add(uint8(0), uint8(0), []byte("x"))
	f.Add(uint8(3), uint8(1), []byte(`{"a":1}`))
	f.Add(uint8(4), uint8(2), []byte{})
	base, _ := chain(f)
	f.Fuzz(func(t *testing.T, field, index uint8, value []byte) {
		es := make([]contacts.AuditEvent, len(base))
		for i, e := range base {
			es[i] = e.Clone()
		}
		e := &es[int(index)%len(es)]
		orig := *e
		switch field % 6 {
		case 0:
			e.Actor = string(value)
		case 1:
			e.Target = string(value)
		case 2:
			e.Before = value
		case 3:
			e.Action = string(value)
		case 4:
			e.Prev = string(value)
		case 5:
			e.RequestID = string(value)
		}
		changed := e.Actor != orig.Actor || e.Target != orig.Target || string(e.Before) != string(orig.Before) ||
			e.Action != orig.Action || e.Prev != orig.Prev || e.RequestID != orig.RequestID
		err := contacts.VerifyChain("acme", es, nil)
		if changed && err == nil {
			t.Fatalf("tampering field %d of event %d went unnoticed", field%6, e.Seq)
		}
		if !changed && err != nil {
			t.Fatalf("untouched chain failed: %v", err)
		}
	})
}
