package seatlocktest

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

	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Sizes of the concurrency tests.
const (
	workers   = 500
	showSeats = 300
	runFor    = 2 * time.Second
)

type attempt struct {
	owner string
	seats []string // sorted
	exp   time.Time
}

// history records what the workers tried, and checks seat-map snapshots against it.
type history struct {
	attempts sync.Map // hold id → attempt, stored before the Hold call
	failed   sync.Map // hold id → struct{}
	seen     sync.Map // hold ids seen live in a snapshot

	snapshots atomic.Int64
}

// check verifies one Seats snapshot: every hold in it must be visible whole (exactly the seats it
// was asked for, all-or-nothing), belong to its owner, and, when oneHoldPerOwner is set, no owner
// may have two holds. A seat maps to one hold by construction of the map.
func (hi *history) check(t *testing.T, snap map[string]seatlock.SeatState, oneHoldPerOwner bool) {
	t.Helper()
	hi.snapshots.Add(1)
	byHold := map[string][]string{}
	for seat, st := range snap {
		if st.Booked {
			continue
		}
		byHold[st.HoldID] = append(byHold[st.HoldID], seat)
	}
	owners := map[string]string{}
	for id, seats := range byHold {
		v, ok := hi.attempts.Load(id)
		if !ok {
			t.Errorf("snapshot shows hold %q that nobody asked for", id)
			continue
		}
		a := v.(attempt)
		slices.Sort(seats)
		if !slices.Equal(seats, a.seats) {
			t.Errorf("hold %s is visible on seats %v, it holds %v: seats shared or partly held", id, seats, a.seats)
		}
		if o := snap[seats[0]].OwnerID; o != a.owner {
			t.Errorf("hold %s shows owner %q, want %q", id, o, a.owner)
		}
		if prev, dup := owners[a.owner]; dup && oneHoldPerOwner {
			t.Errorf("owner %s has two live holds on one show: %s and %s", a.owner, prev, id)
		}
		owners[a.owner] = id
		hi.seen.Store(id, struct{}{})
	}
}

// neverSeenFailed checks that no refused hold ever showed up in a snapshot.
func (hi *history) neverSeenFailed(t *testing.T) {
	t.Helper()
	hi.seen.Range(func(k, _ any) bool {
		if _, bad := hi.failed.Load(k); bad {
			t.Errorf("refused hold %v was visible in a snapshot", k)
		}
		return true
	})
}

func pick(rng *rand.Rand, seatIDs []string) []string {
	k := 1 + rng.IntN(6)
	idx := rng.Perm(len(seatIDs))[:k]
	out := make([]string, k)
	for i, j := range idx {
		out[i] = seatIDs[j]
	}
	slices.Sort(out)
	return out
}

// checkRefusal verifies a failed Hold: only SeatUnavailable, naming some of the asked seats.
func checkRefusal(t *testing.T, err error, asked []string) bool {
	t.Helper()
	if !errs.Is(err, errs.SeatUnavailable) {
		t.Errorf("hold: %v, want a seat_unavailable error", err)
		return false
	}
	busy := strings.Split(errs.As(err).Details["seats"], ",")
	if len(busy) == 0 || !slices.IsSorted(busy) {
		t.Errorf("unavailable seats %v: empty or not sorted", busy)
	}
	for _, s := range busy {
		if !slices.Contains(asked, s) {
			t.Errorf("unavailable seat %q was not asked for (%v)", s, asked)
		}
	}
	return true
}

// snapshotLoop checks Seats snapshots until stop is closed.
func snapshotLoop(t *testing.T, l seatlock.Locker, show string, hi *history, now func() time.Time,
	oneHoldPerOwner bool, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case <-stop:
			return
		default:
		}
		snap, err := l.Seats(context.Background(), show, now())
		if err != nil {
			t.Errorf("seats: %v", err)
			return
		}
		hi.check(t, snap, oneHoldPerOwner)
	}
}

