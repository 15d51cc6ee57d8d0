package seating_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/marquee-cinema/marquee/internal/booking/seating"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// parse builds a plan from a drawing, one line a row, from the back of the hall to the screen:
//
//	B RECLINER: 1 2 3 _ 4 5 6
//	A:          1 2x 3# 4! 5w 6c 7* 8@VIP
//
// The header is the row label and, optionally, the row's category (default STD). Each token is
// "_" for a gap or a seat number followed by marks: x Taken, ! Blocked by status, # blocked in
// the layout, w wheelchair space, c companion seat, * chosen; and optionally @CODE for a seat
// of another category than its row. parse returns the plan and the chosen seats in plan order.
func parse(t testing.TB, drawing string) (seating.Plan, []string) {
	t.Helper()
	p := seating.Plan{Status: map[string]seating.Status{}}
	var chosen []string
	cats := map[string]bool{}
	addCat := func(code string) {
		if !cats[code] {
			cats[code] = true
			p.Layout.Categories = append(p.Layout.Categories, theatre.SeatCategory{Code: code, Name: code})
		}
	}
	for line := range strings.Lines(drawing) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		head, body, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("parse: line %q has no colon", line)
		}
		fields := strings.Fields(head)
		row := theatre.Row{Label: fields[0]}
		rowCat := "STD"
		if len(fields) > 1 {
			rowCat = fields[1]
		}
		for _, tok := range strings.Fields(body) {
			if tok == "_" {
				row.Cells = append(row.Cells, theatre.Cell{Gap: true})
				continue
			}
			tok, cat, hasCat := strings.Cut(tok, "@")
			if !hasCat {
				cat = rowCat
			}
			addCat(cat)
			digits := strings.TrimRight(tok, "x!#wc*")
			n, err := strconv.Atoi(digits)
			if err != nil {
				t.Fatalf("parse: bad seat %q in %q", tok, line)
			}
			marks := tok[len(digits):]
			c := theatre.Cell{Number: n, Category: cat, Blocked: strings.Contains(marks, "#"),
				Accessible: strings.Contains(marks, "w"), Companion: strings.Contains(marks, "c")}
			id := theatre.SeatID(row.Label, n)
			switch {
			case strings.Contains(marks, "x"):
				p.Status[id] = seating.Taken
			case strings.Contains(marks, "!"):
				p.Status[id] = seating.Blocked
			}
			if strings.Contains(marks, "*") {
				chosen = append(chosen, id)
			}
			row.Cells = append(row.Cells, c)
		}
		p.Layout.Rows = append(p.Layout.Rows, row)
	}
	return p, chosen
}

// draw renders a plan with ids marked [like this], for failure messages.
func draw(p seating.Plan, ids []string) string {
	var b strings.Builder
	for _, r := range p.Layout.Rows {
		fmt.Fprintf(&b, "\n  %3s:", r.Label)
		for _, c := range r.Cells {
			if c.Gap {
				b.WriteString("   _")
				continue
			}
			id := theatre.SeatID(r.Label, c.Number)
			s := strconv.Itoa(c.Number)
			switch {
			case c.Blocked:
				s += "#"
			case p.Status[id] == seating.Taken:
				s += "x"
			case p.Status[id] != seating.Available:
				s += "!"
			}
			if c.Accessible {
				s += "w"
			}
			if c.Companion {
				s += "c"
			}
			if slices.Contains(ids, id) {
				s = "[" + s + "]"
			}
			fmt.Fprintf(&b, " %3s", s)
		}
	}
	return b.String()
}

// cellRef is a seat found by id, for the oracles.
type cellRef struct {
	row, col int
	cell     theatre.Cell
}

// find looks a seat up the slow, obvious way.
func find(p seating.Plan, id string) (cellRef, bool) {
	for ri, r := range p.Layout.Rows {
		for ci, c := range r.Cells {
			if !c.Gap && theatre.SeatID(r.Label, c.Number) == id {
				return cellRef{ri, ci, c}, true
			}
		}
	}
	return cellRef{}, false
}

// available is the oracle's reading of a cell: a seat, not blocked in the layout, and either
// absent from the status map or Available there.
func available(p seating.Plan, row, col int) bool {
	r := p.Layout.Rows[row]
	if col < 0 || col >= len(r.Cells) || r.Cells[col].Gap || r.Cells[col].Blocked {
		return false
	}
	return p.Status[theatre.SeatID(r.Label, r.Cells[col].Number)] == seating.Available
}

// naiveOrphans is the definition of an orphan written out cell by cell.
func naiveOrphans(p seating.Plan, chosen []string) []string {
	picked := map[[2]int]bool{}
	for _, id := range chosen {
		if ref, ok := find(p, id); ok && available(p, ref.row, ref.col) {
			picked[[2]int{ref.row, ref.col}] = true
		}
	}
	var out []string
	for ri, r := range p.Layout.Rows {
		for ci, c := range r.Cells {
			if !available(p, ri, ci) || picked[[2]int{ri, ci}] {
				continue
			}
			leftPicked, rightPicked := picked[[2]int{ri, ci - 1}], picked[[2]int{ri, ci + 1}]
			leftWall := leftPicked || !available(p, ri, ci-1)
			rightWall := rightPicked || !available(p, ri, ci+1)
			if leftWall && rightWall && (leftPicked || rightPicked) {
				out = append(out, theatre.SeatID(r.Label, c.Number))
			}
		}
	}
	return out
}

