package seating_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/marquee-cinema/marquee/internal/booking/seating"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// emptyHall draws rows×seats seats without aisles, rows labelled from the back (the latest
// letter) to the screen (A).
func emptyHall(rows, seats int) string {
	var b strings.Builder
	for r := range rows {
		fmt.Fprintf(&b, "%s:", rowLabel(rows-1-r))
		for s := 1; s <= seats; s++ {
			fmt.Fprintf(&b, " %d", s)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestBestAvailablePicks(t *testing.T) {
	t.Parallel()
	// A nine-row hall: the default best view is row index 8/3 ≈ 2.67 → row index 3, F.
	nine := emptyHall(9, 11)
	const aisles = `
		E RECLINER: _ 1 2 3 _ 4 5 6 7 _ 8 9 10 _
		D PRIME:    1 2 3 4 _ 5 6 7 8 9 _ 10 11 12 13
		C PRIME:    1 2 3 4 _ 5 6 7 8 9 _ 10 11 12 13
		B CLASSIC:  1 2 3 4 _ 5 6 7 8 9 _ 10 11 12 13
		A CLASSIC:  1w 2c 3 4 _ 5 6 7 8 9 _ 10 11 12 13`
	tests := []struct {
		name       string
		drawing    string
		view       *seating.BestView
		count      int
		category   string
		accessible bool
		want       string
	}{
		{"empty hall: the centre seat of the best-view row", nine, nil, 1, "", false, "F6"},
		{"empty hall: two centre seats, the tie going left", nine, nil, 2, "", false, "F5 F6"},
		{"empty hall: three centre seats", nine, nil, 3, "", false, "F5 F6 F7"},
		{"empty hall: ten seats", nine, nil, 10, "", false, "F1 F2 F3 F4 F5 F6 F7 F8 F9 F10"},
		{"an even row: the centre tie goes left", "A: 1 2 3 4 5 6", nil, 1, "", false, "A3"},
		{"a single seat that would strand its neighbour is passed over", "A: 1 2 3 4", nil, 1, "", false, "A1"},
		{"the front row, left edge", nine, &seating.BestView{RowFraction: 1, ColumnFraction: 0}, 2, "", false, "A1 A2"},
		{"the back row, right edge", nine, &seating.BestView{RowFraction: 0, ColumnFraction: 1}, 2, "", false, "I10 I11"},
		{"the middle row", nine, &seating.BestView{RowFraction: 0.5, ColumnFraction: 0.5}, 1, "", false, "E6"},
		{"fractions out of range are clamped", nine, &seating.BestView{RowFraction: 7, ColumnFraction: -3}, 1, "", false, "A1"},
		{"NaN takes the default", nine, &seating.BestView{RowFraction: math.NaN(), ColumnFraction: math.NaN()}, 1, "", false, "F6"},
		{"infinities are clamped", nine, &seating.BestView{RowFraction: math.Inf(1), ColumnFraction: math.Inf(-1)}, 1, "", false, "A1"},
		{"the centre block between aisles", aisles, nil, 5, "PRIME", false, "D5 D6 D7 D8 D9"},
		{"three of the centre block, leaving two", aisles, nil, 3, "PRIME", false, "D5 D6 D7"},
		{"an orphan-free side block rather than four of five in the centre", aisles, nil, 4, "PRIME", false, "D1 D2 D3 D4"},
		{"never across an aisle: a split instead", aisles, nil, 6, "PRIME", false, "D5 D6 D7 D8 D9 C7"},
		{"the category asked for", aisles, nil, 2, "RECLINER", false, "E4 E5"},
		{"the category in lower case", aisles, nil, 2, " recliner ", false, "E4 E5"},
		{"any category: the nearest wins", aisles, nil, 3, "", false, "D5 D6 D7"},
		{"any category: an orphan-free block of another category", aisles, &seating.BestView{RowFraction: 0, ColumnFraction: 0.5}, 3, "", false, "D5 D6 D7"},
		{"any category: the back row when it fits", aisles, &seating.BestView{RowFraction: 0, ColumnFraction: 0.5}, 4, "", false, "E4 E5 E6 E7"},
		{"a wheelchair space", aisles, nil, 1, "", true, "A1"},
		{"a wheelchair space and its companion", aisles, nil, 2, "CLASSIC", true, "A1 A2"},
		{"no wheelchair space for others", "A: 1w 2 3 4", nil, 3, "", false, "A2 A3 A4"},
		{"the nearer of two wheelchair spaces", "B: 1 2 3 4 5 6\nA: 1w 2c 3 4 5c 6w 7 8 9", nil, 2, "", true, "A5 A6"},
		{"a row's gaps count in its width", `
			B: _ _ 1 2 3 _ _
			A: 1 2 3 4 5 6 7`, &seating.BestView{RowFraction: 0.5, ColumnFraction: 0.5}, 3, "", false, "B1 B2 B3"},
		{"around taken seats", "A: 1 2 3x 4x 5 6 7 8 9x 10", nil, 3, "", false, "A5 A6 A7"},
		{"blocked seats are never given", "A: 1 2 3# 4! 5 6 7 8 9 10", nil, 2, "", false, "A5 A6"},
		{"one row, even far from the best view", `
			C: 1x 2 3 4 5x
			B: 1x 2 3 4 5x
			A: 1 2 3 4 5 6 7`, nil, 4, "", false, "A1 A2 A3 A4"},
		{"an orphan-free row rather than the best view", `
			C: 1 2 3 4 5 6
			B: 1x 2 3 4 5 6 7x
			A: 1x 2 3 4 5 6 7x`, &seating.BestView{RowFraction: 0.5, ColumnFraction: 0.5}, 4, "", false, "C1 C2 C3 C4"},
		{"one row with an orphan rather than a split", `
			B: 1x 2 3 4 5 6 7x
			A: 1x 2 3 4 5 6 7x`, nil, 4, "", false, "B2 B3 B4 B5"},
		{"split over two neighbouring rows", `
			C: 1x 2 3 4 5x
			B: 1x 2 3 4 5x
			A: 1x 2 3 4 5x`, nil, 5, "", false, "C2 C3 B2 B3 B4"},
		{"split: orphan-free parts rather than nearer ones", `
			C: 1 2 _ 3 4 _ 5 6
			B: 1 2 _ 3 4 _ 5 6
			A: 1 _ 2 3 _ 4 5 _ 6 7`, &seating.BestView{RowFraction: 0.5, ColumnFraction: 0.5}, 3, "", false, "B3 B4 A1"},
		{"split over three rows when two are not enough", `
			D: 1x 2 3x
			C: 1x 2 3 4x
			B: 1x 2 3 4x
			A: 1x 2 3 4x`, nil, 6, "", false, "C2 C3 B2 B3 A2 A3"},
		{"split keeps to one category", `
			C VIP: 1x 2 3 4x
			B STD: 1x 2 3 4x
			A STD: 1x 2 3 4 5x`, nil, 4, "", false, "B2 B3 A2 A3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, _ := parse(t, tt.drawing)
			p.BestView = tt.view
			ids, err := seating.BestAvailable(p, tt.count, tt.category, tt.accessible)
			if err != nil {
				t.Fatalf("BestAvailable: %v%s", err, draw(p, nil))
			}
			if got := strings.Join(ids, " "); got != tt.want {
				t.Errorf("BestAvailable(%d, %q, %v) = %s, want %s%s", tt.count, tt.category, tt.accessible, got, tt.want, draw(p, ids))
			}
			cat := strings.ToUpper(strings.TrimSpace(tt.category))
			checkResult(t, p, tt.count, cat, tt.accessible, ids)
		})
	}
}

func TestBestAvailableFails(t *testing.T) {
	t.Parallel()
	const hall = `
		D RECLINER: 1x 2 3x 4 5 6x
		C PRIME:    1x 2x 3x 4x 5x
		B PRIME:    1 2 3x 4 5x
		A CLASSIC:  1w 2c 3x 4c 5x`
	tests := []struct {
		name       string
		drawing    string
		count      int
		category   string
		accessible bool
		code       errs.Code
		message    string
		available  string
		together   string
	}{
		{"no count", hall, 0, "", false, errs.Invalid, "ask for between 1 and 10 seats, not 0", "", ""},
		{"eleven", hall, 11, "", false, errs.Invalid, "ask for between 1 and 10 seats, not 11", "", ""},
		{"negative", hall, -1, "", false, errs.Invalid, "ask for between 1 and 10 seats, not -1", "", ""},
		{"an unknown category", hall, 1, "GOLD", false, errs.Invalid, "this hall has no seat category GOLD", "", ""},
		{"fewer left at all", hall, 4, "RECLINER", false, errs.SeatUnavailable, "only 3 RECLINER seats are left at all", "3", "2"},
		{"fewer left at all, none together", hall, 3, "CLASSIC", false, errs.SeatUnavailable, "only 2 CLASSIC seats are left at all", "2", "1"},
		{"one left together", hall, 2, "CLASSIC", false, errs.SeatUnavailable, "only 1 CLASSIC seat is left together", "2", "1"},
		{"one left at all", "A VIP: 1 2x\nB: 1 2", 2, "VIP", false, errs.SeatUnavailable, "only 1 VIP seat is left at all", "1", "1"},
		{"none left", "A VIP: 1x 2x\nB: 1 2", 1, "VIP", false, errs.SeatUnavailable, "no VIP seats are left", "0", "0"},
		{"not enough together", hall, 3, "RECLINER", false, errs.SeatUnavailable, "only 2 RECLINER seats are left together", "3", "2"},
		{"any category, not together", hall, 4, "", false, errs.SeatUnavailable, "only 2 seats are left together", "8", "2"},
		{"any category, not at all", hall, 9, "", false, errs.SeatUnavailable, "only 8 seats are left at all", "8", "2"},
		{"accessible: a space and its companion, not three", hall, 3, "", true, errs.SeatUnavailable, "only 2 accessible seats are left together", "3", "2"},
		{"split rows must be neighbours", "D: 1 2 3x\nC: 1x 2x 3x\nB: 1 2 3x\nA: 1x 2x 3x", 4, "", false, errs.SeatUnavailable,
			"only 2 seats are left together", "4", "2"},
		{"a split keeps to one category", "C STD: 1x 2 3 4x\nB VIP: 1x 2 3 4x\nA STD: 1x 2 3 4 5x", 4, "", false, errs.SeatUnavailable,
			"only 3 seats are left together", "7", "3"},
		{"accessible, a companion without a space", "A: 1c 2 3", 1, "", true, errs.SeatUnavailable, "no accessible seats are left", "0", "0"},
		{"accessible, companions alone", "A: 1c 2c 3", 2, "", true, errs.SeatUnavailable, "no accessible seats are left", "2", "0"},
		{"a full hall", "A: 1x 2x\nB: 1! 2#", 1, "", false, errs.SeatUnavailable, "no seats are left", "0", "0"},
		{"an empty layout", "", 1, "", false, errs.SeatUnavailable, "no seats are left", "0", "0"},
		{"only wheelchair spaces for others", "A: 1w 2w", 1, "", false, errs.SeatUnavailable, "no seats are left", "0", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, _ := parse(t, tt.drawing)
			ids, err := seating.BestAvailable(p, tt.count, tt.category, tt.accessible)
			if err == nil {
				t.Fatalf("BestAvailable = %v, want an error%s", ids, draw(p, ids))
			}
			e := asErr(t, err)
			if tt.code == errs.Invalid {
				field := "count"
				if tt.category != "" {
					field = "category"
				}
				if e.Field != field {
					t.Errorf("field = %q, want %q", e.Field, field)
				}
			}
			if e.Code != tt.code || e.Message != tt.message {
				t.Errorf("got %s %q, want %s %q", e.Code, e.Message, tt.code, tt.message)
			}
			if e.Details["available"] != tt.available || e.Details["together"] != tt.together {
				t.Errorf("details = %v, want available %q, together %q", e.Details, tt.available, tt.together)
			}
			if ids != nil {
				t.Errorf("ids = %v alongside an error", ids)
			}
		})
	}
}

func TestBestAvailableIsDeterministic(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, full := range []float64{0, 0.5, 0.9} {
		base := hall450(rng, full)
		for _, req := range []struct {
			count      int
			category   string
			accessible bool
		}{{1, "", false}, {2, "PRIME", false}, {4, "", false}, {7, "CLASSIC", false}, {10, "", false}, {2, "", true}} {
			first, firstErr := seating.BestAvailable(base, req.count, req.category, req.accessible)
			for i := range 100 {
				p := clonePlan(base, rng)
				got, err := seating.BestAvailable(p, req.count, req.category, req.accessible)
				if !slices.Equal(got, first) || fmt.Sprint(err) != fmt.Sprint(firstErr) {
					t.Fatalf("%.0f%% full, %+v, run %d: %v (%v), first run %v (%v)", full*100, req, i, got, err, first, firstErr)
				}
			}
		}
	}
}
