// Package pubsubredis is the pubsub.Bus over Redis pub/sub: every process sharing a Redis hears
// every message, so a seat change made through one gateway replica reaches subscribers of all.
//
// Publishing is asynchronous and batched. Publish queues the message and returns; one goroutine
// per bus takes what is queued (at most maxBatch messages), sends it to Redis as one pipeline of
// PUBLISH commands, waits for the replies, and repeats. There is no timer: a batch is whatever
// accumulated while the previous pipeline was in flight, so an idle bus sends a message at once
// and a busy one sends hundreds per round trip instead of one. One sender taking from one FIFO
// queue keeps the order in which a bus's messages were published.
//
// A nil error from Publish therefore means "queued for delivery". The queue is bounded (maxQueue
// messages and maxQueueBytes bytes): when it is full, Publish neither waits nor grows it but
// drops the message, counts it (New's dropped) and returns an error wrapping pubsub.ErrBacklog.
// A pipeline that fails is not retried: its messages are lost, counted, and the error goes to
// the bus's error handler (WithErrorHandler). Delivery stays at most once and best effort, like
// Redis pub/sub itself. Flush waits until what was queued has been sent; Close sends what is
// queued (waiting at most closeTimeout) before it ends the bus.
package pubsubredis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
)

const (
	// maxBatch is the most PUBLISH commands sent in one pipeline.
	maxBatch = 256
	// maxQueue and maxQueueBytes bound the messages waiting to be sent (bytes: channel names and
	// payloads). At a few thousand messages a second Redis must stall for seconds to fill them.
	maxQueue      = 1 << 16
	maxQueueBytes = 32 << 20
	// closeTimeout is how long Close waits for the queue to be sent.
	closeTimeout = 2 * time.Second
)

// Bus is a pubsub.Bus over Redis pub/sub. One connection carries every topic this process listens to;
// topics are subscribed while they have local subscribers. Published messages are queued and sent
// in batches by one background goroutine (see the package comment).
type Bus struct {
	client  redis.UniversalClient
	prefix  string
	f       *pubsub.Fanout
	dropped func()
	onErr   func(error)

	maxQueue, maxQueueBytes int
	closeTimeout            time.Duration

	// Publishing: the queue and its sender.
	qmu        sync.Mutex
	queue      ring
	queueBytes int
	accepted   uint64        // messages ever queued
	finished   uint64        // messages taken off the queue and sent, or given up on
	progress   chan struct{} // made by Flush, closed when finished grows
	senderDone chan struct{} // non-nil once the sender started; closed when it ends
	idle       bool          // the sender waits on wake
	wake       chan struct{}
	stopping   bool // Close was called: Publish refuses, the sender ends once the queue is empty
	abandon    bool // Close stopped waiting: the sender drops what is left
	batches    uint64
	largest    int

	// Subscribing.
	mu     sync.Mutex
	ps     *redis.PubSub
	closed bool
	done   chan struct{}
}

var _ pubsub.Bus = (*Bus)(nil)

// Option configures a Bus.
type Option func(*Bus)

// WithErrorHandler has the bus report to onErr every failure to send queued messages to Redis
// (one call per failed pipeline). It is called from the sender goroutine, which waits for it.
func WithErrorHandler(onErr func(error)) Option {
	return func(r *Bus) {
		if onErr != nil {
			r.onErr = onErr
		}
	}
}

// withQueueLimit bounds the queue at messages and bytes (tests).
func withQueueLimit(messages, bytes int) Option {
	return func(r *Bus) { r.maxQueue, r.maxQueueBytes = messages, bytes }
}

// withCloseTimeout sets how long Close waits for the queue to be sent (tests).
func withCloseTimeout(d time.Duration) Option {
	return func(r *Bus) { r.closeTimeout = d }
}

