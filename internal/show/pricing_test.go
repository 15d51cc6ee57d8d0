package show_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/show"
)

// ist is Asia/Kolkata's fixed offset, spelled out so that expectations do not depend on the zone
// database the code under test also reads.
var ist = time.FixedZone("IST", 5*3600+30*60)

// sat is Saturday 4 April 2026, 19:00 in India: the start most pricing cases use.
var sat = time.Date(2026, 4, 4, 19, 0, 0, 0, ist)

// in returns a price input for a GOLD seat at base, starting at sat, a week ahead, empty.
func in(base int64) show.PriceInput {
	return show.PriceInput{Base: base, Category: "GOLD", LocalStart: sat, Now: sat.Add(-7 * 24 * time.Hour)}
}

func TestPriceRounding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		roundTo int64
		base    int64
		want    int64
	}{
		{"rounds up from above the half", 500, 28751, 29000},
		{"a half rounds up", 500, 28750, 29000},
		{"just below the half rounds down", 500, 28749, 28500},
		{"a multiple stays", 500, 28500, 28500},
		{"one above a multiple rounds down", 500, 28501, 28500},
		{"a quarter step rounds down", 500, 28625, 28500},
		{"half of the first step rounds up", 500, 250, 500},
		{"below half of the first step is kept at 1, not 0", 500, 249, 1},
		{"step of 1000", 1000, 12500, 13000},
		{"step of 100000 (the largest)", 100_000, 150_000, 200_000},
		{"roundTo 0 keeps minor units", 0, 28749, 28749},
		{"roundTo 1 keeps minor units", 1, 28749, 28749},
		{"a base of 1 without rounding stays 1", 0, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := show.Rules{RoundTo: tc.roundTo}
			if got := r.Price(in(tc.base)); got != tc.want {
				t.Errorf("Price(base %d, roundTo %d) = %d, want %d", tc.base, tc.roundTo, got, tc.want)
			}
		})
	}

	t.Run("default rules round to 500", func(t *testing.T) {
		t.Parallel()
		d := show.DefaultRules()
		if d.RoundTo != show.DefaultRoundTo || show.DefaultRoundTo != 500 {
			t.Fatalf("DefaultRules().RoundTo = %d, DefaultRoundTo = %d, want 500", d.RoundTo, show.DefaultRoundTo)
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("default rules invalid: %v", err)
		}
		if got := d.Price(in(28750)); got != 29000 {
			t.Errorf("default Price(28750) = %d, want 29000", got)
		}
	})

	t.Run("fractional result without rounding rounds to the nearest minor unit", func(t *testing.T) {
		t.Parallel()
		r := show.Rules{DayOfWeek: map[time.Weekday]int{time.Saturday: 10}}
		// 333 × 1.10 = 366.3 and 335 × 1.10 = 368.5.
		if got := r.Price(in(333)); got != 366 {
			t.Errorf("Price(333 +10%%) = %d, want 366", got)
		}
		if got := r.Price(in(335)); got != 369 {
			t.Errorf("Price(335 +10%%) = %d, want 369 (halves up)", got)
		}
	})
}

func TestPriceDayOfWeek(t *testing.T) {
	t.Parallel()
	rules := show.Rules{RoundTo: 500, DayOfWeek: map[time.Weekday]int{time.Saturday: 10, time.Sunday: 20, time.Tuesday: -15}}
	for _, tc := range []struct {
		name  string
		start time.Time
		want  int64
	}{
		{"Saturday +10", sat, 22000},
		{"Sunday +20", sat.AddDate(0, 0, 1), 24000},
		{"Tuesday -15", sat.AddDate(0, 0, 3), 17000},
		{"Monday has no rule", sat.AddDate(0, 0, 2), 20000},
		// 01:00 on Saturday in India is still Friday in UTC: the theatre's local day counts.
		{"the local weekday counts, not UTC's", time.Date(2026, 4, 4, 1, 0, 0, 0, ist), 22000},
		{"Friday late evening in India is Friday", time.Date(2026, 4, 3, 23, 59, 0, 0, ist), 20000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := in(20000)
			p.LocalStart = tc.start
			p.Now = tc.start.Add(-30 * 24 * time.Hour)
			if got := rules.Price(p); got != tc.want {
				t.Errorf("Price on %s = %d, want %d", tc.start.Weekday(), got, tc.want)
			}
		})
	}
}

