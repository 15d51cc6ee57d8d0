package bench_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/marquee-cinema/marquee/internal/platform/redistest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	bookingv1 "github.com/marquee-cinema/marquee/api/proto/marquee/booking/v1"
	"github.com/marquee-cinema/marquee/internal/bench"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
)

// This file measures issue 5's booking targets (docs/benchmarks.md, "Booking"): holds over
// GraphQL against the Redis seat locker, the seat map of a 420-seat IMAX show, and a flash sale.
// Each benchmark starts the whole program in this process (startApp) with the demo data set and
// --redis-url, under a random --redis-prefix whose keys it deletes (never FLUSH) when it ends. The
// load generator runs in the same process, on the same cores, as the server; Redis runs on the
// same machine too. Without a Redis answering at the URL the benchmarks are skipped.

// benchRedisURL is the Redis the booking benchmarks use: $MARQUEE_BENCH_REDIS_URL, else
// $MARQUEE_TEST_REDIS_URL (the end-to-end tests' variable), else redis://127.0.0.1:6379/0.
func benchRedisURL() string {
	for _, v := range []string{"MARQUEE_BENCH_REDIS_URL", "MARQUEE_TEST_REDIS_URL"} {
		if u := os.Getenv(v); u != "" {
			return u
		}
	}
	return "redis://127.0.0.1:6379/0"
}

// benchRedis is a Redis for one benchmark: its URL, a prefix of its own, and a client.
type benchRedis struct {
	url, prefix string
	client      *redis.Client
}

