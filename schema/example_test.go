package schema_test

import (
	"errors"
	"fmt"

	"github.com/liaisonhq/liaison/policy"
	"github.com/liaisonhq/liaison/schema"
)

func ExampleValidateConfig() {
	doc := []byte(`{
	  "version": "acme-1",
	  "roles": [
	    {"key": "member", "rank": 1, "permissions": ["contacts.view"]},
	    {"key": "owner", "rank": 2, "inherits": ["member", "auditor"]}
	  ],
	  "slots": [{"key": "primary", "kind": "point_of_contact", "min": 1}],
	  "purposes": [{"key": "newsletter", "legal_basis": "consent", "default": true}],
	  "review_interval": "P3M",
	  "change_mode": "direct",
	  "languages": {"default": "en"},
	  "allowed_email_domains": ["Example.com"]
	}`)
	_, err := schema.ValidateConfig(doc)
	var problems policy.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Println(p)
		}
	}
	// Output:
	// /allowed_email_domains/0: "Example.com" must be a lower-case domain name with a dot, such as example.com
	// /purposes/0/default: a purpose whose legal_basis is "consent" cannot default to granted (a pre-ticked box is not consent)
	// /roles/1/inherits/1: unknown role "auditor"
}

func ExampleLoadPreset() {
	cfg, err := schema.LoadPreset("multi_role_review")
	if err != nil {
		panic(err)
	}
	p, err := policy.New(cfg)
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Version, cfg.ChangeMode, cfg.ReviewInterval)
	fmt.Println(p.RoleKeys())
	// Output:
	// multi-role-review-1 review P6M
	// [management customer_admin technical license_admin]
}
