package show

import (
	"fmt"
	"math"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Rules are a theatre's dynamic pricing rules. A show's current price for a category is its base
// price adjusted by the sum of the percentages of every rule that applies, rounded to RoundTo and
// then held between the category's floor and ceiling:
//
//	price = clamp(round(base × (100 + Σ percent) / 100, RoundTo), floor, ceiling)
//
// Day-of-week and time-band adjustments look at the show's local start; the occupancy tier with
// the highest threshold below the sold fraction applies; the lead-time rule with the smallest
// window that contains the time left before the show applies.
type Rules struct {
	// DayOfWeek maps a weekday to a percentage, e.g. Saturday +10.
	DayOfWeek map[time.Weekday]int
	// TimeBands adjust shows starting in [From, To) local minutes after midnight.
	TimeBands []TimeBand
	// Occupancy tiers: when more than AboveFraction of the sellable seats are sold or held.
	Occupancy []OccupancyTier
	// LeadTime adjusts by the time left before the show.
	LeadTime []LeadTimeRule
	// Limits per category code; a category without limits is only kept positive.
	Limits map[string]Limit
	// RoundTo is the step amounts are rounded to, in minor units (500 = ₹5). 0 or 1: none.
	RoundTo int64
}

// TimeBand is a local time-of-day range, in minutes after midnight, with a percentage.
type TimeBand struct {
	Name    string
	From    int
	To      int
	Percent int
}

// OccupancyTier raises or lowers prices once a show is fuller than AboveFraction (0–1).
type OccupancyTier struct {
	AboveFraction float64
	Percent       int
}

// LeadTimeRule adjusts prices when the show starts within Within of now.
type LeadTimeRule struct {
	Within  time.Duration
	Percent int
}

// Limit is a floor and a ceiling in minor units; zero means none.
type Limit struct {
	Floor   int64
	Ceiling int64
}

// DefaultRoundTo is the rounding step of theatres that set none: 500 minor units (₹5).
const DefaultRoundTo = 500

// DefaultRules are the rules of a theatre that has set none: no adjustments, rounding to ₹5.
func DefaultRules() Rules { return Rules{RoundTo: DefaultRoundTo} }

// PriceInput is what a price depends on besides the rules.
type PriceInput struct {
	Base       int64
	Category   string
	LocalStart time.Time // the show's start in the theatre's time zone
	Now        time.Time
	// Occupancy is the taken fraction of sellable seats, 0–1.
	Occupancy float64
}

// Price computes the current price. It is pure: the same rules and input give the same price.
func (r Rules) Price(in PriceInput) int64 {
	pct := r.DayOfWeek[in.LocalStart.Weekday()]
	minute := in.LocalStart.Hour()*60 + in.LocalStart.Minute()
	for _, b := range r.TimeBands {
		if minute >= b.From && minute < b.To {
			pct += b.Percent
		}
	}
	var tier *OccupancyTier
	for i := range r.Occupancy {
		t := &r.Occupancy[i]
		if in.Occupancy > t.AboveFraction && (tier == nil || t.AboveFraction > tier.AboveFraction) {
			tier = t
		}
	}
	if tier != nil {
		pct += tier.Percent
	}
	left := in.LocalStart.Sub(in.Now)
	var lead *LeadTimeRule
	for i := range r.LeadTime {
		l := &r.LeadTime[i]
		if left >= 0 && left <= l.Within && (lead == nil || l.Within < lead.Within) {
			lead = l
		}
	}
	if lead != nil {
		pct += lead.Percent
	}
	price := roundTo(float64(in.Base)*float64(100+pct)/100, r.RoundTo)
	lim := r.Limits[in.Category]
	if lim.Floor > 0 && price < lim.Floor {
		price = lim.Floor
	}
	if lim.Ceiling > 0 && price > lim.Ceiling {
		price = lim.Ceiling
	}
	if price < 1 {
		price = 1
	}
	return price
}

// roundTo rounds v to the nearest multiple of step, halves up.
func roundTo(v float64, step int64) int64 {
	if step <= 1 {
		return int64(math.Round(v))
	}
	return int64(math.Floor(v/float64(step)+0.5)) * step
}

// Validate checks rules for sense.
func (r Rules) Validate() error {
	if r.RoundTo < 0 || r.RoundTo > 100_000 {
		return errs.Invalidf("roundTo", "roundTo must be between 0 and 100000 minor units")
	}
	checkPct := func(field string, p int) error {
		if p < -90 || p > 500 {
			return errs.Invalidf(field, "%s: a percentage must be between -90 and 500, not %d", field, p)
		}
		return nil
	}
	total := 0
	for d, p := range r.DayOfWeek {
		if d < time.Sunday || d > time.Saturday {
			return errs.Invalidf("dayOfWeek", "unknown weekday %d", d)
		}
		if err := checkPct("dayOfWeek", p); err != nil {
			return err
		}
	}
	for i, b := range r.TimeBands {
		field := fmt.Sprintf("timeBands[%d]", i)
		if b.From < 0 || b.To > 24*60 || b.From >= b.To {
			return errs.Invalidf(field, "%s: a time band runs from an earlier to a later time of the same day", field)
		}
		if err := checkPct(field, b.Percent); err != nil {
			return err
		}
		total++
	}
	for i, t := range r.Occupancy {
		field := fmt.Sprintf("occupancy[%d]", i)
		if t.AboveFraction < 0 || t.AboveFraction >= 1 || t.AboveFraction != t.AboveFraction {
			return errs.Invalidf(field, "%s: aboveFraction must be at least 0 and below 1", field)
		}
		if err := checkPct(field, t.Percent); err != nil {
			return err
		}
	}
	for i, l := range r.LeadTime {
		field := fmt.Sprintf("leadTime[%d]", i)
		if l.Within <= 0 || l.Within > 90*24*time.Hour {
			return errs.Invalidf(field, "%s: within must be between 1 minute and 90 days", field)
		}
		if err := checkPct(field, l.Percent); err != nil {
			return err
		}
	}
	for cat, l := range r.Limits {
		if l.Floor < 0 || l.Ceiling < 0 || (l.Ceiling > 0 && l.Floor > l.Ceiling) {
			return errs.Invalidf("limits", "limits of %s: floor and ceiling must be positive and floor ≤ ceiling", cat)
		}
	}
	if total > 24 || len(r.Occupancy) > 10 || len(r.LeadTime) > 10 {
		return errs.Invalidf("rules", "at most 24 time bands, 10 occupancy tiers and 10 lead-time rules")
	}
	return nil
}
