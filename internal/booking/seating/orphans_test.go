package seating_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/marquee-cinema/marquee/internal/booking/seating"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

func TestOrphans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		drawing string // chosen seats are marked *
		extra   []string
		want    []string
	}{
		{"nothing chosen", "A: 1 2 3", nil, nil},
		{"a gap of two on each side is fine", "A: 1 2 3* 4 5", nil, nil},
		{"middle of a long row", "A: 1 2 3 4* 5 6 7 8", nil, nil},
		{"at the left row end", "A: 1 2* 3 4 5", nil, []string{"A1"}},
		{"at the right row end", "A: 1 2 3 4* 5", nil, []string{"A5"}},
		{"next to an aisle", "A: 1* 2 _ 3 4", nil, []string{"A2"}},
		{"on the far side of an aisle", "A: 1 2 _ 3 4* 5 6", nil, []string{"A3"}},
		{"between a taken seat and the choice", "A: 1 2x 3 4* 5 6", nil, []string{"A3"}},
		{"between the choice and a taken seat", "A: 1 2 3* 4 5x 6", nil, []string{"A4"}},
		{"between a layout-blocked seat and the choice", "A: 1 2# 3 4* 5 6", nil, []string{"A3"}},
		{"between a status-blocked seat and the choice", "A: 1 2! 3 4* 5 6", nil, []string{"A3"}},
		{"between two chosen seats", "A: 1 2* 3 4* 5 6", nil, []string{"A1", "A3"}},
		{"several at once", "A: 1 2* 3 4* 5", nil, []string{"A1", "A3", "A5"}},
		{"a pre-existing single gap is not blamed", "A: 1x 2 3x 4* 5*", nil, nil},
		{"a pre-existing gap next to a new orphan", "A: 1x 2 3x 4 5* 6 7", nil, []string{"A4"}},
		{"a single seat between aisles was alone already", "A: 1* 2* _ 3 _ 4 5", nil, nil},
		{"filling a whole row", "A: 1* 2* 3*", nil, nil},
		{"filling a block between aisles", "A: 1 2 _ 3* 4* _ 5 6", nil, nil},
		{"leaving one seat of a three-seat block", "A: 1 _ 2* 3* 4 _ 5", nil, []string{"A4"}},
		{"cells, not numbers, are neighbours", "A: 5 4* 3 2 1", nil, []string{"A5"}},
		{"wheelchair spaces are seats like any other", "A: 1w 2c* 3 4", nil, []string{"A1"}},
		{"every row on its own", `
			B: 1 2* 3 4
			A: 1 2 3 4* 5`, nil, []string{"B1", "A5"}},
		{"plan order, not string order", "C: 7* 8 9* 10 11* 12", nil, []string{"C8", "C10", "C12"}},
		{"unknown ids are ignored", "A: 1 2 3", []string{"Z9", "", "A", "A01", "A-1", "A4"}, nil},
		{"taken ids are walls, not choices", "A: 1 2x 3", []string{"A2"}, nil},
		{"repeats are ignored", "A: 1 2 3* 4 5", []string{"A3", "A3"}, nil},
		{"labels sharing a prefix", `
			AA: 1 2* 3 4
			A:  1 2 3 4`, nil, []string{"AA1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, chosen := parse(t, tt.drawing)
			chosen = append(chosen, tt.extra...)
			got := seating.Orphans(p, chosen)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Orphans(%v) = %v, want %v%s", chosen, got, tt.want, draw(p, chosen))
			}
			if want := naiveOrphans(p, chosen); !slices.Equal(got, want) {
				t.Errorf("Orphans(%v) = %v, but the definition gives %v", chosen, got, want)
			}
		})
	}
}

func TestOrphansDoesNotChangeThePlan(t *testing.T) {
	t.Parallel()
	p, chosen := parse(t, "A: 1 2* 3x 4 5* 6")
	before := draw(p, nil)
	_ = seating.Orphans(p, chosen)
	_ = seating.CheckSelection(p, chosen, true)
	_, _ = seating.BestAvailable(p, 2, "", false)
	if after := draw(p, nil); after != before {
		t.Errorf("the plan changed from %s\nto%s", before, after)
	}
}

// TestOrphansMatchesTheDefinition compares Orphans with the definition written out cell by
// cell, over random plans and random choices (Available or not, repeated, unknown).
func TestOrphansMatchesTheDefinition(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		p := randomPlan(rng, genOptions{maxRows: 4, maxCells: 12, categories: []string{"STD", "VIP"}})
		var chosen []string
		for range rng.IntN(8) {
			r := p.Layout.Rows[rng.IntN(len(p.Layout.Rows))]
			c := r.Cells[rng.IntN(len(r.Cells))]
			if c.Gap {
				chosen = append(chosen, "Q99")
				continue
			}
			chosen = append(chosen, theatre.SeatID(r.Label, c.Number))
		}
		got, want := seating.Orphans(p, chosen), naiveOrphans(p, chosen)
		if !slices.Equal(got, want) {
			t.Fatalf("case %d: Orphans(%v) = %v, want %v%s", i, chosen, got, want, draw(p, chosen))
		}
	}
}

