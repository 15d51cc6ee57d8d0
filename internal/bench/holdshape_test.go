package bench_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// seatRow makes a seat map row from a plan: 'o' an available seat, 'x' a booked one, '_' a gap.
// Seat ids are the label and the cell's column.
func seatRow(m *seatMapData, label, plan string) {
	row := struct {
		Label string
		Cells []struct {
			Column int
			Seat   *struct{ ID, Status string }
		}
	}{Label: label}
	for i, c := range plan {
		cell := struct {
			Column int
			Seat   *struct{ ID, Status string }
		}{Column: i + 1}
		switch c {
		case 'o':
			cell.Seat = &struct{ ID, Status string }{fmt.Sprintf("%s%d", label, i+1), "AVAILABLE"}
		case 'x':
			cell.Seat = &struct{ ID, Status string }{fmt.Sprintf("%s%d", label, i+1), "BOOKED"}
		}
		row.Cells = append(row.Cells, cell)
	}
	m.SeatMap.Rows = append(m.SeatMap.Rows, row)
}

func TestFreeRuns(t *testing.T) {
	t.Parallel()
	var m seatMapData
	// Blocks of 9 (one run: two would leave the 9th seat alone), 8 (two), 5 (none), 6 (one).
	seatRow(&m, "A", "ooooooooo_oooooooo_ooooo_oooooo")
	// A booked seat ends a block like an aisle: blocks of 2 (none) and 7 (one); then 4 (one).
	seatRow(&m, "B", "ooxooooooo__oooo")
	var got []string
	for _, run := range m.freeRuns(4, "AVAILABLE") {
		got = append(got, strings.Join(run, " "))
	}
	want := []string{
		"A1 A2 A3 A4",
		"A11 A12 A13 A14", "A15 A16 A17 A18",
		"A26 A27 A28 A29",
		"B4 B5 B6 B7",
		"B13 B14 B15 B16",
	}
	if !slices.Equal(got, want) {
		t.Errorf("freeRuns(4) =\n%q\nwant\n%q", got, want)
	}
}

func TestHoldsWrkScript(t *testing.T) {
	t.Parallel()
	cookies := []string{"c1", "c2"}
	all := [][]byte{[]byte(`{"run":1}`), []byte(`{"run":2}`)}
	shared := [][][][]byte{{all, all}}
	s, err := holdsWrkScript(cookies, shared)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(s, `[==[{"run":1}]==]`); n != 1 {
		t.Errorf("a run shared by every customer is written %d times, want once", n)
	}
	if !strings.Contains(s, "s[2] = s[1]\n") || !strings.HasSuffix(s, wrkHoldsLua) {
		t.Errorf("script:\n%s", s)
	}

	own := [][][][]byte{{{[]byte(`{"run":1}`)}, nil}, {nil, {[]byte(`{"run":2}`)}}}
	s, err = holdsWrkScript(cookies, own)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"s = {}; bodies[2] = s\ns[1] = {}\ns[2] = {\n  [==[{\"run\":2}]==],\n}\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}

	if _, err := holdsWrkScript(cookies, own[:1]); err == nil {
		t.Error("a customer without any body was accepted")
	}
	if _, err := holdsWrkScript(cookies, [][][][]byte{{{[]byte(`"]==]"`)}, {[]byte(`{}`)}}}); err == nil {
		t.Error("a body holding ]==] was accepted")
	}
}
