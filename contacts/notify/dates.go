package notify

import (
	"fmt"
	"strconv"
	"time"

	"golang.org/x/text/language"
)

// dateLayouts are the forms a date in a message's Data may take.
const (
	dateOnly = time.DateOnly // "2006-01-02"
	instant  = time.RFC3339  // also accepts fractional seconds
)

// A dateStyle writes dates the way one language does.
type dateStyle struct {
	months [12]string
	// date writes day d of month m in year y.
	date func(d int, m string, y int) string
	// at joins a date, a clock time ("15:04") and a zone ("UTC").
	at func(date, clock, zone string) string
}

var dateStyles = map[language.Tag]dateStyle{
	language.English: {
		months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		date:   func(d int, m string, y int) string { return fmt.Sprintf("%d %s %d", d, m, y) },
		at:     func(date, clock, zone string) string { return date + " at " + clock + " " + zone },
	},
	language.BrazilianPortuguese: {
		months: [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		date: func(d int, m string, y int) string {
			day := strconv.Itoa(d)
			if d == 1 {
				day = "1º" // the first of the month is written as an ordinal
			}
			return fmt.Sprintf("%s de %s de %d", day, m, y)
		},
		at: func(date, clock, zone string) string { return date + ", às " + clock + " " + zone },
	},
	language.Spanish: {
		months: [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		date:   func(d int, m string, y int) string { return fmt.Sprintf("%d de %s de %d", d, m, y) },
		at:     func(date, clock, zone string) string { return date + ", a las " + clock + " " + zone },
	},
	language.French: {
		months: [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		date: func(d int, m string, y int) string {
			day := strconv.Itoa(d)
			if d == 1 {
				day = "1er" // the first of the month is written as an ordinal
			}
			return fmt.Sprintf("%s %s %d", day, m, y)
		},
		at: func(date, clock, zone string) string { return date + " à " + clock + " " + zone },
	},
	language.German: {
		months: [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		date:   func(d int, m string, y int) string { return fmt.Sprintf("%d. %s %d", d, m, y) },
		at:     func(date, clock, zone string) string { return date + " um " + clock + " Uhr " + zone },
	},
}

// dateFormatter returns the template function "date" for one language: it
// writes a date ("2006-01-02") or an instant (RFC 3339) the way the language
// does, keeping the instant's offset, since the recipient's time zone is
// not known. A value in neither form comes back as it is.
func dateFormatter(lang language.Tag) func(string) string {
	st, ok := dateStyles[lang]
	if !ok {
		panic("notify: no date style for " + lang.String())
	}
	return func(s string) string {
		if t, err := time.Parse(dateOnly, s); err == nil {
			return st.date(t.Day(), st.months[t.Month()-1], t.Year())
		}
		t, err := time.Parse(instant, s)
		if err != nil {
			return s
		}
		return st.at(st.date(t.Day(), st.months[t.Month()-1], t.Year()), t.Format("15:04"), zoneName(t))
	}
}

// zoneName names t's offset: "UTC", or "UTC+02:00", "UTC-03:00".
func zoneName(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	return "UTC" + t.Format("-07:00")
}
