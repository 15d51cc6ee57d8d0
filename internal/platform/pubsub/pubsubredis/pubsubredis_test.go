package pubsubredis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub/pubsubredis"
)

func redisClient(t *testing.T) redis.UniversalClient {
	t.Helper()
	url := os.Getenv("MARQUEE_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("Redis at %s is needed for this test: %v", url, err)
	}
	return c
}

func randomPrefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test:" + hex.EncodeToString(b) + ":"
}

func receive(t *testing.T, ch <-chan []byte) string {
	t.Helper()
	select {
	case m, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return string(m)
	case <-time.After(2 * time.Second):
		t.Fatal("no message within 2s")
	}
	return ""
}

func TestBuses(t *testing.T) {
	prefix := randomPrefix()
	buses := map[string][2]pubsub.Bus{}
	// Two Redis buses on two clients stand for two replicas.
	r1 := pubsubredis.New(redisClient(t), prefix, nil)
	r2 := pubsubredis.New(redisClient(t), prefix, nil)
	t.Cleanup(func() { _ = r1.Close(); _ = r2.Close() })
	buses["redis across replicas"] = [2]pubsub.Bus{r1, r2}

	for name, pair := range buses {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			pub, sub := pair[0], pair[1]
			a, cancelA, err := sub.Subscribe(ctx, "show:1")
			if err != nil {
				t.Fatal(err)
			}
			b, cancelB, err := sub.Subscribe(ctx, "show:1")
			if err != nil {
				t.Fatal(err)
			}
			other, cancelOther, err := sub.Subscribe(ctx, "show:2")
			if err != nil {
				t.Fatal(err)
			}
			defer cancelOther()
			if err := pub.Publish(ctx, "show:1", []byte("hello")); err != nil {
				t.Fatal(err)
			}
			if receive(t, a) != "hello" || receive(t, b) != "hello" {
				t.Fatal("both subscribers must receive")
			}
			select {
			case m := <-other:
				t.Fatalf("show:2 got %q", m)
			case <-time.After(50 * time.Millisecond):
			}
			cancelA()
			if _, ok := <-a; ok {
				t.Fatal("a cancelled subscription's channel must close")
			}
			if err := pub.Publish(ctx, "show:1", []byte("again")); err != nil {
				t.Fatal(err)
			}
			if receive(t, b) != "again" {
				t.Fatal("the remaining subscriber must still receive")
			}
			cancelB()
			// Cancelling twice is harmless.
			cancelB()
		})
	}
}
