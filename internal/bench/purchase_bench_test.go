package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/bench"
)

// BenchmarkPurchase measures the whole purchase on embedded defaults: holdBestAvailable →
// checkout (a guest) → the sandbox's payment page (POST outcome=success) → its signed webhook →
// CONFIRMED, seen by polling booking(id) as a confirmation page would (every pollEvery). Each
// purchase is a new browser; purchases are spread over at least 60 demo shows. It reports purchases/s and
// the time from the hold request to the booking's confirmedAt: exact, whatever the polling
// interval, since server and load generator share one clock.
func BenchmarkPurchase(b *testing.B) {
	for _, workers := range []int{16, 32, 64, 128} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			base := startApp(b, b.TempDir(), true)
			gql := base + "/graphql"
			// 60 shows, more for long runs: each buys two seats, and no show should sell out.
			shows := spreadShows(demoShows(b, gql), max(60, b.N/60))
			transport := bench.NewTransport(workers * 2)
			noRedirect := &http.Client{Transport: transport, Timeout: 60 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			var next, failed atomic.Int64
			var mu sync.Mutex
			var latencies []time.Duration
			var firstErr error
			fail := func(err error) {
				failed.Add(1)
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						d, err := purchase(gql, base, newJarClient(transport), noRedirect, shows[int(i)%len(shows)].ID, int(i))
						if err != nil {
							fail(err)
							continue
						}
						mu.Lock()
						latencies = append(latencies, d)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if failed.Load() > 0 {
				b.Fatalf("%d of %d purchases failed; first: %v", failed.Load(), b.N, firstErr)
			}
			slices.Sort(latencies)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "purchases/s")
			b.ReportMetric(bench.Millis(bench.Percentile(latencies, 50)), "p50_ms")
			b.ReportMetric(bench.Millis(bench.Percentile(latencies, 99)), "p99_ms")
		})
	}
}

// pollEvery is how often the buyer's confirmation page asks for the booking.
const pollEvery = 50 * time.Millisecond

// purchase buys two seats of a show as a new guest and returns the time from the hold to the
// booking's CONFIRMED.
func purchase(gql, base string, browser, noRedirect *http.Client, showID string, i int) (time.Duration, error) {
	ctx := context.Background()
	begin := time.Now()
	r, err := gqlCall(ctx, browser, gql, "", `mutation($s: ID!) { holdBestAvailable(showId: $s, count: 2) { id } }`, map[string]any{"s": showID})
	if err != nil || len(r.Errors) > 0 {
		return 0, fmt.Errorf("hold: %v %v", err, r.Errors)
	}
	var h struct{ HoldBestAvailable struct{ ID string } }
	if err := json.Unmarshal(r.Data, &h); err != nil {
		return 0, err
	}
	r, err = gqlCall(ctx, browser, gql, "", `mutation($h: ID!, $g: GuestInput) { checkout(holdId: $h, guest: $g) { booking { id } paymentUrl } }`,
		map[string]any{"h": h.HoldBestAvailable.ID, "g": map[string]any{"email": fmt.Sprintf("buyer%d@example.com", i), "phone": "9876543210"}})
	if err != nil || len(r.Errors) > 0 {
		return 0, fmt.Errorf("checkout: %v %v", err, r.Errors)
	}
	var co struct {
		Checkout struct {
			Booking    struct{ ID string }
			PaymentURL string
		}
	}
	if err := json.Unmarshal(r.Data, &co); err != nil {
		return 0, err
	}
	u, err := url.Parse(co.Checkout.PaymentURL)
	if err != nil {
		return 0, err
	}
	resp, err := noRedirect.PostForm(base+u.Path, url.Values{"outcome": {"success"}})
	if err != nil {
		return 0, fmt.Errorf("pay: %w", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return 0, fmt.Errorf("pay: HTTP %d", resp.StatusCode)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(pollEvery)
		r, err = gqlCall(ctx, browser, gql, "", `query($id: ID!) { booking(id: $id) { status confirmedAt } }`, map[string]any{"id": co.Checkout.Booking.ID})
		if err != nil || len(r.Errors) > 0 {
			return 0, fmt.Errorf("booking: %v %v", err, r.Errors)
		}
		var b struct {
			Booking struct {
				Status      string
				ConfirmedAt time.Time
			}
		}
		if err := json.Unmarshal(r.Data, &b); err != nil {
			return 0, fmt.Errorf("booking: %w", err)
		}
		if b.Booking.Status == "CONFIRMED" {
			if b.Booking.ConfirmedAt.Before(begin) {
				return 0, fmt.Errorf("booking %s confirmed at %s, before its hold was asked for at %s", co.Checkout.Booking.ID, b.Booking.ConfirmedAt, begin)
			}
			return b.Booking.ConfirmedAt.Sub(begin), nil
		}
	}
	return 0, fmt.Errorf("booking %s not confirmed within 30 s: %s", co.Checkout.Booking.ID, r.Data)
}
