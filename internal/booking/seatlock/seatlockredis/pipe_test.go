package seatlockredis

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/platform/redistest"
)

// newTestPipe returns an autoPipe to the test Redis, with the client it copies its options from
// and a key prefix of its own.
func newTestPipe(t *testing.T, change ...func(*redis.Options)) (*autoPipe, *redis.Client, string) {
	t.Helper()
	c := redistest.Client(t, 4)
	opt := *c.Options()
	for _, f := range change {
		f(&opt)
	}
	p := newAutoPipe(&opt)
	t.Cleanup(func() { _ = p.Close() })
	prefix := redistest.Prefix("pipe")
	t.Cleanup(func() {
		it := c.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
		for it.Next(context.Background()) {
			_ = c.Unlink(context.Background(), it.Val()).Err()
		}
	})
	return p, c, prefix
}

// TestAutoPipeDecodesAsGoRedis sends the same commands through the pipe and through go-redis and
// wants the same values, for every kind of reply.
func TestAutoPipeDecodesAsGoRedis(t *testing.T) {
	t.Parallel()
	p, c, prefix := newTestPipe(t)
	ctx := context.Background()
	key := prefix + "k"
	for cmd, want := range map[string]any{"SET": "OK", "INCRBY": int64(-42), "HSET": int64(2)} {
		args := map[string][]any{"SET": {"SET", key, "a\r\nb $3 *2 \x00 ünï"}, "INCRBY": {"INCRBY", prefix + "n", int64(-42)},
			"HSET": {"HSET", prefix + "h", "f1", "v1", "f2", ""}}[cmd]
		if got, err := p.Do(ctx, args...); err != nil || got != want {
			t.Errorf("%s: %#v, %v; want %#v", cmd, got, err, want)
		}
	}
	for _, cmd := range [][]any{ // commands that read, so that both clients get the same reply
		{"GET", key},
		{"GET", prefix + "missing"},
		{"GET", prefix + "n"},
		{"HMGET", prefix + "h", "f1", "nope", "f2"},
		{"EVAL", "return {1, 'two', false, {3, {'four'}}, {}}", 0},
		{"EVAL", "return redis.status_reply('FINE')", 0},
		{"PING"},
	} {
		got, gotErr := p.Do(ctx, cmd...)
		want, wantErr := c.Do(ctx, cmd...).Result()
		if errors.Is(wantErr, redis.Nil) {
			want, wantErr = nil, nil
		}
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%v: pipe %#v, %v; go-redis %#v, %v", cmd[0], got, gotErr, want, wantErr)
		}
	}
}

// TestAutoPipeErrorReplies: an error reply is an error redis.HasErrorPrefix reads, inside an
// array too, and it leaves the connection usable.
func TestAutoPipeErrorReplies(t *testing.T) {
	t.Parallel()
	p, _, prefix := newTestPipe(t)
	ctx := context.Background()
	_, err := p.Do(ctx, "EVALSHA", strings.Repeat("0", 40), 0)
	if !redis.HasErrorPrefix(err, "NOSCRIPT") {
		t.Errorf("EVALSHA of an unknown script: %v, want NOSCRIPT", err)
	}
	v, err := p.Do(ctx, "EVAL", "return {1, redis.error_reply('BAD thing')}", 0)
	arr, _ := v.([]any)
	if err != nil || len(arr) != 2 || !redis.HasErrorPrefix(asError(arr[1]), "BAD") {
		t.Errorf("an error inside an array: %#v, %v", v, err)
	}
	if v, err := p.Do(ctx, "SET", prefix+"after", "ok"); err != nil || v != "OK" {
		t.Errorf("a command after error replies: %v, %v", v, err)
	}
}

func asError(v any) error {
	err, _ := v.(error)
	return err
}

