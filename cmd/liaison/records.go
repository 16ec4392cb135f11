package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/liaisonhq/liaison/contacts"
	"github.com/liaisonhq/liaison/schema"
)

// A fileFormat is a format of import and export files.
type fileFormat string

// The file formats.
const (
	formatCSV   fileFormat = "csv"   // as spreadsheets write it; see readCSV
	formatJSONL fileFormat = "jsonl" // JSON Lines, one contact record a line
)

// formatOf returns the format a file name's extension names.
func formatOf(name string) (fileFormat, bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return formatCSV, true
	case ".jsonl":
		return formatJSONL, true
	}
	return "", false
}

// utf8BOM starts the CSV files spreadsheets write, and the ones export
// writes so that spreadsheets read them as UTF-8.
const utf8BOM = "\uFEFF"

// A row is one contact read from an import file.
type row struct {
	line int // the line of the file the record starts on, from 1
	rec  schema.ContactRecord
}

// A problem is one thing wrong with an import file.
type problem struct {
	line  int
	field string // the member at fault, such as "email"; empty for a whole record or the file
	msg   string
}

// String formats the problem as "line N: field: message", or "line N:
// message" when it concerns no one field.
func (p problem) String() string {
	if p.field == "" {
		return "line " + strconv.Itoa(p.line) + ": " + p.msg
	}
	return "line " + strconv.Itoa(p.line) + ": " + p.field + ": " + p.msg
}

// An importFile is what an import file holds: the records that passed the
// format checks, and the problems of the others.
type importFile struct {
	rows     []row
	problems []problem
	// ignored lists the read-only members (schema.ContactReadOnlyFields)
	// that held a value somewhere: an exported file carries them, and
	// import does not set them.
	ignored []string
}

// readImport reads an import file in format f.
func readImport(f fileFormat, data []byte) importFile {
	if f == formatJSONL {
		return readJSONL(data)
	}
	return readCSV(data)
}

// recordProblems turns the problems of the record starting on line into
// problems of the file.
func recordProblems(line int, err error) []problem {
	var ps schema.ContactProblems
	if !errors.As(err, &ps) {
		return []problem{{line: line, msg: err.Error()}}
	}
	out := make([]problem, len(ps))
	for i, p := range ps {
		out[i] = problem{line: line, field: fieldOf(p.Path), msg: p.Message}
	}
	return out
}

// fieldOf shows a JSON pointer into a record as a field name, such as
// "email" or "roles/1"; a name that would not print plainly is quoted.
func fieldOf(pointer string) string {
	if pointer == "" {
		return ""
	}
	tokens := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	f := strings.Join(tokens, "/")
	if f == "" || strings.ContainsFunc(f, func(r rune) bool { return !unicode.IsGraphic(r) || r == ':' || r == ' ' }) {
		return strconv.Quote(f)
	}
	return f
}

// noteIgnored records that member name held a value.
func (f *importFile) noteIgnored(name string) {
	if !slices.Contains(f.ignored, name) {
		f.ignored = append(f.ignored, name)
	}
}

// sortIgnored puts the ignored members in the order files show them.
func (f *importFile) sortIgnored() {
	order := schema.ContactReadOnlyFields()
	slices.SortFunc(f.ignored, func(a, b string) int {
		return slices.Index(order, a) - slices.Index(order, b)
	})
}

// tooMany is the problem of a file holding more records than one import
// may.
func tooMany(line int) problem {
	return problem{line: line, msg: fmt.Sprintf("the file holds more than %d records, the most one import takes; split it", contacts.MaxImportRows)}
}

// readJSONL reads JSON Lines: one contact record a line, each checked
// against contact.schema.json with schema.ParseContact. Lines holding only
// white space are skipped; lines may end in CRLF; a UTF-8 byte order mark
// at the start is skipped.
func readJSONL(data []byte) importFile {
	var f importFile
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	records := 0
	for n := 1; len(data) > 0; n++ {
		var text []byte
		text, data, _ = bytes.Cut(data, []byte{'\n'})
		text = bytes.TrimSuffix(text, []byte{'\r'})
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		if records++; records > contacts.MaxImportRows {
			f.problems = append(f.problems, tooMany(n))
			break
		}
		rec, err := schema.ParseContact(text)
		if err != nil {
			f.problems = append(f.problems, recordProblems(n, err)...)
			continue
		}
		if rec.ID != "" {
			f.noteIgnored("id")
		}
		if len(rec.Roles) > 0 {
			f.noteIgnored("roles")
		}
		if len(rec.Groups) > 0 {
			f.noteIgnored("groups")
		}
		if rec.Verification != "" {
			f.noteIgnored("verification")
		}
		if rec.Status != "" {
			f.noteIgnored("status")
		}
		f.rows = append(f.rows, row{line: n, rec: rec})
	}
	f.sortIgnored()
	return f
}

