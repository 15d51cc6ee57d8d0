package bench_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/bench"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	hundred := make([]time.Duration, 100) // 1ms … 100ms
	for i := range hundred {
		hundred[i] = ms(i + 1)
	}
	thousand := make([]time.Duration, 1000) // 1ms … 1000ms
	for i := range thousand {
		thousand[i] = ms(i + 1)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value p0", []time.Duration{ms(7)}, 0, ms(7)},
		{"one value p50", []time.Duration{ms(7)}, 50, ms(7)},
		{"one value p100", []time.Duration{ms(7)}, 100, ms(7)},
		{"min", hundred, 0, ms(1)},
		{"p1", hundred, 1, ms(1)},
		{"p50", hundred, 50, ms(50)},
		{"p90", hundred, 90, ms(90)},
		{"p99", hundred, 99, ms(99)},
		{"p99.5 rounds up", hundred, 99.5, ms(100)},
		{"max", hundred, 100, ms(100)},
		{"above 100 is max", hundred, 150, ms(100)},
		{"p99.9 of 1000", thousand, 99.9, ms(999)},
		{"p50 of two", []time.Duration{ms(1), ms(2)}, 50, ms(1)},
		{"p51 of two", []time.Duration{ms(1), ms(2)}, 51, ms(2)},
		{"p50 of three", []time.Duration{ms(1), ms(2), ms(3)}, 50, ms(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := bench.Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(p%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestGraphQLOK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		ok     bool
	}{
		{"data", 200, `{"data":{"movies":{"edges":[]}}}`, true},
		{"data with trailing newline", 200, "{\"data\":{\"a\":1}}\n", true},
		{"errors before data", 200, `{"errors":[{"message":"x"}],"data":null}`, false},
		{"errors after data", 200, `{"data":{"a":1},"errors":[{"message":"x"}]}`, false},
		{"partial data with errors", 200, `{"errors":[{"message":"x"}],"data":{"a":null}}`, false},
		{"null errors", 200, `{"errors":null,"data":{"a":1}}`, true},
		{"a field value saying errors", 200, `{"data":{"title":"\"errors\""}}`, true},
		{"null data", 200, `{"data":null}`, false},
		{"no data", 200, `{}`, false},
		{"not JSON", 200, `<html>`, false},
		{"truncated without a closing brace", 200, `{"data":{"a":1`, false},
		{"data with spaces", 200, `{ "data" : { "a" : 1 } }`, true},
		{"HTTP 500", 500, `{"data":{"a":1}}`, false},
		{"HTTP 422 with errors", 422, `{"errors":[{"message":"x"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := bench.GraphQLOK(tt.status, []byte(tt.body))
			if (err == nil) != tt.ok {
				t.Errorf("GraphQLOK(%d, %s) = %v, want ok=%v", tt.status, tt.body, err, tt.ok)
			}
		})
	}
}

func TestResultSummary(t *testing.T) {
	t.Parallel()
	r := bench.Result{Requests: 4, Elapsed: 2 * time.Second,
		Latencies: []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond}}
	if got := r.RPS(); got != 2 {
		t.Errorf("RPS = %v, want 2", got)
	}
	if got := r.Mean(); got != 4*time.Millisecond {
		t.Errorf("Mean = %v, want 4ms", got)
	}
	if got := r.Max(); got != 10*time.Millisecond {
		t.Errorf("Max = %v, want 10ms", got)
	}
	if got := bench.Millis(1500 * time.Microsecond); got != 1.5 {
		t.Errorf("Millis = %v, want 1.5", got)
	}
}

// TestRun drives a tiny in-memory server: every request is counted once, bodies are checked and
// failures are counted rather than fatal.
func TestRun(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n%10 == 0 {
			_, _ = w.Write([]byte(`{"errors":[{"message":"boom"}],"data":null}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"ok":true}}`))
	}))
	t.Cleanup(srv.Close)

	body, err := bench.GraphQLBody(`{ ok }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := bench.Run(context.Background(), bench.Config{URL: srv.URL, Body: bench.Static(body),
		Workers: 4, Requests: 200, Warmup: 20, Check: bench.GraphQLOK})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 200 || len(res.Latencies) != 200 {
		t.Fatalf("recorded %d requests (%d latencies), want 200", res.Requests, len(res.Latencies))
	}
	if got := served.Load(); got != 220 {
		t.Errorf("server saw %d requests, want 220 (20 warm-up + 200)", got)
	}
	if res.Errors != 20 {
		t.Errorf("%d errors, want 20 (every tenth response)", res.Errors)
	}
	if res.FirstErr == nil || !strings.Contains(res.FirstErr.Error(), "boom") {
		t.Errorf("first error %v, want the GraphQL error", res.FirstErr)
	}
	for i := 1; i < len(res.Latencies); i++ {
		if res.Latencies[i] < res.Latencies[i-1] {
			t.Fatal("latencies are not sorted")
		}
	}
	if res.RPS() <= 0 || res.Percentile(50) <= 0 || res.Max() < res.Percentile(99) {
		t.Errorf("implausible summary: %v", res)
	}

	// A duration-bounded GET run against the same server.
	get, err := bench.Run(context.Background(), bench.Config{URL: srv.URL, Workers: 2, Duration: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if get.Requests == 0 || get.Errors != get.Requests {
		t.Errorf("GET run: %d requests, %d errors; want every GET refused with 400", get.Requests, get.Errors)
	}
}

func TestRunRejectsUnboundedConfig(t *testing.T) {
	t.Parallel()
	if _, err := bench.Run(context.Background(), bench.Config{URL: "http://127.0.0.1:1"}); err == nil {
		t.Error("Run without Requests or Duration succeeded")
	}
	if _, err := bench.Run(context.Background(), bench.Config{Requests: 1}); err == nil {
		t.Error("Run without URL succeeded")
	}
}
