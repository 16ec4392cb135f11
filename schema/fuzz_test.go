package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/liaisonhq/liaison/policy"
)

// FuzzConfig checks ValidateConfig on any input (RELIABILITY E4, G2):
//   - it never panics, and refuses with well-formed Problems: not empty,
//     sorted, without repeats, each on one line;
//   - what it accepts is a fixed point: marshalled and validated again it
//     yields the same config and the same bytes;
//   - the schema and Go decoding agree: a document the schema accepts
//     decodes strictly, and the Config holds exactly what the document
//     says, no value dropped or changed.
//
// The committed corpus in testdata/fuzz/FuzzConfig holds the hostile seeds
// (bad format values, duplicate and case-variant keys, cyclic roles).
func FuzzConfig(f *testing.F) {
	for _, name := range Presets() {
		data, err := presetJSON(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ValidateConfig(data)
		if err != nil {
			checkProblems(t, err)
		}

		if doc, lexical := readDocument(data); len(lexical) == 0 {
			if ps, _ := schemaProblems(doc); len(ps) == 0 {
				decoded, derr := decodeConfig(data)
				if derr != nil {
					t.Fatalf("the schema accepts a document Go cannot decode: %v", derr)
				}
				checkSameContent(t, doc, decoded)
			}
		}

		if err != nil {
			return
		}
		out, err := json.Marshal(cfg)
		if err != nil {
			t.Fatalf("json.Marshal of an accepted config: %v", err)
		}
		again, err := ValidateConfig(out)
		if err != nil {
			t.Fatalf("ValidateConfig refuses the marshalled form of a config it accepted: %v\n%s", err, out)
		}
		// Empty and absent lists mean the same and marshal the same.
		if diff := cmp.Diff(cfg, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("marshal → validate is not a fixed point (-first +second):\n%s", diff)
		}
		if out2, _ := json.Marshal(again); !bytes.Equal(out, out2) {
			t.Fatalf("marshalled forms differ:\n%s\n%s", out, out2)
		}
	})
}

// checkProblems fails unless err is a well-formed, normalized Problems.
func checkProblems(t *testing.T, err error) {
	t.Helper()
	var ps policy.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v (%T) is not policy.Problems", err, err)
	}
	if len(ps) == 0 {
		t.Fatal("an error with no problems")
	}
	if diff := cmp.Diff(normalize(ps), ps); diff != "" {
		t.Fatalf("problems not sorted or repeated (-normalized +got):\n%s", diff)
	}
	for _, p := range ps {
		if p.Path != "" && !strings.HasPrefix(p.Path, "/") {
			t.Errorf("problem path %q is not a JSON pointer", p.Path)
		}
		if p.Message == "" || strings.ContainsAny(p.Message, "\r\n") {
			t.Errorf("problem %q: a message must be one non-empty line", p)
		}
	}
}

// checkSameContent fails unless cfg, written back as JSON, says what doc
// says: members encoding/json omits must have been zero in doc, the review
// interval may be written differently but must mean the same, and nothing
// else may differ.
func checkSameContent(t *testing.T, doc any, cfg policy.Config) {
	t.Helper()
	out, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var back any
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	for _, d := range contentDiff("", doc, back) {
		t.Errorf("schema and Go decoding disagree: %s", d)
	}
}

func contentDiff(path string, want, got any) []string {
	if path == "/review_interval" {
		w, werr := policy.ParseDuration(fmt.Sprint(want))
		g, gerr := policy.ParseDuration(fmt.Sprint(got))
		if werr != nil || gerr != nil || w != g {
			return []string{fmt.Sprintf("%s: document %v, config %v", path, want, got)}
		}
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: document has an object, config %v", path, got)}
		}
		var diffs []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				if !isZero(wv) {
					diffs = append(diffs, fmt.Sprintf("%s: config dropped %v", path+policy.Pointer(k), wv))
				}
				continue
			}
			diffs = append(diffs, contentDiff(path+policy.Pointer(k), wv, gv)...)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s: config added %v", path+policy.Pointer(k), g[k]))
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: document %v, config %v", path, want, got)}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, contentDiff(path+policy.Pointer(i), w[i], g[i])...)
		}
		return diffs
	case json.Number:
		wn, werr := strconv.ParseInt(string(w), 10, 64)
		gn, gerr := strconv.ParseInt(fmt.Sprint(got), 10, 64)
		if werr != nil || gerr != nil || wn != gn {
			return []string{fmt.Sprintf("%s: document %v, config %v", path, want, got)}
		}
		return nil
	default:
		if want != got {
			return []string{fmt.Sprintf("%s: document %#v, config %#v", path, want, got)}
		}
		return nil
	}
}

