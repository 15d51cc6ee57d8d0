// Package bench provides Marquee's performance benchmarks (the *_test.go files here, run with
// `make bench` or `go test -run '^$' -bench . ./internal/bench/`) and the small closed-loop HTTP
// load generator they share with cmd/loadgen. docs/benchmarks.md lists the targets, the commands
// and the figures measured.
//
// The load generator is closed-loop: each of Workers goroutines sends a request, reads the whole
// response, checks it and only then sends the next one, so the offered load adapts to the
// server's speed and latency is never hidden by a queue inside the generator. Every latency is
// kept, so percentiles are exact rather than estimated from buckets.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes one load run. Either Requests or Duration bounds it (Requests wins when both
// are set).
type Config struct {
	// URL receives every request: a POST of Body when Body is set, else a GET.
	URL string
	// Body returns the body of the seq-th request (from 0); Static returns the same body every
	// time. nil sends GETs.
	Body func(seq int) []byte
	// ContentType of the POST bodies; application/json when empty.
	ContentType string
	// Workers is the number of concurrent closed-loop clients; 1 when zero.
	Workers int
	// Requests stops the run after this many requests in all.
	Requests int
	// Duration stops the run once this much time has passed; requests under way then finish.
	Duration time.Duration
	// Warmup requests run first, with the same workers and client, and are not recorded.
	Warmup int
	// Check judges a response from its status and whole body; nil accepts any 200. A request
	// whose check fails counts as an error.
	Check func(status int, body []byte) error
	// Client sends the requests; nil means NewClient(Workers). Share one client between runs to
	// keep its connections warm.
	Client *http.Client
}

// Result is the outcome of a run.
type Result struct {
	Workers  int
	Requests int           // requests completed, failed ones included
	Errors   int           // requests that failed: transport error, or Check said no
	FirstErr error         // the first failure, for the report
	Elapsed  time.Duration // wall time from the first request sent to the last response read
	// Latencies holds every request's latency (send to last body byte read), failed ones
	// included, sorted ascending.
	Latencies []time.Duration
}

// NewTransport returns an HTTP/1.1 transport that keeps up to conns idle connections to one
// host, so that conns closed-loop workers never reconnect between requests.
func NewTransport(conns int) *http.Transport {
	if conns < 1 {
		conns = 1
	}
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

// NewClient returns a client over NewTransport(conns) with a 30 s per-request timeout.
func NewClient(conns int) *http.Client {
	return &http.Client{Transport: NewTransport(conns), Timeout: 30 * time.Second}
}

// Static returns a Body function that sends b every time.
func Static(b []byte) func(int) []byte { return func(int) []byte { return b } }

// Run runs the warm-up, if any, and then the measured load. It returns an error only when the
// configuration is unusable or ctx ends the run early (the partial result is returned then too);
// failed requests are counted in the Result instead.
func Run(ctx context.Context, c Config) (Result, error) {
	if c.URL == "" {
		return Result{}, errors.New("bench: Config.URL is required")
	}
	if c.Requests <= 0 && c.Duration <= 0 {
		return Result{}, errors.New("bench: set Config.Requests or Config.Duration")
	}
	if c.Workers < 1 {
		c.Workers = 1
	}
	if c.Client == nil {
		c.Client = NewClient(c.Workers)
	}
	if c.Check == nil {
		c.Check = StatusOK
	}
	if c.ContentType == "" {
		c.ContentType = "application/json"
	}
	if c.Warmup > 0 {
		if _, err := c.phase(ctx, c.Warmup, 0, false); err != nil {
			return Result{}, err
		}
	}
	return c.phase(ctx, c.Requests, c.Duration, true)
}

// phase runs workers until limit requests were sent (limit > 0) or d has passed.
func (c *Config) phase(ctx context.Context, limit int, d time.Duration, record bool) (Result, error) {
	type workerResult struct {
		lat      []time.Duration
		errors   int
		firstErr error
		firstAt  time.Time
	}
	var next atomic.Int64
	results := make([]workerResult, c.Workers)
	var wg sync.WaitGroup
	began := time.Now()
	var deadline time.Time
	if limit <= 0 {
		deadline = began.Add(d)
	}
	for w := range c.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[w]
			if record && limit > 0 {
				r.lat = make([]time.Duration, 0, limit/c.Workers+1)
			}
			var buf bytes.Buffer
			for ctx.Err() == nil {
				seq := int(next.Add(1) - 1)
				if limit > 0 && seq >= limit {
					return
				}
				if !deadline.IsZero() && !time.Now().Before(deadline) {
					return
				}
				start := time.Now()
				status, err := c.do(ctx, seq, &buf)
				lat := time.Since(start)
				if err == nil {
					err = c.Check(status, buf.Bytes())
				}
				if record {
					r.lat = append(r.lat, lat)
				}
				if err != nil {
					r.errors++
					if r.firstErr == nil {
						r.firstErr, r.firstAt = fmt.Errorf("request %d: %w", seq, err), start
					}
				}
			}
		}()
	}
	wg.Wait()
	res := Result{Workers: c.Workers, Elapsed: time.Since(began)}
	var firstAt time.Time
	n := 0
	for _, r := range results {
		n += len(r.lat)
	}
	res.Latencies = make([]time.Duration, 0, n)
	for _, r := range results {
		res.Latencies = append(res.Latencies, r.lat...)
		res.Errors += r.errors
		if r.firstErr != nil && (res.FirstErr == nil || r.firstAt.Before(firstAt)) {
			res.FirstErr, firstAt = r.firstErr, r.firstAt
		}
	}
	slices.Sort(res.Latencies)
	res.Requests = len(res.Latencies)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// do sends the seq-th request and reads the whole response body into buf.
