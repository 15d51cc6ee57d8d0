package theatre_test

import (
	"context"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
	"github.com/marquee-cinema/marquee/internal/theatre"
	"github.com/marquee-cinema/marquee/internal/theatre/theatresqlite"
)

func mumbaiCity() theatre.City {
	return theatre.City{Name: "Mumbai", State: "Maharashtra", Country: "IN", TimeZone: "Asia/Kolkata",
		Location: theatre.GeoPoint{Lat: 19.0760, Lng: 72.8777}}
}

func TestCityValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(c *theatre.City)
		field  string // empty when valid
	}{
		{"valid", func(*theatre.City) {}, ""},
		{"name is trimmed", func(c *theatre.City) { c.Name = "  Mumbai " }, ""},
		{"name of 100 characters in Devanagari", func(c *theatre.City) { c.Name = strings.Repeat("मु", 50) }, ""},
		{"north pole, antimeridian", func(c *theatre.City) { c.Location = theatre.GeoPoint{Lat: 90, Lng: -180} }, ""},
		{"empty name", func(c *theatre.City) { c.Name = " \t" }, "name"},
		{"name of 101 characters", func(c *theatre.City) { c.Name = strings.Repeat("m", 101) }, "name"},
		{"country of three letters", func(c *theatre.City) { c.Country = "IND" }, "country"},
		{"no country", func(c *theatre.City) { c.Country = "" }, "country"},
		{"no time zone", func(c *theatre.City) { c.TimeZone = "" }, "timeZone"},
		{"unknown time zone", func(c *theatre.City) { c.TimeZone = "Asia/Bombay_Central" }, "timeZone"},
		{"latitude above 90", func(c *theatre.City) { c.Location.Lat = 90.0001 }, "location.lat"},
		{"latitude below -90", func(c *theatre.City) { c.Location.Lat = -91 }, "location.lat"},
		{"latitude NaN", func(c *theatre.City) { c.Location.Lat = math.NaN() }, "location.lat"},
		{"longitude above 180", func(c *theatre.City) { c.Location.Lng = 180.5 }, "location.lng"},
		{"longitude -Inf", func(c *theatre.City) { c.Location.Lng = math.Inf(-1) }, "location.lng"},
		{"longitude NaN", func(c *theatre.City) { c.Location.Lng = math.NaN() }, "location.lng"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mumbaiCity()
			tt.change(&c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if c.Name != strings.TrimSpace(c.Name) {
					t.Errorf("name %q not trimmed", c.Name)
				}
				return
			}
			assertInvalid(t, err, tt.field)
		})
	}
}

func pvrJuhu(cityID string) theatre.Theatre {
	return theatre.Theatre{Name: "PVR Juhu", Chain: "PVR", CityID: cityID, Address: "Juhu Tara Road, Mumbai",
		Location: theatre.GeoPoint{Lat: 19.1075, Lng: 72.8263}, Amenities: []string{"parking", "food court"},
		Currency: "INR", TimeZone: "Asia/Kolkata", ChangeoverMinutes: 20}
}

func TestTheatreValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(th *theatre.Theatre)
		field  string // empty when valid
		check  func(t *testing.T, th theatre.Theatre)
	}{
		{"valid", func(*theatre.Theatre) {}, "", nil},
		{"currency defaults to INR", func(th *theatre.Theatre) { th.Currency = " " }, "", func(t *testing.T, th theatre.Theatre) {
			if th.Currency != "INR" {
				t.Errorf("currency = %q, want INR", th.Currency)
			}
		}},
		{"currency is upper-cased and name and address trimmed", func(th *theatre.Theatre) {
			th.Currency, th.Name, th.Address = " usd", " PVR Juhu\n", "  Juhu "
		}, "", func(t *testing.T, th theatre.Theatre) {
			if th.Currency != "USD" || th.Name != "PVR Juhu" || th.Address != "Juhu" {
				t.Errorf("got currency %q, name %q, address %q", th.Currency, th.Name, th.Address)
			}
		}},
		{"no changeover buffer", func(th *theatre.Theatre) { th.ChangeoverMinutes = 0 }, "", nil},
		{"two-hour changeover buffer", func(th *theatre.Theatre) { th.ChangeoverMinutes = 120 }, "", nil},
		{"30 amenities", func(th *theatre.Theatre) { th.Amenities = make([]string, 30) }, "", nil},
		{"empty name", func(th *theatre.Theatre) { th.Name = "  " }, "name", nil},
		{"name of 121 characters", func(th *theatre.Theatre) { th.Name = strings.Repeat("n", 121) }, "name", nil},
		{"empty address", func(th *theatre.Theatre) { th.Address = "" }, "address", nil},
		{"address of 301 characters", func(th *theatre.Theatre) { th.Address = strings.Repeat("a", 301) }, "address", nil},
		{"currency of two letters", func(th *theatre.Theatre) { th.Currency = "IN" }, "currency", nil},
		{"currency with a digit", func(th *theatre.Theatre) { th.Currency = "IN1" }, "currency", nil},
		{"currency symbol", func(th *theatre.Theatre) { th.Currency = "₹" }, "currency", nil},
		{"negative changeover", func(th *theatre.Theatre) { th.ChangeoverMinutes = -1 }, "changeoverMinutes", nil},
		{"changeover over two hours", func(th *theatre.Theatre) { th.ChangeoverMinutes = 121 }, "changeoverMinutes", nil},
		{"31 amenities", func(th *theatre.Theatre) { th.Amenities = make([]string, 31) }, "amenities", nil},
		{"no time zone", func(th *theatre.Theatre) { th.TimeZone = "" }, "timeZone", nil},
		{"unknown time zone", func(th *theatre.Theatre) { th.TimeZone = "Mars/Olympus" }, "timeZone", nil},
		{"latitude out of range", func(th *theatre.Theatre) { th.Location.Lat = 100 }, "location.lat", nil},
		{"longitude NaN", func(th *theatre.Theatre) { th.Location.Lng = math.NaN() }, "location.lng", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			th := pvrJuhu(ids.New())
			tt.change(&th)
			err := th.Validate()
			if tt.field != "" {
				assertInvalid(t, err, tt.field)
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if tt.check != nil {
				tt.check(t, th)
			}
		})
	}
}

