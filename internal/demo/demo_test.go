package demo_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/marquee-cinema/marquee/internal/demo"
	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

func TestCounts(t *testing.T) {
	if n := len(demo.Cities()); n < 4 {
		t.Errorf("%d cities, want at least 4", n)
	}
	if n := len(demo.Theatres()); n < 12 {
		t.Errorf("%d theatres, want at least 12", n)
	}
	if n := len(demo.Movies()); n < 10 {
		t.Errorf("%d movies, want at least 10", n)
	}
	first := demo.Cities()[0]
	if first.Name != "Mumbai" || first.ID != demo.FirstCityID() {
		t.Errorf("first city = %s %s, want Mumbai %s", first.Name, first.ID, demo.FirstCityID())
	}
}

// The ids are part of the demo's contract: fixtures and docs may refer to them.
func TestPinnedIDs(t *testing.T) {
	if got, want := demo.FirstCityID(), "f13bf587-45f7-5d03-905d-b473557f6128"; got != want {
		t.Errorf("FirstCityID() = %s, want %s", got, want)
	}
	if got, want := demo.MovieID("Monsoon Protocol"), "41cbf184-2cbe-542a-8f81-f9f465c7d1d0"; got != want {
		t.Errorf("MovieID(Monsoon Protocol) = %s, want %s", got, want)
	}
}

func TestDeterministic(t *testing.T) {
	if !reflect.DeepEqual(demo.Cities(), demo.Cities()) {
		t.Error("Cities differ between calls")
	}
	if !reflect.DeepEqual(demo.Theatres(), demo.Theatres()) {
		t.Error("Theatres differ between calls")
	}
	if !reflect.DeepEqual(demo.Screens(), demo.Screens()) {
		t.Error("Screens differ between calls")
	}
	if !reflect.DeepEqual(demo.Movies(), demo.Movies()) {
		t.Error("Movies differ between calls")
	}
	// Callers own what they get: mutating it must not change later results.
	ms := demo.Movies()
	ms[0].Genres[0] = "Changed"
	ss := demo.Screens()
	ss[0].Layout.Rows[0].Cells[0].Blocked = true
	if demo.Movies()[0].Genres[0] == "Changed" || demo.Screens()[0].Layout.Rows[0].Cells[0].Blocked {
		t.Error("results share memory between calls")
	}
}

func TestIDsUniqueAndValid(t *testing.T) {
	var all []string
	for _, c := range demo.Cities() {
		all = append(all, c.ID)
	}
	for _, th := range demo.Theatres() {
		all = append(all, th.ID)
	}
	for _, s := range demo.Screens() {
		all = append(all, s.ID)
	}
	for _, m := range demo.Movies() {
		all = append(all, m.ID)
	}
	seen := map[string]bool{}
	for _, id := range all {
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 5 || u.String() != id {
			t.Errorf("id %q is not a canonical version 5 UUID", id)
		}
		if seen[id] {
			t.Errorf("id %s is used twice", id)
		}
		seen[id] = true
	}
}

func TestCities(t *testing.T) {
	for _, c := range demo.Cities() {
		if err := c.Validate(); err != nil {
			t.Errorf("city %s: %v", c.Name, err)
		}
		if c.Country != "IN" || c.TimeZone != "Asia/Kolkata" || c.State == "" {
			t.Errorf("city %s: country %q, time zone %q, state %q", c.Name, c.Country, c.TimeZone, c.State)
		}
		if c.ID != demo.CityID(c.Name) {
			t.Errorf("city %s: id %s is not CityID(name)", c.Name, c.ID)
		}
	}
}

