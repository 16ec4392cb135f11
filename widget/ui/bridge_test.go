package ui

import (
	"math"
	"testing"
)

func TestParentOrigin(t *testing.T) {
	const self = "https://portal.example"
	allowed := "https://host.example, http://localhost:8080"
	tests := []struct {
		name, parent, want string
	}{
		{"no parent named", "", self},
		{"an allowed parent", "https://host.example", "https://host.example"},
		{"an allowed parent, canonicalized", "HTTPS://Host.Example/", "https://host.example"},
		{"an allowed parent with a port", "http://localhost:8080", "http://localhost:8080"},
		{"the widget's own origin", "https://portal.example", self},
		{"an origin not allowed", "https://evil.example", self},
		{"a port not allowed", "https://host.example:8443", self},
		{"a path is not an origin", "https://host.example/x", self},
		{"a query is not an origin", "https://host.example?x=1", self},
		{"userinfo is not an origin", "https://a@host.example", self},
		{"another scheme", "javascript:alert(1)", self},
		{"a wildcard", "*", self},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parentOrigin(tt.parent, self, allowed); got != tt.want {
				t.Errorf("parentOrigin(%q) = %q, want %q", tt.parent, got, tt.want)
			}
		})
	}
	if got := parentOrigin("https://host.example", self, ""); got != self {
		t.Errorf("with nothing allowed, parentOrigin = %q, want the widget's own", got)
	}
}

func TestResizePayload(t *testing.T) {
	if got := resizePayload(480.2); got["type"] != resizeMessage || got["height"] != 481.0 {
		t.Errorf("resizePayload(480.2) = %v", got)
	}
	for _, h := range []float64{math.NaN(), math.Inf(1), -1, 2e6} {
		if got := resizePayload(h); got != nil {
			t.Errorf("resizePayload(%v) = %v, want nil", h, got)
		}
	}
}
