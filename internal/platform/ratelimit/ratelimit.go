// Package ratelimit limits how often something may happen per key (a login per e-mail, a request
// per client address), with the generic cell rate algorithm (GCRA).
//
// A Rule{Limit: n, Window: w} is a bucket of n events that refills one event every w/n: a caller
// that has been quiet for w has its whole budget back and may use it at once, and one that keeps
// asking gets exactly n per w. So any window of length w holds at most n events once the budget
// is spent, and at most 2n−1 when it starts with a full budget (the burst, plus the n−1 events
// refilled within the window); this is GCRA's (and a token bucket's) trade against an exact
// sliding window, which would have to remember n timestamps per key. GCRA keeps one timestamp per
// key (the "theoretical arrival time", TAT), so each check is O(1) in time and space. A refused
// attempt does not use up budget.
//
// Two adapters implement Limiter with the same semantics, and one conformance suite
// (ratelimittest) runs on both: Memory, in-process (the embedded default), and
// ratelimitredis.Limiter, on Redis with a Lua script, shared by every process that uses the same
// Redis and key prefix.
package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Rule is a budget: Limit events per Window.
type Rule struct {
	Limit  int
	Window time.Duration
}

// Validate checks that the rule is usable: Limit ≥ 1, Window > 0 and Window/Limit at least a
// microsecond (the adapters' resolution).
func (r Rule) Validate() error {
	if r.Limit < 1 || r.Window <= 0 {
		return fmt.Errorf("ratelimit: rule %d per %s: limit and window must be positive", r.Limit, r.Window)
	}
	if r.Window/time.Duration(r.Limit) < time.Microsecond {
		return fmt.Errorf("ratelimit: rule %d per %s: more than one event per microsecond", r.Limit, r.Window)
	}
	return nil
}

// Interval is the time after which one more event is allowed: Window/Limit.
func (r Rule) Interval() time.Duration { return r.Window / time.Duration(r.Limit) }

// String returns e.g. "10 per 1m0s".
func (r Rule) String() string { return strconv.Itoa(r.Limit) + " per " + r.Window.String() }

// Decision is the answer to one Allow.
type Decision struct {
	// Allowed says whether the event may happen; when true it has been counted.
	Allowed bool
	// Remaining is how many more events would be allowed right now.
	Remaining int
	// RetryAfter is, when refused, how long until one event will be allowed; 0 when allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the whole budget is back.
	ResetAfter time.Duration
}

// Err returns nil when the decision allows, and otherwise a RateLimited error saying when to try
// again (detail "retryAfterSeconds", rounded up).
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	secs := int64((d.RetryAfter + time.Second - 1) / time.Second)
	return errs.E(errs.RateLimited, "too many attempts; try again in %d seconds", secs).
		WithDetail("retryAfterSeconds", strconv.FormatInt(secs, 10))
}

// Limiter decides whether an event for a key is within its rule's budget.
type Limiter interface {
	// Allow counts one event for key under rule if the budget allows it. The same key should
	// always be used with the same rule. Errors: an invalid rule (a programming error);
	// Unavailable when the backing store cannot be reached, in which case the caller chooses to
	// fail open or closed.
	Allow(ctx context.Context, key string, rule Rule) (Decision, error)
}

// Allow is Limiter.Allow folded into one error: nil when allowed, RateLimited (see Decision.Err)
// when not, and the limiter's error otherwise.
func Allow(ctx context.Context, l Limiter, key string, rule Rule) error {
	d, err := l.Allow(ctx, key, rule)
	if err != nil {
		return err
	}
	return d.Err()
}

// GCRA computes a decision from the stored TAT (zero when none) at now. It returns the decision
// and the TAT to store when allowed. Exported so that adapters share one formula.
func GCRA(tat, now time.Time, rule Rule) (Decision, time.Time) {
	interval := rule.Interval()
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(interval)
	allowAt := next.Add(-rule.Window)
	if now.Before(allowAt) {
		return Decision{RetryAfter: allowAt.Sub(now), ResetAfter: tat.Sub(now)}, tat
	}
	reset := next.Sub(now)
	return Decision{Allowed: true, Remaining: int((rule.Window - reset) / interval), ResetAfter: reset}, next
}

// Memory is an in-process Limiter: one map of TATs under a mutex. Keys whose budget is full again
// are swept out as it goes, so the map holds only keys that were used within their window.
type Memory struct {
	clock clock.Clock

	mu    sync.Mutex
	tats  map[string]time.Time
	calls int
}

var _ Limiter = (*Memory)(nil)

// sweepEvery is how many calls pass between sweeps of the map.
const sweepEvery = 1024

// NewMemory returns an empty in-process limiter on clk.
func NewMemory(clk clock.Clock) *Memory {
	return &Memory{clock: clk, tats: map[string]time.Time{}}
}

// Allow implements Limiter.
func (m *Memory) Allow(ctx context.Context, key string, rule Rule) (Decision, error) {
	if err := rule.Validate(); err != nil {
		return Decision{}, err
	}
	if err := ctx.Err(); err != nil {
		return Decision{}, errs.Wrap(err, errs.Unavailable, "rate limiter: the request ended")
	}
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.calls%sweepEvery == 0 {
		m.sweep(now)
	}
	d, next := GCRA(m.tats[key], now, rule)
	if d.Allowed {
		m.tats[key] = next
	}
	return d, nil
}

// sweep drops the keys whose TAT has passed: their budget is full, as if never used.
func (m *Memory) sweep(now time.Time) {
	for k, tat := range m.tats {
		if !tat.After(now) {
			delete(m.tats, k)
		}
	}
}

// Len returns how many keys the limiter holds, after dropping those whose budget is full again.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(m.clock.Now())
	return len(m.tats)
}
