// Package pubsubredis is the pubsub.Bus over Redis pub/sub: every process sharing a Redis hears
// every message, so a seat change made through one gateway replica reaches subscribers of all.
package pubsubredis

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
)

// Bus is a pubsub.Bus over Redis pub/sub. One connection carries every topic this process listens to;
// topics are subscribed while they have local subscribers.
type Bus struct {
	client redis.UniversalClient
	prefix string
	f      *pubsub.Fanout

	mu     sync.Mutex
	ps     *redis.PubSub
	closed bool
	done   chan struct{}
}

var _ pubsub.Bus = (*Bus)(nil)

// New returns a Redis bus whose channels are prefix + topic; dropped (may be nil) is called for
// each message a slow local subscriber loses.
func New(client redis.UniversalClient, prefix string, dropped func()) *Bus {
	return &Bus{client: client, prefix: prefix, f: pubsub.NewFanout(dropped)}
}

// Publish sends msg to every process subscribed to topic.
func (r *Bus) Publish(ctx context.Context, topic string, msg []byte) error {
	if err := r.client.Publish(ctx, r.prefix+topic, msg).Err(); err != nil {
		return fmt.Errorf("publish to %s: %w", topic, err)
	}
	return nil
}

// Subscribe listens to a topic. It returns once Redis has confirmed the subscription, so a message
// published after Subscribe returns is delivered.
func (r *Bus) Subscribe(ctx context.Context, topic string) (<-chan []byte, func(), error) {
	s, first := r.f.Add(topic)
	if first {
		if err := r.subscribe(ctx, topic); err != nil {
			r.f.Remove(topic, s)
			return nil, nil, err
		}
	}
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			if last := r.f.Remove(topic, s); last {
				r.mu.Lock()
				ps := r.ps
				r.mu.Unlock()
				if ps != nil {
					_ = ps.Unsubscribe(context.Background(), r.prefix+topic)
				}
			}
		})
	}
	go func() {
		<-ctx.Done()
		cancel()
	}()
	return s.C(), cancel, nil
}

func (r *Bus) subscribe(ctx context.Context, topic string) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return fmt.Errorf("pubsub: closed")
	}
	if r.ps == nil {
		r.ps = r.client.Subscribe(context.WithoutCancel(ctx))
		r.done = make(chan struct{})
		go r.receive(r.ps, r.done)
	}
	ps := r.ps
	r.mu.Unlock()
	if err := ps.Subscribe(ctx, r.prefix+topic); err != nil {
		return fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	// Wait until Redis counts the subscription, so that no message published after Subscribe
	// returns is missed.
	for i := 0; ; i++ {
		n, err := r.client.PubSubNumSub(ctx, r.prefix+topic).Result()
		if err != nil {
			return fmt.Errorf("subscribe to %s: %w", topic, err)
		}
		if n[r.prefix+topic] > 0 {
			return nil
		}
		if i == 200 {
			return fmt.Errorf("subscribe to %s: not confirmed by redis", topic)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func (r *Bus) receive(ps *redis.PubSub, done chan struct{}) {
	defer close(done)
	ch := ps.Channel(redis.WithChannelSize(1024))
	for m := range ch {
		r.f.Deliver(m.Channel[len(r.prefix):], []byte(m.Payload))
	}
}

// Close ends every subscription.
func (r *Bus) Close() error {
	r.mu.Lock()
	ps, done := r.ps, r.done
	r.closed = true
	r.mu.Unlock()
	if ps == nil {
		return nil
	}
	err := ps.Close()
	<-done
	return err
}
