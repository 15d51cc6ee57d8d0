package seating

import (
	"slices"
	"strconv"
	"strings"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// ReasonOrphanSeat is the errs.Error Reason of a selection refused for stranding a seat.
const ReasonOrphanSeat = "ORPHAN_SEAT"

// CheckSelection validates a customer's own choice of seats. It returns
//   - errs.Invalid (field "seats") when there are no ids or more than MaxSeats, an id repeats,
//     or an id is not a seat of the layout, naming the ids at fault;
//   - errs.SeatUnavailable naming the seats that are Taken or Blocked (detail "seats");
//   - with orphanRule, errs.Invalid with Reason ReasonOrphanSeat naming the seats the choice
//     would strand (detail "seats"), unless in each row where it strands one no other choice
//     of as many seats of each kind in that row avoids it (see the package documentation);
//   - nil otherwise.
func CheckSelection(p Plan, seatIDs []string, orphanRule bool) error {
	switch n := len(seatIDs); {
	case n == 0:
		return errs.Invalidf("seats", "choose at least one seat")
	case n > MaxSeats:
		return errs.Invalidf("seats", "choose at most %d seats at a time; %d were chosen", MaxSeats, n)
	}
	var repeated []string
	for i, id := range seatIDs {
		if slices.Contains(seatIDs[:i], id) && !slices.Contains(repeated, id) {
			repeated = append(repeated, id)
		}
	}
	if len(repeated) > 0 {
		return errs.Invalidf("seats", "%s chosen more than once", seatList(repeated, "is", "are"))
	}
	sel := make([]pos, 0, len(seatIDs))
	var unknown []string
	for _, id := range seatIDs {
		ps, ok := p.locate(id)
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		sel = append(sel, ps)
	}
	if len(unknown) > 0 {
		return errs.Invalidf("seats", "%s not in this hall", seatList(unknown, "is", "are"))
	}
	slices.SortFunc(sel, comparePos)
	var unavailable []string
	for _, ps := range sel {
		if !p.free(ps.row, ps.col) {
			unavailable = append(unavailable, p.seatID(ps))
		}
	}
	if len(unavailable) > 0 {
		return errs.E(errs.SeatUnavailable, "%s not available", seatList(unavailable, "is", "are")).
			WithDetail("seats", strings.Join(unavailable, ","))
	}
	if !orphanRule {
		return nil
	}
	orphans := p.orphans(sel)
	if len(orphans) == 0 {
		return nil
	}
	var blamed []string
	cols := make([]int, 0, len(sel))
	for i := 0; i < len(orphans); {
		row := orphans[i].row
		j := i
		for j < len(orphans) && orphans[j].row == row {
			j++
		}
		cols = cols[:0]
		for _, s := range sel {
			if s.row == row {
				cols = append(cols, s.col)
			}
		}
		if p.orphanFreeExists(row, cols) {
			for _, o := range orphans[i:j] {
				blamed = append(blamed, p.seatID(o))
			}
		}
		i = j
	}
	if len(blamed) == 0 {
		return nil
	}
	msg := "this would leave seat " + blamed[0] + " alone; choose seats next to it or leave a gap of two"
	if len(blamed) > 1 {
		msg = "this would leave seats " + joinAnd(blamed) + " alone; choose seats next to them or leave gaps of two"
	}
	return errs.Invalidf("seats", "%s", msg).WithReason(ReasonOrphanSeat).WithDetail("seats", strings.Join(blamed, ","))
}

// seatList names seats for a message with the verb agreeing: "seat C7 is", "seats C7 and C8 are".
func seatList(ids []string, one, many string) string {
	shown := make([]string, len(ids))
	for i, id := range ids {
		shown[i] = printable(id)
	}
	if len(ids) == 1 {
		return "seat " + shown[0] + " " + one
	}
	return "seats " + joinAnd(shown) + " " + many
}

// printable returns a seat id as typed when it looks like one and quoted and shortened
// otherwise, so that a message never carries a long or unprintable input.
func printable(id string) string {
	const maxLen = 12
	plain := id != "" && len(id) <= maxLen
	for i := 0; plain && i < len(id); i++ {
		c := id[i]
		plain = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
	}
	if plain {
		return id
	}
	if len(id) > maxLen {
		return strconv.QuoteToASCII(id[:maxLen]) + "…"
	}
	return strconv.QuoteToASCII(id)
}

// joinAnd joins "A1", "A2", "A3" as "A1, A2 and A3".
func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
