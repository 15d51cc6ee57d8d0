package booking

import (
	"context"
	"sync"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
)

// lockView is this process's picture of the seat locker's state of the seats it has asked about,
// so that a hold needs one call to the locker instead of a read and a write. The orphan-seat
// rule decides on the rows around the chosen seats; the hold then carries what it assumed of
// them (a seatlock.Guard) and the locker refuses it, in the same atomic step, when the rows have
// changed, returning their states. A stale view therefore costs a retry, never a wrong answer:
//   - the chosen seats: the view is not asked; the locker holds them or refuses them
//     (SeatUnavailable), atomically;
//   - the other seats of their rows, believed free but taken: the locker refuses the hold with
//     a GuardError carrying their states, and the choice is decided again;
//   - the other seats, believed taken but free: an orphan-seat refusal drawn from the view is
//     never given as is; the rows are read again and the choice decided on what the locker says.
//
// Seats the view has never seen are read with Locker.Peek. This process's own holds, releases,
// expiries and bookings update it; other processes' changes are learnt from the locker's
// refusals. Holds that expire are free by their expiry time.
type lockView struct {
	shows perShow[showLocks]
}

// showLocks is one show's part of the view: seat → what the locker last said of it.
type showLocks struct {
	mu    sync.Mutex
	seats map[string]viewSeat // nil until the first seat is noted
}

type viewSeat struct {
	taken bool
	state seatlock.SeatState // when taken
}

func (v *lockView) show(showID string) *showLocks { return v.shows.get(showID, true) }

// note sets a seat's entry; call it with s.mu held.
func (s *showLocks) note(seat string, vs viewSeat) {
	if s.seats == nil {
		s.seats = map[string]viewSeat{}
	}
	s.seats[seat] = vs
}

// peekFunc reads the states of some seats of a show from the locker (Locker.Peek).
type peekFunc func(ctx context.Context, showID string, seatIDs []string, now time.Time) (map[string]seatlock.SeatState, error)

// states returns the states, at now, of those of seats that are taken, reading from the locker
// the seats the view does not know. fresh reports that every state was read just now.
func (v *lockView) states(ctx context.Context, showID string, seats []string, now time.Time, peek peekFunc) (taken map[string]seatlock.SeatState, fresh bool, err error) {
	s := v.show(showID)
	var unknown []string
	taken = make(map[string]seatlock.SeatState)
	s.mu.Lock()
	for _, seat := range seats {
		vs, ok := s.seats[seat]
		switch {
		case !ok:
			unknown = append(unknown, seat)
		case vs.taken && (vs.state.Booked || vs.state.ExpiresAt.IsZero() || vs.state.ExpiresAt.After(now)):
			taken[seat] = vs.state
		}
	}
	s.mu.Unlock()
	if len(unknown) == 0 {
		return taken, len(seats) == 0, nil
	}
	read, err := peek(ctx, showID, unknown, now)
	if err != nil {
		return nil, false, err
	}
	v.record(showID, unknown, read)
	for seat, st := range read {
		taken[seat] = st
	}
	return taken, len(unknown) == len(seats), nil
}

// record notes the states of seats as the locker gave them: those in states are taken, the
// others free.
func (v *lockView) record(showID string, seats []string, states map[string]seatlock.SeatState) {
	s := v.show(showID)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, seat := range seats {
		st, ok := states[seat]
		s.note(seat, viewSeat{taken: ok, state: st})
	}
}

// held notes that a hold of this process now has its seats and that the seats freed were let go.
func (v *lockView) held(h seatlock.Hold, freed []string) {
	s := v.show(h.ShowID)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, seat := range h.SeatIDs {
		s.note(seat, viewSeat{taken: true, state: seatlock.SeatState{HoldID: h.ID, OwnerID: h.OwnerID, ExpiresAt: h.ExpiresAt}})
	}
	for _, seat := range freed {
		s.note(seat, viewSeat{})
	}
}

// taken notes that the locker refused seats as taken, by whom it did not say: they count as
// taken by another owner until the view learns more.
func (v *lockView) taken(showID string, seats []string) {
	s := v.show(showID)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, seat := range seats {
		if seat != "" {
			s.note(seat, viewSeat{taken: true})
		}
	}
}

// forget drops what the view knows of seats: the next hold near them reads them again.
func (v *lockView) forget(showID string, seats []string) {
	s := v.shows.get(showID, false)
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, seat := range seats {
		delete(s.seats, seat)
	}
}
