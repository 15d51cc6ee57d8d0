package ratelimitredis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit/ratelimitredis"
	"github.com/marquee-cinema/marquee/internal/platform/ratelimit/ratelimittest"
)

// EnvRedisURL points the tests at a Redis; the default is the CI Redis at 127.0.0.1:6379.
const EnvRedisURL = "MARQUEE_TEST_REDIS_URL"

// newClient connects to the test Redis. Without EnvRedisURL and with nothing listening on the
// default address the test is skipped, saying so; with EnvRedisURL set, an unreachable Redis fails.
func newClient(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv(EnvRedisURL)
	explicit := url != ""
	if !explicit {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("%s: %v", EnvRedisURL, err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		if explicit {
			t.Fatalf("redis at %s: %v", opts.Addr, err)
		}
		t.Skipf("no Redis at %s (%v); set %s to run the Redis limiter tests", opts.Addr, err, EnvRedisURL)
	}
	return rdb
}

// newPrefix returns a random key prefix for one test and deletes its keys when the test ends
// (never FLUSHDB: the Redis is shared).
func newPrefix(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "marquee-test:ratelimit:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := scan(ctx, rdb, prefix)
		if err != nil {
			t.Errorf("scan test keys: %v", err)
			return
		}
		if len(keys) > 0 {
			if err := rdb.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("delete test keys: %v", err)
			}
		}
	})
	return prefix
}