// useRedis connects to benchRedisURL (skipping the benchmark when it does not answer) and picks a
// random key prefix. When the benchmark ends it deletes the keys under that prefix, and only them.
func useRedis(tb testing.TB) benchRedis {
	tb.Helper()
	url := benchRedisURL()
	opt, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("redis URL %q: %v", url, err)
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		tb.Skipf("no Redis at %s (%v); set MARQUEE_BENCH_REDIS_URL", url, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	r := benchRedis{url: url, prefix: "bench:" + hex.EncodeToString(b) + ":", client: c}
	tb.Cleanup(func() {
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n, err := deletePrefix(ctx, c, r.prefix)
		if err != nil {
			tb.Logf("deleting Redis keys %s*: %v", r.prefix, err)
		}
		tb.Logf("deleted %d Redis keys under %s", n, r.prefix)
	})
	return r
}

// deletePrefix deletes the keys under prefix with SCAN and UNLINK.
func deletePrefix(ctx context.Context, c *redis.Client, prefix string) (int, error) {
	n := 0
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	batch := make([]string, 0, 500)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := c.Unlink(ctx, batch...).Err()
		n += len(batch)
		batch = batch[:0]
		return err
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// startRedisApp runs the whole program (startApp) with the demo data set and the Redis seat
// locker, event bus and caches under r's prefix, on a known gRPC address. It returns the GraphQL
// URL and the gRPC address.
func startRedisApp(b *testing.B, r benchRedis, extra ...string) (gqlURL, grpcAddr string) {
	b.Helper()
	grpcAddr = freeAddr(b)
	args := append([]string{"--redis-url=" + r.url, "--redis-prefix=" + r.prefix, "--grpc-addr=" + grpcAddr}, extra...)
	return startApp(b, b.TempDir(), true, args...) + "/graphql", grpcAddr
}

// gqlReply is a GraphQL response.
type gqlReply struct {
	Data   json.RawMessage
	Errors []gqlErr
}

type gqlErr struct {
	Message    string
	Extensions map[string]any
}

func (e gqlErr) code() string   { s, _ := e.Extensions["code"].(string); return s }
func (e gqlErr) reason() string { s, _ := e.Extensions["reason"].(string); return s }

// gqlCall posts one GraphQL request as client (nil: a client without cookies) with an optional
// bearer token. Only transport and decoding failures are errors; GraphQL errors are in the reply.
func gqlCall(ctx context.Context, client *http.Client, url, token, query string, vars map[string]any) (gqlReply, error) {
	body, err := bench.GraphQLBody(query, vars)
	if err != nil {
		return gqlReply{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return gqlReply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return gqlReply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return gqlReply{}, err
	}
	var r gqlReply
	if err := json.Unmarshal(raw, &r); err != nil {
		return gqlReply{}, fmt.Errorf("HTTP %d: %w: %.300s", resp.StatusCode, err, raw)
	}
	return r, nil
}

// mustGQL is gqlCall for set-up: any failure or GraphQL error fails the benchmark.
func mustGQL(tb testing.TB, client *http.Client, url, token, query string, vars map[string]any, out any) {
	tb.Helper()
	r, err := gqlCall(context.Background(), client, url, token, query, vars)
	if err == nil && len(r.Errors) > 0 {
		err = fmt.Errorf("%s (%s)", r.Errors[0].Message, r.Errors[0].code())
	}
	if err == nil && out != nil {
		err = json.Unmarshal(r.Data, out)
	}
	if err != nil {
		tb.Fatalf("%.60s…: %v", strings.Join(strings.Fields(query), " "), err)
	}
}

// newJarClient is one browser: a cookie jar of its own (the marquee_session cookie) over a
// transport shared with the other clients.
func newJarClient(t http.RoundTripper) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: t, Jar: jar, Timeout: 60 * time.Second}
}

// demoShow is a show of the demo programme, as found through showtimes.
type demoShow struct {
	ID, Theatre, Screen string
	SeatCount           int
	StartsAt            time.Time
}

// demoShows collects the scheduled demo shows of every city and movie that start at least an
// hour from now (so that none starts during a run), through cities, movies and showtimes.
func demoShows(tb testing.TB, url string) []demoShow {
	tb.Helper()
	var cities struct{ Cities []struct{ ID string } }
	mustGQL(tb, nil, url, "", `{ cities { id } }`, nil, &cities)
	seen := map[string]bool{}
	var out []demoShow
	for _, c := range cities.Cities {
		var movies struct {
			Movies struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		mustGQL(tb, nil, url, "", `query($c: ID!) { movies(filter: {cityId: $c}, first: 50) { edges { node { id } } } }`,
			map[string]any{"c": c.ID}, &movies)
		for _, m := range movies.Movies.Edges {
			var st struct {
				Showtimes []struct {
					Theatre struct{ Name string }
					Shows   []struct {
						ID, Status string
						StartsAt   time.Time
						Screen     struct {
							Name      string
							SeatCount int
						}
					}
				}
			}
			mustGQL(tb, nil, url, "", `query($m: ID!, $c: ID!) { showtimes(filter: {movieId: $m, cityId: $c}) {
				theatre { name } shows { id status startsAt screen { name seatCount } } } }`,
				map[string]any{"m": m.Node.ID, "c": c.ID}, &st)
			for _, g := range st.Showtimes {
				for _, s := range g.Shows {
					if seen[s.ID] || s.Status != "SCHEDULED" || time.Until(s.StartsAt) < time.Hour {
						continue
					}
					seen[s.ID] = true
					out = append(out, demoShow{ID: s.ID, Theatre: g.Theatre.Name, Screen: s.Screen.Name,
						SeatCount: s.Screen.SeatCount, StartsAt: s.StartsAt})
				}
			}
		}
	}
	if len(out) == 0 {
		tb.Fatal("the demo programme has no show starting in an hour or more")
	}
	slices.SortFunc(out, func(a, b demoShow) int { return a.StartsAt.Compare(b.StartsAt) })
	return out
}

// spreadShows picks n shows round-robin over the screens (so over theatres, cities and movies).
func spreadShows(all []demoShow, n int) []demoShow {
	byScreen := map[string][]demoShow{}
	var screens []string
	for _, s := range all {
		k := s.Theatre + "/" + s.Screen
		if _, ok := byScreen[k]; !ok {
			screens = append(screens, k)
		}
		byScreen[k] = append(byScreen[k], s)
	}
	var out []demoShow
	for round := 0; len(out) < n; round++ {
		added := false
		for _, k := range screens {
			if round < len(byScreen[k]) && len(out) < n {
				out = append(out, byScreen[k][round])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return out
}

// seatMapQuery is what a seat selection page asks for: every cell, each seat's status, the
// prices and the caller's hold.
const seatMapQuery = `query SeatMap($s: ID!) { seatMap(showId: $s) { showId
  categories { category name price { amount currency } }
  myHold { id expiresAt }
  rows { label cells { column seat { id number category status accessible companion mine } } } } }`

type seatMapData struct {
	SeatMap struct {
		ShowID string
		Rows   []struct {
			Label string
			Cells []struct {
				Column int
				Seat   *struct{ ID, Status string }
			}
		}
	}
}

// statuses counts the seats of a seat map by status.
func (m seatMapData) statuses() map[string]int {
	out := map[string]int{}
	for _, r := range m.SeatMap.Rows {
		for _, c := range r.Cells {
			if c.Seat != nil {
				out[c.Seat.Status]++
			}
		}
	}
	return out
}

// runs returns every run of n adjacent seats (no aisle between them) whose seats all have one of
// the statuses, row by row. With evenStart only runs starting an even number of seats into
// their block, as a customer avoiding single left-over seats would choose.
func (m seatMapData) runs(n int, evenStart bool, statuses ...string) [][]string {
	var out [][]string
	for _, r := range m.SeatMap.Rows {
		var block []string // the seats of the current block, "" for one not in statuses
		flush := func() {
			for i := 0; i+n <= len(block); i++ {
				if evenStart && i%2 == 1 {
					continue
				}
				if !slices.Contains(block[i:i+n], "") {
					out = append(out, slices.Clone(block[i:i+n]))
				}
			}
			block = block[:0]
		}
		for _, c := range r.Cells {
			if c.Seat == nil {
				flush()
				continue
			}
			id := c.Seat.ID
			if !slices.Contains(statuses, c.Seat.Status) {
				id = ""
			}
			block = append(block, id)
		}
		flush()
	}
	return out
}

// freeRuns cuts every block of seats with one of the statuses (the adjacent seats of a row
// between row ends, gaps and seats of other statuses) into runs of n that do not overlap,
// starting at the block's first seat, row by row and left to right. When a block's length is
// one more than a multiple of n its last run is dropped: holding it would leave the block's last
// seat alone. So holding any of the runs, in any combination, never strands a seat.
func (m seatMapData) freeRuns(n int, statuses ...string) [][]string {
	var out [][]string
	for _, r := range m.SeatMap.Rows {
		var block []string
		flush := func() {
			k := len(block) / n
			if len(block)%n == 1 {
				k--
			}
			for i := range max(k, 0) {
				out = append(out, slices.Clone(block[i*n:(i+1)*n]))
			}
			block = block[:0]
		}
		for _, c := range r.Cells {
			if c.Seat == nil || !slices.Contains(statuses, c.Seat.Status) {
				flush()
				continue
			}
			block = append(block, c.Seat.ID)
		}
		flush()
	}
	return out
}

// runClients is one closed-loop load from len(clients) workers in which every worker is a client
// of its own: it runs bench.Run once per client, all at once, each with one worker, perClient
// requests and that client (whose cookie jar keeps its anonymous session), and merges the results.
// bodyOf, when not nil, gives the i-th client's Body in place of cfg.Body, so that what a
// request asks for can depend on who asks.
func runClients(ctx context.Context, cfg bench.Config, clients []*http.Client, perClient int,
	bodyOf func(client int) func(seq int) []byte) (bench.Result, error) {
	results := make([]bench.Result, len(clients))
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			one := cfg
			one.Workers, one.Client, one.Requests = 1, c, perClient
			if bodyOf != nil {
				one.Body = bodyOf(i)
			}
			results[i], errs[i] = bench.Run(ctx, one)
		}()
	}
	wg.Wait()
	out := bench.Result{Workers: len(clients)}
	for _, r := range results {
		out.Requests += r.Requests
		out.Errors += r.Errors
		if out.FirstErr == nil {
			out.FirstErr = r.FirstErr
		}
		out.Elapsed = max(out.Elapsed, r.Elapsed)
		out.Latencies = append(out.Latencies, r.Latencies...)
	}
	slices.Sort(out.Latencies)
	return out, errors.Join(errs...)
}

// holdOutcomes counts the answers to holdSeats: holds, and the refusals that are valid answers.
type holdOutcomes struct {
	held, unavailable, orphan atomic.Int64
}

var (
	holdOK          = []byte(`"holdSeats":{"id":"H`)
	seatUnavailable = []byte(`"code":"SEAT_UNAVAILABLE"`)
	orphanSeat      = []byte(`"reason":"ORPHAN_SEAT"`)
)

// check classifies a holdSeats response; anything but a hold or a SEAT_UNAVAILABLE or
// ORPHAN_SEAT refusal is an error.
func (o *holdOutcomes) check(status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.300s", status, body)
	}
	switch {
	case bytes.Contains(body, holdOK) && !bytes.Contains(body, []byte(`"errors"`)):
		o.held.Add(1)
	case bytes.Contains(body, seatUnavailable):
		o.unavailable.Add(1)
	case bytes.Contains(body, orphanSeat):
		o.orphan.Add(1)
	default:
		return fmt.Errorf("unexpected answer: %.300s", body)
	}
	return nil
}

func (o *holdOutcomes) reset() { o.held.Store(0); o.unavailable.Store(0); o.orphan.Store(0) }

const holdSeatsMutation = `mutation Hold($s: ID!, $seats: [ID!]!) { holdSeats(showId: $s, seatIds: $seats) {
  id seatIds expiresAt quote { total { amount currency } } } }`

// BenchmarkHoldSeatsRedis measures issue 5's hold target: holdSeats of 4 adjacent seats over
// POST /graphql against the whole program in one process with the Redis seat locker, across 100
// demo shows (round-robin over the demo screens). Each worker is a customer: an anonymous browser
// with its own cookie jar (its own marquee_session). A customer has at most one hold per show, so
// its new hold on a show replaces its earlier one there and the seats never run out; the
// customers are the same in every run (a run of n workers is the first n of 32), so a later run
// replaces the holds of an earlier one. It runs two load shapes, free first, each with the
// in-process generator (workers=N) and with wrk (wrk-connections=N):
//
//   - shape=free: customers ask for seats their seat map shows free, as real customers do. The
//     blocks of seats of each show (adjacent seats of a row available at set-up, between row
//     ends, aisles and other seats) are cut into runs of 4 that do not overlap, from each block's
//     first seat; a block one seat longer than a multiple of 4 loses its last run, so no hold can
//     leave a seat alone. Run k of a show belongs to customer k mod 32. A request by a customer
//     picks a random show among those where it has runs, and a random run of its own there. The
//     customers' runs are disjoint, so refusals should be about nil.
//   - shape=contended: a request picks any show at random and any run of 4 adjacent seats in one
//     row of it (starting an even number of seats into its aisle block), whoever holds them:
//     with 16 customers about 35 % of the answers are SEAT_UNAVAILABLE (another customer holds a
//     seat of the run) and 8 % ORPHAN_SEAT.
//
// The free shape exists because a refusal is an answer, not a hold: in the contended shape the
// requests ask for seats that another customer holds, so holds/s is capped at the share of
// requests that can succeed, however fast the server is. Real customers click seats their map
// shows free; a conflict happens only in the short race between seeing the map and holding.
// SEAT_UNAVAILABLE and ORPHAN_SEAT refusals are valid answers in both shapes: they are counted
// (unavailable_%, orphan_%), not failed. req/s counts every answer, holds/s only the holds made.
// Each shape starts from seats nobody holds: the customers' holds of the shape before are
// released first (outside the timer). The raw-Redis baseline (redis-benchmark with the
// hold-shaped script of internal/booking/seatlock/bench_test.go) runs first, against the same
// Redis, while the program is idle: redis_benchmark_ops/s, and holds_to_redis_ratio = holds/s ÷
// that.
func BenchmarkHoldSeatsRedis(b *testing.B) {
	r := useRedis(b)
	url, _ := startRedisApp(b, r)
	raw, cmdline := redisBaseline(b, r)
	if raw > 0 {
		b.Logf("redis-benchmark %s: %.0f requests/s", cmdline, raw)
	}

	// The customers are the same in every run: a run of n workers is the first n of them, so a
	// later run replaces the holds of an earlier one instead of adding to them.
	const maxWorkers = 32
	shows := spreadShows(demoShows(b, url), 100)
	free := holdShape{name: "free"}
	contended := holdShape{name: "contended"}
	seats, freeRuns := 0, 0
	for _, s := range shows {
		var m seatMapData
		mustGQL(b, nil, url, "", seatMapQuery, map[string]any{"s": s.ID}, &m)
		var all [][]byte
		for _, run := range m.runs(4, true, "AVAILABLE") {
			all = append(all, mustBody(b, holdSeatsMutation, map[string]any{"s": s.ID, "seats": run}))
		}
		if len(all) == 0 {
			b.Fatalf("show %s has no run of 4 free seats", s.ID)
		}
		everyone := make([][][]byte, maxWorkers)
		for c := range everyone {
			everyone[c] = all // one slice for all: anyone may ask for any run
		}
		contended.bodies = append(contended.bodies, everyone)
		mine := make([][][]byte, maxWorkers)
		for k, run := range m.freeRuns(4, "AVAILABLE") {
			mine[k%maxWorkers] = append(mine[k%maxWorkers], mustBody(b, holdSeatsMutation, map[string]any{"s": s.ID, "seats": run}))
			freeRuns++
		}
		free.bodies = append(free.bodies, mine)
		seats += m.statuses()["AVAILABLE"]
	}
	screens := map[string]bool{}
	for _, s := range shows {
		screens[s.Theatre+"/"+s.Screen] = true
	}
	b.Logf("%d shows (%d seats) on %d screens; the free shape cuts them into %d runs of 4", len(shows), seats, len(screens), freeRuns)
	for _, sh := range []holdShape{free, contended} {
		for c := range maxWorkers {
			if sh.showsOf(c) == 0 {
				b.Fatalf("shape %s: customer %d has no run of 4 seats on any show", sh.name, c)
			}
		}
	}

	transport := bench.NewTransport(maxWorkers)
	defer transport.CloseIdleConnections()
	customers := make([]*http.Client, maxWorkers)
	for i := range customers {
		customers[i] = newJarClient(transport)
	}
	held := false // whether the customers may hold seats (a shape has run)
	for _, shape := range []holdShape{free, contended} {
		b.Run("shape="+shape.name, func(b *testing.B) {
			if held {
				t0 := time.Now()
				n := releaseHolds(b, url, customers, shows)
				b.Logf("released the customers' %d holds before the %s shape in %v", n, shape.name, time.Since(t0).Round(time.Millisecond))
			}
			held = true
			for _, workers := range []int{16, maxWorkers} {
				b.Run(fmt.Sprintf("wrk-connections=%d", workers), func(b *testing.B) {
					holdSeatsWrk(b, r, url, shape, customers[:workers], raw)
				})
				b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
					holdSeatsInProcess(b, r, url, shape, customers[:workers], raw)
				})
			}
		})
	}
}

