package pubsub_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub/pubsubtest"
)

func TestMemory(t *testing.T) {
	bus := pubsub.NewMemory(nil)
	pubsubtest.Run(t, bus, bus)
}

func TestSlowSubscriberLosesMessagesWithoutBlocking(t *testing.T) {
	var dropped atomic.Int64
	bus := pubsub.NewMemory(func() { dropped.Add(1) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, _, err := bus.Subscribe(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		if err := bus.Publish(ctx, "t", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if dropped.Load() == 0 {
		t.Fatal("a full subscriber must lose messages, not block the publisher")
	}
}

func TestSubscriptionEndsWithContext(t *testing.T) {
	bus := pubsub.NewMemory(nil)
	ctx, cancel := context.WithCancel(context.Background())
	ch, _, err := bus.Subscribe(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("unexpected message")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("channel not closed after the context ended")
	}
}