func scan(ctx context.Context, rdb *redis.Client, prefix string) ([]string, error) {
	var keys []string
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

func TestConformance(t *testing.T) {
	rdb := newClient(t)
	ratelimittest.Run(t, func(t *testing.T, clk clock.Clock) ratelimit.Limiter {
		return ratelimitredis.New(rdb, ratelimitredis.Options{Prefix: newPrefix(t, rdb), Clock: clk})
	})
}

// TestKeysExpire checks that every key carries a TTL no longer than the time until its budget
// is full, that a refusal leaves it alone, and that Redis drops it once the budget is back.
func TestKeysExpire(t *testing.T) {
	ctx := context.Background()
	rdb := newClient(t)
	prefix := newPrefix(t, rdb)
	l := ratelimitredis.New(rdb, ratelimitredis.Options{Prefix: prefix}) // the server's clock
	r := ratelimit.Rule{Limit: 2, Window: 400 * time.Millisecond}

	d, err := l.Allow(ctx, "user@example.com", r)
	if err != nil || !d.Allowed {
		t.Fatalf("%+v %v", d, err)
	}
	key := l.Key("user@example.com")
	if key != prefix+"user@example.com" {
		t.Fatalf("key %q does not carry the prefix", key)
	}
	ttl, err := rdb.PTTL(ctx, key).Result()
	if err != nil || ttl <= 0 || ttl > 200*time.Millisecond {
		t.Fatalf("TTL %v (%v), want within (0, 200ms]", ttl, err)
	}
	if _, err := l.Allow(ctx, "user@example.com", r); err != nil {
		t.Fatal(err)
	}
	before, _ := rdb.Get(ctx, key).Result()
	if d, _ := l.Allow(ctx, "user@example.com", r); d.Allowed {
		t.Fatal("third event in 400ms allowed")
	}
	if after, _ := rdb.Get(ctx, key).Result(); after != before {
		t.Fatalf("a refusal wrote %q over %q", after, before)
	}
	if ttl, _ := rdb.PTTL(ctx, key).Result(); ttl <= 0 || ttl > 400*time.Millisecond {
		t.Fatalf("TTL %v after the burst, want within (0, 400ms]", ttl)
	}
	time.Sleep(450 * time.Millisecond)
	if keys, err := scan(ctx, rdb, prefix); err != nil || len(keys) != 0 {
		t.Fatalf("left behind: %v %v", keys, err)
	}
}

// TestTwoInstancesShareOneBudget runs two limiters, each with its own client (as two processes
// would), on one prefix: together they allow exactly the limit.
func TestTwoInstancesShareOneBudget(t *testing.T) {
	ctx := context.Background()
	rdbA, rdbB := newClient(t), newClient(t)
	prefix := newPrefix(t, rdbA)
	a := ratelimitredis.New(rdbA, ratelimitredis.Options{Prefix: prefix})
	b := ratelimitredis.New(rdbB, ratelimitredis.Options{Prefix: prefix})
	r := ratelimit.Rule{Limit: 10, Window: time.Hour}

	var allowed [2]atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		l, n := a, &allowed[0]
		if i%2 == 1 {
			l, n = b, &allowed[1]
		}
		wg.Go(func() {
			d, err := l.Allow(ctx, "login:shared@example.com", r)
			if err != nil {
				t.Error(err)
				return
			}
			if d.Allowed {
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if total := allowed[0].Load() + allowed[1].Load(); total != 10 {
		t.Fatalf("%d + %d allowed, want 10 in all", allowed[0].Load(), allowed[1].Load())
	}
	if allowed[0].Load() == 0 || allowed[1].Load() == 0 {
		t.Logf("one instance got the whole budget (%d/%d): fine, but unusual", allowed[0].Load(), allowed[1].Load())
	}
	for _, l := range []*ratelimitredis.Limiter{a, b} {
		d, err := l.Allow(ctx, "login:shared@example.com", r)
		if err != nil || d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > 6*time.Minute {
			t.Fatalf("after the shared budget is spent: %+v %v", d, err)
		}
	}

	// Another prefix is another budget.
	other := ratelimitredis.New(rdbA, ratelimitredis.Options{Prefix: newPrefix(t, rdbA)})
	if d, err := other.Allow(ctx, "login:shared@example.com", r); err != nil || !d.Allowed {
		t.Fatalf("another prefix shares the budget: %+v %v", d, err)
	}
}

// TestServerClock checks the default time source, the Redis server's TIME.
func TestServerClock(t *testing.T) {
	ctx := context.Background()
	rdb := newClient(t)
	l := ratelimitredis.New(rdb, ratelimitredis.Options{Prefix: newPrefix(t, rdb)})
	r := ratelimit.Rule{Limit: 3, Window: 30 * time.Second}
	for i := range 3 {
		if d, err := l.Allow(ctx, "k", r); err != nil || !d.Allowed || d.Remaining != 2-i {
			t.Fatalf("event %d: %+v %v", i+1, d, err)
		}
	}
	d, err := l.Allow(ctx, "k", r)
	if err != nil || d.Allowed || d.RetryAfter <= 9*time.Second || d.RetryAfter > 10*time.Second {
		t.Fatalf("fourth: %+v %v, want refused for about 10s", d, err)
	}
	v, err := rdb.Get(ctx, l.Key("k")).Result()
	if err != nil {
		t.Fatal(err)
	}
	tat, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("stored %q is not integer microseconds", v)
	}
	if at := time.UnixMicro(tat); at.Before(time.Now().Add(25*time.Second)) || at.After(time.Now().Add(35*time.Second)) {
		t.Fatalf("stored TAT %v, want about 30s from now", at)
	}
}

func TestDefaultPrefix(t *testing.T) {
	l := ratelimitredis.New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), ratelimitredis.Options{})
	if got := l.Key("x"); got != ratelimitredis.DefaultPrefix+"x" {
		t.Fatalf("key %q", got)
	}
}

func TestUnreachableRedisIsUnavailable(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	l := ratelimitredis.New(rdb, ratelimitredis.Options{Prefix: "marquee-test:unreachable:"})
	_, err := l.Allow(context.Background(), "k", ratelimit.Rule{Limit: 1, Window: time.Second})
	if !errs.Is(err, errs.Unavailable) {
		t.Fatalf("got %v, want unavailable", err)
	}
}
