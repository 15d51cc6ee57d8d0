// Package ratelimitredis is a ratelimit.Limiter on Redis (github.com/redis/go-redis/v9), shared by
// every process that uses the same Redis and key prefix.
//
// Each key is one Redis string, <prefix><key>, holding its GCRA "theoretical arrival time" in
// microseconds since the Unix epoch. One Lua script reads it, decides and writes it back, so a
// check is a single atomic round-trip however many processes share the budget. Every write sets
// a TTL equal to the time until the budget is full again, after which the key is the same as
// absent: Redis deletes it and nothing is left behind. A refused attempt writes nothing.
//
// Time comes from the Redis server (TIME) unless Options.Clock is set, so that processes with
// skewed clocks still share one budget exactly.
package ratelimitredis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
)

// DefaultPrefix is the key prefix when Options.Prefix is empty.
const DefaultPrefix = "marquee:ratelimit:"

// script is GCRA on one key, in integer microseconds (exact in Lua's doubles until year 2255).
//
//	KEYS[1]  the key
//	ARGV[1]  interval: window / limit
//	ARGV[2]  window
//	ARGV[3]  now, or "" to use the server's TIME
//
// Returns {allowed (0|1), remaining, retryAfter, resetAfter}.
var script = redis.NewScript(`
if redis.replicate_commands then
  redis.replicate_commands() -- Redis < 5: replicate the SET, not the script that read TIME
end
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now
if ARGV[3] == "" then
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[3])
end
local tat = tonumber(redis.call("GET", KEYS[1])) or now
if tat < now then
  tat = now
end
local nexttat = tat + interval
local allowat = nexttat - window
if now < allowat then
  return {0, 0, allowat - now, tat - now}
end
local reset = nexttat - now
redis.call("SET", KEYS[1], string.format("%.0f", nexttat), "PX", math.ceil(reset / 1000))
return {1, math.floor((window - reset) / interval), 0, reset}
`)

// Options configure a Limiter.
type Options struct {
	// Prefix is put before every key; DefaultPrefix when empty. Give each deployment (and each
	// test) its own.
	Prefix string
	// Clock, when set, is the time source instead of the Redis server's clock (for tests).
	Clock clock.Clock
}

// Limiter is a ratelimit.Limiter on Redis.
type Limiter struct {
	rdb    redis.Scripter
	prefix string
	clock  clock.Clock
}

var _ ratelimit.Limiter = (*Limiter)(nil)

// New returns a limiter on rdb (a *redis.Client, *redis.ClusterClient or any UniversalClient).
func New(rdb redis.Scripter, o Options) *Limiter {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	return &Limiter{rdb: rdb, prefix: o.Prefix, clock: o.Clock}
}

// Key returns the Redis key that holds key's state.
func (l *Limiter) Key(key string) string { return l.prefix + key }

// Allow implements ratelimit.Limiter. Redis errors are Unavailable.
func (l *Limiter) Allow(ctx context.Context, key string, rule ratelimit.Rule) (ratelimit.Decision, error) {
	if err := rule.Validate(); err != nil {
		return ratelimit.Decision{}, err
	}
	now := ""
	if l.clock != nil {
		now = strconv.FormatInt(l.clock.Now().UnixMicro(), 10)
	}
	res, err := script.Run(ctx, l.rdb, []string{l.Key(key)},
		rule.Interval().Microseconds(), rule.Window.Microseconds(), now).Int64Slice()
	if err != nil {
		return ratelimit.Decision{}, errs.Wrap(err, errs.Unavailable, "rate limiter unavailable")
	}
	if len(res) != 4 {
		return ratelimit.Decision{}, fmt.Errorf("ratelimitredis: script returned %d values, want 4", len(res))
	}
	return ratelimit.Decision{Allowed: res[0] == 1, Remaining: int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond, ResetAfter: time.Duration(res[3]) * time.Microsecond}, nil
}
