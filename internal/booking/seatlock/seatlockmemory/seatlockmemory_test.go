package seatlockmemory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlockmemory"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock/seatlocktest"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	seatlocktest.Run(t, func(*testing.T) seatlock.Locker { return seatlockmemory.New() })
}

// TestMemoryCleanup checks that the memory locker forgets expired holds and lapsed booked marks
// by itself, without ExpireDue: its state stays bounded.
func TestMemoryCleanup(t *testing.T) {
	ctx := context.Background()
	m := seatlockmemory.New(seatlock.WithGrace(time.Second))
	now := time.Now()
	for i := range 100 {
		h := seatlock.Hold{ID: fmt.Sprintf("h%d", i), ShowID: fmt.Sprintf("s%d", i%7),
			OwnerID: "o", SeatIDs: []string{"A1"}, ExpiresAt: now.Add(time.Minute)}
		if _, err := m.Hold(ctx, h, seatlock.Guard{}, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.MarkBooked(ctx, "booked-show", []string{"A1", "A2"}, now.Add(2*time.Minute), now); err != nil {
		t.Fatal(err)
	}
	// Much later, holds on one show trigger the bounded clean-up of everything else.
	later := now.Add(time.Hour)
	for i := range 40 {
		h := seatlock.Hold{ID: fmt.Sprintf("late%d", i), ShowID: "other", OwnerID: fmt.Sprintf("o%d", i),
			SeatIDs: []string{fmt.Sprintf("B%d", i)}, ExpiresAt: later.Add(time.Minute)}
		if _, err := m.Hold(ctx, h, seatlock.Guard{}, later); err != nil {
			t.Fatal(err)
		}
	}
	if n := seatlockmemory.Shows(m); n != 1 {
		t.Fatalf("%d shows kept, want only the live one", n)
	}
	if got, err := m.ExpireDue(ctx, later, 1000); err != nil || len(got) != 0 {
		t.Fatalf("expire due after clean-up = %d holds, %v (holds past the grace are dropped unreported)", len(got), err)
	}
}

// BenchmarkHold4Seats measures Hold of four seats with 50 goroutines, each an owner re-holding
// its own seats, and reports ops/s (the Redis adapter's benchmark of the same name compares):
//
//	go test -run '^$' -bench Hold4Seats -benchtime 3s ./internal/booking/seatlock/seatlockmemory/
func BenchmarkHold4Seats(b *testing.B) { seatlocktest.BenchHold4Seats(b, seatlockmemory.New()) }