// holdShape is a load shape of BenchmarkHoldSeatsRedis: which holdSeats bodies each customer
// sends.
type holdShape struct {
	name string
	// bodies[show][customer] are the bodies the customer may send for the show, empty when it has
	// no run there. Customers who may send the same bodies share one slice.
	bodies [][][][]byte
}

// showsOf is the number of shows on which customer c has runs.
func (s holdShape) showsOf(c int) int {
	n := 0
	for _, per := range s.bodies {
		if len(per[c]) > 0 {
			n++
		}
	}
	return n
}

// body is customer c's Body for bench.Config: a random show among those on which c has runs,
// then a random run of c's there.
func (s holdShape) body(c int) func(int) []byte {
	var mine [][][]byte // per show with runs of c's
	for _, per := range s.bodies {
		if len(per[c]) > 0 {
			mine = append(mine, per[c])
		}
	}
	return func(int) []byte {
		per := mine[mrand.IntN(len(mine))]
		return per[mrand.IntN(len(per))]
	}
}

// releaseHolds releases the holds the customers have on the shows (each show's myHold, as each
// customer sees it) and returns how many it released.
func releaseHolds(b *testing.B, url string, customers []*http.Client, shows []demoShow) int {
	b.Helper()
	released := 0
	for _, c := range customers {
		var holds []string
		for chunk := range slices.Chunk(shows, 25) {
			var q strings.Builder
			q.WriteString("{")
			for i, s := range chunk {
				fmt.Fprintf(&q, " s%d: seatMap(showId: %q) { myHold { id } }", i, s.ID)
			}
			q.WriteString(" }")
			var maps map[string]struct{ MyHold *struct{ ID string } }
			mustGQL(b, c, url, "", q.String(), nil, &maps)
			for _, m := range maps {
				if m.MyHold != nil {
					holds = append(holds, m.MyHold.ID)
				}
			}
		}
		if len(holds) == 0 {
			continue
		}
		var q strings.Builder
		q.WriteString("mutation {")
		for i, h := range holds {
			fmt.Fprintf(&q, " r%d: releaseHold(holdId: %q)", i, h)
		}
		q.WriteString(" }")
		res, err := gqlCall(context.Background(), c, url, "", q.String(), nil)
		if err != nil {
			b.Fatalf("releaseHold: %v", err)
		}
		for _, e := range res.Errors {
			if e.code() != "HOLD_EXPIRED" { // it lapsed meanwhile: released all the same
				b.Fatalf("releaseHold: %s (%s)", e.Message, e.code())
			}
		}
		released += len(holds)
	}
	return released
}

