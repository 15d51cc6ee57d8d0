package show_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/show"
)

const kolkata = "Asia/Kolkata"

func TestScheduleBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	city := ids.New()
	v := e.venue(city, kolkata)
	m := e.movie(150)
	r := v.req(m, "2026-04-01", "2026-04-30", "20:30", "10:00", "17:00", "13:30")
	r.Language = " hindi "
	r.Format = " 2d "
	r.Prices = []show.CategoryPrice{{Category: " silver", Amount: 20000}, {Category: "gold ", Amount: 30000}}
	created := e.schedule(t, theatreAdminCtx(v.theatre.ID), r)

	if len(created) != 120 {
		t.Fatalf("created %d shows, want 30 days × 4 = 120", len(created))
	}
	busy := (150 + 15) * time.Minute
	batchID := created[0].BatchID
	if !ids.Valid(batchID) {
		t.Fatalf("batch id %q is not an id", batchID)
	}
	seen := map[string]bool{}
	i := 0
	for day := 1; day <= 30; day++ {
		date := fmt.Sprintf("2026-04-%02d", day)
		for _, hhmm := range []string{"10:00", "13:30", "17:00", "20:30"} {
			got := created[i]
			i++
			start := istAt(date, hhmm)
			want := show.Show{ID: got.ID, MovieID: m.ID, TheatreID: v.theatre.ID, ScreenID: v.screen.ID, CityID: city,
				StartsAt: start, EndsAt: start.Add(busy), RuntimeMinutes: 150, LocalDate: date, LocalTime: hhmm, TimeZone: kolkata,
				Language: "Hindi", Format: "2D", Currency: "INR",
				BasePrices:    []show.CategoryPrice{{Category: "GOLD", Amount: 30000}, {Category: "SILVER", Amount: 20000}},
				SellableSeats: 120, Status: show.StatusScheduled, BatchID: batchID, CreatedAt: t0}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("show %d:\n got %+v\nwant %+v", i-1, got, want)
			}
			if got.StartsAt.Location() != time.UTC {
				t.Errorf("show %d starts in %v, want UTC", i-1, got.StartsAt.Location())
			}
			if !ids.Valid(got.ID) || seen[got.ID] {
				t.Fatalf("show %d has a bad or repeated id %q", i-1, got.ID)
			}
			seen[got.ID] = true
		}
	}
	// 10:00 in India is 04:30 UTC.
	if got, want := created[0].StartsAt, time.Date(2026, 4, 1, 4, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("first show starts at %v, want %v", got, want)
	}
	if got, want := created[119].EndsAt, time.Date(2026, 4, 30, 17, 45, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("last show ends at %v, want %v (20:30 IST + 150 + 15 minutes)", got, want)
	}

	stored := e.stored(t)
	if !reflect.DeepEqual(stored, created) {
		t.Errorf("stored shows differ from the created ones: %d stored", len(stored))
	}
	dates, err := e.svc.ShowDates(context.Background(), m.ID, city)
	if err != nil {
		t.Fatal(err)
	}
	if len(dates) != 30 || dates[0] != "2026-04-01" || dates[29] != "2026-04-30" {
		t.Errorf("ShowDates = %v, want the 30 days of April", dates)
	}
}

func TestScheduleDaysOfWeek(t *testing.T) {
	t.Parallel()
	// April 2026 starts on a Wednesday.
	for _, tc := range []struct {
		name string
		days []int
		want []time.Weekday
	}{
		{"every day", nil, []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}},
		{"7 is Sunday", []int{7}, []time.Weekday{time.Sunday}},
		{"1 is Monday", []int{1}, []time.Weekday{time.Monday}},
		{"weekend", []int{6, 7}, []time.Weekday{time.Saturday, time.Sunday}},
		{"Monday, Wednesday, Friday, unordered and repeated", []int{5, 1, 3, 1}, []time.Weekday{time.Monday, time.Wednesday, time.Friday}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			v := e.venue(ids.New(), kolkata)
			r := v.req(e.movie(120), "2026-04-01", "2026-04-30", "11:00")
			r.DaysOfWeek = tc.days
			created := e.schedule(t, adminCtx(), r)
			var want []string
			for d := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC); d.Month() == time.April; d = d.AddDate(0, 0, 1) {
				if slices.Contains(tc.want, d.Weekday()) {
					want = append(want, d.Format(time.DateOnly))
				}
			}
			var got []string
			for _, s := range created {
				got = append(got, s.LocalDate)
				if wd := s.StartsAt.In(ist).Weekday(); !slices.Contains(tc.want, wd) {
					t.Errorf("show on %s is a %s", s.LocalDate, wd)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("dates %v, want %v", got, want)
			}
			if n := len(e.stored(t)); n != len(want) {
				t.Errorf("stored %d shows, want %d", n, len(want))
			}
		})
	}

	t.Run("days that select no date", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		v := e.venue(ids.New(), kolkata)
		r := v.req(e.movie(120), "2026-04-01", "2026-04-01", "11:00") // a Wednesday
		r.DaysOfWeek = []int{1, 2}
		_, err := e.svc.Schedule(adminCtx(), r)
		wantInvalid(t, err, "daysOfWeek")
	})
}

