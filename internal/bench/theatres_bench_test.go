package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/bench"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

const (
	theatreCount = 10_000
	nearRadiusKm = theatre.DefaultRadiusKm // 10 km, the API's default
)

// BenchmarkTheatresNear10k measures target 2 (docs/benchmarks.md) server-side: TheatresNear
// with a 10 km radius through theatre.Service on the SQLite store holding 10,000 theatres
// clustered around 42 Indian cities, at search points near city centres. The theatres are
// loaded once, outside the timer. "sequential" is one caller (ns/op is the latency of one
// query); "parallel" is GOMAXPROCS callers (ns/op is wall time per query, i.e. 1/throughput).
func BenchmarkTheatresNear10k(b *testing.B) {
	svc, _ := openTheatreService(b, b.TempDir())
	took := loadTheatres(b, svc, theatreCount)
	b.Logf("loaded %d theatres through theatre.Service in %v (%.0f µs each)", theatreCount,
		took.Round(time.Millisecond), float64(took.Microseconds())/theatreCount)
	points := searchPoints(1024)
	ctx := context.Background()

	b.Run("sequential", func(b *testing.B) {
		lat := make([]time.Duration, 0, 1024)
		found, i := 0, 0
		for b.Loop() {
			start := time.Now()
			ts, err := svc.TheatresNear(ctx, points[i%len(points)], nearRadiusKm)
			lat = append(lat, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			found += len(ts)
			i++
		}
		slices.Sort(lat)
		b.ReportMetric(float64(found)/float64(i), "theatres/query")
		b.ReportMetric(bench.Millis(bench.Percentile(lat, 50)), "p50_ms")
		b.ReportMetric(bench.Millis(bench.Percentile(lat, 99)), "p99_ms")
	})

	b.Run("parallel", func(b *testing.B) {
		var found, queries, next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := next.Add(1)
				ts, err := svc.TheatresNear(ctx, points[int(i)%len(points)], nearRadiusKm)
				if err != nil {
					b.Error(err)
					return
				}
				found.Add(int64(len(ts)))
				queries.Add(1)
			}
		})
		if q := queries.Load(); q > 0 {
			b.ReportMetric(float64(found.Load())/float64(q), "theatres/query")
		}
	})
}

// nearQuery is a "theatres near me" page: the fields a list of nearby cinemas shows.
const nearQuery = `query Near($lat: Float!, $lng: Float!) {
  theatres(filter: {near: {lat: $lat, lng: $lng, radiusKm: 10}}) {
    id name chain address distanceKm location { lat lng }
  }
}`

// BenchmarkTheatresNear10kGraphQL is target 2 over the full path: POST /graphql to the whole
// program in this process, through the gateway and in-process gRPC to the same service and
// store as BenchmarkTheatresNear10k. workers=1 gives the latency of one query; more workers
// show the throughput of the two cores, shared with the load generator.
func BenchmarkTheatresNear10kGraphQL(b *testing.B) {
	dir := b.TempDir()
	svc, closeDB := openTheatreService(b, dir)
	loadTheatres(b, svc, theatreCount)
	closeDB()
	url := startApp(b, dir, false) + "/graphql"

	points := searchPoints(1024)
	bodies := make([][]byte, len(points))
	for i, p := range points {
		bodies[i] = mustBody(b, nearQuery, map[string]any{"lat": p.Lat, "lng": p.Lng})
	}
	body := func(seq int) []byte { return bodies[seq%len(bodies)] }

	// The GraphQL answer must match the service's before it is worth timing.
	svcCheck, closeCheck := openTheatreService(b, dir)
	want, err := svcCheck.TheatresNear(context.Background(), points[0], nearRadiusKm)
	closeCheck()
	if err != nil {
		b.Fatal(err)
	}
	var got int
	first, err := bench.Run(context.Background(), bench.Config{URL: url, Body: body, Requests: 1,
		Check: func(status int, resp []byte) error {
			got = countTheatres(resp)
			return bench.GraphQLOK(status, resp)
		}})
	if err != nil || first.Errors > 0 {
		b.Fatalf("first request: %v %v", err, first.FirstErr)
	}
	if got != len(want) || got == 0 {
		b.Fatalf("GraphQL found %d theatres near %v, the service %d", got, points[0], len(want))
	}

	for _, workers := range []int{1, 16} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			client := bench.NewClient(workers)
			defer client.CloseIdleConnections()
			var found atomic.Int64
			cfg := bench.Config{URL: url, Body: body, Workers: workers, Client: client,
				Check: func(status int, resp []byte) error {
					found.Add(int64(countTheatres(resp)))
					return bench.GraphQLOK(status, resp)
				}}
			warm := cfg
			warm.Requests = 4 * workers
			if _, err := bench.Run(context.Background(), warm); err != nil {
				b.Fatal(err)
			}
			found.Store(0)
			cfg.Requests = b.N
			b.ResetTimer()
			res, err := bench.Run(context.Background(), cfg)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			reportLoad(b, res)
			b.ReportMetric(float64(found.Load())/float64(res.Requests), "theatres/query")
		})
	}
}

// countTheatres counts the theatres in a nearQuery response: every theatre has one "id".
func countTheatres(resp []byte) int { return bytes.Count(resp, []byte(`"id":`)) }
