package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/cache"
	"github.com/marquee-cinema/marquee/internal/platform/redistest"
)

func TestCaches(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]cache.Cache{
		"memory": cache.NewMemory(2),
		"redis":  cache.NewRedis(redistest.Client(t, 0), redistest.Prefix("cache"), func(err error) { t.Errorf("redis: %v", err) }),
	} {
		t.Run(name, func(t *testing.T) {
			if _, ok := c.Get(ctx, "a"); ok {
				t.Fatal("hit on an empty cache")
			}
			c.Set(ctx, "a", []byte("1"), time.Minute)
			if v, ok := c.Get(ctx, "a"); !ok || string(v) != "1" {
				t.Fatalf("get a = %q %v", v, ok)
			}
			c.Delete(ctx, "a")
			if _, ok := c.Get(ctx, "a"); ok {
				t.Fatal("hit after delete")
			}
			c.Set(ctx, "short", []byte("x"), 50*time.Millisecond)
			time.Sleep(120 * time.Millisecond)
			if _, ok := c.Get(ctx, "short"); ok {
				t.Fatal("hit after expiry")
			}
		})
	}
}

func TestMemoryIsBounded(t *testing.T) {
	ctx := context.Background()
	m := cache.NewMemory(3)
	for i := 0; i < 10; i++ {
		m.Set(ctx, string(rune('a'+i)), []byte{byte(i)}, time.Minute)
	}
	n := 0
	for i := 0; i < 10; i++ {
		if _, ok := m.Get(ctx, string(rune('a'+i))); ok {
			n++
		}
	}
	if n > 3 || n == 0 {
		t.Fatalf("%d entries live, want 1..3", n)
	}
	if _, ok := m.Get(ctx, "j"); !ok {
		t.Fatal("the newest entry was evicted")
	}
}