// TestAutoPipeConcurrentCallers: many goroutines' commands, written together, each get their own
// reply.
func TestAutoPipeConcurrentCallers(t *testing.T) {
	t.Parallel()
	p, c, prefix := newTestPipe(t)
	ctx := context.Background()
	const callers, each = 64, 100
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				val := fmt.Sprintf("caller %d value %d %s", g, i, strings.Repeat("x", i*10))
				key := fmt.Sprintf("%sc%d", prefix, g)
				if _, err := p.Do(ctx, "SET", key, val); err != nil {
					errs <- err
					return
				}
				got, err := p.Do(ctx, "GET", key)
				if err != nil || got != val {
					errs <- fmt.Errorf("caller %d: GET = %v, %v; want %q", g, got, err, val)
					return
				}
				if _, err := p.Do(ctx, "INCR", prefix+"total"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, err := c.Get(ctx, prefix+"total").Int(); err != nil || n != callers*each {
		t.Errorf("total = %d, %v; want %d", n, err, callers*each)
	}
}

// TestAutoPipeRecovers: when the connection breaks, the commands on it fail and the next command
// dials again; a caller that stops waiting does not shift the replies of the others.
func TestAutoPipeRecovers(t *testing.T) {
	t.Parallel()
	p, _, prefix := newTestPipe(t)
	ctx := context.Background()
	if _, err := p.Do(ctx, "SET", prefix+"k", "v"); err != nil {
		t.Fatal(err)
	}
	// A command waiting on a connection that breaks fails with the break.
	done := make(chan error, 1)
	go func() {
		_, err := p.Do(ctx, "BLPOP", prefix+"empty", 5)
		done <- err
	}()
	waitPending(t, p, 1)
	p.mu.Lock()
	_ = p.conn.nc.Close()
	p.mu.Unlock()
	if err := <-done; !errors.Is(err, errPipeBroken) {
		t.Errorf("command on a broken connection: %v, want errPipeBroken", err)
	}
	if v, err := p.Do(ctx, "GET", prefix+"k"); err != nil || v != "v" {
		t.Errorf("after the break: %v, %v", v, err)
	}

	// A caller that gives up leaves its reply to be dropped.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := p.Do(short, "BLPOP", prefix+"empty", 0.3); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a caller whose context ends: %v", err)
	}
	if v, err := p.Do(ctx, "GET", prefix+"k"); err != nil || v != "v" {
		t.Errorf("the command after an abandoned one: %v, %v", v, err)
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Do(ctx, "PING"); !errors.Is(err, redis.ErrClosed) {
		t.Errorf("after Close: %v, want redis.ErrClosed", err)
	}
}

// TestAutoPipeReadTimeout: a reply later than the client's read timeout breaks the connection.
func TestAutoPipeReadTimeout(t *testing.T) {
	t.Parallel()
	p, _, prefix := newTestPipe(t, func(o *redis.Options) { o.ReadTimeout = 100 * time.Millisecond })
	ctx := context.Background()
	_, err := p.Do(ctx, "BLPOP", prefix+"empty", 2)
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.Is(err, errPipeBroken) {
		t.Errorf("a late reply: %v, want a broken connection by its deadline", err)
	}
	if v, err := p.Do(ctx, "PING"); err != nil || v != "PONG" {
		t.Errorf("after the timeout: %v, %v", v, err)
	}
}

// TestAutoPipeLogsIn: the pipe selects the client's database and authenticates as it does.
func TestAutoPipeLogsIn(t *testing.T) {
	t.Parallel()
	p, c, prefix := newTestPipe(t, func(o *redis.Options) { o.DB = 3 })
	ctx := context.Background()
	if _, err := p.Do(ctx, "SET", prefix+"db3", "here", "PX", 60000); err != nil {
		t.Fatal(err)
	}
	other := redis.NewClient(&redis.Options{Addr: c.Options().Addr, Network: c.Options().Network,
		Username: c.Options().Username, Password: c.Options().Password, DB: 3})
	defer other.Close()
	defer other.Del(ctx, prefix+"db3")
	if v, err := other.Get(ctx, prefix+"db3").Result(); err != nil || v != "here" {
		t.Errorf("database 3 has %q, %v", v, err)
	}
	bad, _, _ := newTestPipe(t, func(o *redis.Options) { o.Password = "not-the-password-" + prefix })
	if _, err := bad.Do(ctx, "PING"); err == nil {
		t.Error("a wrong password was accepted")
	}
}

// waitPending waits until n commands are on the pipe's connection.
func waitPending(t *testing.T, p *autoPipe, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		p.mu.Lock()
		c := p.conn
		p.mu.Unlock()
		if c != nil {
			c.mu.Lock()
			k := len(c.pending)
			c.mu.Unlock()
			if k >= n {
				return
			}
		}
	}
	t.Fatalf("no %d pending commands", n)
}

// TestPipeRedialsAfterIdleBreak: a connection the server closed while nothing was pending (a
// restart, a failover, the server's idle timeout) costs the next command nothing: it was never
// sent, so it goes out on a new connection.
func TestPipeRedialsAfterIdleBreak(t *testing.T) {
	p, c, prefix := newTestPipe(t)
	ctx := context.Background()
	id, err := p.Do(ctx, "CLIENT", "ID")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !pipeBroken(p) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // the reader sees the connection end
	}
	if _, err := p.Do(ctx, "SET", prefix+"k", "v"); err != nil {
		t.Fatalf("first command after an idle break: %v", err)
	}
	if v, err := c.Get(ctx, prefix+"k").Result(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v", v, err)
	}
}

func pipeBroken(p *autoPipe) bool {
	p.mu.Lock()
	c := p.conn
	p.mu.Unlock()
	if c == nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err != nil
}

// TestPipeSendsNothingForADoneContext: a caller that has given up is refused before its command is
// sent, so a hold never takes seats while its caller reports a failure.
func TestPipeSendsNothingForADoneContext(t *testing.T) {
	p, c, prefix := newTestPipe(t)
	ctx := context.Background()
	if _, err := p.Do(ctx, "PING"); err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.Do(done, "SET", prefix+"k", "v"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Do with a done context = %v, want context.Canceled", err)
	}
	if _, err := p.Do(ctx, "PING"); err != nil { // after the SET, had it been sent
		t.Fatal(err)
	}
	if n, err := c.Exists(ctx, prefix+"k").Result(); err != nil || n != 0 {
		t.Fatalf("the command ran (EXISTS = %d, %v)", n, err)
	}
}

// TestPipeCloseUnderLoad closes the pipe while callers with short deadlines are in flight: every
// reply goes to its caller, every caller returns, and no goroutine is left behind.
func TestPipeCloseUnderLoad(t *testing.T) {
	before := runtime.NumGoroutine()
	for round := range 10 {
		p, _, _ := newTestPipe(t)
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%3)*time.Millisecond+50*time.Microsecond)
					want := fmt.Sprint(g, " ", i)
					v, err := p.Do(ctx, "ECHO", want)
					cancel()
					if err == nil && v != want {
						t.Errorf("reply %v to %q", v, want)
						return
					}
					if errors.Is(err, redis.ErrClosed) {
						return
					}
				}
			}()
		}
		time.Sleep(time.Duration(round) * time.Millisecond)
		_ = p.Close()
		wg.Wait()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("goroutines %d before, %d after", before, n)
	}
}
