package moviesqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/movie/moviesqlite"
	"github.com/marquee-cinema/marquee/internal/movie/movietest"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

func TestConformance(t *testing.T) {
	movietest.Run(t, func(t *testing.T) movie.Repository {
		ctx := context.Background()
		db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		// Migrating twice must be harmless.
		if _, err := moviesqlite.New(ctx, db); err != nil {
			t.Fatal(err)
		}
		r, err := moviesqlite.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}
