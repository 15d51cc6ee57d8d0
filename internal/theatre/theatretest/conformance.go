// Package theatretest is the conformance suite every adapter of the theatre repositories must
// pass, and sample data for tests.
package theatretest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// Repositories is one adapter's set of repositories, all empty.
type Repositories struct {
	Cities   theatre.CityRepository
	Theatres theatre.TheatreRepository
	Screens  theatre.ScreenRepository
}

// SampleCity returns a valid city with a fresh id.
func SampleCity(name string, lat, lng float64) theatre.City {
	return theatre.City{ID: ids.New(), Name: name, State: "Maharashtra", Country: "IN", TimeZone: "Asia/Kolkata",
		Location: theatre.GeoPoint{Lat: lat, Lng: lng}}
}

// SampleTheatre returns a valid theatre in city with a fresh id.
func SampleTheatre(cityID, name string, lat, lng float64) theatre.Theatre {
	return theatre.Theatre{ID: ids.New(), Name: name, Chain: "Test Chain", CityID: cityID, Address: "1 Test Road",
		Location: theatre.GeoPoint{Lat: lat, Lng: lng}, Amenities: []string{"Parking"}, Currency: "INR",
		TimeZone: "Asia/Kolkata", ChangeoverMinutes: 15, AllowOrphanSeats: true,
		CancellationCutoffMinutes: 90, RefundFeesOnCancel: true, CreatedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
}

// SampleLayout returns a small valid layout: rows B (PRIME) and A (CLASSIC) with an aisle.
func SampleLayout() theatre.Layout {
	seat := func(n int, cat string) theatre.Cell { return theatre.Cell{Number: n, Category: cat} }
	return theatre.Layout{
		Categories: []theatre.SeatCategory{{Code: "PRIME", Name: "Prime"}, {Code: "CLASSIC", Name: "Classic"}},
		Rows: []theatre.Row{
			{Label: "B", Cells: []theatre.Cell{seat(1, "PRIME"), seat(2, "PRIME"), {Gap: true}, seat(3, "PRIME")}},
			{Label: "A", Cells: []theatre.Cell{{Number: 1, Category: "CLASSIC", Accessible: true}, {Number: 2, Category: "CLASSIC", Companion: true}, {Gap: true}, {Number: 3, Category: "CLASSIC", Blocked: true}}},
		},
	}
}

// SampleScreen returns a valid screen of theatreID with a fresh id.
func SampleScreen(theatreID, name string) theatre.Screen {
	return theatre.Screen{ID: ids.New(), TheatreID: theatreID, Name: name, Formats: []string{"2D", "3D"},
		Layout: SampleLayout(), BestView: &theatre.BestView{RowFraction: 0.4, ColumnFraction: 0.5},
		CreatedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
}

// Run runs the suite; newRepos returns empty repositories for each subtest.
func Run(t *testing.T, newRepos func(t *testing.T) Repositories) {
	ctx := context.Background()

	t.Run("cities", func(t *testing.T) {
		r := newRepos(t)
		b := SampleCity("Bengaluru", 12.97, 77.59)
		m := SampleCity("Mumbai", 19.07, 72.87)
		for _, c := range []theatre.City{m, b} {
			if err := r.Cities.Create(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Cities.Create(ctx, m); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate city: %v", err)
		}
		got, err := r.Cities.Get(ctx, m.ID)
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := r.Cities.Get(ctx, ids.New()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown city: %v", err)
		}
		list, err := r.Cities.List(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "Bengaluru" {
			t.Fatalf("list: %+v %v", list, err)
		}
	})

	t.Run("theatres", func(t *testing.T) {
		r := newRepos(t)
		city := ids.New()
		other := ids.New()
		a := SampleTheatre(city, "Zenith", 19.10, 72.85)
		b := SampleTheatre(city, "Apex", 19.00, 72.80)
		c := SampleTheatre(other, "Far Away", 12.97, 77.59)
		for _, th := range []theatre.Theatre{a, b, c} {
			if err := r.Theatres.Create(ctx, th); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Theatres.Create(ctx, a); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate theatre: %v", err)
		}
		got, err := r.Theatres.Get(ctx, a.ID)
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Fatalf("get:\n got %+v\nwant %+v\n%v", got, a, err)
		}
		if _, err := r.Theatres.Get(ctx, ids.New()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown theatre: %v", err)
		}
		inCity, err := r.Theatres.ListByCity(ctx, city)
		if err != nil || len(inCity) != 2 || inCity[0].Name != "Apex" {
			t.Fatalf("by city: %+v %v", inCity, err)
		}
		many, err := r.Theatres.GetMany(ctx, []string{a.ID, c.ID, ids.New()})
		if err != nil || len(many) != 2 {
			t.Fatalf("get many: %d %v", len(many), err)
		}
		box, err := r.Theatres.ListInBox(ctx, theatre.BoundingBox{MinLat: 18.9, MaxLat: 19.05, MinLng: 72.7, MaxLng: 72.9})
		if err != nil || len(box) != 1 || box[0].ID != b.ID {
			t.Fatalf("in box: %+v %v", box, err)
		}
		edge, err := r.Theatres.ListInBox(ctx, theatre.BoundingBox{MinLat: 19.10, MaxLat: 19.10, MinLng: 72.85, MaxLng: 72.85})
		if err != nil || len(edge) != 1 {
			t.Fatalf("box edges are inclusive: %+v %v", edge, err)
		}
		if n, err := r.Theatres.Count(ctx); err != nil || n != 3 {
			t.Fatalf("count %d %v", n, err)
		}
	})

	t.Run("screens", func(t *testing.T) {
		r := newRepos(t)
		th1, th2 := ids.New(), ids.New()
		s1 := SampleScreen(th1, "Screen 2")
		s2 := SampleScreen(th1, "Screen 1")
		s3 := SampleScreen(th2, "Screen 1")
		for _, s := range []theatre.Screen{s1, s2, s3} {
			if err := r.Screens.Create(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		dupName := SampleScreen(th1, "Screen 1")
		if err := r.Screens.Create(ctx, dupName); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate screen name in a theatre: %v", err)
		}
		got, err := r.Screens.Get(ctx, s1.ID)
		if err != nil || !reflect.DeepEqual(got, s1) {
			t.Fatalf("get:\n got %+v\nwant %+v\n%v", got, s1, err)
		}
		if _, err := r.Screens.Get(ctx, ids.New()); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown screen: %v", err)
		}
		list, err := r.Screens.ListByTheatres(ctx, []string{th1})
		if err != nil || len(list) != 2 || list[0].Name != "Screen 1" {
			t.Fatalf("by theatre: %+v %v", list, err)
		}
		updated, err := r.Screens.Update(ctx, s1.ID, func(s *theatre.Screen) error {
			s.Layout.Rows = s.Layout.Rows[:1]
			s.Name = "Screen 3"
			return nil
		})
		if err != nil || updated.SeatCount() != 3 {
			t.Fatalf("update: %+v %v", updated, err)
		}
		again, _ := r.Screens.Get(ctx, s1.ID)
		if again.Name != "Screen 3" || again.SeatCount() != 3 {
			t.Fatalf("stored after update: %+v", again)
		}
		if _, err := r.Screens.Update(ctx, s1.ID, func(s *theatre.Screen) error { s.Name = "Screen 1"; return nil }); !errs.Is(err, errs.Conflict) {
			t.Fatalf("rename onto an existing name: %v", err)
		}
		if _, err := r.Screens.Update(ctx, ids.New(), func(*theatre.Screen) error { return nil }); !errs.Is(err, errs.NotFound) {
			t.Fatalf("update unknown: %v", err)
		}
	})
}
