package memstore

import "os"

// TornBytes returns how many bytes at the end of the log at path are not
// whole, valid frames: what Open would cut off as a torn record.
func TornBytes(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fr, err := newFrameReader(f)
	if err != nil {
		return 0, err
	}
	for {
		if _, err := fr.next(); err != nil {
			return fr.size - fr.off, nil
		}
	}
}

// TearLog appends to the log at path the first cut bytes of a copy of its
// last frame (fewer than the frame has), as if the crash had come while the
// next record was being written, and a power cut had left part of it. It
// reports false, changing nothing, when the log has no whole frame.
func TearLog(path string, cut func(n int) int) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	fr, err := newFrameReader(f)
	if err != nil {
		return false, err
	}
	var last, off int64
	for {
		start := fr.off
		if _, err := fr.next(); err != nil {
			break
		}
		last, off = start, fr.off
	}
	if off == 0 {
		return false, nil
	}
	frame := make([]byte, off-last)
	if _, err := f.ReadAt(frame, last); err != nil {
		return false, err
	}
	_, err = f.Write(frame[:cut(len(frame))]) // O_APPEND: at the end
	return err == nil, err
}

// IndexSize returns how many keys the contact index holds by ID and by
// address, and how many versions in all.
func IndexSize(s *Store) (ids, emails, versions int) {
	ids, v1 := s.index.byID.entries()
	emails, v2 := s.index.byEmail.entries()
	return ids, emails, v1 + v2
}
