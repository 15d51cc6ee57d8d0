package seating_test

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/marquee-cinema/marquee/internal/booking/seating"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

func TestCheckSelectionRejects(t *testing.T) {
	t.Parallel()
	const hall = `
		B: 1 2 3x 4 5 6 7# 8 9 10 11 12
		A: 1 2 3! 4 5 6 7 8 9 10 11 12`
	tests := []struct {
		name    string
		ids     []string
		code    errs.Code
		message string
		seats   string // the "seats" detail, when there is one
	}{
		{"no seats", nil, errs.Invalid, "choose at least one seat", ""},
		{"an empty list", []string{}, errs.Invalid, "choose at least one seat", ""},
		{"eleven seats", []string{"A1", "A2", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11", "A12"},
			errs.Invalid, "choose at most 10 seats at a time; 11 were chosen", ""},
		{"a seat twice", []string{"A1", "A2", "A1"}, errs.Invalid, "seat A1 is chosen more than once", ""},
		{"two seats twice", []string{"A2", "A1", "A2", "A1", "A1"}, errs.Invalid,
			"seats A2 and A1 are chosen more than once", ""},
		{"an unknown seat", []string{"A1", "Z9"}, errs.Invalid, "seat Z9 is not in this hall", ""},
		{"unknown seats", []string{"A13", "B1", "C1", "a1"}, errs.Invalid, "seats A13, C1 and a1 are not in this hall", ""},
		{"a seat number with a leading zero", []string{"A01"}, errs.Invalid, "seat A01 is not in this hall", ""},
		{"a long unknown id is shortened", []string{strings.Repeat("Z", 40)}, errs.Invalid,
			`seat "ZZZZZZZZZZZZ"… is not in this hall`, ""},
		{"an unprintable id is quoted", []string{"A1\n"}, errs.Invalid, `seat "A1\n" is not in this hall`, ""},
		{"a taken seat", []string{"B2", "B3"}, errs.SeatUnavailable, "seat B3 is not available", "B3"},
		{"a seat blocked in the layout", []string{"B7"}, errs.SeatUnavailable, "seat B7 is not available", "B7"},
		{"a seat blocked for the show", []string{"A3", "A4"}, errs.SeatUnavailable, "seat A3 is not available", "A3"},
		{"every unavailable seat, in plan order", []string{"A3", "B7", "B3", "B4"}, errs.SeatUnavailable,
			"seats B3, B7 and A3 are not available", "B3,B7,A3"},
		{"too many before repeats", []string{"A1", "A1", "A1", "A1", "A1", "A1", "A1", "A1", "A1", "A1", "A1"},
			errs.Invalid, "choose at most 10 seats", ""},
		{"repeats before unknown seats", []string{"Z1", "Z1"}, errs.Invalid, "seat Z1 is chosen more than once", ""},
		{"unknown seats before taken ones", []string{"B3", "Z1"}, errs.Invalid, "seat Z1 is not in this hall", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, _ := parse(t, hall)
			for _, rule := range []bool{false, true} {
				e := asErr(t, seating.CheckSelection(p, tt.ids, rule))
				if e.Code != tt.code || !strings.HasPrefix(e.Message, tt.message) {
					t.Errorf("orphan rule %v: got %s %q, want %s %q", rule, e.Code, e.Message, tt.code, tt.message)
				}
				if tt.code == errs.Invalid && e.Field != "seats" {
					t.Errorf("field = %q, want seats", e.Field)
				}
				if e.Details["seats"] != tt.seats {
					t.Errorf("seats detail = %q, want %q", e.Details["seats"], tt.seats)
				}
				if e.Reason != "" {
					t.Errorf("reason = %q, want none", e.Reason)
				}
			}
		})
	}
}

func TestCheckSelectionOrphanRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		drawing string
		message string // "" when the selection is allowed
		seats   string
	}{
		{"no orphan", "A: 1 2 3* 4* 5 6", "", ""},
		{"ten seats", "A: 1* 2* 3* 4* 5* 6* 7* 8* 9* 10* 11 12", "", ""},
		{"an orphan at the row end", "A: 1 2* 3* 4 5 6", "this would leave seat A1 alone; choose seats next to it or leave a gap of two", "A1"},
		{"an orphan by an aisle", "A: 1 2 _ 3 4* 5 6", "this would leave seat A3 alone; choose seats next to it or leave a gap of two", "A3"},
		{"an orphan by a taken seat", "A: 1 2 3 4x 5 6* 7 8", "this would leave seat A5 alone; choose seats next to it or leave a gap of two", "A5"},
		{"orphans on both sides", "A: 1 2* 3 4 5* 6", "this would leave seats A1 and A6 alone; choose seats next to them or leave gaps of two", "A1,A6"},
		{"orphans in two rows, in plan order", `
			B: 1 2 3* 4 5x 6
			A: 1 2 3 4 5* 6`, "this would leave seats B4 and A6 alone; choose seats next to them or leave gaps of two", "B4,A6"},
		{"a pre-existing single gap is not the customer's fault", "A: 1x 2 3x 4* 5* 6 7", "", ""},
		{"no other choice: two of three seats between aisles", "A: _ 1* 2* 3 _", "", ""},
		{"the middle of three strands both ends; an end seat would not", "A: 1 2* 3",
			"this would leave seats A1 and A3 alone; choose seats next to them or leave gaps of two", "A1,A3"},
		{"no other choice: every single seat strands another", "A: 1x 2* 3 4x 5 6", "", ""},
		{"no other choice of the same category", "A: 1* 2* 3 _ 4@VIP 5@VIP 6@VIP 7@VIP", "", ""},
		{"another choice of the same category", "A: 1* 2* 3 _ 4 5 6 7",
			"this would leave seat A3 alone; choose seats next to it or leave a gap of two", "A3"},
		{"another choice that is not side by side counts", "A: _ 1* 2* 3 _ 4 5 6 _",
			"this would leave seat A3 alone; choose seats next to it or leave a gap of two", "A3"},
		{"a wheelchair space is its own kind", "A: 1 2w* 3 _ 4 5 6", "", ""},
		{"a wheelchair space is no alternative for an ordinary seat", "A: 1x 2* 3 _ 4w _", "", ""},
		{"a row without another choice is excused, the other is not", `
			B: 1* 2* 3
			A: 1 2* 3 4 5`, "this would leave seat A1 alone; choose seats next to it or leave a gap of two", "A1"},
		{"every row excused", `
			B: 1* 2* 3
			A: 1x 2 3* 4x`, "", ""},
		{"other rows are no alternative", `
			B: 1 2 3 4 5 6
			A: 1* 2* 3`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, ids := parse(t, tt.drawing)
			if err := seating.CheckSelection(p, ids, false); err != nil {
				t.Fatalf("without the orphan rule: %v", err)
			}
			err := seating.CheckSelection(p, ids, true)
			if tt.message == "" {
				if err != nil {
					t.Fatalf("CheckSelection(%v) = %v, want nil%s", ids, err, draw(p, ids))
				}
				return
			}
			e := asErr(t, err)
			if e.Code != errs.Invalid || e.Reason != seating.ReasonOrphanSeat || e.Field != "seats" ||
				e.Message != tt.message || e.Details["seats"] != tt.seats {
				t.Errorf("CheckSelection(%v) = %#v,\nwant invalid/ORPHAN_SEAT %q, seats %q%s", ids, e, tt.message, tt.seats, draw(p, ids))
			}
		})
	}
}