func TestPriceTimeBands(t *testing.T) {
	t.Parallel()
	evening := show.TimeBand{Name: "evening", From: 18 * 60, To: 22 * 60, Percent: 20}
	late := show.TimeBand{Name: "late", From: 21 * 60, To: 24 * 60, Percent: 10}
	morning := show.TimeBand{Name: "morning", From: 0, To: 12 * 60, Percent: -10}
	rules := show.Rules{RoundTo: 500, TimeBands: []show.TimeBand{evening, late, morning}}
	at := func(h, m int) time.Time { return time.Date(2026, 4, 6, h, m, 0, 0, ist) } // a Monday
	for _, tc := range []struct {
		name  string
		start time.Time
		want  int64
	}{
		{"From is inclusive", at(18, 0), 24000},
		{"one minute before From", at(17, 59), 20000},
		{"inside", at(19, 30), 24000},
		{"last minute before To", at(20, 59), 24000},
		{"overlapping bands sum", at(21, 0), 26000},
		{"To is exclusive", at(22, 0), 22000},
		{"a band may run to midnight", at(23, 59), 22000},
		{"midnight is in a band starting at 0", at(0, 0), 18000},
		{"last minute of the morning band", at(11, 59), 18000},
		{"noon is after the morning band", at(12, 0), 20000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := in(20000)
			p.LocalStart = tc.start
			p.Now = tc.start.Add(-30 * 24 * time.Hour)
			if got := rules.Price(p); got != tc.want {
				t.Errorf("Price at %s = %d, want %d", tc.start.Format("15:04"), got, tc.want)
			}
		})
	}
}

func TestPriceOccupancy(t *testing.T) {
	t.Parallel()
	// Deliberately out of order: the highest threshold below the occupancy wins, whatever the order.
	rules := show.Rules{RoundTo: 500, Occupancy: []show.OccupancyTier{
		{AboveFraction: 0.8, Percent: 30}, {AboveFraction: 0.5, Percent: 10}, {AboveFraction: 0.95, Percent: 50}}}
	for _, tc := range []struct {
		occupancy float64
		want      int64
	}{
		{0, 20000},
		{0.3, 20000},
		{0.5, 20000}, // exactly at a threshold: not above it
		{0.5000001, 22000},
		{0.79, 22000},
		{0.8, 22000},
		{0.81, 26000}, // +30, not +10+30
		{0.95, 26000},
		{0.96, 30000},
		{1, 30000},
	} {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			p := in(20000)
			p.Occupancy = tc.occupancy
			if got := rules.Price(p); got != tc.want {
				t.Errorf("Price at occupancy %v = %d, want %d", tc.occupancy, got, tc.want)
			}
		})
	}

	t.Run("a tier at 0 needs at least some seats taken", func(t *testing.T) {
		t.Parallel()
		r := show.Rules{RoundTo: 500, Occupancy: []show.OccupancyTier{{AboveFraction: 0, Percent: 10}}}
		p := in(20000)
		if got := r.Price(p); got != 20000 {
			t.Errorf("empty show: %d, want 20000", got)
		}
		p.Occupancy = 0.01
		if got := r.Price(p); got != 22000 {
			t.Errorf("one percent taken: %d, want 22000", got)
		}
	})
}

