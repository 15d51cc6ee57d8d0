package booking

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// bookedTTL bounds how stale the booked seats seen by holds and seat maps may be.
const bookedTTL = time.Second

// bookedCache keeps each show's booked seats (from the SeatStore) for bookedTTL, so that holds
// and seat maps do not read the database on every call. This process's ConfirmBooking and
// ReleaseBooking update the show's entry at once (or drop it when their write failed, whose
// outcome may be unknown); bookings that another process makes or releases
// are seen up to bookedTTL late. That is safe: the confirming process marks the seats booked in
// the shared locker, whose hold script refuses them at once; and whatever a hold saw,
// ConfirmBooking reads the ground truth itself and the store is unique on (show, seat), so a
// seat is never booked twice. A seat released by another process may be refused for up to
// bookedTTL.
type bookedCache struct {
	shows perShow[bookedEntry]
}

type bookedEntry struct {
	gen atomic.Uint64 // bumped by invalidate; a read that began before is not kept

	mu      sync.Mutex // held while reading, so that concurrent callers read the store once
	seats   map[string]string
	seatGen uint64 // gen when seats were read
	fetched time.Time
}

func (c *bookedCache) entry(showID string, create bool) *bookedEntry {
	return c.shows.get(showID, create)
}

// get returns the show's booked seats (seat → booking), reading them with read when the cached
// ones are older than bookedTTL at now or were invalidated. The map is shared: do not modify it.
func (c *bookedCache) get(ctx context.Context, showID string, now time.Time,
	read func(ctx context.Context, showID string) (map[string]string, error)) (map[string]string, error) {
	e := c.entry(showID, true)
	e.mu.Lock()
	defer e.mu.Unlock()
	gen := e.gen.Load()
	if e.fresh(now) {
		return e.seats, nil
	}
	seats, err := read(ctx, showID)
	if err != nil {
		return nil, err
	}
	if seats == nil {
		seats = map[string]string{}
	}
	e.seats, e.seatGen, e.fetched = seats, gen, now
	return seats, nil
}

// invalidate drops the show's booked seats: the next get reads the store again. Call it after
// the store changed the show's bookings.
func (c *bookedCache) invalidate(showID string) {
	if e := c.entry(showID, false); e != nil {
		e.gen.Add(1)
	}
}

// apply records, after the store committed it, that bookingID booked the seats booked and that
// the seats freed were released. A cached entry is updated in place (a copy: readers may hold the
// old map) and keeps its age; a read in progress finishes first, so whether or not it saw the
// change, the entry has it.
func (c *bookedCache) apply(showID, bookingID string, booked, freed []string) {
	e := c.entry(showID, false)
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.valid() {
		return // nothing valid cached: the next get reads the store
	}
	seats := make(map[string]string, len(e.seats)+len(booked))
	for seat, b := range e.seats {
		seats[seat] = b
	}
	for _, seat := range booked {
		seats[seat] = bookingID
	}
	for _, seat := range freed {
		delete(seats, seat)
	}
	e.seats = seats
}

// count returns how many seats of the show are booked when a fresh entry is cached (no read:
// counting never waits for a reader of the show).
func (c *bookedCache) count(showID string, now time.Time) (int, bool) {
	e := c.entry(showID, false)
	if e == nil || !e.mu.TryLock() {
		return 0, false
	}
	defer e.mu.Unlock()
	if !e.fresh(now) {
		return 0, false
	}
	return len(e.seats), true
}

// valid reports whether the entry holds seats read since the last invalidate; fresh, whether
// they are also younger than bookedTTL at now. Call them with e.mu held.
func (e *bookedEntry) valid() bool { return e.seats != nil && e.seatGen == e.gen.Load() }

func (e *bookedEntry) fresh(now time.Time) bool {
	return e.valid() && !now.Before(e.fetched) && now.Sub(e.fetched) < bookedTTL
}
