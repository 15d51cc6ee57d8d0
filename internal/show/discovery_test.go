package show_test

import (
	"context"
	"errors"
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

// programme is two cities' shows of two movies:
//
//	city A, theatre 1: movie 1 Hindi 2D 1 Apr 10:00, 14:00; English 3D 1 Apr 18:00; Hindi 2D 2 Apr 10:00
//	city A, theatre 2: movie 1 Hindi 2D 2 Apr 18:00; movie 2 Hindi 2D 3 Apr 10:00
//	city B, theatre 3: movie 1 Hindi 2D 1 Apr 10:00
type programme struct {
	*env
	cityA, cityB       string
	t1, t2, t3         venue
	m1, m2             show.MovieInfo
	a10, a14, a18, b10 show.Show // theatre 1: 1 Apr 10:00, 14:00, 18:00 (English 3D), 2 Apr 10:00
	b18, m2show, c10   show.Show // theatre 2: 2 Apr 18:00, movie 2 on 3 Apr; theatre 3: 1 Apr 10:00
}

func newProgramme(t *testing.T) *programme {
	t.Helper()
	p := &programme{env: newEnv(t), cityA: ids.New(), cityB: ids.New()}
	p.t1, p.t2, p.t3 = p.venue(p.cityA, kolkata), p.venue(p.cityA, kolkata), p.venue(p.cityB, kolkata)
	p.m1, p.m2 = p.movie(120), p.movie(120)
	ctx := adminCtx()
	// Scheduled out of date order on purpose.
	p.b10 = p.schedule(t, ctx, p.t1.req(p.m1, "2026-04-02", "2026-04-02", "10:00"))[0]
	day1 := p.schedule(t, ctx, p.t1.req(p.m1, "2026-04-01", "2026-04-01", "14:00", "10:00"))
	p.a10, p.a14 = day1[0], day1[1]
	english := p.t1.req(p.m1, "2026-04-01", "2026-04-01", "18:00")
	english.Language, english.Format = "English", "3D"
	p.a18 = p.schedule(t, ctx, english)[0]
	p.b18 = p.schedule(t, ctx, p.t2.req(p.m1, "2026-04-02", "2026-04-02", "18:00"))[0]
	p.m2show = p.schedule(t, ctx, p.t2.req(p.m2, "2026-04-03", "2026-04-03", "10:00"))[0]
	p.c10 = p.schedule(t, ctx, p.t3.req(p.m1, "2026-04-01", "2026-04-01", "10:00"))[0]
	return p
}

// inOrder sorts shows by start, then id: the order discovery returns.
func inOrder(shows ...show.Show) []string {
	s := slices.Clone(shows)
	sort.Slice(s, func(i, j int) bool {
		if !s[i].StartsAt.Equal(s[j].StartsAt) {
			return s[i].StartsAt.Before(s[j].StartsAt)
		}
		return s[i].ID < s[j].ID
	})
	return idsOf(s)
}

func TestShowtimes(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background() // discovery needs no identity
	for _, tc := range []struct {
		name string
		q    show.ShowtimesQuery
		want []string
	}{
		{"a city", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA}, inOrder(p.a10, p.a14, p.a18, p.b10, p.b18)},
		{"another city", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityB}, inOrder(p.c10)},
		{"every city", show.ShowtimesQuery{MovieID: p.m1.ID}, inOrder(p.a10, p.a14, p.a18, p.b10, p.b18, p.c10)},
		{"another movie", show.ShowtimesQuery{MovieID: p.m2.ID, CityID: p.cityA}, inOrder(p.m2show)},
		{"a movie without shows", show.ShowtimesQuery{MovieID: ids.New(), CityID: p.cityA}, nil},
		{"one theatre", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA, TheatreIDs: []string{p.t2.theatre.ID}}, inOrder(p.b18)},
		{"theatres across cities", show.ShowtimesQuery{MovieID: p.m1.ID, TheatreIDs: []string{p.t3.theatre.ID, p.t1.theatre.ID}},
			inOrder(p.a10, p.a14, p.a18, p.b10, p.c10)},
		{"a theatre outside the city", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA, TheatreIDs: []string{p.t3.theatre.ID}}, nil},
		{"no theatres near", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA, TheatreIDs: []string{}}, nil},
		{"a date", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA, Date: "2026-04-02"}, inOrder(p.b10, p.b18)},
		{"a date without shows", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA, Date: "2026-04-03"}, nil},
		{"a language, any case", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA, Language: "eNGLISH"}, inOrder(p.a18)},
		{"a language in the catalogue's case", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA, Language: "Hindi"},
			inOrder(p.a10, p.a14, p.b10, p.b18)},
		{"a format, any case", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA, Format: "3d"}, inOrder(p.a18)},
		{"another format", show.ShowtimesQuery{MovieID: p.m1.ID, Format: "2D"}, inOrder(p.a10, p.a14, p.b10, p.b18, p.c10)},
		{"a format nobody shows", show.ShowtimesQuery{MovieID: p.m1.ID, Format: "IMAX 3D"}, nil},
		{"everything at once", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA, TheatreIDs: []string{p.t1.theatre.ID, p.t2.theatre.ID},
			Date: "2026-04-01", Language: "hindi", Format: "2d"}, inOrder(p.a10, p.a14)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := p.svc.Showtimes(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(idsOf(got), tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("got %v, want %v", idsOf(got), tc.want)
			}
		})
	}

	for _, tc := range []struct {
		name  string
		q     show.ShowtimesQuery
		field string
	}{
		{"a malformed movie id", show.ShowtimesQuery{MovieID: "m1"}, "movieId"},
		{"a malformed city id", show.ShowtimesQuery{MovieID: p.m1.ID, CityID: "mumbai"}, "cityId"},
		{"a malformed date", show.ShowtimesQuery{MovieID: p.m1.ID, Date: "01/04/2026"}, "date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.svc.Showtimes(ctx, tc.q)
			wantInvalid(t, err, tc.field)
		})
	}
}

