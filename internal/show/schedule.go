package show

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Scheduling limits.
const (
	MaxBatchShows = 2000
	MaxBatchDays  = 90
	MaxStartTimes = 24
	MaxPrice      = 10_000_000 // minor units
)

// ScheduleRequest asks for one movie on one screen at local start times over a date range.
type ScheduleRequest struct {
	MovieID    string
	ScreenID   string
	FromDate   string // YYYY-MM-DD, theatre-local
	ToDate     string // inclusive
	StartTimes []string
	// DaysOfWeek restricts the dates, ISO numbering: 1 = Monday … 7 = Sunday. Empty: every day.
	DaysOfWeek []int
	Language   string
	Format     string
	Prices     []CategoryPrice
	DryRun     bool
	// IdempotencyKey makes a retried request return the first answer instead of scheduling again.
	IdempotencyKey string
}

// ConflictReason says why a requested show cannot be scheduled.
type ConflictReason string

// The reasons.
const (
	ReasonOverlap            ConflictReason = "OVERLAP"              // with a show already scheduled on the screen
	ReasonOverlapInBatch     ConflictReason = "OVERLAP_IN_BATCH"     // with another show of the same request
	ReasonInPast             ConflictReason = "IN_PAST"              // starts now or earlier
	ReasonNonexistentTime    ConflictReason = "NONEXISTENT_TIME"     // skipped by a daylight-saving change
	ReasonLanguageNotOffered ConflictReason = "LANGUAGE_NOT_OFFERED" // the movie has no such language
	ReasonFormatNotOffered   ConflictReason = "FORMAT_NOT_OFFERED"   // the movie has no such format
	ReasonFormatNotSupported ConflictReason = "FORMAT_NOT_SUPPORTED" // the screen cannot show the format
	ReasonPriceMissing       ConflictReason = "PRICE_MISSING"        // a category of the layout has no price
	ReasonUnknownCategory    ConflictReason = "UNKNOWN_CATEGORY"     // a price for a category the layout lacks
)

// Conflict is one reason a batch was rejected. Date and StartTime are empty for problems of the
// whole request; ClashesWith is set for overlaps.
type Conflict struct {
	Date        string
	StartTime   string
	Reason      ConflictReason
	Message     string
	ClashesWith *Show
}

// slot is one requested show time.
type slot struct {
	date  string
	time  string
	start time.Time
}

