package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/liaisonhq/liaison/widget/internal/wasmbuild"
)

// reportSizes builds the client with its function names kept (without -s,
// otherwise as shipped) and writes the code size of the top packages to w:
// what to trim when the wasm outgrows its budget. `go tool nm` does not
// read wasm, so this reads the module's code and name sections itself.
func reportSizes(ctx context.Context, goBin string, top int, w io.Writer) error {
	tmp, err := os.MkdirTemp("", "liaison-wasm-sizes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "app.wasm")
	if err := wasmbuild.BuildWith(ctx, goBin, ".", out, "-trimpath", "-ldflags=-w", wasmbuild.GCFlags); err != nil {
		return fmt.Errorf("building the client with names: %w", err)
	}
	pkgs, err := wasmbuild.Deps(ctx, goBin, ".")
	if err != nil {
		return fmt.Errorf("listing the client's packages: %w", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	bodies, names, err := wasmFunctions(b)
	if err != nil {
		return err
	}
	// Go names a function "<package path with / as _>.<name>".
	sort.Slice(pkgs, func(i, j int) bool { return len(pkgs[i]) > len(pkgs[j]) })
	sizes := map[string]int{}
	total := 0
	for i, size := range bodies {
		total += size
		name, pkg := names[i], "(other)"
		for _, p := range pkgs {
			if strings.HasPrefix(name, wasmSymbolPrefix(p)) {
				pkg = p
				break
			}
		}
		sizes[pkg] += size
	}
	var order []string
	for p := range sizes {
		order = append(order, p)
	}
	sort.Slice(order, func(i, j int) bool { return sizes[order[i]] > sizes[order[j]] })
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "code: %d bytes in %d functions (raw wasm with names: %d bytes)\n", total, len(bodies), len(b))
	for i, p := range order {
		if i == top {
			break
		}
		fmt.Fprintf(bw, "%9d  %s\n", sizes[p], p)
	}
	return bw.Flush()
}

// wasmFunctions returns the body size of each function a WebAssembly
// module defines and, by the same index, its name from the "name"
// section.
func wasmFunctions(b []byte) (bodies []int, names map[int]string, err error) {
	if len(b) < 8 || !bytes.Equal(b[:4], []byte("\x00asm")) {
		return nil, nil, errors.New("not a WebAssembly module")
	}
	r := &reader{b: b, i: 8}
	imported := 0
	byIndex := map[int]string{}
	for r.i < len(b) && r.err == nil {
		id := r.byte()
		end := r.size() + r.i
		switch id {
		case 2: // imports: function imports take the first indexes
			for n := r.uint(); n > 0 && r.err == nil; n-- {
				r.skip(r.size()) // module
				r.skip(r.size()) // field
				kind := r.byte()
				switch kind {
				case 0: // function: type index
					imported++
					r.uint()
				case 1: // table: element type, limits
					r.byte()
					r.limits()
				case 2: // memory: limits
					r.limits()
				case 3: // global: value type, mutability
					r.skip(2)
				}
			}
		case 10: // code
			for n := r.uint(); n > 0 && r.err == nil; n-- {
				l := r.size()
				bodies = append(bodies, l)
				r.skip(l)
			}
		case 0: // custom
			name := string(r.bytes(r.size()))
			for name == "name" && r.i < end && r.err == nil {
				sub := r.byte()
				subEnd := r.size() + r.i
				if sub == 1 { // function names
					for n := r.uint(); n > 0 && r.err == nil; n-- {
						idx := int(r.uint())
						byIndex[idx] = string(r.bytes(r.size()))
					}
				}
				r.i = subEnd
			}
		}
		r.i = end
	}
	if r.err != nil {
		return nil, nil, r.err
	}
	names = map[int]string{}
	for idx, name := range byIndex {
		names[idx-imported] = name
	}
	return bodies, names, nil
}

// reader reads WebAssembly's binary encoding; the first error sticks.
type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) byte() byte {
	if r.err != nil || r.i >= len(r.b) {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *reader) uint() uint64 {
	if r.err != nil || r.i >= len(r.b) {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	v, n := binary.Uvarint(r.b[r.i:])
	if n <= 0 {
		r.err = errors.New("malformed LEB128 integer")
		return 0
	}
	r.i += n
	return v
}

// size reads a length, which must fit in what is left of the module.
func (r *reader) size() int {
	v := r.uint()
	if r.err == nil && v > uint64(len(r.b)-r.i) {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	return int(v)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || r.i+n > len(r.b) {
		r.err = io.ErrUnexpectedEOF
		return nil
	}
	r.i += n
	return r.b[r.i-n : r.i]
}

func (r *reader) skip(n int) { r.bytes(n) }

func (r *reader) limits() {
	if r.byte()&1 == 1 {
		r.uint()
	}
	r.uint()
}

// wasmSymbolPrefix is how the linker starts the names of a package's
// functions in the wasm: its path with every byte but letters, digits and
// "." as "_", then ".".
func wasmSymbolPrefix(path string) string {
	b := []byte(path)
	for i, c := range b {
		if !(c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '_'
		}
	}
	return string(b) + "."
}
