package showsqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/show"
	"github.com/marquee-cinema/marquee/internal/show/showsqlite"
	"github.com/marquee-cinema/marquee/internal/show/showtest"
)

func TestConformance(t *testing.T) {
	// SQLite serialises writers in immediate transactions, so the concurrency subtest runs.
	showtest.Run(t, func(t *testing.T) (show.Repository, show.PricingRepository) {
		ctx := context.Background()
		db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		// Migrating twice must be harmless.
		if _, err := showsqlite.New(ctx, db); err != nil {
			t.Fatal(err)
		}
		s, err := showsqlite.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return s.Shows, s.Pricing
	}, true)
}

// TestDecodeMemo checks that shows decoded once and read again are the stored ones: a cancelled
// show reads as cancelled, and changing a returned show does not change what the next read gets.
func TestDecodeMemo(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	s, err := showsqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	r := s.Shows
	screen := ids.New()
	b, shows := showtest.NewBatch("", screen, showtest.Sample(screen, showtest.At(0, 4, 0)))
	if err := r.CreateBatch(ctx, screen, showtest.At(0, 4, 0), showtest.At(0, 7, 0), b, shows, func([]show.Show) error { return nil }); err != nil {
		t.Fatal(err)
	}
	want := shows[0]
	q := show.Query{MovieID: want.MovieID, IncludeCancelled: true}
	for range 2 { // the second read comes from the memo
		got, err := r.Find(ctx, q)
		if err != nil || len(got) != 1 {
			t.Fatalf("find: %v, %v", got, err)
		}
		if got[0].Status != show.StatusScheduled || got[0].BasePrices[0] != want.BasePrices[0] {
			t.Fatalf("got %+v", got[0])
		}
		got[0].BasePrices[0].Amount = 1 // the caller's copy
	}
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if _, changed, err := r.Cancel(ctx, want.ID, at); err != nil || !changed {
		t.Fatalf("cancel: %v %v", changed, err)
	}
	got, err := r.Find(ctx, q)
	if err != nil || len(got) != 1 {
		t.Fatalf("find: %v, %v", got, err)
	}
	if got[0].Status != show.StatusCancelled || !got[0].CancelledAt.Equal(at) {
		t.Errorf("after cancelling: status %s, cancelled at %v", got[0].Status, got[0].CancelledAt)
	}
	if got, err := r.Get(ctx, want.ID); err != nil || got.Status != show.StatusCancelled {
		t.Errorf("get after cancelling: %+v, %v", got, err)
	}
}
