package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/marquee-cinema/marquee/internal/movie"
	"github.com/marquee-cinema/marquee/internal/show"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// ShowDays is how many days of shows the demo programme covers, today included.
const ShowDays = 7

// Base prices per category in paise, before the screen's premium.
var basePrices = map[string]int64{CategoryRecliner: 60000, CategoryPrime: 30000, CategoryClassic: 20000}

// ScreenDay is one screen's programme for one local date.
type ScreenDay struct {
	ScreenID   string
	Date       string
	MovieID    string
	Language   string
	Format     string
	StartTimes []string
	Prices     []show.CategoryPrice
}

// Programme plans the demo shows of every demo screen for ShowDays local dates from the date of
// now in the demo time zone: one movie a screen, chosen by rotating over the now-showing movies
// the screen can show, 4–5 shows a day from late morning to night. Times that have passed are left
// out. The plan depends only on the dates and now, so it is the same on every machine.
func Programme(now time.Time) []ScreenDay {
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return nil
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	var playing []movie.Movie
	for _, m := range Movies() {
		if m.Status == movie.StatusNowShowing {
			playing = append(playing, m)
		}
	}
	changeover := map[string]int{}
	for _, t := range Theatres() {
		changeover[t.ID] = t.ChangeoverMinutes
	}
	var out []ScreenDay
	for si, sc := range Screens() {
		for day := 0; day < ShowDays; day++ {
			date := today.AddDate(0, 0, day)
			m, format, ok := pickMovie(playing, sc, si)
			if !ok {
				continue
			}
			sd := ScreenDay{ScreenID: sc.ID, Date: date.Format(time.DateOnly), MovieID: m.ID,
				Language: m.Languages[si%len(m.Languages)], Format: format, Prices: screenPrices(sc)}
			first := 9*60 + 30 + 30*(si%3) // 09:30, 10:00 or 10:30
			gap := roundUp(m.RuntimeMinutes+changeover[sc.TheatreID], 15)
			for start := first; start <= 22*60+45 && len(sd.StartTimes) < 5; start += gap {
				at := date.Add(time.Duration(start) * time.Minute)
				if at.After(now.Add(10 * time.Minute)) {
					sd.StartTimes = append(sd.StartTimes, fmt.Sprintf("%02d:%02d", start/60, start%60))
				}
			}
			if len(sd.StartTimes) > 0 {
				out = append(out, sd)
			}
		}
	}
	return out
}

func roundUp(n, step int) int { return (n + step - 1) / step * step }

// pickMovie chooses the n-th now-showing movie (cyclically) that the screen can show, and the
// format to show it in: the screen's first format the movie has.
func pickMovie(playing []movie.Movie, sc theatre.Screen, n int) (movie.Movie, string, bool) {
	for i := 0; i < len(playing); i++ {
		m := playing[(n+i)%len(playing)]
		for _, f := range sc.Formats {
			if slices.Contains(m.Formats, f) {
				return m, f, true
			}
		}
	}
	return movie.Movie{}, "", false
}

// screenPrices prices a screen's categories, with a premium for IMAX and 4DX screens.
func screenPrices(sc theatre.Screen) []show.CategoryPrice {
	premium := int64(100)
	switch {
	case slices.Contains(sc.Formats, "IMAX 2D"):
		premium = 140
	case slices.Contains(sc.Formats, "4DX"):
		premium = 160
	}
	var out []show.CategoryPrice
	for _, c := range sc.Layout.Categories {
		out = append(out, show.CategoryPrice{Category: c.Code, Amount: basePrices[c.Code] * premium / 100})
	}
	return out
}

// LoadShows schedules the demo programme through the show service as an admin. On a fresh store
// (fresh = true) consecutive days of a screen with the same programme go in one batch; otherwise
// each screen-day is its own batch, and days that already have shows are skipped, so loading again
// (on every start of a demo) only adds the days that are missing. Every batch has an idempotency
// key. It returns how many shows the batches hold.
func LoadShows(ctx context.Context, shows *show.Service, now time.Time, fresh bool) (int, error) {
	ctx = asLoader(ctx)
	scheduled := 0
	for _, r := range requests(Programme(now), fresh) {
		res, err := shows.Schedule(ctx, r)
		if err != nil {
			return scheduled, fmt.Errorf("demo: schedule screen %s from %s to %s: %w", r.ScreenID, r.FromDate, r.ToDate, err)
		}
		if len(res.Conflicts) > 0 {
			// Shows exist on that screen and day already (an earlier load, or an operator's): keep them.
			continue
		}
		scheduled += len(res.Created)
	}
	return scheduled, nil
}

// requests turns a programme into scheduling requests: one per screen-day, or, merged, one per
// run of consecutive days with the same programme.
func requests(plan []ScreenDay, merge bool) []show.ScheduleRequest {
	var out []show.ScheduleRequest
	for _, sd := range plan {
		if merge && len(out) > 0 {
			last := &out[len(out)-1]
			next, _ := time.Parse(time.DateOnly, last.ToDate)
			if last.ScreenID == sd.ScreenID && last.MovieID == sd.MovieID && last.Language == sd.Language &&
				last.Format == sd.Format && slices.Equal(last.StartTimes, sd.StartTimes) &&
				next.AddDate(0, 0, 1).Format(time.DateOnly) == sd.Date {
				last.ToDate = sd.Date
				last.IdempotencyKey = "demo:" + sd.ScreenID + ":" + last.FromDate + ":" + sd.Date
				continue
			}
		}
		out = append(out, show.ScheduleRequest{MovieID: sd.MovieID, ScreenID: sd.ScreenID, FromDate: sd.Date, ToDate: sd.Date,
			StartTimes: sd.StartTimes, Language: sd.Language, Format: sd.Format, Prices: sd.Prices,
			IdempotencyKey: "demo:" + sd.ScreenID + ":" + sd.Date})
	}
	return out
}
