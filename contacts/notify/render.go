package notify

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"

	"golang.org/x/text/language"

	"github.com/liaisonhq/liaison/contacts"
)

// languages are the languages the templates are written in; the first is
// the fallback.
var languages = []language.Tag{
	language.English,
	language.BrazilianPortuguese,
	language.Spanish,
	language.French,
	language.German,
}

var matcher = language.NewMatcher(languages)

// maxLanguageLen caps a tag before it reaches the parser, as
// [contacts.NormalizeLanguage] does: RFC 5646 asks for 35 characters, and
// the parser has had bugs on hostile input.
const maxLanguageLen = 35

// Languages returns the languages the templates are written in, as BCP 47
// tags; the first, "en", is the fallback.
func Languages() []string {
	out := make([]string, len(languages))
	for i, t := range languages {
		out[i] = t.String()
	}
	return out
}

// MatchLanguage returns the language of [Languages] closest to tag, a BCP 47
// tag such as a recipient's preferred language: "pt-PT" and "pt" give
// "pt-BR", "de-AT" gives "de", "fr-CA" gives "fr". A tag no template
// language is close to, "und", an empty tag, or one that does not parse
// gives "en".
func MatchLanguage(tag string) string {
	if tag == "" || len(tag) > maxLanguageLen {
		return languages[0].String()
	}
	// A tag with an unknown subtag ("de-XX") comes back with the parts that
	// did parse and an error; for choosing among five languages those
	// parts are the best guess there is. A tag that does not parse at all
	// comes back as und.
	t, _ := language.Parse(tag)
	_, i, conf := matcher.Match(t)
	if conf == language.No {
		return languages[0].String()
	}
	return languages[i].String()
}

// A spec lists the Data keys a kind's templates read.
type spec struct {
	required []string
	optional []string
}

// specs has one entry for every [contacts.MessageKind]. Keep it in step with
// contacts/notify.go and the table in doc.go; TestTemplates fails when a
// kind has no templates.
var specs = map[contacts.MessageKind]spec{
	contacts.ReviewReminder:      {required: []string{"due"}, optional: []string{"link"}},
	contacts.InvitationMessage:   {required: []string{"link", "expires"}, optional: []string{"inviter"}},
	contacts.VerificationMessage: {required: []string{"link", "expires"}},
	contacts.SlotRemoved:         {required: []string{"slot_name"}},
	contacts.OwnerChanged:        {required: []string{"new_owner"}},
	// The new address is never sent to the old one: whoever reads the old
	// mailbox may no longer be the contact.
	contacts.AddressChanged:  {},
	contacts.TestMessage:     {required: []string{"slot_name"}},
	contacts.ChangeSetUpdate: {required: []string{"state"}, optional: []string{"link"}},
}

// The keys every template sees besides its kind's.
const (
	keyOrgName = "org_name"
	keyName    = "name"
)

//go:embed templates
var templateFS embed.FS

// A pair is one kind's templates in one language.
type pair struct {
	subject, body *template.Template
}

// templates maps language, then kind, to the parsed templates.
var templates = mustParseTemplates(templateFS)

