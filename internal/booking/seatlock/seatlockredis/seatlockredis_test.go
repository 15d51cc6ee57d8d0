package seatlockredis_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlockredis"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlocktest"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/redistest"
)

// scanPrefix returns every key under prefix.
func scanPrefix(tb testing.TB, c redis.UniversalClient, prefix string) []string {
	tb.Helper()
	var keys []string
	iter := c.Scan(context.Background(), 0, prefix+"*", 1000).Iterator()
	for iter.Next(context.Background()) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		tb.Fatal(err)
	}
	return keys
}

// newRedisLocker returns a Redis locker under a fresh prefix whose keys are deleted when the
// test ends (they would expire by themselves, later).
func newRedisLocker(tb testing.TB, poolSize int, opts ...seatlock.Option) *seatlockredis.Locker {
	c := redistest.Client(tb, poolSize)
	prefix := redistest.Prefix("seatlock")
	tb.Cleanup(func() {
		for _, k := range scanPrefix(tb, c, prefix) {
			_ = c.Unlink(context.Background(), k).Err()
		}
	})
	l := seatlockredis.New(c, prefix, opts...)
	tb.Cleanup(func() { _ = l.Close() })
	return l
}

func TestRedis(t *testing.T) {
	t.Parallel()
	seatlocktest.Run(t, func(t *testing.T) seatlock.Locker { return newRedisLocker(t, 64) })
}

// TestRedisSplitDueIndex runs the suite with the due index written as on Redis Cluster.
func TestRedisSplitDueIndex(t *testing.T) {
	t.Parallel()
	seatlocktest.Run(t, func(t *testing.T) seatlock.Locker { return seatlockredis.SplitDueIndex(newRedisLocker(t, 64)) })
}