func TestPriceLeadTime(t *testing.T) {
	t.Parallel()
	// Out of order on purpose: the smallest window that contains the time left applies.
	rules := show.Rules{RoundTo: 500, LeadTime: []show.LeadTimeRule{
		{Within: 24 * time.Hour, Percent: 5}, {Within: 7 * 24 * time.Hour, Percent: -10}, {Within: 2 * time.Hour, Percent: 15}}}
	for _, tc := range []struct {
		name string
		left time.Duration
		want int64
	}{
		{"one minute left: the 2 h window", time.Minute, 23000},
		{"exactly 2 h left is within 2 h", 2 * time.Hour, 23000},
		{"just over 2 h: the 24 h window", 2*time.Hour + time.Second, 21000},
		{"exactly a day", 24 * time.Hour, 21000},
		{"three days: the week window", 3 * 24 * time.Hour, 18000},
		{"exactly a week", 7 * 24 * time.Hour, 18000},
		{"more than a week: none", 7*24*time.Hour + time.Minute, 20000},
		{"started a minute ago: none", -time.Minute, 20000},
		{"started a day ago: none", -24 * time.Hour, 20000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := in(20000)
			p.Now = p.LocalStart.Add(-tc.left)
			if got := rules.Price(p); got != tc.want {
				t.Errorf("Price with %v left = %d, want %d", tc.left, got, tc.want)
			}
		})
	}

	t.Run("time left is measured between instants, whatever the zones", func(t *testing.T) {
		t.Parallel()
		p := in(20000)
		p.Now = p.LocalStart.Add(-time.Hour).UTC() // same instant minus an hour, in UTC
		if got := rules.Price(p); got != 23000 {
			t.Errorf("Price with an hour left (now in UTC) = %d, want 23000", got)
		}
	})
}

func TestPriceAdjustmentsSum(t *testing.T) {
	t.Parallel()
	rules := show.Rules{
		RoundTo:   500,
		DayOfWeek: map[time.Weekday]int{time.Saturday: 10},
		TimeBands: []show.TimeBand{{Name: "prime", From: 18 * 60, To: 22 * 60, Percent: 20}},
		Occupancy: []show.OccupancyTier{{AboveFraction: 0.5, Percent: 5}, {AboveFraction: 0.8, Percent: 30}},
		LeadTime:  []show.LeadTimeRule{{Within: 2 * time.Hour, Percent: 15}, {Within: 24 * time.Hour, Percent: 1}},
	}
	p := in(20000)
	p.Occupancy = 0.9
	p.Now = sat.Add(-time.Hour)
	// 10 + 20 + 30 + 15 = 75 %.
	if got := rules.Price(p); got != 35000 {
		t.Errorf("all rules: %d, want 35000 (+75%%)", got)
	}

	discounts := show.Rules{RoundTo: 500, DayOfWeek: map[time.Weekday]int{time.Saturday: -50},
		TimeBands: []show.TimeBand{{From: 0, To: 24 * 60, Percent: -40}}}
	if got := discounts.Price(in(20000)); got != 2000 {
		t.Errorf("-90%%: %d, want 2000", got)
	}
	beyond := show.Rules{RoundTo: 500, DayOfWeek: map[time.Weekday]int{time.Saturday: -90},
		TimeBands: []show.TimeBand{{From: 0, To: 24 * 60, Percent: -90}}}
	if got := beyond.Price(in(20000)); got != 1 {
		t.Errorf("-180%%: %d, want 1 (never below 1)", got)
	}
}