func isZero(v any) bool {
	switch v := v.(type) {
	case bool:
		return !v
	case string:
		return v == ""
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		return err == nil && n == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// FuzzRoleGraph builds configs whose roles inherit each other along random
// edges, some to roles that do not exist, and checks ValidateConfig against
// an independent oracle: it accepts exactly the graphs that are acyclic,
// reference only known roles, never inherit upwards or twice, and have one
// top role; a refusal names a cycle or an unknown role when there is one.
func FuzzRoleGraph(f *testing.F) {
	// Bytes: number of roles - 1, ranks - 1, then edges e: role e%n
	// inherits role e/n%(n+1).
	f.Add([]byte{2, 0, 1, 2, 1, 5})       // chain r2 → r1 → r0
	f.Add([]byte{2, 0, 0, 1, 3, 1})       // r0 and r1 inherit each other
	f.Add([]byte{0, 0, 0})                // r0 inherits itself
	f.Add([]byte{1, 0, 1, 5})             // r1 inherits a role that does not exist
	f.Add([]byte{3, 1, 1, 1, 2, 3, 4, 9}) // equal ranks in a chain below the top
	f.Add([]byte{2, 0, 1, 2, 3, 3})       // r0 inherits r1 twice, upwards
	f.Fuzz(func(t *testing.T, b []byte) {
		g := newRoleGraph(b)
		data, err := json.Marshal(g.config())
		if err != nil {
			t.Fatal(err)
		}
		_, verr := ValidateConfig(data)
		fault := g.fault()
		switch {
		case verr == nil && fault != "":
			t.Fatalf("ValidateConfig accepted a graph with a fault (%s): %s", fault, data)
		case verr != nil && fault == "":
			t.Fatalf("ValidateConfig refused a sound graph: %v\n%s", verr, data)
		case verr != nil:
			var ps policy.Problems
			if !errors.As(verr, &ps) {
				t.Fatalf("error %v is not policy.Problems", verr)
			}
			var msgs []string
			for _, p := range ps {
				if !within(p.Path, "/roles") {
					t.Errorf("problem outside /roles: %s", p)
				}
				msgs = append(msgs, p.Message)
			}
			all := strings.Join(msgs, "\n")
			if g.cyclic() && !strings.Contains(all, "inheritance cycle") {
				t.Errorf("cyclic graph refused without naming the cycle: %v", ps)
			}
			if g.unknown() && !strings.Contains(all, "unknown role") {
				t.Errorf("graph with an unknown role refused without naming it: %v", ps)
			}
		}
	})
}

// roleGraph is a small role hierarchy decoded from fuzz bytes: b[0] picks
// the number of roles, the next bytes their ranks, the rest inherits edges.
// An edge to index n points at a role that does not exist.
type roleGraph struct {
	ranks []int
	edges [][]int // edges[i] lists the roles role i inherits, in order
}

func newRoleGraph(b []byte) roleGraph {
	if len(b) == 0 {
		b = []byte{0}
	}
	n := 1 + int(b[0])%6
	b = b[1:]
	g := roleGraph{ranks: make([]int, n), edges: make([][]int, n)}
	for i := range n {
		if i < len(b) {
			g.ranks[i] = 1 + int(b[i])%3
		} else {
			g.ranks[i] = 1 + i
		}
	}
	b = b[min(n, len(b)):]
	for _, e := range b[:min(len(b), 24)] {
		from, to := int(e)%n, int(e)/n%(n+1)
		g.edges[from] = append(g.edges[from], to)
	}
	return g
}

func (g roleGraph) key(i int) string {
	if i == len(g.ranks) {
		return "ghost"
	}
	return "r" + strconv.Itoa(i)
}

func (g roleGraph) config() policy.Config {
	cfg := policy.Default()
	cfg.Roles = nil
	for i, rank := range g.ranks {
		r := policy.Role{Key: g.key(i), Rank: rank}
		for _, to := range g.edges[i] {
			r.Inherits = append(r.Inherits, g.key(to))
		}
		cfg.Roles = append(cfg.Roles, r)
	}
	return cfg
}

func (g roleGraph) unknown() bool {
	for _, es := range g.edges {
		if slices.Contains(es, len(g.ranks)) {
			return true
		}
	}
	return false
}

// cyclic runs Kahn's algorithm over the edges between known roles.
func (g roleGraph) cyclic() bool {
	n := len(g.ranks)
	indeg := make([]int, n)
	for _, es := range g.edges {
		for _, to := range es {
			if to < n {
				indeg[to]++
			}
		}
	}
	var queue []int
	for i, d := range indeg {
		if d == 0 {
			queue = append(queue, i)
		}
	}
	removed := 0
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		removed++
		for _, to := range g.edges[i] {
			if to < n {
				if indeg[to]--; indeg[to] == 0 {
					queue = append(queue, to)
				}
			}
		}
	}
	return removed < n
}

// fault names the first rule the graph breaks, or returns "".
func (g roleGraph) fault() string {
	n := len(g.ranks)
	top := slices.Max(g.ranks)
	tops := 0
	for _, r := range g.ranks {
		if r == top {
			tops++
		}
	}
	switch {
	case tops > 1:
		return "several top roles"
	case g.unknown():
		return "unknown role"
	case g.cyclic():
		return "cycle"
	}
	for i, es := range g.edges {
		for k, to := range es {
			switch {
			case to == i:
				return "inherits itself"
			case to < n && g.ranks[to] > g.ranks[i]:
				return "inherits a higher rank"
			case slices.Index(es, to) < k:
				return "inherits a role twice"
			}
		}
	}
	return ""
}

// TestFuzzConfigCorpus pins what the committed seeds are: the two valid
// ones are accepted, every hostile one refused.
func TestFuzzConfigCorpus(t *testing.T) {
	valid := []string{"valid_minimal", "duration_leading_zeros"}
	entries, err := os.ReadDir("testdata/fuzz/FuzzConfig")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 10 {
		t.Fatalf("only %d seeds in testdata/fuzz/FuzzConfig", len(entries))
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata/fuzz/FuzzConfig", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			header, value, _ := strings.Cut(string(raw), "\n")
			lit, ok := strings.CutPrefix(strings.TrimSpace(value), "[]byte(")
			lit, ok2 := strings.CutSuffix(lit, ")")
			data, err := strconv.Unquote(lit)
			if header != "go test fuzz v1" || !ok || !ok2 || err != nil {
				t.Fatalf("not a go test fuzz v1 file with one []byte value: %q", raw)
			}
			_, verr := ValidateConfig([]byte(data))
			if want := slices.Contains(valid, e.Name()); (verr == nil) != want {
				t.Errorf("ValidateConfig accepted = %v, want %v (err: %v)", verr == nil, want, verr)
			}
		})
	}
}