// TestCheckSelectionOrphanRuleMatchesBruteForce compares the orphan rule's exception with an
// enumeration of every other choice in each row, over random plans and selections.
func TestCheckSelectionOrphanRuleMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	refused := 0
	for i := range 4000 {
		p := randomPlan(rng, genOptions{maxRows: 3, maxCells: 13, categories: []string{"STD", "VIP"}})
		var free []cellRef
		for ri, r := range p.Layout.Rows {
			for ci, c := range r.Cells {
				if available(p, ri, ci) {
					free = append(free, cellRef{ri, ci, c})
				}
			}
		}
		if len(free) == 0 {
			continue
		}
		rng.Shuffle(len(free), func(a, b int) { free[a], free[b] = free[b], free[a] })
		pick := free[:1+rng.IntN(min(len(free), seating.MaxSeats))]
		ids := make([]string, len(pick))
		for k, ref := range pick {
			ids[k] = theatre.SeatID(p.Layout.Rows[ref.row].Label, ref.cell.Number)
		}
		want := bruteBlame(p, pick)
		err := seating.CheckSelection(p, ids, true)
		switch {
		case want == "" && err != nil:
			t.Fatalf("case %d: CheckSelection(%v) = %v, want nil%s", i, ids, err, draw(p, ids))
		case want != "":
			e := asErr(t, err)
			if e.Reason != seating.ReasonOrphanSeat || e.Details["seats"] != want {
				t.Fatalf("case %d: CheckSelection(%v) = %v (seats %q), want orphans %s%s", i, ids, err, e.Details["seats"], want, draw(p, ids))
			}
			refused++
		}
	}
	if refused < 200 {
		t.Errorf("only %d selections were refused; the generator is too kind", refused)
	}
}

// TestCheckSelectionManyKindsMatchesBruteForce runs the same comparison on single rows with
// many kinds of seat (eight categories, wheelchair spaces) and large choices, so that the
// exception's search needs several words of count states and shifts across them.
func TestCheckSelectionManyKindsMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(13, 14))
	cats := []string{"K0", "K1", "K2", "K3", "K4", "K5", "K6", "K7"}
	refused, wide := 0, 0
	for i := range 2000 {
		p := seating.Plan{Status: map[string]seating.Status{}}
		r := theatre.Row{Label: "A"}
		for n := 1; len(r.Cells) < 10+rng.IntN(4); {
			if rng.IntN(8) == 0 {
				r.Cells = append(r.Cells, theatre.Cell{Gap: true})
				continue
			}
			r.Cells = append(r.Cells, theatre.Cell{Number: n, Category: cats[rng.IntN(len(cats))], Accessible: rng.IntN(8) == 0})
			if rng.IntN(6) == 0 {
				p.Status[theatre.SeatID("A", n)] = seating.Taken
			}
			n++
		}
		p.Layout.Rows = []theatre.Row{r}
		var free []cellRef
		for ci, c := range r.Cells {
			if available(p, 0, ci) {
				free = append(free, cellRef{0, ci, c})
			}
		}
		if len(free) < 2 {
			continue
		}
		rng.Shuffle(len(free), func(a, b int) { free[a], free[b] = free[b], free[a] })
		pick := free[:min(len(free), 4+rng.IntN(seating.MaxSeats-3))]
		ids := make([]string, len(pick))
		kinds := map[string]int{}
		for k, ref := range pick {
			ids[k] = theatre.SeatID(r.Label, ref.cell.Number)
			kinds[fmt.Sprint(ref.cell.Category, ref.cell.Accessible)]++
		}
		states := 1
		for _, n := range kinds {
			states *= n + 1
		}
		if states > 64 {
			wide++
		}
		want := bruteBlame(p, pick)
		err := seating.CheckSelection(p, ids, true)
		if want == "" && err != nil || want != "" && (err == nil || asErr(t, err).Details["seats"] != want) {
			t.Fatalf("case %d: CheckSelection(%v) = %v, want orphans %q%s", i, ids, err, want, draw(p, ids))
		}
		if want != "" {
			refused++
		}
	}
	if refused < 100 || wide < 300 {
		t.Errorf("weak coverage: %d refused, %d with more than 64 count states", refused, wide)
	}
}

