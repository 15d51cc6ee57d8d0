package seating

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/marquee-cinema/marquee/internal/theatre"
)

// Status of a seat for a selection.
type Status uint8

// The statuses. The zero value is Available, so a seat missing from Plan.Status is available.
const (
	// Available seats may be chosen.
	Available Status = iota
	// Taken seats are held or booked by others.
	Taken
	// Blocked seats are not for sale for this show.
	Blocked
)

// String returns the status name, e.g. "Taken".
func (s Status) String() string {
	switch s {
	case Available:
		return "Available"
	case Taken:
		return "Taken"
	case Blocked:
		return "Blocked"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// MaxSeats is the most seats one selection, and one BestAvailable request, may hold.
const MaxSeats = 10

// The default best-view point: the centre of the row a third of the way from the back row to
// the front row.
const (
	DefaultRowFraction    = 1.0 / 3
	DefaultColumnFraction = 0.5
)

// Plan is a show's seat plan for selection: the layout plus each seat's status.
type Plan struct {
	Layout theatre.Layout
	// Status maps a seat id to its status; an absent id is Available unless the layout marks
	// the seat blocked (the layout wins). Values other than the three statuses count as Taken.
	Status map[string]Status
	// BestView is the point BestAvailable draws seats to; nil means the default.
	BestView *BestView
}

// BestView is the best place to watch from, in fractions of the hall.
type BestView struct {
	// RowFraction is the depth: 0 is the back row (Layout.Rows[0]), 1 the front row; row r of
	// R rows is at r/(R-1). The default is 1/3: a third of the way from the back to the front.
	RowFraction float64
	// ColumnFraction is across a row: 0 is the first cell, 1 the last; cell c of a row of W
	// cells (gaps included) is at c/(W-1). The default is 0.5, the centre.
	ColumnFraction float64
}

// view returns the best-view point with defaults filled in and fractions clamped to [0, 1].
func (p *Plan) view() (row, col float64) {
	row, col = DefaultRowFraction, DefaultColumnFraction
	if p.BestView != nil {
		row = fraction(p.BestView.RowFraction, DefaultRowFraction)
		col = fraction(p.BestView.ColumnFraction, DefaultColumnFraction)
	}
	return row, col
}

func fraction(v, def float64) float64 {
	switch {
	case math.IsNaN(v):
		return def
	case v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}

// Cell returns the layout cell of the seat whose id is id, without building an index.
func (p *Plan) Cell(id string) (theatre.Cell, bool) {
	ps, ok := p.locate(id)
	if !ok {
		return theatre.Cell{}, false
	}
	return p.Layout.Rows[ps.row].Cells[ps.col], true
}

// pos is the place of a seat: indices into Layout.Rows and Row.Cells.
type pos struct{ row, col int }

func comparePos(a, b pos) int {
	if a.row != b.row {
		return a.row - b.row
	}
	return a.col - b.col
}

// locate finds the seat whose id is id. It allocates nothing: it matches the id against each
// row label and the number after it, so it needs no index of the layout.
func (p *Plan) locate(id string) (pos, bool) {
	for ri := range p.Layout.Rows {
		r := &p.Layout.Rows[ri]
		if len(id) <= len(r.Label) || !strings.HasPrefix(id, r.Label) {
			continue
		}
		n, ok := seatNumber(id[len(r.Label):])
		if !ok {
			continue
		}
		for ci := range r.Cells {
			if c := &r.Cells[ci]; !c.Gap && c.Number == n {
				return pos{ri, ci}, true
			}
		}
	}
	return pos{}, false
}

// seatNumber parses the number part of a seat id, accepting only the form strconv.Itoa
// prints, so that locate(id) finds a seat exactly when theatre.SeatID of it is id.
func seatNumber(s string) (int, bool) {
	neg := false
	if s != "" && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" || len(s) > 18 || s[0] == '0' && (len(s) > 1 || neg) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// cellAt returns the cell at ps.
func (p *Plan) cellAt(ps pos) *theatre.Cell { return &p.Layout.Rows[ps.row].Cells[ps.col] }

// seatStatus is the status of the seat c in the row labelled label; c is not a gap.
func (p *Plan) seatStatus(label string, c *theatre.Cell) Status {
	if c.Blocked {
		return Blocked
	}
	if len(p.Status) == 0 {
		return Available
	}
	var buf [24]byte
	b := append(buf[:0], label...)
	b = strconv.AppendInt(b, int64(c.Number), 10)
	return known(p.Status[string(b)]) // string(b) in a map index does not allocate
}

// free reports whether the cell at (row, col) is an Available seat; cells outside the row are
// not.
func (p *Plan) free(row, col int) bool {
	r := &p.Layout.Rows[row]
	if col < 0 || col >= len(r.Cells) || r.Cells[col].Gap {
		return false
	}
	return p.seatStatus(r.Label, &r.Cells[col]) == Available
}

// known maps statuses this package does not know to Taken.
func known(s Status) Status {
	if s > Blocked {
		return Taken
	}
	return s
}

// seatID is the id of the seat at ps.
func (p *Plan) seatID(ps pos) string {
	return theatre.SeatID(p.Layout.Rows[ps.row].Label, p.cellAt(ps).Number)
}

// RowSeats returns the ids of the seats, other than blocked ones, in every row that holds one
// of seatIDs (ids that are not seats of the layout are ignored), row by row, left to right.
// These are the seats whose status CheckSelection reads for seatIDs.
func (p *Plan) RowSeats(seatIDs []string) []string {
	var rows []int
	for _, id := range seatIDs {
		if ps, ok := p.locate(id); ok && !slices.Contains(rows, ps.row) {
			rows = append(rows, ps.row)
		}
	}
	slices.Sort(rows)
	var out []string
	for _, ri := range rows {
		r := &p.Layout.Rows[ri]
		for ci := range r.Cells {
			if c := &r.Cells[ci]; !c.Gap && !c.Blocked {
				out = append(out, theatre.SeatID(r.Label, c.Number))
			}
		}
	}
	return out
}
