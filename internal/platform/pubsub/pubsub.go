// Package pubsub carries small messages on named topics to every subscriber: in-process (Memory)
// on embedded defaults, over Redis pub/sub (package pubsubredis) when configured so that every
// replica hears every message.
// Delivery is at most once and best effort: a subscriber that falls behind loses messages
// (counted), and nothing is stored for subscribers that are not listening.
package pubsub

import (
	"context"
	"errors"
	"sync"
)

// ErrBacklog is wrapped by the error of a Publish that a bus refused because too many messages are
// already waiting to be sent: the message is dropped rather than queued without bound or waited
// for.
var ErrBacklog = errors.New("pubsub: publish backlog full")

// ErrClosed is wrapped by the error of a Publish or Subscribe on a closed bus.
var ErrClosed = errors.New("pubsub: closed")

// Bus publishes and subscribes.
type Bus interface {
	// Publish sends msg to every current subscriber of topic, in every process sharing the bus.
	// A nil error means the message was accepted for delivery, not that anyone received it: the
	// in-process bus hands it to local subscribers before returning, the Redis bus queues it and
	// sends it to Redis moments later (pubsubredis). Messages one process publishes on one bus
	// reach a subscriber in the order they were published (less any the subscriber lost). The
	// bus may keep msg after Publish returns: callers must not modify it.
	Publish(ctx context.Context, topic string, msg []byte) error
	// Subscribe returns a channel of the topic's messages until cancel is called or ctx ends. The
	// channel is closed then.
	Subscribe(ctx context.Context, topic string) (msgs <-chan []byte, cancel func(), err error)
}

// subscriberBuffer is how many messages a slow subscriber may lag behind before losing some.
const subscriberBuffer = 256

// Fanout delivers messages of topics to local subscribers: the in-process bus, and the part of a
// networked bus (pubsubredis) that hands what arrives to this process's subscribers.
type Fanout struct {
	mu      sync.Mutex
	subs    map[string]map[*Subscriber]struct{}
	dropped func()
}

// Subscriber is one local subscription of a Fanout.
type Subscriber struct {
	ch     chan []byte
	closed bool
}

// C is the subscriber's channel of messages, closed when it is removed.
func (s *Subscriber) C() <-chan []byte { return s.ch }

// NewFanout returns a fanout; dropped (may be nil) is called for each message a slow subscriber
// loses.
func NewFanout(dropped func()) *Fanout {
	if dropped == nil {
		dropped = func() {}
	}
	return &Fanout{subs: map[string]map[*Subscriber]struct{}{}, dropped: dropped}
}

// Add registers a subscriber and reports whether it is the topic's first.
func (f *Fanout) Add(topic string) (*Subscriber, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &Subscriber{ch: make(chan []byte, subscriberBuffer)}
	set, ok := f.subs[topic]
	if !ok {
		set = map[*Subscriber]struct{}{}
		f.subs[topic] = set
	}
	set[s] = struct{}{}
	return s, !ok
}

// Remove unregisters a subscriber, closes its channel and reports whether the topic has none left.
func (f *Fanout) Remove(topic string, s *Subscriber) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	set := f.subs[topic]
	if _, ok := set[s]; !ok {
		return false
	}
	delete(set, s)
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
	if len(set) == 0 {
		delete(f.subs, topic)
		return true
	}
	return false
}

// Deliver hands msg to the topic's subscribers without blocking.
func (f *Fanout) Deliver(topic string, msg []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs[topic] {
		select {
		case s.ch <- msg:
		default:
			f.dropped()
		}
	}
}

// Memory is an in-process Bus.
type Memory struct{ f *Fanout }

// NewMemory returns an in-process bus; dropped (may be nil) is called for each message a slow
// subscriber loses.
func NewMemory(dropped func()) *Memory { return &Memory{f: NewFanout(dropped)} }

// Publish delivers msg to local subscribers.
func (m *Memory) Publish(_ context.Context, topic string, msg []byte) error {
	m.f.Deliver(topic, msg)
	return nil
}

// Subscribe listens to a topic.
func (m *Memory) Subscribe(ctx context.Context, topic string) (<-chan []byte, func(), error) {
	s, _ := m.f.Add(topic)
	var once sync.Once
	cancel := func() { once.Do(func() { m.f.Remove(topic, s) }) }
	go func() {
		<-ctx.Done()
		cancel()
	}()
	return s.ch, cancel, nil
}
