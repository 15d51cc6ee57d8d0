package seatlockredis_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlockredis"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlocktest"
	"github.com/marquee-cinema/marquee/internal/platform/redistest"
)

// BenchmarkHold4Seats measures Hold of four seats with 50 goroutines (25 × GOMAXPROCS on the
// 2-CPU CI machines), each an owner re-holding its own seats, and reports ops/s:
//
//	go test -run '^$' -bench Hold4Seats -benchtime 3s ./internal/booking/seatlock/...
//
// redis is the single-server path (hold and due entry in one script); redis-split is the
// Cluster path (two scripts in one pipeline); package seatlockmemory has the in-process
// baseline. Compare with redisBenchmarkCommand.
func BenchmarkHold4Seats(b *testing.B) {
	b.Run("redis", func(b *testing.B) { seatlocktest.BenchHold4Seats(b, newRedisLocker(b, 50)) })
	b.Run("redis-split", func(b *testing.B) {
		seatlocktest.BenchHold4Seats(b, seatlockredis.SplitDueIndex(newRedisLocker(b, 50)))
	})
}

// benchmarkScript is the raw-Redis baseline of BenchmarkHold4Seats: a script with the shape of
// the hold script's success path — check four hash fields (free, or the caller's already) and
// set them, then a TTL — without the rest (validation, the owner's old hold, the hold record,
// expiry index, due index, clean-up). The exact command line, with 50 connections like the Go
// benchmark's 50 goroutines:
//
//	redis-benchmark -h 127.0.0.1 -p 6379 -n 200000 -c 50 -q EVAL "local o=ARGV[5] for i=1,4 do local h=redis.call('HGET',KEYS[1],ARGV[i]) if h and h~=o then return 0 end end for i=1,4 do redis.call('HSET',KEYS[1],ARGV[i],o) end redis.call('PEXPIRE',KEYS[1],60000) return 1" 1 'marquee-bench:{show:rb}:seats' S1 S2 S3 S4 owner-1
//
// Its key expires a minute after the run.
const benchmarkScript = `local o=ARGV[5] for i=1,4 do local h=redis.call('HGET',KEYS[1],ARGV[i]) if h and h~=o then return 0 end end for i=1,4 do redis.call('HSET',KEYS[1],ARGV[i],o) end redis.call('PEXPIRE',KEYS[1],60000) return 1`

// redisBenchmarkCommand returns the redis-benchmark arguments documented above.
func redisBenchmarkCommand(host string, port int) []string {
	return []string{"-h", host, "-p", strconv.Itoa(port), "-n", "200000", "-c", "50", "-q",
		"EVAL", benchmarkScript, "1", "marquee-bench:{show:rb}:seats", "S1", "S2", "S3", "S4", "owner-1"}
}

// TestRedisBenchmarkRatio runs redis-benchmark with benchmarkScript, then BenchmarkHold4Seats
// against the same Redis, and logs both and their ratio. It takes about half a minute, so it
// runs only with MARQUEE_REDIS_BENCHMARK=1:
//
//	MARQUEE_REDIS_BENCHMARK=1 go test -run RedisBenchmarkRatio -v ./internal/booking/seatlock/seatlockredis/
func TestRedisBenchmarkRatio(t *testing.T) {
	if os.Getenv("MARQUEE_REDIS_BENCHMARK") == "" {
		t.Skip("set MARQUEE_REDIS_BENCHMARK=1 to compare with redis-benchmark")
	}
	c := redistest.Client(t, 2)
	opt := c.Options()
	host, portStr, _ := strings.Cut(opt.Addr, ":")
	port, _ := strconv.Atoi(portStr)
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	args := redisBenchmarkCommand(host, port)
	out, err := exec.Command("redis-benchmark", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-benchmark: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`([0-9.]+) requests per second`).FindAllSubmatch(out, -1)
	if len(m) == 0 {
		t.Fatalf("no result in redis-benchmark output:\n%s", out)
	}
	raw, _ := strconv.ParseFloat(string(m[len(m)-1][1]), 64)
	t.Logf("redis-benchmark %s", shellQuote(args))
	t.Logf("redis-benchmark (EVAL, check and set 4 hash fields): %.0f requests/s", raw)
	for name, l := range map[string]seatlock.Locker{
		"redis":       newRedisLocker(t, 50),
		"redis-split": seatlockredis.SplitDueIndex(newRedisLocker(t, 50)),
	} {
		r := testing.Benchmark(func(b *testing.B) { seatlocktest.BenchHold4Seats(b, l) })
		ops := float64(r.N) / r.T.Seconds()
		t.Logf("BenchmarkHold4Seats/%s: %.0f ops/s (%d ns/op), ratio to redis-benchmark %.2f", name, ops,
			r.NsPerOp(), ops/raw)
	}
}

func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '\"{}()[]=~$;") {
			a = strconv.Quote(a)
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// BenchmarkHoldInRow measures Hold as the booking service makes it: 16 goroutines, each an owner
// holding runs of 4 seats in a row of 24 that is its own in each of 100 shows, with the seats
// within two places of the run guarded (seatlock.Guard), a quote-sized payload, and the owner's
// previous hold on the show replaced. It reports Redis's own CPU time per hold (INFO cpu), which on a busy
// 2-CPU machine is most of what a hold costs Redis:
//
//	go test -run '^$' -bench HoldInRow -benchtime 20000x ./internal/booking/seatlock/seatlockredis/
func BenchmarkHoldInRow(b *testing.B) {
	l := newRedisLocker(b, 32)
	c := redistest.Client(b, 2)
	const owners, shows, rowLen = 16, 100, 24
	payload := []byte(strings.Repeat("q", 420))
	showIDs := make([]string, shows)
	for i := range showIDs {
		showIDs[i] = fmt.Sprintf("show-%d", i)
	}
	row := func(owner int) []string {
		seats := make([]string, rowLen)
		for i := range seats {
			seats[i] = fmt.Sprintf("%c%d", 'A'+owner, i+1)
		}
		return seats
	}
	var n atomic.Int64
	var worker atomic.Int64
	before := redistest.ServerCPU(c)
	b.SetParallelism(owners / 2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := int(worker.Add(1)-1) % owners
		seats := row(w)
		owner := fmt.Sprintf("owner-%d", w)
		rng := rand.New(rand.NewPCG(uint64(w), 7))
		for pb.Next() {
			start := 4 * rng.IntN(rowLen/4)
			held := seats[start : start+4]
			var g seatlock.Guard // the seats within two places of the run, as the service guards
			for i := max(start-2, 0); i < min(start+6, rowLen); i++ {
				if !slices.Contains(held, seats[i]) {
					g.Free = append(g.Free, seats[i])
				}
			}
			now := time.Now()
			h := seatlock.Hold{ID: fmt.Sprintf("h%d-%d", w, n.Add(1)), ShowID: showIDs[rng.IntN(shows)], OwnerID: owner,
				SeatIDs: held, ExpiresAt: now.Add(8 * time.Minute), Payload: payload}
			if _, err := l.Hold(context.Background(), h, g, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "holds/s")
	b.ReportMetric((redistest.ServerCPU(c)-before)*1e6/float64(b.N), "redis_cpu_us/hold")
}
