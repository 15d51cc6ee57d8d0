package pubsubredis_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub/pubsubredis"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub/pubsubtest"
	"github.com/marquee-cinema/marquee/internal/platform/redistest"
)

// TestAcrossReplicas: two Redis buses on two clients stand for two replicas.
func TestAcrossReplicas(t *testing.T) {
	prefix := redistest.Prefix("pubsub")
	r1 := pubsubredis.New(redistest.Client(t, 0), prefix, nil)
	r2 := pubsubredis.New(redistest.Client(t, 0), prefix, nil)
	t.Cleanup(func() { _ = r1.Close(); _ = r2.Close() })
	pubsubtest.Run(t, r1, r2)
}

// counter counts calls of a bus's dropped hook.
type counter struct{ n atomic.Int64 }

func (c *counter) inc()       { c.n.Add(1) }
func (c *counter) get() int64 { return c.n.Load() }

// pair returns a publishing and a subscribing bus on two clients of the test Redis, as two
// replicas would be, with their drop counters.
func pair(t *testing.T, opts ...pubsubredis.Option) (pub, sub *pubsubredis.Bus, pubDropped, subDropped *counter) {
	t.Helper()
	prefix := redistest.Prefix("pubsub")
	pubDropped, subDropped = &counter{}, &counter{}
	pub = pubsubredis.New(redistest.Client(t, 0), prefix, pubDropped.inc, opts...)
	sub = pubsubredis.New(redistest.Client(t, 0), prefix, subDropped.inc)
	t.Cleanup(func() { _ = pub.Close(); _ = sub.Close() })
	return pub, sub, pubDropped, subDropped
}

// window keeps at most windowSize messages published but not yet read by the test, so that a
// test reader the scheduler leaves behind never overflows the subscriber's buffer (256): every
// message published must then arrive.
const windowSize = 200

// collect subscribes to topic on sub and returns the first n messages received, releasing a
// window slot per message; it stops early when none comes for 5 s.
func collect(t *testing.T, sub pubsub.Bus, topic string, n int, window chan struct{}) <-chan []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	msgs, _, err := sub.Subscribe(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan []string, 1)
	go func() {
		var got []string
		defer func() { out <- got }()
		for len(got) < n {
			select {
			case m, ok := <-msgs:
				if !ok {
					return
				}
				got = append(got, string(m))
				if window != nil {
					<-window
				}
			case <-time.After(5 * time.Second):
				return
			}
		}
	}()
	return out
}

// publishPaced publishes msg on topic once a window slot is free.
func publishPaced(t *testing.T, pub pubsub.Bus, topic, msg string, window chan struct{}) {
	select {
	case window <- struct{}{}:
	case <-time.After(10 * time.Second):
		t.Error("the subscriber stopped reading")
		return
	}
	if err := pub.Publish(context.Background(), topic, []byte(msg)); err != nil {
		t.Error(err)
	}
}

// TestOrderAcrossBatches: 10,000 messages from one publisher, sent in many pipelines, reach a
// subscriber of another replica in the order published.
func TestOrderAcrossBatches(t *testing.T) {
	pub, sub, pubDropped, subDropped := pair(t)
	const n = 10_000
	window := make(chan struct{}, windowSize)
	got := collect(t, sub, "order", n, window)
	for i := range n {
		publishPaced(t, pub, "order", strconv.Itoa(i), window)
	}
	msgs := <-got
	if len(msgs) != n {
		t.Fatalf("received %d of %d messages (dropped: publisher %d, subscriber %d)", len(msgs), n, pubDropped.get(), subDropped.get())
	}
	for i, m := range msgs {
		if m != strconv.Itoa(i) {
			t.Fatalf("message %d is %q: out of order", i, m)
		}
	}
	// The subscriber can have every message before the sender has read the pipeline's replies.
	if err := pub.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	batches, largest, unsent := pubsubredis.SenderStats(pub)
	t.Logf("%d messages in %d pipelines, the largest of %d", n, batches, largest)
	if batches >= n || largest < 2 {
		t.Errorf("%d pipelines for %d messages (largest %d): messages are not batched", batches, n, largest)
	}
	if largest > 256 {
		t.Errorf("a pipeline of %d messages: more than the cap of 256", largest)
	}
	if unsent != 0 || pubDropped.get() != 0 || subDropped.get() != 0 {
		t.Errorf("unsent %d, dropped: publisher %d, subscriber %d", unsent, pubDropped.get(), subDropped.get())
	}
}

