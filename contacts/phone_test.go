package contacts

import (
	"strings"
	"sync"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		region  string
		want    string
		wantErr string
		reason  string
	}{
		{name: "E.164", input: "+16502530000", want: "+16502530000"},
		{name: "international with punctuation", input: "+1 (650) 253-0000", want: "+16502530000"},
		{name: "international ignores region", input: "+41 44 668 18 00", region: "US", want: "+41446681800"},
		{name: "US national", input: "(650) 253-0000", region: "US", want: "+16502530000"},
		{name: "region lower case", input: "650 253 0000", region: "us", want: "+16502530000"},
		{name: "CH national with trunk prefix", input: "044 668 18 00", region: "CH", want: "+41446681800"},
		{name: "GB national", input: "020 7031 3000", region: "GB", want: "+442070313000"},
		{name: "DE national", input: "030 901820", region: "DE", want: "+4930901820"},
		{name: "BR mobile", input: "(11) 96123-4567", region: "BR", want: "+5511961234567"},
		{name: "IT keeps leading zero", input: "02 1234 5678", region: "IT", want: "+390212345678", reason: "Italian fixed lines keep the 0 after the country code"},
		{name: "international call prefix", input: "00 41 44 668 18 00", region: "DE", want: "+41446681800"},
		{name: "surrounding space", input: "  +1 650 253 0000  ", want: "+16502530000"},

		{name: "empty", input: "", wantErr: "must not be empty"},
		{name: "blank", input: "   ", region: "US", wantErr: "must not be empty"},
		{name: "too long", input: "+1 650 253 0000" + strings.Repeat(" ", 50), wantErr: "phone number longer than 64 bytes"},
		{name: "national without region", input: "(650) 253-0000", wantErr: "must start with + and a country code when no region is given"},
		{name: "unknown region", input: "650 253 0000", region: "XX", wantErr: "region must be an ISO 3166-1 alpha-2 code with a numbering plan"},
		{name: "unknown-region code", input: "650 253 0000", region: "ZZ", wantErr: "region must be an ISO 3166-1 alpha-2 code with a numbering plan"},
		{name: "alpha-3 region", input: "650 253 0000", region: "USA", wantErr: "region must be an ISO 3166-1 alpha-2 code with a numbering plan"},
		{name: "not a number", input: "hello", region: "US", wantErr: "must be a phone number"},
		{name: "unassigned country code", input: "+999 1234 5678", wantErr: "must be a phone number"},
		{name: "too short", input: "+1 650", wantErr: "must be a valid phone number for its region"},
		{name: "invalid US area code", input: "+1 111 253 0000", wantErr: "must be a valid phone number for its region"},
		{name: "too many digits", input: "+1 650 253 0000 1234 5678", wantErr: "must be a phone number"},
		{name: "extension", input: "+1 650 253 0000 ext. 123", wantErr: "must not have an extension", reason: "E.164 cannot hold it"},
		{name: "RFC 3966 without region", input: "tel:+1-650-253-0000", wantErr: "must start with + and a country code when no region is given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePhone(tt.input, tt.region)
			checkNormalized(t, got, err, tt.want, tt.wantErr)
			if tt.wantErr != "" {
				return
			}
			for _, region := range []string{"", tt.region, "JP"} {
				again, err := NormalizePhone(got, region)
				if err != nil || again != got {
					t.Errorf("NormalizePhone(%q, %q) = (%q, %v), want it unchanged", got, region, again, err)
				}
			}
		})
	}
}

func BenchmarkNormalizePhone(b *testing.B) {
	for _, bm := range []struct{ name, input, region string }{
		{"E.164", "+41446681800", ""},
		{"national", "(650) 253-0000", "US"},
		{"rejected", "+1 111 253 0000", ""},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = NormalizePhone(bm.input, bm.region)
			}
		})
	}
}

// TestNormalizePhoneConcurrent gives the race detector concurrent calls to
// look at: phonenumbers keeps shared caches of compiled patterns.
func TestNormalizePhoneConcurrent(t *testing.T) {
	inputs := []struct{ s, region string }{
		{"+41 44 668 18 00", ""}, {"(650) 253-0000", "US"}, {"02 1234 5678", "IT"},
		{"(11) 96123-4567", "BR"}, {"030 901820", "DE"}, {"020 7031 3000", "GB"},
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				in := inputs[(i+j)%len(inputs)]
				if _, err := NormalizePhone(in.s, in.region); err != nil {
					t.Errorf("NormalizePhone(%q, %q): %v", in.s, in.region, err)
				}
			}
		})
	}
	wg.Wait()
}
