package memstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// Every data file is a run of frames: a 4-byte little-endian payload
// length, a 4-byte CRC-32C of the length bytes and the payload, then the
// payload. The first frame of a file is its header.
const frameHeader = 8

// maxFrame bounds a frame's payload, and so an Update's writes: 1 GiB of
// JSON.
const maxFrame = 1 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func frameCRC(length, payload []byte) uint32 {
	return crc32.Update(crc32.Checksum(length, castagnoli), castagnoli, payload)
}

// sealFrame fills in the header of frame, whose first frameHeader bytes
// are reserved for it, and returns frame.
func sealFrame(frame []byte) ([]byte, error) {
	n := len(frame) - frameHeader
	if n > maxFrame {
		return nil, fmt.Errorf("memstore: a transaction of %d bytes of JSON is over the log's limit of %d", n, maxFrame)
	}
	binary.LittleEndian.PutUint32(frame[0:4], uint32(n))
	binary.LittleEndian.PutUint32(frame[4:8], frameCRC(frame[0:4], frame[frameHeader:]))
	return frame, nil
}

// errBadFrame is a frame that is cut short or fails its checksum: at the
// end of the newest log, a write the crash tore; anywhere else, corruption.
var errBadFrame = errors.New("bad frame")

// A frameReader reads a file's frames in order.
type frameReader struct {
	r    *bufio.Reader
	off  int64 // where the next frame starts
	size int64 // the file's size
	buf  []byte
}

func newFrameReader(f *os.File) (*frameReader, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return &frameReader{r: bufio.NewReaderSize(f, 1<<20), size: info.Size()}, nil
}

// next returns the payload of the next frame, valid until the next call;
// io.EOF at the end of the file; an error wrapping errBadFrame for a frame
// cut short or failing its checksum, after which the reader is done; or
// the error of a failed read.
func (fr *frameReader) next() ([]byte, error) {
	rest := fr.size - fr.off
	if rest == 0 {
		return nil, io.EOF
	}
	if rest < frameHeader {
		return nil, fmt.Errorf("%w: %d bytes left, too few for a frame header", errBadFrame, rest)
	}
	var h [frameHeader]byte
	if _, err := io.ReadFull(fr.r, h[:]); err != nil {
		return nil, err
	}
	n := int64(binary.LittleEndian.Uint32(h[0:4]))
	if n == 0 || n > rest-frameHeader || n > maxFrame {
		return nil, fmt.Errorf("%w: a length of %d, with %d bytes left", errBadFrame, n, rest-frameHeader)
	}
	if int64(cap(fr.buf)) < n {
		fr.buf = make([]byte, n)
	}
	payload := fr.buf[:n]
	if _, err := io.ReadFull(fr.r, payload); err != nil {
		return nil, err
	}
	if frameCRC(h[0:4], payload) != binary.LittleEndian.Uint32(h[4:8]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errBadFrame)
	}
	fr.off += frameHeader + n
	return payload, nil
}

// validFrameAfter reports whether a valid frame starts anywhere in f after
// offset off: whether a bad frame at off is followed by data that a torn
// write cannot explain. A torn tail is a prefix of frames that were being
// written, or zeros; a frame whose length fits what is left and whose
// checksum matches does not appear in it by chance.
func validFrameAfter(f *os.File, off, size int64) (int64, bool, error) {
	if size-off-1 < frameHeader {
		return 0, false, nil
	}
	tail := make([]byte, size-off-1)
	if _, err := f.ReadAt(tail, off+1); err != nil && err != io.EOF {
		return 0, false, err
	}
	for p := 0; p+frameHeader <= len(tail); p++ {
		n := int(binary.LittleEndian.Uint32(tail[p:]))
		if n == 0 || n > len(tail)-p-frameHeader {
			continue
		}
		if frameCRC(tail[p:p+4], tail[p+frameHeader:p+frameHeader+n]) == binary.LittleEndian.Uint32(tail[p+4:]) {
			return off + 1 + int64(p), true, nil
		}
	}
	return 0, false, nil
}
