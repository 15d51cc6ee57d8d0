package seating

import (
	"slices"

	"github.com/marquee-cinema/marquee/internal/theatre"
)

// Orphans reports the seats that selecting chosen would leave stranded: Available seats, not
// chosen, walled in on both sides within their row (by the row end, a gap, a Taken or Blocked
// seat or a chosen seat) where at least one wall is a chosen seat. Ids that are not Available
// seats of the plan, and repeats, are ignored. The result is in plan order (rows from the back,
// then left to right) and nil when no seat is stranded.
func Orphans(p Plan, chosen []string) []string {
	sel := p.resolve(chosen)
	orphans := p.orphans(sel)
	if len(orphans) == 0 {
		return nil
	}
	ids := make([]string, len(orphans))
	for i, o := range orphans {
		ids[i] = p.seatID(o)
	}
	return ids
}

// resolve returns the places of the Available seats among ids, sorted and without repeats.
func (p *Plan) resolve(ids []string) []pos {
	sel := make([]pos, 0, len(ids))
	for _, id := range ids {
		ps, ok := p.locate(id)
		if ok && p.free(ps.row, ps.col) {
			sel = append(sel, ps)
		}
	}
	slices.SortFunc(sel, comparePos)
	return slices.Compact(sel)
}

// orphans returns, in plan order, the seats that the sorted selection sel of Available seats
// strands. Only a neighbour of a chosen seat can be newly stranded, so it looks at those alone.
func (p *Plan) orphans(sel []pos) []pos {
	chosen := func(row, col int) bool {
		_, ok := slices.BinarySearchFunc(sel, pos{row, col}, comparePos)
		return ok
	}
	wall := func(row, col int) bool { return chosen(row, col) || !p.free(row, col) }
	var out []pos
	for _, s := range sel {
		for _, n := range [2]int{s.col - 1, s.col + 1} {
			if !p.free(s.row, n) || chosen(s.row, n) {
				continue
			}
			if wall(s.row, n-1) && wall(s.row, n+1) {
				out = append(out, pos{s.row, n})
			}
		}
	}
	slices.SortFunc(out, comparePos)
	return slices.Compact(out)
}

// The states of the orphan automaton, which reads a row left to right and remembers what the
// last one or two cells became: a wall of others (or the row start), a chosen seat, or a free
// seat with what lies before it.
const (
	afterWall     = iota // the last cell is a gap, a seat of others or the row start
	afterChosen          // the last cell is chosen
	freeAfterWall        // the last cell is free and the one before it a wall
	freeAfterPick        // the last cell is free and the one before it chosen
	freeAfterFree        // the last two cells are free
	numStates
)

// What a cell becomes in a selection.
const (
	becomesWall = iota
	becomesChosen
	becomesFree
)

// step[state][cell] is the next state, or -1 when the cell strands the free seat before it
// (a free seat between walls, at least one of them chosen). A free seat walled in by others on
// both sides was alone already and is allowed.
var step = [numStates][3]int8{
	afterWall:     {afterWall, afterChosen, freeAfterWall},
	afterChosen:   {afterWall, afterChosen, freeAfterPick},
	freeAfterWall: {afterWall, -1, freeAfterFree},
	freeAfterPick: {-1, -1, freeAfterFree},
	freeAfterFree: {afterWall, afterChosen, freeAfterFree},
}

