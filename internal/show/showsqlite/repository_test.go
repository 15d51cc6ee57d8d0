package showsqlite_test

import (
	"context"
	"path/filepath"
	"testing"

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