// holdSeatsInProcess is BenchmarkHoldSeatsRedis with the in-process generator: one closed-loop
// worker per customer (runClients), b.N requests in all.
func holdSeatsInProcess(b *testing.B, r benchRedis, url string, shape holdShape, customers []*http.Client, raw float64) {
	workers := len(customers)
	var o holdOutcomes
	cfg := bench.Config{URL: url, Check: o.check}
	// Warm up: every client gets its session cookie, connections and caches warm.
	if _, err := runClients(context.Background(), cfg, customers, 20, shape.body); err != nil {
		b.Fatal(err)
	}
	o.reset()
	per := max(1, (b.N+workers-1)/workers)
	b.ResetTimer()
	cpu, redisCPU := sampleCPU(), redistest.ServerCPU(r.client)
	res, err := runClients(context.Background(), cfg, customers, per, shape.body)
	b.StopTimer()
	reportCPU(b, cpu)
	if u := redistest.ServerCPU(r.client); u > 0 && res.Requests > 0 {
		// Redis's own CPU time per request (INFO cpu); other clients of the same Redis would add
		// to it.
		b.ReportMetric((u-redisCPU)*1e6/float64(res.Requests), "redis_cpu_us/req")
	}
	if err != nil {
		b.Fatal(err)
	}
	reportLoad(b, res)
	n := float64(res.Requests)
	held := float64(o.held.Load())
	b.ReportMetric(held/res.Elapsed.Seconds(), "holds/s")
	b.ReportMetric(100*float64(o.unavailable.Load())/n, "unavailable_%")
	b.ReportMetric(100*float64(o.orphan.Load())/n, "orphan_%")
	if raw > 0 {
		b.ReportMetric(raw, "redis_benchmark_ops/s")
		b.ReportMetric(held/res.Elapsed.Seconds()/raw, "holds_to_redis_ratio")
	}
}

// holdSeatsWrk is BenchmarkHoldSeatsRedis with wrk as the load generator, in a process of its
// own (one thread, one connection per customer), for BENCH_WRK_DURATION (default 10s; b.N is
// not used). It warms the customers up in process first, so that each has its marquee_session
// cookie (sessions are signed by the server), then writes a wrk script (holdsWrkScript) that,
// like the in-process generator, picks a customer at random per request, sends its cookie and
// one of the bodies the shape gives it for a random show, and counts holds and refusals in
// response(). It is skipped when wrk is not on PATH. BENCH_WRK_CPUPROFILE=file writes a CPU
// profile of the program during the wrk run alone (the last run, when the benchmark runs twice).
func holdSeatsWrk(b *testing.B, r benchRedis, url string, shape holdShape, customers []*http.Client, raw float64) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not on PATH (apt-get install wrk)")
	}
	dur := 10 * time.Second
	if v := os.Getenv("BENCH_WRK_DURATION"); v != "" {
		if dur, err = time.ParseDuration(v); err != nil {
			b.Fatalf("BENCH_WRK_DURATION: %v", err)
		}
	}
	var o holdOutcomes
	if _, err := runClients(context.Background(), bench.Config{URL: url, Check: o.check}, customers, 20, shape.body); err != nil {
		b.Fatal(err)
	}
	u, err := neturl.Parse(url)
	if err != nil {
		b.Fatal(err)
	}
	cookies := make([]string, len(customers)) // customer i's marquee_session
	for i, c := range customers {
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "marquee_session" {
				cookies[i] = ck.Value
			}
		}
		if cookies[i] == "" {
			b.Fatalf("customer %d of %d has no session cookie", i, len(customers))
		}
	}
	script, err := holdsWrkScript(cookies, shape.bodies)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	path := dir + "/holds.lua"
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("wrk script %s (%d KiB), %d customers", path, len(script)/1024, len(customers))

	if path := os.Getenv("BENCH_WRK_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	b.ResetTimer()
	cpu, redisCPU, redisCmds := sampleCPU(), redistest.ServerCPU(r.client), redistest.CommandStats(r.client)
	cmd := exec.Command(wrk, "-t1", "-c"+strconv.Itoa(len(customers)), "-d"+dur.String(), "--timeout", "10s", "-s", path, url)
	out, err := cmd.CombinedOutput()
	b.StopTimer()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	wrkCPU := 0.0
	if st := cmd.ProcessState; st != nil {
		wrkCPU = (st.UserTime() + st.SystemTime()).Seconds()
	}
	reportCPUExcept(b, cpu, wrkCPU, "cpu_wrk_cores")
	m := regexp.MustCompile(`(?m)^HOLDS (.*)$`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("no HOLDS line in wrk's output:\n%s", out)
	}
	f := map[string]float64{}
	for _, kv := range strings.Fields(string(m[1])) {
		k, v, _ := strings.Cut(kv, "=")
		f[k], _ = strconv.ParseFloat(v, 64)
	}
	if f["bad"] > 0 || f["other"] > 0 || f["errors"] > 0 {
		b.Fatalf("wrk saw %v bad statuses, %v unexpected answers, %v socket errors:\n%s", f["bad"], f["other"], f["errors"], out)
	}
	secs, n := f["duration_us"]/1e6, f["requests"]
	if n == 0 || secs == 0 {
		b.Fatalf("wrk made no requests:\n%s", out)
	}
	if u := redistest.ServerCPU(r.client); u > 0 {
		b.ReportMetric((u-redisCPU)*1e6/n, "redis_cpu_us/req")
	}
	logCommandStats(b, redisCmds, redistest.CommandStats(r.client), n)
	b.ReportMetric(n/secs, "req/s")
	b.ReportMetric(f["held"]/secs, "holds/s")
	b.ReportMetric(f["p50_us"]/1e3, "p50_ms")
	b.ReportMetric(f["p90_us"]/1e3, "p90_ms")
	b.ReportMetric(f["p99_us"]/1e3, "p99_ms")
	b.ReportMetric(f["max_us"]/1e3, "max_ms")
	b.ReportMetric(100*f["unavailable"]/n, "unavailable_%")
	b.ReportMetric(100*f["orphan"]/n, "orphan_%")
	if raw > 0 {
		b.ReportMetric(raw, "redis_benchmark_ops/s")
		b.ReportMetric(f["held"]/secs/raw, "holds_to_redis_ratio")
	}
}

// logCommandStats logs, per request, the calls Redis served and the time it spent in them
// (scripts include the commands they run), by command, between two CommandStats.
func logCommandStats(b *testing.B, before, after map[string]redistest.CommandStat, requests float64) {
	var lines []string
	for name, a := range after {
		calls, usec := a.Calls-before[name].Calls, a.Usec-before[name].Usec
		if calls > 0 && name != "info" {
			lines = append(lines, fmt.Sprintf("%s %.2f calls, %.1f µs", name, float64(calls)/requests, float64(usec)/requests))
		}
	}
	slices.Sort(lines)
	b.Logf("Redis commands per request (scripts include their commands): %s", strings.Join(lines, "; "))
}

