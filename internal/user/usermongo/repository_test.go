package usermongo_test

import (
	"context"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
	"github.com/marquee-cinema/marquee/internal/user/usermongo"
	"github.com/marquee-cinema/marquee/internal/user/usertest"
)

func newRepos(t *testing.T) usertest.Repositories {
	t.Helper()
	db, _ := mongotest.Database(t)
	s, err := usermongo.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return usertest.Repositories{Users: s.Users, Tokens: s.Tokens}
}

func TestConformance(t *testing.T) {
	if mongotest.IsRealMongo() {
		t.Log("running against the MongoDB at " + mongotest.EnvURI)
	} else {
		t.Log("running against the embedded FerretDB (set " + mongotest.EnvURI + " to use a real MongoDB)")
	}
	usertest.Run(t, newRepos)
}

// TestConcurrency races real refreshes of one token and real updates of one user. FerretDB is
// not atomic under concurrent conditional updates, so this runs only against a real MongoDB.
func TestConcurrency(t *testing.T) {
	if !mongotest.IsRealMongo() {
		t.Skip("concurrency needs a real MongoDB (set " + mongotest.EnvURI + "); FerretDB is not atomic under concurrent findAndModify")
	}
	usertest.RunConcurrency(t, newRepos)
}

// TestNewIsIdempotent checks that starting twice on the same database (a restart) is fine and
// keeps the unique e-mail index working.
func TestNewIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db, _ := mongotest.Database(t)
	var s *usermongo.Store
	for i := range 2 {
		var err error
		if s, err = usermongo.New(ctx, db); err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
	}
	if err := s.Users.Create(ctx, usertest.SampleUser("once@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := s.Users.Create(ctx, usertest.SampleUser("ONCE@example.com")); err == nil {
		t.Fatal("the unique e-mail index is gone after a restart")
	}
}
