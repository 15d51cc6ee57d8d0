package seatlockredis

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// autoPipe sends commands from many goroutines over one connection of its own without waiting
// for each other's replies: the commands that arrive while a write is under way go out together
// in the next write, and one reader hands the replies back in order. go-redis gives each command
// a pooled connection and a round trip of its own, and on a busy 2-CPU VM each round trip costs
// both the program and Redis tens of microseconds of system time (waking the other side);
// batching shares that cost among the commands that arrive together. Holds use it (see
// docs/benchmarks.md for what it saves).
//
// It speaks RESP2 and honours the client's dialer (so TLS and Sentinel), username, password,
// database and read and write timeouts: a reply later than the read timeout breaks the
// connection, failing every command on it, and so does a READONLY reply (the server was demoted
// by a failover). Nothing is retried: a failed command returns its error, and the next one dials
// again.
type autoPipe struct {
	opt *redis.Options

	mu     sync.Mutex // guards conn and closed
	conn   *pipeConn
	closed bool
}

// errPipeBroken wraps the error that broke a pipe connection, for every command that was on it.
var errPipeBroken = errors.New("seat locker connection broken")

type pipeConn struct {
	nc           net.Conn
	readTimeout  time.Duration // 0: none
	writeTimeout time.Duration // 0: none

	mu       sync.Mutex // guards the fields below
	buf      []byte     // commands not yet written
	spare    []byte
	flushing bool        // a caller is writing buf
	pending  []*pipeCall // calls written or in buf, awaiting replies, in order
	err      error       // set once the connection broke
}

type pipeCall struct {
	done chan struct{}
	val  any
	err  error
}

// newAutoPipe returns an autoPipe to the server of opt (a *redis.Client's options), or nil when
// it cannot log in as the client would (credentials that come from a provider).
func newAutoPipe(opt *redis.Options) *autoPipe {
	if opt.CredentialsProvider != nil || opt.CredentialsProviderContext != nil || opt.StreamingCredentialsProvider != nil {
		return nil
	}
	return &autoPipe{opt: opt}
}

// Do sends a command and returns its reply as go-redis decodes RESP2: string, int64, nil or []any
// (whose elements may be error replies); an error reply is returned as an error that
// redis.HasErrorPrefix reads.
func (p *autoPipe) Do(ctx context.Context, args ...any) (any, error) {
	// A command whose caller has given up is not sent: it would take effect (a hold, its seats)
	// while its caller reports a failure.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	call := &pipeCall{done: make(chan struct{})}
	var c *pipeConn
	for try := 0; ; try++ {
		var err error
		if c, err = p.connect(ctx); err != nil {
			return nil, err
		}
		if c.send(call, args) {
			break
		}
		// The connection had broken while idle (a server restart or failover, an idle timeout)
		// and the command was not sent: once, on a new connection.
		p.forget(c)
		if try == 1 {
			return nil, call.err
		}
		call = &pipeCall{done: make(chan struct{})}
	}
	select {
	case <-call.done:
	case <-ctx.Done():
		select {
		case <-call.done: // the reply came as well: it is the truth
		default:
			return nil, ctx.Err() // the reply, when it comes, is dropped
		}
	}
	// A broken connection, or a server a failover demoted (READONLY): the next command dials
	// again (the dialer finds the new master).
	if errors.Is(call.err, errPipeBroken) || redis.HasErrorPrefix(call.err, "READONLY") {
		c.fail(call.err)
		p.forget(c)
	}
	return call.val, call.err
}

// Close closes the connection; commands on it fail, and later ones are refused.
func (p *autoPipe) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.conn != nil {
		p.conn.fail(redis.ErrClosed)
		p.conn = nil
	}
	return nil
}

func (p *autoPipe) forget(c *pipeConn) {
	p.mu.Lock()
	if p.conn == c {
		p.conn = nil
	}
	p.mu.Unlock()
}

func (p *autoPipe) connect(ctx context.Context) (*pipeConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, redis.ErrClosed
	}
	if p.conn != nil {
		return p.conn, nil
	}
	if p.opt.DialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.opt.DialTimeout)
		defer cancel()
	}
	nc, err := p.opt.Dialer(ctx, p.opt.Network, p.opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", p.opt.Addr, err)
	}
	br := bufio.NewReaderSize(nc, 32<<10)
	if err := p.login(ctx, nc, br); err != nil {
		_ = nc.Close()
		return nil, err
	}
	c := &pipeConn{nc: nc}
	if p.opt.ReadTimeout > 0 {
		c.readTimeout = p.opt.ReadTimeout
	}
	if p.opt.WriteTimeout > 0 {
		c.writeTimeout = p.opt.WriteTimeout
	}
	go c.read(br)
	p.conn = c
	return c, nil
}

