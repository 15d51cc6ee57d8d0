package theatremongo_test

import (
	"context"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
	"github.com/marquee-cinema/marquee/internal/theatre"
	"github.com/marquee-cinema/marquee/internal/theatre/theatremongo"
	"github.com/marquee-cinema/marquee/internal/theatre/theatretest"
)

func newStore(t *testing.T) *theatremongo.Store {
	t.Helper()
	db, _ := mongotest.Database(t)
	s, err := theatremongo.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	if mongotest.IsRealMongo() {
		t.Log("running against the MongoDB at " + mongotest.EnvURI)
	} else {
		t.Log("running against the embedded FerretDB (set " + mongotest.EnvURI + " to use a real MongoDB)")
	}
	theatretest.Run(t, func(t *testing.T) theatretest.Repositories {
		s := newStore(t)
		return theatretest.Repositories{Cities: s.Cities, Theatres: s.Theatres, Screens: s.Screens}
	})
}

// TestNewIsIdempotent checks that starting twice on the same database (a restart) is fine and
// keeps the unique screen-name index working.
func TestNewIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db, _ := mongotest.Database(t)
	var s *theatremongo.Store
	for i := range 2 {
		var err error
		if s, err = theatremongo.New(ctx, db); err != nil {
			t.Fatalf("start %d: %v", i+1, err)
		}
	}
	th := ids.New()
	if err := s.Screens.Create(ctx, theatretest.SampleScreen(th, "Audi 1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Screens.Create(ctx, theatretest.SampleScreen(th, "Audi 1")); !errs.Is(err, errs.Conflict) {
		t.Fatalf("duplicate screen name after a restart: %v", err)
	}
}

// TestScreenUpdateRetriesAfterALostRace checks the optimistic version check without real
// concurrency (FerretDB is not atomic under concurrent writers): the update function itself
// writes the screen between Update's read and its replace, so Update must start over.
func TestScreenUpdateRetriesAfterALostRace(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	sc := theatretest.SampleScreen(ids.New(), "Audi 1")
	if err := s.Screens.Create(ctx, sc); err != nil {
		t.Fatal(err)
	}
	calls := 0
	got, err := s.Screens.Update(ctx, sc.ID, func(x *theatre.Screen) error {
		calls++
		if calls == 1 {
			if _, err := s.Screens.Update(ctx, sc.ID, func(y *theatre.Screen) error { y.Formats = []string{"IMAX 2D"}; return nil }); err != nil {
				t.Fatal(err)
			}
		}
		x.Name = "Audi 9"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("fn ran %d times, want 2 (one lost race, one retry)", calls)
	}
	stored, err := s.Screens.Get(ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != "Audi 9" || len(stored.Formats) != 1 || stored.Formats[0] != "IMAX 2D" {
		t.Fatalf("stored %q %v: a write was lost", stored.Name, stored.Formats)
	}
	if got.Name != stored.Name || len(got.Formats) != 1 {
		t.Fatalf("Update returned %+v, stored %+v", got, stored)
	}
}

// TestBoxOnlyUsesRanges checks boxes touching the poles and the antimeridian, and negative
// coordinates, against plain numeric lat/lng fields.
func TestBoxOnlyUsesRanges(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	city := ids.New()
	places := map[string][2]float64{"Suva": {-18.14, 178.44}, "Apia": {-13.83, -171.76}, "Ushuaia": {-54.80, -68.30}, "Pole": {90, 0}}
	for name, p := range places {
		if err := s.Theatres.Create(ctx, theatretest.SampleTheatre(city, name, p[0], p[1])); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		box  theatre.BoundingBox
		want int
	}{
		{theatre.BoundingBox{MinLat: -20, MaxLat: -10, MinLng: 170, MaxLng: 180}, 1},
		{theatre.BoundingBox{MinLat: -20, MaxLat: -10, MinLng: -180, MaxLng: -170}, 1},
		{theatre.BoundingBox{MinLat: -90, MaxLat: 90, MinLng: -180, MaxLng: 180}, 4},
		{theatre.BoundingBox{MinLat: 89, MaxLat: 90, MinLng: -1, MaxLng: 1}, 1},
		{theatre.BoundingBox{MinLat: -60, MaxLat: -50, MinLng: -70, MaxLng: -68.30}, 1},
		{theatre.BoundingBox{MinLat: 0, MaxLat: 10, MinLng: 0, MaxLng: 10}, 0},
	}
	for _, c := range cases {
		got, err := s.Theatres.ListInBox(ctx, c.box)
		if err != nil || len(got) != c.want {
			t.Errorf("box %+v: %d theatres (%v), want %d", c.box, len(got), err, c.want)
		}
	}
}