// holdsWrkScript writes holdSeatsWrk's wrk script for the customers whose session cookies are
// given (customer i has cookies[i]) and bodies[show][customer] (see holdShape): a cookies table,
// then a bodies table of the same shape in which customers who share a slice share a Lua table
// (so the contended shape's runs are written once per show), then wrkHoldsLua.
func holdsWrkScript(cookies []string, bodies [][][][]byte) (string, error) {
	var script strings.Builder
	script.WriteString("-- written by BenchmarkHoldSeatsRedis (internal/bench)\nlocal cookies = {\n")
	for _, c := range cookies {
		fmt.Fprintf(&script, "  %q,\n", c)
	}
	script.WriteString("}\n-- bodies[show][customer]: the holdSeats bodies the customer may send for the show (none: {})\nlocal bodies = {}\nlocal s\n")
	for c := range cookies {
		if !slices.ContainsFunc(bodies, func(per [][][]byte) bool { return len(per) > c && len(per[c]) > 0 }) {
			return "", fmt.Errorf("customer %d has no body for any show", c)
		}
	}
	for si, per := range bodies {
		if len(per) < len(cookies) {
			return "", fmt.Errorf("show %d has bodies for %d customers, not %d", si, len(per), len(cookies))
		}
		fmt.Fprintf(&script, "s = {}; bodies[%d] = s\n", si+1)
		for c := range cookies {
			if c > 0 && len(per[c]) > 0 && len(per[c]) == len(per[c-1]) && &per[c][0] == &per[c-1][0] {
				fmt.Fprintf(&script, "s[%d] = s[%d]\n", c+1, c)
				continue
			}
			if len(per[c]) == 0 {
				fmt.Fprintf(&script, "s[%d] = {}\n", c+1)
				continue
			}
			fmt.Fprintf(&script, "s[%d] = {\n", c+1)
			for _, bd := range per[c] {
				if bytes.Contains(bd, []byte("]==]")) {
					return "", fmt.Errorf("request body %s cannot be quoted", bd)
				}
				fmt.Fprintf(&script, "  [==[%s]==],\n", bd)
			}
			script.WriteString("}\n")
		}
	}
	script.WriteString(wrkHoldsLua)
	return script.String(), nil
}

// wrkHoldsLua is the end of holdSeatsWrk's wrk script, after its cookies and bodies tables. A
// request picks a customer, then shows at random until one on which the customer has bodies
// (holdsWrkScript checked that every customer has some). Each wrk thread has its own Lua state:
// done() adds up the threads' counters and prints one HOLDS line.
const wrkHoldsLua = `wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
held, unavailable, orphan, other, bad = 0, 0, 0, 0, 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end
function request()
  local i = math.random(#cookies)
  local per
  repeat per = bodies[math.random(#bodies)][i] until #per > 0
  wrk.headers["Cookie"] = "marquee_session=" .. cookies[i]
  return wrk.format(nil, nil, nil, per[math.random(#per)])
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1
  elseif not string.find(body, '"errors"', 1, true) and string.find(body, '"holdSeats":{"id":"H', 1, true) then held = held + 1
  elseif string.find(body, '"code":"SEAT_UNAVAILABLE"', 1, true) then unavailable = unavailable + 1
  elseif string.find(body, '"reason":"ORPHAN_SEAT"', 1, true) then orphan = orphan + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local t = {held = 0, unavailable = 0, orphan = 0, other = 0, bad = 0}
  for _, th in ipairs(threads) do
    for k in pairs(t) do t[k] = t[k] + th:get(k) end
  end
  local e = summary.errors
  io.write(string.format("HOLDS requests=%d duration_us=%d held=%d unavailable=%d orphan=%d other=%d bad=%d errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, t.held, t.unavailable, t.orphan, t.other, t.bad,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
`

// redisBaselineScript is the raw-Redis baseline of internal/booking/seatlock/bench_test.go
// (benchmarkScript there): the hold script's success path for four seats — check four hash
// fields, set them, set a TTL — without validation, hold records or expiry indexes.
const redisBaselineScript = `local o=ARGV[5] for i=1,4 do local h=redis.call('HGET',KEYS[1],ARGV[i]) if h and h~=o then return 0 end end for i=1,4 do redis.call('HSET',KEYS[1],ARGV[i],o) end redis.call('PEXPIRE',KEYS[1],60000) return 1`

// redisBaseline runs redis-benchmark with seatlock's documented command line (50 connections,
// 200,000 EVALs of redisBaselineScript), its key under r's prefix, and returns requests/s and the
// command line. It returns 0 when redis-benchmark is not on PATH.
func redisBaseline(b *testing.B, r benchRedis) (float64, string) {
	b.Helper()
	if _, err := exec.LookPath("redis-benchmark"); err != nil {
		b.Log("redis-benchmark is not on PATH: no raw-Redis baseline")
		return 0, ""
	}
	opt := r.client.Options()
	host, port, _ := strings.Cut(opt.Addr, ":")
	args := []string{"-h", host, "-p", port}
	if opt.DB != 0 {
		args = append(args, "--dbnum", strconv.Itoa(opt.DB))
	}
	if opt.Password != "" {
		args = append(args, "-a", opt.Password)
	}
	args = append(args, "-n", "200000", "-c", "50", "-q", "EVAL", redisBaselineScript, "1", r.prefix+"{show:rb}:seats",
		"S1", "S2", "S3", "S4", "owner-1")
	out, err := exec.Command("redis-benchmark", args...).CombinedOutput()
	if err != nil {
		b.Fatalf("redis-benchmark: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`([0-9.]+) requests per second`).FindAllSubmatch(out, -1)
	if len(m) == 0 {
		b.Fatalf("no result in redis-benchmark output:\n%s", out)
	}
	raw, _ := strconv.ParseFloat(string(m[len(m)-1][1]), 64)
	quoted := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '{}=~") {
			a = strconv.Quote(a)
		}
		quoted[i] = a
	}
	return raw, strings.Join(quoted, " ")
}

// BenchmarkSeatMapIMAX420 measures issue 5's seat map target: seatMap of a show on a 420-seat
// IMAX screen (Marquee Cinemas Andheri) over POST /graphql, against the whole program in one
// process with the Redis seat locker. 25 customers hold 4 seats each first, so the map mixes
// available and held seats. caller=anonymous callers have no session (the gateway's micro-cache
// may answer them); caller=holder callers send the session of one of the 25, so every map is
// built for them (their own seats marked mine).
func BenchmarkSeatMapIMAX420(b *testing.B) {
	r := useRedis(b)
	url, _ := startRedisApp(b, r)
	var show demoShow
	for _, s := range demoShows(b, url) {
		if s.Theatre == "Marquee Cinemas Andheri" && s.Screen == "IMAX" && s.SeatCount == 420 {
			show = s
			break
		}
	}
	if show.ID == "" {
		b.Fatal("no IMAX show of 420 seats at Marquee Cinemas Andheri")
	}
	var holder *http.Client // the last of the 25: its map is its own (mine flags), never micro-cached
	for range 25 {
		holder = newJarClient(http.DefaultTransport)
		mustGQL(b, holder, url, "", `mutation($s: ID!) { holdBestAvailable(showId: $s, count: 4) { id } }`,
			map[string]any{"s": show.ID}, nil)
	}
	body := mustBody(b, seatMapQuery, map[string]any{"s": show.ID})
	wantSeats := []byte(`"seat":{"id":`)
	var respBytes atomic.Int64
	check := func(status int, resp []byte) error {
		respBytes.Store(int64(len(resp)))
		if err := bench.GraphQLOK(status, resp); err != nil {
			return err
		}
		if n := bytes.Count(resp, wantSeats); n != 420 {
			return fmt.Errorf("%d seats in the map, want 420", n)
		}
		return nil
	}
	var first seatMapData
	mustGQL(b, nil, url, "", seatMapQuery, map[string]any{"s": show.ID}, &first)
	b.Logf("show %s at %s %s: %v", show.ID, show.Theatre, show.Screen, first.statuses())

	for _, caller := range []string{"anonymous", "holder"} {
		for _, workers := range []int{1, 16, 64} {
			if caller == "holder" && workers == 1 {
				continue
			}
			b.Run(fmt.Sprintf("caller=%s/workers=%d", caller, workers), func(b *testing.B) {
				client := bench.NewClient(workers)
				defer client.CloseIdleConnections()
				if caller == "holder" {
					client.Jar = holder.Jar
				}
				res, cpu := runTimed(b, bench.Config{URL: url, Body: bench.Static(body), Workers: workers, Client: client, Check: check}, 4*workers)
				reportCPU(b, cpu)
				reportLoad(b, res)
				b.ReportMetric(float64(respBytes.Load())/1024, "resp_KiB")
			})
		}
	}
}

