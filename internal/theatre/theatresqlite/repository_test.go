package theatresqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/theatre/theatresqlite"
	"github.com/marquee-cinema/marquee/internal/theatre/theatretest"
)

func TestConformance(t *testing.T) {
	theatretest.Run(t, func(t *testing.T) theatretest.Repositories {
		ctx := context.Background()
		db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		s, err := theatresqlite.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return theatretest.Repositories{Cities: s.Cities, Theatres: s.Theatres, Screens: s.Screens}
	})
}