func TestStatusString(t *testing.T) {
	t.Parallel()
	for s, want := range map[seating.Status]string{seating.Available: "Available", seating.Taken: "Taken",
		seating.Blocked: "Blocked", 7: "Status(7)"} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", s, got, want)
		}
	}
}

func TestUnknownStatusCountsAsTaken(t *testing.T) {
	t.Parallel()
	p, _ := parse(t, "A: 1 2 3 4")
	p.Status["A2"] = 9
	if got := seating.Orphans(p, []string{"A4"}); !slices.Equal(got, []string{"A3"}) {
		t.Errorf("Orphans = %v, want [A3]: an unknown status is a wall", got)
	}
	if err := seating.CheckSelection(p, []string{"A2"}, false); asErr(t, err).Code != errs.SeatUnavailable {
		t.Errorf("CheckSelection of a seat with an unknown status = %v, want seat_unavailable", err)
	}
	ids, err := seating.BestAvailable(p, 3, "", false)
	if err == nil {
		t.Errorf("BestAvailable(3) = %v, want no three seats side by side", ids)
	}
}

// TestOrphanRuleSeatsDecideTheRule checks OrphanRuleSeats against its promise on random plans and
// choices: whatever status the seats outside it (and outside the choice) get, CheckSelection's
// verdict on the choice is the same. Changing a seat inside it must change the verdict now and
// then, or the test proves little.
func TestOrphanRuleSeatsDecideTheRule(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 22))
	verdict := func(p seating.Plan, chosen []string) string {
		err := seating.CheckSelection(p, chosen, true)
		if err == nil {
			return "ok"
		}
		e := asErr(t, err)
		return string(e.Code) + "/" + e.Reason + "/" + e.Details["seats"]
	}
	var cases, stranding, insideMattered int
	for i := range 4000 {
		p := randomPlan(rng, genOptions{maxRows: 3, maxCells: 14, categories: []string{"STD", "VIP"}})
		var free []string
		for _, r := range p.Layout.Rows {
			for _, c := range r.Cells {
				if id := theatre.SeatID(r.Label, c.Number); !c.Gap && !c.Blocked && p.Status[id] == seating.Available {
					free = append(free, id)
				}
			}
		}
		if len(free) == 0 {
			continue
		}
		rng.Shuffle(len(free), func(a, b int) { free[a], free[b] = free[b], free[a] })
		chosen := free[:1+rng.IntN(min(4, len(free)))]
		want := verdict(p, chosen)
		deciding := p.OrphanRuleSeats(chosen)
		if len(seating.Orphans(p, chosen)) > 0 {
			stranding++
		}
		cases++
		for _, r := range p.Layout.Rows {
			for _, c := range r.Cells {
				id := theatre.SeatID(r.Label, c.Number)
				if c.Gap || c.Blocked || slices.Contains(chosen, id) {
					continue
				}
				q := clonePlan(p, rng)
				if q.Status[id] == seating.Available {
					q.Status[id] = seating.Taken
				} else {
					q.Status[id] = seating.Available
				}
				got := verdict(q, chosen)
				if slices.Contains(deciding, id) {
					if got != want {
						insideMattered++
					}
					continue
				}
				if got != want {
					t.Fatalf("case %d: choosing %v, %s is not among the deciding seats %v, yet flipping it changes the verdict from %s to %s%s",
						i, chosen, id, deciding, want, got, draw(p, chosen))
				}
			}
		}
	}
	if cases < 3000 || stranding < 300 || insideMattered < 300 {
		t.Errorf("weak coverage: %d cases, %d stranding, %d flips inside that mattered", cases, stranding, insideMattered)
	}
}

// TestOrphanRuleSeats pins the set on drawn rows.
func TestOrphanRuleSeats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, row string
		want      []string
	}{
		{"a block that strands nothing: two seats each side", "A: 1 2 3 4* 5* 6 7 8 9", []string{"A2", "A3", "A6", "A7"}},
		{"at the row end", "A: 1* 2* 3 4 5 6", []string{"A3", "A4"}},
		{"a gap is left out", "A: 1 2 _ 3* 4 5", []string{"A2", "A4", "A5"}},
		{"a seat blocked in the layout is left out", "A: 1 2 3* 4# 5 6", []string{"A1", "A2", "A5"}},
		{"taken seats count", "A: 1 2x 3* 4 5 6x", []string{"A1", "A2", "A4", "A5"}},
		{"a row where the choice strands a seat: all of it", "B: 1 2 3 4 5 6\nA: 1 2* 3 4 5 6", []string{"A1", "A3", "A4", "A5", "A6"}},
		{"two rows, one stranding", "B: 1 2 3* 4 5 6 7 8\nA: 1 2* 3 4 5", []string{"B1", "B2", "B4", "B5", "A1", "A3", "A4", "A5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, chosen := parse(t, tc.row)
			if got := p.OrphanRuleSeats(chosen); !slices.Equal(got, tc.want) {
				t.Errorf("OrphanRuleSeats(%v) = %v, want %v%s", chosen, got, tc.want, draw(p, chosen))
			}
		})
	}
}