// bruteBlame returns the seats the orphan rule should name for the selection pick, joined by
// commas: the orphans of every row where some other set of available seats of that row, with
// as many of each kind, strands nobody.
func bruteBlame(p seating.Plan, pick []cellRef) string {
	var blamed []string
	for ri, r := range p.Layout.Rows {
		inRow := map[int]bool{}
		need := map[string]int{}
		kind := func(c theatre.Cell) string { return fmt.Sprint(c.Category, c.Accessible) }
		for _, ref := range pick {
			if ref.row == ri {
				inRow[ref.col] = true
				need[kind(ref.cell)]++
			}
		}
		orphans := rowOrphans(p, ri, inRow)
		if len(orphans) == 0 {
			continue
		}
		var cand []int
		for ci := range r.Cells {
			if available(p, ri, ci) {
				cand = append(cand, ci)
			}
		}
		excused := true
		for mask := uint32(0); mask < 1<<len(cand) && excused; mask++ {
			if bits.OnesCount32(mask) != len(inRow) {
				continue
			}
			alt := map[int]bool{}
			got := map[string]int{}
			for k, ci := range cand {
				if mask&(1<<k) != 0 {
					alt[ci] = true
					got[kind(r.Cells[ci])]++
				}
			}
			if fmt.Sprint(got) == fmt.Sprint(need) && len(rowOrphans(p, ri, alt)) == 0 {
				excused = false
			}
		}
		if !excused {
			for _, ci := range orphans {
				blamed = append(blamed, theatre.SeatID(r.Label, r.Cells[ci].Number))
			}
		}
	}
	return strings.Join(blamed, ",")
}

// rowOrphans is the orphan definition for one row and a set of chosen cells.
func rowOrphans(p seating.Plan, ri int, chosen map[int]bool) []int {
	var out []int
	for ci := range p.Layout.Rows[ri].Cells {
		if !available(p, ri, ci) || chosen[ci] {
			continue
		}
		lc, rc := chosen[ci-1], chosen[ci+1]
		if (lc || !available(p, ri, ci-1)) && (rc || !available(p, ri, ci+1)) && (lc || rc) {
			out = append(out, ci)
		}
	}
	return out
}

func TestCheckSelectionTenKindsOnTheWidestRow(t *testing.T) {
	t.Parallel()
	p, ids := widestRow(t)
	if len(ids) != 10 {
		t.Fatalf("chose %d seats", len(ids))
	}
	e := asErr(t, seating.CheckSelection(p, ids, true))
	if e.Reason != seating.ReasonOrphanSeat || !slices.Contains(strings.Split(e.Details["seats"], ","), "A1") {
		t.Fatalf("CheckSelection = %v (seats %q), want an orphan refusal naming A1", e, e.Details["seats"])
	}
}

// widestRow is an 80-cell row with ten categories and a choice of one seat of each, every
// other seat from A2 to A20, stranding A1, A3, …, A19: the exception's search tracks 2^10
// count states. Seats 71-80 hold one of each category at the row end, an orphan-free
// alternative.
func widestRow(tb testing.TB) (seating.Plan, []string) {
	var b strings.Builder
	b.WriteString("A:")
	for i := 1; i <= theatre.MaxCellsPerRow; i++ {
		kind := i % 10
		if i <= 20 {
			kind = i / 2 % 10
		}
		mark := ""
		if i <= 20 && i%2 == 0 {
			mark = "*"
		}
		fmt.Fprintf(&b, " %d%s@K%d", i, mark, kind)
	}
	return parse(tb, b.String())
}

func TestPlanCell(t *testing.T) {
	t.Parallel()
	p, _ := parse(t, `
		AA RECLINER: 1 2 _ 3
		A:           1 2@VIP _ 10`)
	for _, tc := range []struct {
		id, category string
		ok           bool
	}{
		{"AA3", "RECLINER", true}, {"A2", "VIP", true}, {"A10", "STD", true}, {"A1", "STD", true},
		{"A3", "", false}, {"A01", "", false}, {"B1", "", false}, {"AA", "", false},
	} {
		c, ok := p.Cell(tc.id)
		if ok != tc.ok || c.Category != tc.category {
			t.Errorf("Cell(%s) = %q, %v; want %q, %v", tc.id, c.Category, ok, tc.category, tc.ok)
		}
	}
}
