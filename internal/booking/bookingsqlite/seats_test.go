package bookingsqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/booking/bookingsqlite"
	"github.com/marquee-cinema/marquee/internal/booking/bookingtest"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sqlitedb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestSeatStoreConformance(t *testing.T) {
	// SQLite serialises writers in immediate transactions, so the concurrency subtests run.
	bookingtest.RunSeatStore(t, func(t *testing.T) booking.SeatStore {
		ctx := context.Background()
		db := openDB(t, filepath.Join(t.TempDir(), "test.db"))
		// Migrating twice must be harmless.
		if _, err := bookingsqlite.NewSeatStore(ctx, db); err != nil {
			t.Fatal(err)
		}
		s, err := bookingsqlite.NewSeatStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, true)
}

// TestSeatStoreRestart checks that the seats survive reopening the database file.
func TestSeatStoreRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	db := openDB(t, path)
	first, err := bookingsqlite.NewSeatStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Book(ctx, "show", "booking", []string{"A1", "A2"}, bookingtest.BookedAt); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	second, err := bookingsqlite.NewSeatStore(ctx, openDB(t, path))
	if err != nil {
		t.Fatal(err)
	}
	seats, err := second.Seats(ctx, "show")
	if err != nil {
		t.Fatal(err)
	}
	if len(seats) != 2 || seats["A1"] != "booking" || seats["A2"] != "booking" {
		t.Fatalf("seats after reopening: %v", seats)
	}
	if err := second.Book(ctx, "show", "other", []string{"A2"}, bookingtest.BookedAt); err == nil {
		t.Fatal("a seat booked before the restart was booked again")
	}
}
