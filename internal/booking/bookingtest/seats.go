// Package bookingtest is the conformance suite every adapter of the booking service's
// repositories must pass.
package bookingtest

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// BookedAt is the time the suite books seats at.
var BookedAt = time.Date(2026, 12, 1, 9, 30, 15, 250_000_000, time.UTC)

// Concurrency test sizes.
const (
	concurrentBookings = 200 // goroutines per round, each one booking
	showSeats          = 300 // seats of the contended show
	maxSeatsPerBooking = 6
	concurrentRounds   = 5 // each on a fresh show
	shortRounds        = 2 // with -short
	sameBookingRetries = 20
)

// RunSeatStore runs the suite. newStore returns an empty store for each subtest. concurrencySafe
// says whether the adapter stays correct under concurrent writers on the test server; when false
// the concurrency subtests are skipped. (SQLite serialises writers; the Mongo adapter relies only
// on unique-index inserts and deletes by _id, which are atomic on MongoDB and on FerretDB too.)
func RunSeatStore(t *testing.T, newStore func(t *testing.T) booking.SeatStore, concurrencySafe bool) {
	ctx := context.Background()

	t.Run("book, seats and counts round trip", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		show, b1, b2 := ids.New(), ids.New(), ids.New()
		mustBook(t, s, show, b1, "A3", "A1", "A2")
		mustBook(t, s, show, b2, "B7")
		wantSeats(t, s, show, map[string]string{"A1": b1, "A2": b1, "A3": b1, "B7": b2})
		wantCounts(t, s, []string{show}, map[string]int{show: 4})
		wantSeats(t, s, ids.New(), map[string]string{})
	})

	t.Run("booking again by the same booking is idempotent", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		show, b1 := ids.New(), ids.New()
		mustBook(t, s, show, b1, "A1", "A2", "A3")
		mustBook(t, s, show, b1, "A1", "A2", "A3")
		mustBook(t, s, show, b1, "A3", "A1", "A2") // any order
		mustBook(t, s, show, b1, "A2")             // every seat is already this booking's
		wantSeats(t, s, show, map[string]string{"A1": b1, "A2": b1, "A3": b1})
		wantCounts(t, s, []string{show}, map[string]int{show: 3})
	})

	t.Run("a booking that has some of the seats gets the rest", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		show, b1 := ids.New(), ids.New()
		mustBook(t, s, show, b1, "A1")
		mustBook(t, s, show, b1, "A1", "A2", "A3")
		wantSeats(t, s, show, map[string]string{"A1": b1, "A2": b1, "A3": b1})
	})

	t.Run("overlapping another booking records nothing and names exactly the taken seats", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		show, b1, b2 := ids.New(), ids.New(), ids.New()
		mustBook(t, s, show, b1, "A1", "A2", "A3")
		err := s.Book(ctx, show, b2, []string{"A5", "A3", "A4", "A1"}, BookedAt)
		wantUnavailable(t, err, "A1,A3")
		wantSeats(t, s, show, map[string]string{"A1": b1, "A2": b1, "A3": b1})
		wantCounts(t, s, []string{show}, map[string]int{show: 3})
		// Nothing of the refused booking was left behind to block its free seats.
		b3 := ids.New()
		mustBook(t, s, show, b3, "A4", "A5")
		// A booking whose seats are all taken is refused too, and an idempotent retry of the first
		// booking is not disturbed by the refused ones.
		wantUnavailable(t, s.Book(ctx, show, b2, []string{"A2"}, BookedAt), "A2")
		mustBook(t, s, show, b1, "A1", "A2", "A3")
		wantSeats(t, s, show, map[string]string{"A1": b1, "A2": b1, "A3": b1, "A4": b3, "A5": b3})
		// The refused booking may retry with free seats.
		mustBook(t, s, show, b2, "A6")
		wantSeats(t, s, show, map[string]string{"A1": b1, "A2": b1, "A3": b1, "A4": b3, "A5": b3, "A6": b2})
	})

	t.Run("disjoint bookings coexist, and shows are independent", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		show, other, b1, b2, b3 := ids.New(), ids.New(), ids.New(), ids.New(), ids.New()
		mustBook(t, s, show, b1, "A1", "A2")
		mustBook(t, s, show, b2, "B1", "B2")
		mustBook(t, s, other, b3, "A1", "A2", "B1") // same seat ids, another show
		mustBook(t, s, other, b1, "C1")             // a booking id is scoped by the show
		wantSeats(t, s, show, map[string]string{"A1": b1, "A2": b1, "B1": b2, "B2": b2})
		wantSeats(t, s, other, map[string]string{"A1": b3, "A2": b3, "B1": b3, "C1": b1})
		wantCounts(t, s, []string{show, other}, map[string]int{show: 4, other: 4})
	})

	t.Run("release frees the booking's seats for others", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		show, other, b1, b2 := ids.New(), ids.New(), ids.New(), ids.New()
		mustBook(t, s, show, b1, "A3", "A1", "A2")
		mustBook(t, s, show, b2, "B1")
		mustBook(t, s, other, b1, "A1")
		wantReleased(t, s, show, b1, "A1", "A2", "A3")
		wantSeats(t, s, show, map[string]string{"B1": b2})
		wantSeats(t, s, other, map[string]string{"A1": b1})
		wantCounts(t, s, []string{show, other}, map[string]int{show: 1, other: 1})

		b3 := ids.New()
		mustBook(t, s, show, b3, "A1", "A2")
		wantSeats(t, s, show, map[string]string{"A1": b3, "A2": b3, "B1": b2})
		// The released booking cannot take its old seats back from the new owner.
		wantUnavailable(t, s.Book(ctx, show, b1, []string{"A1", "A2", "A3"}, BookedAt), "A1,A2")
		wantSeats(t, s, show, map[string]string{"A1": b3, "A2": b3, "B1": b2})
	})

	t.Run("releasing again or releasing an unknown booking frees nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		show, b1, b2 := ids.New(), ids.New(), ids.New()
		mustBook(t, s, show, b1, "A1")
		mustBook(t, s, show, b2, "A2")
		wantReleased(t, s, show, b1, "A1")
		wantReleased(t, s, show, b1)
		wantReleased(t, s, show, ids.New())
		wantReleased(t, s, ids.New(), b2)
		wantSeats(t, s, show, map[string]string{"A2": b2})
		// A released booking may book again.
		mustBook(t, s, show, b1, "A1", "A3")
		wantSeats(t, s, show, map[string]string{"A1": b1, "A2": b2, "A3": b1})
	})

	t.Run("invalid input is refused and records nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		show, b1 := ids.New(), ids.New()
		for _, tc := range []struct {
			name           string
			show, booking  string
			seats          []string
			wantInvalidFor string
		}{
			{"no seats", show, b1, nil, "seatIds"},
			{"empty seat list", show, b1, []string{}, "seatIds"},
			{"duplicate seats", show, b1, []string{"A1", "A2", "A1"}, "seatIds"},
			{"empty seat id", show, b1, []string{"A1", ""}, "seatIds"},
			{"no show", "", b1, []string{"A1"}, "showId"},
			{"no booking", show, "", []string{"A1"}, "bookingId"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := s.Book(ctx, tc.show, tc.booking, tc.seats, BookedAt)
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("got %v, want invalid", err)
				}
				if f := errs.As(err).Field; f != tc.wantInvalidFor {
					t.Errorf("invalid field %q, want %q", f, tc.wantInvalidFor)
				}
			})
		}
		wantSeats(t, s, show, map[string]string{})
		wantCounts(t, s, []string{show}, map[string]int{})
		if _, err := s.Release(ctx, "", b1); !errs.Is(err, errs.Invalid) {
			t.Errorf("release without a show: got %v, want invalid", err)
		}
		if _, err := s.Release(ctx, show, ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("release without a booking: got %v, want invalid", err)
		}
	})

	t.Run("counts of several shows", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		s1, s2, s3, unknown := ids.New(), ids.New(), ids.New(), ids.New()
		mustBook(t, s, s1, ids.New(), "A1", "A2")
		mustBook(t, s, s1, ids.New(), "A3")
		mustBook(t, s, s2, ids.New(), "A1")
		released := ids.New()
		mustBook(t, s, s3, released, "A1", "A2")
		wantReleased(t, s, s3, released, "A1", "A2")
		wantCounts(t, s, []string{s1, s2, s3, unknown, s1}, map[string]int{s1: 3, s2: 1})
		wantCounts(t, s, []string{s2}, map[string]int{s2: 1})
		wantCounts(t, s, nil, map[string]int{})
		wantCounts(t, s, []string{unknown}, map[string]int{})
	})

	t.Run("concurrent retries of one booking record it once", func(t *testing.T) {
		if !concurrencySafe {
			t.Skip("this adapter's test server is not atomic under concurrent writers; run against a real database to cover this")
		}
		t.Parallel()
		s := newStore(t)
		show, b1 := ids.New(), ids.New()
		seats := []string{"A1", "A2", "A3", "A4"}
		results := make([]error, sameBookingRetries)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range sameBookingRetries {
			wg.Go(func() {
				<-start
				results[i] = s.Book(ctx, show, b1, seats, BookedAt)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range results {
			if err != nil {
				t.Errorf("retry %d: %v", i, err)
			}
		}
		wantSeats(t, s, show, map[string]string{"A1": b1, "A2": b1, "A3": b1, "A4": b1})
	})

	t.Run("concurrent bookings never share a seat and are all or nothing", func(t *testing.T) {
		if !concurrencySafe {
			t.Skip("this adapter's test server is not atomic under concurrent writers; run against a real database to cover this")
		}
		t.Parallel()
		s := newStore(t)
		rounds := concurrentRounds
		if testing.Short() {
			rounds = shortRounds
		}
		for round := range rounds {
			concurrentRound(t, s, round)
		}
	})
}

// attempt is one booking of a concurrent round and what became of it.
type attempt struct {
	id       string
	seats    []string // sorted
	err      error
	released []string // when the booking was released right after succeeding
	release  bool
}

// concurrentRound lets concurrentBookings goroutines book random seats of one fresh show at once,
// some of them releasing again right after succeeding, and checks the invariants afterwards.
func concurrentRound(t *testing.T, s booking.SeatStore, round int) {
	t.Helper()
	ctx := context.Background()
	show := ids.New()
	attempts := make([]*attempt, concurrentBookings)
	for i := range attempts {
		n := 1 + rand.IntN(maxSeatsPerBooking)
		var seats []string
		for _, p := range rand.Perm(showSeats)[:n] {
			seats = append(seats, fmt.Sprintf("S%03d", p+1))
		}
		slices.Sort(seats)
		attempts[i] = &attempt{id: ids.New(), seats: seats, release: i%5 == 0}
	}
	started := time.Now()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, a := range attempts {
		// Ask in a random order: the adapter must not rely on sorted input.
		order := slices.Clone(a.seats)
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		wg.Go(func() {
			<-start
			a.err = s.Book(ctx, show, a.id, order, BookedAt)
			if a.err == nil && a.release {
				freed, err := s.Release(ctx, show, a.id)
				if err != nil {
					a.err = fmt.Errorf("release: %w", err)
					return
				}
				a.released = freed
			}
		})
	}
	close(start)
	wg.Wait()
	elapsed := time.Since(started)

	got, err := s.Seats(ctx, show)
	if err != nil {
		t.Fatal(err)
	}
	byBooking := map[string][]string{}
	for seat, b := range got {
		byBooking[b] = append(byBooking[b], seat)
	}
	succeeded, refused, busy, released, wantBooked := 0, 0, 0, 0, 0
	known := map[string]bool{}
	for i, a := range attempts {
		known[a.id] = true
		have := byBooking[a.id]
		slices.Sort(have)
		switch {
		case a.err == nil && a.release:
			succeeded++
			released++
			if !slices.Equal(a.released, a.seats) {
				t.Errorf("round %d, booking %d: release freed %v, want %v", round, i, a.released, a.seats)
			}
			if len(have) != 0 {
				t.Errorf("round %d, booking %d: seats %v still recorded after its release", round, i, have)
			}
		case a.err == nil:
			succeeded++
			wantBooked += len(a.seats)
			if !slices.Equal(have, a.seats) {
				t.Errorf("round %d, booking %d succeeded for %v but %v are recorded", round, i, a.seats, have)
			}
		case errs.Is(a.err, errs.SeatUnavailable):
			refused++
			listed := strings.Split(errs.As(a.err).Details["seats"], ",")
			if len(listed) == 0 || !slices.IsSorted(listed) {
				t.Errorf("round %d, booking %d: refused listing %q, want a sorted list", round, i, errs.As(a.err).Details["seats"])
			}
			for _, seat := range listed {
				if !slices.Contains(a.seats, seat) {
					t.Errorf("round %d, booking %d: refused for seat %q it did not ask for (asked %v)", round, i, seat, a.seats)
				}
			}
			if len(have) != 0 {
				t.Errorf("round %d, booking %d was refused (%v) but %v are recorded", round, i, a.err, have)
			}
		case errs.Is(a.err, errs.Unavailable):
			// Allowed (the seats kept changing under the adapter), but then nothing is recorded.
			busy++
			if len(have) != 0 {
				t.Errorf("round %d, booking %d failed (%v) but %v are recorded", round, i, a.err, have)
			}
		default:
			t.Errorf("round %d, booking %d: %v", round, i, a.err)
		}
	}
	for b, seats := range byBooking {
		if !known[b] {
			t.Errorf("round %d: seats %v recorded for unknown booking %s", round, seats, b)
		}
	}
	if len(got) != wantBooked {
		t.Errorf("round %d: %d seats booked, want %d (the seats of the successful bookings)", round, len(got), wantBooked)
	}
	counts, err := s.Counts(ctx, []string{show})
	if err != nil {
		t.Fatal(err)
	}
	if counts[show] != wantBooked {
		t.Errorf("round %d: Counts says %d, want %d", round, counts[show], wantBooked)
	}
	if succeeded == 0 {
		t.Errorf("round %d: no booking succeeded", round)
	}
	t.Logf("round %d: %d bookings in %v: %d succeeded (%d released again), %d refused, %d busy; %d seats booked",
		round, len(attempts), elapsed.Round(time.Millisecond), succeeded, released, refused, busy, len(got))
}

func mustBook(t *testing.T, s booking.SeatStore, show, bookingID string, seats ...string) {
	t.Helper()
	if err := s.Book(context.Background(), show, bookingID, seats, BookedAt); err != nil {
		t.Fatalf("book %v: %v", seats, err)
	}
}

func wantUnavailable(t *testing.T, err error, seats string) {
	t.Helper()
	if !errs.Is(err, errs.SeatUnavailable) {
		t.Fatalf("got %v, want seat unavailable", err)
	}
	if got := errs.As(err).Details["seats"]; got != seats {
		t.Errorf("unavailable seats %q, want %q", got, seats)
	}
}

func wantSeats(t *testing.T, s booking.SeatStore, show string, want map[string]string) {
	t.Helper()
	got, err := s.Seats(context.Background(), show)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Error("Seats returned a nil map")
	}
	if !maps.Equal(got, want) {
		t.Errorf("seats %v, want %v", got, want)
	}
}

// wantCounts checks Counts; a show without booked seats may be absent or zero.
func wantCounts(t *testing.T, s booking.SeatStore, shows []string, want map[string]int) {
	t.Helper()
	got, err := s.Counts(context.Background(), shows)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Error("Counts returned a nil map")
	}
	for id, n := range got {
		if !slices.Contains(shows, id) {
			t.Errorf("counts has show %s, which was not asked for", id)
		}
		if n != want[id] {
			t.Errorf("count of %s: %d, want %d", id, n, want[id])
		}
	}
	for id, n := range want {
		if _, ok := got[id]; !ok && n != 0 {
			t.Errorf("count of %s missing, want %d", id, n)
		}
	}
}

func wantReleased(t *testing.T, s booking.SeatStore, show, bookingID string, want ...string) {
	t.Helper()
	got, err := s.Release(context.Background(), show, bookingID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 || len(want) != 0 {
		if !slices.Equal(got, want) {
			t.Errorf("released %v, want %v", got, want)
		}
	}
}
