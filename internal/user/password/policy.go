package password

import (
	"bufio"
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Length bounds of a new password, in characters (runes).
const (
	MinLength = 10
	MaxLength = 128
)

// MaxBytes bounds the bytes of any password Marquee looks at, also when logging in: 128 runes of
// at most 4 bytes each.
const MaxBytes = 4 * MaxLength

//go:generate go run gen_common.go

// commonText is the bundled list of common passwords: one a line, lower case, only those at
// least MinLength long (shorter ones fail the length rule anyway). See gen_common.go.
//
//go:embed common.txt
var commonText string

var commonSet = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 16384)
	sc := bufio.NewScanner(strings.NewReader(commonText))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[strings.ToLower(line)] = struct{}{}
	}
	return set
})

// CommonCount returns how many passwords the bundled list holds.
func CommonCount() int { return len(commonSet()) }

// IsCommon reports whether pw is in the bundled list of common passwords, ignoring case.
func IsCommon(pw string) bool {
	_, ok := commonSet()[strings.ToLower(pw)]
	return ok
}

// Validate checks a new password: MinLength to MaxLength characters of valid UTF-8, not a common
// password, and not one of the account's own facts (its e-mail, the e-mail's local part, the
// name), all compared ignoring case. It returns an Invalid error for field "password" that says
// which rule failed, never the password.
func Validate(pw string, personal ...string) error {
	if !utf8.ValidString(pw) {
		return errs.Invalidf("password", "password is not valid text")
	}
	n := utf8.RuneCountInString(pw)
	if n < MinLength {
		return errs.Invalidf("password", "password must be at least %d characters", MinLength)
	}
	if n > MaxLength {
		return errs.Invalidf("password", "password must be at most %d characters", MaxLength)
	}
	if strings.TrimSpace(pw) == "" {
		return errs.Invalidf("password", "password cannot be only spaces")
	}
	if IsCommon(pw) {
		return errs.Invalidf("password", "this password is too common; choose another").WithReason("COMMON_PASSWORD")
	}
	for _, p := range personal {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		local, _, _ := strings.Cut(p, "@")
		if strings.EqualFold(pw, p) || (len(local) > 0 && strings.EqualFold(pw, local)) {
			return errs.Invalidf("password", "the password cannot be your e-mail address or name").WithReason("PERSONAL_PASSWORD")
		}
	}
	return nil
}