// errCode returns err's *errs.Error, failing the test when there is none.
func asErr(t testing.TB, err error) *errs.Error {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want an *errs.Error", err, err)
	}
	return e
}

// clonePlan copies a plan deeply, re-inserting the status map in a random order.
func clonePlan(p seating.Plan, rng *rand.Rand) seating.Plan {
	q := seating.Plan{BestView: p.BestView}
	q.Layout.Categories = slices.Clone(p.Layout.Categories)
	for _, r := range p.Layout.Rows {
		q.Layout.Rows = append(q.Layout.Rows, theatre.Row{Label: r.Label, Cells: slices.Clone(r.Cells)})
	}
	keys := make([]string, 0, len(p.Status))
	for k := range p.Status {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	q.Status = make(map[string]seating.Status, len(keys))
	for _, k := range keys {
		q.Status[k] = p.Status[k]
	}
	return q
}

// rowLabel is the i-th spreadsheet-style row label: A … Z, AA, AB, …
func rowLabel(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// genOptions shape randomPlan.
type genOptions struct {
	maxRows, maxCells int
	categories        []string
}

// randomPlan builds a random valid plan: rows of random widths with aisles, a category per row
// (now and then per seat), wheelchair and companion seats, seats blocked in the layout, and a
// random share of seats Taken or Blocked by status.
func randomPlan(rng *rand.Rand, o genOptions) seating.Plan {
	var p seating.Plan
	for _, c := range o.categories {
		p.Layout.Categories = append(p.Layout.Categories, theatre.SeatCategory{Code: c, Name: c})
	}
	p.Status = map[string]seating.Status{}
	taken := rng.Float64() * 0.8
	rows := 1 + rng.IntN(o.maxRows)
	for ri := range rows {
		r := theatre.Row{Label: rowLabel(rows - 1 - ri)}
		rowCat := o.categories[rng.IntN(len(o.categories))]
		mixed := rng.IntN(5) == 0
		n := 0
		for range 1 + rng.IntN(o.maxCells) {
			if rng.IntN(7) == 0 {
				r.Cells = append(r.Cells, theatre.Cell{Gap: true})
				continue
			}
			n++
			c := theatre.Cell{Number: n, Category: rowCat, Blocked: rng.IntN(25) == 0}
			if mixed {
				c.Category = o.categories[rng.IntN(len(o.categories))]
			}
			switch rng.IntN(10) {
			case 0:
				c.Accessible = true
			case 1:
				c.Companion = true
			}
			id := theatre.SeatID(r.Label, n)
			if rng.Float64() < taken {
				p.Status[id] = seating.Taken
				if rng.IntN(6) == 0 {
					p.Status[id] = seating.Blocked
				}
			} else if rng.IntN(10) == 0 {
				p.Status[id] = seating.Available // explicit entries behave like absent ones
			}
			r.Cells = append(r.Cells, c)
		}
		p.Layout.Rows = append(p.Layout.Rows, r)
	}
	if rng.IntN(3) == 0 {
		p.BestView = &seating.BestView{RowFraction: rng.Float64(), ColumnFraction: rng.Float64()}
	}
	return p
}

// eligible is the oracle's reading of BestAvailable's seat rule.
func eligible(p seating.Plan, row, col int, category string, accessible bool, count int) bool {
	if !available(p, row, col) {
		return false
	}
	c := p.Layout.Rows[row].Cells[col]
	if c.Category != category {
		return false
	}
	if accessible {
		return c.Accessible || c.Companion && count > 1
	}
	return !c.Accessible
}

// placement is a candidate result of BestAvailable as the oracle sees it.
type placement struct {
	rows, orphans int
	cost          float64
	ids           []string
}

// viewCost is the package documentation's metric, written out directly.
func viewCost(p seating.Plan, row, first, last int) float64 {
	rf, cf := 1.0/3, 0.5
	if p.BestView != nil {
		rf, cf = p.BestView.RowFraction, p.BestView.ColumnFraction
	}
	var x, y float64
	if w := len(p.Layout.Rows[row].Cells); w > 1 {
		x = (float64(first+last)/2)/float64(w-1) - cf
	}
	if n := len(p.Layout.Rows); n > 1 {
		y = float64(row)/float64(n-1) - rf
	}
	return float64(last-first+1) * (x*x + y*y)
}

// bruteBest enumerates every placement BestAvailable may return — for each number of rows m,
// each window of m neighbouring rows, each way to share count among them and each position of
// each share — and returns the best by (rows, orphans, cost), or false when there is none.
// Only for small plans.
func bruteBest(p seating.Plan, count int, category string, accessible bool) (placement, bool) {
	var cats []string
	if category != "" {
		cats = []string{category}
	} else {
		for _, c := range p.Layout.Categories {
			cats = append(cats, c.Code)
		}
	}
	var best placement
	found := false
	consider := func(c placement) {
		if !found || c.rows < best.rows || c.rows == best.rows && (c.orphans < best.orphans ||
			c.orphans == best.orphans && c.cost < best.cost-1e-12) {
			best, found = c, true
		}
	}
	rows := len(p.Layout.Rows)
	for _, cat := range cats {
		// blocks[r] lists every valid block of row r as [first, last] cells.
		blocks := make([][][2]int, rows)
		for r := range rows {
			w := len(p.Layout.Rows[r].Cells)
			for a := range w {
				hasW := false
				for b := a; b < w && b-a+1 <= count && eligible(p, r, b, cat, accessible, count); b++ {
					hasW = hasW || p.Layout.Rows[r].Cells[b].Accessible
					if !accessible || hasW {
						blocks[r] = append(blocks[r], [2]int{a, b})
					}
				}
			}
		}
		for m := 1; m <= min(count, rows); m++ {
			for first := 0; first+m <= rows; first++ {
				var rec func(j, left int, ids []string, cost float64)
				rec = func(j, left int, ids []string, cost float64) {
					if j == m {
						if left == 0 {
							consider(placement{rows: m, orphans: len(naiveOrphans(p, ids)), cost: cost, ids: slices.Clone(ids)})
						}
						return
					}
					r := first + j
					for _, bl := range blocks[r] {
						size := bl[1] - bl[0] + 1
						if size > left-(m-j-1) || (j == m-1 && size != left) {
							continue
						}
						next := ids
						for c := bl[0]; c <= bl[1]; c++ {
							next = append(next, theatre.SeatID(p.Layout.Rows[r].Label, p.Layout.Rows[r].Cells[c].Number))
						}
						rec(j+1, left-size, next, cost+viewCost(p, r, bl[0], bl[1]))
					}
				}
				rec(0, count, nil, 0)
			}
		}
	}
	return best, found
}

// checkResult verifies the invariants every BestAvailable result keeps and returns the
// placement it stands for.
func checkResult(t testing.TB, p seating.Plan, count int, category string, accessible bool, ids []string) placement {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("BestAvailable(count %d, category %q, accessible %v) = %v: %s%s", count, category, accessible,
			ids, fmt.Sprintf(format, args...), draw(p, ids))
	}
	if len(ids) != count {
		fail("want %d seats", count)
	}
	var refs []cellRef
	for i, id := range ids {
		ref, ok := find(p, id)
		if !ok {
			fail("no seat %s", id)
		}
		if !available(p, ref.row, ref.col) {
			fail("seat %s is not available", id)
		}
		if category != "" && ref.cell.Category != category {
			fail("seat %s is %s", id, ref.cell.Category)
		}
		if ref.cell.Category != refs0(refs, ref).cell.Category {
			fail("categories are mixed")
		}
		if accessible && !ref.cell.Accessible && !(ref.cell.Companion && count > 1) {
			fail("seat %s is not accessible", id)
		}
		if !accessible && ref.cell.Accessible {
			fail("seat %s is a wheelchair space", id)
		}
		if i > 0 {
			prev := refs[i-1]
			if ref.row < prev.row || ref.row == prev.row && ref.col <= prev.col {
				fail("seats are not in row, column order")
			}
			if ref.row == prev.row && ref.col != prev.col+1 {
				fail("a row's part is not adjacent seats")
			}
			if ref.row != prev.row && ref.row != prev.row+1 {
				fail("rows are not neighbours")
			}
		}
		refs = append(refs, ref)
	}
	pl := placement{ids: ids, orphans: len(naiveOrphans(p, ids))}
	for i := 0; i < len(refs); {
		j := i
		hasW := false
		for j < len(refs) && refs[j].row == refs[i].row {
			hasW = hasW || refs[j].cell.Accessible
			j++
		}
		if accessible && !hasW {
			fail("row %d's part has no wheelchair space", refs[i].row)
		}
		pl.rows++
		pl.cost += viewCost(p, refs[i].row, refs[i].col, refs[j-1].col)
		i = j
	}
	if got := seating.Orphans(p, ids); !slices.Equal(got, naiveOrphans(p, ids)) {
		fail("Orphans = %v, the definition says %v", got, naiveOrphans(p, ids))
	}
	if err := seating.CheckSelection(p, ids, false); err != nil {
		fail("CheckSelection without the orphan rule: %v", err)
	}
	if pl.orphans == 0 {
		if err := seating.CheckSelection(p, ids, true); err != nil {
			fail("CheckSelection of an orphan-free pick: %v", err)
		}
	}
	return pl
}

func refs0(refs []cellRef, ref cellRef) cellRef {
	if len(refs) == 0 {
		return ref
	}
	return refs[0]
}

// closeTo compares view costs computed in two ways.
func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-9*(1+math.Abs(b)) }
