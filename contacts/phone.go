package contacts

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneLen caps a phone number before it reaches the parser, which runs
// regular expressions over it. Written numbers with spacing, punctuation and a
// country code stay well below it.
const maxPhoneLen = 64

// maxE164Digits is the most digits an E.164 number has (ITU-T E.164 §6).
const maxE164Digits = 15

// NormalizePhone checks that s is a valid phone number and returns it in
// E.164 form, such as "+41446681800".
//
// Parsing follows libphonenumber (the Go port github.com/nyaruka/phonenumbers):
// spacing and punctuation are ignored, and a number written in national form
// ("044 668 18 00") is read in the region region names, an ISO 3166-1 alpha-2
// code such as "CH" (upper or lower case). Without a region, s must start with
// '+' and its country calling code. The number must be valid for its region in
// the library's metadata (IsValidNumber), not merely of a possible length.
// Numbers with an extension are refused, because E.164 has no place for one,
// and so is input longer than 64 bytes, before it is parsed.
//
// NormalizePhone is idempotent: normalising its result, with or without a region,
// returns the result. Validity follows the metadata of the phonenumbers
// version in use, which changes as numbering plans do: check numbers when they
// are written, and do not re-check stored ones when reading them.
// Errors are [*FormatError] values.
func NormalizePhone(s, region string) (string, error) {
	switch {
	case strings.TrimSpace(s) == "":
		return "", formatErr("must not be empty", nil)
	case len(s) > maxPhoneLen:
		return "", formatErr("phone number longer than 64 bytes", nil)
	}
	if region != "" {
		region = strings.ToUpper(region)
		if !phonenumbers.GetSupportedRegions()[region] {
			return "", formatErr("region must be an ISO 3166-1 alpha-2 code with a numbering plan", nil)
		}
	} else if !strings.HasPrefix(strings.TrimSpace(s), "+") {
		return "", formatErr("must start with + and a country code when no region is given", nil)
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", formatErr("must be a phone number", err)
	}
	if num.GetExtension() != "" {
		return "", formatErr("must not have an extension", nil)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", formatErr("must be a valid phone number for its region", nil)
	}
	out := phonenumbers.Format(num, phonenumbers.E164)
	if len(out) < 2 || out[0] != '+' || len(out)-1 > maxE164Digits {
		return "", formatErr("must have at most 15 digits", nil)
	}
	// The E.164 form must read back as itself, or storing it would change the
	// number on the next write.
	again, err := phonenumbers.Parse(out, "")
	if err != nil || !phonenumbers.IsValidNumber(again) || phonenumbers.Format(again, phonenumbers.E164) != out {
		return "", formatErr("phone number has no stable E.164 form", err)
	}
	return out, nil
}