// TestConcurrentPublishers: messages of many goroutines publishing at once each reach the
// subscriber exactly once, every publisher's in its order.
func TestConcurrentPublishers(t *testing.T) {
	pub, sub, pubDropped, subDropped := pair(t)
	const publishers, each = 16, 400
	window := make(chan struct{}, windowSize)
	got := collect(t, sub, "many", publishers*each, window)
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := range each {
				publishPaced(t, pub, "many", fmt.Sprintf("%d/%d", p, i), window)
			}
		})
	}
	wg.Wait()
	msgs := <-got
	if len(msgs) != publishers*each {
		t.Fatalf("received %d of %d messages (dropped: publisher %d, subscriber %d)", len(msgs), publishers*each, pubDropped.get(), subDropped.get())
	}
	next := make([]int, publishers)
	for _, m := range msgs {
		var p, i int
		if _, err := fmt.Sscanf(m, "%d/%d", &p, &i); err != nil || p < 0 || p >= publishers {
			t.Fatalf("unexpected message %q", m)
		}
		if i != next[p] {
			t.Fatalf("publisher %d: got message %d, want %d (duplicate, lost or out of order)", p, i, next[p])
		}
		next[p]++
	}
	batches, largest, _ := pubsubredis.SenderStats(pub)
	t.Logf("%d messages in %d pipelines, the largest of %d", publishers*each, batches, largest)
}