func TestShowtimesExcludePastAndCancelled(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	q := show.ShowtimesQuery{MovieID: p.m1.ID, CityID: p.cityA}
	check := func(t *testing.T, want ...show.Show) {
		t.Helper()
		got, err := p.svc.Showtimes(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if w := inOrder(want...); !slices.Equal(idsOf(got), w) && !(len(got) == 0 && len(w) == 0) {
			t.Errorf("got %v, want %v", idsOf(got), w)
		}
	}
	p.clock.Set(istAt("2026-04-01", "09:59"))
	check(t, p.a10, p.a14, p.a18, p.b10, p.b18)
	p.clock.Set(istAt("2026-04-01", "10:00")) // a show that starts now is no longer listed
	check(t, p.a14, p.a18, p.b10, p.b18)
	if _, err := p.svc.Cancel(theatreAdminCtx(p.t1.theatre.ID), p.a18.ID); err != nil {
		t.Fatal(err)
	}
	check(t, p.a14, p.b10, p.b18)
	p.clock.Set(istAt("2026-04-02", "18:00"))
	check(t)

	// The cancelled show is still there to look at.
	got, err := p.svc.Get(ctx, p.a18.ID)
	if err != nil || got.Status != show.StatusCancelled {
		t.Errorf("Get of a cancelled show: %+v, %v", got, err)
	}
}

func TestShowDates(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	check := func(t *testing.T, movieID, cityID string, want ...string) {
		t.Helper()
		got, err := p.svc.ShowDates(ctx, movieID, cityID)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("ShowDates = %#v, want %q", got, want)
		}
	}

	check(t, p.m1.ID, p.cityA, "2026-04-01", "2026-04-02")
	check(t, p.m1.ID, p.cityB, "2026-04-01")
	check(t, p.m2.ID, p.cityA, "2026-04-03")
	check(t, p.m2.ID, p.cityB)
	check(t, ids.New(), p.cityA)

	// Behind the service's back: the cached answer stands although the store has changed.
	sneaked := p.b10
	sneaked.ID, sneaked.BatchID = ids.New(), ids.New()
	sneaked.StartsAt, sneaked.EndsAt = istAt("2026-04-05", "10:00"), istAt("2026-04-05", "12:15")
	sneaked.LocalDate = "2026-04-05"
	err := p.store.Shows.CreateBatch(ctx, sneaked.ScreenID, sneaked.StartsAt, sneaked.EndsAt,
		show.Batch{ID: sneaked.BatchID, ScreenID: sneaked.ScreenID, ShowIDs: []string{sneaked.ID}, CreatedAt: t0},
		[]show.Show{sneaked}, func([]show.Show) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if spans, err := p.store.Shows.LocalDates(ctx, p.m1.ID, p.cityA, p.clock.Now()); err != nil || len(spans) != 3 {
		t.Fatalf("the store has %d dates (%v), want 3", len(spans), err)
	}
	check(t, p.m1.ID, p.cityA, "2026-04-01", "2026-04-02")

	// Scheduling through the service invalidates at once.
	added := p.schedule(t, adminCtx(), p.t2.req(p.m1, "2026-04-07", "2026-04-07", "10:00"))
	check(t, p.m1.ID, p.cityA, "2026-04-01", "2026-04-02", "2026-04-05", "2026-04-07")
	check(t, p.m1.ID, p.cityB, "2026-04-01")

	// So does cancelling: a date vanishes with its last show, and not before.
	if _, err := p.svc.Cancel(adminCtx(), added[0].ID); err != nil {
		t.Fatal(err)
	}
	check(t, p.m1.ID, p.cityA, "2026-04-01", "2026-04-02", "2026-04-05")
	if _, err := p.svc.Cancel(adminCtx(), p.b10.ID); err != nil {
		t.Fatal(err)
	}
	check(t, p.m1.ID, p.cityA, "2026-04-01", "2026-04-02", "2026-04-05")
	if _, err := p.svc.Cancel(adminCtx(), p.b18.ID); err != nil {
		t.Fatal(err)
	}
	check(t, p.m1.ID, p.cityA, "2026-04-01", "2026-04-05")
	if _, err := p.svc.Cancel(adminCtx(), p.c10.ID); err != nil {
		t.Fatal(err)
	}
	check(t, p.m1.ID, p.cityB)

	t.Run("invalid ids", func(t *testing.T) {
		_, err := p.svc.ShowDates(ctx, "m1", p.cityA)
		wantInvalid(t, err, "movieId")
		_, err = p.svc.ShowDates(ctx, p.m1.ID, "")
		wantInvalid(t, err, "cityId")
	})
}

func TestShowDatesDropStartedDatesWhileCached(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	dates := func() []string {
		t.Helper()
		got, err := p.svc.ShowDates(ctx, p.m1.ID, p.cityA)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := dates(); !slices.Equal(got, []string{"2026-04-01", "2026-04-02"}) {
		t.Fatalf("dates %v", got)
	}
	// A show added behind the service's back shows whether the cached answer was used.
	sneaked := p.b18
	sneaked.ID, sneaked.BatchID, sneaked.ScreenID = ids.New(), ids.New(), ids.New()
	sneaked.StartsAt, sneaked.EndsAt, sneaked.LocalDate = istAt("2026-04-04", "10:00"), istAt("2026-04-04", "12:15"), "2026-04-04"
	if err := p.store.Shows.CreateBatch(ctx, sneaked.ScreenID, sneaked.StartsAt, sneaked.EndsAt,
		show.Batch{ID: sneaked.BatchID, ScreenID: sneaked.ScreenID, ShowIDs: []string{sneaked.ID}, CreatedAt: t0},
		[]show.Show{sneaked}, func([]show.Show) error { return nil }); err != nil {
		t.Fatal(err)
	}

	for _, step := range []struct {
		now  time.Time
		want []string
	}{
		{istAt("2026-04-01", "10:00"), []string{"2026-04-01", "2026-04-02"}}, // the first show of the day has begun
		{istAt("2026-04-01", "17:59"), []string{"2026-04-01", "2026-04-02"}}, // the last (18:00) has not
		{istAt("2026-04-01", "18:00"), []string{"2026-04-02"}},
		{istAt("2026-04-02", "17:59"), []string{"2026-04-02"}},
		{istAt("2026-04-02", "18:00"), []string{}},
	} {
		p.clock.Set(step.now)
		if got := dates(); !slices.Equal(got, step.want) {
			t.Errorf("at %v: dates %v, want %v (from the cache, without 2026-04-04)", step.now, got, step.want)
		}
	}
}

func TestMoviesInCity(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	ctx := context.Background()
	check := func(t *testing.T, cityID string, want ...string) {
		t.Helper()
		got, err := p.svc.MoviesInCity(ctx, cityID)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(want)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("MoviesInCity = %v, want %v", got, want)
		}
	}
	check(t, p.cityA, p.m1.ID, p.m2.ID)
	check(t, p.cityB, p.m1.ID)
	check(t, ids.New())

	if _, err := p.svc.Cancel(adminCtx(), p.c10.ID); err != nil {
		t.Fatal(err)
	}
	check(t, p.cityB)
	p.clock.Set(istAt("2026-04-02", "17:59"))
	check(t, p.cityA, p.m1.ID, p.m2.ID)
	p.clock.Set(istAt("2026-04-02", "18:00"))
	check(t, p.cityA, p.m2.ID)

	_, err := p.svc.MoviesInCity(ctx, "mumbai")
	wantInvalid(t, err, "cityId")
}

// hookLog records cancel hooks.
type hookLog struct {
	mu    sync.Mutex
	calls []show.Show
}

func (h *hookLog) hook(_ context.Context, s show.Show) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, s)
	return nil
}