// testContention: 500 owners race for random 1–6 seats of one 300-seat show with long holds
// (nothing expires). Each success replaces the owner's previous hold and must own all its seats
// at once; half the holds are released again so that freed seats are raced for; snapshots never
// show a hold partly or a seat twice; at the end every live hold is consumed and each seat is
// booked once.
func testContention(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	show := uniq("show")
	seatIDs := seatNames("R", showSeats)
	now := base()
	exp := now.Add(time.Hour)
	hi := &history{}
	current := make([]string, workers)
	var ok, refused, released atomic.Int64
	deadline := time.Now().Add(runFor)
	start := time.Now()

	stop := make(chan struct{})
	var checkers sync.WaitGroup
	checkers.Add(2)
	for range 2 {
		go snapshotLoop(t, l, show, hi, func() time.Time { return now }, true, stop, &checkers)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			owner := fmt.Sprintf("owner-%d", w)
			for i := 0; time.Now().Before(deadline); i++ {
				seats := pick(rng, seatIDs)
				id := fmt.Sprintf("h-%d-%d", w, i)
				hi.attempts.Store(id, attempt{owner: owner, seats: seats, exp: exp})
				res, err := l.Hold(ctx, seatlock.Hold{ID: id, ShowID: show, OwnerID: owner, SeatIDs: seats, ExpiresAt: exp}, seatlock.Guard{}, now)
				if err != nil {
					hi.failed.Store(id, struct{}{})
					refused.Add(1)
					if !checkRefusal(t, err, seats) {
						return
					}
					continue
				}
				ok.Add(1)
				if replaced := res.Replaced; replaced != current[w] {
					t.Errorf("hold %s replaced %q, want the owner's previous hold %q", id, replaced, current[w])
				}
				current[w] = id
				// The new hold owns every one of its seats, and nobody can take them while it lives.
				if i%3 == 0 {
					snap, err := l.Seats(ctx, show, now)
					if err != nil {
						t.Error(err)
						return
					}
					for _, s := range seats {
						if st := snap[s]; st.HoldID != id || st.OwnerID != owner {
							t.Errorf("seat %s of live hold %s shows %+v", s, id, st)
						}
					}
				} else if h, err := l.Get(ctx, show, id, now); err != nil || !slices.Equal(h.SeatIDs, seats) {
					t.Errorf("get live hold %s = %v, %v", id, h.SeatIDs, err)
				}
				// Half the time, let go again, so that freed seats are raced for.
				if rng.IntN(2) == 0 {
					h, err := l.Release(ctx, show, id, owner, now)
					if err != nil || !slices.Equal(h.SeatIDs, seats) {
						t.Errorf("release live hold %s = %v, %v", id, h.SeatIDs, err)
					}
					released.Add(1)
					current[w] = ""
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	checkers.Wait()
	elapsed := time.Since(start)
	hi.neverSeenFailed(t)

	// The final seat map is exactly the owners' current holds.
	snap := seats(ctx, t, l, show, now)
	hi.check(t, snap, true)
	live := map[string]bool{}
	for _, st := range snap {
		live[st.HoldID] = true
	}
	n := 0
	for _, id := range current {
		if id == "" {
			continue
		}
		n++
		if !live[id] {
			t.Errorf("the current hold %s of its owner is not in the seat map", id)
		}
	}
	if len(live) != n {
		t.Errorf("%d holds in the seat map, want the %d current ones", len(live), n)
	}

	// Consume them all, concurrently: each seat is booked exactly once.
	var mu sync.Mutex
	booked := map[string]string{}
	ids := make(chan string)
	var cwg sync.WaitGroup
	for range 50 {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for id := range ids {
				h, err := l.Consume(ctx, show, id, now)
				if err != nil {
					t.Errorf("consume %s: %v", id, err)
					continue
				}
				mu.Lock()
				for _, s := range h.SeatIDs {
					if prev, dup := booked[s]; dup {
						t.Errorf("seat %s booked twice: by %s and %s", s, prev, id)
					}
					booked[s] = id
				}
				mu.Unlock()
			}
		}()
	}
	for id := range live {
		ids <- id
	}
	close(ids)
	cwg.Wait()
	snap = seats(ctx, t, l, show, now)
	for s, st := range snap {
		if !st.Booked {
			t.Errorf("seat %s is %+v after consuming every hold", s, st)
		}
		if _, ok := booked[s]; !ok {
			t.Errorf("seat %s is booked but no consumed hold had it", s)
		}
	}
	if len(snap) != len(booked) {
		t.Errorf("%d seats booked, %d consumed", len(snap), len(booked))
	}
	wantCounts(t, l, now, map[string]seatlock.Counts{show: {Booked: len(booked)}})
	t.Logf("%d workers, %v: %d holds, %d refused (%.0f attempts/s), %d released, %d snapshots checked, %d seats booked by %d holds",
		workers, elapsed.Round(time.Millisecond), ok.Load(), refused.Load(),
		float64(ok.Load()+refused.Load())/elapsed.Seconds(), released.Load(), hi.snapshots.Load(), len(booked), len(live))
}

// testExpiryRace: the same contention with real time and holds of 40–300 ms, so holds expire
// mid-run, while four callers run ExpireDue and workers Consume or Release their holds close to
// expiry. Every successful hold ends exactly one way — replaced, released, consumed, or
// returned by ExpireDue — a Consume at or after expiry fails and books nothing, and the booked
// seats are exactly the consumed ones, each once.
func testExpiryRace(t *testing.T, l seatlock.Locker) {
	ctx := context.Background()
	show := uniq("show")
	seatIDs := seatNames("R", showSeats)
	hi := &history{}
	start := time.Now()
	deadline := start.Add(runFor)

	var mu sync.Mutex
	outcomes := map[string][]string{} // hold id → how it ended
	succeeded := map[string]bool{}
	booked := map[string]string{} // seat → consumed hold
	end := func(id, how string) {
		mu.Lock()
		outcomes[id] = append(outcomes[id], how)
		mu.Unlock()
	}
	var ok, refused, consumed, lateConsumes, expired atomic.Int64

	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(1)
	go snapshotLoop(t, l, show, hi, time.Now, false, stop, &bg)
	expire := func() int {
		callNow := time.Now()
		hs, err := l.ExpireDue(ctx, callNow, 16)
		if err != nil {
			t.Errorf("expire due: %v", err)
		}
		for _, h := range hs {
			expired.Add(1)
			end(h.ID, "expired")
			v, known := hi.attempts.Load(h.ID)
			if !known {
				t.Errorf("ExpireDue returned unknown hold %s", h.ID)
				continue
			}
			if a := v.(attempt); h.OwnerID != a.owner || !slices.Equal(h.SeatIDs, a.seats) || h.ShowID != show {
				t.Errorf("ExpireDue returned %+v, it was %+v", h, a)
			}
			// Expired by the caller's clock, or (a little earlier) by a clock that ran ahead.
			if h.ExpiresAt.After(callNow.Add(time.Second)) {
				t.Errorf("ExpireDue at %v returned hold %s expiring at %v", callNow, h.ID, h.ExpiresAt)
			}
		}
		return len(hs)
	}
	for range 4 {
		bg.Add(1)
		go func() {
			defer bg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if expire() == 0 {
					time.Sleep(2 * time.Millisecond)
				}
			}
		}()
	}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			owner := fmt.Sprintf("owner-%d", w)
			prev := ""
			for i := 0; time.Now().Before(deadline); i++ {
				seats := pick(rng, seatIDs)
				id := fmt.Sprintf("h-%d-%d", w, i)
				ttl := time.Duration(40+rng.IntN(260)) * time.Millisecond
				now := time.Now()
				exp := now.Add(ttl)
				hi.attempts.Store(id, attempt{owner: owner, seats: seats, exp: exp})
				res, err := l.Hold(ctx, seatlock.Hold{ID: id, ShowID: show, OwnerID: owner, SeatIDs: seats, ExpiresAt: exp}, seatlock.Guard{}, now)
				if err != nil {
					hi.failed.Store(id, struct{}{})
					refused.Add(1)
					if !checkRefusal(t, err, seats) {
						return
					}
					time.Sleep(time.Duration(rng.IntN(5)) * time.Millisecond)
					continue
				}
				ok.Add(1)
				mu.Lock()
				succeeded[id] = true
				mu.Unlock()
				if replaced := res.Replaced; replaced != "" {
					if replaced != prev {
						t.Errorf("hold %s replaced %q, not the owner's previous hold %q", id, replaced, prev)
					}
					end(replaced, "replaced")
				}
				prev = id
				switch rng.IntN(6) {
				case 0, 1: // confirm close to expiry, racing it and ExpireDue
					time.Sleep(time.Duration(rng.Int64N(int64(ttl + ttl/4))))
					cnow := time.Now()
					h, err := l.Consume(ctx, show, id, cnow)
					if err != nil {
						if !errs.Is(err, errs.NotFound) {
							t.Errorf("consume: %v", err)
						}
						lateConsumes.Add(1)
						continue
					}
					if !cnow.Before(exp.Truncate(time.Millisecond)) {
						t.Errorf("hold %s expiring at %v consumed at %v", id, exp, cnow)
					}
					consumed.Add(1)
					end(id, "consumed")
					mu.Lock()
					for _, s := range h.SeatIDs {
						if other, dup := booked[s]; dup {
							t.Errorf("seat %s booked twice: by %s and %s", s, other, id)
						}
						booked[s] = id
					}
					mu.Unlock()
				case 2:
					time.Sleep(time.Duration(rng.IntN(int(ttl.Milliseconds()))) * time.Millisecond)
					if _, err := l.Release(ctx, show, id, owner, time.Now()); err == nil {
						end(id, "released")
					} else if !errs.Is(err, errs.NotFound) {
						t.Errorf("release: %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	bg.Wait()
	elapsed := time.Since(start)
	hi.neverSeenFailed(t)

	// Let every hold expire, then drain ExpireDue.
	time.Sleep(350 * time.Millisecond)
	for expire() > 0 {
	}
	now := time.Now()
	snap := seats(ctx, t, l, show, now)
	for s, st := range snap {
		if !st.Booked {
			t.Errorf("seat %s is still held (%+v) after every hold expired", s, st)
		} else if _, ok := booked[s]; !ok {
			t.Errorf("seat %s is booked but no successful Consume booked it", s)
		}
	}
	for s, id := range booked {
		if !snap[s].Booked {
			t.Errorf("seat %s consumed by %s is not booked", s, id)
		}
	}
	wantCounts(t, l, now, map[string]seatlock.Counts{show: {Booked: len(booked)}})

	mu.Lock()
	defer mu.Unlock()
	for id := range succeeded {
		if how := outcomes[id]; len(how) != 1 {
			t.Errorf("hold %s ended %d times (%v), want exactly once", id, len(how), how)
		}
	}
	for id, how := range outcomes {
		if !succeeded[id] {
			t.Errorf("hold %s that never succeeded ended as %v", id, how)
		}
	}
	t.Logf("%d workers, %v: %d holds, %d refused, %d consumed, %d consumes too late, %d expired via ExpireDue, %d snapshots checked",
		workers, elapsed.Round(time.Millisecond), ok.Load(), refused.Load(), consumed.Load(), lateConsumes.Load(),
		expired.Load(), hi.snapshots.Load())
}

// BenchHold4Seats measures Hold of four seats, from b.RunParallel with 25 goroutines per
// GOMAXPROCS: each goroutine is one owner re-holding its own four seats, so every call replaces
// the owner's previous hold (the common and the heaviest successful path). It reports ops/s.
func BenchHold4Seats(b *testing.B, l seatlock.Locker) {
	ctx := context.Background()
	show := uniq("bench")
	var worker atomic.Int64
	b.SetParallelism(25)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := worker.Add(1)
		owner := fmt.Sprintf("owner-%d", w)
		seats := []string{fmt.Sprintf("W%d-1", w), fmt.Sprintf("W%d-2", w), fmt.Sprintf("W%d-3", w), fmt.Sprintf("W%d-4", w)}
		for i := 0; pb.Next(); i++ {
			now := time.Now()
			h := seatlock.Hold{ID: fmt.Sprintf("b%d-%d", w, i), ShowID: show, OwnerID: owner, SeatIDs: seats,
				ExpiresAt: now.Add(10 * time.Minute), Payload: []byte(`{"total":4800,"currency":"EUR"}`)}
			if _, err := l.Hold(ctx, h, seatlock.Guard{}, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