// mustParseTemplates parses templates/<lang>/<kind>.txt for every language
// and kind, with templates/<lang>/common.txt (the greeting and the footer)
// available to each body. It panics on a missing, unknown or broken file:
// the files are embedded, so that is a programmer error.
func mustParseTemplates(fsys fs.FS) map[string]map[contacts.MessageKind]pair {
	out := make(map[string]map[contacts.MessageKind]pair, len(languages))
	dirs, err := fs.ReadDir(fsys, "templates")
	if err != nil {
		panic("notify: " + err.Error())
	}
	for _, d := range dirs {
		if !slices.ContainsFunc(languages, func(t language.Tag) bool { return t.String() == d.Name() }) {
			panic("notify: templates/" + d.Name() + " is no template language")
		}
	}
	for _, tag := range languages {
		lang := tag.String()
		dir := path.Join("templates", lang)
		common, err := fs.ReadFile(fsys, path.Join(dir, "common.txt"))
		if err != nil {
			panic("notify: " + err.Error())
		}
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			panic("notify: " + err.Error())
		}
		for _, e := range entries {
			kind := contacts.MessageKind(strings.TrimSuffix(e.Name(), ".txt"))
			if _, ok := specs[kind]; !ok && e.Name() != "common.txt" {
				panic(fmt.Sprintf("notify: %s/%s is no message kind's template", dir, e.Name()))
			}
		}
		funcs := template.FuncMap{"date": dateFormatter(tag)}
		byKind := make(map[contacts.MessageKind]pair, len(specs))
		for kind := range specs {
			name := path.Join(dir, string(kind)+".txt")
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				panic("notify: " + err.Error())
			}
			subject, body, ok := strings.Cut(string(src), "\n")
			body, blank := strings.CutPrefix(body, "\n")
			if !ok || !blank || strings.TrimSpace(subject) == "" {
				panic("notify: " + name + ": want the subject on the first line, then a blank line, then the body")
			}
			var p pair
			// missingkey=error turns a misspelt key into an error: Render
			// puts every key a kind may read into the data, blank when an
			// optional one is absent.
			p.subject = template.Must(template.New(name + ":subject").Option("missingkey=error").Funcs(funcs).Parse(subject))
			p.body = template.Must(template.New(name).Option("missingkey=error").Funcs(funcs).Parse(body))
			template.Must(p.body.New(path.Join(dir, "common.txt")).Parse(string(common)))
			byKind[kind] = p
		}
		out[lang] = byKind
	}
	return out
}

// Render renders m for the recipient to, in the language of [Languages]
// closest to to.Language (see [MatchLanguage]), and returns the subject
// (one line), the plain-text body (lines ending in "\n") and the language
// used.
//
// It fails with [ErrUnknownKind] for a kind without templates, with
// [ErrMissingData] when m.Data lacks a key the kind requires (see the
// package documentation), and with [ErrInvalidHeader] when the subject
// would hold a line break, as an org or slot name with one would make it.
func Render(m contacts.Message, to contacts.Address) (subject, body, lang string, err error) {
	data, err := templateData(m)
	if err != nil {
		return "", "", "", err
	}
	data[keyName] = strings.TrimSpace(to.Name)
	lang = MatchLanguage(to.Language)
	p := templates[lang][m.Kind]

	var b strings.Builder
	if err := p.subject.Execute(&b, data); err != nil {
		return "", "", "", fmt.Errorf("notify: render %s in %s: %w", m.Kind, lang, err)
	}
	subject = strings.TrimSpace(b.String())
	if err := checkHeaderText(subject); err != nil {
		return "", "", "", fmt.Errorf("notify: render %s: subject: %w", m.Kind, err)
	}
	b.Reset()
	if err := p.body.Execute(&b, data); err != nil {
		return "", "", "", fmt.Errorf("notify: render %s in %s: %w", m.Kind, lang, err)
	}
	body = strings.TrimRight(b.String(), " \t\r\n") + "\n"
	return subject, body, lang, nil
}

// templateData checks m's kind and data, and returns the values its
// templates read, all but the recipient's name.
func templateData(m contacts.Message) (map[string]string, error) {
	sp, ok := specs[m.Kind]
	if !ok {
		return nil, fmt.Errorf("notify: render %q: %w", m.Kind, ErrUnknownKind)
	}
	org := strings.TrimSpace(m.OrgName)
	if org == "" {
		org = strings.TrimSpace(m.Org)
	}
	var missing []string
	if org == "" {
		missing = append(missing, keyOrgName)
	}
	data := make(map[string]string, 2+len(sp.required)+len(sp.optional))
	data[keyOrgName] = org
	for _, k := range sp.required {
		v := strings.TrimSpace(m.Data[k])
		if v == "" {
			missing = append(missing, k)
		}
		data[k] = v
	}
	for _, k := range sp.optional {
		data[k] = strings.TrimSpace(m.Data[k])
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("notify: render %s: %w: %s", m.Kind, ErrMissingData, strings.Join(missing, ", "))
	}
	return data, nil
}