func TestTheatres(t *testing.T) {
	cities := map[string]theatre.City{}
	for _, c := range demo.Cities() {
		cities[c.ID] = c
	}
	screens := map[string][]theatre.Screen{}
	for _, s := range demo.Screens() {
		screens[s.TheatreID] = append(screens[s.TheatreID], s)
	}
	perCity := map[string]int{}
	for _, th := range demo.Theatres() {
		city, ok := cities[th.CityID]
		if !ok {
			t.Errorf("theatre %s: city %s does not exist", th.Name, th.CityID)
			continue
		}
		perCity[city.Name]++
		if err := th.Validate(); err != nil {
			t.Errorf("theatre %s: %v", th.Name, err)
		}
		if d := theatre.DistanceKm(city.Location, th.Location); d > 25 {
			t.Errorf("theatre %s is %.1f km from the centre of %s", th.Name, d, city.Name)
		}
		if th.Currency != "INR" || th.TimeZone != "Asia/Kolkata" {
			t.Errorf("theatre %s: currency %q, time zone %q", th.Name, th.Currency, th.TimeZone)
		}
		if th.ChangeoverMinutes < 15 || th.ChangeoverMinutes > 20 {
			t.Errorf("theatre %s: changeover %d minutes", th.Name, th.ChangeoverMinutes)
		}
		if th.Chain == "" || len(th.Amenities) == 0 || !strings.Contains(th.Address, city.Name) {
			t.Errorf("theatre %s: chain %q, amenities %v, address %q", th.Name, th.Chain, th.Amenities, th.Address)
		}
		ss := screens[th.ID]
		if len(ss) < 2 || len(ss) > 5 {
			t.Errorf("theatre %s has %d screens, want 2 to 5", th.Name, len(ss))
		}
		names := map[string]bool{}
		for _, s := range ss {
			if names[s.Name] {
				t.Errorf("theatre %s has two screens named %s", th.Name, s.Name)
			}
			names[s.Name] = true
		}
		delete(screens, th.ID)
	}
	for id := range screens {
		t.Errorf("screens belong to unknown theatre %s", id)
	}
	for _, c := range demo.Cities() {
		if perCity[c.Name] == 0 {
			t.Errorf("city %s has no theatres", c.Name)
		}
	}
}

func TestScreenLayouts(t *testing.T) {
	var imax, fourDX, blocked int
	for _, s := range demo.Screens() {
		l := s.Layout
		l.Normalize()
		if err := l.Validate(); err != nil {
			t.Errorf("screen %s %s: %v", s.TheatreID, s.Name, err)
			continue
		}
		if !reflect.DeepEqual(l, s.Layout) {
			t.Errorf("screen %s %s: layout is not already normalised", s.TheatreID, s.Name)
		}
		if n := l.SeatCount(); n < 150 || n > 450 {
			t.Errorf("screen %s %s has %d seats, want 150 to 450", s.TheatreID, s.Name, n)
		}
		cats := map[string]int{}
		accessible := 0
		for _, seat := range l.Seats() {
			cats[seat.Category]++
			if seat.Blocked {
				blocked++
			}
			if seat.Accessible {
				accessible++
				row := l.Rows[seat.Row].Cells
				left, right := seat.Column-1, seat.Column+1
				if !(left >= 0 && row[left].Companion || right < len(row) && row[right].Companion) {
					t.Errorf("screen %s %s: accessible seat %s has no companion seat beside it", s.TheatreID, s.Name, seat.ID)
				}
			}
		}
		if len(cats) < 3 {
			t.Errorf("screen %s %s uses %d seat categories, want at least 3", s.TheatreID, s.Name, len(cats))
		}
		if accessible == 0 {
			t.Errorf("screen %s %s has no accessible seats", s.TheatreID, s.Name)
		}
		// Back row first: recliners at the back, classic at the front, A nearest the screen.
		rows := l.Rows
		if rows[len(rows)-1].Label != "A" || rows[0].Label <= rows[len(rows)-1].Label {
			t.Errorf("screen %s %s: rows run %s..%s, want back row latest, A at the screen", s.TheatreID, s.Name, rows[0].Label, rows[len(rows)-1].Label)
		}
		if firstSeat(rows[0]).Category != demo.CategoryRecliner || firstSeat(rows[len(rows)-1]).Category != demo.CategoryClassic {
			t.Errorf("screen %s %s: want recliners at the back and classic seats at the front", s.TheatreID, s.Name)
		}
		for _, r := range rows {
			want := 1
			for _, c := range r.Cells {
				if c.Gap {
					continue
				}
				if c.Number != want {
					t.Errorf("screen %s %s row %s: seat number %d, want %d", s.TheatreID, s.Name, r.Label, c.Number, want)
				}
				want++
			}
			if !slices.ContainsFunc(r.Cells, func(c theatre.Cell) bool { return c.Gap }) {
				t.Errorf("screen %s %s row %s has no aisle", s.TheatreID, s.Name, r.Label)
			}
		}
		if len(s.Formats) == 0 {
			t.Errorf("screen %s %s has no formats", s.TheatreID, s.Name)
		}
		for _, f := range s.Formats {
			if !slices.Contains(movie.KnownFormats, f) {
				t.Errorf("screen %s %s: unknown format %q", s.TheatreID, s.Name, f)
			}
		}
		if slices.Contains(s.Formats, "IMAX 2D") {
			imax++
		}
		if slices.Contains(s.Formats, "4DX") {
			fourDX++
		}
	}
	if imax == 0 || fourDX == 0 || blocked == 0 {
		t.Errorf("%d IMAX screens, %d 4DX screens, %d blocked seats; want some of each", imax, fourDX, blocked)
	}
}

