package policy

// Default returns the default configuration: the hierarchy
// normal < business < admin < owner, the points of contact primary, billing
// and technical, the topic sections product_updates, security_legal, finance
// and integrations, two default-on purposes on a legitimate-interest basis, a
// three-month review interval and direct changes. It is the same document as
// schema/presets/default.json.
func Default() Config {
	return Config{
		Version: "default-1",
		Roles: []Role{
			{Key: "normal", Name: "Normal", Rank: 10,
				Permissions: []Action{ViewContacts, OpenSupport, DiscussAccount}},
			{Key: "business", Name: "Business", Rank: 20, Inherits: []string{"normal"},
				Permissions: []Action{ManageBilling}},
			{Key: "admin", Name: "Admin", Rank: 30, Inherits: []string{"business"},
				Permissions: []Action{EditContact, GrantRole, RevokeRole, ManageSlots, ManageConsent,
					ManageGroups, SendInvitations, SubmitChanges, ConfirmReview, ViewAudit}},
			{Key: "owner", Name: "Owner", Rank: 40, Inherits: []string{"admin"},
				Permissions: []Action{TransferOwnership, CloseAccount}},
		},
		Slots: []Slot{
			{Key: "primary", Name: "Primary contact", Kind: PointOfContact, Min: 1, Max: 3, Groups: true},
			{Key: "billing", Name: "Billing contact", Kind: PointOfContact, Min: 1, Max: 3, Groups: true, FallbackToPrimary: true},
			{Key: "technical", Name: "Technical contact", Kind: PointOfContact, Min: 1, Max: 3, Groups: true, FallbackToPrimary: true},
			{Key: "product_updates", Name: "Product updates", Kind: TopicSection, Min: 1, Groups: true, Purpose: "product_updates"},
			{Key: "security_legal", Name: "Security and legal", Kind: TopicSection, Min: 1, Groups: true},
			{Key: "finance", Name: "Finance", Kind: TopicSection, Min: 1, Groups: true},
			{Key: "integrations", Name: "Integrations", Kind: TopicSection, Min: 0, Groups: true},
		},
		Purposes: []Purpose{
			{Key: "usage_interviews", Name: "Usage interviews", LegalBasis: LegitimateInterest, Default: true,
				Text: "We may invite you to short interviews about how you use the product."},
			{Key: "product_updates", Name: "Product updates", LegalBasis: LegitimateInterest, Default: true,
				Text: "We may send you news about product changes and new features."},
		},
		ReviewInterval: Duration{Months: 3},
		ChangeMode:     Direct,
		Languages:      Languages{Default: "en", Supported: []string{"en", "pt-BR", "es", "fr", "de"}},
	}
}
