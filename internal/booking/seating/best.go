package seating

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// BestAvailable picks count seats (1..MaxSeats) for a customer: of category when it is not
// empty (else of any one category), wheelchair spaces and their companion seats when
// accessible, never a Taken or Blocked seat. It prefers one block of adjacent seats in one row,
// then a split over the fewest neighbouring rows; then fewer stranded seats; then the place
// nearest the plan's best-view point. The package documentation defines each rule.
//
// It returns the seat ids in row, then column order, errs.Invalid for a count out of range or
// an unknown category, or errs.SeatUnavailable when the seats cannot be found, saying how many
// are left together or at all.
func BestAvailable(p Plan, count int, category string, accessible bool) ([]string, error) {
	if count < 1 || count > MaxSeats {
		return nil, errs.Invalidf("count", "ask for between 1 and %d seats, not %d", MaxSeats, count)
	}
	g := newGrid(&p)
	want := -1
	if c := strings.TrimSpace(category); c != "" {
		if want = g.category(c); want < 0 {
			return nil, errs.Invalidf("category", "this hall has no seat category %s", printable(c))
		}
	}
	rowFrac, colFrac := p.view()
	s := searcher{g: &g, count: count, accessible: accessible, rowFrac: rowFrac, colFrac: colFrac,
		best: make([]block, len(g.rows)*(count+1)), largest: make([]int, len(g.rows))}
	var best result
	total, together := 0, 0
	for cat := range g.cats {
		if want >= 0 && cat != want {
			continue
		}
		r := s.search(cat)
		total += r.eligible
		together = max(together, r.together)
		if r.ok && (!best.ok || r.less(&best)) {
			best = r
		}
	}
	if !best.ok {
		code := ""
		if want >= 0 {
			code = g.cats[want]
		}
		return nil, shortage(count, total, together, code, accessible)
	}
	ids := make([]string, 0, count)
	for _, pt := range best.parts[:best.rows] {
		r := &p.Layout.Rows[pt.row]
		for c := pt.col; c < pt.col+pt.size; c++ {
			ids = append(ids, theatre.SeatID(r.Label, r.Cells[c].Number))
		}
	}
	return ids, nil
}

// shortage is the error for a request that cannot be met.
func shortage(count, total, together int, category string, accessible bool) error {
	noun := func(n int) string {
		s := "seat"
		if category != "" {
			s = category + " " + s
		}
		if accessible {
			s = "accessible " + s
		}
		if n == 1 {
			return s + " is"
		}
		return s + "s are"
	}
	var msg string
	switch {
	case total == 0 || together == 0:
		msg = "no " + noun(2) + " left"
	case total < count:
		msg = fmt.Sprintf("only %d %s left at all", total, noun(total))
	default:
		msg = fmt.Sprintf("only %d %s left together", together, noun(together))
	}
	return errs.E(errs.SeatUnavailable, "%s", msg).
		WithDetail("available", strconv.Itoa(total)).
		WithDetail("together", strconv.Itoa(together))
}

// What a cell of the grid is.
const (
	gapCell  = iota // a gap (aisle)
	wallCell        // a Taken or Blocked seat
	freeCell        // an Available seat
)

// gridCell is a cell of the plan reduced to what the search needs.
type gridCell struct {
	kind       uint8
	wheelchair bool
	companion  bool
	category   int32 // index into grid.cats
}

// grid is the plan flattened: every cell with its status looked up once.
type grid struct {
	cells []gridCell
	rows  []int // rows[r] is the index in cells of row r's first cell; row r ends at rows[r+1]
	cats  []string
}

func newGrid(p *Plan) grid {
	n := 0
	for i := range p.Layout.Rows {
		n += len(p.Layout.Rows[i].Cells)
	}
	g := grid{cells: make([]gridCell, 0, n), rows: make([]int, len(p.Layout.Rows)+1),
		cats: make([]string, 0, len(p.Layout.Categories))}
	for _, c := range p.Layout.Categories {
		g.cats = append(g.cats, c.Code)
	}
	last := int32(0)
	for ri := range p.Layout.Rows {
		r := &p.Layout.Rows[ri]
		g.rows[ri] = len(g.cells)
		for ci := range r.Cells {
			c := &r.Cells[ci]
			if c.Gap {
				g.cells = append(g.cells, gridCell{kind: gapCell})
				continue
			}
			kind := uint8(freeCell)
			if p.seatStatus(r.Label, c) != Available {
				kind = wallCell
			}
			if int(last) >= len(g.cats) || g.cats[last] != c.Category {
				last = g.index(c.Category)
			}
			g.cells = append(g.cells, gridCell{kind: kind, wheelchair: c.Accessible, companion: c.Companion, category: last})
		}
	}
	g.rows[len(p.Layout.Rows)] = len(g.cells)
	return g
}