func TestPriceLimits(t *testing.T) {
	t.Parallel()
	rules := show.Rules{
		RoundTo:   500,
		DayOfWeek: map[time.Weekday]int{time.Saturday: 10},
		Limits: map[string]show.Limit{
			"GOLD":     {Floor: 25250, Ceiling: 29900},
			"SILVER":   {Floor: 12345},
			"RECLINER": {Ceiling: 40100},
			"BALCONY":  {},
		},
	}
	for _, tc := range []struct {
		name     string
		category string
		base     int64
		want     int64
	}{
		// 20000 +10% = 22000, below the floor: the floor itself, not the floor rounded (25500).
		{"floor after rounding", "GOLD", 20000, 25250},
		// 30000 +10% = 33000: the ceiling itself, not the ceiling rounded (30000).
		{"ceiling after rounding", "GOLD", 30000, 29900},
		// 26600 +10% = 29260 → 29500 rounded: within limits.
		{"within limits", "GOLD", 26600, 29500},
		// 27000 +10% = 29700 → 29500 rounded: rounding decides before the ceiling.
		{"rounded below the ceiling", "GOLD", 27000, 29500},
		// 27200 +10% = 29920 → 30000 rounded → ceiling.
		{"rounded above the ceiling", "GOLD", 27200, 29900},
		{"floor only", "SILVER", 1000, 12345},
		{"floor only, above it", "SILVER", 20000, 22000},
		{"ceiling only", "RECLINER", 50000, 40100},
		{"ceiling only, below it", "RECLINER", 10000, 11000},
		{"zero limits mean none", "BALCONY", 100000, 110000},
		{"a category without limits", "CLASSIC", 100000, 110000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := in(tc.base)
			p.Category = tc.category
			if got := rules.Price(p); got != tc.want {
				t.Errorf("Price(%s %d) = %d, want %d", tc.category, tc.base, got, tc.want)
			}
		})
	}

	t.Run("a floor lifts a price that would be below 1", func(t *testing.T) {
		t.Parallel()
		r := show.Rules{RoundTo: 500, DayOfWeek: map[time.Weekday]int{time.Saturday: -90}, Limits: map[string]show.Limit{"GOLD": {Floor: 700}}}
		if got := r.Price(in(1000)); got != 700 {
			t.Errorf("Price = %d, want the floor 700", got)
		}
	})
	t.Run("never below 1 without a floor", func(t *testing.T) {
		t.Parallel()
		r := show.Rules{DayOfWeek: map[time.Weekday]int{time.Saturday: -90}}
		if got := r.Price(in(1)); got != 1 {
			t.Errorf("Price = %d, want 1", got)
		}
	})
}

