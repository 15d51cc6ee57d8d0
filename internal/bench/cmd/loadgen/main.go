// Command loadgen sends a closed-loop GraphQL load to a running Marquee (for example
// `marquee serve --demo`) and prints throughput and latency percentiles. It is the load
// generator of the benchmarks in internal/bench, pointed at an external process:
//
//	go run ./internal/bench/cmd/loadgen -url http://localhost:8080/graphql -workers 16 -duration 10s
//
// Without -query it sends movies(first: 20). It exits non-zero when any request failed (not
// HTTP 200, or a GraphQL "errors" member), never because the server was slow.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/marquee-cinema/marquee/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
		}
		os.Exit(1)
	}
}

// defaultQuery is target 1 of docs/benchmarks.md.
const defaultQuery = `query MoviesFirst20 {
  movies(first: 20) {
    edges { cursor node { id title languages genres formats status runtimeMinutes certification posterUrl } }
    pageInfo { hasNextPage endCursor }
  }
}`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://localhost:8080/graphql", "GraphQL endpoint to POST to")
	query := fs.String("query", defaultQuery, "GraphQL query to send")
	vars := fs.String("variables", "", "JSON object of the query's variables")
	workers := fs.Int("workers", 16, "concurrent closed-loop clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to send load (ignored with -requests)")
	requests := fs.Int("requests", 0, "stop after this many requests instead of after -duration")
	warmup := fs.Int("warmup", 500, "unrecorded requests sent first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var variables map[string]any
	if *vars != "" {
		if err := json.Unmarshal([]byte(*vars), &variables); err != nil {
			return fmt.Errorf("-variables: %w", err)
		}
	}
	body, err := bench.GraphQLBody(*query, variables)
	if err != nil {
		return err
	}
	cfg := bench.Config{URL: *url, Body: bench.Static(body), Workers: *workers, Warmup: *warmup,
		Requests: *requests, Check: bench.GraphQLOK}
	if *requests <= 0 {
		cfg.Duration = *duration
	}
	res, err := bench.Run(ctx, cfg)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	fmt.Fprintf(stdout, "requests  %d (%d workers, %v)\n", res.Requests, res.Workers, res.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "errors    %d\n", res.Errors)
	fmt.Fprintf(stdout, "req/s     %.0f\n", res.RPS())
	fmt.Fprintf(stdout, "latency   p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
		bench.Millis(res.Percentile(50)), bench.Millis(res.Percentile(90)),
		bench.Millis(res.Percentile(99)), bench.Millis(res.Max()))
	if res.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed; first: %w", res.Errors, res.Requests, res.FirstErr)
	}
	return nil
}
