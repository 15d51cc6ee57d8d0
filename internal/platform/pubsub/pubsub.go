// Package pubsub carries small messages on named topics to every subscriber: in-process on
// embedded defaults, over Redis pub/sub when configured so that every replica hears every message.
// Delivery is at most once and best effort: a subscriber that falls behind loses messages
// (counted), and nothing is stored for subscribers that are not listening.
package pubsub

import (
	"context"
	"sync"
)

// Bus publishes and subscribes.
type Bus interface {
	// Publish sends msg to every current subscriber of topic, in every process sharing the bus.
	Publish(ctx context.Context, topic string, msg []byte) error
	// Subscribe returns a channel of the topic's messages until cancel is called or ctx ends. The
	// channel is closed then.
	Subscribe(ctx context.Context, topic string) (msgs <-chan []byte, cancel func(), err error)
}

// subscriberBuffer is how many messages a slow subscriber may lag behind before losing some.
const subscriberBuffer = 256

// fanout delivers messages of topics to local subscribers. Both buses use it.
type fanout struct {
	mu      sync.Mutex
	subs    map[string]map[*subscriber]struct{}
	dropped func()
}

type subscriber struct {
	ch     chan []byte
	closed bool
}

func newFanout(dropped func()) *fanout {
	if dropped == nil {
		dropped = func() {}
	}
	return &fanout{subs: map[string]map[*subscriber]struct{}{}, dropped: dropped}
}

// add registers a subscriber and reports whether it is the topic's first.
func (f *fanout) add(topic string) (*subscriber, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &subscriber{ch: make(chan []byte, subscriberBuffer)}
	set, ok := f.subs[topic]
	if !ok {
		set = map[*subscriber]struct{}{}
		f.subs[topic] = set
	}
	set[s] = struct{}{}
	return s, !ok
}

// remove unregisters a subscriber, closes its channel and reports whether the topic has none left.
func (f *fanout) remove(topic string, s *subscriber) bool {
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

// deliver hands msg to the topic's subscribers without blocking.
func (f *fanout) deliver(topic string, msg []byte) {
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
type Memory struct{ f *fanout }

// NewMemory returns an in-process bus; dropped (may be nil) is called for each message a slow
// subscriber loses.
func NewMemory(dropped func()) *Memory { return &Memory{f: newFanout(dropped)} }

// Publish delivers msg to local subscribers.
func (m *Memory) Publish(_ context.Context, topic string, msg []byte) error {
	m.f.deliver(topic, msg)
	return nil
}

// Subscribe listens to a topic.
func (m *Memory) Subscribe(ctx context.Context, topic string) (<-chan []byte, func(), error) {
	s, _ := m.f.add(topic)
	var once sync.Once
	cancel := func() { once.Do(func() { m.f.remove(topic, s) }) }
	go func() {
		<-ctx.Done()
		cancel()
	}()
	return s.ch, cancel, nil
}
