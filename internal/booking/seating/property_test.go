package seating_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/marquee-cinema/marquee/internal/booking/seating"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// TestBestAvailableMatchesBruteForce compares BestAvailable on small random plans with an
// enumeration of every placement of the documented shape: it must find one exactly when one
// exists, and its pick must rank as well as the best — as few rows, as few orphans (so none
// when an orphan-free placement exists), and the same view cost.
func TestBestAvailableMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 10))
	var found, split, orphaned, failed int
	for i := range 6000 {
		p := randomPlan(rng, genOptions{maxRows: 4, maxCells: 9, categories: []string{"STD", "VIP"}})
		count := 1 + rng.IntN(5)
		category := []string{"", "", "STD", "VIP"}[rng.IntN(4)]
		accessible := rng.IntN(6) == 0
		want, ok := bruteBest(p, count, category, accessible)
		ids, err := seating.BestAvailable(p, count, category, accessible)
		if !ok {
			if err == nil {
				t.Fatalf("case %d: BestAvailable(%d, %q, %v) = %v, but no placement exists%s", i, count, category, accessible, ids, draw(p, ids))
			}
			if e := asErr(t, err); e.Code != errs.SeatUnavailable {
				t.Fatalf("case %d: error %v, want seat_unavailable", i, err)
			}
			failed++
			continue
		}
		if err != nil {
			t.Fatalf("case %d: BestAvailable(%d, %q, %v): %v, but %v is possible%s", i, count, category, accessible, err, want.ids, draw(p, want.ids))
		}
		got := checkResult(t, p, count, category, accessible, ids)
		if got.rows != want.rows || got.orphans != want.orphans || !closeTo(got.cost, want.cost) {
			t.Fatalf("case %d: BestAvailable(%d, %q, %v) = %v (rows %d, orphans %d, cost %.6f); %v ranks higher (rows %d, orphans %d, cost %.6f)%s",
				i, count, category, accessible, ids, got.rows, got.orphans, got.cost, want.ids, want.rows, want.orphans, want.cost, draw(p, ids))
		}
		found++
		if got.rows > 1 {
			split++
		}
		if got.orphans > 0 {
			orphaned++
		}
	}
	// The generator must exercise every branch, or the comparison proves little.
	if found < 2000 || split < 200 || orphaned < 200 || failed < 200 {
		t.Errorf("weak coverage: %d found, %d split, %d with orphans, %d failed", found, split, orphaned, failed)
	}
}

// TestBestAvailableInvariantsOnLargeHalls checks every result on realistic and random large
// plans: right count, available, eligible, one block a row in neighbouring rows, and one row
// free of orphans whenever some row has an orphan-free block.
func TestBestAvailableInvariantsOnLargeHalls(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	for i := range 1500 {
		var p seating.Plan
		if i%2 == 0 {
			p = hall450(rng, rng.Float64())
		} else {
			p = randomPlan(rng, genOptions{maxRows: 20, maxCells: 40, categories: []string{"RECLINER", "PRIME", "CLASSIC"}})
		}
		count := 1 + rng.IntN(seating.MaxSeats)
		category := []string{"", "RECLINER", "PRIME", "CLASSIC"}[rng.IntN(4)]
		accessible := rng.IntN(8) == 0
		oneRow, oneRowClean := singleRowBlocks(p, count, category, accessible)
		ids, err := seating.BestAvailable(p, count, category, accessible)
		if err != nil {
			if e := asErr(t, err); e.Code != errs.SeatUnavailable || oneRow {
				t.Fatalf("case %d: BestAvailable(%d, %q, %v): %v%s", i, count, category, accessible, err, draw(p, nil))
			}
			continue
		}
		got := checkResult(t, p, count, category, accessible, ids)
		if oneRow && got.rows != 1 || oneRowClean && got.orphans != 0 {
			t.Fatalf("case %d: BestAvailable(%d, %q, %v) = %v over %d rows with %d orphans, but a row has a block (orphan-free: %v)%s",
				i, count, category, accessible, ids, got.rows, got.orphans, oneRowClean, draw(p, ids))
		}
	}
}

// singleRowBlocks reports whether some row holds count adjacent eligible seats, and whether
// some such block strands nobody.
func singleRowBlocks(p seating.Plan, count int, category string, accessible bool) (any, clean bool) {
	cats := []string{category}
	if category == "" {
		cats = nil
		for _, c := range p.Layout.Categories {
			cats = append(cats, c.Code)
		}
	}
	for _, cat := range cats {
		for ri, r := range p.Layout.Rows {
			for a := 0; a+count <= len(r.Cells); a++ {
				ok, hasW := true, false
				var ids []string
				for c := a; c < a+count && ok; c++ {
					ok = eligible(p, ri, c, cat, accessible, count)
					hasW = hasW || r.Cells[c].Accessible
					ids = append(ids, theatre.SeatID(r.Label, r.Cells[c].Number))
				}
				if !ok || accessible && !hasW {
					continue
				}
				any = true
				if len(naiveOrphans(p, ids)) == 0 {
					return true, true
				}
			}
		}
	}
	return any, false
}