// readCSV reads CSV as spreadsheets write it (RFC 4180): an optional UTF-8
// byte order mark, then a header row naming the columns, matched without
// regard to case, then one contact a row. Fields may be quoted, and quoted
// fields may hold commas, quotes (doubled) and line breaks; lines end in
// CRLF or LF; blank lines are skipped. A file whose header holds
// semicolons and no commas is read with semicolons between fields, as
// spreadsheets set to many European locales write it. Cells are trimmed of
// surrounding white space, an empty cell is an absent value, and a cell
// that export guarded against formula injection has its guard removed
// (see guardCell).
//
// A problem names the line the record starts on, which for a record after
// a multi-line field is not its ordinal.
func readCSV(data []byte) importFile {
	var f importFile
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if line, ok := invalidUTF8(data); !ok {
		// Spreadsheets save "CSV" in a legacy code page unless told
		// otherwise; guessing which would be guessing names.
		f.problems = append(f.problems, problem{line: line, msg: `is not UTF-8 text; save the file as "CSV UTF-8"`})
		return f
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffComma(data)
	// FieldsPerRecord 0: the header sets the count every row must have.

	header, err := r.Read()
	if err == io.EOF {
		f.problems = append(f.problems, problem{line: 1, msg: "the file is empty; its first line must name the columns, such as name,email"})
		return f
	}
	if err != nil {
		f.problems = append(f.problems, csvProblem(err))
		return f
	}
	headerLine, _ := r.FieldPos(0)
	columns, ps := readHeader(headerLine, header)
	if len(ps) > 0 {
		f.problems = append(f.problems, ps...)
		return f
	}

	for records := 0; ; {
		cells, err := r.Read()
		if err == io.EOF {
			break
		}
		var line int
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			line = pe.StartLine
		} else {
			line, _ = r.FieldPos(0)
		}
		if records++; records > contacts.MaxImportRows {
			f.problems = append(f.problems, tooMany(line))
			break
		}
		if errors.Is(err, csv.ErrFieldCount) {
			f.problems = append(f.problems, problem{line: line, msg: fmt.Sprintf("has %d fields, but the header names %d columns", len(cells), len(columns))})
			continue
		}
		if err != nil {
			f.problems = append(f.problems, csvProblem(err))
			continue
		}
		fields := make(map[string]string, len(columns))
		for i, name := range columns {
			v := unguardCell(strings.TrimSpace(cells[i]))
			fields[name] = v
			if v != "" && slices.Contains(schema.ContactReadOnlyFields(), name) {
				f.noteIgnored(name)
			}
		}
		rec, err := schema.ContactFromText(fields)
		if err != nil {
			f.problems = append(f.problems, recordProblems(line, err)...)
			continue
		}
		f.rows = append(f.rows, row{line: line, rec: rec})
	}
	f.sortIgnored()
	return f
}

// invalidUTF8 reports whether data is valid UTF-8, and if not, the line
// of the first byte that is not.
func invalidUTF8(data []byte) (line int, ok bool) {
	if utf8.Valid(data) {
		return 0, true
	}
	off := 0
	for off < len(data) {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return 1 + bytes.Count(data[:off], []byte{'\n'}), false
}

// sniffComma returns the field separator of a CSV file: ';' when its first
// line has semicolons and no commas, else ','.
func sniffComma(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte{'\n'})
	if bytes.IndexByte(first, ',') < 0 && bytes.IndexByte(first, ';') >= 0 {
		return ';'
	}
	return ','
}

// csvProblem turns an error of csv.Reader into a problem of the record it
// was reading.
func csvProblem(err error) problem {
	pe, ok := errors.AsType[*csv.ParseError](err)
	if !ok {
		return problem{line: 1, msg: "cannot read: " + err.Error()}
	}
	where := fmt.Sprintf("at column %d", pe.Column)
	if pe.Line != pe.StartLine {
		where = fmt.Sprintf("on line %d, column %d", pe.Line, pe.Column)
	}
	return problem{line: pe.StartLine, msg: fmt.Sprintf("malformed CSV %s: %v", where, pe.Err)}
}

// readHeader matches the header's cells to contact record members: each
// must name one, without regard to case and surrounding space, at most
// once, and the required ones must be there.
func readHeader(line int, header []string) (columns []string, ps []problem) {
	known := append(schema.ContactFields(), schema.ContactReadOnlyFields()...)
	seen := make(map[string]bool, len(header))
	for i, cell := range header {
		cell = strings.TrimSpace(cell)
		j := slices.IndexFunc(known, func(k string) bool { return strings.EqualFold(k, cell) })
		switch {
		case cell == "":
			ps = append(ps, problem{line: line, msg: fmt.Sprintf("column %d has no name; the columns are %s", i+1, strings.Join(known, ", "))})
		case j < 0:
			ps = append(ps, problem{line: line, msg: fmt.Sprintf("unknown column %s; the columns are %s", strconv.Quote(cell), strings.Join(known, ", "))})
		case seen[known[j]]:
			ps = append(ps, problem{line: line, msg: fmt.Sprintf("column %s appears more than once", strconv.Quote(known[j]))})
		default:
			seen[known[j]] = true
			columns = append(columns, known[j])
		}
	}
	for _, name := range []string{"name", "email"} {
		if !seen[name] {
			ps = append(ps, problem{line: line, msg: fmt.Sprintf("the required column %q is missing", name)})
		}
	}
	return columns, ps
}