func (h *hookLog) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.calls)
}

func TestCancel(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	var first, second hookLog
	p.svc.OnCancel(first.hook)
	p.svc.OnCancel(second.hook)
	manager := theatreAdminCtx(p.t1.theatre.ID)

	for _, tc := range []struct {
		name string
		ctx  context.Context
		want errs.Code
	}{
		{"no identity", context.Background(), errs.Unauthenticated},
		{"a customer", customerCtx(), errs.Forbidden},
		{"an admin of another theatre", theatreAdminCtx(p.t2.theatre.ID, p.t3.theatre.ID), errs.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.svc.Cancel(tc.ctx, p.a10.ID)
			wantCode(t, err, tc.want)
			if got, _ := p.svc.Get(context.Background(), p.a10.ID); got.Status != show.StatusScheduled {
				t.Errorf("a refused cancel left the show %s", got.Status)
			}
		})
	}
	if n := first.count(); n != 0 {
		t.Fatalf("refused cancels ran hooks %d times", n)
	}

	p.clock.Advance(time.Hour)
	cancelledAt := p.clock.Now()
	got, err := p.svc.Cancel(manager, p.a10.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := p.a10
	want.Status, want.CancelledAt = show.StatusCancelled, cancelledAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Cancel returned\n %+v\nwant %+v", got, want)
	}
	if stored, _ := p.svc.Get(context.Background(), p.a10.ID); !reflect.DeepEqual(stored, want) {
		t.Errorf("stored %+v", stored)
	}
	for _, h := range []*hookLog{&first, &second} {
		if h.count() != 1 || !reflect.DeepEqual(h.calls[0], want) {
			t.Errorf("hook calls %+v, want one with the cancelled show", h.calls)
		}
	}

	// Again, later: nothing changes and no hook runs.
	p.clock.Advance(time.Hour)
	again, err := p.svc.Cancel(manager, p.a10.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, want) {
		t.Errorf("second Cancel returned %+v, want %+v", again, want)
	}
	if first.count() != 1 || second.count() != 1 {
		t.Errorf("hooks ran %d and %d times, want once each", first.count(), second.count())
	}

	// An admin may cancel anywhere.
	if _, err := p.svc.Cancel(adminCtx(), p.c10.ID); err != nil {
		t.Fatal(err)
	}
	if first.count() != 2 || first.calls[1].ID != p.c10.ID {
		t.Errorf("hook calls after a second cancellation: %d", first.count())
	}

	_, err = p.svc.Cancel(manager, ids.New())
	wantCode(t, err, errs.NotFound)
	_, err = p.svc.Cancel(manager, "show-1")
	wantInvalid(t, err, "id")
	if first.count() != 2 {
		t.Errorf("failed cancels ran hooks")
	}
}