func firstSeat(r theatre.Row) theatre.Cell {
	for _, c := range r.Cells {
		if !c.Gap {
			return c
		}
	}
	return theatre.Cell{}
}

func TestMovies(t *testing.T) {
	statuses := map[movie.Status]int{}
	languages := map[string]bool{}
	for _, m := range demo.Movies() {
		orig := m
		m.Normalize()
		if err := m.Validate(); err != nil {
			t.Errorf("movie %s: %v", m.Title, err)
		}
		if !reflect.DeepEqual(m, orig) {
			t.Errorf("movie %s is not already normalised", m.Title)
		}
		if m.ID != demo.MovieID(m.Title) {
			t.Errorf("movie %s: id %s is not MovieID(title)", m.Title, m.ID)
		}
		if m.RuntimeMinutes < 95 || m.RuntimeMinutes > 175 {
			t.Errorf("movie %s runs %d minutes", m.Title, m.RuntimeMinutes)
		}
		if !slices.Contains(movie.CBFCCertifications, m.Certification) {
			t.Errorf("movie %s: certification %q", m.Title, m.Certification)
		}
		for _, f := range m.Formats {
			if !slices.Contains(movie.KnownFormats, f) {
				t.Errorf("movie %s: unknown format %q", m.Title, f)
			}
		}
		if m.Synopsis == "" || m.ReleaseDate == "" || m.PosterURL != "" || len(m.Genres) == 0 || len(m.Cast) == 0 {
			t.Errorf("movie %s: missing synopsis, release date, genres or cast, or has a poster", m.Title)
		}
		for _, role := range []string{"Director", "Music", "Cinematography"} {
			if !slices.ContainsFunc(m.Crew, func(c movie.Credit) bool { return c.Role == role && c.Name != "" }) {
				t.Errorf("movie %s has no %s credit", m.Title, role)
			}
		}
		statuses[m.Status]++
		for _, l := range m.Languages {
			languages[l] = true
		}
	}
	if statuses[movie.StatusUpcoming] < 2 || statuses[movie.StatusArchived] != 1 ||
		statuses[movie.StatusNowShowing] <= len(demo.Movies())/2 {
		t.Errorf("statuses %v: want mostly now showing, 2-3 upcoming, 1 archived", statuses)
	}
	for _, l := range []string{"Hindi", "English", "Tamil", "Telugu", "Malayalam", "Kannada", "Marathi", "Bengali"} {
		if !languages[l] {
			t.Errorf("no movie in %s", l)
		}
	}
}

