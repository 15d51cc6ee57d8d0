// Package pubsubtest is the conformance suite every pubsub.Bus passes: the in-process bus and
// the Redis bus (between two replicas) run the same checks.
package pubsubtest

import (
	"context"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
)

// Run checks a bus: messages published on pub reach every current subscriber of the topic on
// sub (pub and sub are one bus, or two replicas of a shared one), and no other topic; a cancelled
// subscription's channel closes; cancelling twice is harmless.
func Run(t *testing.T, pub, sub pubsub.Bus) {
	t.Helper()
	ctx := context.Background()
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
	if Receive(t, a) != "hello" || Receive(t, b) != "hello" {
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
	if Receive(t, b) != "again" {
		t.Fatal("the remaining subscriber must still receive")
	}
	cancelB()
	// Cancelling twice is harmless.
	cancelB()
}

// Receive returns the next message of ch, failing the test when none comes within 2 s or the
// channel closes.
func Receive(t *testing.T, ch <-chan []byte) string {
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