// newService returns a theatre service on a fresh SQLite database in a temp dir.
func newService(t *testing.T) *theatre.Service {
	t.Helper()
	ctx := adminContext()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), sqlitedb.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	store, err := theatresqlite.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	return theatre.NewService(store.Cities, store.Theatres, store.Screens, clk)
}

func TestTheatresNearRejectsBadArguments(t *testing.T) {
	t.Parallel()
	svc := newService(t)
	mumbai := theatre.GeoPoint{Lat: 19.0760, Lng: 72.8777}
	tests := []struct {
		name   string
		p      theatre.GeoPoint
		radius float64
		field  string
	}{
		{"zero radius", mumbai, 0, "near.radiusKm"},
		{"negative radius", mumbai, -5, "near.radiusKm"},
		{"radius over 100 km", mumbai, 100.001, "near.radiusKm"},
		{"NaN radius", mumbai, math.NaN(), "near.radiusKm"},
		{"infinite radius", mumbai, math.Inf(1), "near.radiusKm"},
		{"latitude above 90", theatre.GeoPoint{Lat: 91, Lng: 72}, 10, "near.lat"},
		{"latitude below -90", theatre.GeoPoint{Lat: -90.5, Lng: 72}, 10, "near.lat"},
		{"latitude NaN", theatre.GeoPoint{Lat: math.NaN(), Lng: 72}, 10, "near.lat"},
		{"longitude above 180", theatre.GeoPoint{Lat: 19, Lng: 181}, 10, "near.lng"},
		{"longitude below -180", theatre.GeoPoint{Lat: 19, Lng: -180.01}, 10, "near.lng"},
		{"longitude NaN", theatre.GeoPoint{Lat: 19, Lng: math.NaN()}, 10, "near.lng"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := svc.TheatresNear(adminContext(), tt.p, tt.radius)
			assertInvalid(t, err, tt.field)
			if got != nil {
				t.Errorf("got theatres %v with the error", got)
			}
		})
	}
}