// flashClients is the number of customers racing in BenchmarkFlashSale.
const flashClients = 2000

// BenchmarkFlashSale measures issue 5's flash sale: 2,000 anonymous customers (goroutines, each
// with its own cookie jar, over one shared transport) race for one show on a 292-seat screen from
// the same instant until it is sold out, against the whole program in one process with the Redis
// seat locker. Each wants 1–4 seats. Half call holdBestAvailable; the other half pick a random run
// of adjacent available seats from the seat map they loaded before the sale opened (fetched once,
// outside the timer: every seat is free then) and call holdSeats, loading the map again after a
// refusal. A customer with a hold confirms it through the booking service's gRPC ConfirmBooking
// as the demo admin (the payment step), releasing the hold if that fails, and stops after one
// booking, or when no seat is available or held any more; after a refusal it waits 50–250 ms
// before trying again. The sale is checked afterwards: every sellable seat BOOKED in the final
// seat map and in the booked-seat ground truth (GetSeatCounts), no seat confirmed twice, and the
// confirmed seats adding up to the booked ones. Each iteration sells a different show; ns/op is
// one whole sale. sellout_ms is from the opening to the confirmation of the last seat.
func BenchmarkFlashSale(b *testing.B) {
	r := useRedis(b)
	// Holds lapse after a minute, not 8: a hold whose answer was lost (a request that timed out)
	// frees its seats within the sale.
	url, grpcAddr := startRedisApp(b, r, "--hold-ttl=1m")
	var login struct{ Login struct{ AccessToken string } }
	mustGQL(b, nil, url, "", `mutation { login(email: "admin@demo.marquee", password: "demo-admin") { accessToken } }`, nil, &login)
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	sale := flashSale{url: url, token: login.Login.AccessToken, bookings: bookingv1.NewBookingServiceClient(conn)}

	var candidates []demoShow
	for _, s := range spreadShows(demoShows(b, url), 1<<20) {
		if s.SeatCount >= 280 && s.SeatCount <= 320 {
			candidates = append(candidates, s)
		}
	}
	var sum flashResult
	n := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		show, m := pickFlashShow(b, url, &candidates)
		b.StartTimer()
		cpu := sampleCPU()
		res := sale.run(b, show, m)
		b.StopTimer()
		reportCPU(b, cpu)
		sale.verify(b, show, res)
		b.Logf("show %s (%s %s, %d seats): sold out in %v by %d bookings; %d hold attempts, %d refused (%d SEAT_UNAVAILABLE, %d ORPHAN_SEAT), %d confirmations refused, %d server errors, %d seat map reloads; hold p50 %v p99 %v, confirm p99 %v; all %d customers done in %v",
			show.ID, show.Theatre, show.Screen, res.sellable, res.soldOut.Round(time.Millisecond), res.bookings, res.holdAttempts,
			res.unavailable+res.orphan, res.unavailable, res.orphan, res.confirmFailed, res.serverErrors, res.seatMaps,
			bench.Percentile(res.holdLat, 50).Round(time.Millisecond), bench.Percentile(res.holdLat, 99).Round(time.Millisecond),
			bench.Percentile(res.confirmLat, 99).Round(time.Millisecond), flashClients, res.done.Round(time.Millisecond))
		sum.add(res)
		n++
		b.StartTimer()
	}
	b.StopTimer()
	f := float64(n)
	b.ReportMetric(bench.Millis(sum.soldOut)/f, "sellout_ms")
	b.ReportMetric(bench.Millis(sum.done)/f, "all_done_ms")
	b.ReportMetric(float64(sum.sellable)/f, "seats")
	b.ReportMetric(float64(sum.bookings)/f, "bookings")
	b.ReportMetric(float64(sum.holdAttempts)/f, "hold_attempts")
	failed := sum.unavailable + sum.orphan + sum.confirmFailed + sum.serverErrors
	b.ReportMetric(float64(failed)/f, "failed_attempts")
	b.ReportMetric(100*float64(failed)/float64(sum.holdAttempts), "failed_%")
	b.ReportMetric(float64(sum.serverErrors)/f, "server_errors")
	b.ReportMetric(float64(sum.seatMaps)/f, "seatmap_reloads")
	b.ReportMetric(float64(sum.doubleBooked), "double_bookings")
	slices.Sort(sum.holdLat)
	slices.Sort(sum.confirmLat)
	b.ReportMetric(bench.Millis(bench.Percentile(sum.holdLat, 50)), "hold_p50_ms")
	b.ReportMetric(bench.Millis(bench.Percentile(sum.holdLat, 99)), "hold_p99_ms")
	b.ReportMetric(bench.Millis(bench.Percentile(sum.confirmLat, 50)), "confirm_p50_ms")
	b.ReportMetric(bench.Millis(bench.Percentile(sum.confirmLat, 99)), "confirm_p99_ms")
}

// pickFlashShow takes the next candidate show without blocked seats and returns it with its seat
// map, which must be all available.
func pickFlashShow(b *testing.B, url string, candidates *[]demoShow) (demoShow, seatMapData) {
	b.Helper()
	for len(*candidates) > 0 {
		s := (*candidates)[0]
		*candidates = (*candidates)[1:]
		var m seatMapData
		mustGQL(b, nil, url, "", seatMapQuery, map[string]any{"s": s.ID}, &m)
		if st := m.statuses(); st["AVAILABLE"] == s.SeatCount {
			return s, m
		}
	}
	b.Fatal("no more shows of 280–320 seats without blocked seats")
	return demoShow{}, seatMapData{}
}

// flashSale is the program under test and the identity that confirms bookings.
type flashSale struct {
	url      string
	token    string // the demo admin's access token
	bookings bookingv1.BookingServiceClient
}

// flashResult is the outcome of one sale.
type flashResult struct {
	sellable                int
	soldOut, done           time.Duration
	bookings, seats         int
	holdAttempts            int
	unavailable, orphan     int
	confirmFailed, seatMaps int
	doubleBooked            int
	holdLat, confirmLat     []time.Duration
	confirmed               map[string]string // seat → booking id
	serverErrors, errors    int
	firstErr, firstSrv      error
}

func (s *flashResult) add(r flashResult) {
	s.sellable += r.sellable
	s.soldOut += r.soldOut
	s.done += r.done
	s.bookings += r.bookings
	s.seats += r.seats
	s.holdAttempts += r.holdAttempts
	s.unavailable += r.unavailable
	s.orphan += r.orphan
	s.confirmFailed += r.confirmFailed
	s.seatMaps += r.seatMaps
	s.serverErrors += r.serverErrors
	s.doubleBooked += r.doubleBooked
	s.holdLat = append(s.holdLat, r.holdLat...)
	s.confirmLat = append(s.confirmLat, r.confirmLat...)
}

