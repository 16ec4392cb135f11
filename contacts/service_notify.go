package contacts

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
)

var errNoNotifier = errors.New("no notifier configured (use WithNotifier)")

// WithNotifier makes the Service deliver messages (review reminders,
// verification links, "you are no longer the billing contact", test
// messages) through n. Without one, nothing is sent.
func WithNotifier(n Notifier) Option { return func(s *Service) { s.notifier = n } }

// WithLinks sets how the Service builds the links it sends: link returns
// the URL that, when opened, hands secret back to the Service (for example
// to [Service.VerifyAddress]). The default builds
// "liaison:KIND?token=SECRET", which the host is expected to replace.
func WithLinks(link func(kind TokenKind, secret string) string) Option {
	return func(s *Service) { s.links = link }
}

func (s *Service) link(kind TokenKind, secret string) string {
	if s.links != nil {
		return s.links(kind, secret)
	}
	return "liaison:" + string(kind) + "?token=" + url.QueryEscape(secret)
}

// notify delivers m after a commit; a failure is logged, because the change
// it reports stands.
func (s *Service) notify(ctx context.Context, m Message) {
	if s.notifier == nil || len(m.To) == 0 {
		return
	}
	if m.OrgName == "" {
		if o, err := s.orgName(ctx, m.Org); err == nil {
			m.OrgName = o
		}
	}
	if err := s.notifier.Notify(ctx, m); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "liaison: delivering a message failed",
			slog.String("org", m.Org), slog.String("kind", string(m.Kind)), slog.Int("recipients", len(m.To)), slog.Any("error", err))
	}
}

func (s *Service) orgName(ctx context.Context, org string) (string, error) {
	var name string
	err := s.store.View(ctx, func(tx ReadTx) error {
		o, err := tx.Org(org)
		name = o.Name
		return err
	})
	return name, err
}

func (c Contact) address() Address {
	return Address{Name: c.Name, Email: c.Email, Language: c.Language}
}

func joinErrors(errs []error) error { return errors.Join(errs...) }
