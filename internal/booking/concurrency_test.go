package booking_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Sizes of the concurrency tests. Each run is bounded in time, not in attempts, so that the
// package stays quick under -race on a small machine.
const (
	holdWorkers   = 500
	holdRunFor    = time.Second
	shortRunFor   = 500 * time.Millisecond
	maxPerAttempt = 6
	snapshotEvery = 10 * time.Millisecond
)

func runFor() time.Duration {
	if testing.Short() {
		return shortRunFor
	}
	return holdRunFor
}

// pickSeats chooses 1-6 sellable seats: mostly a run of neighbours in one row (what people
// pick), sometimes seats scattered over the hall.
func pickSeats(rows [][]string, all []string) []string {
	n := 1 + rand.IntN(maxPerAttempt)
	if rand.IntN(5) == 0 {
		var seats []string
		for _, i := range rand.Perm(len(all))[:n] {
			seats = append(seats, all[i])
		}
		return seats
	}
	row := rows[rand.IntN(len(rows))]
	n = min(n, len(row))
	first := rand.IntN(len(row) - n + 1)
	return slices.Clone(row[first : first+n])
}

// lockerSnapshots reads the locker's view of a show every few milliseconds until stop closes.
type lockerSnapshots struct {
	mu    sync.Mutex
	snaps []map[string]seatlock.SeatState
	done  chan struct{}
}

func snapshotLocker(t *testing.T, e *env, show string, stop <-chan struct{}) *lockerSnapshots {
	s := &lockerSnapshots{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(snapshotEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			snap, err := e.locker.Seats(context.Background(), show, e.clk.Now())
			if err != nil {
				t.Errorf("snapshot: %v", err)
				return
			}
			s.mu.Lock()
			s.snaps = append(s.snaps, snap)
			s.mu.Unlock()
		}
	}()
	return s
}

// check verifies every snapshot against the holds the service handed out: each hold in a
// snapshot is one the service returned, shown whole (exactly its seats: had another live hold
// taken one of its seats, it would show short), and an owner's holds were not meant to replace
// each other. A seat maps to one hold by construction of the map, so together no two live holds
// ever shared a seat.
//
// An owner's new hold replaces the old one only when the old one is still live at the new one's
// time. With the real clock a snapshot may read the locker with a time a little behind a hold
// made meanwhile (the clock is read before the locker is), and then still sees an owner's older
// hold that had expired by the newer hold's time: that is allowed, two live holds of one owner
// otherwise are not.
//
// ConfirmBooking claims the seats it writes with a hold of its own (for the booking, or for the
// hold's owner in place of the hold): claim, when not nil, says whether an unknown hold is such a
// claim.
func (s *lockerSnapshots) check(t *testing.T, holds map[string]booking.Hold, claim func(owner string, seats []string) bool) {
	t.Helper()
	<-s.done
	bad := 0
	for i, snap := range s.snaps {
		byHold := map[string][]string{}
		byOwner := map[string][]string{}
		for seat, st := range snap {
			if st.Booked {
				continue
			}
			if _, ok := byHold[st.HoldID]; !ok && holds[st.HoldID].ID != "" {
				byOwner[st.OwnerID] = append(byOwner[st.OwnerID], st.HoldID)
			}
			byHold[st.HoldID] = append(byHold[st.HoldID], seat)
		}
		for owner, hs := range byOwner {
			if len(hs) < 2 {
				continue
			}
			slices.SortFunc(hs, func(a, b string) int { return holds[a].CreatedAt.Compare(holds[b].CreatedAt) })
			for j := 1; j < len(hs); j++ {
				older, newer := holds[hs[j-1]], holds[hs[j]]
				if older.ExpiresAt.UnixMilli() > newer.CreatedAt.UnixMilli() {
					t.Errorf("snapshot %d: owner %s has two live holds, %s (until %v) and %s (from %v)", i, owner,
						older.ID, older.ExpiresAt, newer.ID, newer.CreatedAt)
					bad++
				}
			}
		}
		for id, seats := range byHold {
			h, ok := holds[id]
			slices.Sort(seats)
			switch {
			case !ok && claim != nil && claim(snap[seats[0]].OwnerID, seats):
			case !ok:
				t.Errorf("snapshot %d: hold %s on %v was never handed out", i, id, seats)
				bad++
			case !slices.Equal(seats, h.SeatIDs):
				t.Errorf("snapshot %d: hold %s shows seats %v, it was given %v", i, id, seats, h.SeatIDs)
				bad++
			case snap[seats[0]].OwnerID != h.OwnerID:
				t.Errorf("snapshot %d: hold %s belongs to %s, it was given to %s", i, id, snap[seats[0]].OwnerID, h.OwnerID)
				bad++
			}
		}
		if bad > 20 {
			t.Fatal("too many bad snapshots")
		}
	}
	if len(s.snaps) == 0 {
		t.Error("no snapshots were taken")
	}
}