func TestCancelHookError(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	boom := errors.New("refunds are down")
	var calls int
	p.svc.OnCancel(func(context.Context, show.Show) error { calls++; return boom })
	_, err := p.svc.Cancel(adminCtx(), p.a14.ID)
	if !errors.Is(err, boom) {
		t.Fatalf("Cancel = %v, want the hook's error", err)
	}
	if got, _ := p.svc.Get(context.Background(), p.a14.ID); got.Status != show.StatusCancelled {
		t.Errorf("the show is %s after a failing hook, want cancelled", got.Status)
	}
	if _, err := p.svc.Cancel(adminCtx(), p.a14.ID); err != nil || calls != 1 {
		t.Errorf("second Cancel: %v, hook calls %d, want 1", err, calls)
	}
}

// slowReads is a show.Repository whose reads take a while, as over a network: it widens the
// window between a caller reading a show and acting on what it read.
type slowReads struct {
	show.Repository
	delay time.Duration
}

func (r slowReads) Get(ctx context.Context, id string) (show.Show, error) {
	s, err := r.Repository.Get(ctx, id)
	time.Sleep(r.delay)
	return s, err
}

// TestCancelConcurrent: however many callers race to cancel a show, it is cancelled once and its
// hooks run once.
func TestCancelConcurrent(t *testing.T) {
	t.Parallel()
	p := newProgramme(t)
	svc := p.serviceOn(slowReads{Repository: p.store.Shows, delay: 2 * time.Millisecond})
	var log hookLog
	svc.OnCancel(log.hook)
	const n = 16
	gate := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]show.Show, n)
	failures := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-gate
			results[i], failures[i] = svc.Cancel(theatreAdminCtx(p.t1.theatre.ID), p.a14.ID)
		})
	}
	close(gate)
	wg.Wait()
	for i := range n {
		if failures[i] != nil {
			t.Fatalf("cancel %d: %v", i, failures[i])
		}
		if results[i].Status != show.StatusCancelled || !results[i].CancelledAt.Equal(results[0].CancelledAt) {
			t.Errorf("cancel %d returned %s at %v", i, results[i].Status, results[i].CancelledAt)
		}
	}
	if c := log.count(); c != 1 {
		t.Errorf("hooks ran %d times for one cancellation, want 1", c)
	}
}

