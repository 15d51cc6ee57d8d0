package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/marquee-cinema/marquee/internal/bench"
)

// moviesFirst20 is the first page of the catalogue with the fields a listing page shows.
const moviesFirst20 = `query MoviesFirst20 {
  movies(first: 20) {
    edges { cursor node { id title languages genres formats status runtimeMinutes certification posterUrl } }
    pageInfo { hasNextPage endCursor }
  }
}`

// BenchmarkMoviesFirst20HTTP measures target 1 (docs/benchmarks.md): movies(first: 20) over
// POST /graphql against the whole program in one process on the embedded defaults with the demo
// data. Each sub-benchmark is a closed-loop load of b.N requests from that many workers sharing
// one transport; ns/op is wall time per request (1e9 / req/s). The load generator runs in the
// same process, on the same cores, as the server.
func BenchmarkMoviesFirst20HTTP(b *testing.B) {
	url := startApp(b, b.TempDir(), true) + "/graphql"
	body := mustBody(b, moviesFirst20, nil)

	// The query must return the demo catalogue's first page before it is worth timing.
	check := func(status int, resp []byte) error {
		if err := bench.GraphQLOK(status, resp); err != nil {
			return err
		}
		var r struct {
			Data struct {
				Movies struct{ Edges []json.RawMessage }
			}
		}
		if err := json.Unmarshal(resp, &r); err != nil {
			return err
		}
		if len(r.Data.Movies.Edges) == 0 {
			return fmt.Errorf("no movies: %s", resp)
		}
		return nil
	}
	if res, err := bench.Run(context.Background(), bench.Config{URL: url, Body: bench.Static(body), Requests: 1, Check: check}); err != nil || res.Errors > 0 {
		b.Fatalf("first request: %v %v", err, res.FirstErr)
	}

	for _, workers := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			client := bench.NewClient(workers)
			defer client.CloseIdleConnections()
			cfg := bench.Config{URL: url, Body: bench.Static(body), Workers: workers, Client: client, Check: bench.GraphQLOK}
			res, _ := runTimed(b, cfg, 4*workers)
			reportLoad(b, res)
		})
	}
}