// TestRedisKeysExpire checks that nothing is left behind: while holds come and go every key under
// the prefix has a TTL, and once everything has expired (and ExpireDue ran) no key remains.
func TestRedisKeysExpire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := redistest.Client(t, 10)
	prefix := redistest.Prefix("seatlock")
	const grace = time.Second
	l := seatlockredis.New(c, prefix, seatlock.WithGrace(grace), seatlock.WithBookedRetention(time.Second),
		seatlock.WithClaimLease(200*time.Millisecond))
	allHaveTTL := func(when string) int {
		keys := scanPrefix(t, c, prefix)
		for _, k := range keys {
			if ttl := c.PTTL(ctx, k).Val(); ttl <= 0 && ttl != -2 { // -2: gone meanwhile
				t.Errorf("%s: key %s has no TTL (PTTL %v)", when, k, ttl)
			}
		}
		return len(keys)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	shows := []string{"s1", "s2", "s3"}
	n := 0
	for round := range 3 {
		for i, show := range shows {
			for o := range 4 {
				n++
				id := fmt.Sprintf("h%d", n)
				owner := fmt.Sprintf("o%d-r%d", o, round)
				ttl := time.Duration(200+100*((n+i)%3)) * time.Millisecond
				seats := []string{fmt.Sprintf("A%d", o*2+round*10), fmt.Sprintf("A%d", o*2+1+round*10)}
				_, err := l.Hold(ctx, seatlock.Hold{ID: id, ShowID: show, OwnerID: owner, SeatIDs: seats,
					ExpiresAt: now.Add(ttl), Payload: []byte("quote")}, seatlock.Guard{}, now)
				must(err)
				switch o {
				case 0:
					_, err = l.Release(ctx, show, id, owner, now)
				case 1:
					_, err = l.Consume(ctx, show, id, now)
				case 2:
					_, err = l.Extend(ctx, show, id, owner, now.Add(ttl+100*time.Millisecond), now)
				}
				must(err)
			}
		}
	}
	_, err := l.MarkBooked(ctx, "s4", []string{"B1", "B2"}, now.Add(700*time.Millisecond), now)
	must(err)
	must(l.Unbook(ctx, "s4", []string{"B1"}))
	// A refused hold leaves nothing behind either.
	_, err = l.Hold(ctx, seatlock.Hold{ID: "refused", ShowID: "s4", OwnerID: "x", SeatIDs: []string{"B2"},
		ExpiresAt: now.Add(time.Hour)}, seatlock.Guard{}, now)
	if err == nil {
		t.Fatal("a hold on a booked seat succeeded")
	}
	live := allHaveTTL("while holds live")
	if live == 0 {
		t.Fatal("no keys under the prefix: the test looks in the wrong place")
	}
	for _, k := range scanPrefix(t, c, prefix) {
		if strings.Contains(k, "{") && !strings.HasPrefix(k, prefix+"{show:") {
			t.Errorf("key %s: the hash tag is not the show", k)
		}
	}

	// Every hold has expired (the latest at +500ms); ExpireDue runs well within the grace.
	time.Sleep(time.Until(now.Add(550 * time.Millisecond)))
	expired := 0
	for {
		hs, err := l.ExpireDue(ctx, time.Now(), 5)
		must(err)
		if len(hs) == 0 {
			break
		}
		expired += len(hs)
	}
	if expired != 2*len(shows)*3 { // the holds of o2 (extended) and o3 in each show and round
		t.Errorf("ExpireDue returned %d holds, want %d", expired, 2*len(shows)*3)
	}
	after := allHaveTTL("after expiry")

	deadline := time.Now().Add(8 * time.Second) // two graces after the last expiry, and the booked marks

	for {
		keys := scanPrefix(t, c, prefix)
		if len(keys) == 0 {
			t.Logf("%d keys while holds lived, %d after ExpireDue (all with a TTL), none %v after the start",
				live, after, time.Since(now).Round(100*time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("keys left behind after their TTLs: %v", keys)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRedisKeysExpireWithoutExpireDue checks that keys vanish by their TTLs alone when
// ExpireDue never runs: the show structures and the due index still hold members then.
func TestRedisKeysExpireWithoutExpireDue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := redistest.Client(t, 4)
	prefix := redistest.Prefix("seatlock")
	const grace = 500 * time.Millisecond
	l := seatlockredis.New(c, prefix, seatlock.WithGrace(grace))
	now := time.Now()
	for i := range 20 {
		id := fmt.Sprintf("h%d", i)
		owner := fmt.Sprintf("o%d", i%7)
		_, err := l.Hold(ctx, seatlock.Hold{ID: id, ShowID: fmt.Sprintf("s%d", i%3), OwnerID: owner,
			SeatIDs: []string{fmt.Sprintf("A%d", i)}, ExpiresAt: now.Add(time.Duration(100+10*i) * time.Millisecond)}, seatlock.Guard{}, now)
		if err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 {
			if _, err := l.Extend(ctx, fmt.Sprintf("s%d", i%3), id, owner, now.Add(400*time.Millisecond), now); err != nil {
				t.Fatal(err)
			}
		}
	}
	keys := scanPrefix(t, c, prefix)
	for _, k := range keys {
		if ttl := c.PTTL(ctx, k).Val(); ttl <= 0 && ttl != -2 {
			t.Errorf("key %s has no TTL (PTTL %v)", k, ttl)
		}
	}
	// The last expiry is at +400ms; keys live at most two graces longer.
	deadline := now.Add(400*time.Millisecond + 2*grace + time.Second)
	for {
		left := scanPrefix(t, c, prefix)
		if len(left) == 0 {
			t.Logf("%d keys, gone %v after the start", len(keys), time.Since(now).Round(100*time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("keys left behind after their TTLs: %v", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRedisNoScript checks that the locker recovers when Redis does not know its scripts (as
// after a restart): EVALSHA fails with NOSCRIPT and the call is retried with EVAL, for single
// calls and for pipelines. Not parallel: it swaps the package's scripts while it runs.
func TestRedisNoScript(t *testing.T) {
	ctx := context.Background()
	restore := seatlockredis.FreshScripts(redistest.Prefix("seatlock"))
	defer restore()
	now := time.Now()
	for _, l := range []*seatlockredis.Locker{newRedisLocker(t, 4), seatlockredis.SplitDueIndex(newRedisLocker(t, 4))} {
		if _, err := l.Hold(ctx, seatlock.Hold{ID: "h1", ShowID: "s", OwnerID: "o1", SeatIDs: []string{"A1"},
			ExpiresAt: now.Add(time.Minute)}, seatlock.Guard{}, now); err != nil {
			t.Fatal(err)
		}
		if c, err := l.Counts(ctx, []string{"s", "t"}, now); err != nil || c["s"].Held != 1 {
			t.Fatalf("counts = %v, %v", c, err)
		}
		if hs, err := l.ExpireDue(ctx, now.Add(2*time.Minute), 10); err != nil || len(hs) != 1 {
			t.Fatalf("expire due = %v, %v", hs, err)
		}
	}
}

// TestRedisLegacyEntries checks that seat entries written before they carried expiry, count and
// owner (a bare hold id) are still understood: Seats, Counts, Hold and Release see the same holds.
func TestRedisLegacyEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := redistest.Client(t, 4)
	prefix := redistest.Prefix("seatlock")
	t.Cleanup(func() {
		for _, k := range scanPrefix(t, c, prefix) {
			_ = c.Unlink(context.Background(), k).Err()
		}
	})
	l := seatlockredis.New(c, prefix)
	now := time.Now().Truncate(time.Millisecond)
	for _, h := range []seatlock.Hold{
		{ID: "h1", ShowID: "s", OwnerID: "A", SeatIDs: []string{"A1", "A2"}, ExpiresAt: now.Add(time.Minute)},
		{ID: "h2", ShowID: "s", OwnerID: "B", SeatIDs: []string{"A3"}, ExpiresAt: now.Add(2 * time.Minute)},
	} {
		if _, err := l.Hold(ctx, h, seatlock.Guard{}, now); err != nil {
			t.Fatal(err)
		}
	}
	// Rewrite h1's entries the old way.
	seatsKey := prefix + "{show:s}:seats"
	if err := c.HSet(ctx, seatsKey, "A1", "h1", "A2", "h1").Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]seatlock.SeatState{"A1": {HoldID: "h1", OwnerID: "A"}, "A2": {HoldID: "h1", OwnerID: "A"},
		"A3": {HoldID: "h2", OwnerID: "B"}}
	got, err := l.Seats(ctx, "s", now)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("seats = %v, %v; want %v", got, err, want)
	}
	if n, err := l.Counts(ctx, []string{"s"}, now); err != nil || n["s"] != (seatlock.Counts{Held: 3}) {
		t.Fatalf("counts = %v, %v", n, err)
	}
	_, err = l.Hold(ctx, seatlock.Hold{ID: "h3", ShowID: "s", OwnerID: "C", SeatIDs: []string{"A2"},
		ExpiresAt: now.Add(time.Minute)}, seatlock.Guard{}, now)
	if !errs.Is(err, errs.SeatUnavailable) {
		t.Fatalf("hold on a legacy entry's seat: %v, want SeatUnavailable", err)
	}
	if _, err := l.Release(ctx, "s", "h1", "A", now); err != nil {
		t.Fatal(err)
	}
	if n, err := l.Counts(ctx, []string{"s"}, now); err != nil || n["s"] != (seatlock.Counts{Held: 1}) {
		t.Fatalf("counts after release = %v, %v", n, err)
	}
	// h1's seats are free again.
	if _, err := l.Hold(ctx, seatlock.Hold{ID: "h4", ShowID: "s", OwnerID: "D", SeatIDs: []string{"A1"},
		ExpiresAt: now.Add(time.Hour)}, seatlock.Guard{}, now); err != nil {
		t.Fatal(err)
	}
}
