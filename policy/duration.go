package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is an ISO 8601 duration such as "P3M" or "P1Y2M10DT2H30M". Years,
// months and days are calendar units, so a Duration is applied to a time with
// [Duration.AddTo] rather than converted to a [time.Duration].
type Duration struct {
	Years, Months, Weeks, Days, Hours, Minutes, Seconds int
}

const maxDurationPart = 1_000_000

// ParseDuration parses an ISO 8601 duration with whole-number parts. The
// alternative format and fractions are not accepted.
func ParseDuration(s string) (Duration, error) {
	var d Duration
	rest, ok := strings.CutPrefix(s, "P")
	if !ok {
		return d, fmt.Errorf("duration %q: must start with P (ISO 8601, such as P3M)", s)
	}
	if rest == "" || rest == "T" || strings.HasSuffix(rest, "T") {
		return d, fmt.Errorf("duration %q: has no parts", s)
	}
	datePart, timePart, hasTime := strings.Cut(rest, "T")
	order := "YMWD"
	if err := d.parseParts(s, datePart, order, []*int{&d.Years, &d.Months, &d.Weeks, &d.Days}); err != nil {
		return Duration{}, err
	}
	if hasTime {
		if err := d.parseParts(s, timePart, "HMS", []*int{&d.Hours, &d.Minutes, &d.Seconds}); err != nil {
			return Duration{}, err
		}
	}
	return d, nil
}

func (d *Duration) parseParts(full, part, designators string, fields []*int) error {
	next := 0 // index of the first designator still allowed, to keep order
	for part != "" {
		i := strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return fmt.Errorf("duration %q: expected a number before each designator", full)
		}
		n, err := strconv.Atoi(part[:i])
		if err != nil || n > maxDurationPart {
			return fmt.Errorf("duration %q: number %q out of range", full, part[:i])
		}
		k := strings.IndexByte(designators[next:], part[i])
		if k < 0 {
			return fmt.Errorf("duration %q: unexpected or out-of-order designator %q", full, part[i])
		}
		*fields[next+k] = n
		next += k + 1
		part = part[i+1:]
	}
	return nil
}

// IsZero reports whether every part is zero.
func (d Duration) IsZero() bool { return d == Duration{} }

// AddTo returns t moved forward by d, with calendar arithmetic for years,
// months, weeks and days.
func (d Duration) AddTo(t time.Time) time.Time {
	t = t.AddDate(d.Years, d.Months, d.Weeks*7+d.Days)
	return t.Add(time.Duration(d.Hours)*time.Hour + time.Duration(d.Minutes)*time.Minute + time.Duration(d.Seconds)*time.Second)
}

// String formats d in ISO 8601; the zero duration is "P0D".
func (d Duration) String() string {
	if d.IsZero() {
		return "P0D"
	}
	var b strings.Builder
	b.WriteByte('P')
	for _, p := range []struct {
		n int
		c byte
	}{{d.Years, 'Y'}, {d.Months, 'M'}, {d.Weeks, 'W'}, {d.Days, 'D'}} {
		if p.n != 0 {
			b.WriteString(strconv.Itoa(p.n))
			b.WriteByte(p.c)
		}
	}
	if d.Hours != 0 || d.Minutes != 0 || d.Seconds != 0 {
		b.WriteByte('T')
		for _, p := range []struct {
			n int
			c byte
		}{{d.Hours, 'H'}, {d.Minutes, 'M'}, {d.Seconds, 'S'}} {
			if p.n != 0 {
				b.WriteString(strconv.Itoa(p.n))
				b.WriteByte(p.c)
			}
		}
	}
	return b.String()
}

// MarshalText encodes d in ISO 8601.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes an ISO 8601 duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
