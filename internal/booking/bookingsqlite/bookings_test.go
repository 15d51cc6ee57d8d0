package bookingsqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/booking/bookingsqlite"
	"github.com/marquee-cinema/marquee/internal/booking/bookingtest"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

func TestBookingRepositoryConformance(t *testing.T) {
	// SQLite serialises writers in immediate transactions, so the concurrency subtests run.
	bookingtest.RunRepository(t, func(t *testing.T) booking.Repository {
		ctx := context.Background()
		db := openDB(t, filepath.Join(t.TempDir(), "test.db"))
		// Migrating twice must be harmless.
		if _, err := bookingsqlite.NewBookingRepository(ctx, db); err != nil {
			t.Fatal(err)
		}
		r, err := bookingsqlite.NewBookingRepository(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}, true)
}

// TestBookingRepositoryRestart checks that bookings and their unique columns survive reopening
// the database file.
func TestBookingRepositoryRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	db := openDB(t, path)
	first, err := bookingsqlite.NewBookingRepository(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	b := bookingtest.SampleBooking()
	if err := first.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	second, err := bookingsqlite.NewBookingRepository(ctx, openDB(t, path))
	if err != nil {
		t.Fatal(err)
	}
	got, err := second.GetByReference(ctx, b.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != b.ID || got.HoldID != b.HoldID || got.Quote.Total != b.Quote.Total {
		t.Fatalf("booking after reopening: %+v", got)
	}
	again := bookingtest.NewBooking()
	again.HoldID = b.HoldID
	if err := second.Create(ctx, again); errs.As(err) == nil || errs.As(err).Reason != booking.ReasonHoldCheckedOut {
		t.Fatalf("a hold booked before the restart: got %v, want %s", err, booking.ReasonHoldCheckedOut)
	}
}