// wantConflicts compares conflicts by date, start time and reason, in order.
func wantConflicts(t *testing.T, got []show.Conflict, want ...show.Conflict) {
	t.Helper()
	key := func(c show.Conflict) string { return c.Date + " " + c.StartTime + " " + string(c.Reason) }
	var g, w []string
	for _, c := range got {
		g = append(g, key(c))
		if c.Message == "" {
			t.Errorf("conflict %s has no message", key(c))
		}
	}
	for _, c := range want {
		w = append(w, key(c))
	}
	if !slices.Equal(g, w) {
		t.Fatalf("conflicts\n got %q\nwant %q", g, w)
	}
}

func TestScheduleOverlapWithExisting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	m := e.movie(150) // busy for 165 minutes
	ctx := theatreAdminCtx(v.theatre.ID)
	afternoon := e.schedule(t, ctx, v.req(m, "2026-04-10", "2026-04-11", "14:00")) // busy until 16:45
	morning := e.schedule(t, ctx, v.req(m, "2026-04-12", "2026-04-12", "09:00"))   // busy until 11:45
	before := sortedIDs(e.stored(t))

	other := e.movie(150)
	r := v.req(other, "2026-04-09", "2026-04-12", "10:30", "15:00")
	res, err := e.svc.Schedule(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 0 {
		t.Errorf("created %d shows of a rejected batch", len(res.Created))
	}
	wantConflicts(t, res.Conflicts,
		show.Conflict{Date: "2026-04-10", StartTime: "15:00", Reason: show.ReasonOverlap},
		show.Conflict{Date: "2026-04-11", StartTime: "15:00", Reason: show.ReasonOverlap},
		show.Conflict{Date: "2026-04-12", StartTime: "10:30", Reason: show.ReasonOverlap})
	for i, clash := range []show.Show{afternoon[0], afternoon[1], morning[0]} {
		c := res.Conflicts[i]
		if c.ClashesWith == nil {
			t.Fatalf("conflict %d names no show", i)
		}
		if c.ClashesWith.ID != clash.ID || !c.ClashesWith.StartsAt.Equal(clash.StartsAt) || c.ClashesWith.MovieID != m.ID {
			t.Errorf("conflict %d clashes with %s at %v, want %s at %v", i, c.ClashesWith.ID, c.ClashesWith.StartsAt, clash.ID, clash.StartsAt)
		}
	}
	if !strings.Contains(res.Conflicts[0].Message, "16:45") {
		t.Errorf("message %q does not say when the screen is free (16:45 local)", res.Conflicts[0].Message)
	}
	if after := sortedIDs(e.stored(t)); !slices.Equal(after, before) {
		t.Errorf("a rejected batch changed the stored shows: %d before, %d after", len(before), len(after))
	}

	t.Run("another screen of the theatre is free", func(t *testing.T) {
		r := r
		r.ScreenID = e.screen(v.theatre.ID).ID
		if got := e.schedule(t, ctx, r); len(got) != 8 {
			t.Errorf("created %d shows on another screen, want 8", len(got))
		}
	})
	t.Run("a cancelled show is not in the way", func(t *testing.T) {
		if _, err := e.svc.Cancel(ctx, morning[0].ID); err != nil {
			t.Fatal(err)
		}
		if got := e.schedule(t, ctx, v.req(other, "2026-04-12", "2026-04-12", "10:30")); len(got) != 1 {
			t.Errorf("created %d shows, want 1", len(got))
		}
	})
}

func TestScheduleTouchingShows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	m := e.movie(150)
	ctx := adminCtx()
	existing := e.schedule(t, ctx, v.req(m, "2026-04-10", "2026-04-10", "10:00")) // busy 10:00–12:45
	for _, tc := range []struct {
		time    string
		overlap bool
	}{
		{"07:15", false}, // busy 07:15–10:00: ends as the existing show begins
		{"12:45", false}, // begins as the existing show ends
		{"07:16", true},
		{"12:44", true},
		{"10:00", true},
		{"11:00", true},
	} {
		t.Run(tc.time, func(t *testing.T) {
			r := v.req(m, "2026-04-10", "2026-04-10", tc.time)
			r.DryRun = true
			res, err := e.svc.Schedule(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if tc.overlap {
				wantConflicts(t, res.Conflicts, show.Conflict{Date: "2026-04-10", StartTime: tc.time, Reason: show.ReasonOverlap})
				if res.Conflicts[0].ClashesWith == nil || res.Conflicts[0].ClashesWith.ID != existing[0].ID {
					t.Errorf("conflict does not name the existing show")
				}
				return
			}
			wantConflicts(t, res.Conflicts)
			if len(res.Created) != 1 {
				t.Errorf("would create %d shows, want 1", len(res.Created))
			}
		})
	}
	t.Run("both neighbours at once", func(t *testing.T) {
		created := e.schedule(t, ctx, v.req(m, "2026-04-10", "2026-04-10", "12:45", "07:15"))
		if len(created) != 2 || created[0].LocalTime != "07:15" || created[1].LocalTime != "12:45" {
			t.Errorf("created %+v, want 07:15 and 12:45", created)
		}
		if n := len(e.stored(t)); n != 3 {
			t.Errorf("stored %d shows, want 3", n)
		}
	})
}

func TestScheduleOverlapWithinBatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		times []string
		want  []show.Conflict
	}{
		{"too close on each day", []string{"10:00", "12:00"}, []show.Conflict{
			{Date: "2026-04-01", StartTime: "12:00", Reason: show.ReasonOverlapInBatch},
			{Date: "2026-04-02", StartTime: "12:00", Reason: show.ReasonOverlapInBatch}}},
		{"changeover counts", []string{"10:00", "12:44"}, []show.Conflict{
			{Date: "2026-04-01", StartTime: "12:44", Reason: show.ReasonOverlapInBatch},
			{Date: "2026-04-02", StartTime: "12:44", Reason: show.ReasonOverlapInBatch}}},
		{"a late show runs into the next morning", []string{"00:30", "22:00"}, []show.Conflict{
			{Date: "2026-04-02", StartTime: "00:30", Reason: show.ReasonOverlapInBatch}}},
		{"back to back", []string{"10:00", "12:45", "15:30"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			v := e.venue(ids.New(), kolkata)
			res, err := e.svc.Schedule(adminCtx(), v.req(e.movie(150), "2026-04-01", "2026-04-02", tc.times...))
			if err != nil {
				t.Fatal(err)
			}
			wantConflicts(t, res.Conflicts, tc.want...)
			stored := len(e.stored(t))
			if tc.want != nil && (stored != 0 || len(res.Created) != 0) {
				t.Errorf("a rejected batch created %d and stored %d shows", len(res.Created), stored)
			}
			if tc.want == nil && (stored != 2*len(tc.times) || len(res.Created) != stored) {
				t.Errorf("created %d and stored %d shows, want %d", len(res.Created), stored, 2*len(tc.times))
			}
		})
	}
}

func TestScheduleInPast(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.Set(istAt("2026-04-01", "11:30"))
	v := e.venue(ids.New(), kolkata)
	m := e.movie(120)
	res, err := e.svc.Schedule(adminCtx(), v.req(m, "2026-03-31", "2026-04-02", "14:00", "11:30", "09:00"))
	if err != nil {
		t.Fatal(err)
	}
	wantConflicts(t, res.Conflicts,
		show.Conflict{Date: "2026-03-31", StartTime: "09:00", Reason: show.ReasonInPast},
		show.Conflict{Date: "2026-03-31", StartTime: "11:30", Reason: show.ReasonInPast},
		show.Conflict{Date: "2026-03-31", StartTime: "14:00", Reason: show.ReasonInPast},
		show.Conflict{Date: "2026-04-01", StartTime: "09:00", Reason: show.ReasonInPast},
		show.Conflict{Date: "2026-04-01", StartTime: "11:30", Reason: show.ReasonInPast}) // starting now is too late
	if len(res.Created) != 0 || len(e.stored(t)) != 0 {
		t.Errorf("a batch with past shows created %d shows", len(res.Created))
	}
	created := e.schedule(t, adminCtx(), v.req(m, "2026-04-01", "2026-04-01", "11:31"))
	if len(created) != 1 {
		t.Errorf("a show a minute ahead: created %d, want 1", len(created))
	}
}

func TestScheduleCatalogueConflicts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	m := e.movie(120)
	whole := func(reasons ...show.ConflictReason) []show.Conflict {
		var out []show.Conflict
		for _, r := range reasons {
			out = append(out, show.Conflict{Reason: r})
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		edit    func(r *show.ScheduleRequest)
		want    []show.Conflict
		mention string
	}{
		{"a language the movie lacks", func(r *show.ScheduleRequest) { r.Language = "Tamil" },
			whole(show.ReasonLanguageNotOffered), "Tamil"},
		{"a format the movie has but the screen cannot show", func(r *show.ScheduleRequest) { r.Format = "IMAX 3D" },
			whole(show.ReasonFormatNotSupported), "IMAX 3D"},
		{"a format neither has", func(r *show.ScheduleRequest) { r.Format = "4dx" },
			whole(show.ReasonFormatNotOffered, show.ReasonFormatNotSupported), "4DX"},
		{"a layout category without a price", func(r *show.ScheduleRequest) {
			r.Prices = []show.CategoryPrice{{Category: "GOLD", Amount: 30000}}
		}, whole(show.ReasonPriceMissing), "SILVER"},
		{"a price for a category the layout lacks", func(r *show.ScheduleRequest) {
			r.Prices = append(r.Prices, show.CategoryPrice{Category: "RECLINER", Amount: 50000})
		}, whole(show.ReasonUnknownCategory), "RECLINER"},
		{"every problem at once", func(r *show.ScheduleRequest) {
			r.Language, r.Format = "Tamil", "4DX"
			r.Prices = []show.CategoryPrice{{Category: "RECLINER", Amount: 50000}}
			r.FromDate = "2026-03-14" // the day before the clock
		}, append(whole(show.ReasonLanguageNotOffered, show.ReasonFormatNotOffered, show.ReasonFormatNotSupported,
			show.ReasonUnknownCategory, show.ReasonPriceMissing, show.ReasonPriceMissing),
			show.Conflict{Date: "2026-03-14", StartTime: "10:00", Reason: show.ReasonInPast}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := v.req(m, "2026-04-01", "2026-04-03", "10:00")
			tc.edit(&r)
			res, err := e.svc.Schedule(adminCtx(), r)
			if err != nil {
				t.Fatal(err)
			}
			wantConflicts(t, res.Conflicts, tc.want...)
			if tc.mention != "" && !strings.Contains(res.Conflicts[0].Message, tc.mention) {
				t.Errorf("message %q does not mention %s", res.Conflicts[0].Message, tc.mention)
			}
			if len(res.Created) != 0 {
				t.Errorf("created %d shows", len(res.Created))
			}
		})
	}

	t.Run("language and format match case-insensitively and take the catalogue's spelling", func(t *testing.T) {
		e := newEnv(t)
		v := e.venue(ids.New(), kolkata)
		r := v.req(e.movie(120), "2026-04-01", "2026-04-01", "10:00")
		r.Language, r.Format = "ENGLISH", "3d"
		r.Prices = []show.CategoryPrice{{Category: "silver", Amount: 1}, {Category: "Gold", Amount: show.MaxPrice}}
		created := e.schedule(t, adminCtx(), r)
		if len(created) != 1 || created[0].Language != "English" || created[0].Format != "3D" {
			t.Fatalf("created %+v, want one English 3D show", created)
		}
		want := []show.CategoryPrice{{Category: "GOLD", Amount: show.MaxPrice}, {Category: "SILVER", Amount: 1}}
		if !reflect.DeepEqual(created[0].BasePrices, want) {
			t.Errorf("base prices %+v, want %+v", created[0].BasePrices, want)
		}
	})

	t.Cleanup(func() {
		if n := len(e.stored(t)); n != 0 {
			t.Errorf("rejected batches stored %d shows", n)
		}
	})
}

func TestScheduleInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	m := e.movie(120)
	hourly := func(n int) []string {
		var out []string
		for h := range n {
			out = append(out, fmt.Sprintf("%02d:00", h))
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		edit  func(r *show.ScheduleRequest)
		field string
	}{
		{"start time without a leading zero", func(r *show.ScheduleRequest) { r.StartTimes = []string{"9:00"} }, "startTimes"},
		{"start time 24:00", func(r *show.ScheduleRequest) { r.StartTimes = []string{"10:00", "24:00"} }, "startTimes"},
		{"start time 12:60", func(r *show.ScheduleRequest) { r.StartTimes = []string{"12:60"} }, "startTimes"},
		{"start time with seconds", func(r *show.ScheduleRequest) { r.StartTimes = []string{"12:00:00"} }, "startTimes"},
		{"start time not a number", func(r *show.ScheduleRequest) { r.StartTimes = []string{"ab:cd"} }, "startTimes"},
		{"start time with a sign", func(r *show.ScheduleRequest) { r.StartTimes = []string{"-1:00"} }, "startTimes"},
		{"no start times", func(r *show.ScheduleRequest) { r.StartTimes = nil }, "startTimes"},
		{"25 start times", func(r *show.ScheduleRequest) { r.StartTimes = append(hourly(24), "23:30") }, "startTimes"},
		{"a start time twice", func(r *show.ScheduleRequest) { r.StartTimes = []string{"10:00", "18:00", "10:00"} }, "startTimes"},
		{"more than 2000 shows", func(r *show.ScheduleRequest) {
			r.FromDate, r.ToDate, r.StartTimes = "2026-04-01", "2026-06-29", hourly(23) // 90 × 23 = 2070
		}, "startTimes"},
		{"fromDate not a date", func(r *show.ScheduleRequest) { r.FromDate = "2026-4-1" }, "fromDate"},
		{"fromDate impossible", func(r *show.ScheduleRequest) { r.FromDate = "2026-02-30" }, "fromDate"},
		{"toDate not a date", func(r *show.ScheduleRequest) { r.ToDate = "" }, "toDate"},
		{"toDate before fromDate", func(r *show.ScheduleRequest) { r.FromDate, r.ToDate = "2026-04-02", "2026-04-01" }, "toDate"},
		{"91 days", func(r *show.ScheduleRequest) { r.FromDate, r.ToDate = "2026-04-01", "2026-06-30" }, "toDate"},
		{"a year", func(r *show.ScheduleRequest) { r.FromDate, r.ToDate = "2026-04-01", "2027-04-01" }, "toDate"},
		// A whole week, so that a wrongly accepted day would still leave shows to schedule.
		{"day of week 0", func(r *show.ScheduleRequest) { r.ToDate, r.DaysOfWeek = "2026-04-07", []int{1, 0} }, "daysOfWeek"},
		{"day of week 8", func(r *show.ScheduleRequest) { r.ToDate, r.DaysOfWeek = "2026-04-07", []int{7, 8} }, "daysOfWeek"},
		{"no language", func(r *show.ScheduleRequest) { r.Language = "  " }, "language"},
		{"no format", func(r *show.ScheduleRequest) { r.Format = "" }, "format"},
		{"no prices", func(r *show.ScheduleRequest) { r.Prices = nil }, "prices"},
		{"a zero price", func(r *show.ScheduleRequest) { r.Prices[0].Amount = 0 }, "prices"},
		{"a negative price", func(r *show.ScheduleRequest) { r.Prices[1].Amount = -30000 }, "prices"},
		{"a price above the maximum", func(r *show.ScheduleRequest) { r.Prices[1].Amount = show.MaxPrice + 1 }, "prices"},
		{"a category priced twice", func(r *show.ScheduleRequest) {
			r.Prices = append(r.Prices, show.CategoryPrice{Category: "gold", Amount: 1})
		}, "prices"},
		{"a malformed movie id", func(r *show.ScheduleRequest) { r.MovieID = "movie-1" }, "movieId"},
		{"an empty movie id", func(r *show.ScheduleRequest) { r.MovieID = "" }, "movieId"},
		{"a malformed screen id", func(r *show.ScheduleRequest) { r.ScreenID = r.ScreenID[:35] + "z" }, "screenId"},
		{"an idempotency key too long", func(r *show.ScheduleRequest) { r.IdempotencyKey = strings.Repeat("k", 201) }, "idempotencyKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := v.req(m, "2026-04-01", "2026-04-03", "10:00")
			tc.edit(&r)
			res, err := e.svc.Schedule(adminCtx(), r)
			wantInvalid(t, err, tc.field)
			if len(res.Created) != 0 || len(res.Conflicts) != 0 {
				t.Errorf("an invalid request returned %+v", res)
			}
		})
	}
	t.Run("limits are inclusive", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		v := e.venue(ids.New(), kolkata)
		r := v.req(e.movie(45), "2026-04-01", "2026-06-29", "00:00", "23:00") // 90 days
		if got := e.schedule(t, adminCtx(), r); len(got) != 180 {
			t.Errorf("90 days × 2: created %d shows, want 180", len(got))
		}
		r = v.req(e.movie(45), "2026-07-01", "2026-07-01", hourly(24)...) // 24 start times, back to back
		r.ScreenID = e.screen(v.theatre.ID).ID
		if got := e.schedule(t, adminCtx(), r); len(got) != 24 {
			t.Errorf("24 start times: created %d shows, want 24", len(got))
		}
	})

	t.Cleanup(func() {
		if n := len(e.stored(t)); n != 0 {
			t.Errorf("invalid requests stored %d shows", n)
		}
	})
}

func TestScheduleNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	m := e.movie(120)

	r := v.req(m, "2026-04-01", "2026-04-01", "10:00")
	r.MovieID = ids.New()
	_, err := e.svc.Schedule(adminCtx(), r)
	wantCode(t, err, errs.NotFound)

	r = v.req(m, "2026-04-01", "2026-04-01", "10:00")
	r.ScreenID = ids.New()
	_, err = e.svc.Schedule(adminCtx(), r)
	wantCode(t, err, errs.NotFound)

	orphan := show.ScreenInfo{ID: ids.New(), TheatreID: ids.New(), Formats: []string{"2D"}, Categories: []string{"GOLD", "SILVER"}, SellableSeats: 10}
	e.cat.mu.Lock()
	e.cat.screens[orphan.ID] = orphan
	e.cat.mu.Unlock()
	r = v.req(m, "2026-04-01", "2026-04-01", "10:00")
	r.ScreenID = orphan.ID
	_, err = e.svc.Schedule(adminCtx(), r)
	wantCode(t, err, errs.NotFound)

	if n := len(e.stored(t)); n != 0 {
		t.Errorf("stored %d shows", n)
	}
}

func TestScheduleAuthorization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	otherTheatre := e.venue(v.theatre.CityID, kolkata).theatre.ID
	m := e.movie(120)
	for i, tc := range []struct {
		name string
		ctx  context.Context
		want errs.Code // "" when allowed
	}{
		{"no identity", context.Background(), errs.Unauthenticated},
		{"an identity without a user", auth.WithIdentity(context.Background(), auth.Identity{Roles: []string{auth.RoleAdmin}}), errs.Unauthenticated},
		{"a customer", customerCtx(), errs.Forbidden},
		{"a customer naming the theatre", auth.WithIdentity(context.Background(),
			auth.Identity{UserID: "u", Roles: []string{auth.RoleCustomer}, TheatreIDs: []string{v.theatre.ID}}), errs.Forbidden},
		{"an admin of another theatre", theatreAdminCtx(otherTheatre), errs.Forbidden},
		{"a theatre admin of no theatre", theatreAdminCtx(), errs.Forbidden},
		{"an admin of the theatre", theatreAdminCtx(otherTheatre, v.theatre.ID), ""},
		{"an admin", adminCtx(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			date := fmt.Sprintf("2026-05-%02d", i+1)
			for _, dry := range []bool{true, false} {
				r := v.req(m, date, date, "10:00")
				r.DryRun = dry
				res, err := e.svc.Schedule(tc.ctx, r)
				if tc.want == "" {
					if err != nil || len(res.Created) != 1 {
						t.Fatalf("dry run %v: got %+v, %v; want one show", dry, res, err)
					}
					continue
				}
				wantCode(t, err, tc.want)
				if len(res.Created) != 0 || len(res.Conflicts) != 0 {
					t.Errorf("a refused request returned %+v", res)
				}
			}
			// A refused caller learns nothing about conflicts either.
			r := v.req(m, date, date, "10:00")
			r.Language = "Tamil"
			_, err := e.svc.Schedule(tc.ctx, r)
			if tc.want != "" {
				wantCode(t, err, tc.want)
			}
		})
	}
}

func TestScheduleDryRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	city := ids.New()
	v := e.venue(city, kolkata)
	m := e.movie(120)
	ctx := theatreAdminCtx(v.theatre.ID)

	if _, err := e.svc.ShowDates(context.Background(), m.ID, city); err != nil { // warm the cache
		t.Fatal(err)
	}
	r := v.req(m, "2026-04-01", "2026-04-04", "10:00", "18:00")
	r.DryRun = true
	r.IdempotencyKey = "dry-key"
	res, err := e.svc.Schedule(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if !res.DryRun || len(res.Created) != 8 || len(res.Conflicts) != 0 {
		t.Fatalf("dry run: DryRun %v, %d created, conflicts %+v; want 8 shows", res.DryRun, len(res.Created), res.Conflicts)
	}
	if res.Created[0].LocalDate != "2026-04-01" || res.Created[0].LocalTime != "10:00" || !res.Created[0].StartsAt.Equal(istAt("2026-04-01", "10:00")) {
		t.Errorf("first show %+v", res.Created[0])
	}
	dryIDs := idsOf(res.Created)
	if n := len(e.stored(t)); n != 0 {
		t.Fatalf("a dry run stored %d shows", n)
	}
	if dates, _ := e.svc.ShowDates(context.Background(), m.ID, city); len(dates) != 0 {
		t.Errorf("ShowDates after a dry run: %v", dates)
	}

	dryConflict := v.req(m, "2026-04-01", "2026-04-01", "10:00", "11:00")
	dryConflict.DryRun = true
	res, err = e.svc.Schedule(ctx, dryConflict)
	if err != nil {
		t.Fatal(err)
	}
	if !res.DryRun || len(res.Created) != 0 {
		t.Errorf("a dry run with conflicts: %+v", res)
	}
	wantConflicts(t, res.Conflicts, show.Conflict{Date: "2026-04-01", StartTime: "11:00", Reason: show.ReasonOverlapInBatch})

	// The dry run neither took the key nor reserved the screen.
	r.DryRun = false
	created := e.schedule(t, ctx, r)
	if len(created) != 8 {
		t.Fatalf("created %d shows after the dry run, want 8", len(created))
	}
	for _, s := range created {
		if slices.Contains(dryIDs, s.ID) {
			t.Errorf("the real run reused a dry-run id")
		}
	}
	if n := len(e.stored(t)); n != 8 {
		t.Errorf("stored %d shows, want 8", n)
	}
	again, err := e.svc.Schedule(ctx, r)
	if err != nil || !slices.Equal(idsOf(again.Created), idsOf(created)) {
		t.Errorf("retry after the real run: %v, ids equal %v", err, slices.Equal(idsOf(again.Created), idsOf(created)))
	}

	// A dry run that overlaps stored shows reports it.
	overlapping := v.req(m, "2026-04-02", "2026-04-02", "10:30")
	overlapping.DryRun = true
	res, err = e.svc.Schedule(ctx, overlapping)
	if err != nil {
		t.Fatal(err)
	}
	wantConflicts(t, res.Conflicts, show.Conflict{Date: "2026-04-02", StartTime: "10:30", Reason: show.ReasonOverlap})
}

func TestScheduleIdempotency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	m := e.movie(120)
	ctx := theatreAdminCtx(v.theatre.ID)
	r := v.req(m, "2026-04-01", "2026-04-10", "10:00", "14:00")
	r.IdempotencyKey = "batch-42"
	first := e.schedule(t, ctx, r)
	if len(first) != 20 {
		t.Fatalf("created %d, want 20", len(first))
	}

	e.clock.Advance(time.Minute)
	for _, tc := range []struct {
		name string
		edit func(r *show.ScheduleRequest)
	}{
		{"the same request", func(*show.ScheduleRequest) {}},
		{"a changed request under the same key", func(r *show.ScheduleRequest) { r.StartTimes = []string{"09:00"} }},
		{"by an admin", func(*show.ScheduleRequest) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r
			r.StartTimes = slices.Clone(r.StartTimes)
			tc.edit(&r)
			res, err := e.svc.Schedule(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Conflicts) != 0 || res.DryRun {
				t.Fatalf("retry: %+v", res)
			}
			if !reflect.DeepEqual(res.Created, first) {
				t.Errorf("retry returned other shows: ids %v, want %v", idsOf(res.Created), idsOf(first))
			}
			if n := len(e.stored(t)); n != 20 {
				t.Errorf("stored %d shows after a retry, want 20", n)
			}
		})
	}

	t.Run("the key on another screen", func(t *testing.T) {
		r := r
		r.ScreenID = e.screen(v.theatre.ID).ID
		_, err := e.svc.Schedule(ctx, r)
		wantCode(t, err, errs.Conflict)
		if n := len(e.stored(t)); n != 20 {
			t.Errorf("stored %d shows, want 20", n)
		}
	})
	t.Run("the key on another theatre's screen", func(t *testing.T) {
		other := e.venue(v.theatre.CityID, kolkata)
		r := other.req(m, "2026-04-01", "2026-04-10", "10:00")
		r.IdempotencyKey = "batch-42"
		_, err := e.svc.Schedule(theatreAdminCtx(other.theatre.ID), r)
		wantCode(t, err, errs.Conflict)
	})
	t.Run("a rejected request does not take its key", func(t *testing.T) {
		r := v.req(m, "2026-04-01", "2026-04-01", "11:00") // overlaps 10:00
		r.IdempotencyKey = "batch-43"
		res, err := e.svc.Schedule(ctx, r)
		if err != nil || len(res.Conflicts) != 1 {
			t.Fatalf("got %+v, %v; want one conflict", res, err)
		}
		r.FromDate, r.ToDate = "2026-04-11", "2026-04-11"
		created := e.schedule(t, ctx, r)
		if len(created) != 1 {
			t.Errorf("created %d, want 1", len(created))
		}
	})
}

