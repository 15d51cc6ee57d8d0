// Package showtest is the conformance suite every show.Repository and show.PricingRepository
// adapter must pass, with builders of sample shows and rules for adapter-specific tests.
package showtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/show"
)

// Day is midnight UTC of the first day the samples are scheduled on.
var Day = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// CreatedAt is when the samples were created: millisecond precision, which every adapter keeps.
var CreatedAt = time.Date(2026, 11, 20, 9, 15, 30, 123_000_000, time.UTC)

// ist is the samples' theatre time zone (Asia/Kolkata has no daylight saving time).
var ist = time.FixedZone("IST", 5*3600+30*60)

// At returns day days after Day at hour:minute UTC.
func At(day, hour, minute int) time.Time {
	return Day.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

// Sample returns a scheduled show on screenID starting at start (UTC) and keeping the screen busy
// for two and a half hours (a two-hour movie and half an hour of changeover), with every field
// set and fresh ids. LocalDate and LocalTime are the
// start in Asia/Kolkata.
func Sample(screenID string, start time.Time) show.Show {
	start = start.UTC()
	local := start.In(ist)
	return show.Show{ID: ids.New(), MovieID: ids.New(), TheatreID: ids.New(), ScreenID: screenID, CityID: ids.New(),
		StartsAt: start, EndsAt: start.Add(150 * time.Minute), RuntimeMinutes: 120,
		LocalDate: local.Format("2006-01-02"), LocalTime: local.Format("15:04"), TimeZone: "Asia/Kolkata",
		Language: "Hindi", Format: "2D", Currency: "INR",
		BasePrices:    []show.CategoryPrice{{Category: "RECLINER", Amount: 55000}, {Category: "PRIME", Amount: 32000}, {Category: "CLASSIC", Amount: 18000}},
		SellableSeats: 182, Status: show.StatusScheduled, BatchID: ids.New(), CreatedAt: CreatedAt}
}

// Span returns a copy of s moved to [start, end), with LocalDate and LocalTime to match.
func Span(s show.Show, start, end time.Time) show.Show {
	s.StartsAt, s.EndsAt = start.UTC(), end.UTC()
	local := s.StartsAt.In(ist)
	s.LocalDate, s.LocalTime = local.Format("2006-01-02"), local.Format("15:04")
	return s
}

// NewBatch returns a batch of shows under key (empty: none), with a fresh id, its ShowIDs in
// order, and each show's BatchID set to it.
func NewBatch(key, screenID string, shows ...show.Show) (show.Batch, []show.Show) {
	b := show.Batch{ID: ids.New(), Key: key, ScreenID: screenID, CreatedAt: CreatedAt}
	out := make([]show.Show, len(shows))
	for i, s := range shows {
		s.BatchID = b.ID
		out[i] = s
		b.ShowIDs = append(b.ShowIDs, s.ID)
	}
	return b, out
}

// SampleRules returns pricing rules with every field set.
func SampleRules() show.Rules {
	return show.Rules{
		DayOfWeek: map[time.Weekday]int{time.Friday: 5, time.Saturday: 10, time.Sunday: 10, time.Tuesday: -15},
		TimeBands: []show.TimeBand{{Name: "morning", From: 0, To: 12 * 60, Percent: -20}, {Name: "prime", From: 18 * 60, To: 23*60 + 30, Percent: 15}},
		Occupancy: []show.OccupancyTier{{AboveFraction: 0.5, Percent: 5}, {AboveFraction: 0.875, Percent: 20}},
		LeadTime:  []show.LeadTimeRule{{Within: 2 * time.Hour, Percent: -10}, {Within: 90*time.Minute + 1500*time.Millisecond, Percent: -5}},
		Limits:    map[string]show.Limit{"RECLINER": {Floor: 40000, Ceiling: 90000}, "CLASSIC": {Floor: 10000}, "PRIME.2": {Ceiling: 60000}},
		RoundTo:   1000,
	}
}

// Run runs the suite. newRepos returns empty repositories for each subtest. concurrencySafe says
// whether the adapter's storage is atomic under concurrent writers; when false the concurrency
// subtest is skipped (the embedded FerretDB is not, a real MongoDB and SQLite are).
func Run(t *testing.T, newRepos func(t *testing.T) (show.Repository, show.PricingRepository), concurrencySafe bool) {
	ctx := context.Background()
	pass := func([]show.Show) error { return nil }
	repo := func(t *testing.T) show.Repository {
		r, _ := newRepos(t)
		return r
	}

	t.Run("create batch stores every show", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		screen := ids.New()
		b, shows := NewBatch("", screen, Sample(screen, At(0, 4, 0)), Sample(screen, At(0, 8, 0)), Sample(screen, At(1, 4, 0)))
		if err := r.CreateBatch(ctx, screen, At(0, 4, 0), At(1, 6, 30), b, shows, pass); err != nil {
			t.Fatal(err)
		}
		for _, want := range shows {
			got, err := r.Get(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffShow(got, want); d != "" {
				t.Error(d)
			}
		}
	})

	t.Run("check sees exactly the scheduled shows of the screen meeting the window", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		screen, other := ids.New(), ids.New()
		from, to := At(0, 10, 0), At(0, 14, 0)
		endsAtFrom := Span(Sample(screen, At(0, 8, 0)), At(0, 8, 0), from)           // ends exactly at from: out
		startsBefore := Span(Sample(screen, At(0, 9, 0)), At(0, 9, 0), At(0, 11, 0)) // straddles from: in
		inside := Span(Sample(screen, At(0, 11, 0)), At(0, 11, 0), At(0, 12, 0))     // in
		startsInside := Span(Sample(screen, At(0, 13, 0)), At(0, 13, 0), At(0, 15, 0))
		startsAtTo := Span(Sample(screen, to), to, At(0, 16, 0)) // starts exactly at to: out
		cancelled := Span(Sample(screen, At(0, 12, 0)), At(0, 12, 0), At(0, 12, 45))
		otherScreen := Span(Sample(other, At(0, 11, 0)), At(0, 11, 0), At(0, 13, 0))
		laterDay := Span(Sample(screen, At(1, 11, 0)), At(1, 11, 0), At(1, 13, 0))
		mustCreate(t, r, endsAtFrom, startsBefore, inside, startsInside, startsAtTo, cancelled, laterDay)
		mustCreate(t, r, otherScreen)
		wide := ids.New() // a show covering the whole window, on a third screen
		covering := Span(Sample(wide, At(0, 9, 0)), At(0, 9, 0), At(0, 15, 0))
		mustCreate(t, r, covering)
		if _, _, err := r.Cancel(ctx, cancelled.ID, At(0, 1, 0)); err != nil {
			t.Fatal(err)
		}

		var seen []show.Show
		calls := 0
		b, shows := NewBatch("", screen, Span(Sample(screen, At(0, 20, 0)), At(0, 20, 0), At(0, 22, 0)))
		err := r.CreateBatch(ctx, screen, from, to, b, shows, func(existing []show.Show) error {
			calls++
			seen = existing
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Fatalf("check ran %d times, want once", calls)
		}
		want := []show.Show{startsBefore, inside, startsInside}
		if d := diffSet(seen, want); d != "" {
			t.Errorf("check saw: %s", d)
		}
		on, err := r.OnScreen(ctx, screen, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffSet(on, want); d != "" {
			t.Errorf("OnScreen: %s", d)
		}
		on, err = r.OnScreen(ctx, wide, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffSet(on, []show.Show{covering}); d != "" {
			t.Errorf("OnScreen of a show covering the window: %s", d)
		}
		if on, err := r.OnScreen(ctx, ids.New(), from, to); err != nil || len(on) != 0 {
			t.Errorf("OnScreen of an empty screen: %d shows, %v", len(on), err)
		}
	})

	t.Run("a failing check stores nothing and its error is returned unchanged", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		screen := ids.New()
		b, shows := NewBatch("rejected-key", screen, Sample(screen, At(0, 4, 0)), Sample(screen, At(0, 8, 0)))
		boom := fmt.Errorf("overlaps: %w", errors.New("rejected"))
		err := r.CreateBatch(ctx, screen, At(0, 4, 0), At(0, 10, 30), b, shows, func([]show.Show) error { return boom })
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want the check's error", err)
		}
		for _, s := range shows {
			if _, err := r.Get(ctx, s.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("show of a rejected batch: got %v, want not found", err)
			}
		}
		if _, err := r.BatchByKey(ctx, b.Key); !errs.Is(err, errs.NotFound) {
			t.Errorf("batch of a rejected check: got %v, want not found", err)
		}
		if on, _ := r.OnScreen(ctx, screen, Day, At(2, 0, 0)); len(on) != 0 {
			t.Errorf("%d shows on the screen after a rejected batch", len(on))
		}
		// The key was not used up.
		if err := r.CreateBatch(ctx, screen, At(0, 4, 0), At(0, 10, 30), b, shows, pass); err != nil {
			t.Fatalf("retry after a rejected check: %v", err)
		}
	})

	t.Run("a batch with a key is recorded", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		screen := ids.New()
		b, shows := NewBatch("key-"+ids.New(), screen, Sample(screen, At(0, 8, 0)), Sample(screen, At(0, 4, 0)), Sample(screen, At(0, 12, 0)))
		if err := r.CreateBatch(ctx, screen, At(0, 4, 0), At(0, 14, 30), b, shows, pass); err != nil {
			t.Fatal(err)
		}
		if z := zeroFields(b); len(z) > 0 {
			t.Fatalf("the sample batch leaves %v zero", z)
		}
		got, err := r.BatchByKey(ctx, b.Key)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(b.CreatedAt) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("createdAt %v, want %v in UTC", got.CreatedAt, b.CreatedAt)
		}
		got.CreatedAt = b.CreatedAt
		if !reflect.DeepEqual(got, b) {
			t.Errorf("got  %+v\nwant %+v", got, b)
		}
		if _, err := r.BatchByKey(ctx, "unknown-"+ids.New()); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown key: got %v, want not found", err)
		}
	})

	t.Run("reusing a key is a conflict and stores nothing", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		screen, other := ids.New(), ids.New()
		key := "key-" + ids.New()
		first, firstShows := NewBatch(key, screen, Sample(screen, At(0, 4, 0)))
		if err := r.CreateBatch(ctx, screen, At(0, 4, 0), At(0, 6, 30), first, firstShows, pass); err != nil {
			t.Fatal(err)
		}
		for _, sc := range []string{screen, other} {
			second, secondShows := NewBatch(key, sc, Sample(sc, At(2, 4, 0)), Sample(sc, At(2, 8, 0)))
			err := r.CreateBatch(ctx, sc, At(2, 4, 0), At(2, 10, 30), second, secondShows, pass)
			if !errs.Is(err, errs.Conflict) {
				t.Fatalf("reused key: got %v, want conflict", err)
			}
			for _, s := range secondShows {
				if _, err := r.Get(ctx, s.ID); !errs.Is(err, errs.NotFound) {
					t.Errorf("show of a conflicting batch: got %v, want not found", err)
				}
			}
			if on, _ := r.OnScreen(ctx, sc, At(2, 0, 0), At(3, 0, 0)); len(on) != 0 {
				t.Errorf("%d shows stored by a conflicting batch", len(on))
			}
		}
		got, err := r.BatchByKey(ctx, key)
		if err != nil || got.ID != first.ID || !slices.Equal(got.ShowIDs, first.ShowIDs) || got.ScreenID != screen {
			t.Errorf("the key now names %+v (%v), want the first batch %+v", got, err, first)
		}
	})

	t.Run("an existing show id is a conflict and stores nothing", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		screen := ids.New()
		existing := Sample(screen, At(0, 4, 0))
		mustCreate(t, r, existing)
		clash := Sample(screen, At(3, 4, 0))
		clash.ID = existing.ID
		b, shows := NewBatch("key-"+ids.New(), screen, Sample(screen, At(2, 4, 0)), clash, Sample(screen, At(4, 4, 0)))
		err := r.CreateBatch(ctx, screen, At(2, 4, 0), At(4, 6, 30), b, shows, pass)
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("got %v, want conflict", err)
		}
		if _, err := r.BatchByKey(ctx, b.Key); !errs.Is(err, errs.NotFound) {
			t.Errorf("batch of a failed insert: got %v, want not found", err)
		}
		for _, s := range []show.Show{shows[0], shows[2]} {
			if _, err := r.Get(ctx, s.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("show of a failed batch: got %v, want not found", err)
			}
		}
		got, err := r.Get(ctx, existing.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffShow(got, existing); d != "" {
			t.Errorf("the existing show changed: %s", d)
		}
	})

	t.Run("get round-trips every field", func(t *testing.T) {
		t.Parallel()
		// The samples must set every field, so that a field added later is checked too.
		if z := zeroFields(Sample("screen", Day), "CancelledAt"); len(z) > 0 {
			t.Fatalf("showtest.Sample leaves %v zero: set them so that adapters are checked to store them", z)
		}
		r := repo(t)
		screen := ids.New()
		s := Span(Sample(screen, At(0, 13, 45)), At(0, 13, 45).Add(1500*time.Millisecond), At(0, 16, 20).Add(999*time.Millisecond))
		s.Language, s.Format, s.Currency, s.TimeZone = "Tamil", "IMAX 3D", "INR", "Asia/Kolkata"
		s.BasePrices = []show.CategoryPrice{{Category: "GOLD", Amount: 1}, {Category: "SILVER", Amount: 9_000_000_000}}
		s.SellableSeats = 7
		cancelled := Sample(screen, At(1, 4, 0))
		b, shows := NewBatch("", screen, s, cancelled)
		mustCreateBatch(t, r, b, shows...)
		at := time.Date(2026, 11, 30, 23, 59, 59, 987_000_000, ist)
		if _, _, err := r.Cancel(ctx, cancelled.ID, at); err != nil {
			t.Fatal(err)
		}
		wantCancelled := shows[1]
		wantCancelled.Status, wantCancelled.CancelledAt = show.StatusCancelled, at.UTC()
		for _, want := range []show.Show{shows[0], wantCancelled} {
			got, err := r.Get(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffShow(got, want); d != "" {
				t.Error(d)
			}
		}
		if _, err := r.Get(ctx, ids.New()); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown id: got %v, want not found", err)
		}
	})

	t.Run("get many returns the shows that exist", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		screen := ids.New()
		a, b, c := Sample(screen, At(0, 4, 0)), Sample(screen, At(0, 8, 0)), Sample(screen, At(0, 12, 0))
		mustCreate(t, r, a, b, c)
		if _, _, err := r.Cancel(ctx, c.ID, At(0, 1, 0)); err != nil {
			t.Fatal(err)
		}
		got, err := r.GetMany(ctx, []string{c.ID, ids.New(), a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if d := diffIDs(got, a.ID, c.ID); d != "" {
			t.Errorf("GetMany: %s", d)
		}
		for _, g := range got {
			if g.ID == a.ID {
				if d := diffShow(g, a); d != "" {
					t.Error(d)
				}
			}
		}
		for _, in := range [][]string{nil, {}, {ids.New()}} {
			if none, err := r.GetMany(ctx, in); err != nil || len(none) != 0 {
				t.Errorf("GetMany(%v): %d shows, %v", in, len(none), err)
			}
		}
	})

	t.Run("find filters and orders by start then id", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		f := newFixture()
		f.create(t, r)
		cases := []struct {
			name string
			q    show.Query
			want []show.Show
		}{
			{"movie", show.Query{MovieID: f.movie}, f.scheduled(f.movie, "", nil)},
			{"movie and city", show.Query{MovieID: f.movie, CityID: f.city}, f.scheduled(f.movie, f.city, nil)},
			{"city", show.Query{CityID: f.otherCity}, []show.Show{f.elsewhere}},
			{"theatres", show.Query{MovieID: f.movie, TheatreIDs: []string{f.theatre2}}, f.scheduled(f.movie, "", []string{f.theatre2})},
			{"several theatres", show.Query{TheatreIDs: []string{f.theatre1, f.theatre2, ids.New()}}, f.scheduled("", "", []string{f.theatre1, f.theatre2})},
			{"empty theatres selects none", show.Query{MovieID: f.movie, TheatreIDs: []string{}}, nil},
			{"local date", show.Query{MovieID: f.movie, LocalDate: "2026-12-02"}, []show.Show{f.d1Late, f.d2Morning}},
			{"language ignores case", show.Query{MovieID: f.movie, Language: "tAMIL"}, []show.Show{f.d1Tamil}},
			{"format", show.Query{MovieID: f.movie, Format: "IMAX 2D"}, []show.Show{f.d1Imax, f.d2Morning}},
			{"format is exact", show.Query{MovieID: f.movie, Format: "imax 2d"}, nil},
			{"starts strictly after", show.Query{MovieID: f.movie, CityID: f.city, StartsAfter: f.d1Imax.StartsAt}, []show.Show{f.d1Tamil, f.d1Late, f.d2Morning}},
			{"include cancelled", show.Query{MovieID: f.movie, CityID: f.city, IncludeCancelled: true}, f.all(f.movie, f.city)},
			{"combined", show.Query{MovieID: f.movie, CityID: f.city, TheatreIDs: []string{f.theatre1}, LocalDate: "2026-12-01", Language: "HINDI", Format: "2D", StartsAfter: At(0, 0, 0)}, []show.Show{f.d1Early}},
			{"no match", show.Query{MovieID: ids.New()}, nil},
		}
		for _, c := range cases {
			got, err := r.Find(ctx, c.q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if d := diffOrdered(got, c.want); d != "" {
				t.Errorf("%s: %s", c.name, d)
			}
		}
		got, err := r.Find(ctx, show.Query{MovieID: f.movie, LocalDate: "2026-12-01"})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range got {
			if g.ID == f.d1Early.ID {
				if d := diffShow(g, f.d1Early); d != "" {
					t.Errorf("found show: %s", d)
				}
			}
		}
	})

	t.Run("local dates of a movie in a city", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		f := newFixture()
		f.create(t, r)
		got, err := r.LocalDates(ctx, f.movie, f.city, Day)
		if err != nil {
			t.Fatal(err)
		}
		want := []show.DateSpan{{Date: "2026-12-01", LastStart: f.d1Tamil.StartsAt}, {Date: "2026-12-02", LastStart: f.d2Morning.StartsAt}}
		if d := diffDates(got, want); d != "" {
			t.Errorf("after the first day began: %s", d)
		}
		// Strictly after: a show starting exactly at t is left out.
		got, err = r.LocalDates(ctx, f.movie, f.city, f.d1Tamil.StartsAt)
		if err != nil {
			t.Fatal(err)
		}
		want = []show.DateSpan{{Date: "2026-12-02", LastStart: f.d2Morning.StartsAt}}
		if d := diffDates(got, want); d != "" {
			t.Errorf("after the last show of the first day: %s", d)
		}
		for _, c := range []struct{ movie, city string }{{f.movie, ids.New()}, {ids.New(), f.city}} {
			if got, err := r.LocalDates(ctx, c.movie, c.city, Day); err != nil || len(got) != 0 {
				t.Errorf("unknown movie or city: %v, %v", got, err)
			}
		}
	})

	t.Run("movie ids of a city", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		f := newFixture()
		f.create(t, r)
		check := func(city string, after time.Time, want ...string) {
			t.Helper()
			got, err := r.MovieIDs(ctx, city, after)
			if err != nil {
				t.Fatal(err)
			}
			got = slices.Clone(got)
			sort.Strings(got)
			sort.Strings(want)
			if len(got) != len(want) || (len(want) > 0 && !slices.Equal(got, want)) {
				t.Errorf("MovieIDs(%s, %v) = %v, want %v", city, after, got, want)
			}
		}
		check(f.city, Day, f.movie, f.otherMovie)
		check(f.city, f.other.StartsAt, f.movie) // strictly after
		check(f.city, At(5, 0, 0))
		check(f.otherCity, Day, f.movie)
		check(ids.New(), Day)
	})

	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		screen := ids.New()
		s := Sample(screen, At(1, 4, 0))
		keep := Sample(screen, At(1, 8, 0))
		keep.MovieID, keep.CityID = s.MovieID, s.CityID
		mustCreate(t, r, s, keep)
		first := time.Date(2026, 11, 30, 10, 0, 0, 250_000_000, time.UTC)
		got, changed, err := r.Cancel(ctx, s.ID, first.In(ist))
		if err != nil || !changed {
			t.Fatalf("first cancel: changed %v, %v", changed, err)
		}
		want := s
		want.Status, want.CancelledAt = show.StatusCancelled, first
		if d := diffShow(got, want); d != "" {
			t.Errorf("cancel returned: %s", d)
		}
		again, changed, err := r.Cancel(ctx, s.ID, first.Add(time.Hour))
		if err != nil || changed {
			t.Fatalf("second cancel: changed %v, %v", changed, err)
		}
		if d := diffShow(again, want); d != "" {
			t.Errorf("second cancel returned: %s", d)
		}
		stored, err := r.Get(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffShow(stored, want); d != "" {
			t.Errorf("stored after two cancels: %s", d)
		}
		if _, _, err := r.Cancel(ctx, ids.New(), first); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown show: got %v, want not found", err)
		}

		on, err := r.OnScreen(ctx, screen, Day, At(3, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if d := diffIDs(on, keep.ID); d != "" {
			t.Errorf("OnScreen: %s", d)
		}
		found, err := r.Find(ctx, show.Query{MovieID: s.MovieID})
		if err != nil {
			t.Fatal(err)
		}
		if d := diffIDs(found, keep.ID); d != "" {
			t.Errorf("Find: %s", d)
		}
		found, err = r.Find(ctx, show.Query{MovieID: s.MovieID, IncludeCancelled: true})
		if err != nil {
			t.Fatal(err)
		}
		if d := diffOrdered(found, []show.Show{want, keep}); d != "" {
			t.Errorf("Find including cancelled: %s", d)
		}
		// A screen can take a new show where a cancelled one was.
		b, shows := NewBatch("", screen, Span(Sample(screen, s.StartsAt), s.StartsAt, s.EndsAt))
		err = r.CreateBatch(ctx, screen, s.StartsAt, s.EndsAt, b, shows, func(existing []show.Show) error {
			if len(existing) != 0 {
				return fmt.Errorf("check saw %d shows, want none: the cancelled show is not in the way", len(existing))
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}

		if _, _, err := r.Cancel(ctx, keep.ID, first); err != nil {
			t.Fatal(err)
		}
		if dates, err := r.LocalDates(ctx, s.MovieID, s.CityID, Day); err != nil || len(dates) != 0 {
			t.Errorf("LocalDates of a movie whose shows are cancelled: %v, %v", dates, err)
		}
		if movies, err := r.MovieIDs(ctx, s.CityID, Day); err != nil || len(movies) != 0 {
			t.Errorf("MovieIDs of a city whose shows are cancelled: %v, %v", movies, err)
		}
	})

	t.Run("pricing rules", func(t *testing.T) {
		t.Parallel()
		if z := zeroFields(SampleRules()); len(z) > 0 {
			t.Fatalf("showtest.SampleRules leaves %v zero: set them so that adapters are checked to store them", z)
		}
		_, p := newRepos(t)
		theatre, other := ids.New(), ids.New()
		if _, err := p.Get(ctx, theatre); !errs.Is(err, errs.NotFound) {
			t.Fatalf("no rules yet: got %v, want not found", err)
		}
		full := SampleRules()
		if err := p.Put(ctx, theatre, full); err != nil {
			t.Fatal(err)
		}
		got, err := p.Get(ctx, theatre)
		if err != nil {
			t.Fatal(err)
		}
		if !sameRules(got, full) {
			t.Errorf("got  %+v\nwant %+v", got, full)
		}
		if _, err := p.Get(ctx, other); !errs.Is(err, errs.NotFound) {
			t.Errorf("another theatre: got %v, want not found", err)
		}

		// Put replaces the whole rules: nothing of the first ones is left.
		replacement := show.Rules{DayOfWeek: map[time.Weekday]int{time.Monday: -5}, RoundTo: 1}
		if err := p.Put(ctx, theatre, replacement); err != nil {
			t.Fatal(err)
		}
		if got, err := p.Get(ctx, theatre); err != nil || !sameRules(got, replacement) {
			t.Errorf("after replacing: got %+v, %v; want %+v", got, err, replacement)
		}
		if err := p.Put(ctx, other, show.DefaultRules()); err != nil {
			t.Fatal(err)
		}
		if got, err := p.Get(ctx, other); err != nil || !sameRules(got, show.DefaultRules()) {
			t.Errorf("default rules: got %+v, %v", got, err)
		}
		if got, _ := p.Get(ctx, theatre); !sameRules(got, replacement) {
			t.Errorf("another theatre's Put changed these rules: %+v", got)
		}

		// GetMany returns the rules of the theatres that have some, and nothing for the others.
		none := ids.New()
		many, err := p.GetMany(ctx, []string{theatre, none, other})
		if err != nil {
			t.Fatal(err)
		}
		if len(many) != 2 || !sameRules(many[theatre], replacement) || !sameRules(many[other], show.DefaultRules()) {
			t.Errorf("GetMany: got %+v", many)
		}
		if _, ok := many[none]; ok {
			t.Errorf("GetMany: a theatre without rules has %+v", many[none])
		}
		if many, err := p.GetMany(ctx, nil); err != nil || len(many) != 0 {
			t.Errorf("GetMany of no theatres: %v, %v", many, err)
		}
	})

	t.Run("concurrent batches on one screen", func(t *testing.T) {
		if !concurrencySafe {
			t.Skip("this adapter's test server is not atomic under concurrent writers (e.g. the embedded FerretDB); run against a real database to cover this")
		}
		t.Parallel()
		r := repo(t)
		screen := ids.New()
		errOverlap := errors.New("overlaps an existing show")
		const n = 20
		create := func(s show.Show, key string) error {
			b, shows := NewBatch(key, screen, s)
			return r.CreateBatch(ctx, screen, s.StartsAt, s.EndsAt, b, shows, func(existing []show.Show) error {
				for _, e := range existing {
					if show.Overlaps(e.StartsAt, e.EndsAt, s.StartsAt, s.EndsAt) {
						return errOverlap
					}
				}
				return nil
			})
		}
		run := func(mk func(i int) (show.Show, string)) []error {
			results := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, key := mk(i)
					<-start
					results[i] = create(s, key)
				}()
			}
			close(start)
			wg.Wait()
			return results
		}

		// Every show overlaps every other: exactly one may win.
		results := run(func(i int) (show.Show, string) {
			start := At(1, 10, 0).Add(time.Duration(i) * time.Minute)
			return Span(Sample(screen, start), start, start.Add(2*time.Hour)), "overlap-" + fmt.Sprint(i)
		})
		won := 0
		for i, err := range results {
			switch {
			case err == nil:
				won++
			case errors.Is(err, errOverlap), errs.Is(err, errs.Unavailable):
			default:
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		on, err := r.OnScreen(ctx, screen, At(1, 0, 0), At(2, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if won != 1 || len(on) != 1 {
			t.Fatalf("%d batches won and %d shows are on the screen, want exactly one of each", won, len(on))
		}

		// Shows that do not overlap all get in.
		results = run(func(i int) (show.Show, string) {
			start := At(3, 0, 0).Add(time.Duration(i) * 3 * time.Hour)
			return Span(Sample(screen, start), start, start.Add(3*time.Hour)), ""
		})
		for i, err := range results {
			if err != nil {
				t.Errorf("non-overlapping batch %d: %v", i, err)
			}
		}
		on, err = r.OnScreen(ctx, screen, At(3, 0, 0), At(3+n, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if len(on) != n {
			t.Fatalf("%d non-overlapping shows on the screen, want %d", len(on), n)
		}

		// One key raced on many screens: exactly one batch gets it.
		key := "raced-" + ids.New()
		results = make([]error, n)
		var wg sync.WaitGroup
		var screens []string
		for i := range n {
			sc := ids.New()
			screens = append(screens, sc)
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, shows := NewBatch(key, sc, Sample(sc, At(1, 10, 0)))
				results[i] = r.CreateBatch(ctx, sc, shows[0].StartsAt, shows[0].EndsAt, b, shows, pass)
			}()
		}
		wg.Wait()
		won, stored := 0, 0
		for i, err := range results {
			switch {
			case err == nil:
				won++
			case errs.Is(err, errs.Conflict):
			default:
				t.Errorf("key race %d: %v", i, err)
			}
			on, err := r.OnScreen(ctx, screens[i], At(1, 0, 0), At(2, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			stored += len(on)
		}
		if won != 1 || stored != 1 {
			t.Fatalf("%d batches won the key and %d shows were stored, want one of each", won, stored)
		}
	})
}

// fixture is a small catalogue of shows for the discovery queries. In city: theatre1 and theatre2;
// in otherCity: theatre3. Local dates are in Asia/Kolkata (UTC+5:30).
type fixture struct {
	movie, otherMovie, city, otherCity, theatre1, theatre2, theatre3 string

	d1Early   show.Show // movie, city, theatre1, 2026-12-01 09:30 IST, Hindi 2D
	d1Imax    show.Show // movie, city, theatre2, same start as d1Early, IMAX 2D
	d1Tamil   show.Show // movie, city, theatre1, 2026-12-01 21:30 IST, Tamil
	d1Late    show.Show // movie, city, theatre2, 2026-12-02 00:30 IST (still 2026-12-01 in UTC)
	d2Morning show.Show // movie, city, theatre2, 2026-12-02 10:30 IST, IMAX 2D
	cancelled show.Show // movie, city, theatre1, 2026-12-03: cancelled by the tests
	other     show.Show // otherMovie, city, theatre1, 2026-12-01
	elsewhere show.Show // movie, otherCity, theatre3, 2026-12-01
}

func newFixture() *fixture {
	f := &fixture{movie: ids.New(), otherMovie: ids.New(), city: ids.New(), otherCity: ids.New(),
		theatre1: ids.New(), theatre2: ids.New(), theatre3: ids.New()}
	mk := func(movie, city, theatre string, start time.Time) show.Show {
		s := Sample(ids.New(), start)
		s.MovieID, s.CityID, s.TheatreID = movie, city, theatre
		return s
	}
	f.d1Early = mk(f.movie, f.city, f.theatre1, At(0, 4, 0))
	f.d1Imax = mk(f.movie, f.city, f.theatre2, At(0, 4, 0))
	f.d1Imax.Format = "IMAX 2D"
	f.d1Tamil = mk(f.movie, f.city, f.theatre1, At(0, 16, 0))
	f.d1Tamil.Language = "Tamil"
	f.d1Late = mk(f.movie, f.city, f.theatre2, At(0, 19, 0))
	f.d2Morning = mk(f.movie, f.city, f.theatre2, At(1, 5, 0))
	f.d2Morning.Format = "IMAX 2D"
	f.cancelled = mk(f.movie, f.city, f.theatre1, At(2, 5, 0))
	f.other = mk(f.otherMovie, f.city, f.theatre1, At(0, 8, 0))
	f.elsewhere = mk(f.movie, f.otherCity, f.theatre3, At(0, 6, 0))
	return f
}

func (f *fixture) shows() []show.Show {
	return []show.Show{f.d1Early, f.d1Imax, f.d1Tamil, f.d1Late, f.d2Morning, f.cancelled, f.other, f.elsewhere}
}

// fixtureCancelledAt is when create cancels the fixture's cancelled show.
var fixtureCancelledAt = At(0, 1, 0)

// create stores the fixture's shows and cancels f.cancelled.
func (f *fixture) create(t *testing.T, r show.Repository) {
	t.Helper()
	mustCreate(t, r, f.shows()...)
	if _, _, err := r.Cancel(context.Background(), f.cancelled.ID, fixtureCancelledAt); err != nil {
		t.Fatal(err)
	}
}

// all returns the fixture's shows of movie in city (either empty: any), by start then id.
func (f *fixture) all(movie, city string) []show.Show {
	var out []show.Show
	for _, s := range f.shows() {
		if (movie == "" || s.MovieID == movie) && (city == "" || s.CityID == city) {
			if s.ID == f.cancelled.ID {
				s.Status, s.CancelledAt = show.StatusCancelled, fixtureCancelledAt
			}
			out = append(out, s)
		}
	}
	sortShows(out)
	return out
}

// scheduled is like all, without the cancelled show, restricted to theatres when not nil.
func (f *fixture) scheduled(movie, city string, theatres []string) []show.Show {
	var out []show.Show
	for _, s := range f.all(movie, city) {
		if s.Status == show.StatusScheduled && (theatres == nil || slices.Contains(theatres, s.TheatreID)) {
			out = append(out, s)
		}
	}
	return out
}

// mustCreate stores each show in its own batch without a key, one screen at a time.
func mustCreate(t *testing.T, r show.Repository, shows ...show.Show) {
	t.Helper()
	for _, s := range shows {
		b := show.Batch{ID: s.BatchID, ScreenID: s.ScreenID, ShowIDs: []string{s.ID}, CreatedAt: s.CreatedAt}
		mustCreateBatch(t, r, b, s)
	}
}

func mustCreateBatch(t *testing.T, r show.Repository, b show.Batch, shows ...show.Show) {
	t.Helper()
	from, to := shows[0].StartsAt, shows[0].EndsAt
	for _, s := range shows {
		if s.StartsAt.Before(from) {
			from = s.StartsAt
		}
		if s.EndsAt.After(to) {
			to = s.EndsAt
		}
	}
	if err := r.CreateBatch(context.Background(), b.ScreenID, from, to, b, shows, func([]show.Show) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func sortShows(s []show.Show) {
	sort.Slice(s, func(i, j int) bool {
		if !s[i].StartsAt.Equal(s[j].StartsAt) {
			return s[i].StartsAt.Before(s[j].StartsAt)
		}
		return s[i].ID < s[j].ID
	})
}

// diffShow describes how got differs from want; "" when they are the same. Times must be equal
// instants in UTC.
func diffShow(got, want show.Show) string {
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{{"StartsAt", got.StartsAt, want.StartsAt}, {"EndsAt", got.EndsAt, want.EndsAt},
		{"CreatedAt", got.CreatedAt, want.CreatedAt}, {"CancelledAt", got.CancelledAt, want.CancelledAt}} {
		if tm.want.IsZero() {
			if !tm.got.IsZero() {
				return fmt.Sprintf("show %s: %s is %v, want zero", want.ID, tm.name, tm.got)
			}
			continue
		}
		if !tm.got.Equal(tm.want) || tm.got.Location() != time.UTC {
			return fmt.Sprintf("show %s: %s is %v, want %v in UTC", want.ID, tm.name, tm.got, tm.want.UTC())
		}
	}
	g, w := got, want
	g.StartsAt, g.EndsAt, g.CreatedAt, g.CancelledAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	w.StartsAt, w.EndsAt, w.CreatedAt, w.CancelledAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if len(g.BasePrices) == 0 && len(w.BasePrices) == 0 {
		g.BasePrices, w.BasePrices = nil, nil
	}
	gv, wv := reflect.ValueOf(g), reflect.ValueOf(w)
	for i := range gv.NumField() {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			return fmt.Sprintf("show %s: %s is %+v, want %+v", want.ID, gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
	return ""
}

// diffOrdered compares shows and their order.
func diffOrdered(got, want []show.Show) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %d shows %v, want %d %v", len(got), idsOf(got), len(want), idsOf(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID {
			return fmt.Sprintf("got order %v, want %v", idsOf(got), idsOf(want))
		}
		if d := diffShow(got[i], want[i]); d != "" {
			return d
		}
	}
	return ""
}

// diffSet compares shows in any order.
func diffSet(got, want []show.Show) string {
	got, want = slices.Clone(got), slices.Clone(want)
	sortShows(got)
	sortShows(want)
	return diffOrdered(got, want)
}

// diffIDs compares the ids of shows, in any order.
func diffIDs(got []show.Show, want ...string) string {
	g := idsOf(got)
	sort.Strings(g)
	want = slices.Clone(want)
	sort.Strings(want)
	if !slices.Equal(g, want) {
		return fmt.Sprintf("got shows %v, want %v", g, want)
	}
	return ""
}

func idsOf(shows []show.Show) []string {
	out := make([]string, len(shows))
	for i, s := range shows {
		out[i] = s.ID
	}
	return out
}

func diffDates(got, want []show.DateSpan) string {
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = got[i].Date == want[i].Date && got[i].LastStart.Equal(want[i].LastStart) && got[i].LastStart.Location() == time.UTC
	}
	if !ok {
		return fmt.Sprintf("got %v, want %v", got, want)
	}
	return ""
}

// zeroFields returns the names of the fields of the struct v that hold their zero value, except
// those named in except.
func zeroFields(v any, except ...string) []string {
	rv := reflect.ValueOf(v)
	var out []string
	for i := range rv.NumField() {
		name := rv.Type().Field(i).Name
		if rv.Field(i).IsZero() && !slices.Contains(except, name) {
			out = append(out, name)
		}
	}
	return out
}

// sameRules compares rules, taking empty and nil maps and slices as the same.
func sameRules(a, b show.Rules) bool {
	norm := func(r show.Rules) show.Rules {
		if len(r.DayOfWeek) == 0 {
			r.DayOfWeek = nil
		}
		if len(r.TimeBands) == 0 {
			r.TimeBands = nil
		}
		if len(r.Occupancy) == 0 {
			r.Occupancy = nil
		}
		if len(r.LeadTime) == 0 {
			r.LeadTime = nil
		}
		if len(r.Limits) == 0 {
			r.Limits = nil
		}
		return r
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