func (c *Config) do(ctx context.Context, seq int, buf *bytes.Buffer) (int, error) {
	method, body := http.MethodGet, io.Reader(nil)
	if c.Body != nil {
		method, body = http.MethodPost, bytes.NewReader(c.Body(seq))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL, body)
	if err != nil {
		return 0, err
	}
	if c.Body != nil {
		req.Header.Set("Content-Type", c.ContentType)
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return resp.StatusCode, fmt.Errorf("read body: %w", err)
	}
	return resp.StatusCode, nil
}

// StatusOK accepts a response with HTTP status 200.
func StatusOK(status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", status, snippet(body))
	}
	return nil
}

// GraphQLOK accepts a GraphQL response with HTTP status 200, a data object and no errors member.
// A body that is a JSON object holding `"data":{` and never the string "errors" is accepted
// without decoding, so that checking costs the load generator little of the CPU it shares with
// the server (a body cut short never gets here: the HTTP client reports it as an error). Any
// other body is decoded and judged in full.
func GraphQLOK(status int, body []byte) error {
	if err := StatusOK(status, body); err != nil {
		return err
	}
	if b := bytes.TrimSpace(body); len(b) > 1 && b[0] == '{' && b[len(b)-1] == '}' &&
		bytes.Contains(b, []byte(`"data":{`)) && !bytes.Contains(b, []byte(`"errors"`)) {
		return nil
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("decode GraphQL response: %w: %s", err, snippet(body))
	}
	if len(r.Errors) > 0 && string(r.Errors) != "null" {
		return fmt.Errorf("GraphQL errors: %s", snippet(r.Errors))
	}
	if len(r.Data) == 0 || string(r.Data) == "null" {
		return fmt.Errorf("GraphQL response without data: %s", snippet(body))
	}
	return nil
}

// GraphQLBody encodes a GraphQL POST body. It fails only for variables JSON cannot encode.
func GraphQLBody(query string, variables map[string]any) ([]byte, error) {
	b, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return nil, fmt.Errorf("bench: encode GraphQL body: %w", err)
	}
	return b, nil
}

func snippet(b []byte) string {
	const max = 300
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// RPS is the throughput: completed requests per second of wall time.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile (0–100) of the latencies by the nearest-rank method.
func (r Result) Percentile(p float64) time.Duration { return Percentile(r.Latencies, p) }

// Max is the slowest request's latency.
func (r Result) Max() time.Duration { return Percentile(r.Latencies, 100) }

// Mean is the average latency.
func (r Result) Mean() time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	var sum time.Duration
	for _, l := range r.Latencies {
		sum += l
	}
	return sum / time.Duration(len(r.Latencies))
}

// String summarises the result on one line.
func (r Result) String() string {
	s := fmt.Sprintf("%d requests, %d workers, %d errors in %v: %.0f req/s; latency p50 %v p90 %v p99 %v max %v",
		r.Requests, r.Workers, r.Errors, r.Elapsed.Round(time.Millisecond), r.RPS(),
		ms(r.Percentile(50)), ms(r.Percentile(90)), ms(r.Percentile(99)), ms(r.Max()))
	if r.FirstErr != nil {
		s += "; first error: " + r.FirstErr.Error()
	}
	return s
}

func ms(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }

// Millis converts a duration to fractional milliseconds, the unit the benchmarks report.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Percentile returns the p-th percentile (0–100) of sorted by the nearest-rank method: the
// smallest value such that at least p% of the values are at or below it. p ≤ 0 gives the
// minimum, p ≥ 100 the maximum, and an empty slice 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 100 {
		return sorted[n-1]
	}
	// p*n first keeps integral products exact; the epsilon absorbs representation error in p.
	rank := int(math.Ceil(p*float64(n)/100 - 1e-9))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}
