package contact_test

import (
	"strings"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/contact"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

func TestNormalizeEmail(t *testing.T) {
	ok := map[string]string{
		"asha@example.com":                       "asha@example.com",
		"  Asha.Rao@Example.COM \n":              "asha.rao@example.com",
		"ASHA+movies@mail.example.co.in":         "asha+movies@mail.example.co.in",
		"a_b-c.d@sub-domain.example.org":         "a_b-c.d@sub-domain.example.org",
		"admin@demo.marquee":                     "admin@demo.marquee",
		"o'brien@example.ie":                     "o'brien@example.ie",
		"Élodie@Exemple.fr":                      "élodie@exemple.fr",
		strings.Repeat("a", 64) + "@example.com": strings.Repeat("a", 64) + "@example.com",
	}
	for in, want := range ok {
		got, err := contact.NormalizeEmail(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	long := strings.Repeat("a", 60) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + "." + strings.Repeat("e", 10) + ".com" // 258
	bad := []string{
		"", "   ", "asha", "asha@", "@example.com", "asha@example", "asha@@example.com", "asha@exa mple.com",
		"Asha <asha@example.com>", "<asha@example.com>", "asha@example.com, bob@example.com",
		`"asha rao"@example.com`, "asha@[127.0.0.1]", "asha@example..com", "asha@.example.com",
		"asha@example.com.", "asha@-example.com", "asha@example-.com", "asha.@example.com", ".asha@example.com",
		"as..ha@example.com", "asha@example.com\r\nBcc: x@y.z", "asha\x00@example.com", "asha(comment)@example.com",
		strings.Repeat("a", 65) + "@example.com", long,
		"a@" + strings.Repeat("b", 64) + ".com",
	}
	for _, in := range bad {
		got, err := contact.NormalizeEmail(in)
		if err == nil {
			t.Errorf("%q accepted as %q", in, got)
			continue
		}
		if e := errs.As(err); e.Code != errs.Invalid || e.Field != "email" {
			t.Errorf("%q: %+v, want invalid email", in, e)
		}
	}
	if contact.EmailKey(" Asha@Example.COM ") != "asha@example.com" {
		t.Error("EmailKey does not fold case and space")
	}
}

func TestNormalizePhone(t *testing.T) {
	ok := map[string]string{
		"+91 98765 43210":                 "+919876543210",
		"+919876543210":                   "+919876543210",
		"+91-98765-43210":                 "+919876543210",
		"+91 (98765) 43210":               "+919876543210",
		"(+91) 98765 43210":               "+919876543210",
		"0091 98765 43210":                "+919876543210",
		"098765 43210":                    "+919876543210",
		"09876543210":                     "+919876543210",
		"9876543210":                      "+919876543210",
		"98765 43210":                     "+919876543210",
		"98765-43210":                     "+919876543210",
		"987.654.3210":                    "+919876543210",
		"919876543210":                    "+919876543210",
		"+91 0 98765 43210":               "+919876543210", // trunk prefix written after the country code
		"\u00a0+91\u00a098765\u00a043210": "+919876543210",
		"022 2345 6789":                   "+912223456789", // Mumbai landline
		"+91 80 4567 8901":                "+918045678901", // Bengaluru landline
		"6000000000":                      "+916000000000",
		"+1 (415) 555-2671":               "+14155552671",
		"+44 20 7946 0958":                "+442079460958",
		"+65 6123 4567":                   "+6561234567",
		"001 415 555 2671":                "+14155552671",
		"+971 50 123 4567":                "+971501234567",
		"+290 1234":                       "+2901234", // 7 digits, St Helena
		"+86 138 0013 8000":               "+8613800138000",
		"+49 30 12345678901":              "+493012345678901", // 15 digits
	}
	for in, want := range ok {
		got, err := contact.NormalizePhone(in, contact.India)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	bad := []string{
		"", "   ", "abc", "phone", "12345", "98765", "987654321", "98765432101", // 9 and 11 digits
		"0987654321",               // trunk prefix and 9 digits
		"+91 98765 4321",           // 9-digit Indian number
		"+91 98765 432100",         // 11-digit Indian number
		"+91 00000 00000",          // national number starting with 0
		"0000000000",               // likewise
		"+0 123 456 7890",          // no country code starts with 0
		"++919876543210",           // two pluses
		"91+9876543210",            // plus in the middle
		"+91 98765 43210+",         //
		"+91 98765 43210 ext 12",   // extensions
		"+91 98765 43210#",         //
		"98765x43210",              //
		"+1234567890123456",        // 16 digits
		"+123456",                  // 6 digits
		"+91 98765 43210 98765 43", // too long
		"٩٨٧٦٥٤٣٢١٠",               // non-ASCII digits
		"+91_98765_43210",          //
		"+91 98765 4321O",          // letter O
		strings.Repeat("9", 40),    //
		"98765 43210\n",            // trailing newline is trimmed, but…
	}
	for _, in := range bad[:len(bad)-1] {
		got, err := contact.NormalizePhone(in, contact.India)
		if err == nil {
			t.Errorf("%q accepted as %q", in, got)
			continue
		}
		if e := errs.As(err); e.Code != errs.Invalid || e.Field != "phone" {
			t.Errorf("%q: %+v, want invalid phone", in, e)
		}
	}
	// …spaces and newlines around the number are trimmed.
	if got, err := contact.NormalizePhone("98765 43210\n", contact.India); err != nil || got != "+919876543210" {
		t.Errorf("trailing newline: %q %v", got, err)
	}
	// Another default region reads national numbers its way.
	uk := contact.PhoneRegion{CallingCode: "44", TrunkPrefix: "0", NationalLength: 10}
	if got, err := contact.NormalizePhone("020 7946 0958", uk); err != nil || got != "+442079460958" {
		t.Errorf("UK national number: %q %v", got, err)
	}
}
