// Package contact checks and normalises the contact details Marquee keeps of people (e-mail
// addresses and phone numbers), for accounts and guest checkouts alike.
package contact

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Limits on an e-mail address (RFC 5321: 254 for the path, 64 for the local part).
const (
	MaxEmailLen      = 254
	MaxEmailLocalLen = 64
)

// EmailKey is the key e-mail addresses are unique and looked up by: trimmed and lower-cased, so
// that "Asha@Example.com" and "asha@example.com " are one account. Stores compute it themselves.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// NormalizeEmail returns the address as Marquee stores it — trimmed and lower-cased as a whole —
// after checking it is a plain address (no display name, no quoted local part, no domain literal)
// that net/mail accepts, at most 254 bytes, with a dotted domain. Invalid, for field "email",
// otherwise.
func NormalizeEmail(s string) (string, error) {
	e := EmailKey(s)
	if e == "" {
		return "", errs.Invalidf("email", "e-mail is required")
	}
	bad := errs.Invalidf("email", "%q is not an e-mail address like name@example.com", Clip(e, 80))
	if len(e) > MaxEmailLen {
		return "", errs.Invalidf("email", "an e-mail address has at most %d characters", MaxEmailLen)
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Name != "" || addr.Address != e {
		return "", bad
	}
	at := strings.LastIndexByte(e, '@')
	local, domain := e[:at], e[at+1:]
	if len(local) == 0 || len(local) > MaxEmailLocalLen || strings.ContainsAny(local, "\"\\ ") ||
		strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", bad
	}
	if !strings.Contains(domain, ".") || strings.ContainsAny(domain, "[]") || strings.HasSuffix(domain, ".") {
		return "", bad
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return "", bad
		}
	}
	return e, nil
}

// Clip shortens s to at most n runes for an error message.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// PhoneRegion is the numbering plan a phone number written without its country code is read in.
type PhoneRegion struct {
	// CallingCode is the country calling code, without "+".
	CallingCode string
	// TrunkPrefix is the prefix of national numbers dialled within the country ("0" in India).
	TrunkPrefix string
	// NationalLength is the number of digits of a national significant number.
	NationalLength int
}

// India is the default region: +91, trunk prefix 0, ten-digit numbers.
var India = PhoneRegion{CallingCode: "91", TrunkPrefix: "0", NationalLength: 10}

// E.164 bounds: at most 15 digits with the country code; the shortest numbers in use have 7.
const (
	minE164Digits = 7
	maxE164Digits = 15
	maxPhoneInput = 32
)

// NormalizePhone returns the number in E.164 ("+919876543210"). It accepts the usual ways of
// writing one: "+91 98765 43210", "0091-98765-43210", "(+91) 98765 43210", and, read in region,
// "098765 43210", "9876543210" and "919876543210"; spaces, dashes, dots, slashes and parentheses
// are ignored. Numbers in region's own country must have its national length. Anything else —
// letters, extensions, misplaced "+", too few or too many digits — is Invalid, for field "phone".
func NormalizePhone(raw string, region PhoneRegion) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errs.Invalidf("phone", "phone number is required")
	}
	bad := errs.Invalidf("phone", "%q is not a phone number like +91 98765 43210", Clip(s, 40))
	if len(s) > maxPhoneInput {
		return "", bad
	}
	var digits []byte
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+':
			if plus || len(digits) > 0 {
				return "", bad
			}
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || r == '\u00a0':
		default:
			return "", bad
		}
	}
	d := string(digits)
	var intl string // the number with its country code, without "+"
	switch {
	case plus:
		intl = d
	case strings.HasPrefix(d, "00"):
		intl = d[2:]
	case region.TrunkPrefix != "" && strings.HasPrefix(d, region.TrunkPrefix) && len(d) == len(region.TrunkPrefix)+region.NationalLength:
		intl = region.CallingCode + d[len(region.TrunkPrefix):]
	case len(d) == region.NationalLength:
		intl = region.CallingCode + d
	case strings.HasPrefix(d, region.CallingCode) && len(d) == len(region.CallingCode)+region.NationalLength:
		intl = d
	default:
		return "", bad
	}
	if region.CallingCode != "" && strings.HasPrefix(intl, region.CallingCode) {
		nsn := intl[len(region.CallingCode):]
		// "+91 0 98765 43210": a trunk prefix written after the country code.
		if region.TrunkPrefix != "" && len(nsn) == len(region.TrunkPrefix)+region.NationalLength && strings.HasPrefix(nsn, region.TrunkPrefix) {
			nsn = nsn[len(region.TrunkPrefix):]
		}
		if len(nsn) != region.NationalLength || nsn[0] == '0' {
			return "", bad
		}
		intl = region.CallingCode + nsn
	}
	if len(intl) < minE164Digits || len(intl) > maxE164Digits || intl[0] == '0' {
		return "", bad
	}
	return "+" + intl, nil
}
