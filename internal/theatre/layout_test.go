package theatre_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// row builds a row from a plan read left to right: S a seat, B a blocked seat, W a wheelchair
// space, C a companion seat, _ a gap. Seats are numbered from 1 in plan order.
func row(label, category, plan string) theatre.Row {
	r := theatre.Row{Label: label}
	n := 0
	for _, ch := range plan {
		if ch == '_' {
			r.Cells = append(r.Cells, theatre.Cell{Gap: true})
			continue
		}
		n++
		r.Cells = append(r.Cells, theatre.Cell{Number: n, Category: category,
			Blocked: ch == 'B', Accessible: ch == 'W', Companion: ch == 'C'})
	}
	return r
}

// hall is a realistic multiplex screen: recliners at the back, an accessible front row, aisles.
// Each call returns a fresh value that tests may change.
func hall() theatre.Layout {
	return theatre.Layout{
		Categories: []theatre.SeatCategory{
			{Code: "RECLINER", Name: "Recliner"},
			{Code: "PRIME", Name: "Prime"},
			{Code: "CLASSIC", Name: "Classic"},
		},
		Rows: []theatre.Row{
			row("A", "RECLINER", "SSSS__SSSS"),
			row("B", "PRIME", "SSSSSS_SSSSSS"),
			row("C", "PRIME", "SSSSSS_SSSSSS"),
			row("D", "CLASSIC", "SSSSSS_SSSSSS"),
			row("E", "CLASSIC", "BBSSSS_SSSSBB"),
			row("F", "CLASSIC", "WC__SSSS__CW"),
		},
	}
}

// rows returns n rows labelled A, B, … Z, AA, AB, … each with seats seats of category.
func rows(n, seats int, category string) []theatre.Row {
	out := make([]theatre.Row, n)
	for i := range out {
		out[i] = row(label(i), category, strings.Repeat("S", seats))
	}
	return out
}

// label is the i-th spreadsheet-style row label: A … Z, AA, AB, …
func label(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

func categories(n int) []theatre.SeatCategory {
	out := make([]theatre.SeatCategory, n)
	for i := range out {
		out[i] = theatre.SeatCategory{Code: fmt.Sprintf("CAT_%d", i), Name: fmt.Sprintf("Category %d", i)}
	}
	return out
}

// assertInvalid fails unless err is an *errs.Error with code Invalid, the field and a message
// holding every part.
func assertInvalid(t *testing.T, err error, field string, parts ...string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want an *errs.Error", err, err)
	}
	if e.Code != errs.Invalid {
		t.Errorf("code = %q, want %q (%v)", e.Code, errs.Invalid, err)
	}
	if e.Field != field {
		t.Errorf("field = %q, want %q (%v)", e.Field, field, err)
	}
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Errorf("message %q does not mention %q", e.Message, p)
		}
	}
}

func TestLayoutValidateRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(l *theatre.Layout)
		field  string
		parts  []string // the message names the offending row, seat or value
	}{
		{"no categories", func(l *theatre.Layout) { l.Categories = nil },
			"layout.categories", []string{"between 1 and 10"}},
		{"too many categories", func(l *theatre.Layout) { l.Categories = categories(theatre.MaxCategories + 1) },
			"layout.categories", []string{"between 1 and 10"}},
		{"empty category code", func(l *theatre.Layout) { l.Categories[1].Code = "  " },
			"layout.categories[1]", []string{`""`}},
		{"category code with a dash", func(l *theatre.Layout) { l.Categories[1].Code = "PRIME-PLUS" },
			"layout.categories[1]", []string{"PRIME-PLUS"}},
		{"category code with a space", func(l *theatre.Layout) { l.Categories[2].Code = "CLASSIC PLUS" },
			"layout.categories[2]", []string{"CLASSIC PLUS"}},
		{"category code too long", func(l *theatre.Layout) { l.Categories[0].Code = strings.Repeat("R", theatre.MaxCategoryCode+1) },
			"layout.categories[0]", []string{strings.Repeat("R", theatre.MaxCategoryCode+1)}},
		{"duplicate category code after upper-casing", func(l *theatre.Layout) { l.Categories[2].Code = "prime" },
			"layout.categories[2]", []string{"PRIME", "twice"}},
		{"empty category name", func(l *theatre.Layout) { l.Categories[1].Name = "   " },
			"layout.categories[1]", []string{"PRIME", "name"}},
		{"category name too long", func(l *theatre.Layout) { l.Categories[1].Name = strings.Repeat("n", 61) },
			"layout.categories[1]", []string{"PRIME", "name"}},
		{"no rows", func(l *theatre.Layout) { l.Rows = nil },
			"layout.rows", []string{"at least one row"}},
		{"too many rows", func(l *theatre.Layout) { l.Rows = rows(theatre.MaxRows+1, 2, "CLASSIC") },
			"layout.rows", []string{"61"}},
		{"row label of digits", func(l *theatre.Layout) { l.Rows[2].Label = "12" },
			"layout.rows[2]", []string{"row 3", `"12"`}},
		{"row label mixing letters and digits", func(l *theatre.Layout) { l.Rows[2].Label = "C1" },
			"layout.rows[2]", []string{"row 3", `"C1"`}},
		{"row label longer than three letters", func(l *theatre.Layout) { l.Rows[3].Label = "ABCD" },
			"layout.rows[3]", []string{"row 4", `"ABCD"`}},
		{"empty row label", func(l *theatre.Layout) { l.Rows[0].Label = " " },
			"layout.rows[0]", []string{"row 1", `""`}},
		{"non-ASCII row label", func(l *theatre.Layout) { l.Rows[1].Label = "É" },
			"layout.rows[1]", []string{"row 2", "É"}},
		{"punctuation in row label", func(l *theatre.Layout) { l.Rows[1].Label = "B-" },
			"layout.rows[1]", []string{"row 2", "B-"}},
		{"duplicate row label", func(l *theatre.Layout) { l.Rows[3].Label = "c" },
			"layout.rows[3]", []string{"row C", "twice"}},
		{"row of more than 80 cells", func(l *theatre.Layout) {
			l.Rows[3] = row("D", "CLASSIC", strings.Repeat("S", 40)+"_"+strings.Repeat("S", 40))
		}, "layout.rows[3]", []string{"row D", "81"}},
		{"row of gaps only", func(l *theatre.Layout) { l.Rows[4] = row("E", "CLASSIC", "____") },
			"layout.rows[4]", []string{"row E", "no seats"}},
		{"row without cells", func(l *theatre.Layout) { l.Rows[4].Cells = nil },
			"layout.rows[4]", []string{"row E", "no seats"}},
		{"seat number 0", func(l *theatre.Layout) { l.Rows[2].Cells[3].Number = 0 },
			"layout.rows[2]", []string{"row C", "cell 4"}},
		{"negative seat number", func(l *theatre.Layout) { l.Rows[2].Cells[3].Number = -4 },
			"layout.rows[2]", []string{"row C", "cell 4"}},
		{"seat number above 999", func(l *theatre.Layout) { l.Rows[1].Cells[12].Number = 1000 },
			"layout.rows[1]", []string{"row B", "cell 13"}},
		{"duplicate seat in a row", func(l *theatre.Layout) { l.Rows[2].Cells[8].Number = 7 },
			"layout.rows[2]", []string{"seat C7", "twice", "row C, cell 8"}},
		{"unknown category", func(l *theatre.Layout) { l.Rows[2].Cells[7].Category = "gold" },
			"layout.rows[2]", []string{"seat C7", `"GOLD"`}},
		{"seat without a category", func(l *theatre.Layout) { l.Rows[5].Cells[4].Category = "" },
			"layout.rows[5]", []string{"seat F3", `""`}},
		{"more than 1500 seats", func(l *theatre.Layout) { l.Rows = rows(theatre.MaxRows, 26, "CLASSIC") },
			"layout", []string{"1500", "1560"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := hall()
			tt.change(&l)
			l.Normalize()
			assertInvalid(t, l.Validate(), tt.field, tt.parts...)
		})
	}
}

func TestLayoutValidateAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(l *theatre.Layout)
	}{
		{"realistic hall", func(*theatre.Layout) {}},
		{"one category, one row, one seat", func(l *theatre.Layout) {
			l.Categories = l.Categories[:1]
			l.Rows = []theatre.Row{row("A", "RECLINER", "S")}
		}},
		{"ten categories", func(l *theatre.Layout) {
			l.Categories = append(l.Categories, categories(theatre.MaxCategories-len(l.Categories))...)
		}},
		{"longest category code and name", func(l *theatre.Layout) {
			l.Categories = append(l.Categories, theatre.SeatCategory{
				Code: strings.Repeat("Z", theatre.MaxCategoryCode), Name: strings.Repeat("n", 60)})
		}},
		{"codes, labels and categories in lower case with spaces", func(l *theatre.Layout) {
			l.Categories[0].Code = " recliner "
			l.Rows[0].Label = " a "
			for i := range l.Rows[0].Cells {
				if !l.Rows[0].Cells[i].Gap {
					l.Rows[0].Cells[i].Category = "Recliner "
				}
			}
		}},
		{"three-letter row labels", func(l *theatre.Layout) { l.Rows[0].Label = "AAA" }},
		{"60 rows of 25 seats is exactly 1500", func(l *theatre.Layout) { l.Rows = rows(theatre.MaxRows, 25, "CLASSIC") }},
		{"80 cells in a row", func(l *theatre.Layout) {
			l.Rows[0] = row("A", "RECLINER", strings.Repeat("S", 39)+"__"+strings.Repeat("S", 39))
		}},
		{"seat number 999", func(l *theatre.Layout) { l.Rows[2].Cells[0].Number = 999 }},
		{"same seat number in different rows", func(l *theatre.Layout) {
			l.Rows[1].Cells[0].Number, l.Rows[2].Cells[0].Number = 500, 500
		}},
		{"numbers need not follow cell order", func(l *theatre.Layout) {
			c := l.Rows[1].Cells
			c[0].Number, c[1].Number = c[1].Number, c[0].Number
		}},
		{"gap cells carry junk that Normalize clears", func(l *theatre.Layout) {
			l.Rows[0].Cells[4] = theatre.Cell{Gap: true, Number: 0, Category: "NOPE", Blocked: true}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := hall()
			tt.change(&l)
			l.Normalize()
			if err := l.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestLayoutNormalize(t *testing.T) {
	t.Parallel()
	l := theatre.Layout{
		Categories: []theatre.SeatCategory{{Code: " prime ", Name: "  Prime seats "}},
		Rows: []theatre.Row{{Label: " aa ", Cells: []theatre.Cell{
			{Number: 1, Category: " prime", Accessible: true},
			{Gap: true, Number: 9, Category: "prime", Accessible: true, Companion: true, Blocked: true},
		}}},
	}
	l.Normalize()
	want := theatre.Layout{
		Categories: []theatre.SeatCategory{{Code: "PRIME", Name: "Prime seats"}},
		Rows: []theatre.Row{{Label: "AA", Cells: []theatre.Cell{
			{Number: 1, Category: "PRIME", Accessible: true},
			{Gap: true},
		}}},
	}
	if got := fmt.Sprintf("%+v", l); got != fmt.Sprintf("%+v", want) {
		t.Fatalf("Normalize:\ngot  %s\nwant %+v", got, want)
	}
	// Normalising twice changes nothing.
	before := fmt.Sprintf("%+v", l)
	l.Normalize()
	if after := fmt.Sprintf("%+v", l); after != before {
		t.Fatalf("second Normalize changed the layout:\n%s\n%s", before, after)
	}
}

func TestLayoutSeats(t *testing.T) {
	t.Parallel()
	l := theatre.Layout{
		Categories: []theatre.SeatCategory{{Code: "PRIME", Name: "Prime"}, {Code: "CLASSIC", Name: "Classic"}},
		Rows: []theatre.Row{
			row("A", "PRIME", "S_SB"),
			row("B", "CLASSIC", "_WC_"),
		},
	}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []theatre.Seat{
		{ID: "A1", Row: 0, Column: 0, Category: "PRIME"},
		{ID: "A2", Row: 0, Column: 2, Category: "PRIME"},
		{ID: "A3", Row: 0, Column: 3, Category: "PRIME", Blocked: true},
		{ID: "B1", Row: 1, Column: 1, Category: "CLASSIC", Accessible: true},
		{ID: "B2", Row: 1, Column: 2, Category: "CLASSIC", Companion: true},
	}
	got := l.Seats()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Seats:\ngot  %+v\nwant %+v", got, want)
	}
	if n := l.SeatCount(); n != 5 {
		t.Errorf("SeatCount = %d, want 5", n)
	}
	if n := l.SellableSeatCount(); n != 4 {
		t.Errorf("SellableSeatCount = %d, want 4", n)
	}
}

func TestLayoutCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		layout             theatre.Layout
		seats, sellable    int
		wantFirst, wantEnd string
	}{
		{"empty", theatre.Layout{}, 0, 0, "", ""},
		{"hall", hall(), 64, 60, "A1", "F8"},
		{"all blocked", theatre.Layout{Rows: []theatre.Row{row("A", "X", "BB_B")}}, 3, 0, "A1", "A3"},
		{"1500 seats", theatre.Layout{Rows: rows(60, 25, "X")}, 1500, 1500, "A1", "BH25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			seats := tt.layout.Seats()
			if len(seats) != tt.seats || tt.layout.SeatCount() != tt.seats {
				t.Errorf("len(Seats()) = %d, SeatCount() = %d, want %d", len(seats), tt.layout.SeatCount(), tt.seats)
			}
			if n := tt.layout.SellableSeatCount(); n != tt.sellable {
				t.Errorf("SellableSeatCount() = %d, want %d", n, tt.sellable)
			}
			if len(seats) > 0 && (seats[0].ID != tt.wantFirst || seats[len(seats)-1].ID != tt.wantEnd) {
				t.Errorf("seats run %s … %s, want %s … %s", seats[0].ID, seats[len(seats)-1].ID, tt.wantFirst, tt.wantEnd)
			}
		})
	}
}

