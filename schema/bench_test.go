package schema

import "testing"

func BenchmarkValidateConfig(b *testing.B) {
	data, err := presetJSON("default")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ValidateConfig(data); err != nil {
			b.Fatal(err)
		}
	}
}