// FuzzBestAvailable feeds arbitrary plans and requests — odd layouts, unknown categories and
// statuses, NaN and infinite view points, counts out of range — to BestAvailable, Orphans and
// CheckSelection. None may panic, and every BestAvailable result keeps the invariants.
func FuzzBestAvailable(f *testing.F) {
	f.Add([]byte{4, 0, 0, 0, 3, 8, 1, 1, 1, 0, 1, 1, 1, 1, 5, 1, 2, 3, 1, 1})
	f.Add([]byte{2, 1, 1, 1, 2, 13, 6, 7, 1, 1, 0, 1, 1, 3, 3, 9, 1, 2, 1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte{10, 0, 0, 2, 6, 12, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 12, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte{0xff, 4, 1, 3, 0})
	f.Add([]byte{3, 2, 0, 1, 1, 5, 0x21, 0x29, 0x31, 0x39, 0xe1})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInput{data: data}
		count := int(int8(in.next())) % 13
		category := []string{"", "A", "b", "C", "Z", " a "}[in.next()%6]
		accessible := in.next()%2 == 1
		p := in.plan()
		ids, err := seating.BestAvailable(p, count, category, accessible)
		cat := strings.ToUpper(strings.TrimSpace(category))
		known := cat == "" || cat == "A" || cat == "B" // listed in the layout, or on some seat
		for _, r := range p.Layout.Rows {
			for _, c := range r.Cells {
				known = known || !c.Gap && c.Category == cat
			}
		}
		switch {
		case count < 1 || count > seating.MaxSeats || !known:
			if e := asErr(t, err); e.Code != errs.Invalid {
				t.Fatalf("BestAvailable(%d, %q) = %v, want invalid", count, category, err)
			}
		case err != nil:
			if e := asErr(t, err); e.Code != errs.SeatUnavailable {
				t.Fatalf("BestAvailable(%d, %q) = %v, want seat_unavailable", count, category, err)
			}
		default:
			checkResult(t, p, count, cat, accessible, ids)
		}
		// Orphans and CheckSelection on seats of the plan and on junk.
		var pick []string
		for _, r := range p.Layout.Rows {
			for _, c := range r.Cells {
				if !c.Gap && in.next()%3 == 0 {
					pick = append(pick, theatre.SeatID(r.Label, c.Number))
				}
			}
		}
		pick = append(pick, "", "A", "A0", "A-1", "ZZZ999999999999999999999")
		if got, want := seating.Orphans(p, pick), naiveOrphans(p, pick); !slices.Equal(got, want) {
			t.Fatalf("Orphans(%v) = %v, want %v", pick, got, want)
		}
		for _, n := range []int{len(pick) - 5, min(len(pick)-5, seating.MaxSeats), 1} {
			if n >= 0 {
				_ = seating.CheckSelection(p, pick[:n], true)
				_ = seating.CheckSelection(p, pick[:n], false)
			}
		}
	})
}

// fuzzInput turns fuzz bytes into a plan, reading zeros once the bytes run out.
type fuzzInput struct {
	data []byte
	at   int
}

func (in *fuzzInput) next() byte {
	if in.at >= len(in.data) {
		return 0
	}
	in.at++
	return in.data[in.at-1]
}

// plan reads a plan: a view-point mode, a row count, then per row a width and a byte a cell.
// The layout lists categories A and B; seats may also carry C (unlisted) or none.
func (in *fuzzInput) plan() seating.Plan {
	p := seating.Plan{Status: map[string]seating.Status{"Q1": seating.Taken, "": 7}}
	p.Layout.Categories = []theatre.SeatCategory{{Code: "A", Name: "A"}, {Code: "B", Name: "B"}}
	switch in.next() % 5 {
	case 1:
		p.BestView = &seating.BestView{RowFraction: float64(in.next()) / 255, ColumnFraction: float64(in.next()) / 255}
	case 2:
		p.BestView = &seating.BestView{RowFraction: math.NaN(), ColumnFraction: math.Inf(1)}
	case 3:
		p.BestView = &seating.BestView{RowFraction: float64(int8(in.next())), ColumnFraction: -float64(in.next())}
	case 4:
		p.BestView = &seating.BestView{}
	}
	rows := int(in.next() % 7)
	for ri := range rows {
		r := theatre.Row{Label: rowLabel(ri)}
		n := 0
		for range int(in.next() % 14) {
			b := in.next()
			if b%8 == 0 {
				r.Cells = append(r.Cells, theatre.Cell{Gap: true})
				continue
			}
			n++
			c := theatre.Cell{Number: n, Category: []string{"A", "B", "C", ""}[b>>3&3],
				Blocked: b%8 == 4, Accessible: b%8 == 6, Companion: b%8 == 7}
			id := theatre.SeatID(r.Label, n)
			switch {
			case b%8 == 3:
				p.Status[id] = seating.Taken
			case b%8 == 5:
				p.Status[id] = seating.Blocked
			case b>>5&1 == 1:
				p.Status[id] = seating.Status(b >> 5)
			}
			r.Cells = append(r.Cells, c)
		}
		p.Layout.Rows = append(p.Layout.Rows, r)
	}
	return p
}
