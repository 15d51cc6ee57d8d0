package bench_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/app"
	"github.com/marquee-cinema/marquee/internal/bench"
	"github.com/marquee-cinema/marquee/internal/platform/config"
	"github.com/marquee-cinema/marquee/internal/platform/logging"
)

// startApp runs Marquee in this process as `marquee serve --target=all` would, on the embedded
// defaults (SQLite in dataDir) with free ports, logging at warn to nowhere, and stops it when the
// benchmark ends. It returns the base URL of the HTTP server.
func startApp(tb testing.TB, dataDir string, demo bool, extra ...string) string {
	tb.Helper()
	args := []string{"--target=all", "--http-addr=127.0.0.1:0", "--grpc-addr=127.0.0.1:0",
		"--data-dir=" + dataDir, "--log-level=warn", fmt.Sprintf("--demo=%t", demo)}
	if ttl := os.Getenv("BENCH_GRAPHQL_CACHE_TTL"); ttl != "" {
		// e.g. BENCH_GRAPHQL_CACHE_TTL=0: measure every request executed, without the micro-cache.
		args = append(args, "--graphql-cache-ttl="+ttl)
	}
	cfg, err := config.Load(append(args, extra...), func(string) string { return "" }, io.Discard)
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	a, err := app.New(cfg, app.Options{Log: logging.New(io.Discard, cfg.LogLevel, "json")})
	if err != nil {
		tb.Fatalf("app.New: %v", err)
	}
	if err := a.Start(context.Background()); err != nil {
		tb.Fatalf("app.Start: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.Stop(ctx); err != nil {
			tb.Errorf("app.Stop: %v", err)
		}
	})
	return "http://" + a.HTTPAddr()
}

// reportLoad reports a load run's figures as benchmark metrics, and fails the benchmark when any
// request failed: a benchmark of wrong answers measures nothing. Slowness never fails it.
func reportLoad(b *testing.B, res bench.Result) {
	b.Helper()
	if res.Errors > 0 {
		b.Fatalf("%d of %d requests failed; first: %v", res.Errors, res.Requests, res.FirstErr)
	}
	b.ReportMetric(res.RPS(), "req/s")
	b.ReportMetric(bench.Millis(res.Percentile(50)), "p50_ms")
	b.ReportMetric(bench.Millis(res.Percentile(90)), "p90_ms")
	b.ReportMetric(bench.Millis(res.Percentile(99)), "p99_ms")
	b.ReportMetric(bench.Millis(res.Max()), "max_ms")
}

// runTimed runs warm requests of cfg untimed (so that connections and the server's caches are
// warm), then b.N timed ones, and returns the timed run's result and the CPU sample taken when
// the timer started. A run that could not be made fails the benchmark.
func runTimed(b *testing.B, cfg bench.Config, warm int) (bench.Result, cpuUse) {
	b.Helper()
	w := cfg
	w.Requests = warm
	if _, err := bench.Run(context.Background(), w); err != nil {
		b.Fatal(err)
	}
	cfg.Requests = b.N
	b.ResetTimer()
	cpu := sampleCPU()
	res, err := bench.Run(context.Background(), cfg)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	return res, cpu
}

func mustBody(tb testing.TB, query string, vars map[string]any) []byte {
	tb.Helper()
	b, err := bench.GraphQLBody(query, vars)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
