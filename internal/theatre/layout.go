package theatre

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Layout limits.
const (
	MaxRows          = 60
	MaxCellsPerRow   = 80
	MaxSeats         = 1500
	MaxCategories    = 10
	MaxRowLabelLen   = 3
	MaxCategoryCode  = 20
	MaxSeatNumber    = 999
	maxCategoryName  = 60
	minCategoryCount = 1
)

// Layout is the seat plan of a screen: rows from the back of the hall to the screen, each a
// sequence of cells that are seats or gaps (aisles).
type Layout struct {
	Categories []SeatCategory
	Rows       []Row
}

// SeatCategory is a class of seat priced together, e.g. RECLINER.
type SeatCategory struct {
	Code string
	Name string
}

// Row is one row of cells, left to right as seen from the seats facing the screen.
type Row struct {
	Label string
	Cells []Cell
}

// Cell is a seat or, when Gap is set, an empty place (an aisle).
type Cell struct {
	Gap        bool
	Number     int
	Category   string
	Accessible bool
	Companion  bool
	Blocked    bool
}

// SeatID is the printed label of the seat in this cell of row: row label and number, e.g. C7.
func SeatID(rowLabel string, number int) string { return rowLabel + strconv.Itoa(number) }

// Seat is a seat of a layout, with its place.
type Seat struct {
	ID         string
	Row        int // index into Layout.Rows
	Column     int // index into Row.Cells
	Category   string
	Accessible bool
	Companion  bool
	Blocked    bool
}

// Seats returns every seat of the layout in row, then column order.
func (l *Layout) Seats() []Seat {
	var seats []Seat
	for ri, r := range l.Rows {
		for ci, c := range r.Cells {
			if c.Gap {
				continue
			}
			seats = append(seats, Seat{ID: SeatID(r.Label, c.Number), Row: ri, Column: ci, Category: c.Category,
				Accessible: c.Accessible, Companion: c.Companion, Blocked: c.Blocked})
		}
	}
	return seats
}

// SeatCount is the number of seats, blocked ones included.
func (l *Layout) SeatCount() int {
	n := 0
	for _, r := range l.Rows {
		for _, c := range r.Cells {
			if !c.Gap {
				n++
			}
		}
	}
	return n
}

// SellableSeatCount is the number of seats that are not blocked.
func (l *Layout) SellableSeatCount() int {
	n := 0
	for _, r := range l.Rows {
		for _, c := range r.Cells {
			if !c.Gap && !c.Blocked {
				n++
			}
		}
	}
	return n
}

// Normalize upper-cases codes and labels and clears the fields of gap cells.
func (l *Layout) Normalize() {
	for i := range l.Categories {
		l.Categories[i].Code = strings.ToUpper(strings.TrimSpace(l.Categories[i].Code))
		l.Categories[i].Name = strings.TrimSpace(l.Categories[i].Name)
	}
	for ri := range l.Rows {
		r := &l.Rows[ri]
		r.Label = strings.ToUpper(strings.TrimSpace(r.Label))
		for ci := range r.Cells {
			c := &r.Cells[ci]
			if c.Gap {
				*c = Cell{Gap: true}
				continue
			}
			c.Category = strings.ToUpper(strings.TrimSpace(c.Category))
		}
	}
}

// Validate checks a normalised layout. The error names the offending row or seat.
func (l *Layout) Validate() error {
	if len(l.Categories) < minCategoryCount || len(l.Categories) > MaxCategories {
		return errs.Invalidf("layout.categories", "a layout needs between %d and %d seat categories", minCategoryCount, MaxCategories)
	}
	cats := make(map[string]bool, len(l.Categories))
	for i, c := range l.Categories {
		field := fmt.Sprintf("layout.categories[%d]", i)
		if !validCode(c.Code) {
			return errs.Invalidf(field, "category code %q must be 1-%d letters, digits or underscores", c.Code, MaxCategoryCode)
		}
		if c.Name == "" || len(c.Name) > maxCategoryName {
			return errs.Invalidf(field, "category %s needs a name of at most %d characters", c.Code, maxCategoryName)
		}
		if cats[c.Code] {
			return errs.Invalidf(field, "category %s is listed twice", c.Code)
		}
		cats[c.Code] = true
	}
	if len(l.Rows) == 0 {
		return errs.Invalidf("layout.rows", "a layout needs at least one row")
	}
	if len(l.Rows) > MaxRows {
		return errs.Invalidf("layout.rows", "a layout has at most %d rows; this one has %d", MaxRows, len(l.Rows))
	}
	labels := make(map[string]bool, len(l.Rows))
	seen := make(map[string]string)
	seats := 0
	for ri, r := range l.Rows {
		field := fmt.Sprintf("layout.rows[%d]", ri)
		if !validRowLabel(r.Label) {
			return errs.Invalidf(field, "row %d: label %q must be 1-%d letters", ri+1, r.Label, MaxRowLabelLen)
		}
		if labels[r.Label] {
			return errs.Invalidf(field, "row %s appears twice", r.Label)
		}
		labels[r.Label] = true
		if len(r.Cells) > MaxCellsPerRow {
			return errs.Invalidf(field, "row %s has %d cells; at most %d are allowed", r.Label, len(r.Cells), MaxCellsPerRow)
		}
		rowSeats := 0
		for ci, c := range r.Cells {
			if c.Gap {
				continue
			}
			rowSeats++
			if c.Number < 1 || c.Number > MaxSeatNumber {
				return errs.Invalidf(field, "row %s, cell %d: seat number must be between 1 and %d", r.Label, ci+1, MaxSeatNumber)
			}
			id := SeatID(r.Label, c.Number)
			if prev, dup := seen[id]; dup {
				return errs.Invalidf(field, "seat %s appears twice (%s)", id, prev)
			}
			seen[id] = fmt.Sprintf("row %s, cell %d", r.Label, ci+1)
			if !cats[c.Category] {
				return errs.Invalidf(field, "seat %s has unknown category %q", id, c.Category)
			}
		}
		if rowSeats == 0 {
			return errs.Invalidf(field, "row %s has no seats", r.Label)
		}
		seats += rowSeats
	}
	if seats > MaxSeats {
		return errs.Invalidf("layout", "a screen has at most %d seats; this layout has %d", MaxSeats, seats)
	}
	return nil
}

func validCode(s string) bool {
	if s == "" || len(s) > MaxCategoryCode {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func validRowLabel(s string) bool {
	if s == "" || len(s) > MaxRowLabelLen {
		return false
	}
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}
