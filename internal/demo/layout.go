package demo

import (
	"fmt"
	"slices"

	"github.com/marquee-cinema/marquee/internal/theatre"
)

// Seat category codes used by every demo layout.
const (
	CategoryRecliner = "RECLINER"
	CategoryPrime    = "PRIME"
	CategoryClassic  = "CLASSIC"
)

// hallSpec describes a stadium-style hall: recliner rows at the back, prime rows in the middle
// and classic rows near the screen. Every row is split into blocks of seats with one aisle (a
// gap cell) between neighbouring blocks. Rows are labelled from A at the screen upwards, so the
// back row has the latest letter.
type hallSpec struct {
	// blocks is the number of seats per block in prime and classic rows, left to right.
	blocks []int
	// reclinerBlocks is the number of seats per block in recliner rows (recliners are wider);
	// each is at most the matching entry of blocks. A recliner block keeps to its aisle: the
	// first block is padded on the left, the last on the right, middle ones on both sides.
	reclinerBlocks []int
	// Row counts, from the back of the hall to the screen.
	recliner, prime, classic int
	// accessiblePairs is 1 or 2: wheelchair places, each with a companion seat beside it, on
	// the aisle side of the first block and, with 2, of the last block too. They are in the
	// easy-access row: the back-most prime row, on the cross aisle behind the recliners.
	accessiblePairs int
	// blocked lists seat ids (e.g. "A1") that are not sold, such as seats behind a pillar.
	blocked []string
}

// block returns a copy of h with the given seats blocked as well.
func (h hallSpec) block(seatIDs ...string) hallSpec {
	h.blocked = slices.Concat(h.blocked, seatIDs)
	return h
}

// The demo's hall designs.
var (
	// smallHall: 18 seats a row in blocks of 4-10-4, 2 recliner rows of 10, 182 seats.
	smallHall = hallSpec{blocks: []int{4, 10, 4}, reclinerBlocks: []int{2, 6, 2},
		recliner: 2, prime: 6, classic: 3, accessiblePairs: 1}
	// mediumHall: 24 seats a row in blocks of 5-14-5, 2 recliner rows of 14, 292 seats.
	mediumHall = hallSpec{blocks: []int{5, 14, 5}, reclinerBlocks: []int{3, 8, 3},
		recliner: 2, prime: 7, classic: 4, accessiblePairs: 2}
	// largeHall: 28 seats a row in blocks of 6-16-6, 3 recliner rows of 18, 390 seats.
	largeHall = hallSpec{blocks: []int{6, 16, 6}, reclinerBlocks: []int{4, 10, 4},
		recliner: 3, prime: 8, classic: 4, accessiblePairs: 2}
	// centreAisleHall: a narrower hall with a single centre aisle, 10+10 seats a row, 224 seats.
	centreAisleHall = hallSpec{blocks: []int{10, 10}, reclinerBlocks: []int{6, 6},
		recliner: 2, prime: 6, classic: 4, accessiblePairs: 2}
	// imaxHall: a wide IMAX hall, 30 seats a row in blocks of 6-18-6, 420 seats.
	imaxHall = hallSpec{blocks: []int{6, 18, 6}, reclinerBlocks: []int{4, 12, 4},
		recliner: 3, prime: 8, classic: 4, accessiblePairs: 2}
	// fourDXHall: motion seats come in sets of four, 4-8-4 in every row, 160 seats.
	fourDXHall = hallSpec{blocks: []int{4, 8, 4}, reclinerBlocks: []int{4, 8, 4},
		recliner: 2, prime: 5, classic: 3, accessiblePairs: 1}
)

// layout builds the hall's seat plan. It panics when the spec is inconsistent (it is static
// data, checked by the tests).
func (h hallSpec) layout() theatre.Layout {
	if len(h.reclinerBlocks) != len(h.blocks) {
		panic("demo: reclinerBlocks and blocks differ in length")
	}
	total := h.recliner + h.prime + h.classic
	if total < 1 || total > 26 {
		panic(fmt.Sprintf("demo: a hall has 1 to 26 rows, not %d", total))
	}
	l := theatre.Layout{Categories: []theatre.SeatCategory{
		{Code: CategoryRecliner, Name: "Recliner"},
		{Code: CategoryPrime, Name: "Prime"},
		{Code: CategoryClassic, Name: "Classic"},
	}}
	accessRow := h.recliner
	for i := range total { // i = 0 is the back row
		label := string(rune('A' + total - 1 - i))
		cat, seats := CategoryClassic, h.blocks
		switch {
		case i < h.recliner:
			cat, seats = CategoryRecliner, h.reclinerBlocks
		case i < h.recliner+h.prime:
			cat = CategoryPrime
		}
		row, blockCells := h.row(label, cat, seats)
		if i == accessRow {
			first := blockCells[0]
			markAccessible(&row, first[len(first)-1], first[len(first)-2])
			if h.accessiblePairs >= 2 {
				last := blockCells[len(blockCells)-1]
				markAccessible(&row, last[0], last[1])
			}
		}
		l.Rows = append(l.Rows, row)
	}
	for _, id := range h.blocked {
		if !blockSeat(&l, id) {
			panic(fmt.Sprintf("demo: blocked seat %s is not in the layout", id))
		}
	}
	return l
}

// row builds one row of seats in the hall's block structure and returns, per block, the cell
// indices of its seats.
func (h hallSpec) row(label, category string, seats []int) (theatre.Row, [][]int) {
	r := theatre.Row{Label: label}
	gaps := func(n int) {
		for range n {
			r.Cells = append(r.Cells, theatre.Cell{Gap: true})
		}
	}
	number := 0
	blockCells := make([][]int, len(seats))
	for j, n := range seats {
		if j > 0 {
			gaps(1) // the aisle
		}
		pad := h.blocks[j] - n
		if pad < 0 {
			panic(fmt.Sprintf("demo: row %s block %d has %d seats in a block of %d", label, j, n, h.blocks[j]))
		}
		var before int
		switch {
		case len(seats) == 1:
			before = pad / 2
		case j == 0:
			before = pad
		case j == len(seats)-1:
			before = 0
		default:
			before = pad / 2
		}
		gaps(before)
		for range n {
			number++
			blockCells[j] = append(blockCells[j], len(r.Cells))
			r.Cells = append(r.Cells, theatre.Cell{Number: number, Category: category})
		}
		gaps(pad - before)
	}
	return r, blockCells
}

func markAccessible(r *theatre.Row, accessible, companion int) {
	r.Cells[accessible].Accessible = true
	r.Cells[companion].Companion = true
}

func blockSeat(l *theatre.Layout, seatID string) bool {
	for ri := range l.Rows {
		r := &l.Rows[ri]
		for ci := range r.Cells {
			if c := &r.Cells[ci]; !c.Gap && theatre.SeatID(r.Label, c.Number) == seatID {
				c.Blocked = true
				return true
			}
		}
	}
	return false
}
