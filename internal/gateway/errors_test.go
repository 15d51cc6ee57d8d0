package gateway

import (
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

func TestGraphQLCodeCoversEveryCode(t *testing.T) {
	t.Parallel()
	documented := map[string]bool{CodeBadUserInput: true, CodeUnauthenticated: true, CodeForbidden: true,
		CodeNotFound: true, CodeSeatUnavailable: true, CodeHoldExpired: true, CodeConflict: true,
		CodeRateLimited: true, CodeInternal: true}
	for _, c := range errs.Codes {
		t.Run(string(c), func(t *testing.T) {
			t.Parallel()
			got := GraphQLCode(c)
			if got == "" || !documented[got] {
				t.Fatalf("GraphQLCode(%q) = %q, not one of the documented codes", c, got)
			}
			internal := c == errs.Internal || c == errs.Unavailable
			if (got == CodeInternal) != internal {
				t.Errorf("GraphQLCode(%q) = %q; only internal and unavailable map to %s", c, got, CodeInternal)
			}
		})
	}
}

func TestGraphQLCodeTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code errs.Code
		want string
	}{
		{errs.Invalid, CodeBadUserInput},
		{errs.NotFound, CodeNotFound},
		{errs.Conflict, CodeConflict},
		{errs.Unavailable, CodeInternal},
		{errs.Unauthenticated, CodeUnauthenticated},
		{errs.Forbidden, CodeForbidden},
		{errs.RateLimited, CodeRateLimited},
		{errs.SeatUnavailable, CodeSeatUnavailable},
		{errs.HoldExpired, CodeHoldExpired},
		{errs.Internal, CodeInternal},
		{"", CodeInternal},
		{"no_such_code", CodeInternal},
	}
	if len(tests)-2 != len(errs.Codes) {
		t.Fatalf("the table lists %d codes, errs.Codes %d", len(tests)-2, len(errs.Codes))
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			t.Parallel()
			if got := GraphQLCode(tt.code); got != tt.want {
				t.Errorf("GraphQLCode(%q) = %q, want %q", tt.code, got, tt.want)
			}
		})
	}
}

func TestGraphQLCodesAreDistinctExceptInternal(t *testing.T) {
	t.Parallel()
	seen := map[string]errs.Code{}
	for _, c := range errs.Codes {
		got := GraphQLCode(c)
		if prev, dup := seen[got]; dup && got != CodeInternal {
			t.Errorf("%q and %q both map to %s", prev, c, got)
		}
		seen[got] = c
	}
}