// validateRequest checks the request's shape (not the catalogue) and returns a BAD_USER_INPUT
// error naming the field.
func validateRequest(r *ScheduleRequest) error {
	r.Language = strings.TrimSpace(r.Language)
	r.Format = strings.ToUpper(strings.Join(strings.Fields(r.Format), " "))
	from, err := time.Parse(time.DateOnly, r.FromDate)
	if err != nil {
		return errs.Invalidf("fromDate", "fromDate %q is not a date in YYYY-MM-DD form", r.FromDate)
	}
	to, err := time.Parse(time.DateOnly, r.ToDate)
	if err != nil {
		return errs.Invalidf("toDate", "toDate %q is not a date in YYYY-MM-DD form", r.ToDate)
	}
	if to.Before(from) {
		return errs.Invalidf("toDate", "toDate %s is before fromDate %s", r.ToDate, r.FromDate)
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > MaxBatchDays {
		return errs.Invalidf("toDate", "a batch covers at most %d days; %s to %s is %d", MaxBatchDays, r.FromDate, r.ToDate, days)
	}
	if len(r.StartTimes) == 0 || len(r.StartTimes) > MaxStartTimes {
		return errs.Invalidf("startTimes", "give between 1 and %d start times", MaxStartTimes)
	}
	seen := map[string]bool{}
	for _, t := range r.StartTimes {
		if _, _, ok := parseHHMM(t); !ok {
			return errs.Invalidf("startTimes", "start time %q is not a time in HH:MM form (00:00–23:59)", t)
		}
		if seen[t] {
			return errs.Invalidf("startTimes", "start time %s is listed twice", t)
		}
		seen[t] = true
	}
	for _, d := range r.DaysOfWeek {
		if d < 1 || d > 7 {
			return errs.Invalidf("daysOfWeek", "day of week %d is not 1 (Monday) to 7 (Sunday)", d)
		}
	}
	if r.Language == "" {
		return errs.Invalidf("language", "language is required")
	}
	if r.Format == "" {
		return errs.Invalidf("format", "format is required")
	}
	if len(r.Prices) == 0 {
		return errs.Invalidf("prices", "give a price for every seat category of the screen")
	}
	cats := map[string]bool{}
	// Normalise a copy: r is the caller's request by value, but its slices are shared with it.
	r.Prices = slices.Clone(r.Prices)
	for i := range r.Prices {
		p := &r.Prices[i]
		p.Category = strings.ToUpper(strings.TrimSpace(p.Category))
		if p.Amount <= 0 || p.Amount > MaxPrice {
			return errs.Invalidf("prices", "the price of %s must be greater than 0 and at most %d minor units, not %d", p.Category, MaxPrice, p.Amount)
		}
		if cats[p.Category] {
			return errs.Invalidf("prices", "category %s is priced twice", p.Category)
		}
		cats[p.Category] = true
	}
	if len(r.IdempotencyKey) > 200 {
		return errs.Invalidf("idempotencyKey", "idempotencyKey is at most 200 characters")
	}
	return nil
}

func parseHHMM(s string) (h, m int, ok bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, false
		}
	}
	h = int(s[0]-'0')*10 + int(s[1]-'0')
	m = int(s[3]-'0')*10 + int(s[4]-'0')
	return h, m, h < 24 && m < 60
}

// isoWeekday numbers Monday 1 … Sunday 7.
func isoWeekday(d time.Weekday) int {
	if d == time.Sunday {
		return 7
	}
	return int(d)
}

// expand turns a validated request into the show times it asks for, in the theatre's time zone.
// Local times that a daylight-saving change skips become conflicts; a repeated local time (the
// hour clocks go back) is taken at its first occurrence.
func expand(r ScheduleRequest, loc *time.Location) ([]slot, []Conflict, error) {
	from, _ := time.Parse(time.DateOnly, r.FromDate)
	to, _ := time.Parse(time.DateOnly, r.ToDate)
	times := slices.Clone(r.StartTimes)
	slices.Sort(times)
	var slots []slot
	var conflicts []Conflict
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if len(r.DaysOfWeek) > 0 && !slices.Contains(r.DaysOfWeek, isoWeekday(d.Weekday())) {
			continue
		}
		date := d.Format(time.DateOnly)
		for _, t := range times {
			h, m, _ := parseHHMM(t)
			start := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
			if start.Hour() != h || start.Minute() != m || start.Day() != d.Day() {
				conflicts = append(conflicts, Conflict{Date: date, StartTime: t, Reason: ReasonNonexistentTime,
					Message: fmt.Sprintf("%s %s does not exist in %s: the clocks skip it for daylight saving", date, t, loc)})
				continue
			}
			if first := earliestOccurrence(start); !first.Equal(start) {
				start = first
			}
			slots = append(slots, slot{date: date, time: t, start: start.UTC()})
			if len(slots) > MaxBatchShows {
				return nil, nil, errs.Invalidf("startTimes", "a batch schedules at most %d shows; this one asks for more", MaxBatchShows)
			}
		}
	}
	return slots, conflicts, nil
}

// earliestOccurrence returns the first instant with t's local wall-clock time, for times that occur
// twice when clocks go back.
func earliestOccurrence(t time.Time) time.Time {
	for _, back := range []time.Duration{time.Hour, 30 * time.Minute} {
		e := t.Add(-back)
		if e.Hour() == t.Hour() && e.Minute() == t.Minute() && e.Day() == t.Day() {
			return e
		}
	}
	return t
}