func TestRulesValidate(t *testing.T) {
	t.Parallel()
	bands := func(n int) []show.TimeBand {
		out := make([]show.TimeBand, n)
		for i := range out {
			out[i] = show.TimeBand{From: i * 60, To: i*60 + 60, Percent: 1}
		}
		return out
	}
	tiers := func(n int) []show.OccupancyTier {
		out := make([]show.OccupancyTier, n)
		for i := range out {
			out[i] = show.OccupancyTier{AboveFraction: float64(i) / 20, Percent: i}
		}
		return out
	}
	leads := func(n int) []show.LeadTimeRule {
		out := make([]show.LeadTimeRule, n)
		for i := range out {
			out[i] = show.LeadTimeRule{Within: time.Duration(i+1) * time.Hour, Percent: -i}
		}
		return out
	}
	okBand := show.TimeBand{From: 600, To: 720, Percent: 5}

	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		for name, r := range map[string]show.Rules{
			"zero":            {},
			"defaults":        show.DefaultRules(),
			"largest roundTo": {RoundTo: 100_000},
			"everything at its limits": {
				RoundTo:   1,
				DayOfWeek: map[time.Weekday]int{time.Sunday: -90, time.Saturday: 500},
				TimeBands: append(bands(23), show.TimeBand{From: 0, To: 24 * 60, Percent: 500}),
				Occupancy: append(tiers(9), show.OccupancyTier{AboveFraction: 0.999, Percent: -90}),
				LeadTime:  append(leads(9), show.LeadTimeRule{Within: 90 * 24 * time.Hour, Percent: 500}),
				Limits:    map[string]show.Limit{"GOLD": {Floor: 500, Ceiling: 500}, "SILVER": {Floor: 100}, "BOX": {Ceiling: 1}, "X": {}},
			},
		} {
			if err := r.Validate(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})

	for _, tc := range []struct {
		name  string
		rules show.Rules
		field string
	}{
		{"negative roundTo", show.Rules{RoundTo: -1}, "roundTo"},
		{"roundTo too large", show.Rules{RoundTo: 100_001}, "roundTo"},
		{"unknown weekday 7", show.Rules{DayOfWeek: map[time.Weekday]int{7: 10}}, "dayOfWeek"},
		{"unknown weekday -1", show.Rules{DayOfWeek: map[time.Weekday]int{-1: 10}}, "dayOfWeek"},
		{"weekday percent above 500", show.Rules{DayOfWeek: map[time.Weekday]int{time.Monday: 501}}, "dayOfWeek"},
		{"weekday percent below -90", show.Rules{DayOfWeek: map[time.Weekday]int{time.Monday: -91}}, "dayOfWeek"},
		{"band from before midnight", show.Rules{TimeBands: []show.TimeBand{okBand, {From: -1, To: 60}}}, "timeBands[1]"},
		{"band past midnight", show.Rules{TimeBands: []show.TimeBand{okBand, {From: 60, To: 24*60 + 1}}}, "timeBands[1]"},
		{"empty band", show.Rules{TimeBands: []show.TimeBand{okBand, {From: 60, To: 60}}}, "timeBands[1]"},
		{"band backwards", show.Rules{TimeBands: []show.TimeBand{{From: 22 * 60, To: 2 * 60}}}, "timeBands[0]"},
		{"band percent", show.Rules{TimeBands: []show.TimeBand{okBand, okBand, {From: 0, To: 60, Percent: 501}}}, "timeBands[2]"},
		{"tier below 0", show.Rules{Occupancy: []show.OccupancyTier{{AboveFraction: -0.1}}}, "occupancy[0]"},
		{"tier at 1", show.Rules{Occupancy: []show.OccupancyTier{{AboveFraction: 0.5}, {AboveFraction: 1}}}, "occupancy[1]"},
		{"tier NaN", show.Rules{Occupancy: []show.OccupancyTier{{AboveFraction: math.NaN()}}}, "occupancy[0]"},
		{"tier percent", show.Rules{Occupancy: []show.OccupancyTier{{AboveFraction: 0.5, Percent: -91}}}, "occupancy[0]"},
		{"lead time zero", show.Rules{LeadTime: []show.LeadTimeRule{{Within: 0}}}, "leadTime[0]"},
		{"lead time negative", show.Rules{LeadTime: []show.LeadTimeRule{{Within: time.Hour}, {Within: -time.Hour}}}, "leadTime[1]"},
		{"lead time beyond 90 days", show.Rules{LeadTime: []show.LeadTimeRule{{Within: 90*24*time.Hour + time.Second}}}, "leadTime[0]"},
		{"lead time percent", show.Rules{LeadTime: []show.LeadTimeRule{{Within: time.Hour, Percent: 501}}}, "leadTime[0]"},
		{"negative floor", show.Rules{Limits: map[string]show.Limit{"GOLD": {Floor: -1}}}, "limits"},
		{"negative ceiling", show.Rules{Limits: map[string]show.Limit{"GOLD": {Ceiling: -1}}}, "limits"},
		{"floor above ceiling", show.Rules{Limits: map[string]show.Limit{"GOLD": {Floor: 30000, Ceiling: 29999}}}, "limits"},
		{"25 time bands", show.Rules{TimeBands: append(bands(24), okBand)}, "rules"},
		{"11 occupancy tiers", show.Rules{Occupancy: tiers(11)}, "rules"},
		{"11 lead-time rules", show.Rules{LeadTime: leads(11)}, "rules"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wantInvalid(t, tc.rules.Validate(), tc.field)
		})
	}
}

