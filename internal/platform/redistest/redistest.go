// Package redistest connects tests to a real Redis: MARQUEE_TEST_REDIS_URL, or the CI Redis at
// 127.0.0.1:6379. Tests share it and must never flush it: each works under a key prefix of its
// own (Prefix).
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvURL names the variable that points the tests at a Redis.
const EnvURL = "MARQUEE_TEST_REDIS_URL"

// URL is the test Redis's URL.
func URL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// Client connects to the test Redis with a pool of poolSize connections (0: go-redis's default)
// and closes it when the test ends. The test fails when Redis does not answer.
func Client(tb testing.TB, poolSize int) *redis.Client {
	tb.Helper()
	opt, err := redis.ParseURL(URL())
	if err != nil {
		tb.Fatalf("%s: %v", EnvURL, err)
	}
	opt.PoolSize = poolSize
	opt.PoolTimeout = 30 * time.Second // hundreds of goroutines may share the pool under -race
	c := redis.NewClient(opt)
	tb.Cleanup(func() { _ = c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("Redis at %s is needed for this test (set %s): %v", URL(), EnvURL, err)
	}
	return c
}

// Prefix is a fresh random key prefix, "test:<what>:<random>:".
func Prefix(what string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test:" + what + ":" + hex.EncodeToString(b) + ":"
}

// ServerCPU is the CPU time the Redis server has used so far (INFO cpu: used_cpu_sys +
// used_cpu_user), in seconds; 0 when it cannot be read. Benchmarks report Redis's share of a run
// from two readings.
func ServerCPU(c redis.UniversalClient) float64 {
	info, err := c.Info(context.Background(), "cpu").Result()
	if err != nil {
		return 0
	}
	total := 0.0
	for _, line := range strings.Split(info, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			n, _ := strconv.ParseFloat(v, 64)
			total += n
		}
	}
	return total
}

// CommandStat is one command's line of INFO commandstats: calls so far and the microseconds
// the server spent in them.
type CommandStat struct{ Calls, Usec int64 }

// CommandStats returns the server's INFO commandstats by command name (e.g. "evalsha",
// "hmget"); nil when the server does not answer. Commands run by scripts are counted too.
func CommandStats(c redis.UniversalClient) map[string]CommandStat {
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		return nil
	}
	out := map[string]CommandStat{}
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		name, isCmd := strings.CutPrefix(name, "cmdstat_")
		if !ok || !isCmd {
			continue
		}
		var st CommandStat
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "calls":
				st.Calls, _ = strconv.ParseInt(v, 10, 64)
			case "usec":
				st.Usec, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		out[name] = st
	}
	return out
}