// index returns the index of category code, adding it when the layout's list lacks it.
func (g *grid) index(code string) int32 {
	for i, c := range g.cats {
		if c == code {
			return int32(i)
		}
	}
	g.cats = append(g.cats, code)
	return int32(len(g.cats) - 1)
}

// category returns the index of the category matching code regardless of case, or -1.
func (g *grid) category(code string) int {
	for i, c := range g.cats {
		if strings.EqualFold(c, code) {
			return i
		}
	}
	return -1
}

func (g *grid) row(r int) []gridCell { return g.cells[g.rows[r]:g.rows[r+1]] }

// block is the best block of one size found in one row.
type block struct {
	ok      bool
	orphans int
	cost    float64
	col     int // the block's first cell
}

// part is one row's share of a result.
type part struct{ row, col, size int }

// result is the best placement found in one category.
type result struct {
	ok       bool
	rows     int // parts used, one per row
	orphans  int
	cost     float64
	parts    [MaxSeats]part
	eligible int // eligible seats in all
	together int // the largest group that could be placed (filled in on failure)
}

// less ranks results: fewer rows, fewer orphans, lower cost, then the first part's row and
// column.
func (r *result) less(o *result) bool {
	switch {
	case r.rows != o.rows:
		return r.rows < o.rows
	case r.orphans != o.orphans:
		return r.orphans < o.orphans
	case r.cost != o.cost:
		return r.cost < o.cost
	case r.parts[0].row != o.parts[0].row:
		return r.parts[0].row < o.parts[0].row
	}
	return r.parts[0].col < o.parts[0].col
}

// searcher finds the best placement of count seats in one category at a time.
type searcher struct {
	g                *grid
	count            int
	accessible       bool
	rowFrac, colFrac float64
	best             []block // best[r*(count+1)+size]: the best block of size seats in row r
	largest          []int   // largest[r]: the largest block below count seats row r can take
}

func (s *searcher) eligible(c gridCell, cat int) bool {
	if c.kind != freeCell || int(c.category) != cat {
		return false
	}
	if s.accessible {
		return c.wheelchair || c.companion && s.count > 1
	}
	return !c.wheelchair
}

// search finds the best placement in category cat.
func (s *searcher) search(cat int) result {
	var res result
	rows := len(s.g.rows) - 1
	stride := s.count + 1
	// One block of count seats in one row.
	for r := range rows {
		s.best[r*stride+s.count] = block{}
		res.eligible += s.scanRow(r, cat, s.count, s.count)
	}
	for r := range rows {
		b := &s.best[r*stride+s.count]
		if b.ok && (!res.ok || b.orphans < res.orphans || b.orphans == res.orphans && b.cost < res.cost) {
			res.ok, res.rows, res.orphans, res.cost = true, 1, b.orphans, b.cost
			res.parts[0] = part{row: r, col: b.col, size: s.count}
		}
	}
	if res.ok || res.eligible == 0 || s.count == 1 {
		return res // with count 1, any eligible seat would have been found
	}
	// Split over m neighbouring rows, the fewest first.
	for r := range rows {
		clear(s.best[r*stride : r*stride+s.count])
		s.scanRow(r, cat, 1, s.count-1)
	}
	// largest[r] is the largest block row r can take; every smaller size fits too.
	for r := range rows {
		s.largest[r] = 0
		for size := s.count - 1; size >= 1; size-- {
			if s.best[r*stride+size].ok {
				s.largest[r] = size
				break
			}
		}
	}
	if res.eligible >= s.count {
		for m := 2; m <= min(s.count, rows); m++ {
			for first := 0; first+m <= rows; first++ {
				if s.fits(first, m) {
					s.window(first, m, &res)
				}
			}
			if res.ok {
				return res
			}
		}
	}
	// No placement: the largest group that fits in neighbouring rows.
	sum := 0
	for r := range rows {
		if s.largest[r] == 0 {
			sum = 0
			continue
		}
		sum += s.largest[r]
		res.together = max(res.together, min(sum, s.count-1))
	}
	return res
}