const (
	flashHoldBest = `mutation($s: ID!, $n: Int!) { holdBestAvailable(showId: $s, count: $n) { id seatIds quote { total { amount } } } }`
	flashHoldMine = `mutation($s: ID!, $seats: [ID!]!) { holdSeats(showId: $s, seatIds: $seats) { id seatIds quote { total { amount } } } }`
	flashRelease  = `mutation($h: ID!) { releaseHold(holdId: $h) }`
)

// run races flashClients customers for the show until none can buy any more.
func (f flashSale) run(b *testing.B, show demoShow, preSale seatMapData) flashResult {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	transport := bench.NewTransport(flashClients)
	defer transport.CloseIdleConnections()
	adminCtx := auth.ToOutgoing(ctx, f.token)
	sellable := preSale.statuses()["AVAILABLE"]

	var mu sync.Mutex
	res := flashResult{sellable: sellable, confirmed: map[string]string{}}
	var booked atomic.Int64
	var soldOutAt atomic.Int64 // ns since start
	start := make(chan struct{})
	var began time.Time
	var wg sync.WaitGroup
	for i := range flashClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := flashCustomer{sale: f, show: show.ID, client: newJarClient(transport), rng: mrand.New(mrand.NewPCG(uint64(i), 42)),
				best: i%2 == 0, seatMap: preSale}
			c.want = 1 + c.rng.IntN(4)
			<-start
			c.buy(ctx, adminCtx, func(bookingID string, seats []string) {
				mu.Lock()
				defer mu.Unlock()
				for _, s := range seats {
					if prev, ok := res.confirmed[s]; ok {
						res.doubleBooked++
						b.Errorf("seat %s confirmed twice: bookings %s and %s", s, prev, bookingID)
					}
					res.confirmed[s] = bookingID
				}
				res.bookings++
				res.seats += len(seats)
				if booked.Add(int64(len(seats))) == int64(sellable) {
					soldOutAt.Store(int64(time.Since(began)))
				}
			})
			mu.Lock()
			defer mu.Unlock()
			res.holdAttempts += c.holdAttempts
			res.unavailable += c.unavailable
			res.orphan += c.orphan
			res.confirmFailed += c.confirmFailed
			res.seatMaps += c.seatMaps
			res.holdLat = append(res.holdLat, c.holdLat...)
			res.confirmLat = append(res.confirmLat, c.confirmLat...)
			res.errors += c.errors
			res.serverErrors += c.serverErrors
			if res.firstErr == nil {
				res.firstErr = c.firstErr
			}
			if res.firstSrv == nil {
				res.firstSrv = c.firstSrv
			}
		}()
	}
	time.Sleep(100 * time.Millisecond) // let every goroutine reach the start line
	began = time.Now()
	close(start)
	wg.Wait()
	res.done = time.Since(began)
	res.soldOut = time.Duration(soldOutAt.Load())
	slices.Sort(res.holdLat)
	slices.Sort(res.confirmLat)
	if res.serverErrors > 0 {
		b.Logf("%d requests failed in the program and were tried again; first: %v", res.serverErrors, res.firstSrv)
	}
	if res.errors > 0 {
		b.Fatalf("%d unexpected answers; first: %v", res.errors, res.firstErr)
	}
	if res.soldOut == 0 {
		b.Errorf("the show did not sell out: %d of %d seats confirmed", res.seats, sellable)
	}
	return res
}

// verify checks the sold-out show: every sellable seat booked once, as confirmed.
func (f flashSale) verify(b *testing.B, show demoShow, res flashResult) {
	b.Helper()
	var m seatMapData
	mustGQL(b, nil, f.url, "", seatMapQuery, map[string]any{"s": show.ID}, &m)
	st := m.statuses()
	if st["BOOKED"] != res.sellable || st["AVAILABLE"] != 0 || st["HELD"] != 0 {
		b.Errorf("final seat map %v; want all %d sellable seats BOOKED", st, res.sellable)
	}
	if res.seats != st["BOOKED"] || len(res.confirmed) != res.seats {
		b.Errorf("%d seats confirmed (%d distinct), %d booked in the seat map", res.seats, len(res.confirmed), st["BOOKED"])
	}
	for _, row := range m.SeatMap.Rows {
		for _, c := range row.Cells {
			if c.Seat != nil && c.Seat.Status == "BOOKED" && res.confirmed[c.Seat.ID] == "" {
				b.Errorf("seat %s is booked but no confirmation booked it", c.Seat.ID)
			}
		}
	}
	counts, err := f.bookings.GetSeatCounts(auth.ToOutgoing(context.Background(), f.token), &bookingv1.GetSeatCountsRequest{ShowIds: []string{show.ID}})
	if err != nil {
		b.Fatal(err)
	}
	if c := counts.GetCounts()[0]; int(c.GetBooked()) != res.sellable || c.GetHeld() != 0 {
		b.Errorf("ground truth: %d booked, %d held; want %d booked", c.GetBooked(), c.GetHeld(), res.sellable)
	}
	if res.doubleBooked != 0 {
		b.Errorf("%d double bookings", res.doubleBooked)
	}
}

// flashCustomer is one customer of the flash sale.
type flashCustomer struct {
	sale    flashSale
	show    string
	client  *http.Client
	rng     *mrand.Rand
	best    bool // holdBestAvailable, else holdSeats of seats chosen on the seat map
	want    int
	seatMap seatMapData

	holdAttempts, unavailable, orphan, confirmFailed, seatMaps int
	// serverErrors are requests the program failed (INTERNAL, e.g. its 15 s deadline, or no
	// answer in time): the customer waits and tries again. errors are answers the customer
	// cannot make sense of; they end its attempt and fail the benchmark.
	serverErrors, errors int
	holdLat, confirmLat  []time.Duration
	firstErr, firstSrv   error
}

func (c *flashCustomer) fail(err error) {
	c.errors++
	if c.firstErr == nil {
		c.firstErr = err
	}
}

// serverError counts a failure of the program and waits a moment before the next try.
func (c *flashCustomer) serverError(err error) {
	c.serverErrors++
	if c.firstSrv == nil {
		c.firstSrv = err
	}
	c.pause()
}

// pause is a customer's (or their app's) moment before trying again: 50–250 ms.
func (c *flashCustomer) pause() { time.Sleep(time.Duration(50+c.rng.IntN(200)) * time.Millisecond) }

// reload loads the seat map again and returns how many seats are available and held.
func (c *flashCustomer) reload(ctx context.Context) (available, held int, ok bool) {
	c.seatMaps++
	r, err := gqlCall(ctx, c.client, c.sale.url, "", seatMapQuery, map[string]any{"s": c.show})
	if err == nil && len(r.Errors) > 0 {
		err = fmt.Errorf("seatMap: %s (%s)", r.Errors[0].Message, r.Errors[0].code())
		if r.Errors[0].code() != "INTERNAL" {
			c.fail(err)
			return 0, 0, false
		}
	}
	var m seatMapData
	if err == nil {
		if err = json.Unmarshal(r.Data, &m); err != nil {
			c.fail(err)
			return 0, 0, false
		}
	}
	if err != nil {
		c.serverError(err)
		return 0, 0, false
	}
	c.seatMap = m
	st := m.statuses()
	return st["AVAILABLE"], st["HELD"], true
}

