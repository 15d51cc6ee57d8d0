// Package seating provides the seat-selection rules of a show: which seats a selection would
// strand ([Orphans]), whether a customer's own choice of seats is acceptable ([CheckSelection]),
// and which seats to offer a customer who asks for the best available ([BestAvailable]).
//
// Everything here is a pure function of a [Plan]: no I/O, no clock, no randomness, no global
// state. The functions are safe for concurrent use, never change their arguments and never
// panic. They assume a layout that passes theatre.Layout.Validate (unique seat ids, at most 80
// cells a row); on other layouts they still return, but what they return is unspecified.
//
// # Seats and their status
//
// A seat is a non-gap cell of the layout; its id is theatre.SeatID (row label and number,
// "C7"), matched exactly (case-sensitively). Its status is Blocked when the layout marks the
// cell blocked, whatever the map says; otherwise Plan.Status[id], where an absent id means
// Available. A status value other than Available, Taken or Blocked counts as Taken: an unknown
// state is never sold. Status entries for ids that are not seats of the layout are ignored.
//
// Neighbours are the adjacent cells of the same row (Row.Cells order, left to right); seat
// numbers play no part, so a row numbered right to left works the same. Two seats are adjacent
// when their cells are consecutive; a gap cell between them (an aisle) separates them.
//
// # Orphans
//
// After a selection, a seat is orphaned when it is Available and not selected, each of its two
// neighbouring cells is a wall — the row end, a gap cell, a Taken or Blocked seat, or a selected
// seat — and at least one of those walls is a selected seat. A seat that was already alone
// before the selection (walled in by gaps, row ends and seats of others) is not the selector's
// doing and is not reported. Orphans ignores ids that are not Available seats of the plan (they
// are walls anyway; CheckSelection reports them) and repeated ids. It returns the orphaned ids
// in plan order — rows from the back of the hall to the screen, then left to right — which
// reads naturally in messages ("C8, C10 and C12", where string order would put C8 last).
//
// # CheckSelection
//
// CheckSelection checks, in this order, and returns the first failure:
//
//  1. 1 to [MaxSeats] ids (errs.Invalid, field "seats": "choose at least one seat");
//  2. no id twice (errs.Invalid: "seat A1 is chosen more than once");
//  3. every id is a seat of the layout (errs.Invalid: "seats Z9 and A01 are not in this
//     hall"; an id that is long or not plain letters and digits is quoted and shortened);
//  4. every seat is Available (errs.SeatUnavailable: "seats B3 and B7 are not available",
//     detail "seats" = the ids in plan order joined by commas);
//  5. with the orphan rule on, the selection strands no seat — with one exception.
//
// The exception is judged row by row, since orphans are a matter of one row. The kind of a seat
// is its category together with whether it is a wheelchair space. For a row in which the
// selection strands a seat, the alternatives are every set of Available seats of that row,
// adjacent or not, that has the same number of seats of each kind as the selection has in that
// row. When none of them strands a seat either, the row is excused: the customer could not have
// done better there. The selection is refused when at least one row is not excused; the error
// is errs.Invalid with Reason "ORPHAN_SEAT", field "seats", detail "seats" = the stranded seats
// of the rows not excused, and a message naming them: "this would leave seat C7 alone; choose
// seats next to it or leave a gap of two". The search is a dynamic programme over the cells of
// the row (states: the last two cells, seats taken of each kind, kept as bitsets), so the worst
// row — 80 cells, ten seats of ten kinds — costs some 20 µs, not the C(80,10) sets it stands
// for; the usual single-kind row costs about a microsecond.
//
// BestAvailable does not pass its own picks through this rule: when no orphan-free pick of its
// shape exists it may strand a seat (see below) in a row where a scattered, non-adjacent
// choice would not. Callers validate automatic picks with orphanRule false.
//
// # BestAvailable
//
// Eligible seats are Available seats, of the requested category when one is given (matched
// case-insensitively against the layout's codes; an unknown code is errs.Invalid). With
// accessible true only wheelchair spaces (Cell.Accessible) and, when count > 1, companion seats
// (Cell.Companion) are eligible, and every contiguous part of the result holds at least one
// wheelchair space, so a companion seat is only ever given together with its space. With
// accessible false wheelchair spaces are never given (companion seats are ordinary seats then,
// though the orphan rule tends to keep them: taking a companion seat alone strands the space
// beside it).
//
// With category "" every category is eligible, but one result keeps to one category — a group
// sits in one section at one price. Each category is searched and the best result, in the order
// below, wins; no category is favoured as such.
//
// A result consists of parts, one part per row, in consecutive rows (Layout.Rows indices
// i, i+1, …), each part a block of adjacent eligible seats. Results are ranked by, in order:
//
//  1. fewer rows — one block in one row first, then two neighbouring rows, and so on, at most
//     count rows;
//  2. fewer orphaned seats (as Orphans counts them for the whole result);
//  3. a smaller view cost (below);
//  4. the lower first row index, then the smaller first column.
//
// In words: (1) one block in one row that strands no seat, anywhere in the hall, however far
// from the best view; (2) one block in one row that strands a seat, only when no row of the
// hall has an orphan-free block; (3) only when no row can take the whole group, a split over
// the fewest neighbouring rows, orphan-free when some split over that many rows is. A group is
// kept in one row even at the price of a stranded seat, because a party split over rows is
// worse for the customer than one unsold seat is for the cinema; swapping rules 1 and 2 of the
// ranking would make orphan-freeness outrank togetherness instead.
// A split does not align its parts column-wise; each part is drawn to the best-view point, which
// in practice puts them one behind the other.
//
// The view cost of a part of s seats in cells a..b of row r is s·d², where d is the euclidean
// distance between the part's centre and the best-view point in unit-square coordinates:
//
//	x = ((a+b)/2) / (W-1)   W = the number of cells of row r, gaps included
//	y = r / (R-1)           R = the number of rows; y = 0 is the back row, 1 the front row
//	d² = (x - BestView.ColumnFraction)² + (y - BestView.RowFraction)²
//
// A one-cell row or a one-row hall adds nothing on that axis. A result's cost is the sum over
// its parts, so for one block it orders by plain distance. The default best-view point
// (Plan.BestView nil) is RowFraction 1/3, ColumnFraction 1/2: the centre of the row a third of
// the way from the back row to the front row, two thirds of the way back from the screen.
// Fractions outside [0, 1] are clamped, and NaN takes the default. The distances of blocks
// placed symmetrically about the centre column are computed exactly equal, so such ties go to
// the left block (rule 4), not to rounding; likewise rows equally far go to the back one.
//
// The result lists the seat ids in row, then column order. When no result exists the error is
// errs.SeatUnavailable with details "available" (eligible seats in all) and "together" (the
// largest group that could be placed): "no RECLINER seats are left", "only 3 RECLINER seats are
// left at all" when fewer than count eligible seats exist, else "only 3 RECLINER seats are left
// together". A count outside 1..MaxSeats is errs.Invalid (field "count").
//
// The search evaluates each block of up to count adjacent eligible seats once — only blocks of
// count seats unless no row can take the group — and combines the best block of each size per
// row with a small dynamic programme per window of rows. On a 450-seat hall a call takes
// about 5 µs empty and 15-20 µs half full, most of it spent looking statuses up in the map.
package seating