func TestSeatID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		label  string
		number int
		want   string
	}{{"C", 7, "C7"}, {"AA", 12, "AA12"}, {"Z", 999, "Z999"}} {
		if got := theatre.SeatID(tt.label, tt.number); got != tt.want {
			t.Errorf("SeatID(%q, %d) = %q, want %q", tt.label, tt.number, got, tt.want)
		}
	}
}

// fuzzReader hands out bytes of the fuzz input, then zeros.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

var (
	fuzzCodes  = []string{"STD", "PRIME", "recliner", " vip_1 ", "", "A-B", "PRIME", "Z" + strings.Repeat("9", 20), "É", "X"}
	fuzzNames  = []string{"Standard", "", "  ", strings.Repeat("n", 61), "Prime seats"}
	fuzzLabels = []string{"", "1", "a", "ABCD", "É", " b ", "A1", "aa", "ı", "ZZZ"}
)

// layoutFromBytes builds a layout from fuzz input: a category count and one byte pair per
// category, a row count, then per row a label byte, a cell count and a pattern byte that drives
// a small generator for the cells, so that short inputs still make large layouts.
func layoutFromBytes(data []byte) theatre.Layout {
	r := &fuzzReader{b: data}
	var l theatre.Layout
	for range int(r.next() % 13) {
		l.Categories = append(l.Categories, theatre.SeatCategory{
			Code: fuzzCodes[int(r.next())%len(fuzzCodes)],
			Name: fuzzNames[int(r.next())%len(fuzzNames)],
		})
	}
	nRows := int(r.next() % 66)
	for ri := range nRows {
		var lbl string
		if b := r.next(); b < 200 {
			lbl = label(int(b) % 80)
		} else {
			lbl = fuzzLabels[int(b)%len(fuzzLabels)]
		}
		nCells := int(r.next() % 90)
		pattern := r.next()
		state := uint32(pattern)*2654435761 + uint32(ri)*40503 + 1
		rw := theatre.Row{Label: lbl}
		for ci := range nCells {
			state = state*1664525 + 1013904223
			x := state >> 8
			c := theatre.Cell{Number: ci + 1}
			switch {
			case x%8 == 0:
				c.Gap = true
			case pattern&1 == 1 && x%29 == 0:
				c.Number = 0
			case pattern&2 == 2 && x%31 == 0:
				c.Number = 1000
			case pattern&4 == 4 && x%13 == 0:
				c.Number = int(x % 5) // duplicates
			}
			if k := len(l.Categories) + 1; pattern&8 == 8 {
				if i := int(x/8) % k; i < len(l.Categories) {
					c.Category = l.Categories[i].Code
				} else {
					c.Category = "UNKNOWN"
				}
			} else if len(l.Categories) > 0 {
				c.Category = l.Categories[0].Code
			}
			c.Blocked = x&16 != 0 && pattern&16 != 0
			c.Accessible = x&32 != 0
			c.Companion = x&64 != 0
			if pattern&32 == 32 && c.Gap {
				c.Category, c.Number = "JUNK", -1 // Normalize must clear these
			}
			rw.Cells = append(rw.Cells, c)
		}
		l.Rows = append(l.Rows, rw)
	}
	return l
}

