package bookinggrpc

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
)

// counter is a load function that counts its calls and returns their number, after release
// (when set) is closed.
type counter struct {
	calls   atomic.Int64
	release chan struct{}
	fail    atomic.Bool
}

func (c *counter) load(ctx context.Context, key string) (int64, error) {
	n := c.calls.Add(1)
	if c.release != nil {
		<-c.release
	}
	if c.fail.Load() {
		return 0, errors.New("show service down")
	}
	return n, nil
}

func TestTTLCacheSharesLoads(t *testing.T) {
	clk := clock.NewManual(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	c := ttlCache[int64]{ttl: time.Second}
	l := &counter{release: make(chan struct{})}
	var wg sync.WaitGroup
	results := make([]int64, 50)
	for i := range results {
		wg.Go(func() {
			v, err := c.get(context.Background(), "show", clk, l.load)
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		})
	}
	for l.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others queue behind the load
	close(l.release)
	wg.Wait()
	if n := l.calls.Load(); n != 1 {
		t.Fatalf("50 concurrent misses made %d loads, want 1", n)
	}
	for _, v := range results {
		if v != 1 {
			t.Fatalf("a caller got %d, want the one load's value", v)
		}
	}
}

func TestTTLCacheServesStaleWhileRefreshing(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	c := ttlCache[int64]{ttl: time.Second}
	l := &counter{}
	get := func() int64 {
		t.Helper()
		v, err := c.get(ctx, "show", clk, l.load)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := get(); v != 1 {
		t.Fatalf("first get = %d", v)
	}
	clk.Advance(999 * time.Millisecond)
	if v := get(); v != 1 || l.calls.Load() != 1 {
		t.Fatalf("fresh get = %d after %d loads, want 1 after 1", v, l.calls.Load())
	}
	// Expired but within another ttl: the old value at once, one refresh behind it.
	clk.Advance(500 * time.Millisecond)
	l.release = make(chan struct{})
	for range 10 {
		if v := get(); v != 1 {
			t.Fatalf("stale get = %d, want the old value 1", v)
		}
	}
	close(l.release)
	deadline := time.Now().Add(5 * time.Second)
	for get() != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the background refresh never landed")
		}
		time.Sleep(time.Millisecond)
	}
	if n := l.calls.Load(); n != 2 {
		t.Fatalf("%d loads, want 2 (one refresh for ten stale reads)", n)
	}
	// Long expired: a caller waits for a fresh value.
	l.release = nil
	clk.Advance(2 * time.Second)
	if v := get(); v != 3 {
		t.Fatalf("get long after expiry = %d, want a new load's 3", v)
	}
}

func TestTTLCacheDoesNotKeepErrors(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	c := ttlCache[int64]{ttl: time.Second}
	l := &counter{}
	l.fail.Store(true)
	if _, err := c.get(ctx, "show", clk, l.load); err == nil {
		t.Fatal("a failed load returned no error")
	}
	l.fail.Store(false)
	if v, err := c.get(ctx, "show", clk, l.load); err != nil || v != 2 {
		t.Fatalf("after a failure: %d, %v; want a new load", v, err)
	}
	// A waiter whose context ends stops waiting.
	l.release = make(chan struct{})
	defer close(l.release)
	clk.Advance(5 * time.Second)
	go func() { _, _ = c.get(ctx, "show", clk, l.load) }()
	for l.calls.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := c.get(cctx, "show", clk, l.load); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting with an ending context: %v", err)
	}
}

func TestTTLCacheForget(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	c := ttlCache[int64]{ttl: time.Second}
	l := &counter{}
	if v, _ := c.get(ctx, "show", clk, l.load); v != 1 {
		t.Fatalf("first get = %d", v)
	}
	c.forget("show")
	if v, _ := c.get(ctx, "show", clk, l.load); v != 2 {
		t.Fatalf("get after forget = %d, want a new load", v)
	}
}
