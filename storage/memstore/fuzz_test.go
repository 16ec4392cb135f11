package memstore

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/liaisonhq/liaison/contacts"
)

// The files of a data directory are input from outside the process. Open
// must refuse damaged ones with an error, never panic, and a directory it
// accepts must work: take a write, and open again to the same state. The
// f.Add seeds are whole logs and records of the shapes the store writes;
// crashers found by fuzzing go to testdata/fuzz as regressions.

// checkOpen opens dir, whose log holds data, and checks what it can.
func checkOpen(t *testing.T, dir string) {
	s, err := Open(dir)
	if err != nil {
		var ce *CorruptError
		if errors.As(err, &ce) && ce.Path == "" {
			t.Fatalf("a CorruptError without a file: %v", err)
		}
		return
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx contacts.Tx) error {
		return tx.InsertToken(contacts.Token{Hash: "fuzz-after-open", Org: "o"})
	}); err != nil {
		t.Fatalf("Update after Open: %v", err)
	}
	want := dumpLatest(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s2, err := Open(dir)
	if err != nil {
		t.Fatalf("Open accepted the directory, then refused it: %v", err)
	}
	defer s2.Close()
	sameState(t, want, dumpLatest(t, s2))
}

// seedLog returns a log of a few records of every kind of write.
func seedLog(f *testing.F) []byte {
	dir := f.TempDir()
	s, err := Open(dir)
	if err != nil {
		f.Fatal(err)
	}
	newWorkload(7).run(f, s, 12)
	if err := s.Close(); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, logName(1)))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

func FuzzOpen_Log(f *testing.F) {
	data := seedLog(f)
	f.Add(data)
	f.Add(data[:len(data)-7])
	f.Add(data[:frameHeader+3])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, logName(1)), data, 0o600); err != nil {
			t.Fatal(err)
		}
		checkOpen(t, dir)
	})
}

// FuzzOpen_Record frames its input with a valid checksum, after a valid
// header, so that the fuzzer reaches the decoding of records.
func FuzzOpen_Record(f *testing.F) {
	// Each record of a log, unframed.
	data := seedLog(f)
	n := binary.LittleEndian.Uint32(data) // the header's
	for off := frameHeader + int(n); off+frameHeader <= len(data); off += frameHeader + int(n) {
		n = binary.LittleEndian.Uint32(data[off:])
		f.Add(data[off+frameHeader : off+frameHeader+int(n)])
	}
	f.Add([]byte(`{"seq":1,"ops":[{"delete_contact":{"org":"o","id":"x"}}]}`))
	f.Add([]byte(`{"seq":1,"ops":[{"contact":{"org":"o","id":"c"},"group":{"org":"o","id":"g"}}]}`))
	f.Add([]byte(`{"seq":1,"ops":[{"audit":{"before":"e30="}}]}`))
	header := fileHeader{Format: fileFormat, Version: fileVersion, Kind: kindLog, Generation: 1}.frame()
	f.Fuzz(func(t *testing.T, payload []byte) {
		if len(payload) == 0 {
			return
		}
		frame, err := sealFrame(append(make([]byte, frameHeader), payload...))
		if err != nil {
			return
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, logName(1)), append(append([]byte(nil), header...), frame...), 0o600); err != nil {
			t.Fatal(err)
		}
		checkOpen(t, dir)
	})
}
