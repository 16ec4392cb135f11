package main

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// module assembles a WebAssembly module from (id, payload) sections.
func module(sections ...[]byte) []byte {
	out := []byte("\x00asm\x01\x00\x00\x00")
	for i := 0; i+1 < len(sections); i += 2 {
		out = append(out, sections[i][0])
		out = binary.AppendUvarint(out, uint64(len(sections[i+1])))
		out = append(out, sections[i+1]...)
	}
	return out
}

func str(s string) []byte { return append(binary.AppendUvarint(nil, uint64(len(s))), s...) }

func TestWasmFunctions(t *testing.T) {
	// One imported function (index 0) and two defined ones (1 and 2) of
	// 3 and 5 bytes, named in the "name" section.
	imports := append([]byte{1}, str("gojs")...)
	imports = append(imports, str("runtime.wasmExit")...)
	imports = append(imports, 0, 0) // function of type 0
	code := []byte{2, 3, 0, 0, 0x0b, 5, 0, 0, 0, 0, 0x0b}
	names := []byte{3}
	for i, n := range []string{"gojs.exit", "main.main", "fmt.Println"} {
		names = append(names, byte(i))
		names = append(names, str(n)...)
	}
	custom := append(str("name"), 1)
	custom = binary.AppendUvarint(custom, uint64(len(names)))
	custom = append(custom, names...)
	b := module([]byte{2}, imports, []byte{10}, code, []byte{0}, custom)

	bodies, got, err := wasmFunctions(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 || bodies[0] != 3 || bodies[1] != 5 {
		t.Errorf("bodies %v, want [3 5]", bodies)
	}
	if got[0] != "main.main" || got[1] != "fmt.Println" {
		t.Errorf("names %v, want main.main and fmt.Println for the defined functions", got)
	}
	if _, _, err := wasmFunctions(b[:len(b)-3]); err == nil {
		t.Error("a truncated module reads without error")
	}
	if _, _, err := wasmFunctions([]byte("\x7fELF....")); err == nil {
		t.Error("an ELF file reads as wasm")
	}
}

func TestWasmSymbolPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"runtime": "runtime.",
		"github.com/maxence-charriere/go-app/v10/pkg/app": "github.com_maxence_charriere_go_app_v10_pkg_app.",
		"crypto/internal/fips140/nistec":                  "crypto_internal_fips140_nistec.",
	} {
		if got := wasmSymbolPrefix(in); got != want {
			t.Errorf("wasmSymbolPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzWasmFunctions(f *testing.F) {
	f.Add([]byte("\x00asm\x01\x00\x00\x00"))
	f.Add(module([]byte{10}, []byte{1, 1, 0x0b}))
	f.Add(module([]byte{0}, append(str("name"), 1, 2, 1, 0)))
	// A length near 2^63 once overflowed the section's end to a negative
	// offset.
	f.Add(binary.AppendUvarint([]byte("\x00asm\x01\x00\x00\x00\x00"), 1<<63-3))
	f.Fuzz(func(t *testing.T, b []byte) {
		bodies, _, err := wasmFunctions(b)
		if err == nil && !bytes.HasPrefix(b, []byte("\x00asm")) {
			t.Fatal("accepted a module without the magic number")
		}
		for _, n := range bodies {
			if n < 0 || n > len(b) {
				t.Fatalf("a body of %d bytes in a %d-byte module", n, len(b))
			}
		}
	})
}