func sellableSeats() ([][]string, []string) {
	rows := hallRows()
	return rows, slices.Concat(rows...)
}

// TestConcurrentHoldsThenConfirm lets 500 customers fight over one show's seats, each holding
// random seats again and again, while snapshots check that live holds never share a seat. Then
// every live hold is confirmed: each seat ends booked once, to the hold that had it.
func TestConcurrentHoldsThenConfirm(t *testing.T) {
	for _, a := range allAdapters {
		t.Run(a.String(), func(t *testing.T) { concurrentHoldsThenConfirm(t, a) })
	}
}

func concurrentHoldsThenConfirm(t *testing.T, a adapters) {
	e := newEnv(t, a, envConfig{redisPool: 128})
	show := e.newShow(lenient) // the locker, not the orphan rule, decides who gets a seat
	rows, all := sellableSeats()
	ctx := context.Background()

	var attempts, refused atomic.Int64
	got := make([][]booking.Hold, holdWorkers) // per worker, its successful holds in order
	stop := make(chan struct{})
	snaps := snapshotLocker(t, e, show, stop)
	began := time.Now()
	deadline := began.Add(runFor())
	var wg sync.WaitGroup
	for w := range holdWorkers {
		owner := user(ids.New())
		wg.Go(func() {
			for time.Now().Before(deadline) {
				attempts.Add(1)
				h, err := e.svc.HoldSeats(owner, show, pickSeats(rows, all))
				switch {
				case err == nil:
					got[w] = append(got[w], h)
				case errs.Is(err, errs.SeatUnavailable):
					refused.Add(1)
				default:
					t.Errorf("worker %d: unexpected error %v", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	elapsed := time.Since(began)

	holds := map[string]booking.Hold{}
	for _, hs := range got {
		for _, h := range hs {
			holds[h.ID] = h
		}
	}
	snaps.check(t, holds, nil)

	// Each worker's last hold is live: a later refused attempt keeps the old hold.
	type live struct {
		owner   context.Context
		hold    booking.Hold
		booking string
	}
	var lives []live
	seatOf := map[string]string{} // seat → live hold
	for _, hs := range got {
		if len(hs) == 0 {
			continue
		}
		h := hs[len(hs)-1]
		for _, seat := range h.SeatIDs {
			if other, ok := seatOf[seat]; ok {
				t.Errorf("seat %s is in live holds %s and %s", seat, other, h.ID)
			}
			seatOf[seat] = h.ID
		}
		lives = append(lives, live{owner: user(strings.TrimPrefix(h.OwnerID, "user:")), hold: h, booking: ids.New()})
	}
	for _, l := range lives {
		cur, err := e.svc.GetHold(l.owner, l.hold.ID)
		if err != nil || !slices.Equal(cur.SeatIDs, l.hold.SeatIDs) {
			t.Fatalf("the last hold %s of %s: %+v, %v", l.hold.ID, l.hold.OwnerID, cur, err)
		}
	}
	c, err := e.svc.Counts(ctx, []string{show})
	if err != nil || c[show].Held != len(seatOf) {
		t.Errorf("counts %+v, %v; want %d held", c, err, len(seatOf))
	}

	// Confirm every live hold at once.
	errsOf := make([]error, len(lives))
	for i, l := range lives {
		wg.Go(func() {
			errsOf[i] = e.svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: l.booking, ShowID: show,
				SeatIDs: l.hold.SeatIDs, HoldID: l.hold.ID})
		})
	}
	wg.Wait()
	want := map[string]string{}
	for i, l := range lives {
		if errsOf[i] != nil {
			t.Errorf("confirming live hold %s: %v", l.hold.ID, errsOf[i])
			continue
		}
		for _, seat := range l.hold.SeatIDs {
			want[seat] = l.booking
		}
	}
	booked := e.booked(show)
	if !mapsEqual(booked, want) {
		t.Errorf("the store has %d seats booked, the confirmed holds %d; they differ", len(booked), len(want))
	}
	if n := e.rawBooked(show); n != len(want) {
		t.Errorf("%d seat records in the store for %d confirmed seats: a seat is booked twice", n, len(want))
	}
	c, err = e.svc.Counts(ctx, []string{show})
	if err != nil || c[show] != (booking.SeatCounts{Booked: len(want)}) {
		t.Errorf("counts after confirming: %+v, %v; want %d booked", c[show], err, len(want))
	}
	m := e.seatMap(user("observer"), show)
	for _, seat := range all {
		wantStatus := booking.SeatAvailable
		if want[seat] != "" {
			wantStatus = booking.SeatBooked
		}
		if m.Status[seat] != wantStatus {
			t.Errorf("seat %s is %s, want %s", seat, m.Status[seat], wantStatus)
		}
	}
	t.Logf("%s: %d workers, %d hold attempts in %v (%d held, %d refused), %d snapshots checked; %d live holds confirmed, %d seats booked",
		a, holdWorkers, attempts.Load(), elapsed.Round(time.Millisecond), len(holds), refused.Load(), len(snaps.snaps),
		len(lives), len(want))
}

// TestConcurrentConfirmationsRaceExpiry is the same fight with holds of 200ms on the real clock:
// holds expire mid-run, a sweeper expires them concurrently, and customers confirm after a random
// pause, some before and some after their hold expired. No seat is booked twice, and every
// confirmation that succeeded has all its seats, booked to it.
func TestConcurrentConfirmationsRaceExpiry(t *testing.T) {
	for _, a := range allAdapters {
		t.Run(a.String(), func(t *testing.T) { confirmationsRaceExpiry(t, a) })
	}
}

type confirmation struct {
	booking string
	seats   []string
	hold    string
	err     error
	// When the confirmation began and returned, relative to the hold's expiry.
	startedLate, endedLate bool
	began, ended           time.Time
	holdMade               time.Time
}

func confirmationsRaceExpiry(t *testing.T, a adapters) {
	const ttl = 200 * time.Millisecond
	e := newEnv(t, a, envConfig{realClock: true, opts: booking.Options{HoldTTL: ttl}, redisPool: 128})
	show := e.newShow(lenient, func(s *booking.ShowInfo) {
		s.StartsAt, s.BusyUntil = time.Now().Add(30*24*time.Hour), time.Now().Add(30*24*time.Hour+3*time.Hour)
	})
	rows, all := sellableSeats()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Seat changes reach a watcher while all this goes on.
	events, err := e.svc.Watch(ctx, show)
	if err != nil {
		t.Fatal(err)
	}
	var freedEvents atomic.Int64
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for ev := range events {
			for _, c := range ev.Seats {
				if c.Status == booking.SeatAvailable {
					freedEvents.Add(1)
				}
			}
		}
	}()

	var attempts, refused, swept atomic.Int64
	stop := make(chan struct{})
	snaps := snapshotLocker(t, e, show, stop)
	sweeperDone := make(chan struct{})
	go func() {
		defer close(sweeperDone)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			n, err := e.svc.SweepExpired(ctx)
			if err != nil {
				t.Errorf("sweep: %v", err)
				return
			}
			swept.Add(int64(n))
		}
	}()

	holdsOf := make([][]booking.Hold, holdWorkers)
	confsOf := make([][]confirmation, holdWorkers)
	began := time.Now()
	deadline := began.Add(runFor())
	var wg sync.WaitGroup
	for w := range holdWorkers {
		owner := user(ids.New())
		wg.Go(func() {
			for time.Now().Before(deadline) {
				attempts.Add(1)
				h, err := e.svc.HoldSeats(owner, show, pickSeats(rows, all))
				if errs.Is(err, errs.SeatUnavailable) {
					refused.Add(1)
					continue
				}
				if err != nil {
					t.Errorf("worker %d: hold: %v", w, err)
					return
				}
				holdsOf[w] = append(holdsOf[w], h)
				if rand.IntN(3) == 0 {
					continue // walks away; the hold expires
				}
				// Pay at once or after a pause up to twice the hold's length.
				if rand.IntN(2) == 0 {
					time.Sleep(time.Duration(rand.Int64N(int64(2 * ttl))))
				}
				c := confirmation{booking: ids.New(), seats: h.SeatIDs, hold: h.ID, holdMade: h.CreatedAt}
				c.began = time.Now()
				c.startedLate = !c.began.Before(h.ExpiresAt)
				c.err = e.svc.ConfirmBooking(context.Background(), booking.ConfirmRequest{BookingID: c.booking,
					ShowID: show, SeatIDs: h.SeatIDs, HoldID: h.ID})
				c.ended = time.Now()
				// Ended a full millisecond before the expiry: the locker keeps times in ms.
				c.endedLate = !c.ended.Before(h.ExpiresAt.Add(-time.Millisecond))
				if c.err != nil && !errs.Is(c.err, errs.SeatUnavailable) {
					t.Errorf("worker %d: confirm: %v", w, c.err)
					return
				}
				confsOf[w] = append(confsOf[w], c)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sweeperDone
	elapsed := time.Since(began)

	holds := map[string]booking.Hold{}
	for _, hs := range holdsOf {
		for _, h := range hs {
			holds[h.ID] = h
		}
	}
	// A claim of a confirmation covers (some of) its seats, for its booking or its hold's owner.
	claimOf := map[string][]confirmation{} // first seat → confirmations
	for _, cs := range confsOf {
		for _, c := range cs {
			for _, seat := range c.seats {
				claimOf[seat] = append(claimOf[seat], c)
			}
		}
	}
	isClaim := func(owner string, seats []string) bool {
		for _, c := range claimOf[seats[0]] {
			if (owner == "booking:"+c.booking || owner == holds[c.hold].OwnerID) &&
				!slices.ContainsFunc(seats, func(s string) bool { return !slices.Contains(c.seats, s) }) {
				return true
			}
		}
		return false
	}
	snaps.check(t, holds, isClaim)

	booked := e.booked(show)
	want := map[string]string{}
	var ok, refusedConf int
	var timing [3][2]int // [on time, straddling expiry, late][booked, refused]
	for _, cs := range confsOf {
		for _, c := range cs {
			when, how := 0, 0
			switch {
			case c.startedLate:
				when = 2
			case c.endedLate:
				when = 1
			}
			if c.err != nil {
				how = 1
			}
			timing[when][how]++
			if c.err != nil {
				refusedConf++
				for seat, b := range booked {
					if b == c.booking {
						t.Errorf("refused booking %s has seat %s", c.booking, seat)
					}
				}
				continue
			}
			ok++
			for _, seat := range c.seats {
				if other, dup := want[seat]; dup {
					t.Errorf("seat %s was confirmed to bookings %s and %s", seat, other, c.booking)
				}
				want[seat] = c.booking
				if booked[seat] != c.booking {
					t.Errorf("confirmed booking %s: seat %s is booked to %q", c.booking, seat, booked[seat])
				}
			}
		}
	}
	// A confirmation that began and ended while its hold lived must not be refused: nobody else
	// could hold or book those seats meanwhile.
	byBooking := map[string]confirmation{}
	for _, cs := range confsOf {
		for _, c := range cs {
			byBooking[c.booking] = c
		}
	}
	for _, cs := range confsOf {
		for _, c := range cs {
			if c.err == nil || c.endedLate {
				continue
			}
			winner := "nobody"
			for _, seat := range c.seats {
				if w, ok := byBooking[booked[seat]]; ok {
					winner = fmt.Sprintf("booking %s (confirmed %v..%v, its hold expired before: %v)", w.booking,
						w.began.Format("15:04:05.000"), w.ended.Format("15:04:05.000"), w.startedLate)
					break
				}
			}
			t.Errorf("the confirmation of hold %s (made %v) ran %v..%v, while the hold lived, and was refused (%v); the seats went to %s",
				c.hold, c.holdMade.Format("15:04:05.000"), c.began.Format("15:04:05.000"), c.ended.Format("15:04:05.000"), c.err, winner)
		}
	}
	if len(booked) != len(want) {
		t.Errorf("the store has %d seats booked, the confirmations %d", len(booked), len(want))
	}
	if n := e.rawBooked(show); n != len(booked) {
		t.Errorf("%d seat records in the store for %d booked seats: a seat is booked twice", n, len(booked))
	}
	if ok == 0 || refusedConf+ok == 0 {
		t.Errorf("no confirmation succeeded (%d refused): the test tests nothing", refusedConf)
	}
	m := e.seatMap(user("observer"), show)
	for seat := range booked {
		if m.Status[seat] != booking.SeatBooked {
			t.Errorf("booked seat %s is %s on the seat map", seat, m.Status[seat])
		}
	}
	// Once every hold has expired and been swept, nothing is held.
	time.Sleep(ttl + 50*time.Millisecond)
	if _, err := e.svc.SweepExpired(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.Counts(ctx, []string{show})
	if err != nil || c[show] != (booking.SeatCounts{Booked: len(booked)}) {
		t.Errorf("counts at the end: %+v, %v; want %d booked and nothing held", c[show], err, len(booked))
	}
	cancel()
	<-watched
	t.Logf("%s: %d workers, %v: %d hold attempts (%d held, %d refused); %d confirmations: %d booked, %d refused "+
		"(booked/refused: begun and ended before expiry %d/%d, straddling it %d/%d, begun after it %d/%d); "+
		"%d holds swept, %d seats pushed free; %d seats booked",
		a, holdWorkers, elapsed.Round(time.Millisecond), attempts.Load(), len(holds), refused.Load(), ok+refusedConf, ok,
		refusedConf, timing[0][0], timing[0][1], timing[1][0], timing[1][1], timing[2][0], timing[2][1],
		swept.Load(), freedEvents.Load(), len(booked))
}
