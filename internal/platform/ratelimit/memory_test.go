package ratelimit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit/ratelimittest"
)

func TestMemoryConformance(t *testing.T) {
	ratelimittest.Run(t, func(t *testing.T, clk clock.Clock) ratelimit.Limiter {
		return ratelimit.NewMemory(clk)
	})
}

// TestMemoryForgetsIdleKeys checks that keys whose budget is full again are dropped, so that the
// map does not grow with every client ever seen.
func TestMemoryForgetsIdleKeys(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(ratelimittest.Start)
	m := ratelimit.NewMemory(clk)
	r := ratelimit.Rule{Limit: 3, Window: time.Minute}
	for i := range 5000 {
		if _, err := m.Allow(ctx, fmt.Sprint("client-", i), r); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Len(); n != 5000 {
		t.Fatalf("%d keys held, want 5000", n)
	}
	clk.Advance(20 * time.Second) // one event's interval: every key's budget is full again
	if n := m.Len(); n != 0 {
		t.Fatalf("%d keys held after their budgets refilled, want 0", n)
	}
	// Sweeping happens as the limiter is used too, not only in Len.
	for i := range 5000 {
		_, _ = m.Allow(ctx, fmt.Sprint("client-", i), r)
	}
	clk.Advance(time.Minute)
	for i := range 2048 {
		_, _ = m.Allow(ctx, "hot", ratelimit.Rule{Limit: 1_000_000, Window: time.Hour})
		_ = i
	}
	if n := m.Len(); n > 1 {
		t.Fatalf("%d keys after sweeping", n)
	}
}

func TestAllowHelper(t *testing.T) {
	ctx := context.Background()
	m := ratelimit.NewMemory(clock.NewManual(ratelimittest.Start))
	r := ratelimit.Rule{Limit: 1, Window: 90 * time.Second}
	if err := ratelimit.Allow(ctx, m, "k", r); err != nil {
		t.Fatal(err)
	}
	err := ratelimit.Allow(ctx, m, "k", r)
	if !errs.Is(err, errs.RateLimited) || errs.As(err).Details["retryAfterSeconds"] != "90" {
		t.Fatalf("got %v", err)
	}
	if err := ratelimit.Allow(ctx, m, "k", ratelimit.Rule{}); err == nil || errs.Is(err, errs.RateLimited) {
		t.Fatalf("an invalid rule: %v", err)
	}
}

func TestDecisionErrRoundsUp(t *testing.T) {
	d := ratelimit.Decision{RetryAfter: 1500 * time.Millisecond}
	if got := errs.As(d.Err()).Details["retryAfterSeconds"]; got != "2" {
		t.Fatalf("retryAfterSeconds %q, want 2", got)
	}
	if (ratelimit.Decision{Allowed: true}).Err() != nil {
		t.Fatal("an allowed decision is an error")
	}
}