// checkLayoutInvariants fails unless l is what Validate promises to accept.
func checkLayoutInvariants(t *testing.T, l theatre.Layout) {
	t.Helper()
	if n := len(l.Categories); n < 1 || n > theatre.MaxCategories {
		t.Fatalf("accepted %d categories", n)
	}
	cats := map[string]bool{}
	for _, c := range l.Categories {
		if cats[c.Code] || c.Code == "" || len(c.Code) > theatre.MaxCategoryCode || c.Name == "" {
			t.Fatalf("accepted category %+v", c)
		}
		for _, r := range c.Code {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
				t.Fatalf("accepted category code %q", c.Code)
			}
		}
		cats[c.Code] = true
	}
	if n := len(l.Rows); n < 1 || n > theatre.MaxRows {
		t.Fatalf("accepted %d rows", n)
	}
	labels := map[string]bool{}
	for _, r := range l.Rows {
		if labels[r.Label] || r.Label == "" || len(r.Label) > theatre.MaxRowLabelLen || strings.Trim(r.Label, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Fatalf("accepted row label %q", r.Label)
		}
		labels[r.Label] = true
		if len(r.Cells) > theatre.MaxCellsPerRow {
			t.Fatalf("accepted row %s of %d cells", r.Label, len(r.Cells))
		}
		seats := 0
		for _, c := range r.Cells {
			if c.Gap {
				continue
			}
			seats++
			if c.Number < 1 || c.Number > theatre.MaxSeatNumber {
				t.Fatalf("accepted seat number %d in row %s", c.Number, r.Label)
			}
		}
		if seats == 0 {
			t.Fatalf("accepted row %s without seats", r.Label)
		}
	}
	seats := l.Seats()
	if len(seats) != l.SeatCount() || len(seats) > theatre.MaxSeats || l.SellableSeatCount() > len(seats) {
		t.Fatalf("accepted %d seats (SeatCount %d, sellable %d)", len(seats), l.SeatCount(), l.SellableSeatCount())
	}
	ids := map[string]bool{}
	for _, s := range seats {
		if ids[s.ID] {
			t.Fatalf("accepted seat %s twice", s.ID)
		}
		ids[s.ID] = true
		if !cats[s.Category] {
			t.Fatalf("accepted seat %s of unknown category %q", s.ID, s.Category)
		}
	}
}

func FuzzLayoutValidate(f *testing.F) {
	f.Add([]byte{})                                                                              // no categories
	f.Add([]byte{1, 0, 0, 1, 0, 5, 0})                                                           // one category, one row of five: valid
	f.Add([]byte{3, 0, 0, 1, 4, 2, 0, 10, 0, 0, 20, 0, 1, 20, 8, 2, 30, 9})                      // a row without seats
	f.Add([]byte{1, 0, 0, 60, 0, 89, 0})                                                         // a row of 89 cells
	f.Add([]byte{2, 9, 4, 1, 0, 2, 0, 30, 63, 3, 40, 255, 220, 5, 33, 205, 50, 17})              // unknown categories, junk gaps
	f.Add([]byte{11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1}) // too many categories
	// About 1,300 seats (valid) and about 1,600 (too many).
	for _, n := range []byte{25, 30} {
		big := []byte{1, 0, 0, n}
		for i := range n {
			big = append(big, i, 60, 0)
		}
		f.Add(big)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, normalize := range []bool{false, true} {
			l := layoutFromBytes(data)
			if normalize {
				l.Normalize()
			}
			err := l.Validate()
			if err == nil {
				checkLayoutInvariants(t, l)
				continue
			}
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.Invalid || !strings.HasPrefix(e.Field, "layout") || e.Message == "" {
				t.Fatalf("Validate (normalized %v) returned %#v, want an Invalid *errs.Error on a layout field", normalize, err)
			}
		}
	})
}