// orphanFreeExists reports whether row ri has a set of Available seats with as many seats of
// each kind (category, wheelchair space or not) as the seats at cols, that strands no seat.
// It runs the orphan automaton over the row, keeping for each state the set of count vectors
// (seats taken of each kind, in mixed radix) reachable so far as a bitset: at most 80 cells ×
// 5 states × ∏(kind count + 1) ≤ 1,024 bits, a word at a time.
func (p *Plan) orphanFreeExists(ri int, cols []int) bool {
	r := &p.Layout.Rows[ri]
	type kind struct {
		category   string
		wheelchair bool
		need       int
		stride     int
		room       []uint64 // the count vectors that can take one more seat of this kind
	}
	kinds := make([]kind, 0, len(cols))
	find := func(c *theatre.Cell) int {
		return slices.IndexFunc(kinds, func(k kind) bool { return k.category == c.Category && k.wheelchair == c.Accessible })
	}
	for _, c := range cols {
		i := find(&r.Cells[c])
		if i < 0 {
			kinds = append(kinds, kind{category: r.Cells[c].Category, wheelchair: r.Cells[c].Accessible})
			i = len(kinds) - 1
		}
		kinds[i].need++
	}
	counts, target := 1, 0
	for i := range kinds {
		kinds[i].stride = counts
		target += kinds[i].need * counts
		counts *= kinds[i].need + 1
	}
	words := (counts + 63) / 64
	for i := range kinds {
		k := &kinds[i]
		k.room = make([]uint64, words)
		for hi := 0; hi < counts; hi += k.stride * (k.need + 1) { // the digits above this kind's
			for n := hi; n < hi+k.stride*k.need; n++ { // this kind's digit below need
				k.room[n/64] |= 1 << (n % 64)
			}
		}
	}
	cur := make([]uint64, numStates*words)
	next := make([]uint64, numStates*words)
	set := func(b []uint64, st int8) []uint64 { return b[int(st)*words : (int(st)+1)*words] }
	cur[afterWall*words] = 1 // no seat taken yet
	for ci := range r.Cells {
		free := p.free(ri, ci)
		k := -1 // the kind this cell may be chosen as, if any
		if free {
			k = find(&r.Cells[ci])
		}
		clear(next)
		for st := range int8(numStates) {
			from := set(cur, st)
			if !free {
				if ns := step[st][becomesWall]; ns >= 0 {
					or(set(next, ns), from)
				}
				continue
			}
			if ns := step[st][becomesFree]; ns >= 0 {
				or(set(next, ns), from)
			}
			if ns := step[st][becomesChosen]; ns >= 0 && k >= 0 {
				orShifted(set(next, ns), from, kinds[k].room, kinds[k].stride)
			}
		}
		cur, next = next, cur
	}
	for st := range int8(numStates) {
		if step[st][becomesWall] >= 0 && set(cur, st)[target/64]&(1<<(target%64)) != 0 { // the row end is a wall
			return true
		}
	}
	return false
}

// or sets dst |= src.
func or(dst, src []uint64) {
	for i, w := range src {
		dst[i] |= w
	}
}

// orShifted sets dst |= (src & mask) << shift, over bitsets of equal length.
func orShifted(dst, src, mask []uint64, shift int) {
	wo, bo := shift/64, uint(shift%64)
	for i := 0; i+wo < len(dst); i++ {
		w := src[i] & mask[i]
		if w == 0 {
			continue
		}
		dst[i+wo] |= w << bo
		if bo > 0 && i+wo+1 < len(dst) {
			dst[i+wo+1] |= w >> (64 - bo)
		}
	}
}

// OrphanRuleSeats returns the seats, other than chosen, whose status CheckSelection's orphan rule
// reads for chosen under the plan's Status, in plan order: in a row where the choice strands no
// seat, the seats within two places of a chosen one; in a row where it strands one, every seat
// of the row (whether another choice avoids it depends on all of them). Gaps and seats blocked in
// the layout are left out: their status never changes. So while these seats keep their status,
// the rule's verdict on chosen stands, whatever happens to the rest of the hall.
func (p *Plan) OrphanRuleSeats(chosen []string) []string {
	sel := make([]pos, 0, len(chosen))
	for _, id := range chosen {
		if ps, ok := p.locate(id); ok {
			sel = append(sel, ps)
		}
	}
	slices.SortFunc(sel, comparePos)
	sel = slices.Compact(sel)
	var stranding []int // rows where the choice strands a seat
	for _, o := range p.orphans(sel) {
		if !slices.Contains(stranding, o.row) {
			stranding = append(stranding, o.row)
		}
	}
	var out []pos
	add := func(row, col int) {
		r := &p.Layout.Rows[row]
		if col < 0 || col >= len(r.Cells) || r.Cells[col].Gap || r.Cells[col].Blocked {
			return
		}
		if _, isChosen := slices.BinarySearchFunc(sel, pos{row, col}, comparePos); !isChosen {
			out = append(out, pos{row, col})
		}
	}
	for i, s := range sel {
		switch {
		case !slices.Contains(stranding, s.row):
			for col := s.col - 2; col <= s.col+2; col++ {
				add(s.row, col)
			}
		case i == 0 || sel[i-1].row != s.row: // the row's first chosen seat: the whole row, once
			for col := range p.Layout.Rows[s.row].Cells {
				add(s.row, col)
			}
		}
	}
	slices.SortFunc(out, comparePos)
	out = slices.Compact(out)
	ids := make([]string, len(out))
	for i, o := range out {
		ids[i] = p.seatID(o)
	}
	return ids
}
