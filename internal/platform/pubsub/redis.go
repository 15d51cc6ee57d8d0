package pubsub

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Bus over Redis pub/sub. One connection carries every topic this process listens to;
// topics are subscribed while they have local subscribers.
type Redis struct {
	client redis.UniversalClient
	prefix string
	f      *fanout

	mu     sync.Mutex
	ps     *redis.PubSub
	closed bool
	done   chan struct{}
}

// NewRedis returns a Redis bus whose channels are prefix + topic.
func NewRedis(client redis.UniversalClient, prefix string, dropped func()) *Redis {
	return &Redis{client: client, prefix: prefix, f: newFanout(dropped)}
}

// Publish sends msg to every process subscribed to topic.
func (r *Redis) Publish(ctx context.Context, topic string, msg []byte) error {
	if err := r.client.Publish(ctx, r.prefix+topic, msg).Err(); err != nil {
		return fmt.Errorf("publish to %s: %w", topic, err)
	}
	return nil
}

// Subscribe listens to a topic. It returns once Redis has confirmed the subscription, so a message
// published after Subscribe returns is delivered.
func (r *Redis) Subscribe(ctx context.Context, topic string) (<-chan []byte, func(), error) {
	s, first := r.f.add(topic)
	if first {
		if err := r.subscribe(ctx, topic); err != nil {
			r.f.remove(topic, s)
			return nil, nil, err
		}
	}
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			if last := r.f.remove(topic, s); last {
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
	return s.ch, cancel, nil
}

func (r *Redis) subscribe(ctx context.Context, topic string) error {
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

func (r *Redis) receive(ps *redis.PubSub, done chan struct{}) {
	defer close(done)
	ch := ps.Channel(redis.WithChannelSize(1024))
	for m := range ch {
		r.f.deliver(m.Channel[len(r.prefix):], []byte(m.Payload))
	}
}

// Close ends every subscription.
func (r *Redis) Close() error {
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
