package policy_test

import (
	"testing"
	"time"

	"github.com/liaisonhq/liaison/policy"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    policy.Duration
		wantErr bool
	}{
		{in: "P3M", want: policy.Duration{Months: 3}},
		{in: "P1Y2M3W4DT5H6M7S", want: policy.Duration{1, 2, 3, 4, 5, 6, 7}},
		{in: "PT12H", want: policy.Duration{Hours: 12}},
		{in: "P90D", want: policy.Duration{Days: 90}},
		{in: "", wantErr: true},
		{in: "3M", wantErr: true},
		{in: "P", wantErr: true},
		{in: "PT", wantErr: true},
		{in: "P3MT", wantErr: true},
		{in: "P3", wantErr: true},
		{in: "PM", wantErr: true},
		{in: "P2M1Y", wantErr: true}, // out of order
		{in: "P1H", wantErr: true},   // H belongs after T
		{in: "P1.5M", wantErr: true}, // fractions are not accepted
		{in: "P-1M", wantErr: true},  // no negative parts
		{in: "P1M1M", wantErr: true}, // a designator once
		{in: "P99999999999999999999Y", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := policy.ParseDuration(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseDuration(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseDuration(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if err == nil {
				again, err := policy.ParseDuration(got.String())
				if err != nil || again != got {
					t.Errorf("round trip through %q gave %+v, %v", got.String(), again, err)
				}
			}
		})
	}
}

func TestDuration_AddTo(t *testing.T) {
	jan31 := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		d    string
		want time.Time
	}{
		{"P3M", time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}, // Apr 31 normalises to May 1, as time.AddDate does
		{"P1W", time.Date(2026, 2, 7, 10, 0, 0, 0, time.UTC)},
		{"PT36H", time.Date(2026, 2, 1, 22, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		d, err := policy.ParseDuration(tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.AddTo(jan31); !got.Equal(tt.want) {
			t.Errorf("%s.AddTo(%v) = %v, want %v", tt.d, jan31, got, tt.want)
		}
	}
}