// login authenticates and selects the database, as the client's connections do.
func (p *autoPipe) login(ctx context.Context, nc net.Conn, br *bufio.Reader) error {
	var cmds [][]any
	switch {
	case p.opt.Username != "":
		cmds = append(cmds, []any{"AUTH", p.opt.Username, p.opt.Password})
	case p.opt.Password != "":
		cmds = append(cmds, []any{"AUTH", p.opt.Password})
	}
	if p.opt.DB != 0 {
		cmds = append(cmds, []any{"SELECT", p.opt.DB})
	}
	if len(cmds) == 0 {
		return nil
	}
	if d, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(d)
		defer func() { _ = nc.SetDeadline(time.Time{}) }()
	}
	var out []byte
	for _, cmd := range cmds {
		out = appendCommand(out, cmd)
	}
	if _, err := nc.Write(out); err != nil {
		return fmt.Errorf("seat locker connection: %w", err)
	}
	for _, cmd := range cmds {
		if v, err := readReply(br); err != nil || v != "OK" {
			return fmt.Errorf("seat locker connection: %s: %w", cmd[0], errors.Join(err, fmt.Errorf("reply %v", v)))
		}
	}
	return nil
}

// send queues call's command and, unless another caller is writing already, writes what is
// queued until nothing is. It reports false, with call.err set, when the connection was broken
// before the command was queued: then nothing was sent.
func (c *pipeConn) send(call *pipeCall, args []any) bool {
	c.mu.Lock()
	if c.err != nil {
		call.err = c.err
		c.mu.Unlock()
		return false
	}
	c.buf = appendCommand(c.buf, args)
	c.pending = append(c.pending, call)
	if len(c.pending) == 1 && c.readTimeout > 0 {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.readTimeout))
	}
	if c.flushing {
		c.mu.Unlock()
		return true
	}
	c.flushing = true
	for len(c.buf) > 0 && c.err == nil {
		out := c.buf
		c.buf, c.spare = c.spare[:0], nil
		c.mu.Unlock()
		if c.writeTimeout > 0 {
			_ = c.nc.SetWriteDeadline(time.Now().Add(c.writeTimeout))
		}
		_, err := c.nc.Write(out)
		c.mu.Lock()
		c.spare = out
		if err != nil {
			c.failLocked(err)
		}
	}
	c.flushing = false
	c.mu.Unlock()
	return true
}

// read hands each reply to the oldest pending call, until the connection breaks.
func (c *pipeConn) read(br *bufio.Reader) {
	for {
		v, err := readReply(br)
		var reply replyError
		if err != nil && !errors.As(err, &reply) {
			c.fail(err)
			return
		}
		c.mu.Lock()
		if len(c.pending) == 0 {
			c.failLocked(errors.New("a reply to no command"))
			c.mu.Unlock()
			return
		}
		call := c.pending[0]
		c.pending[0] = nil
		c.pending = c.pending[1:]
		if c.readTimeout > 0 {
			if len(c.pending) > 0 {
				_ = c.nc.SetReadDeadline(time.Now().Add(c.readTimeout))
			} else {
				_ = c.nc.SetReadDeadline(time.Time{})
			}
		}
		c.mu.Unlock()
		call.val, call.err = v, err
		close(call.done)
	}
}

func (c *pipeConn) fail(err error) {
	c.mu.Lock()
	c.failLocked(err)
	c.mu.Unlock()
}

// failLocked breaks the connection: it is closed, and every pending call fails.
func (c *pipeConn) failLocked(err error) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: %w", errPipeBroken, err)
		_ = c.nc.Close()
	}
	for _, call := range c.pending {
		call.err = c.err
		close(call.done)
	}
	c.pending = nil
}

// appendCommand appends args to b as a RESP array of bulk strings.
func appendCommand(b []byte, args []any) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		case int:
			s = strconv.Itoa(v)
		case int64:
			s = strconv.FormatInt(v, 10)
		default:
			s = fmt.Sprint(v)
		}
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, '\r', '\n')
		b = append(b, s...)
		b = append(b, '\r', '\n')
	}
	return b
}

// replyError is an error reply. It satisfies redis.Error, so redis.HasErrorPrefix reads it.
type replyError string

func (e replyError) Error() string { return string(e) }

// RedisError marks replyError as the server's error reply.
func (replyError) RedisError() {}

// maxBulk bounds the bulk replies readReply accepts, as the server's proto-max-bulk-len does.
const maxBulk = 512 << 20

// readReply reads one RESP2 reply; an error reply is returned as a replyError, and inside an
// array as an element.
func readReply(br *bufio.Reader) (any, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("malformed reply %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return string(body), nil
	case '-':
		return nil, replyError(body)
	case ':':
		return strconv.ParseInt(string(body), 10, 64)
	case '$', '*':
		n, err := strconv.Atoi(string(body))
		if err != nil || n < -1 || n > maxBulk {
			return nil, fmt.Errorf("malformed length in reply %q", line)
		}
		switch {
		case n == -1:
			return nil, nil
		case line[0] == '$':
			buf := make([]byte, n+2)
			if _, err := io.ReadFull(br, buf); err != nil {
				return nil, err
			}
			return string(buf[:n]), nil
		}
		out := make([]any, n)
		for i := range out {
			v, err := readReply(br)
			var reply replyError
			switch {
			case errors.As(err, &reply):
				out[i] = reply
			case err != nil:
				return nil, err
			default:
				out[i] = v
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reply type %q", line[0])
}
