// Package ratelimittest is the conformance suite every ratelimit.Limiter adapter must pass.
package ratelimittest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
)

// Start is the time the manual clock starts at in every subtest.
var Start = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

// Run runs the suite. newLimiter returns an empty limiter, isolated from every other, that reads
// the time from clk.
func Run(t *testing.T, newLimiter func(t *testing.T, clk clock.Clock) ratelimit.Limiter) {
	ctx := context.Background()
	setup := func(t *testing.T) (ratelimit.Limiter, *clock.Manual) {
		clk := clock.NewManual(Start)
		return newLimiter(t, clk), clk
	}
	allow := func(t *testing.T, l ratelimit.Limiter, key string, r ratelimit.Rule) ratelimit.Decision {
		t.Helper()
		d, err := l.Allow(ctx, key, r)
		if err != nil {
			t.Fatalf("allow %q: %v", key, err)
		}
		return d
	}
	fiveAMinute := ratelimit.Rule{Limit: 5, Window: time.Minute} // one more every 12s

	t.Run("a burst of limit then refusal", func(t *testing.T) {
		l, _ := setup(t)
		for i := range 5 {
			d := allow(t, l, "k", fiveAMinute)
			if !d.Allowed || d.Remaining != 4-i || d.RetryAfter != 0 {
				t.Fatalf("event %d: %+v, want allowed with %d remaining", i+1, d, 4-i)
			}
			if want := time.Duration(i+1) * 12 * time.Second; d.ResetAfter != want {
				t.Fatalf("event %d: reset after %v, want %v", i+1, d.ResetAfter, want)
			}
		}
		for range 3 {
			d := allow(t, l, "k", fiveAMinute)
			if d.Allowed || d.Remaining != 0 || d.RetryAfter != 12*time.Second || d.ResetAfter != time.Minute {
				t.Fatalf("event beyond the limit: %+v, want refused, retry after 12s, reset after 1m", d)
			}
			if err := d.Err(); !errs.Is(err, errs.RateLimited) || errs.As(err).Details["retryAfterSeconds"] != "12" {
				t.Fatalf("refusal error: %v %v", err, errs.As(err).Details)
			}
		}
	})

	t.Run("budget comes back one interval at a time", func(t *testing.T) {
		l, clk := setup(t)
		for range 5 {
			allow(t, l, "k", fiveAMinute)
		}
		clk.Advance(11 * time.Second)
		if d := allow(t, l, "k", fiveAMinute); d.Allowed || d.RetryAfter != time.Second {
			t.Fatalf("after 11s: %+v, want refused for 1s more", d)
		}
		clk.Advance(time.Second)
		if d := allow(t, l, "k", fiveAMinute); !d.Allowed || d.Remaining != 0 {
			t.Fatalf("after 12s: %+v, want exactly one allowed", d)
		}
		if d := allow(t, l, "k", fiveAMinute); d.Allowed {
			t.Fatalf("a second event after 12s: %+v", d)
		}
		// A whole quiet window restores the whole burst, and no more.
		clk.Advance(time.Minute)
		for i := range 5 {
			if d := allow(t, l, "k", fiveAMinute); !d.Allowed {
				t.Fatalf("after a quiet minute, event %d refused: %+v", i+1, d)
			}
		}
		if d := allow(t, l, "k", fiveAMinute); d.Allowed {
			t.Fatal("the budget grew beyond its limit")
		}
	})

	t.Run("a steady rate at the limit is always allowed", func(t *testing.T) {
		l, clk := setup(t)
		for i := range 50 {
			if d := allow(t, l, "k", fiveAMinute); !d.Allowed {
				t.Fatalf("event %d at one per 12s refused: %+v", i+1, d)
			}
			clk.Advance(12 * time.Second)
		}
	})

	t.Run("the budget bounds every window", func(t *testing.T) {
		l, clk := setup(t)
		// An attempt every second for ten minutes. GCRA allows the burst of 5 at once and then
		// one every 12 seconds: a window that starts with a full budget holds at most 5 + 4
		// events (the burst and the refills within it), and once the budget is spent every
		// window holds at most 5.
		var allowedAt []time.Duration
		for range 600 {
			if allow(t, l, "k", fiveAMinute).Allowed {
				allowedAt = append(allowedAt, clk.Now().Sub(Start))
			}
			clk.Advance(time.Second)
		}
		for i, from := range allowedAt {
			n := 0
			for _, at := range allowedAt[i:] {
				if at-from < time.Minute {
					n++
				}
			}
			if n > 2*5-1 || (from >= time.Minute && n > 5) {
				t.Fatalf("%d events within the minute from %v", n, from)
			}
		}
		// 5 at once, then one at 12s, 24s, … 588s.
		if len(allowedAt) != 5+49 || allowedAt[4] != 4*time.Second || allowedAt[5] != 12*time.Second ||
			allowedAt[len(allowedAt)-1] != 588*time.Second {
			t.Fatalf("allowed at %v", allowedAt)
		}
	})

	t.Run("refusals do not use budget", func(t *testing.T) {
		l, clk := setup(t)
		r := ratelimit.Rule{Limit: 2, Window: 10 * time.Second}
		allow(t, l, "k", r)
		allow(t, l, "k", r)
		for range 100 {
			allow(t, l, "k", r)
		}
		clk.Advance(5 * time.Second)
		if d := allow(t, l, "k", r); !d.Allowed {
			t.Fatalf("hammering while refused pushed the budget back: %+v", d)
		}
	})

	t.Run("keys are independent", func(t *testing.T) {
		l, _ := setup(t)
		one := ratelimit.Rule{Limit: 1, Window: time.Hour}
		if !allow(t, l, "login:a@example.com", one).Allowed {
			t.Fatal("first key refused")
		}
		if allow(t, l, "login:a@example.com", one).Allowed {
			t.Fatal("first key allowed twice")
		}
		for _, k := range []string{"login:b@example.com", "login:A@example.com", "", "login:a@example.com ", "ключ {slot} *"} {
			if !allow(t, l, k, one).Allowed {
				t.Fatalf("key %q shares the budget of another", k)
			}
		}
	})

	t.Run("limit of one", func(t *testing.T) {
		l, clk := setup(t)
		r := ratelimit.Rule{Limit: 1, Window: 3 * time.Second}
		if !allow(t, l, "k", r).Allowed {
			t.Fatal("refused")
		}
		if d := allow(t, l, "k", r); d.Allowed || d.RetryAfter != 3*time.Second {
			t.Fatalf("%+v", d)
		}
		clk.Advance(3 * time.Second)
		if !allow(t, l, "k", r).Allowed {
			t.Fatal("refused after the window")
		}
	})

	t.Run("sub-second rules", func(t *testing.T) {
		l, clk := setup(t)
		r := ratelimit.Rule{Limit: 4, Window: 100 * time.Millisecond} // one per 25ms
		for range 4 {
			if !allow(t, l, "k", r).Allowed {
				t.Fatal("burst refused")
			}
		}
		if d := allow(t, l, "k", r); d.Allowed || d.RetryAfter != 25*time.Millisecond {
			t.Fatalf("%+v", d)
		}
		clk.Advance(25 * time.Millisecond)
		if !allow(t, l, "k", r).Allowed {
			t.Fatal("refused after an interval")
		}
	})

	t.Run("invalid rules are errors", func(t *testing.T) {
		l, _ := setup(t)
		for _, r := range []ratelimit.Rule{{}, {Limit: 0, Window: time.Second}, {Limit: -1, Window: time.Second},
			{Limit: 1, Window: 0}, {Limit: 1, Window: -time.Second}, {Limit: 1000, Window: time.Microsecond}} {
			if _, err := l.Allow(ctx, "k", r); err == nil {
				t.Errorf("rule %+v accepted", r)
			}
		}
	})

	t.Run("concurrent callers share one budget exactly", func(t *testing.T) {
		l, _ := setup(t)
		r := ratelimit.Rule{Limit: 10, Window: time.Hour}
		const callers = 50
		var allowed atomic.Int32
		var wg sync.WaitGroup
		errc := make(chan error, callers)
		for range callers {
			wg.Go(func() {
				d, err := l.Allow(ctx, "shared", r)
				if err != nil {
					errc <- err
					return
				}
				if d.Allowed {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		if n := allowed.Load(); n != 10 {
			t.Fatalf("%d of %d concurrent events allowed, want exactly 10", n, callers)
		}
	})

	t.Run("a canceled context is an error, not a decision", func(t *testing.T) {
		l, _ := setup(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if d, err := l.Allow(cctx, "k", fiveAMinute); err == nil {
			t.Fatalf("decided %+v on a canceled context", d)
		}
	})
}