// fits reports whether rows first..first+m-1 can hold count seats, one block in each row.
func (s *searcher) fits(first, m int) bool {
	sum := 0
	for _, l := range s.largest[first : first+m] {
		if l == 0 {
			return false
		}
		sum += l
	}
	return sum >= s.count
}

// window finds the best split of count seats over rows first..first+m-1, one block in each,
// and keeps it in res when it ranks above what res holds. best must hold every size below
// count for those rows.
func (s *searcher) window(first, m int, res *result) {
	type state struct {
		ok      bool
		orphans int
		cost    float64
		size    int // the last row's share
	}
	// dp[j][t]: the best way to seat t people in the window's first j rows, one block a row.
	var dp [MaxSeats + 1][MaxSeats + 1]state
	dp[0][0].ok = true
	stride := s.count + 1
	for j := 1; j <= m; j++ {
		row := s.best[(first+j-1)*stride : (first+j)*stride]
		if !row[1].ok { // a row without a single eligible seat breaks the window
			return
		}
		for t := j; t <= s.count-(m-j); t++ {
			cur := &dp[j][t]
			for size := 1; size <= t-(j-1); size++ {
				prev, b := &dp[j-1][t-size], &row[size]
				if !prev.ok || !b.ok {
					continue
				}
				o, c := prev.orphans+b.orphans, prev.cost+b.cost
				if !cur.ok || o < cur.orphans || o == cur.orphans && c < cur.cost {
					*cur = state{ok: true, orphans: o, cost: c, size: size}
				}
			}
		}
	}
	end := &dp[m][s.count]
	if !end.ok || res.ok && (res.orphans < end.orphans || res.orphans == end.orphans && res.cost <= end.cost) {
		return
	}
	res.ok, res.rows, res.orphans, res.cost = true, m, end.orphans, end.cost
	for j, t := m, s.count; j >= 1; j-- {
		size := dp[j][t].size
		res.parts[j-1] = part{row: first + j - 1, col: s.best[(first+j-1)*stride+size].col, size: size}
		t -= size
	}
}

// scanRow evaluates every block of lo..hi adjacent eligible seats in row r, keeps the best of
// each size in s.best, and returns the number of eligible seats in the row.
func (s *searcher) scanRow(r, cat, lo, hi int) int {
	cells := s.g.row(r)
	w := len(cells)
	dy := s.offset(2*r, len(s.g.rows)-1, s.rowFrac)
	dy2 := dy * dy
	bests := s.best[r*(s.count+1) : (r+1)*(s.count+1)]
	eligible := 0
	for a := 0; a < w; {
		if !s.eligible(cells[a], cat) {
			a++
			continue
		}
		b := a
		for b+1 < w && s.eligible(cells[b+1], cat) {
			b++
		}
		eligible += b - a + 1
		for size := lo; size <= hi && size <= b-a+1; size++ {
			for st := a; st+size-1 <= b; st++ {
				end := st + size - 1
				if s.accessible && !hasWheelchair(cells[st:end+1]) {
					continue
				}
				o := strands(cells, st-1, -1) + strands(cells, end+1, 1)
				dx := s.offset(st+end, w, s.colFrac)
				cost := float64(size) * (dx*dx + dy2)
				if bb := &bests[size]; !bb.ok || o < bb.orphans || o == bb.orphans && cost < bb.cost {
					*bb = block{ok: true, orphans: o, cost: cost, col: st}
				}
			}
		}
		a = b + 1
	}
	return eligible
}

// offset is the distance, in fractions of the extent, from twice a position (so that a block
// centre between two cells stays an integer) to the fraction at of an axis of n places. It is
// computed so that positions symmetric about the centre give exactly equal magnitudes.
func (s *searcher) offset(twice, n int, at float64) float64 {
	if n <= 1 {
		return 0
	}
	span := float64(n - 1)
	return (float64(twice) - 2*at*span) / (2 * span)
}

// strands reports (1 or 0) whether choosing the seat on the far side of cell i from dir
// strands the seat at i: it is free and the cell beyond it, in direction dir, is not.
func strands(cells []gridCell, i, dir int) int {
	if i < 0 || i >= len(cells) || cells[i].kind != freeCell {
		return 0
	}
	if j := i + dir; j >= 0 && j < len(cells) && cells[j].kind == freeCell {
		return 0
	}
	return 1
}

func hasWheelchair(cells []gridCell) bool {
	for _, c := range cells {
		if c.wheelchair {
			return true
		}
	}
	return false
}
