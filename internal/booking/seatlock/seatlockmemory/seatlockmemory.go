// Package seatlockmemory is a seatlock.Locker in process memory, the embedded default: the
// holds and booked marks live and die with the process. It passes the conformance suite in
// package seatlocktest, like the Redis adapter (package seatlockredis).
package seatlockmemory

import (
	"container/heap"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

var _ seatlock.Locker = (*Locker)(nil)

// Locker is an in-process seatlock.Locker, the embedded default. One mutex guards everything; a heap of
// due times drives ExpireDue and the bounded clean-up of expired holds and lapsed booked marks
// (each Hold also drops a few holds expired longer than the grace ago). Booked marks lapse at
// their bookedUntil by the callers' clock, where Redis lets the key's TTL run out.
type Locker struct {
	mu    sync.Mutex
	opts  seatlock.Options
	shows map[string]*memShow
	due   dueHeap
}

type memShow struct {
	seats       map[string]string // seat → hold id (may point at an expired hold)
	holds       map[string]*memHold
	owners      map[string]string // owner → latest hold id
	booked      map[string]struct{}
	bookedUntil int64 // ms; the booked marks lapse after it
}

type memHold struct {
	id, owner string
	seats     []string
	exp       int64 // ms
	ext       bool
	payload   []byte
}

// dueEntry is due at ms at; hold == "" means "check whether the show's booked marks lapsed".
// An entry's time is never later than the hold's expiry (an extended hold keeps its old entry,
// which is pushed again with the new expiry when it comes due).
type dueEntry struct {
	at         int64
	show, hold string
}

type dueHeap []dueEntry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueEntry)) }
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// New returns an empty in-process locker.
func New(opts ...seatlock.Option) *Locker {
	return &Locker{opts: seatlock.BuildOptions(opts), shows: map[string]*memShow{}}
}

func (m *Locker) show(id string, create bool) *memShow {
	s := m.shows[id]
	if s == nil && create {
		s = &memShow{seats: map[string]string{}, holds: map[string]*memHold{}, owners: map[string]string{},
			booked: map[string]struct{}{}}
		m.shows[id] = s
	}
	return s
}

func (m *Locker) gc(showID string, s *memShow) {
	if len(s.seats) == 0 && len(s.holds) == 0 && len(s.owners) == 0 && len(s.booked) == 0 {
		delete(m.shows, showID)
	}
}

func (s *memShow) live(h *memHold, now int64) bool {
	if h.exp <= now {
		return false
	}
	for _, seat := range h.seats {
		if s.seats[seat] != h.id {
			return false
		}
	}
	return true
}

// liveHold returns the hold when it exists and is live.
func (s *memShow) liveHold(id string, now int64) *memHold {
	if s == nil {
		return nil
	}
	h := s.holds[id]
	if h == nil || !s.live(h, now) {
		return nil
	}
	return h
}

func (s *memShow) drop(h *memHold) {
	for _, seat := range h.seats {
		if s.seats[seat] == h.id {
			delete(s.seats, seat)
		}
	}
	delete(s.holds, h.id)
	if s.owners[h.owner] == h.id {
		delete(s.owners, h.owner)
	}
}

func (s *memShow) book(m *Locker, showID string, seats []string, until int64) {
	for _, seat := range seats {
		s.booked[seat] = struct{}{}
	}
	if until > s.bookedUntil {
		s.bookedUntil = until
		heap.Push(&m.due, dueEntry{at: until, show: showID})
	}
}

// lapse forgets the show's booked marks once their bound has passed (Redis lets the key expire).
func (s *memShow) lapse(now int64) {
	if len(s.booked) > 0 && s.bookedUntil <= now {
		clear(s.booked)
	}
}

func (h *memHold) export(showID string) seatlock.Hold {
	return seatlock.Hold{ID: h.id, ShowID: showID, OwnerID: h.owner, SeatIDs: slices.Clone(h.seats),
		ExpiresAt: fromMS(h.exp), Extended: h.ext, Payload: slices.Clone(h.payload)}
}

// popDue processes due entries up to cutoff. Entries of live holds are pushed again at their
// expiry; expired holds are dropped and, when collect is set, returned, at most limit of them.
// Without collect at most limit entries are processed (bounded clean-up).
func (m *Locker) popDue(cutoff, now int64, limit int, collect bool) []seatlock.Hold {
	var out []seatlock.Hold
	for n := 0; m.due.Len() > 0 && m.due[0].at <= cutoff; n++ {
		if collect && len(out) >= limit || !collect && n >= limit {
			break
		}
		e := heap.Pop(&m.due).(dueEntry)
		s := m.shows[e.show]
		if s == nil {
			continue
		}
		if e.hold == "" {
			s.lapse(now)
			m.gc(e.show, s)
			continue
		}
		h := s.holds[e.hold]
		if h == nil {
			continue
		}
		// ExpireDue expires what is not live; the clean-up drops only what expired before cutoff.
		if collect && s.live(h, now) || !collect && h.exp > cutoff {
			heap.Push(&m.due, dueEntry{at: h.exp, show: e.show, hold: h.id})
			continue
		}
		s.drop(h)
		m.gc(e.show, s)
		if collect {
			out = append(out, h.export(e.show))
		}
	}
	return out
}

