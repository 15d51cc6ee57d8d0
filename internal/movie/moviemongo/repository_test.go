package moviemongo_test

import (
	"context"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/movie/moviemongo"
	"github.com/marquee-cinema/marquee/internal/movie/movietest"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

func TestConformance(t *testing.T) {
	if mongotest.IsRealMongo() {
		t.Log("running against the MongoDB at " + mongotest.EnvURI)
	} else {
		t.Log("running against the embedded FerretDB (set " + mongotest.EnvURI + " to use a real MongoDB)")
	}
	movietest.Run(t, func(t *testing.T) movie.Repository {
		db, _ := mongotest.Database(t)
		r, err := moviemongo.New(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}

// TestNewIsIdempotent checks that starting twice on the same database (a restart) is fine.
func TestNewIsIdempotent(t *testing.T) {
	db, _ := mongotest.Database(t)
	ctx := context.Background()
	for i := range 2 {
		if _, err := moviemongo.New(ctx, db); err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
	}
}

// TestUpdateRetriesAfterALostRace checks the optimistic version check without real concurrency
// (FerretDB is not atomic under concurrent writers): the update function itself writes the movie
// in between Update's read and its replace, so the replace must miss and Update must start over
// from the fresh document, keeping both changes.
func TestUpdateRetriesAfterALostRace(t *testing.T) {
	ctx := context.Background()
	db, _ := mongotest.Database(t)
	r, err := moviemongo.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	m := movietest.Sample("Race")
	if err := r.Create(ctx, m); err != nil {
		t.Fatal(err)
	}

	calls := 0
	got, err := r.Update(ctx, m.ID, func(x *movie.Movie) error {
		calls++
		if calls == 1 {
			if _, err := r.Update(ctx, m.ID, func(y *movie.Movie) error { y.Synopsis = "Changed meanwhile."; return nil }); err != nil {
				t.Fatal(err)
			}
		}
		x.Title = "Race Won"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("fn ran %d times, want 2 (one lost race, one retry)", calls)
	}
	stored, err := r.Get(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Title != "Race Won" || stored.Synopsis != "Changed meanwhile." {
		t.Fatalf("stored %q / %q: a write was lost", stored.Title, stored.Synopsis)
	}
	if got.Title != stored.Title || got.Synopsis != stored.Synopsis {
		t.Fatalf("Update returned %+v, stored %+v", got, stored)
	}

	// A writer that always loses gives up with a Conflict and stores nothing of its own.
	calls = 0
	_, err = r.Update(ctx, m.ID, func(x *movie.Movie) error {
		calls++
		if _, err := r.Update(ctx, m.ID, func(y *movie.Movie) error { y.RuntimeMinutes++; return nil }); err != nil {
			t.Fatal(err)
		}
		x.Title = "Never"
		return nil
	})
	if !errs.Is(err, errs.Conflict) || calls < 2 {
		t.Fatalf("always losing: got %v after %d attempts, want a conflict after several", err, calls)
	}
	if stored, _ := r.Get(ctx, m.ID); stored.Title != "Race Won" {
		t.Fatalf("a losing update was stored: %q", stored.Title)
	}
}

// TestTimesAreStoredToTheMillisecond checks that Update returns exactly what Get later returns,
// even when the clock has nanoseconds (BSON dates keep milliseconds).
func TestTimesAreStoredToTheMillisecond(t *testing.T) {
	ctx := context.Background()
	db, _ := mongotest.Database(t)
	r, err := moviemongo.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	m := movietest.Sample("Clock")
	if err := r.Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 9, 30, 15, 123456789, time.FixedZone("IST", 5*3600+1800))
	got, err := r.Update(ctx, m.ID, func(x *movie.Movie) error { x.UpdatedAt = now; return nil })
	if err != nil {
		t.Fatal(err)
	}
	stored, err := r.Get(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := now.UTC().Truncate(time.Millisecond)
	if !got.UpdatedAt.Equal(want) || got.UpdatedAt.Location() != time.UTC ||
		!stored.UpdatedAt.Equal(want) || stored.UpdatedAt.Location() != time.UTC {
		t.Fatalf("returned %v, stored %v, want %v", got.UpdatedAt, stored.UpdatedAt, want)
	}
	if !stored.CreatedAt.Equal(m.CreatedAt) {
		t.Fatalf("createdAt %v, want %v", stored.CreatedAt, m.CreatedAt)
	}
}

// TestConcurrentUpdatesLoseNothing races real writers. FerretDB is not atomic under concurrent
// writes, so this runs only against a real MongoDB.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	if !mongotest.IsRealMongo() {
		t.Skip("concurrency needs a real MongoDB (set " + mongotest.EnvURI + "); FerretDB is not atomic under concurrent writers")
	}
	ctx := context.Background()
	db, _ := mongotest.Database(t)
	r, err := moviemongo.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	m := movietest.Sample("Contended")
	m.RuntimeMinutes = 100
	if err := r.Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	results := make(chan error, writers)
	for range writers {
		go func() {
			_, err := r.Update(ctx, m.ID, func(x *movie.Movie) error { x.RuntimeMinutes++; return nil })
			results <- err
		}()
	}
	won := 0
	for range writers {
		switch err := <-results; {
		case err == nil:
			won++
		case errs.Is(err, errs.Conflict): // gave up after repeated lost races: allowed, stores nothing
		default:
			t.Fatal(err)
		}
	}
	got, err := r.Get(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.RuntimeMinutes != 100+won {
		t.Fatalf("runtime %d after %d successful increments: an update was lost", got.RuntimeMinutes, won)
	}
}

// TestSearchIsLiteral checks that search text is never a regex, also with characters a BSON regex
// cannot hold as they are.
func TestSearchIsLiteral(t *testing.T) {
	ctx := context.Background()
	db, _ := mongotest.Database(t)
	r, err := moviemongo.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	titles := []string{"K.G.F: Chapter 2", "KGF", "Null\x00Byte", "(500) Days [of] Summer?", `C:\Path`, "ÉCOLE Été"}
	for _, title := range titles {
		if err := r.Create(ctx, movietest.Sample(title)); err != nil {
			t.Fatal(err)
		}
	}
	for search, want := range map[string]int{"k.g.f": 1, "K.G": 1, "kgf": 1, "\x00": 1, "(500)": 1, "[of]": 1,
		"summer?": 1, `:\p`: 1, "école": 1, "été": 1, "^k": 0, "f$": 0, "|": 0, "a|b": 0, "\\": 1, "[": 1} {
		got, err := r.List(ctx, movie.Filter{Search: search}, nil, 100)
		if err != nil || len(got) != want {
			t.Errorf("search %q: %d movies (%v), want %d", search, len(got), err, want)
		}
	}
}