// TestPriceProperties checks Price on random valid rules and inputs against an exact integer
// model of the documented formula, and the invariants that follow from it.
func TestPriceProperties(t *testing.T) {
	t.Parallel()
	zones := []*time.Location{time.UTC, ist, mustLoad(t, "America/New_York"), mustLoad(t, "Australia/Lord_Howe")}
	cats := []string{"GOLD", "SILVER", "RECLINER"}
	rng := rand.New(rand.NewPCG(20260404, 1))
	pct := func() int { return rng.IntN(591) - 90 }
	iterations := 20000
	if testing.Short() {
		iterations = 2000
	}
	for i := range iterations {
		r := randomRules(rng, cats, pct)
		if err := r.Validate(); err != nil {
			t.Fatalf("generated rules are invalid: %v\n%+v", err, r)
		}
		loc := zones[rng.IntN(len(zones))]
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(365*24*60)) * time.Minute).In(loc)
		now := start.Add(time.Duration(rng.Int64N(20*24*60)-2*24*60) * time.Minute)
		p := show.PriceInput{
			Base:       1 + rng.Int64N(show.MaxPrice),
			Category:   cats[rng.IntN(len(cats))],
			LocalStart: start,
			Now:        now,
			Occupancy:  rng.Float64(),
		}
		if rng.IntN(4) == 0 {
			p.Base = 1 + rng.Int64N(2000) // small bases exercise "never below 1" and clamping
		}
		before := cloneRules(r)
		got := r.Price(p)
		if again := r.Price(p); again != got {
			t.Fatalf("case %d: not deterministic: %d then %d", i, got, again)
		}
		if want := modelPrice(r, p); got != want {
			t.Fatalf("case %d: Price = %d, model says %d\nrules %+v\ninput %+v", i, got, want, r, p)
		}
		if got < 1 {
			t.Fatalf("case %d: Price = %d < 1", i, got)
		}
		lim := r.Limits[p.Category]
		if lim.Floor > 0 && got < lim.Floor {
			t.Fatalf("case %d: Price %d below floor %d", i, got, lim.Floor)
		}
		if lim.Ceiling > 0 && got > lim.Ceiling {
			t.Fatalf("case %d: Price %d above ceiling %d", i, got, lim.Ceiling)
		}
		clamped := got == 1 || got == lim.Floor || got == lim.Ceiling
		if r.RoundTo > 1 && !clamped && got%r.RoundTo != 0 {
			t.Fatalf("case %d: Price %d is not a multiple of %d and not clamped (limits %+v)", i, got, r.RoundTo, lim)
		}
		if !reflect.DeepEqual(before, r) {
			t.Fatalf("case %d: Price changed its rules", i)
		}
	}
}

func randomRules(rng *rand.Rand, cats []string, pct func() int) show.Rules {
	r := show.Rules{}
	switch rng.IntN(4) {
	case 0:
		r.RoundTo = 0
	case 1:
		r.RoundTo = 1
	case 2:
		r.RoundTo = []int64{5, 10, 50, 100, 500, 1000, 2500}[rng.IntN(7)]
	default:
		r.RoundTo = 1 + rng.Int64N(100_000)
	}
	if rng.IntN(3) > 0 {
		r.DayOfWeek = map[time.Weekday]int{}
		for d := time.Sunday; d <= time.Saturday; d++ {
			if rng.IntN(2) == 0 {
				r.DayOfWeek[d] = pct()
			}
		}
	}
	for range rng.IntN(25) {
		from := rng.IntN(24 * 60)
		to := from + 1 + rng.IntN(24*60-from)
		r.TimeBands = append(r.TimeBands, show.TimeBand{From: from, To: to, Percent: pct()})
	}
	seenFrac := map[float64]bool{}
	for range rng.IntN(11) {
		f := float64(rng.IntN(1000)) / 1000 // 0 … 0.999
		if seenFrac[f] {
			continue
		}
		seenFrac[f] = true
		r.Occupancy = append(r.Occupancy, show.OccupancyTier{AboveFraction: f, Percent: pct()})
	}
	seenWithin := map[time.Duration]bool{}
	for range rng.IntN(11) {
		w := time.Duration(1+rng.Int64N(90*24*60)) * time.Minute
		if seenWithin[w] {
			continue
		}
		seenWithin[w] = true
		r.LeadTime = append(r.LeadTime, show.LeadTimeRule{Within: w, Percent: pct()})
	}
	if rng.IntN(3) > 0 {
		r.Limits = map[string]show.Limit{}
		for _, c := range cats {
			var l show.Limit
			switch rng.IntN(4) {
			case 0:
				l.Floor = 1 + rng.Int64N(50_000)
			case 1:
				l.Ceiling = 1 + rng.Int64N(5_000_000)
			case 2:
				l.Floor = 1 + rng.Int64N(50_000)
				l.Ceiling = l.Floor + rng.Int64N(5_000_000)
			}
			r.Limits[c] = l
		}
	}
	return r
}