// Hold implements seatlock.Locker.
func (m *Locker) Hold(ctx context.Context, h seatlock.Hold, g seatlock.Guard, now time.Time) (seatlock.HoldResult, error) {
	seats, err := seatlock.CheckHold(h, now)
	if err != nil {
		return seatlock.HoldResult{}, err
	}
	if err := seatlock.CheckGuard(g, seats); err != nil {
		return seatlock.HoldResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return seatlock.HoldResult{}, errs.Wrap(err, errs.Unavailable, "seat locker")
	}
	t := ms(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.show(h.ShowID, true)
	defer m.gc(h.ShowID, s)
	s.lapse(t)
	if _, ok := s.holds[h.ID]; ok {
		return seatlock.HoldResult{}, errs.E(errs.Conflict, "hold id already in use")
	}
	old := s.liveHold(s.owners[h.OwnerID], t)
	if old != nil && strings.HasPrefix(old.id, seatlock.ClaimPrefix) {
		return seatlock.HoldResult{}, seatlock.ErrClaimed()
	}
	taken := func(seat string) bool {
		st, ok := s.state(seat, t)
		return ok && (st.Booked || old == nil || st.HoldID != old.id)
	}
	var busy []string
	for _, seat := range seats {
		if taken(seat) {
			busy = append(busy, seat)
		}
	}
	if len(busy) > 0 {
		return seatlock.HoldResult{}, seatlock.Unavailable(busy)
	}
	if g.Len() > 0 {
		free := func(seat string) bool { return !taken(seat) }
		if slices.ContainsFunc(g.Free, taken) || slices.ContainsFunc(g.Taken, free) {
			return seatlock.HoldResult{}, &seatlock.GuardError{States: s.states(append(slices.Clone(g.Free), g.Taken...), t)}
		}
	}
	var res seatlock.HoldResult
	if old != nil {
		s.drop(old)
		res.Replaced = old.id
		for _, seat := range old.seats {
			if _, again := slices.BinarySearch(seats, seat); !again {
				res.Freed = append(res.Freed, seat)
			}
		}
	}
	nh := &memHold{id: h.ID, owner: h.OwnerID, seats: seats, exp: ms(h.ExpiresAt), payload: slices.Clone(h.Payload)}
	for _, seat := range seats {
		s.seats[seat] = nh.id
	}
	s.holds[nh.id] = nh
	s.owners[nh.owner] = nh.id
	heap.Push(&m.due, dueEntry{at: nh.exp, show: h.ShowID, hold: nh.id})
	m.popDue(t-m.opts.Grace.Milliseconds(), t, m.opts.ReapLimit, false)
	return res, nil
}

// state returns the state of a taken seat at t (ms); false when the seat is free.
func (s *memShow) state(seat string, t int64) (seatlock.SeatState, bool) {
	if _, ok := s.booked[seat]; ok {
		return seatlock.SeatState{Booked: true}, true
	}
	if h := s.liveHold(s.seats[seat], t); h != nil {
		return seatlock.SeatState{HoldID: h.id, OwnerID: h.owner, ExpiresAt: fromMS(h.exp)}, true
	}
	return seatlock.SeatState{}, false
}

// states returns the states of those of seats that are taken at t (ms).
func (s *memShow) states(seats []string, t int64) map[string]seatlock.SeatState {
	out := map[string]seatlock.SeatState{}
	if s == nil {
		return out
	}
	for _, seat := range seats {
		if st, ok := s.state(seat, t); ok {
			out[seat] = st
		}
	}
	return out
}

// Peek implements seatlock.Locker.
func (m *Locker) Peek(ctx context.Context, showID string, seatIDs []string, now time.Time) (map[string]seatlock.SeatState, error) {
	seats, err := seatlock.CheckSeatList(showID, seatIDs)
	if err != nil {
		return nil, err
	}
	t := ms(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.shows[showID]
	if s != nil {
		s.lapse(t)
	}
	return s.states(seats, t), nil
}

// Get implements seatlock.Locker.
func (m *Locker) Get(ctx context.Context, showID, holdID string, now time.Time) (seatlock.Hold, error) {
	if err := seatlock.CheckShowHold(showID, holdID); err != nil {
		return seatlock.Hold{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.shows[showID].liveHold(holdID, ms(now))
	if h == nil {
		return seatlock.Hold{}, seatlock.HoldNotFound()
	}
	return h.export(showID), nil
}

// Extend implements seatlock.Locker.
func (m *Locker) Extend(ctx context.Context, showID, holdID, ownerID string, newExpiry, now time.Time) (seatlock.Hold, error) {
	if err := seatlock.CheckShowHold(showID, holdID); err != nil {
		return seatlock.Hold{}, err
	}
	if err := seatlock.ValidateID("ownerId", ownerID); err != nil {
		return seatlock.Hold{}, err
	}
	t := ms(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.shows[showID]
	if s == nil || s.holds[holdID] == nil || s.holds[holdID].owner != ownerID {
		return seatlock.Hold{}, seatlock.HoldNotFound()
	}
	h := s.holds[holdID]
	if !s.live(h, t) {
		return seatlock.Hold{}, errs.E(errs.HoldExpired, "hold expired")
	}
	if h.ext {
		return seatlock.Hold{}, errs.E(errs.Conflict, "hold already extended")
	}
	if ms(newExpiry) <= h.exp {
		return seatlock.Hold{}, errs.Invalidf("expiresAt", "the new expiry must be after the current one")
	}
	h.exp = ms(newExpiry)
	h.ext = true
	return h.export(showID), nil
}

// Release implements seatlock.Locker.
func (m *Locker) Release(ctx context.Context, showID, holdID, ownerID string, now time.Time) (seatlock.Hold, error) {
	if err := seatlock.CheckShowHold(showID, holdID); err != nil {
		return seatlock.Hold{}, err
	}
	if err := seatlock.ValidateID("ownerId", ownerID); err != nil {
		return seatlock.Hold{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.shows[showID]
	h := s.liveHold(holdID, ms(now))
	if h == nil || h.owner != ownerID {
		return seatlock.Hold{}, seatlock.HoldNotFound()
	}
	s.drop(h)
	m.gc(showID, s)
	return h.export(showID), nil
}

// Consume implements seatlock.Locker.
func (m *Locker) Consume(ctx context.Context, showID, holdID string, now time.Time) (seatlock.Hold, error) {
	if err := seatlock.CheckShowHold(showID, holdID); err != nil {
		return seatlock.Hold{}, err
	}
	t := ms(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.shows[showID]
	h := s.liveHold(holdID, t)
	if h == nil {
		return seatlock.Hold{}, seatlock.HoldNotFound()
	}
	s.drop(h)
	s.lapse(t)
	s.book(m, showID, h.seats, t+m.opts.BookedFor.Milliseconds())
	return h.export(showID), nil
}

// MarkBooked implements seatlock.Locker.
func (m *Locker) MarkBooked(ctx context.Context, showID string, seatIDs []string, bookedUntil, now time.Time) ([]seatlock.Hold, error) {
	seats, err := seatlock.CheckSeatList(showID, seatIDs)
	if err != nil {
		return nil, err
	}
	t := ms(now)
	if ms(bookedUntil) <= t {
		return nil, errs.Invalidf("bookedUntil", "bookedUntil must be in the future")
	}
	if len(seats) == 0 {
		return nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.show(showID, true)
	s.lapse(t)
	var released []seatlock.Hold
	for _, seat := range seats {
		id, ok := s.seats[seat]
		if !ok {
			continue
		}
		if h := s.liveHold(id, t); h != nil {
			s.drop(h)
			released = append(released, h.export(showID))
		} else {
			delete(s.seats, seat) // a stale entry of an expired hold
		}
	}
	s.book(m, showID, seats, ms(bookedUntil))
	return released, nil
}

// Unbook implements seatlock.Locker.
func (m *Locker) Unbook(ctx context.Context, showID string, seatIDs []string) error {
	seats, err := seatlock.CheckSeatList(showID, seatIDs)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.shows[showID]
	if s == nil {
		return nil
	}
	for _, seat := range seats {
		delete(s.booked, seat)
	}
	m.gc(showID, s)
	return nil
}

// Seats implements seatlock.Locker.
func (m *Locker) Seats(ctx context.Context, showID string, now time.Time) (map[string]seatlock.SeatState, error) {
	if err := seatlock.ValidateID("showId", showID); err != nil {
		return nil, err
	}
	t := ms(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]seatlock.SeatState{}
	s := m.shows[showID]
	if s == nil {
		return out, nil
	}
	s.lapse(t)
	for seat, id := range s.seats {
		if h := s.liveHold(id, t); h != nil {
			out[seat] = seatlock.SeatState{HoldID: id, OwnerID: h.owner, ExpiresAt: fromMS(h.exp)}
		}
	}
	for seat := range s.booked {
		out[seat] = seatlock.SeatState{Booked: true}
	}
	return out, nil
}

// Counts implements seatlock.Locker.
func (m *Locker) Counts(ctx context.Context, showIDs []string, now time.Time) (map[string]seatlock.Counts, error) {
	for _, id := range showIDs {
		if err := seatlock.ValidateID("showId", id); err != nil {
			return nil, err
		}
	}
	t := ms(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]seatlock.Counts, len(showIDs))
	for _, id := range showIDs {
		var c seatlock.Counts
		if s := m.shows[id]; s != nil {
			s.lapse(t)
			for _, h := range s.holds {
				if s.live(h, t) {
					c.Held += len(h.seats)
				}
			}
			c.Booked = len(s.booked)
		}
		out[id] = c
	}
	return out, nil
}

// ExpireDue implements seatlock.Locker.
func (m *Locker) ExpireDue(ctx context.Context, now time.Time, limit int) ([]seatlock.Hold, error) {
	if limit <= 0 {
		return nil, nil
	}
	t := ms(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.popDue(t, t, limit, true), nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