// New returns a Redis bus whose channels are prefix + topic; dropped (may be nil) is called for
// each message lost: one a slow local subscriber missed, one Publish refused because the queue
// was full, one whose batch Redis did not take, or one still queued when Close gave up waiting.
func New(client redis.UniversalClient, prefix string, dropped func(), opts ...Option) *Bus {
	if dropped == nil {
		dropped = func() {}
	}
	r := &Bus{
		client:        client,
		prefix:        prefix,
		f:             pubsub.NewFanout(dropped),
		dropped:       dropped,
		onErr:         func(error) {},
		maxQueue:      maxQueue,
		maxQueueBytes: maxQueueBytes,
		closeTimeout:  closeTimeout,
		wake:          make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// message is a queued PUBLISH.
type message struct {
	channel string
	payload []byte
}

func (m message) size() int { return len(m.channel) + len(m.payload) }

// Publish queues msg for every process subscribed to topic and returns without waiting for
// Redis. It fails when ctx has ended, when the bus is closed (pubsub.ErrClosed), or when the
// queue is full (pubsub.ErrBacklog; the message is dropped and counted). msg is sent as it is
// then: the caller must not modify it.
func (r *Bus) Publish(ctx context.Context, topic string, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publish to %s: %w", topic, err)
	}
	m := message{channel: r.prefix + topic, payload: msg}
	r.qmu.Lock()
	if r.stopping {
		r.qmu.Unlock()
		return fmt.Errorf("publish to %s: %w", topic, pubsub.ErrClosed)
	}
	if r.queue.n >= r.maxQueue || r.queueBytes+m.size() > r.maxQueueBytes {
		n, b := r.queue.n, r.queueBytes
		r.qmu.Unlock()
		r.dropped()
		return fmt.Errorf("publish to %s: %w (%d messages, %d bytes waiting for redis)", topic, pubsub.ErrBacklog, n, b)
	}
	r.queue.push(m)
	r.queueBytes += m.size()
	r.accepted++
	if r.senderDone == nil {
		r.senderDone = make(chan struct{})
		go r.send(r.senderDone)
	} else {
		r.wakeLocked()
	}
	r.qmu.Unlock()
	return nil
}

// wakeLocked wakes the sender if it waits for messages.
func (r *Bus) wakeLocked() {
	if r.idle {
		r.idle = false
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// send is the bus's sender: it sends the queue to Redis, a pipeline at a time, until the bus
// closes.
func (r *Bus) send(done chan struct{}) {
	defer close(done)
	ctx := context.Background()
	pipe := r.client.Pipeline()
	batch := make([]message, 0, maxBatch)
	for {
		r.qmu.Lock()
		for r.queue.n == 0 && !r.abandon {
			if r.stopping {
				r.qmu.Unlock()
				return
			}
			r.idle = true
			r.qmu.Unlock()
			<-r.wake
			r.qmu.Lock()
		}
		if r.abandon {
			n := r.queue.n
			r.queue = ring{}
			r.queueBytes = 0
			r.qmu.Unlock()
			for range n {
				r.dropped()
			}
			r.qmu.Lock()
			r.advanceLocked(n)
			r.qmu.Unlock()
			return
		}
		batch = r.queue.pop(batch[:0], maxBatch)
		for _, m := range batch {
			r.queueBytes -= m.size()
		}
		r.qmu.Unlock()

		for _, m := range batch {
			pipe.Publish(ctx, m.channel, m.payload)
		}
		cmds, err := pipe.Exec(ctx)
		if err != nil {
			failed := 0
			for _, c := range cmds {
				if c.Err() != nil {
					failed++
				}
			}
			if failed == 0 {
				failed = len(batch)
			}
			for range failed {
				r.dropped()
			}
			r.onErr(fmt.Errorf("publish %d of %d queued messages to redis: %w", failed, len(batch), err))
		}
		n := len(batch)
		clear(batch)
		r.qmu.Lock()
		r.batches++
		r.largest = max(r.largest, n)
		r.advanceLocked(n)
		r.qmu.Unlock()
	}
}

// advanceLocked notes that n more messages are done with and wakes Flush.
func (r *Bus) advanceLocked(n int) {
	r.finished += uint64(n)
	if r.progress != nil {
		close(r.progress)
		r.progress = nil
	}
}

// Flush waits until every message queued before it was called has been sent to Redis, or given
// up on (failures are counted and reported to the error handler, not returned). It returns
// ctx's error if ctx ends first.
func (r *Bus) Flush(ctx context.Context) error {
	r.qmu.Lock()
	target := r.accepted
	for r.finished < target {
		if r.progress == nil {
			r.progress = make(chan struct{})
		}
		ch := r.progress
		r.qmu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("pubsub: flush: %w", ctx.Err())
		}
		r.qmu.Lock()
	}
	r.qmu.Unlock()
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
		return fmt.Errorf("subscribe to %s: %w", topic, pubsub.ErrClosed)
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

// Close stops publishing, sends what is queued (waiting at most closeTimeout, then dropping the
// rest and saying so in its error), and ends every subscription. Publish fails after Close.
func (r *Bus) Close() error {
	err := r.stopPublishing()
	r.mu.Lock()
	ps, done := r.ps, r.done
	r.closed = true
	r.mu.Unlock()
	if ps == nil {
		return err
	}
	err = errors.Join(err, ps.Close())
	<-done
	return err
}

// stopPublishing refuses further messages and waits, at most closeTimeout, for the sender to
// send the queue and end. If it does not, the sender is told to drop what is still queued once
// its pipeline in flight returns.
func (r *Bus) stopPublishing() error {
	r.qmu.Lock()
	r.stopping = true
	done := r.senderDone
	r.wakeLocked()
	r.qmu.Unlock()
	if done == nil {
		return nil
	}
	t := time.NewTimer(r.closeTimeout)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
	}
	r.qmu.Lock()
	r.abandon = true
	unsent := r.accepted - r.finished
	r.wakeLocked()
	r.qmu.Unlock()
	return fmt.Errorf("pubsub: close: %d published messages not sent to redis within %v; dropped", unsent, r.closeTimeout)
}

// ring is a FIFO queue of messages that grows as needed.
type ring struct {
	buf  []message
	head int
	n    int
}

// shrinkAbove is the buffer size beyond which an emptied ring releases its buffer.
const shrinkAbove = 1024

func (q *ring) push(m message) {
	if q.n == len(q.buf) {
		buf := make([]message, max(64, 2*len(q.buf)))
		k := copy(buf, q.buf[q.head:])
		copy(buf[k:], q.buf[:q.head])
		q.buf, q.head = buf, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = m
	q.n++
}

// pop appends up to limit messages from the front of the queue to dst.
func (q *ring) pop(dst []message, limit int) []message {
	for q.n > 0 && len(dst) < limit {
		dst = append(dst, q.buf[q.head])
		q.buf[q.head] = message{}
		q.head = (q.head + 1) % len(q.buf)
		q.n--
	}
	if q.n == 0 {
		q.head = 0
		if len(q.buf) > shrinkAbove {
			q.buf = nil
		}
	}
	return dst
}