// modelPrice is the documented formula in exact integer arithmetic:
//
//	clamp(round(base × (100 + Σ percent) / 100, RoundTo), floor, ceiling), at least 1.
func modelPrice(r show.Rules, p show.PriceInput) int64 {
	pct := int64(r.DayOfWeek[p.LocalStart.Weekday()])
	minute := p.LocalStart.Hour()*60 + p.LocalStart.Minute()
	for _, b := range r.TimeBands {
		if b.From <= minute && minute < b.To {
			pct += int64(b.Percent)
		}
	}
	best := -1.0
	tierPct := 0
	for _, t := range r.Occupancy {
		if p.Occupancy > t.AboveFraction && t.AboveFraction > best {
			best, tierPct = t.AboveFraction, t.Percent
		}
	}
	pct += int64(tierPct)
	if left := p.LocalStart.Sub(p.Now); left >= 0 {
		var smallest time.Duration
		leadPct := 0
		for _, l := range r.LeadTime {
			if left <= l.Within && (smallest == 0 || l.Within < smallest) {
				smallest, leadPct = l.Within, l.Percent
			}
		}
		pct += int64(leadPct)
	}
	step := r.RoundTo
	if step < 1 {
		step = 1
	}
	num := p.Base * (100 + pct) // the price × 100
	var price int64
	if num > 0 {
		// Nearest multiple of step, halves up: floor((num + 50·step) / (100·step)) · step.
		price = (num + 50*step) / (100 * step) * step
	}
	lim := r.Limits[p.Category]
	if lim.Floor > 0 && price < lim.Floor {
		price = lim.Floor
	}
	if lim.Ceiling > 0 && price > lim.Ceiling {
		price = lim.Ceiling
	}
	return max(price, 1)
}

func cloneRules(r show.Rules) show.Rules {
	c := r
	if r.DayOfWeek != nil {
		c.DayOfWeek = make(map[time.Weekday]int, len(r.DayOfWeek))
		for k, v := range r.DayOfWeek {
			c.DayOfWeek[k] = v
		}
	}
	c.TimeBands = append([]show.TimeBand(nil), r.TimeBands...)
	c.Occupancy = append([]show.OccupancyTier(nil), r.Occupancy...)
	c.LeadTime = append([]show.LeadTimeRule(nil), r.LeadTime...)
	if r.Limits != nil {
		c.Limits = make(map[string]show.Limit, len(r.Limits))
		for k, v := range r.Limits {
			c.Limits[k] = v
		}
	}
	return c
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load time zone %s: %v", name, err)
	}
	return loc
}

// wantInvalid fails unless err is errs.Invalid naming field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("got %v (code %q), want invalid %s", err, errs.CodeOf(err), field)
	}
	if f := errs.As(err).Field; f != field {
		t.Fatalf("invalid error names field %q, want %q (%v)", f, field, err)
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Fatalf("got %v (code %q), want %s", err, errs.CodeOf(err), code)
	}
}
