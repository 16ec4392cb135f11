// Command gen writes the widget's generated artifacts into widget/web: the
// WebAssembly client built reproducibly (see package wasmbuild) and
// compressed with gzip and brotli, the wasm_exec.js of the toolchain that
// built it, the PNG icons, and manifest.json describing them. Run it with
// `make widget` (or `go generate ./widget`); commit what it writes.
//
// With -sizes n it writes nothing and prints the code size of the client's
// n largest packages instead, for when the wasm outgrows its budget:
//
//	go run ./widget/internal/gen -sizes 20
//
// It is the only importer of github.com/andybalholm/brotli, so the server
// never links an encoder.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/andybalholm/brotli"
	"github.com/liaisonhq/liaison/widget/internal/wasmbuild"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("widget/internal/gen: ")
	out := flag.String("out", "web", "directory to write the artifacts into")
	sizes := flag.Int("sizes", 0, "instead of generating, print the code size of the client's `n` largest packages")
	flag.Parse()
	var err error
	if *sizes > 0 {
		err = runSizes(context.Background(), *sizes)
	} else {
		err = run(context.Background(), *out)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func runSizes(ctx context.Context, top int) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is needed to build the wasm: %w", err)
	}
	return reportSizes(ctx, goBin, top, os.Stdout)
}

func run(ctx context.Context, out string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is needed to build the wasm: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "liaison-wasm-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	wasmPath := filepath.Join(tmp, "app.wasm")
	if err := wasmbuild.Build(ctx, goBin, ".", wasmPath); err != nil {
		return err
	}
	raw, err := os.ReadFile(wasmPath)
	if err != nil {
		return err
	}
	version, err := wasmbuild.GoEnv(ctx, goBin, ".", "GOVERSION")
	if err != nil {
		return err
	}
	goroot, err := wasmbuild.GoEnv(ctx, goBin, ".", "GOROOT")
	if err != nil {
		return err
	}
	execJS, err := os.ReadFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return fmt.Errorf("the toolchain's wasm_exec.js: %w", err)
	}

	gz, err := gzipBest(raw)
	if err != nil {
		return err
	}
	br, err := brotliBest(raw)
	if err != nil {
		return err
	}

	m := wasmbuild.Manifest{
		Go:         version,
		Command:    wasmbuild.Command,
		Wasm:       artifact("app.wasm", raw),
		Gzip:       artifact("app.wasm.gz", gz),
		Brotli:     artifact("app.wasm.br", br),
		WasmExecJS: artifact("wasm_exec.js", execJS),
	}
	files := map[string][]byte{
		m.Gzip.File:       gz,
		m.Brotli.File:     br,
		m.WasmExecJS.File: execJS,
	}
	for _, size := range []int{192, 512} {
		icon, err := iconPNG(size)
		if err != nil {
			return err
		}
		files[fmt.Sprintf("icon-%d.png", size)] = icon
	}
	manifest, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return err
	}
	files["manifest.json"] = append(manifest, '\n')
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	log.Printf("%s: wasm %d bytes, gzip %d, brotli %d (built with %s)", out, m.Wasm.Size, m.Gzip.Size, m.Brotli.Size, version)
	return nil
}

func artifact(name string, b []byte) wasmbuild.Artifact {
	sum := sha256.Sum256(b)
	return wasmbuild.Artifact{File: name, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
}

// gzipBest compresses b at gzip's best level, with an empty header (no
// name, no time) so the output depends on b alone.
func gzipBest(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// brotliBest compresses b at brotli's best quality with the largest window
// browsers accept (2^24), then decodes the result to check it round-trips.
func brotliBest(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	back, err := io.ReadAll(brotli.NewReader(bytes.NewReader(buf.Bytes())))
	if err != nil {
		return nil, fmt.Errorf("brotli round trip: %w", err)
	}
	if !bytes.Equal(back, b) {
		return nil, errors.New("brotli round trip: decoded bytes differ from the wasm")
	}
	return buf.Bytes(), nil
}

// iconPNG draws the widget's icon, the same picture as widget/static/
// icon.svg: a white ring on a blue square, anti-aliased by 4×4
// supersampling.
func iconPNG(size int) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	bg := color.NRGBA{0x1f, 0x4e, 0x79, 0xff}
	const samples = 4
	c := float64(size) / 2
	outer, inner := 0.34*float64(size), 0.22*float64(size)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			hits := 0
			for sy := 0; sy < samples; sy++ {
				for sx := 0; sx < samples; sx++ {
					dx := float64(x) + (float64(sx)+0.5)/samples - c
					dy := float64(y) + (float64(sy)+0.5)/samples - c
					if d := dx*dx + dy*dy; d <= outer*outer && d >= inner*inner {
						hits++
					}
				}
			}
			a := float64(hits) / samples / samples
			mix := func(from uint8) uint8 { return uint8(float64(from)*(1-a) + 255*a + 0.5) }
			img.SetNRGBA(x, y, color.NRGBA{mix(bg.R), mix(bg.G), mix(bg.B), 0xff})
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
