package bench_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/bench"
)

// BenchmarkServeStartupSeeded measures target 3 (docs/benchmarks.md) on the real binary: it
// builds cmd/marquee and seeds a data directory once (`marquee seed`), then starts
// `marquee serve --demo` on that seeded store with free ports, polls /readyz until it answers
// 200 (ready_ms: from exec to that 200), lets the process idle for a second and reads its peak
// resident set (VmHWM) from /proc before stopping it with SIGTERM.
//
// The first start after seeding also creates the demo accounts (argon2id password hashes); it
// runs before the timed loop and is reported as first_ready_ms and first_peak_rss_MB. Each
// iteration of the loop is a later start; ns/op is the whole cycle (start, one idle second,
// stop), so the default -benchtime runs a single iteration: read ready_ms, and use
// -benchtime=10x for a steadier figure.
func BenchmarkServeStartupSeeded(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc to read the peak RSS")
	}
	bin := buildMarquee(b)
	dir := b.TempDir()
	seed := exec.Command(bin, "seed", "--data-dir="+dir, "--log-level=warn")
	if out, err := seed.CombinedOutput(); err != nil || !strings.Contains(string(out), "Seeded") {
		b.Fatalf("marquee seed: %v\n%s", err, out)
	}

	const mib = 1 << 20
	first := serveOnce(b, bin, dir)

	var readySum, readyMax time.Duration
	var hwmMax, rssMax int64
	n := 0
	for b.Loop() {
		s := serveOnce(b, bin, dir)
		readySum += s.ready
		readyMax = max(readyMax, s.ready)
		hwmMax, rssMax = max(hwmMax, s.peakRSS), max(rssMax, s.idleRSS)
		n++
	}
	b.ReportMetric(bench.Millis(readySum)/float64(n), "ready_ms")
	b.ReportMetric(bench.Millis(readyMax), "ready_max_ms")
	b.ReportMetric(float64(hwmMax)/mib, "peak_rss_MB")
	b.ReportMetric(float64(rssMax)/mib, "idle_rss_MB")
	// Reported after the loop: b.Loop resets the metrics reported before it.
	b.ReportMetric(bench.Millis(first.ready), "first_ready_ms")
	b.ReportMetric(float64(first.peakRSS)/mib, "first_peak_rss_MB")
}

// serving is what one start of `marquee serve` measured.
type serving struct {
	ready            time.Duration // exec to the first 200 from /readyz
	peakRSS, idleRSS int64         // VmHWM and VmRSS after a second of idling, in bytes
}

// serveOnce starts `marquee serve --demo` on dataDir with free ports, waits until it is ready,
// lets it idle for a second, reads its memory and stops it with SIGTERM.
func serveOnce(tb testing.TB, bin, dataDir string) serving {
	tb.Helper()
	httpAddr, grpcAddr := freeAddr(tb), freeAddr(tb)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "serve", "--demo", "--data-dir="+dataDir,
		"--http-addr="+httpAddr, "--grpc-addr="+grpcAddr)
	cmd.Stderr = &stderr
	poll := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	err := waitReady(poll, "http://"+httpAddr+"/readyz", 30*time.Second)
	s := serving{ready: time.Since(began)}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		tb.Fatalf("marquee serve: %v\nstderr:\n%s", err, stderr.String())
	}
	time.Sleep(time.Second) // idle
	if s.peakRSS, s.idleRSS, err = memoryOf(cmd.Process.Pid); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		tb.Fatal(err)
	}
	if err := stop(cmd, 20*time.Second); err != nil {
		tb.Fatalf("marquee serve: %v\nstderr:\n%s", err, stderr.String())
	}
	return s
}

// buildMarquee builds ./cmd/marquee of this module into a temporary directory, as `make build`
// does, and returns the binary's path.
func buildMarquee(tb testing.TB) string {
	tb.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("the go command is not on PATH")
	}
	gomod, err := exec.Command(goTool, "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		tb.Fatalf("find the module root: %v (GOMOD=%q)", err, gomod)
	}
	bin := filepath.Join(tb.TempDir(), "marquee")
	build := exec.Command(goTool, "build", "-o", bin, "./cmd/marquee")
	build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/marquee: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		tb.Fatal(err)
	}
	return addr
}

// waitReady polls url every 2 ms until it answers 200.
func waitReady(c *http.Client, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := c.Get(url)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("HTTP %d", resp.StatusCode)
			}
			return fmt.Errorf("%s not ready within %v: %w", url, timeout, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// memoryOf reads a process's peak (VmHWM) and current (VmRSS) resident set sizes in bytes.
func memoryOf(pid int) (hwm, rss int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("parse %s %q: %w", name, value, err)
		}
		if name == "VmHWM" {
			hwm = kb << 10
		} else {
			rss = kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if hwm == 0 {
		return 0, 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
	}
	return hwm, rss, nil
}

// stop sends SIGTERM and waits for a clean exit, killing the process after timeout.
func stop(cmd *exec.Cmd, timeout time.Duration) error {
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("exit after SIGTERM: %w", err)
		}
		return nil
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("did not stop within %v of SIGTERM", timeout)
	}
}