// The fakes below are just enough for Load; the real SQLite adapters are tested on their own.
// Embedded nil interfaces make any method Load does not need panic.

type movieRepo struct {
	movie.Repository
	list []movie.Movie
}

func (r *movieRepo) Create(_ context.Context, m movie.Movie) error {
	r.list = append(r.list, m)
	return nil
}

func (r *movieRepo) List(_ context.Context, _ movie.Filter, _ *movie.Position, limit int) ([]movie.Movie, error) {
	return r.list[:min(limit, len(r.list))], nil
}

type cityRepo struct {
	theatre.CityRepository
	byID map[string]theatre.City
}

func (r *cityRepo) Create(_ context.Context, c theatre.City) error { r.byID[c.ID] = c; return nil }

func (r *cityRepo) Get(_ context.Context, id string) (theatre.City, error) {
	if c, ok := r.byID[id]; ok {
		return c, nil
	}
	return theatre.City{}, errs.NotFoundf("city %s not found", id)
}

func (r *cityRepo) List(context.Context) ([]theatre.City, error) {
	var out []theatre.City
	for _, c := range r.byID {
		out = append(out, c)
	}
	return out, nil
}

type theatreRepo struct {
	theatre.TheatreRepository
	byID map[string]theatre.Theatre
}

func (r *theatreRepo) Create(_ context.Context, t theatre.Theatre) error {
	r.byID[t.ID] = t
	return nil
}

func (r *theatreRepo) Get(_ context.Context, id string) (theatre.Theatre, error) {
	if t, ok := r.byID[id]; ok {
		return t, nil
	}
	return theatre.Theatre{}, errs.NotFoundf("theatre %s not found", id)
}

type screenRepo struct {
	theatre.ScreenRepository
	list []theatre.Screen
}

func (r *screenRepo) Create(_ context.Context, s theatre.Screen) error {
	r.list = append(r.list, s)
	return nil
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	mr := &movieRepo{}
	cr := &cityRepo{byID: map[string]theatre.City{}}
	tr := &theatreRepo{byID: map[string]theatre.Theatre{}}
	sr := &screenRepo{}
	movies := movie.NewService(mr, clk)
	theatres := theatre.NewService(cr, tr, sr, clk)

	if empty, err := demo.IsEmpty(ctx, movies, theatres); err != nil || !empty {
		t.Fatalf("IsEmpty before Load = %v, %v; want true", empty, err)
	}
	sum, err := demo.Load(ctx, movies, theatres)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	seats := 0
	for _, s := range demo.Screens() {
		seats += s.SeatCount()
	}
	want := demo.Summary{Cities: len(demo.Cities()), Theatres: len(demo.Theatres()), Screens: len(demo.Screens()),
		Seats: seats, Movies: len(demo.Movies())}
	if sum != want {
		t.Errorf("Load = %+v, want %+v", sum, want)
	}
	if len(cr.byID) != want.Cities || len(tr.byID) != want.Theatres || len(sr.list) != want.Screens || len(mr.list) != want.Movies {
		t.Errorf("stored %d cities, %d theatres, %d screens, %d movies; want %+v",
			len(cr.byID), len(tr.byID), len(sr.list), len(mr.list), want)
	}
	if c, err := theatres.City(ctx, demo.FirstCityID()); err != nil || c.Name != "Mumbai" {
		t.Errorf("City(FirstCityID()) = %+v, %v", c, err)
	}
	t.Logf("demo data set: %+v", sum)

	_, err = demo.Load(ctx, movies, theatres)
	if !errors.Is(err, demo.ErrNotEmpty) || !errs.Is(err, errs.Conflict) {
		t.Errorf("second Load: %v; want a conflict wrapping ErrNotEmpty", err)
	}
	if len(cr.byID) != want.Cities || len(mr.list) != want.Movies {
		t.Error("second Load stored data")
	}
}