func TestPrice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	plain := e.venue(v.theatre.CityID, kolkata) // keeps the default rules
	m := e.movie(120)
	manager := theatreAdminCtx(v.theatre.ID)
	prices := []show.CategoryPrice{{Category: "GOLD", Amount: 28750}, {Category: "SILVER", Amount: 20000}}
	req := func(v venue, date, hhmm string) show.ScheduleRequest {
		r := v.req(m, date, date, hhmm)
		r.Prices = prices
		return r
	}
	// 01:00 on Saturday 4 April in India is still Friday in UTC.
	saturday := e.schedule(t, manager, req(v, "2026-04-04", "01:00"))[0]
	monday := e.schedule(t, manager, req(v, "2026-04-06", "19:00"))[0]
	other := e.schedule(t, adminCtx(), req(plain, "2026-04-04", "01:00"))[0]

	type row struct {
		gold, silver int64
		available    int
	}
	check := func(t *testing.T, s show.Show, w row) {
		t.Helper()
		got, err := e.svc.Price(context.Background(), []show.Show{s})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0].Show, s) {
			t.Fatalf("Price returned %+v", got)
		}
		want := show.Priced{Show: s, AvailableSeats: w.available,
			Prices: []show.CategoryPrice{{Category: "GOLD", Amount: w.gold}, {Category: "SILVER", Amount: w.silver}}}
		if !reflect.DeepEqual(got[0], want) {
			t.Errorf("%s %s: prices %+v, %d seats; want %+v, %d seats", s.LocalDate, s.LocalTime,
				got[0].Prices, got[0].AvailableSeats, want.Prices, want.AvailableSeats)
		}
	}

	t.Run("defaults round to 500", func(t *testing.T) {
		check(t, saturday, row{29000, 20000, 120})
		check(t, monday, row{29000, 20000, 120})
	})

	rules := show.Rules{
		RoundTo:   500,
		DayOfWeek: map[time.Weekday]int{time.Saturday: 10},
		TimeBands: []show.TimeBand{{Name: "prime", From: 18 * 60, To: 22 * 60, Percent: 20}},
		Occupancy: []show.OccupancyTier{{AboveFraction: 0.75, Percent: 30}, {AboveFraction: 0.5, Percent: 10}},
		LeadTime:  []show.LeadTimeRule{{Within: 2 * time.Hour, Percent: 50}},
		Limits:    map[string]show.Limit{"SILVER": {Ceiling: 27000}},
	}
	t.Run("SetRules", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			ctx  context.Context
			id   string
			r    show.Rules
			want errs.Code
		}{
			{"no identity", context.Background(), v.theatre.ID, rules, errs.Unauthenticated},
			{"a customer", customerCtx(), v.theatre.ID, rules, errs.Forbidden},
			{"an admin of another theatre", theatreAdminCtx(plain.theatre.ID), v.theatre.ID, rules, errs.Forbidden},
			{"an unknown theatre", adminCtx(), ids.New(), rules, errs.NotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.SetRules(tc.ctx, tc.id, tc.r)
				wantCode(t, err, tc.want)
			})
		}
		_, err := e.svc.SetRules(manager, "theatre-1", rules)
		wantInvalid(t, err, "theatreId")
		bad := rules
		bad.TimeBands = []show.TimeBand{{From: 600, To: 600}}
		_, err = e.svc.SetRules(manager, v.theatre.ID, bad)
		wantInvalid(t, err, "timeBands[0]")
		if got, err := e.svc.RulesOf(context.Background(), v.theatre.ID); err != nil || !reflect.DeepEqual(got, show.DefaultRules()) {
			t.Fatalf("rules after refused changes: %+v, %v; want the defaults", got, err)
		}
		check(t, saturday, row{29000, 20000, 120})

		stored, err := e.svc.SetRules(manager, v.theatre.ID, rules)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(stored, rules) {
			t.Errorf("SetRules returned %+v", stored)
		}
		if got, err := e.svc.RulesOf(context.Background(), v.theatre.ID); err != nil || !reflect.DeepEqual(got, rules) {
			t.Errorf("RulesOf after a round trip through the store: %+v, %v", got, err)
		}
	})

	t.Run("the theatre's rules apply", func(t *testing.T) {
		// Saturday, local time: +10 %. 28750 × 1.1 = 31625 → 31500.
		check(t, saturday, row{31500, 22000, 120})
		// Monday 19:00: prime time +20 %.
		check(t, monday, row{34500, 24000, 120})
		// Another theatre's show in the same call keeps the defaults.
		got, err := e.svc.Price(context.Background(), []show.Show{saturday, other, monday})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID != saturday.ID || got[1].ID != other.ID || got[2].ID != monday.ID {
			t.Fatalf("Price returned %d shows, not in the order asked", len(got))
		}
		if got[0].Prices[0].Amount != 31500 || got[1].Prices[0].Amount != 29000 || got[2].Prices[0].Amount != 34500 {
			t.Errorf("GOLD prices %d, %d, %d; want 31500, 29000, 34500", got[0].Prices[0].Amount, got[1].Prices[0].Amount, got[2].Prices[0].Amount)
		}
	})

	t.Run("occupancy raises prices and lowers available seats", func(t *testing.T) {
		for _, tc := range []struct {
			counts show.SeatCounts
			want   row
		}{
			{show.SeatCounts{Held: 30, Booked: 30}, row{31500, 22000, 60}}, // exactly half: no tier
			{show.SeatCounts{Held: 30, Booked: 31}, row{34500, 24000, 59}}, // above half: +10 more
			{show.SeatCounts{Held: 0, Booked: 90}, row{34500, 24000, 30}},  // exactly three quarters
			{show.SeatCounts{Held: 40, Booked: 51}, row{40500, 27000, 29}}, // +30, not +40; SILVER at its ceiling
			{show.SeatCounts{Held: 0, Booked: 120}, row{40500, 27000, 0}},  // sold out
			{show.SeatCounts{Held: 10, Booked: 125}, row{40500, 27000, 0}}, // over-sold: never negative
			{show.SeatCounts{}, row{31500, 22000, 120}},                    // empty again
		} {
			e.occ.set(saturday.ID, tc.counts)
			check(t, saturday, tc.want)
		}
		// Other shows are unaffected by the saturday show's counts.
		check(t, monday, row{34500, 24000, 120})
	})

	t.Run("lead time follows the clock", func(t *testing.T) {
		defer e.clock.Set(t0)
		e.clock.Set(monday.StartsAt.Add(-2*time.Hour - time.Minute))
		check(t, monday, row{34500, 24000, 120})
		e.clock.Set(monday.StartsAt.Add(-2 * time.Hour))
		// +20 + 50 = +70 %: 28750 × 1.7 = 48875 → 49000; SILVER 34000 → ceiling 27000.
		check(t, monday, row{49000, 27000, 120})
		e.clock.Set(monday.StartsAt.Add(time.Minute))
		check(t, monday, row{34500, 24000, 120})
	})

	t.Run("changed rules apply at once", func(t *testing.T) {
		if _, err := e.svc.SetRules(adminCtx(), v.theatre.ID, show.Rules{RoundTo: 1000}); err != nil {
			t.Fatal(err)
		}
		check(t, saturday, row{29000, 20000, 120})
		check(t, monday, row{29000, 20000, 120})
	})

	t.Run("an occupancy failure fails pricing", func(t *testing.T) {
		boom := errors.New("booking service down")
		e.occ.mu.Lock()
		e.occ.err = boom
		e.occ.mu.Unlock()
		defer func() {
			e.occ.mu.Lock()
			e.occ.err = nil
			e.occ.mu.Unlock()
		}()
		if _, err := e.svc.Price(context.Background(), []show.Show{saturday}); !errors.Is(err, boom) {
			t.Errorf("Price = %v, want the occupancy error", err)
		}
	})
}
