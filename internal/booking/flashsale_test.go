package booking_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Sizes of the flash sale. A load test would use thousands of clients; `go test` keeps it small.
const (
	flashClients = 200
	flashTimeout = 40 * time.Second
)

// TestFlashSale opens one show to 200 clients at once. Each asks for the best 1-4 seats (a few
// for a wheelchair space), falls back to a single seat when that cannot be had, and pays for
// what it holds at once, until the show is sold out. Every sellable seat ends booked, once, to
// the client that paid for it.
//
// It runs on the embedded setup (memory locker, SQLite) and the production one (Redis, MongoDB);
// the other two combinations are covered by the concurrency tests, and a sale takes seconds
// under -race.
func TestFlashSale(t *testing.T) {
	for _, a := range []adapters{{"memory", "sqlite"}, {"redis", "mongo"}} {
		t.Run(a.String(), func(t *testing.T) {
			if testing.Short() && a.locker != "memory" {
				t.Skip("one flash sale is enough with -short")
			}
			flashSale(t, a)
		})
	}
}

type sale struct {
	booking string
	seats   []string
}

func flashSale(t *testing.T, a adapters) {
	e := newEnv(t, a, envConfig{realClock: true, redisPool: 64})
	show := e.newShow() // the orphan rule applies, as it would on a real sale
	ctx, cancel := context.WithTimeout(context.Background(), flashTimeout)
	defer cancel()

	var sold, holdsRefused, confirmsRefused, attempts atomic.Int64
	sales := make([][]sale, flashClients)
	began := time.Now()
	var wg sync.WaitGroup
	for c := range flashClients {
		owner := user(ids.New())
		wg.Go(func() {
			for sold.Load() < hallSellable && ctx.Err() == nil {
				attempts.Add(1)
				h, err := bestSeats(owner, e.svc, show)
				if errs.Is(err, errs.SeatUnavailable) {
					holdsRefused.Add(1)
					time.Sleep(time.Millisecond) // the last seats are held by others who are paying
					continue
				}
				if err != nil {
					t.Errorf("client %d: hold: %v", c, err)
					return
				}
				b := ids.New()
				err = e.svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: b, ShowID: show, SeatIDs: h.SeatIDs, HoldID: h.ID})
				if err != nil {
					// A live hold paid at once is never refused.
					confirmsRefused.Add(1)
					t.Errorf("client %d: confirming live hold %s: %v", c, h.ID, err)
					continue
				}
				sales[c] = append(sales[c], sale{booking: b, seats: h.SeatIDs})
				sold.Add(int64(len(h.SeatIDs)))
			}
		})
	}
	wg.Wait()
	soldOut := time.Since(began)
	if sold.Load() < hallSellable {
		t.Fatalf("not sold out after %v: %d of %d seats sold", flashTimeout, sold.Load(), hallSellable)
	}

	want := map[string]string{}
	bookings := 0
	for _, ss := range sales {
		for _, s := range ss {
			bookings++
			for _, seat := range s.seats {
				if other, dup := want[seat]; dup {
					t.Errorf("seat %s was sold to bookings %s and %s", seat, other, s.booking)
				}
				want[seat] = s.booking
			}
		}
	}
	booked := e.booked(show)
	if !mapsEqual(booked, want) {
		t.Errorf("the store has %d seats booked, the clients paid for %d; they differ", len(booked), len(want))
	}
	if n := e.rawBooked(show); n != hallSellable || len(booked) != hallSellable {
		t.Errorf("%d seat records for %d booked seats, want every one of the %d sellable seats once", n, len(booked), hallSellable)
	}
	m := e.seatMap(user("late-comer"), show)
	for seat, st := range m.Status {
		want := booking.SeatBooked
		if slices.Contains(hallBlocked, seat) {
			want = booking.SeatBlocked
		}
		if st != want {
			t.Errorf("after the sale seat %s is %s, want %s", seat, st, want)
		}
	}
	c, err := e.svc.Counts(context.Background(), []string{show})
	if err != nil || c[show] != (booking.SeatCounts{Booked: hallSellable}) {
		t.Errorf("counts after the sale: %+v, %v", c[show], err)
	}
	t.Logf("%s: %d clients sold out %d seats in %v: %d bookings; %d hold attempts, %d refused (seats gone meanwhile), %d confirmations refused",
		a, flashClients, hallSellable, soldOut.Round(time.Millisecond), bookings, attempts.Load(), holdsRefused.Load(),
		confirmsRefused.Load())
}

// bestSeats is what a buyer's app does: the best 1-4 seats (one buyer in twenty needs a
// wheelchair space, with companions), else any single seat, else a single wheelchair space.
func bestSeats(owner context.Context, svc *booking.Service, show string) (booking.Hold, error) {
	n, accessible := 1+rand.IntN(4), rand.IntN(20) == 0
	h, err := svc.HoldBestAvailable(owner, show, n, "", accessible)
	if !errs.Is(err, errs.SeatUnavailable) {
		return h, err
	}
	if h, err = svc.HoldBestAvailable(owner, show, 1, "", false); !errs.Is(err, errs.SeatUnavailable) {
		return h, err
	}
	return svc.HoldBestAvailable(owner, show, 1, "", true)
}