// TestCloseSendsQueued: Close returns once what was queued has been sent, and Publish fails
// after it.
func TestCloseSendsQueued(t *testing.T) {
	pub, sub, _, subDropped := pair(t)
	const n = windowSize // fits the subscriber's buffer unread
	got := collect(t, sub, "close", n, nil)
	for i := range n {
		if err := pub.Publish(context.Background(), "close", []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, unsent := pubsubredis.SenderStats(pub); unsent != 0 {
		t.Errorf("%d messages unsent after Close", unsent)
	}
	msgs := <-got
	if len(msgs) != n {
		t.Fatalf("received %d of %d messages published before Close (subscriber dropped %d)", len(msgs), n, subDropped.get())
	}
	for i, m := range msgs {
		if m != strconv.Itoa(i) {
			t.Fatalf("message %d is %q", i, m)
		}
	}
	if err := pub.Publish(context.Background(), "close", []byte("late")); !errors.Is(err, pubsub.ErrClosed) {
		t.Errorf("Publish after Close: %v, want ErrClosed", err)
	}
	if err := pub.Close(); err != nil {
		t.Errorf("closing again: %v", err)
	}
}

// TestPublishAfterClose: a bus closed before it ever published refuses messages too.
func TestPublishAfterClose(t *testing.T) {
	bus := pubsubredis.New(redistest.Client(t, 0), redistest.Prefix("pubsub"), nil)
	if err := bus.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bus.Publish(context.Background(), "t", []byte("x")); !errors.Is(err, pubsub.ErrClosed) {
		t.Errorf("Publish after Close: %v, want ErrClosed", err)
	}
	if _, _, err := bus.Subscribe(context.Background(), "t"); !errors.Is(err, pubsub.ErrClosed) {
		t.Errorf("Subscribe after Close: %v, want ErrClosed", err)
	}
	if err := bus.Flush(context.Background()); err != nil {
		t.Errorf("Flush after Close: %v", err)
	}
}

// TestFlushWaits: Flush returns once every message queued before it has been sent.
func TestFlushWaits(t *testing.T) {
	pub, sub, _, _ := pair(t)
	if err := pub.Flush(context.Background()); err != nil {
		t.Fatalf("flushing an idle bus: %v", err)
	}
	const n = windowSize
	got := collect(t, sub, "flush", n, nil)
	for i := range n {
		if err := pub.Publish(context.Background(), "flush", []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, unsent := pubsubredis.SenderStats(pub); unsent != 0 {
		t.Errorf("%d messages unsent after Flush", unsent)
	}
	if msgs := <-got; len(msgs) != n {
		t.Errorf("received %d of %d messages", len(msgs), n)
	}
}

// stuckRedis returns a client of a server that accepts connections and reads commands but never
// answers: every pipeline hangs until the client's read timeout.
func stuckRedis(t *testing.T, readTimeout time.Duration) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	c := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ReadTimeout: readTimeout, WriteTimeout: readTimeout,
		DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() {
		_ = c.Close()
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return c
}

// TestBacklog: while Redis does not answer, a full queue makes Publish fail at once with
// ErrBacklog, counting the drop; Flush ends with its context; Close gives up after its bound,
// and everything not sent is counted as dropped.
func TestBacklog(t *testing.T) {
	const limit = 4
	dropped := &counter{}
	var errMu sync.Mutex
	var sendErrs []error
	bus := pubsubredis.New(stuckRedis(t, time.Second), "test:", dropped.inc,
		pubsubredis.WithQueueLimit(limit, 1<<20), pubsubredis.WithCloseTimeout(100*time.Millisecond),
		pubsubredis.WithErrorHandler(func(err error) { errMu.Lock(); sendErrs = append(sendErrs, err); errMu.Unlock() }))
	start := time.Now()
	accepted := 0
	var err error
	for range 3 * limit {
		if err = bus.Publish(context.Background(), "t", []byte("m")); err != nil {
			break
		}
		accepted++
	}
	if !errors.Is(err, pubsub.ErrBacklog) {
		t.Fatalf("after %d messages: %v, want ErrBacklog", accepted, err)
	}
	// At most one pipeline is in flight, so the queue fills after limit messages (plus one
	// batch).
	if accepted < limit || accepted > 2*limit {
		t.Errorf("accepted %d messages with a queue of %d", accepted, limit)
	}
	if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
		t.Errorf("publishing into a full queue took %v: it must not wait", elapsed)
	}
	if dropped.get() != 1 {
		t.Errorf("dropped %d, want the 1 refused message", dropped.get())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := bus.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Flush while Redis hangs: %v, want the context's deadline", err)
	}

	start = time.Now()
	if err := bus.Close(); err == nil {
		t.Error("Close sent nothing, yet reported no error")
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Close took %v with a bound of 100ms", elapsed)
	}
	if err := bus.Publish(context.Background(), "t", []byte("late")); !errors.Is(err, pubsub.ErrClosed) {
		t.Errorf("Publish after Close: %v, want ErrClosed", err)
	}
	// Once the pipeline in flight times out, every accepted message is accounted for.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, unsent := pubsubredis.SenderStats(bus)
		if unsent == 0 && dropped.get() == int64(accepted)+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unsent %d, dropped %d; want 0 and %d", unsent, dropped.get(), accepted+1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	errMu.Lock()
	defer errMu.Unlock()
	if len(sendErrs) == 0 {
		t.Error("the failed pipeline was not reported to the error handler")
	}
}

// TestBacklogBytes: the queue is bounded in bytes too.
func TestBacklogBytes(t *testing.T) {
	dropped := &counter{}
	bus := pubsubredis.New(redistest.Client(t, 0), redistest.Prefix("pubsub"), dropped.inc, pubsubredis.WithQueueLimit(100, 64))
	t.Cleanup(func() { _ = bus.Close() })
	if err := bus.Publish(context.Background(), "t", make([]byte, 100)); !errors.Is(err, pubsub.ErrBacklog) {
		t.Errorf("a message larger than the queue's byte bound: %v, want ErrBacklog", err)
	}
	if err := bus.Publish(context.Background(), "t", []byte("small")); err != nil {
		t.Errorf("a small message: %v", err)
	}
	if dropped.get() != 1 {
		t.Errorf("dropped %d, want 1", dropped.get())
	}
}

// TestSendErrorsAreReported: when Redis refuses the connection, Publish still succeeds (the
// message is queued), and the failed pipeline goes to the error handler and the drop count.
func TestSendErrorsAreReported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = client.Close() })
	dropped := &counter{}
	var errMu sync.Mutex
	var sendErrs []error
	bus := pubsubredis.New(client, "test:", dropped.inc,
		pubsubredis.WithErrorHandler(func(err error) { errMu.Lock(); sendErrs = append(sendErrs, err); errMu.Unlock() }))
	t.Cleanup(func() { _ = bus.Close() })
	if err := bus.Publish(context.Background(), "t", []byte("m")); err != nil {
		t.Fatalf("Publish: %v, want nil (queued)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := bus.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	errMu.Lock()
	defer errMu.Unlock()
	if len(sendErrs) != 1 || dropped.get() != 1 {
		t.Errorf("errors %v, dropped %d; want one error and one drop", sendErrs, dropped.get())
	}
}

// TestBatchCap: a pipeline carries at most 256 messages however many are queued.
func TestBatchCap(t *testing.T) {
	pub, _, pubDropped, _ := pair(t)
	const n = 5000
	for i := range n {
		if err := pub.Publish(context.Background(), "cap", []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	batches, largest, unsent := pubsubredis.SenderStats(pub)
	t.Logf("%d messages in %d pipelines, the largest of %d", n, batches, largest)
	if largest > 256 || batches < n/256 {
		t.Errorf("%d pipelines, the largest of %d: want at most 256 messages each", batches, largest)
	}
	if unsent != 0 || pubDropped.get() != 0 {
		t.Errorf("unsent %d, dropped %d after Flush", unsent, pubDropped.get())
	}
}
