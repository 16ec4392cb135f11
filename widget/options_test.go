package widget

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

func TestOptions_Validate(t *testing.T) {
	f := newFixture(t)
	good := f.opts
	good.Hosts = []string{"portal.example.com", "localhost:8080", "[::1]:8080", "127.0.0.1"}
	good.TrustedOrigins = []string{"https://portal.example.com", "http://localhost:8080"}
	good.Version = "v1.2.3-rc_1"
	if err := good.Validate(); err != nil {
		t.Fatalf("valid options: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Options)
		field string
	}{
		{"no service", func(o *Options) { o.Service = nil }, "Service"},
		{"no actor", func(o *Options) { o.Actor = nil }, "Actor"},
		{"relative prefix", func(o *Options) { o.Prefix = "liaison" }, "Prefix"},
		{"trailing slash", func(o *Options) { o.Prefix = "/liaison/" }, "Prefix"},
		{"root as slash", func(o *Options) { o.Prefix = "/" }, "Prefix"},
		{"double slash", func(o *Options) { o.Prefix = "/a//b" }, "Prefix"},
		{"dot segment", func(o *Options) { o.Prefix = "/a/../b" }, "Prefix"},
		{"quote in prefix", func(o *Options) { o.Prefix = `/a"b` }, "Prefix"},
		{"pattern in prefix", func(o *Options) { o.Prefix = "/{org}" }, "Prefix"},
		{"ancestor with path", func(o *Options) { o.FrameAncestors = []string{"https://portal.example.com/"} }, "FrameAncestors[0]"},
		{"ancestor wildcard", func(o *Options) { o.FrameAncestors = []string{"https://ok.example", "https://*.example.com"} }, "FrameAncestors[1]"},
		{"ancestor keyword", func(o *Options) { o.FrameAncestors = []string{"'none'"} }, "FrameAncestors[0]"},
		{"ancestor injection", func(o *Options) { o.FrameAncestors = []string{"https://a.example; script-src *"} }, "FrameAncestors[0]"},
		{"ancestor scheme", func(o *Options) { o.FrameAncestors = []string{"javascript://a.example"} }, "FrameAncestors[0]"},
		{"ancestor upper case", func(o *Options) { o.FrameAncestors = []string{"https://Portal.example.com"} }, "FrameAncestors[0]"},
		{"ancestor with user", func(o *Options) { o.FrameAncestors = []string{"https://u@portal.example.com"} }, "FrameAncestors[0]"},
		{"trusted origin with query", func(o *Options) { o.TrustedOrigins = []string{"https://portal.example.com?x"} }, "TrustedOrigins[0]"},
		{"host with path", func(o *Options) { o.Hosts = []string{"portal.example.com/x"} }, "Hosts[0]"},
		{"empty host", func(o *Options) { o.Hosts = []string{""} }, "Hosts[0]"},
		{"host with scheme", func(o *Options) { o.Hosts = []string{"https://portal.example.com"} }, "Hosts[0]"},
		{"version with slash", func(o *Options) { o.Version = "1/2" }, "Version"},
		{"version with quote", func(o *Options) { o.Version = `1"` }, "Version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.edit(&o)
			err := o.Validate()
			var oe *OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("Validate() = %v, want an *OptionError", err)
			}
			if oe.Field != tc.field || oe.Rule == "" {
				t.Errorf("Validate() names field %q (rule %q), want %q", oe.Field, oe.Rule, tc.field)
			}
			if !strings.Contains(err.Error(), "Options."+tc.field) {
				t.Errorf("the message %q does not name Options.%s", err, tc.field)
			}
		})
	}
	// Every unusable field is reported at once.
	err := Options{Prefix: "x", Version: "/"}.Validate()
	for _, field := range []string{"Service", "Actor", "Prefix", "Version"} {
		if !strings.Contains(err.Error(), "Options."+field+" ") {
			t.Errorf("Validate() of empty options: %v lacks %s", err, field)
		}
	}
}

func TestHandler_panicsOnUnusableOptions(t *testing.T) {
	defer func() {
		p := recover()
		err, ok := p.(error)
		var oe *OptionError
		if !ok || !errors.As(err, &oe) || oe.Field != "Prefix" {
			t.Errorf("Handler with a bad prefix panicked with %v, want an *OptionError for Prefix", p)
		}
	}()
	Handler(Options{Service: &contacts.Service{}, Actor: func(*http.Request) (contacts.Actor, error) { return contacts.Actor{}, nil }, Prefix: "/bad/"})
}

func TestResolver(t *testing.T) {
	for _, tc := range []struct{ prefix, in, want string }{
		{"/liaison", "/", "/liaison/"},
		{"/liaison", "", "/liaison/"},
		{"/liaison", "/app.js", "/liaison/app.js"},
		{"/liaison", "/web/app.wasm", "/liaison/web/app.wasm"},
		{"/liaison", "/web", "/liaison/web"},
		{"/liaison", "/liaison/contacts", "/liaison/contacts"},
		{"/liaison", "/liaison", "/liaison"},
		{"/liaison", "/liaisonx", "/liaison/liaisonx"},
		{"/liaison", "mailto:a@b.example", "mailto:a@b.example"},
		{"/liaison", "tel:+4930123", "tel:+4930123"},
		{"/liaison", "https://a.example/x", "https://a.example/x"},
		{"/liaison", "//a.example/x", "//a.example/x"},
		{"/liaison", "?org=acme", "?org=acme"},
		{"/liaison", "#top", "#top"},
		{"", "/", "/"},
		{"", "/app.js", "/app.js"},
	} {
		if got := (resolver{prefix: tc.prefix}).Resolve(tc.in); got != tc.want {
			t.Errorf("resolver{%q}.Resolve(%q) = %q, want %q", tc.prefix, tc.in, got, tc.want)
		}
	}
}