// TestScheduleConcurrent races requests against the real SQLite repository.
func TestScheduleConcurrent(t *testing.T) {
	t.Parallel()
	const n = 12

	t.Run("competing batches for one slot: exactly one wins", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		v := e.venue(ids.New(), kolkata)
		results := make([]show.ScheduleResult, n)
		failures := make([]error, n)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-gate
				// Each asks for a slightly different start, all overlapping one another.
				r := v.req(e.movie(120), "2026-04-01", "2026-04-01", fmt.Sprintf("10:%02d", i))
				results[i], failures[i] = e.svc.Schedule(adminCtx(), r)
			})
		}
		close(gate)
		wg.Wait()
		var winners []show.Show
		for i := range n {
			if failures[i] != nil {
				t.Fatalf("request %d: %v", i, failures[i])
			}
			winners = append(winners, results[i].Created...)
		}
		if len(winners) != 1 {
			t.Fatalf("%d requests won the slot, want 1", len(winners))
		}
		for i, res := range results {
			if len(res.Created) == 1 {
				continue
			}
			if len(res.Conflicts) != 1 || res.Conflicts[0].Reason != show.ReasonOverlap || res.Conflicts[0].ClashesWith.ID != winners[0].ID {
				t.Errorf("loser %d: %+v, want one overlap with the winner", i, res.Conflicts)
			}
		}
		if stored := e.stored(t); len(stored) != 1 || stored[0].ID != winners[0].ID {
			t.Errorf("stored %v, want only the winner", idsOf(stored))
		}
	})

	t.Run("retries under one key: one batch, one answer", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		v := e.venue(ids.New(), kolkata)
		r := v.req(e.movie(120), "2026-04-01", "2026-04-05", "10:00", "15:00")
		r.IdempotencyKey = "retry-me"
		results := make([]show.ScheduleResult, n)
		failures := make([]error, n)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-gate
				results[i], failures[i] = e.svc.Schedule(theatreAdminCtx(v.theatre.ID), r)
			})
		}
		close(gate)
		wg.Wait()
		for i := range n {
			if failures[i] != nil {
				t.Fatalf("request %d: %v", i, failures[i])
			}
			if len(results[i].Created) != 10 || !slices.Equal(idsOf(results[i].Created), idsOf(results[0].Created)) {
				t.Errorf("request %d got ids %v, want %v", i, idsOf(results[i].Created), idsOf(results[0].Created))
			}
		}
		if stored := e.stored(t); !slices.Equal(idsOf(stored), idsOf(results[0].Created)) {
			t.Errorf("stored %d shows, want the 10 of one batch", len(stored))
		}
	})
}

func TestScheduleDaylightSaving(t *testing.T) {
	t.Parallel()
	newYork := mustLoad(t, "America/New_York")
	est, edt := time.FixedZone("EST", -5*3600), time.FixedZone("EDT", -4*3600)
	setup := func(t *testing.T, tz string) (*env, venue, show.MovieInfo) {
		e := newEnv(t)
		e.clock.Set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		return e, e.venue(ids.New(), tz), e.movie(150)
	}

	t.Run("a time the clocks skip is a conflict", func(t *testing.T) {
		t.Parallel()
		for _, hhmm := range []string{"02:00", "02:30", "02:59"} {
			e, v, m := setup(t, "America/New_York")
			res, err := e.svc.Schedule(adminCtx(), v.req(m, "2026-03-07", "2026-03-09", hhmm, "10:00"))
			if err != nil {
				t.Fatal(err)
			}
			wantConflicts(t, res.Conflicts, show.Conflict{Date: "2026-03-08", StartTime: hhmm, Reason: show.ReasonNonexistentTime})
			if len(res.Created) != 0 || len(e.stored(t)) != 0 {
				t.Errorf("%s: created shows of a rejected batch", hhmm)
			}
		}
	})

	for _, tc := range []struct {
		tz   string
		date string
		time string
		want time.Time
	}{
		{"America/New_York", "2026-03-08", "01:59", time.Date(2026, 3, 8, 1, 59, 0, 0, est)},
		{"America/New_York", "2026-03-08", "03:00", time.Date(2026, 3, 8, 3, 0, 0, 0, edt)},
		// Clocks go back at 02:00 EDT: 01:00–01:59 happens twice; the first (EDT) is taken.
		{"America/New_York", "2026-11-01", "01:30", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
		{"America/New_York", "2026-11-01", "01:00", time.Date(2026, 11, 1, 1, 0, 0, 0, edt)},
		{"America/New_York", "2026-11-01", "01:59", time.Date(2026, 11, 1, 1, 59, 0, 0, edt)},
		{"America/New_York", "2026-11-01", "00:59", time.Date(2026, 11, 1, 0, 59, 0, 0, edt)},
		{"America/New_York", "2026-11-01", "02:00", time.Date(2026, 11, 1, 2, 0, 0, 0, est)},
		// East of Greenwich the zone database resolves a repeated time to its second occurrence
		// unless the scheduler corrects it: Berlin goes back at 03:00 CEST on 25 October 2026.
		{"Europe/Berlin", "2026-10-25", "02:30", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"Europe/Berlin", "2026-10-25", "02:00", time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)},
		{"Europe/Berlin", "2026-10-25", "03:00", time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC)},
		// Lord Howe Island moves its clocks by 30 minutes (back at 02:00 on 5 April 2026).
		{"Australia/Lord_Howe", "2026-04-05", "01:45", time.Date(2026, 4, 4, 14, 45, 0, 0, time.UTC)},
	} {
		t.Run(tc.tz+" "+tc.date+" "+tc.time, func(t *testing.T) {
			t.Parallel()
			e, v, m := setup(t, tc.tz)
			created := e.schedule(t, adminCtx(), v.req(m, tc.date, tc.date, tc.time))
			if len(created) != 1 {
				t.Fatalf("created %d shows, want 1", len(created))
			}
			s := created[0]
			if !s.StartsAt.Equal(tc.want) {
				t.Errorf("starts at %v, want %v", s.StartsAt, tc.want.UTC())
			}
			loc := mustLoad(t, tc.tz)
			if local := s.StartsAt.In(loc); local.Format("2006-01-02 15:04") != tc.date+" "+tc.time {
				t.Errorf("local start %v, want %s %s", local, tc.date, tc.time)
			}
			if s.LocalDate != tc.date || s.LocalTime != tc.time || s.TimeZone != tc.tz {
				t.Errorf("local date/time/zone %s %s %s", s.LocalDate, s.LocalTime, s.TimeZone)
			}
			if s.EndsAt.Sub(s.StartsAt) != 165*time.Minute {
				t.Errorf("busy for %v, want 2h45m", s.EndsAt.Sub(s.StartsAt))
			}
		})
	}

	t.Run("the wall-clock time holds across the changes", func(t *testing.T) {
		t.Parallel()
		for _, span := range [][2]string{{"2026-03-07", "2026-03-09"}, {"2026-10-31", "2026-11-02"}} {
			e, v, m := setup(t, "America/New_York")
			created := e.schedule(t, adminCtx(), v.req(m, span[0], span[1], "10:00", "19:00", "00:30"))
			if len(created) != 9 {
				t.Fatalf("%v: created %d shows, want 9", span, len(created))
			}
			for _, s := range created {
				local := s.StartsAt.In(newYork)
				if local.Format("15:04") != s.LocalTime || local.Format(time.DateOnly) != s.LocalDate {
					t.Errorf("show %s %s starts at %v local", s.LocalDate, s.LocalTime, local)
				}
				if d := s.EndsAt.Sub(s.StartsAt); d != 165*time.Minute {
					t.Errorf("show %s %s busy for %v, want 2h45m", s.LocalDate, s.LocalTime, d)
				}
				offset := edt
				if (s.LocalDate < "2026-03-08" || s.LocalDate > "2026-11-01") ||
					(s.LocalDate == "2026-03-08" && s.LocalTime < "02:00") || (s.LocalDate == "2026-11-01" && s.LocalTime >= "02:00") {
					offset = est
				}
				want, _ := time.ParseInLocation("2006-01-02 15:04", s.LocalDate+" "+s.LocalTime, offset)
				if !s.StartsAt.Equal(want) {
					t.Errorf("show %s %s starts at %v, want %v", s.LocalDate, s.LocalTime, s.StartsAt, want.UTC())
				}
			}
		}
	})
}