// buy tries until it has booked seats once, or no seat is available or held any more.
func (c *flashCustomer) buy(ctx, adminCtx context.Context, booked func(bookingID string, seats []string)) {
	for attempt := 0; attempt < 500 && ctx.Err() == nil && c.errors == 0; attempt++ {
		var query string
		var vars map[string]any
		if c.best {
			query, vars = flashHoldBest, map[string]any{"s": c.show, "n": c.want}
		} else {
			var runs [][]string
			for n := c.want; n >= 1 && len(runs) == 0; n-- {
				runs = c.seatMap.runs(n, false, "AVAILABLE")
			}
			if len(runs) == 0 {
				if !c.waitForSeats(ctx) {
					return
				}
				continue
			}
			query, vars = flashHoldMine, map[string]any{"s": c.show, "seats": runs[c.rng.IntN(len(runs))]}
		}
		c.holdAttempts++
		t0 := time.Now()
		r, err := gqlCall(ctx, c.client, c.sale.url, "", query, vars)
		c.holdLat = append(c.holdLat, time.Since(t0))
		if err != nil {
			c.serverError(err)
			continue
		}
		if len(r.Errors) > 0 {
			e := r.Errors[0]
			switch {
			case e.code() == "SEAT_UNAVAILABLE":
				c.unavailable++
			case e.code() == "BAD_USER_INPUT" && e.reason() == "ORPHAN_SEAT":
				c.orphan++
			case e.code() == "INTERNAL":
				c.serverError(fmt.Errorf("hold: %s", e.Message))
				continue
			default:
				c.fail(fmt.Errorf("hold: %s (%s)", e.Message, e.code()))
				return
			}
			if c.best {
				// The refusal says how many seats are left: ask for what can be had.
				avail, _ := strconv.Atoi(fmt.Sprint(e.Extensions["available"]))
				together, _ := strconv.Atoi(fmt.Sprint(e.Extensions["together"]))
				if avail == 0 {
					if !c.waitForSeats(ctx) {
						return
					}
					continue
				}
				if together > 0 {
					c.want = min(c.want, together)
				}
				c.pause()
				continue
			}
			c.pause()
			if !c.waitForSeats(ctx) {
				return
			}
			continue
		}
		var d struct {
			HoldBestAvailable, HoldSeats *struct {
				ID      string
				SeatIds []string
			}
		}
		if err := json.Unmarshal(r.Data, &d); err != nil {
			c.fail(err)
			return
		}
		h := d.HoldBestAvailable
		if h == nil {
			h = d.HoldSeats
		}
		if c.confirm(ctx, adminCtx, h.ID, h.SeatIds, booked) {
			return
		}
	}
}

// confirm books a hold as the payment step would: ConfirmBooking with a new booking id, retried
// with the same id (it is idempotent) while the program fails. On a refusal it releases the hold.
func (c *flashCustomer) confirm(ctx, adminCtx context.Context, holdID string, seats []string, booked func(string, []string)) bool {
	bookingID := uuid.NewString()
	for try := 0; ctx.Err() == nil; try++ {
		t0 := time.Now()
		_, err := c.sale.bookings.ConfirmBooking(adminCtx, &bookingv1.ConfirmBookingRequest{BookingId: bookingID, ShowId: c.show,
			SeatIds: seats, HoldId: holdID})
		c.confirmLat = append(c.confirmLat, time.Since(t0))
		switch code := status.Code(err); {
		case err == nil:
			booked(bookingID, seats)
			return true
		case code == codes.FailedPrecondition || code == codes.InvalidArgument || code == codes.AlreadyExists || code == codes.Aborted:
			c.confirmFailed++
			r, err := gqlCall(ctx, c.client, c.sale.url, "", flashRelease, map[string]any{"h": holdID})
			if err == nil && len(r.Errors) > 0 && r.Errors[0].code() != "HOLD_EXPIRED" {
				err = fmt.Errorf("releaseHold: %s (%s)", r.Errors[0].Message, r.Errors[0].code())
			}
			if err != nil {
				c.serverError(err)
			}
			return false
		default:
			c.serverError(fmt.Errorf("ConfirmBooking (try %d): %w", try+1, err))
		}
	}
	return false
}

// waitForSeats reloads the seat map after a refusal. It reports false when nothing is left to
// buy: no seat available and none held (held seats may come back when a confirmation fails or
// a hold lapses), checking again after 1, 2, then every 4 seconds (±20%) while seats are held.
func (c *flashCustomer) waitForSeats(ctx context.Context) bool {
	for wait := time.Second; ctx.Err() == nil && c.errors == 0; wait = min(2*wait, 4*time.Second) {
		avail, held, ok := c.reload(ctx)
		if !ok {
			continue
		}
		if avail > 0 {
			c.want = min(c.want, avail)
			return true
		}
		if held == 0 {
			return false
		}
		time.Sleep(wait * time.Duration(80+c.rng.IntN(41)) / 100)
	}
	return false
}

// cpuUse samples CPU time from /proc, to tell what a run used from what the rest of a shared
// machine took meanwhile: this process (server and load generator), the local redis-server, and
// everything else. All zero without /proc.
type cpuUse struct {
	at                time.Time
	busy, self, redis float64 // seconds of CPU
}

func sampleCPU() cpuUse {
	u := cpuUse{at: time.Now()}
	const hz = 100 // USER_HZ on Linux
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		total := 0.0
		for i, v := range f[1:] {
			n, _ := strconv.ParseFloat(v, 64)
			if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is already in user
				continue
			}
			total += n
		}
		u.busy = total / hz
	}
	u.self = procCPU("/proc/self/stat") / hz
	if dirs, err := os.ReadDir("/proc"); err == nil {
		for _, d := range dirs {
			if c, err := os.ReadFile("/proc/" + d.Name() + "/comm"); err == nil && strings.TrimSpace(string(c)) == "redis-server" {
				u.redis += procCPU("/proc/"+d.Name()+"/stat") / hz
			}
		}
	}
	return u
}

// procCPU returns utime+stime of a /proc/<pid>/stat in clock ticks.
func procCPU(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return ut + st
}

// reportCPU reports the cores used since u: by this process, by redis-server, and by other
// processes (other benchmarks on a shared machine; their load makes a run's figures pessimistic).
func reportCPU(b *testing.B, u cpuUse) { reportCPUExcept(b, u, 0, "") }

// reportCPUExcept is reportCPU for a run in which a process of ours (a load generator) used
// extraSecs of CPU: reported as extraUnit, and not counted as other processes'.
func reportCPUExcept(b *testing.B, u cpuUse, extraSecs float64, extraUnit string) {
	v := sampleCPU()
	secs := v.at.Sub(u.at).Seconds()
	if secs <= 0 || v.busy == 0 {
		return
	}
	self, rds, extra := (v.self-u.self)/secs, (v.redis-u.redis)/secs, extraSecs/secs
	b.ReportMetric(self, "cpu_self_cores")
	b.ReportMetric(rds, "cpu_redis_cores")
	if extraUnit != "" {
		b.ReportMetric(extra, extraUnit)
	}
	b.ReportMetric(max(0, (v.busy-u.busy)/secs-self-rds-extra), "cpu_other_cores")
}