func TestTheatresNear(t *testing.T) {
	t.Parallel()
	ctx := adminContext()
	svc := newService(t)
	mumbai, err := svc.CreateCity(ctx, mumbaiCity())
	if err != nil {
		t.Fatal(err)
	}
	fiji, err := svc.CreateCity(ctx, theatre.City{Name: "Suva", Country: "FJ", TimeZone: "Pacific/Fiji",
		Location: theatre.GeoPoint{Lat: -18.1248, Lng: 178.4501}})
	if err != nil {
		t.Fatal(err)
	}
	centre := mumbaiCity().Location
	add := func(name string, city theatre.City, p theatre.GeoPoint) {
		t.Helper()
		th := pvrJuhu(city.ID)
		th.Name, th.Location, th.TimeZone = name, p, ""
		if _, err := svc.CreateTheatre(ctx, th); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	// Two at the same place so the tie is broken by name; east and west of the antimeridian.
	add("Juhu", mumbai, destination(centre, 0.3, 5))
	add("Colaba", mumbai, destination(centre, 3, 2))
	add("Bandra B", mumbai, destination(centre, 1.2, 3))
	add("Bandra A", mumbai, destination(centre, 1.2, 3))
	add("Thane", mumbai, destination(centre, 0.8, 25))
	add("Pune", mumbai, theatre.GeoPoint{Lat: 18.5204, Lng: 73.8567})
	add("Taveuni East", fiji, theatre.GeoPoint{Lat: -16.8, Lng: 179.99})
	add("Taveuni West", fiji, theatre.GeoPoint{Lat: -16.8, Lng: -179.98})

	tests := []struct {
		name   string
		p      theatre.GeoPoint
		radius float64
		want   []string
	}{
		{"10 km around Mumbai, nearest first, ties by name", centre, 10, []string{"Colaba", "Bandra A", "Bandra B", "Juhu"}},
		{"2.5 km around Mumbai", centre, 2.5, []string{"Colaba"}},
		{"the whole 100 km reaches Thane but not Pune", centre, 100, []string{"Colaba", "Bandra A", "Bandra B", "Juhu", "Thane"}},
		{"across the antimeridian from the east", theatre.GeoPoint{Lat: -16.8, Lng: 179.995}, 5, []string{"Taveuni East", "Taveuni West"}},
		{"across the antimeridian from the west", theatre.GeoPoint{Lat: -16.8, Lng: -179.981}, 5, []string{"Taveuni West", "Taveuni East"}},
		{"nothing in the ocean", theatre.GeoPoint{Lat: 0, Lng: 0}, 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := svc.TheatresNear(ctx, tt.p, tt.radius)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for i, n := range got {
				names = append(names, n.Theatre.Name)
				if d := theatre.DistanceKm(tt.p, n.Theatre.Location); math.Abs(d-n.DistanceKm) > 1e-9 || n.DistanceKm > tt.radius {
					t.Errorf("%s: distance %v, computed %v, radius %v", n.Theatre.Name, n.DistanceKm, d, tt.radius)
				}
				if i > 0 && got[i-1].DistanceKm > n.DistanceKm {
					t.Errorf("%s listed after the farther %s", n.Theatre.Name, got[i-1].Theatre.Name)
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %q, want %q", names, tt.want)
			}
		})
	}
}

func TestServiceRejectsMalformedIDs(t *testing.T) {
	t.Parallel()
	ctx := adminContext()
	svc := newService(t)
	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"city", func() error { _, err := svc.City(ctx, "mumbai"); return err }, "cityId"},
		{"theatre", func() error { _, err := svc.Theatre(ctx, ""); return err }, "id"},
		{"screen", func() error { _, err := svc.Screen(ctx, "1"); return err }, "id"},
		{"theatre in unknown-format city", func() error {
			_, err := svc.CreateTheatre(ctx, pvrJuhu("not-an-id"))
			return err
		}, "cityId"},
		{"batch with a bad id", func() error { _, err := svc.TheatresByIDs(ctx, []string{ids.New(), "x"}); return err }, "ids"},
		{"batch too large", func() error {
			list := make([]string, theatre.MaxBatchGet+1)
			for i := range list {
				list[i] = ids.New()
			}
			_, err := svc.ScreensOf(ctx, list)
			return err
		}, "theatreIds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertInvalid(t, tt.call(), tt.field)
		})
	}
	if _, err := svc.City(ctx, ids.New()); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown city: got %v, want not found", err)
	}
}

func TestAddScreenValidatesLayout(t *testing.T) {
	t.Parallel()
	ctx := adminContext()
	svc := newService(t)
	city, err := svc.CreateCity(ctx, mumbaiCity())
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.CreateTheatre(ctx, pvrJuhu(city.ID))
	if err != nil {
		t.Fatal(err)
	}
	bad := hall()
	bad.Rows[2].Cells[7].Category = "gold"
	if _, err := svc.AddScreen(ctx, theatre.Screen{TheatreID: th.ID, Name: "Audi 1", Formats: []string{"2D"}, Layout: bad}); err == nil {
		t.Fatal("AddScreen accepted a seat of an unknown category")
	} else {
		assertInvalid(t, err, "layout.rows[2]", "C7")
	}
	good := hall()
	good.Rows[0].Label = "a"
	sc, err := svc.AddScreen(ctx, theatre.Screen{TheatreID: th.ID, Name: " Audi 1 ", Formats: []string{"imax  3d", "2d", "IMAX 3D"}, Layout: good})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "Audi 1" || strings.Join(sc.Formats, "|") != "IMAX 3D|2D" || sc.Layout.Rows[0].Label != "A" {
		t.Errorf("screen not normalised: name %q, formats %q, first row %q", sc.Name, sc.Formats, sc.Layout.Rows[0].Label)
	}
	stored, err := svc.Screen(ctx, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.SeatCount() != 64 {
		t.Errorf("stored screen has %d seats, want 64", stored.SeatCount())
	}
	// An update that breaks the layout is refused and leaves the screen as it was.
	_, err = svc.UpdateScreen(ctx, sc.ID, func(s *theatre.Screen) error {
		s.Layout.Rows = append(s.Layout.Rows, s.Layout.Rows[0])
		return nil
	})
	assertInvalid(t, err, "layout.rows[6]", "row A")
	if again, err := svc.Screen(ctx, sc.ID); err != nil || len(again.Layout.Rows) != 6 {
		t.Fatalf("after a refused update: %d rows, %v", len(again.Layout.Rows), err)
	}
}

// adminContext acts as an admin, who may write the catalogue.
func adminContext() context.Context {
	return auth.WithIdentity(context.Background(), auth.Identity{UserID: "test-admin", Roles: []string{auth.RoleAdmin}})
}