// TestScheduleLeavesRequestAlone: the request is passed by value, so the caller's slices must not
// change under it (a retried or shared request would otherwise race with the service).
func TestScheduleLeavesRequestAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	r := v.req(e.movie(120), "2026-04-01", "2026-04-02", "18:00", "10:00")
	r.Prices = []show.CategoryPrice{{Category: " gold", Amount: 30000}, {Category: "silver ", Amount: 20000}}
	r.DaysOfWeek = []int{4, 3}
	want := r
	want.Prices = slices.Clone(r.Prices)
	want.StartTimes = slices.Clone(r.StartTimes)
	want.DaysOfWeek = slices.Clone(r.DaysOfWeek)
	if got := e.schedule(t, adminCtx(), r); len(got) != 4 {
		t.Fatalf("created %d shows, want 4", len(got))
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Schedule changed the caller's request:\n got %+v\nwant %+v", r, want)
	}
}

// lookupGate is a show.Repository that, once, pauses a request right after it found its
// idempotency key unused, so that another request can commit in between.
type lookupGate struct {
	show.Repository
	mu      sync.Mutex
	armed   bool
	looked  chan struct{}
	proceed chan struct{}
}

func (g *lookupGate) BatchByKey(ctx context.Context, key string) (show.Batch, error) {
	b, err := g.Repository.BatchByKey(ctx, key)
	g.mu.Lock()
	pause := g.armed && errs.Is(err, errs.NotFound)
	if pause {
		g.armed = false
	}
	g.mu.Unlock()
	if pause {
		close(g.looked)
		<-g.proceed
	}
	return b, err
}

// TestScheduleRetryRace: a retry that checked its idempotency key just before the first attempt
// committed must still get the first attempt's answer, not conflicts with its own shows.
func TestScheduleRetryRace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.venue(ids.New(), kolkata)
	r := v.req(e.movie(120), "2026-04-01", "2026-04-03", "10:00", "15:00")
	r.IdempotencyKey = "double-click"
	gate := &lookupGate{Repository: e.store.Shows, armed: true, looked: make(chan struct{}), proceed: make(chan struct{})}
	retrying := e.serviceOn(gate)
	ctx := theatreAdminCtx(v.theatre.ID)

	type outcome struct {
		res show.ScheduleResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := retrying.Schedule(ctx, r)
		done <- outcome{res, err}
	}()
	<-gate.looked
	first := e.schedule(t, ctx, r)
	close(gate.proceed)
	got := <-done
	if got.err != nil {
		t.Fatal(got.err)
	}
	if len(got.res.Conflicts) != 0 || !slices.Equal(idsOf(got.res.Created), idsOf(first)) {
		t.Errorf("the retry got %d shows and conflicts %+v; want the first attempt's %d shows", len(got.res.Created), got.res.Conflicts, len(first))
	}
	if stored := e.stored(t); !slices.Equal(idsOf(stored), idsOf(first)) {
		t.Errorf("stored %d shows, want the first attempt's %d", len(stored), len(first))
	}
}
