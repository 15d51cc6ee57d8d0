package usersqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/user/usersqlite"
	"github.com/marquee-cinema/marquee/internal/user/usertest"
)

func newRepos(t *testing.T) usertest.Repositories {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	// Migrating twice (a restart) must be harmless.
	if _, err := usersqlite.New(ctx, db); err != nil {
		t.Fatal(err)
	}
	s, err := usersqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return usertest.Repositories{Users: s.Users, Tokens: s.Tokens}
}

func TestConformance(t *testing.T) {
	usertest.Run(t, newRepos)
}

func TestConcurrency(t *testing.T) {
	usertest.RunConcurrency(t, newRepos)
}
