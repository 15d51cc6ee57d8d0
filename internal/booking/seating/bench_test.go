package seating_test

import (
	"math/rand/v2"
	"testing"

	"github.com/marquee-cinema/marquee/internal/booking/seating"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// hall450 is a 450-seat hall of 15 rows, each 6 + 18 + 6 seats with two aisles (32 cells):
// three RECLINER rows at the back, eight PRIME, four CLASSIC at the screen, and two wheelchair
// spaces with companion seats on the aisles of the first PRIME row. A share full of the
// sellable seats, drawn by rng, is Taken.
func hall450(rng *rand.Rand, full float64) seating.Plan {
	p := seating.Plan{Status: map[string]seating.Status{}}
	for _, c := range []string{"RECLINER", "PRIME", "CLASSIC"} {
		p.Layout.Categories = append(p.Layout.Categories, theatre.SeatCategory{Code: c, Name: c})
	}
	const rows = 15
	for ri := range rows {
		cat := "PRIME"
		switch {
		case ri < 3:
			cat = "RECLINER"
		case ri >= 11:
			cat = "CLASSIC"
		}
		r := theatre.Row{Label: rowLabel(rows - 1 - ri)}
		n := 0
		for bi, block := range []int{6, 18, 6} {
			if bi > 0 {
				r.Cells = append(r.Cells, theatre.Cell{Gap: true})
			}
			for range block {
				n++
				r.Cells = append(r.Cells, theatre.Cell{Number: n, Category: cat})
			}
		}
		if ri == 3 {
			r.Cells[4].Companion, r.Cells[5].Accessible = true, true
			r.Cells[26].Accessible, r.Cells[27].Companion = true, true
		}
		for _, c := range r.Cells {
			if !c.Gap && rng.Float64() < full {
				p.Status[theatre.SeatID(r.Label, c.Number)] = seating.Taken
			}
		}
		p.Layout.Rows = append(p.Layout.Rows, r)
	}
	return p
}

func TestHall450(t *testing.T) {
	t.Parallel()
	p := hall450(rand.New(rand.NewPCG(1, 1)), 0)
	if err := p.Layout.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := p.Layout.SeatCount(); n != 450 {
		t.Fatalf("%d seats", n)
	}
}

func BenchmarkBestAvailable(b *testing.B) {
	for _, hall := range []struct {
		name string
		full float64
	}{{"empty", 0}, {"half-full", 0.5}, {"nearly-full", 0.95}} {
		p := hall450(rand.New(rand.NewPCG(7, 8)), hall.full)
		for _, req := range []struct {
			name     string
			count    int
			category string
		}{{"2-any", 2, ""}, {"4-any", 4, ""}, {"4-PRIME", 4, "PRIME"}, {"10-any", 10, ""}} {
			b.Run(hall.name+"/"+req.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, _ = seating.BestAvailable(p, req.count, req.category, false)
				}
			})
		}
	}
}

func BenchmarkOrphans(b *testing.B) {
	p := hall450(rand.New(rand.NewPCG(7, 8)), 0.5)
	chosen := []string{"H10", "H11", "H12", "H13"}
	b.ReportAllocs()
	for b.Loop() {
		_ = seating.Orphans(p, chosen)
	}
}

func BenchmarkCheckSelection(b *testing.B) {
	p := hall450(rand.New(rand.NewPCG(7, 8)), 0)
	b.Run("no-orphan", func(b *testing.B) {
		ids := []string{"H10", "H11", "H12", "H13"}
		b.ReportAllocs()
		for b.Loop() {
			_ = seating.CheckSelection(p, ids, true)
		}
	})
	b.Run("widest-row-ten-kinds", func(b *testing.B) {
		p, ids := widestRow(b)
		b.ReportAllocs()
		for b.Loop() {
			if seating.CheckSelection(p, ids, true) == nil {
				b.Fatal("want a refusal")
			}
		}
	})
	b.Run("orphan", func(b *testing.B) {
		ids := []string{"H2", "H3", "H4", "H5"} // strands H1
		b.ReportAllocs()
		for b.Loop() {
			if seating.CheckSelection(p, ids, true) == nil {
				b.Fatal("want a refusal")
			}
		}
	})
}
