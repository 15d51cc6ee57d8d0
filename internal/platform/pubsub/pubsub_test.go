package pubsub_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
)

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
	buses := map[string][2]pubsub.Bus{}
	mem := pubsub.NewMemory(nil)
	buses["memory"] = [2]pubsub.Bus{mem, mem}

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