// formulaStart holds the characters that make a spreadsheet read a cell
// as a formula (OWASP, "CSV Injection").
const formulaStart = "=+-@\t\r"

// guarded reports whether s, stripped of leading apostrophes, starts a
// formula: such a cell is written with one more apostrophe in front.
func guarded(s string) bool {
	t := strings.TrimLeft(s, "'")
	return t != "" && strings.IndexByte(formulaStart, t[0]) >= 0
}

// guardCell returns s as an exported cell: a value a spreadsheet would run
// as a formula, such as "=HYPERLINK(…)" or a phone number "+4930…", gets a
// leading apostrophe, which spreadsheets read as "this is text" and do not
// show. unguardCell undoes it exactly, so an exported file imports again
// unchanged; an apostrophe a person typed before a formula character, as
// spreadsheet users do to enter "+41…" as text, is dropped too.
func guardCell(s string) string {
	if guarded(s) {
		return "'" + s
	}
	return s
}

// unguardCell undoes guardCell.
func unguardCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && guarded(s[1:]) {
		return s[1:]
	}
	return s
}

// recordOf returns the export record of a stored contact.
func recordOf(c contacts.Contact) schema.ContactRecord {
	return schema.ContactRecord{
		Name:         c.Name,
		Email:        c.Email,
		Language:     c.Language,
		Phone:        c.Phone,
		Title:        c.Title,
		Kind:         string(c.Kind),
		Availability: string(c.Availability),
		ID:           c.ID,
		Roles:        slices.Clone(c.Roles),
		Groups:       slices.Clone(c.Groups),
		Verification: string(c.Verification),
		Status:       string(c.Status),
	}
}

// newContact returns the service's input for an imported record; the
// read-only members are left out.
func newContact(r schema.ContactRecord) contacts.NewContact {
	return contacts.NewContact{
		Name:         r.Name,
		Email:        r.Email,
		Language:     r.Language,
		Phone:        r.Phone,
		PhoneRegion:  r.PhoneRegion,
		Title:        r.Title,
		Kind:         contacts.Kind(r.Kind),
		Availability: contacts.Availability(r.Availability),
	}
}

// A recordWriter writes contact records to an export file.
type recordWriter interface {
	Write(schema.ContactRecord) error
	// Close writes what is buffered; it does not close the destination.
	Close() error
}

// newRecordWriter returns a writer of format f to w, having written what
// comes before the first record.
func newRecordWriter(f fileFormat, w io.Writer) (recordWriter, error) {
	if f == formatJSONL {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return jsonlWriter{enc}, nil
	}
	return newCSVWriter(w)
}

// jsonlWriter writes one record a line, members in schema order.
type jsonlWriter struct{ enc *json.Encoder }

func (j jsonlWriter) Write(r schema.ContactRecord) error { return j.enc.Encode(r) }
func (j jsonlWriter) Close() error                       { return nil }

// csvWriter writes CSV for spreadsheets: a UTF-8 byte order mark, a header
// row, CRLF line ends, fields quoted where needed, cells guarded against
// formula injection, lists joined by semicolons.
type csvWriter struct {
	w       *csv.Writer
	columns []string
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return nil, err
	}
	c := &csvWriter{w: csv.NewWriter(w), columns: append(schema.ContactFields(), schema.ContactReadOnlyFields()...)}
	c.w.UseCRLF = true
	return c, c.w.Write(c.columns)
}

func (c *csvWriter) Write(r schema.ContactRecord) error {
	values := map[string]string{
		"name":         r.Name,
		"email":        r.Email,
		"language":     r.Language,
		"phone":        r.Phone,
		"phone_region": r.PhoneRegion,
		"title":        r.Title,
		"kind":         r.Kind,
		"availability": r.Availability,
		"id":           r.ID,
		"roles":        strings.Join(r.Roles, schema.ContactListSeparator),
		"groups":       strings.Join(r.Groups, schema.ContactListSeparator),
		"verification": r.Verification,
		"status":       r.Status,
	}
	cells := make([]string, len(c.columns))
	for i, name := range c.columns {
		cells[i] = guardCell(values[name])
	}
	return c.w.Write(cells)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}
