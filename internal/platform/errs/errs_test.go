package errs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

func TestCodeOfAndIs(t *testing.T) {
	t.Parallel()
	notFound := errs.NotFoundf("movie %s not found", "m1")
	tests := []struct {
		name string
		err  error
		want errs.Code
	}{
		{"nil", nil, ""},
		{"domain error", notFound, errs.NotFound},
		{"wrapped once", fmt.Errorf("get: %w", notFound), errs.NotFound},
		{"wrapped twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", notFound)), errs.NotFound},
		{"joined after a plain error", errors.Join(io.EOF, notFound), errs.NotFound},
		{"plain error", io.EOF, errs.Internal},
		{"context error", context.Canceled, errs.Internal},
		{"the first domain error wins", errs.Wrap(notFound, errs.Unavailable, "store down"), errs.Unavailable},
		{"Invalidf", errs.Invalidf("title", "bad"), errs.Invalid},
		{"E", errs.E(errs.SeatUnavailable, "taken"), errs.SeatUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errs.CodeOf(tt.err); got != tt.want {
				t.Errorf("CodeOf = %q, want %q", got, tt.want)
			}
			for _, c := range errs.Codes {
				if got, want := errs.Is(tt.err, c), c == tt.want; got != want {
					t.Errorf("Is(%q) = %v, want %v", c, got, want)
				}
			}
		})
	}
}

func TestAs(t *testing.T) {
	t.Parallel()
	t.Run("finds the domain error in the chain", func(t *testing.T) {
		t.Parallel()
		inner := errs.Invalidf("first", "first must be positive")
		if got := errs.As(fmt.Errorf("list: %w", inner)); got != inner {
			t.Fatalf("As returned %v, want the same *Error", got)
		}
	})
	t.Run("wraps a plain error as internal", func(t *testing.T) {
		t.Parallel()
		cause := errors.New("disk full")
		got := errs.As(cause)
		if got.Code != errs.Internal || got.Message != "internal error" || !errors.Is(got, cause) {
			t.Fatalf("As = %#v, want an internal error wrapping the cause", got)
		}
	})
}

func TestPublicMessage(t *testing.T) {
	t.Parallel()
	const secret = "password=hunter2 at 10.0.0.7"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"domain message", errs.NotFoundf("movie %s not found", "m1"), "movie m1 not found"},
		{"wrapped domain message", fmt.Errorf("ctx: %w", errs.Invalidf("title", "title is required")), "title is required"},
		{"domain error with a cause shows its message only", errs.Wrap(errors.New(secret), errs.Unavailable, "the store is unavailable"), "the store is unavailable"},
		{"plain error", errors.New(secret), "internal error"},
		{"internal domain error with a cause", errs.Wrap(errors.New(secret), errs.Internal, "query failed"), "internal error"},
		{"internal domain error whose message is itself sensitive", errs.E(errs.Internal, "dial %s", secret), "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := errs.PublicMessage(tt.err)
			if got != tt.want {
				t.Errorf("PublicMessage = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "hunter2") {
				t.Errorf("PublicMessage leaks the cause: %q", got)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection refused")
	tests := []struct {
		name string
		err  *errs.Error
		want string
	}{
		{"without cause", errs.E(errs.Conflict, "screen %q exists", "Audi 1"), `conflict: screen "Audi 1" exists`},
		{"with cause", errs.Wrap(cause, errs.Unavailable, "movie service"), "unavailable: movie service: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if errors.Unwrap(tt.err) != tt.err.Err {
				t.Errorf("Unwrap does not return the cause")
			}
		})
	}
}

func TestWithReasonIsCopyOnWrite(t *testing.T) {
	t.Parallel()
	orig := errs.E(errs.SeatUnavailable, "seat C7 is taken").WithDetail("seat", "C7")
	got := orig.WithReason("ORPHAN_SEAT")
	if got == orig {
		t.Fatal("WithReason returned the receiver")
	}
	if orig.Reason != "" {
		t.Errorf("WithReason changed the original's reason to %q", orig.Reason)
	}
	if got.Reason != "ORPHAN_SEAT" || got.Code != orig.Code || got.Message != orig.Message || got.Details["seat"] != "C7" {
		t.Errorf("WithReason = %#v", got)
	}
	// A detail added to the copy does not reach the original.
	_ = got.WithDetail("row", "C")
	if len(orig.Details) != 1 {
		t.Errorf("original details became %v", orig.Details)
	}
}

func TestWithDetailIsCopyOnWrite(t *testing.T) {
	t.Parallel()
	base := errs.E(errs.RateLimited, "slow down")
	one := base.WithDetail("retryAfterSeconds", "30")
	two := one.WithDetail("limit", "10")
	over := two.WithDetail("retryAfterSeconds", "60")
	tests := []struct {
		name string
		err  *errs.Error
		want string
	}{
		{"base", base, "map[]"},
		{"one", one, "map[retryAfterSeconds:30]"},
		{"two", two, "map[limit:10 retryAfterSeconds:30]"},
		{"overwritten in a copy", over, "map[limit:10 retryAfterSeconds:60]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fmt.Sprint(tt.err.Details); got != tt.want {
				t.Errorf("details = %s, want %s", got, tt.want)
			}
			if tt.err.Code != errs.RateLimited || tt.err.Message != "slow down" {
				t.Errorf("code or message changed: %v", tt.err)
			}
		})
	}
}

func TestCodesAreDistinctAndComplete(t *testing.T) {
	t.Parallel()
	seen := map[errs.Code]bool{}
	for _, c := range errs.Codes {
		if c == "" || seen[c] {
			t.Errorf("code %q is empty or listed twice", c)
		}
		seen[c] = true
	}
	for _, c := range []errs.Code{errs.Invalid, errs.NotFound, errs.Conflict, errs.Unavailable, errs.Unauthenticated,
		errs.Forbidden, errs.RateLimited, errs.SeatUnavailable, errs.HoldExpired, errs.Internal} {
		if !seen[c] {
			t.Errorf("Codes lacks %q", c)
		}
	}
}
