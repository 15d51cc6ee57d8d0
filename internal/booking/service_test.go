package booking_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/booking/seating"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Seats of the hall used below. Row H is a prime row, rows A-D are classic, M and L recliner;
// each 5-14-5 row has its first block at seats 1-5, so choosing 1-2 strands nothing.

func TestHoldSeatsAllOrNothing(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show := e.newShow()
		alice, bob, carol := user("alice"), user("bob"), guest("carol-session")
		e.hold(alice, show, "C1", "C2")
		e.hold(carol, show, "D1", "D2")

		_, err := e.svc.HoldSeats(bob, show, []string{"C2", "C3", "D2", "D3"})
		wantSeatsDetail(t, err, "C2", "D2")

		m := e.seatMap(bob, show)
		if m.HoldID != "" || len(m.Mine) != 0 {
			t.Errorf("a refused hold left bob holding %v (%s)", m.Mine, m.HoldID)
		}
		e.wantStatus(bob, show, booking.SeatAvailable, "C3", "D3")
		e.wantStatus(bob, show, booking.SeatHeld, "C1", "C2", "D1", "D2")
		c, err := e.svc.Counts(context.Background(), []string{show})
		if err != nil {
			t.Fatal(err)
		}
		if c[show] != (booking.SeatCounts{Held: 4}) {
			t.Errorf("counts %+v, want 4 held", c[show])
		}
		// The free seats of the refused choice can be held.
		e.hold(bob, show, "C3", "C4", "C5")
	})
}

func TestHoldSeatsRefusesBadChoices(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show := e.newShow()
		booker := user("booker")
		h := e.hold(booker, show, "B1", "B2")
		e.confirm(h, ids.New())

		eleven := []string{"E6", "E7", "E8", "E9", "E10", "E11", "E12", "E13", "E14", "E15", "E16"}
		cases := []struct {
			name  string
			seats []string
			code  errs.Code
			named []string // for SeatUnavailable
		}{
			{"no seats", nil, errs.Invalid, nil},
			{"more than ten seats", eleven, errs.Invalid, nil},
			{"a seat twice", []string{"E1", "E2", "E1"}, errs.Invalid, nil},
			{"an unknown seat", []string{"E1", "Z99"}, errs.Invalid, nil},
			{"a gap's number", []string{"E25"}, errs.Invalid, nil},
			{"a blocked seat", []string{"G11", "G12"}, errs.SeatUnavailable, []string{"G12"}},
			{"a booked seat", []string{"B2", "B3"}, errs.SeatUnavailable, []string{"B2"}},
		}
		for _, tc := range cases {
			_, err := e.svc.HoldSeats(user("alice"), show, tc.seats)
			if tc.code == errs.SeatUnavailable {
				wantSeatsDetail(t, err, tc.named...)
			} else if !errs.Is(err, tc.code) {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
			}
		}
		c, err := e.svc.Counts(context.Background(), []string{show})
		if err != nil {
			t.Fatal(err)
		}
		if c[show] != (booking.SeatCounts{Booked: 2}) {
			t.Errorf("after refused holds: counts %+v, want only the 2 booked", c[show])
		}
	})
}

func TestOrphanRule(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		strict, loose := e.newShow(), e.newShow(lenient)

		_, err := e.svc.HoldSeats(user("alice"), strict, []string{"H2", "H3"})
		ee := wantCode(t, err, errs.Invalid)
		if seating.ReasonOrphanSeat != "ORPHAN_SEAT" || ee.Reason != "ORPHAN_SEAT" || ee.Details["seats"] != "H1" {
			t.Errorf("got %+v, want reason ORPHAN_SEAT naming H1", ee)
		}
		e.wantStatus(user("alice"), strict, booking.SeatAvailable, "H1", "H2", "H3")
		// The same choice where the theatre allows orphan seats.
		e.hold(user("alice"), loose, "H2", "H3")
		// A choice that strands nothing is fine everywhere.
		e.hold(user("bob"), strict, "H1", "H2")
	})
}

// TestHoldsOutliveAStaleView runs two booking services on one locker: each keeps its own view
// of the seats around its holds (so that a hold is one call to the locker), and the other
// service's holds and releases make that view stale. Every answer must still be the one the
// locker's state calls for. Row D's left block is D1–D5, with an aisle after D5.
func TestHoldsOutliveAStaleView(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		other := e.withLocker(e.locker) // another process, same locker
		orphan := func(err error, seat string) {
			t.Helper()
			ee := wantCode(t, err, errs.Invalid)
			if ee.Reason != seating.ReasonOrphanSeat || ee.Details["seats"] != seat {
				t.Errorf("got %+v, want ORPHAN_SEAT naming %s", ee, seat)
			}
		}

		// Seats the view thinks free are taken: the orphan rule sees the locker's state.
		show := e.newShow()
		e.hold(user("alice"), show, "D1", "D2")
		if _, err := other.HoldSeats(user("bob"), show, []string{"D5"}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.HoldSeats(user("carol"), show, []string{"D3"})
		orphan(err, "D4")
		e.wantStatus(user("carol"), show, booking.SeatAvailable, "D3", "D4")
		// ... and a seat the view thinks free but is held is refused as unavailable.
		_, err = e.svc.HoldSeats(user("carol"), show, []string{"D5"})
		wantSeatsDetail(t, err, "D5")

		// Seats the view thinks taken were released elsewhere: they can be held.
		show = e.newShow()
		h := e.hold(user("alice"), show, "D1", "D2")
		if err := other.ReleaseHold(user("alice"), h.ID); err != nil {
			t.Fatal(err)
		}
		e.hold(user("carol"), show, "D1", "D2")

		// A seat the view thinks taken would strand another; it was released elsewhere, so
		// nothing is stranded.
		show = e.newShow()
		h = e.hold(user("bob"), show, "D3")
		if err := other.ReleaseHold(user("bob"), h.ID); err != nil {
			t.Fatal(err)
		}
		e.hold(user("carol"), show, "D1")
		e.wantStatus(user("dave"), show, booking.SeatHeld, "D1")
		e.wantStatus(user("dave"), show, booking.SeatAvailable, "D2", "D3")

		// A hold the view knows of has expired: its seats count as free.
		show = e.newShow()
		e.hold(user("bob"), show, "D3")
		if e.manual != nil {
			e.advance(booking.DefaultHoldTTL + time.Second)
			e.hold(user("carol"), show, "D1")
		}

		// The caller's own hold next door counts as free, since the new hold replaces it.
		show = e.newShow()
		e.hold(user("erin"), show, "D3")
		e.hold(user("erin"), show, "D1", "D2")
		e.wantStatus(user("dave"), show, booking.SeatAvailable, "D3")
	})
}

// guardSpy is a locker that records the guards of the holds it is asked for.
type guardSpy struct {
	seatlock.Locker
	mu     sync.Mutex
	guards []seatlock.Guard
}

func (l *guardSpy) Hold(ctx context.Context, h seatlock.Hold, g seatlock.Guard, now time.Time) (seatlock.HoldResult, error) {
	l.mu.Lock()
	l.guards = append(l.guards, g)
	l.mu.Unlock()
	return l.Locker.Hold(ctx, h, g, now)
}

// TestHoldGuardsTheSeatsItsVerdictReads: a hold guards only the seats the orphan rule's verdict
// was drawn from, so a view that is stale about the rest of the row costs no retry.
func TestHoldGuardsTheSeatsItsVerdictReads(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		spy := &guardSpy{Locker: e.locker}
		svc := e.withLocker(spy)
		other := e.withLocker(e.locker)
		show := e.newShow()
		// Row D's middle block is D6–D19. The spied service sees the row with alice's D8 held;
		// then bob holds D16 and D17 through another process.
		if _, err := svc.HoldSeats(user("alice"), show, []string{"D8"}); err != nil {
			t.Fatal(err)
		}
		if _, err := other.HoldSeats(user("bob"), show, []string{"D16", "D17"}); err != nil {
			t.Fatal(err)
		}
		spy.guards = nil
		if _, err := svc.HoldSeats(user("carol"), show, []string{"D11", "D12"}); err != nil {
			t.Fatal(err)
		}
		want := seatlock.Guard{Free: []string{"D9", "D10", "D13", "D14"}}
		if len(spy.guards) != 1 || !slices.Equal(spy.guards[0].Free, want.Free) || len(spy.guards[0].Taken) != 0 {
			t.Errorf("holding D11–D12 took guards %+v, want one, %+v", spy.guards, want)
		}
		// Taken neighbours are guarded as taken.
		spy.guards = nil
		if _, err := svc.HoldSeats(user("dave"), show, []string{"D9", "D10"}); err != nil {
			t.Fatal(err)
		}
		want = seatlock.Guard{Free: []string{"D7"}, Taken: []string{"D8", "D11", "D12"}}
		if len(spy.guards) != 1 || !slices.Equal(spy.guards[0].Free, want.Free) || !slices.Equal(spy.guards[0].Taken, want.Taken) {
			t.Errorf("holding D9–D10 took guards %+v, want one, %+v", spy.guards, want)
		}
	})
}

// restlessRows is a locker on whose rows every guard fails, as on a row that keeps changing:
// guarded holds get a GuardError with the seats' real states.
type restlessRows struct {
	seatlock.Locker
	mu             sync.Mutex
	guarded, plain int
}

func (l *restlessRows) Hold(ctx context.Context, h seatlock.Hold, g seatlock.Guard, now time.Time) (seatlock.HoldResult, error) {
	l.mu.Lock()
	if g.Len() == 0 {
		l.plain++
		l.mu.Unlock()
		return l.Locker.Hold(ctx, h, g, now)
	}
	l.guarded++
	l.mu.Unlock()
	states, err := l.Peek(ctx, h.ShowID, append(slices.Clone(g.Free), g.Taken...), now)
	if err != nil {
		return seatlock.HoldResult{}, err
	}
	return seatlock.HoldResult{}, &seatlock.GuardError{States: states}
}

// TestHoldsProgressOnARestlessRow: when the guard keeps failing, a hold is decided a few times
// and then made without a guard, on the states the locker last returned, so it always ends.
func TestHoldsProgressOnARestlessRow(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		l := &restlessRows{Locker: e.locker}
		svc := e.withLocker(l)
		show := e.newShow()
		if _, err := svc.HoldSeats(user("alice"), show, []string{"D1", "D2"}); err != nil {
			t.Fatalf("hold on a restless row: %v", err)
		}
		if l.guarded != 4 || l.plain != 1 {
			t.Errorf("holdSeats: %d guarded tries and %d plain, want 4 and 1", l.guarded, l.plain)
		}
		// The orphan rule is still decided on the locker's states.
		_, err := svc.HoldSeats(user("bob"), show, []string{"D4"})
		ee := wantCode(t, err, errs.Invalid)
		if ee.Reason != seating.ReasonOrphanSeat {
			t.Errorf("got %+v, want ORPHAN_SEAT", ee)
		}
		l.guarded, l.plain = 0, 0
		if _, err := svc.HoldBestAvailable(user("carol"), show, 2, "", false); err != nil {
			t.Fatalf("best available on a restless row: %v", err)
		}
		if l.guarded != 3 || l.plain != 1 {
			t.Errorf("holdBestAvailable: %d guarded tries and %d plain, want 3 and 1", l.guarded, l.plain)
		}
	})
}

func TestShowMustBeBookable(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		cancelled := e.newShow(func(s *booking.ShowInfo) { s.Scheduled = false })
		past := e.newShow(func(s *booking.ShowInfo) {
			s.StartsAt, s.BusyUntil = e.clk.Now().Add(-time.Hour), e.clk.Now().Add(2*time.Hour)
		})
		startingNow := e.newShow(func(s *booking.ShowInfo) { s.StartsAt = e.clk.Now() })
		alice := user("alice")
		for name, show := range map[string]string{"cancelled": cancelled, "started": past, "starting now": startingNow} {
			if _, err := e.svc.HoldSeats(alice, show, []string{"H1"}); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s show: hold: got %v, want invalid", name, err)
			}
			if _, err := e.svc.HoldBestAvailable(alice, show, 2, "", false); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s show: best available: got %v, want invalid", name, err)
			}
		}
		// A show cancelled after a hold was made refuses new holds.
		show := e.newShow()
		e.hold(alice, show, "H1")
		e.cat.updateShow(show, func(s *booking.ShowInfo) { s.Scheduled = false })
		if _, err := e.svc.HoldSeats(user("bob"), show, []string{"H2"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("show cancelled later: got %v, want invalid", err)
		}
		if _, err := e.svc.HoldSeats(alice, ids.New(), []string{"H1"}); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown show: got %v, want not found", err)
		}
		if _, err := e.svc.HoldSeats(alice, "not-a-show-id", []string{"H1"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("malformed show id: got %v, want invalid", err)
		}
	})
}

func TestHoldNeedsAnOwner(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show := e.newShow()
		h := e.hold(user("alice"), show, "H1", "H2")
		nobody := context.Background()
		_, err := e.svc.HoldSeats(nobody, show, []string{"J1"})
		wantCode(t, err, errs.Unauthenticated)
		_, err = e.svc.HoldBestAvailable(nobody, show, 2, "", false)
		wantCode(t, err, errs.Unauthenticated)
		_, err = e.svc.GetHold(nobody, h.ID)
		wantCode(t, err, errs.Unauthenticated)
		_, err = e.svc.ExtendHold(nobody, h.ID)
		wantCode(t, err, errs.Unauthenticated)
		wantCode(t, e.svc.ReleaseHold(nobody, h.ID), errs.Unauthenticated)
		// Anyone may look at the seat map; nothing is theirs.
		m := e.seatMap(nobody, show)
		if m.Status["H1"] != booking.SeatHeld || len(m.Mine) != 0 || m.HoldID != "" {
			t.Errorf("anonymous seat map: H1 %s, mine %v, hold %q", m.Status["H1"], m.Mine, m.HoldID)
		}
	})
}

func TestNewHoldReplacesTheOwnersOldOne(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show, other := e.newShow(), e.newShow()
		g := guest("browser-1")
		first := e.hold(g, show, "F1", "F2")
		elsewhere := e.hold(g, other, "F1", "F2") // another show: both stay
		second := e.hold(g, show, "F6", "F7")
		if second.ID == first.ID {
			t.Fatal("the new hold has the old one's id")
		}
		_, err := e.svc.GetHold(g, first.ID)
		wantCode(t, err, errs.HoldExpired)
		e.wantStatus(user("bob"), show, booking.SeatAvailable, "F1", "F2")
		e.wantStatus(user("bob"), show, booking.SeatHeld, "F6", "F7")
		m := e.seatMap(g, show)
		if m.HoldID != second.ID || len(m.Mine) != 2 || !m.Mine["F6"] || !m.Mine["F7"] {
			t.Errorf("the guest's seat map: hold %s, mine %v; want %s with F6, F7", m.HoldID, m.Mine, second.ID)
		}
		// The old seats are free for others; the owner's own seats count as free for its next hold.
		e.hold(user("bob"), show, "F1", "F2")
		third := e.hold(g, show, "F6", "F7", "F8")
		if got, err := e.svc.GetHold(g, third.ID); err != nil || !slices.Equal(got.SeatIDs, []string{"F6", "F7", "F8"}) {
			t.Errorf("third hold: %+v, %v", got, err)
		}
		if _, err := e.svc.GetHold(g, elsewhere.ID); err != nil {
			t.Errorf("the hold on the other show went away: %v", err)
		}
		c, err := e.svc.Counts(context.Background(), []string{show, other})
		if err != nil {
			t.Fatal(err)
		}
		if c[show].Held != 5 || c[other].Held != 2 {
			t.Errorf("counts %+v, want 5 held on the show and 2 on the other", c)
		}
	})
}

func TestOnlyTheOwnerTouchesAHold(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show := e.newShow()
		alice := user("alice")
		h := e.hold(alice, show, "H1", "H2")
		// A guest whose session id equals alice's user id is somebody else.
		for name, ctx := range map[string]context.Context{"bob": user("bob"), "guest alice": guest("alice")} {
			_, err := e.svc.GetHold(ctx, h.ID)
			if !errs.Is(err, errs.NotFound) {
				t.Errorf("%s gets alice's hold: %v, want not found", name, err)
			}
			if err := e.svc.ReleaseHold(ctx, h.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s releases alice's hold: %v, want not found", name, err)
			}
			if _, err := e.svc.ExtendHold(ctx, h.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s extends alice's hold: %v, want not found", name, err)
			}
		}
		for _, bad := range []string{"", "nonsense", "H" + ids.New()} {
			if _, err := e.svc.GetHold(alice, bad); !errs.Is(err, errs.NotFound) {
				t.Errorf("hold id %q: got %v, want not found", bad, err)
			}
		}
		got, err := e.svc.GetHold(alice, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Extended || !slices.Equal(got.SeatIDs, []string{"H1", "H2"}) || got.OwnerID != "user:alice" || got.ShowID != show {
			t.Errorf("alice's hold after the others tried: %+v", got)
		}
		if _, err := e.svc.ExtendHold(alice, h.ID); err != nil {
			t.Fatalf("alice extends: %v", err)
		}
		if err := e.svc.ReleaseHold(alice, h.ID); err != nil {
			t.Fatalf("alice releases: %v", err)
		}
		e.wantStatus(user("bob"), show, booking.SeatAvailable, "H1", "H2")
		_, err = e.svc.GetHold(alice, h.ID)
		wantCode(t, err, errs.HoldExpired)
		wantCode(t, e.svc.ReleaseHold(alice, h.ID), errs.HoldExpired)
	})
}

func TestHoldExpires(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show := e.newShow()
		alice := user("alice")
		h := e.hold(alice, show, "H1", "H2")
		if want := start.Add(booking.DefaultHoldTTL); !h.ExpiresAt.Equal(want) || !h.CreatedAt.Equal(start) {
			t.Errorf("hold from %v to %v, want %v to %v", h.CreatedAt, h.ExpiresAt, start, want)
		}
		e.advance(booking.DefaultHoldTTL - time.Second)
		if _, err := e.svc.GetHold(alice, h.ID); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		e.advance(time.Second)
		_, err := e.svc.GetHold(alice, h.ID)
		wantCode(t, err, errs.HoldExpired)
		_, err = e.svc.ExtendHold(alice, h.ID)
		wantCode(t, err, errs.HoldExpired)
		wantCode(t, e.svc.ReleaseHold(alice, h.ID), errs.HoldExpired)
		e.wantStatus(alice, show, booking.SeatAvailable, "H1", "H2")
		if m := e.seatMap(alice, show); m.HoldID != "" || len(m.Mine) != 0 {
			t.Errorf("an expired hold is still alice's on the seat map: %+v", m.Mine)
		}
		c, err := e.svc.Counts(context.Background(), []string{show})
		if err != nil || c[show].Held != 0 {
			t.Errorf("counts %+v, %v; want nothing held", c, err)
		}
		e.hold(user("bob"), show, "H1", "H2")
	})
}

func TestExtendHoldOnceByItsLength(t *testing.T) {
	t.Parallel()
	const ttl = 5 * time.Minute
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{opts: booking.Options{HoldTTL: ttl}})
		show := e.newShow()
		alice := user("alice")
		h := e.hold(alice, show, "H1", "H2")
		e.advance(3 * time.Minute)
		ext, err := e.svc.ExtendHold(alice, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := start.Add(2 * ttl); !ext.ExpiresAt.Equal(want) || !ext.Extended {
			t.Errorf("extended to %v (extended %v), want %v", ext.ExpiresAt, ext.Extended, want)
		}
		if ext.Quote.Total != h.Quote.Total || !ext.CreatedAt.Equal(h.CreatedAt) {
			t.Errorf("extension changed the hold: %+v, was %+v", ext, h)
		}
		_, err = e.svc.ExtendHold(alice, h.ID)
		wantCode(t, err, errs.Conflict)
		e.advance(ttl + time.Minute) // past the original expiry, before the new one
		got, err := e.svc.GetHold(alice, h.ID)
		if err != nil {
			t.Fatalf("after the original expiry: %v", err)
		}
		if !got.Extended || !got.ExpiresAt.Equal(start.Add(2*ttl)) {
			t.Errorf("hold %+v", got)
		}
		e.advance(ttl)
		_, err = e.svc.GetHold(alice, h.ID)
		wantCode(t, err, errs.HoldExpired)
	})
}

func TestQuote(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show := e.newShow()
		alice := user("alice")
		h := e.hold(alice, show, "H2", "A1", "M3", "H1", "M1", "M2")
		want := booking.Quote{
			Currency: "INR",
			Lines: []booking.QuoteLine{
				{Category: catRecliner, Name: "Recliner", SeatIDs: []string{"M1", "M2", "M3"}, UnitPrice: 45000, Quantity: 3, Amount: 135000},
				{Category: catPrime, Name: "Prime", SeatIDs: []string{"H1", "H2"}, UnitPrice: 25000, Quantity: 2, Amount: 50000},
				{Category: catClassic, Name: "Classic", SeatIDs: []string{"A1"}, UnitPrice: 18000, Quantity: 1, Amount: 18000},
			},
			Subtotal: 203000,
			Fees:     6 * booking.DefaultFeePerTicket, // 18000
			Taxes:    3240,                            // 18% of the fees
			Total:    203000 + 18000 + 3240,
		}
		checkQuote(t, "the new hold", h.Quote, want)
		if !slices.Equal(h.SeatIDs, []string{"A1", "H1", "H2", "M1", "M2", "M3"}) {
			t.Errorf("hold seats %v, want them sorted", h.SeatIDs)
		}

		// The show's prices change: the hold keeps its quote, a new hold gets the new price.
		e.cat.updateShow(show, func(s *booking.ShowInfo) { s.Prices[catPrime] = 99900 })
		got, err := e.svc.GetHold(alice, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkQuote(t, "the hold after a price change", got.Quote, want)
		ext, err := e.svc.ExtendHold(alice, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkQuote(t, "the extended hold", ext.Quote, want)

		bob := e.hold(user("bob"), show, "J1")
		checkQuote(t, "a hold after the price change", bob.Quote, booking.Quote{
			Currency: "INR",
			Lines:    []booking.QuoteLine{{Category: catPrime, Name: "Prime", SeatIDs: []string{"J1"}, UnitPrice: 99900, Quantity: 1, Amount: 99900}},
			Subtotal: 99900, Fees: 3000, Taxes: 540, Total: 99900 + 3000 + 540,
		})

		// Fees and tax are options; tax is rounded to the nearest minor unit.
		e2 := newEnv(t, a, envConfig{opts: booking.Options{Fees: &booking.Fees{PerTicket: 2999, TaxBasisPoints: 500}}})
		show2 := e2.newShow()
		q := e2.hold(alice, show2, "A1", "A2", "A3").Quote
		if q.Fees != 3*2999 || q.Taxes != 450 || q.Total != 3*18000+3*2999+450 { // 5% of 8997 = 449.85
			t.Errorf("quote with other fees: %+v", q)
		}
	})
}

func checkQuote(t *testing.T, what string, got, want booking.Quote) {
	t.Helper()
	if got.Currency != want.Currency || got.Subtotal != want.Subtotal || got.Fees != want.Fees ||
		got.Taxes != want.Taxes || got.Total != want.Total || len(got.Lines) != len(want.Lines) {
		t.Errorf("%s: quote %+v, want %+v", what, got, want)
		return
	}
	if got.Total != got.Subtotal+got.Fees+got.Taxes {
		t.Errorf("%s: total %d is not subtotal + fees + taxes", what, got.Total)
	}
	for i := range want.Lines {
		g, w := got.Lines[i], want.Lines[i]
		if g.Category != w.Category || g.Name != w.Name || !slices.Equal(g.SeatIDs, w.SeatIDs) ||
			g.UnitPrice != w.UnitPrice || g.Quantity != w.Quantity || g.Amount != w.Amount {
			t.Errorf("%s: line %d is %+v, want %+v", what, i, g, w)
		}
	}
}

func TestHoldBestAvailable(t *testing.T) {
	t.Parallel()
	layout := hallLayout()
	where := map[string]struct {
		row, col              int
		cat                   string
		accessible, companion bool
	}{}
	for _, s := range layout.Seats() {
		where[s.ID] = struct {
			row, col              int
			cat                   string
			accessible, companion bool
		}{s.Row, s.Column, s.Category, s.Accessible, s.Companion}
	}
	// adjacent reports whether seats are one run of neighbouring cells of one row.
	adjacent := func(seats []string) bool {
		cols := make([]int, 0, len(seats))
		for _, s := range seats {
			if where[s].row != where[seats[0]].row {
				return false
			}
			cols = append(cols, where[s].col)
		}
		slices.Sort(cols)
		return cols[len(cols)-1]-cols[0] == len(cols)-1
	}
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show := e.newShow()
		alice, bob := user("alice"), user("bob")

		h, err := e.svc.HoldBestAvailable(alice, show, 4, "prime", false)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.SeatIDs) != 4 || !adjacent(h.SeatIDs) {
			t.Errorf("best 4 prime: %v, want 4 adjacent seats", h.SeatIDs)
		}
		for _, s := range h.SeatIDs {
			if where[s].cat != catPrime || where[s].accessible {
				t.Errorf("best prime seats %v include %s, a %s seat", h.SeatIDs, s, where[s].cat)
			}
		}
		if len(h.Quote.Lines) != 1 || h.Quote.Lines[0].Category != catPrime || h.Quote.Subtotal != 4*25000 {
			t.Errorf("quote %+v", h.Quote)
		}
		// Bob's pick avoids alice's seats.
		hb, err := e.svc.HoldBestAvailable(bob, show, 4, catPrime, false)
		if err != nil {
			t.Fatal(err)
		}
		if !adjacent(hb.SeatIDs) || slices.ContainsFunc(hb.SeatIDs, func(s string) bool { return slices.Contains(h.SeatIDs, s) }) {
			t.Errorf("bob's best %v, alice's %v", hb.SeatIDs, h.SeatIDs)
		}
		// Any category.
		hc, err := e.svc.HoldBestAvailable(user("carol"), show, 6, "", false)
		if err != nil || len(hc.SeatIDs) != 6 || !adjacent(hc.SeatIDs) {
			t.Errorf("best 6 of any category: %v, %v", hc.SeatIDs, err)
		}
		// A wheelchair space with its companion seat.
		acc, err := e.svc.HoldBestAvailable(user("dan"), show, 2, "", true)
		if err != nil {
			t.Fatal(err)
		}
		spaces, companions := 0, 0
		for _, s := range acc.SeatIDs {
			if where[s].accessible {
				spaces++
			}
			if where[s].companion {
				companions++
			}
		}
		if len(acc.SeatIDs) != 2 || !adjacent(acc.SeatIDs) || spaces != 1 || companions != 1 {
			t.Errorf("accessible pair: %v", acc.SeatIDs)
		}

		for _, bad := range []struct {
			count int
			cat   string
		}{{0, ""}, {11, ""}, {2, "VIP"}, {2, "BALCONY"}} {
			_, err := e.svc.HoldBestAvailable(user("erin"), show, bad.count, bad.cat, false)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("count %d category %q: got %v, want invalid", bad.count, bad.cat, err)
			}
		}

		// Take every recliner: best available in that category then has nothing to give.
		for i, seats := range [][]string{
			{"M1", "M2", "M3"}, {"M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11"}, {"M12", "M13", "M14"},
			{"L1", "L2", "L3"}, {"L4", "L5", "L6", "L7", "L8", "L9", "L10", "L11"}, {"L12", "L13", "L14"},
		} {
			e.hold(user(fmt.Sprintf("recliner-fan-%d", i)), show, seats...)
		}
		_, err = e.svc.HoldBestAvailable(user("erin"), show, 1, catRecliner, false)
		wantCode(t, err, errs.SeatUnavailable)
		if m := e.seatMap(user("erin"), show); m.HoldID != "" {
			t.Errorf("a refused best-available request left a hold")
		}
		// Other categories still have seats.
		if h, err := e.svc.HoldBestAvailable(user("erin"), show, 2, catClassic, false); err != nil || where[h.SeatIDs[0]].cat != catClassic {
			t.Errorf("best 2 classic: %v, %v", h.SeatIDs, err)
		}
	})
}

func TestSeatMapAndCounts(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show, quiet := e.newShow(), e.newShow()
		alice, bob := user("alice"), user("bob")
		ha := e.hold(alice, show, "H1", "H2")
		hb := e.hold(bob, show, "J1", "J2", "J3")
		e.confirm(hb, ids.New())
		e.hold(guest("g"), show, "A1")

		m := e.seatMap(alice, show)
		if len(m.Status) != hallSeats || m.Show.ID != show || len(m.Layout.Rows) != 13 {
			t.Fatalf("seat map of %d seats, show %s, %d rows", len(m.Status), m.Show.ID, len(m.Layout.Rows))
		}
		counts := map[booking.SeatStatus]int{}
		for _, st := range m.Status {
			counts[st]++
		}
		want := map[booking.SeatStatus]int{booking.SeatHeld: 3, booking.SeatBooked: 3, booking.SeatBlocked: 2,
			booking.SeatAvailable: hallSeats - 8}
		if !mapsEqual(counts, want) {
			t.Errorf("statuses %v, want %v", counts, want)
		}
		e.wantStatus(alice, show, booking.SeatHeld, "H1", "H2", "A1")
		e.wantStatus(alice, show, booking.SeatBooked, "J1", "J2", "J3")
		e.wantStatus(alice, show, booking.SeatBlocked, "G12", "G13")
		if m.HoldID != ha.ID || len(m.Mine) != 2 || !m.Mine["H1"] || !m.Mine["H2"] {
			t.Errorf("alice's map: hold %s mine %v", m.HoldID, m.Mine)
		}
		mb := e.seatMap(bob, show)
		if mb.HoldID != "" || len(mb.Mine) != 0 {
			t.Errorf("bob's hold became a booking, yet his map says hold %q mine %v", mb.HoldID, mb.Mine)
		}

		c, err := e.svc.Counts(context.Background(), []string{show, quiet})
		if err != nil {
			t.Fatal(err)
		}
		if c[show] != (booking.SeatCounts{Held: 3, Booked: 3}) || c[quiet] != (booking.SeatCounts{}) || len(c) != 2 {
			t.Errorf("counts %+v", c)
		}
		if _, err := e.svc.Counts(context.Background(), make([]string, 1001)); !errs.Is(err, errs.Invalid) {
			t.Errorf("counts of 1001 shows: %v, want invalid", err)
		}
	})
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestConfirmBooking(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		ctx := context.Background()
		show := e.newShow()
		alice, bob := user("alice"), user("bob")
		h := e.hold(alice, show, "A1", "A2", "A3")
		b1, b2 := ids.New(), ids.New()
		e.confirm(h, b1)

		want := map[string]string{"A1": b1, "A2": b1, "A3": b1}
		if got := e.booked(show); !mapsEqual(got, want) {
			t.Fatalf("booked %v, want %v", got, want)
		}
		e.wantStatus(bob, show, booking.SeatBooked, "A1", "A2", "A3")
		_, err := e.svc.GetHold(alice, h.ID)
		wantCode(t, err, errs.HoldExpired) // consumed

		// The same booking again: with its hold id, without, in another order.
		for _, r := range []booking.ConfirmRequest{
			{BookingID: b1, ShowID: show, SeatIDs: h.SeatIDs, HoldID: h.ID},
			{BookingID: b1, ShowID: show, SeatIDs: []string{"A3", "A1", "A2"}},
		} {
			if err := e.svc.ConfirmBooking(ctx, r); err != nil {
				t.Fatalf("confirming again: %v", err)
			}
		}
		// Another booking of those seats with the consumed hold: refused, naming the seats.
		err = e.svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: b2, ShowID: show, SeatIDs: h.SeatIDs, HoldID: h.ID})
		wantSeatsDetail(t, err, "A1", "A2", "A3")
		// Overlapping one booked seat: refused whole.
		err = e.svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: b2, ShowID: show, SeatIDs: []string{"A3", "A4"}})
		wantSeatsDetail(t, err, "A3")
		if got := e.booked(show); !mapsEqual(got, want) || e.rawBooked(show) != 3 {
			t.Fatalf("after refused bookings: booked %v (%d records), want %v", got, e.rawBooked(show), want)
		}
		e.wantStatus(bob, show, booking.SeatAvailable, "A4")
		_, err = e.svc.HoldSeats(bob, show, []string{"A3", "A4"})
		wantSeatsDetail(t, err, "A3")
		c, err := e.svc.Counts(ctx, []string{show})
		if err != nil || c[show] != (booking.SeatCounts{Booked: 3}) {
			t.Errorf("counts %+v, %v", c, err)
		}

		for _, bad := range []booking.ConfirmRequest{
			{BookingID: b2, ShowID: "nope", SeatIDs: []string{"A5"}},
			{ShowID: show, SeatIDs: []string{"A5"}},
			{BookingID: b2, ShowID: show},
		} {
			if err := e.svc.ConfirmBooking(ctx, bad); !errs.Is(err, errs.Invalid) {
				t.Errorf("confirm %+v: got %v, want invalid", bad, err)
			}
		}
	})
}

func TestConfirmBookingAfterTheHoldExpired(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		ctx := context.Background()
		show := e.newShow()
		alice, bob := user("alice"), user("bob")

		// Paid after the hold expired, with the seats still free: booked.
		late := e.hold(alice, show, "B1", "B2")
		e.advance(booking.DefaultHoldTTL + time.Second)
		bLate := ids.New()
		e.confirm(late, bLate)
		e.wantStatus(bob, show, booking.SeatBooked, "B1", "B2")

		// Paid after the hold expired and somebody else took the seats meanwhile.
		ha := e.hold(alice, show, "C1", "C2")
		e.advance(booking.DefaultHoldTTL + time.Second)
		hb := e.hold(bob, show, "C1", "C2")
		ba, bb := ids.New(), ids.New()
		ra := booking.ConfirmRequest{BookingID: ba, ShowID: show, SeatIDs: ha.SeatIDs, HoldID: ha.ID}
		wantSeatsDetail(t, e.svc.ConfirmBooking(ctx, ra), "C1", "C2") // held by bob
		e.confirm(hb, bb)
		wantSeatsDetail(t, e.svc.ConfirmBooking(ctx, ra), "C1", "C2") // booked by bob
		// Once bob's hold is gone too (consumed), the ground truth still refuses alice.
		e.advance(booking.DefaultHoldTTL + time.Second)
		wantSeatsDetail(t, e.svc.ConfirmBooking(ctx, ra), "C1", "C2")

		want := map[string]string{"B1": bLate, "B2": bLate, "C1": bb, "C2": bb}
		if got := e.booked(show); !mapsEqual(got, want) || e.rawBooked(show) != 4 {
			t.Fatalf("booked %v (%d records), want %v", got, e.rawBooked(show), want)
		}
	})
}

func TestConfirmBookingAfterTheLockerLostEverything(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		ctx := context.Background()
		show := e.newShow()
		alice, bob := user("alice"), user("bob")
		h := e.hold(alice, show, "D1", "D2")
		b1 := ids.New()
		e.confirm(h, b1)

		// Redis restarts empty (or the process restarts, for the memory locker): no holds, no
		// booked marks. The ground truth still decides.
		fresh := e.freshLocker()
		svc := e.withLocker(fresh)
		m, err := svc.SeatMap(bob, show)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status["D1"] != booking.SeatBooked || m.Status["D2"] != booking.SeatBooked {
			t.Errorf("after the restart D1, D2 are %s, %s", m.Status["D1"], m.Status["D2"])
		}
		_, err = svc.HoldSeats(bob, show, []string{"D1", "D2"})
		wantSeatsDetail(t, err, "D1", "D2")
		b2 := ids.New()
		for name, r := range map[string]booking.ConfirmRequest{
			"with the consumed hold": {BookingID: b2, ShowID: show, SeatIDs: []string{"D1", "D2"}, HoldID: h.ID},
			"without a hold":         {BookingID: b2, ShowID: show, SeatIDs: []string{"D2"}},
			"with a forged hold id":  {BookingID: b2, ShowID: show, SeatIDs: []string{"D1"}, HoldID: "H" + ids.New()},
		} {
			err := svc.ConfirmBooking(ctx, r)
			if !errs.Is(err, errs.SeatUnavailable) {
				t.Errorf("%s: got %v, want seat unavailable", name, err)
			}
		}
		// Bob's real hold of free seats does not carry booked ones with it.
		hb, err := svc.HoldSeats(bob, show, []string{"D3", "D4", "D5"})
		if err != nil {
			t.Fatal(err)
		}
		err = svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: b2, ShowID: show,
			SeatIDs: []string{"D1", "D2", "D3", "D4", "D5"}, HoldID: hb.ID})
		wantSeatsDetail(t, err, "D1", "D2")
		// A hold in the fast path that disagrees with the ground truth does not make a second
		// booking either. (It is what a hold looks like that landed between a booking's Book and
		// a MarkBooked that failed: the booking succeeded, the locker never heard of it.)
		staleHold := func(owner string) seatlock.Hold {
			h := seatlock.Hold{ID: "H" + ids.New() + "xx", ShowID: show, OwnerID: owner,
				SeatIDs: []string{"D1", "D2"}, ExpiresAt: e.clk.Now().Add(time.Minute)}
			if _, err := fresh.Hold(ctx, h, seatlock.Guard{}, e.clk.Now()); err != nil {
				t.Fatal(err)
			}
			return h
		}
		forged := staleHold("user:mallory")
		err = svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: ids.New(), ShowID: show,
			SeatIDs: []string{"D1", "D2"}, HoldID: forged.ID})
		wantSeatsDetail(t, err, "D1", "D2")

		// The first booking's retry (a repeated payment webhook) still succeeds: the ground truth
		// has the seats for it, so a stale hold on them does not stand in its way. The retry marks
		// the seats booked in the new locker, releasing the stale hold.
		stale := staleHold("user:trudy")
		if err := svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: b1, ShowID: show, SeatIDs: []string{"D1", "D2"}}); err != nil {
			t.Fatalf("retrying the first booking: %v", err)
		}
		st, err := fresh.Seats(ctx, show, e.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !st["D1"].Booked || !st["D2"].Booked {
			t.Errorf("the retried booking did not mark its seats booked in the locker: %+v", st)
		}
		if _, err := fresh.Get(ctx, show, stale.ID, e.clk.Now()); !errs.Is(err, errs.NotFound) {
			t.Errorf("the stale hold outlived the retried booking: %v", err)
		}
		want := map[string]string{"D1": b1, "D2": b1}
		if got := e.booked(show); !mapsEqual(got, want) || e.rawBooked(show) != 2 {
			t.Fatalf("booked %v (%d records), want %v", got, e.rawBooked(show), want)
		}
		// Bob's refused confirmation let go of his seats (its claim replaced his hold); the free
		// ones can still be booked alone.
		if err := svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: b2, ShowID: show, SeatIDs: hb.SeatIDs, HoldID: hb.ID}); err != nil {
			t.Fatalf("bob books his own seats: %v", err)
		}
	})
}

func TestReleaseBooking(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		ctx := context.Background()
		show := e.newShow()
		alice, bob := user("alice"), user("bob")
		b1 := ids.New()
		e.confirm(e.hold(alice, show, "E1", "E2"), b1)
		freed, err := e.svc.ReleaseBooking(ctx, show, b1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(freed, []string{"E1", "E2"}) {
			t.Errorf("freed %v, want E1, E2", freed)
		}
		e.wantStatus(bob, show, booking.SeatAvailable, "E1", "E2")
		if got := e.booked(show); len(got) != 0 {
			t.Errorf("booked after release: %v", got)
		}
		again, err := e.svc.ReleaseBooking(ctx, show, b1)
		if err != nil || len(again) != 0 {
			t.Errorf("releasing again freed %v, %v", again, err)
		}
		// The seats can be held and booked again by someone else.
		b2 := ids.New()
		e.confirm(e.hold(bob, show, "E1", "E2"), b2)
		if got := e.booked(show); !mapsEqual(got, map[string]string{"E1": b2, "E2": b2}) {
			t.Errorf("booked %v", got)
		}
	})
}

// nextEvent waits for a seat event of the show that has changes.
func nextEvent(t *testing.T, ch <-chan booking.SeatEvent) booking.SeatEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the watch ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no seat event within 5s")
	}
	return booking.SeatEvent{}
}

// wantEvent waits for the next event and checks that it says exactly seats have status.
func wantEvent(t *testing.T, ch <-chan booking.SeatEvent, show string, status booking.SeatStatus, seats ...string) {
	t.Helper()
	ev := nextEvent(t, ch)
	var got []string
	for _, c := range ev.Seats {
		if c.Status != status {
			t.Errorf("event %+v: seat %s is %s, want %s", ev, c.SeatID, c.Status, status)
		}
		got = append(got, c.SeatID)
	}
	slices.Sort(got)
	if ev.ShowID != show || !slices.Equal(got, seats) {
		t.Errorf("event %+v, want show %s seats %v %s", ev, show, seats, status)
	}
}

func TestSeatChangesArePublished(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		show := e.newShow()
		if _, err := e.svc.Watch(ctx, ids.New()); !errs.Is(err, errs.NotFound) {
			t.Errorf("watching an unknown show: %v", err)
		}
		ch, err := e.svc.Watch(ctx, show)
		if err != nil {
			t.Fatal(err)
		}
		alice, bob := user("alice"), user("bob")

		e.hold(alice, show, "H1", "H2")
		wantEvent(t, ch, show, booking.SeatHeld, "H1", "H2")
		e.advance(booking.DefaultHoldTTL + time.Second)
		n, err := e.svc.SweepExpired(ctx)
		if err != nil || n != 1 {
			t.Fatalf("sweep: %d, %v; want 1 hold", n, err)
		}
		wantEvent(t, ch, show, booking.SeatAvailable, "H1", "H2")
		if n, err := e.svc.SweepExpired(ctx); err != nil || n != 0 {
			t.Errorf("sweeping again: %d, %v", n, err)
		}

		h := e.hold(bob, show, "J1")
		wantEvent(t, ch, show, booking.SeatHeld, "J1")
		b := ids.New()
		e.confirm(h, b)
		wantEvent(t, ch, show, booking.SeatBooked, "J1")
		if freed, err := e.svc.ReleaseBooking(ctx, show, b); err != nil || !slices.Equal(freed, []string{"J1"}) {
			t.Fatalf("release booking: freed %v, %v", freed, err)
		}
		wantEvent(t, ch, show, booking.SeatAvailable, "J1")

		h = e.hold(bob, show, "J1", "J2")
		wantEvent(t, ch, show, booking.SeatHeld, "J1", "J2")
		if err := e.svc.ReleaseHold(bob, h.ID); err != nil {
			t.Fatal(err)
		}
		wantEvent(t, ch, show, booking.SeatAvailable, "J1", "J2")
	})
}

// pausingStore is a real seat store whose Book waits, once, for the test to let it go: the test
// acts while a confirmation is between its checks and its write.
type pausingStore struct {
	booking.SeatStore
	once    sync.Once
	paused  chan struct{} // closed when Book is reached
	proceed chan struct{} // closed by the test
}

func pauseBook(s booking.SeatStore) *pausingStore {
	return &pausingStore{SeatStore: s, paused: make(chan struct{}), proceed: make(chan struct{})}
}

func (p *pausingStore) Book(ctx context.Context, showID, bookingID string, seatIDs []string, at time.Time) error {
	p.once.Do(func() {
		close(p.paused)
		<-p.proceed
	})
	return p.SeatStore.Book(ctx, showID, bookingID, seatIDs, at)
}

// TestConfirmBookingNeverTakesSeatsFromALiveHold: a confirmation whose own hold is gone (late
// payment) or goes while it runs must not book seats that another customer holds by the time it
// writes them. Its checks and its write are not one step: the test holds the seats for bob in
// between.
func TestConfirmBookingNeverTakesSeatsFromALiveHold(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		for _, tc := range []struct {
			name string
			// expireDuringConfirm lets alice's hold expire after the confirmation checked it
			// (paid just in time); otherwise it expired before (paid late).
			expireDuringConfirm bool
		}{{"late payment", false}, {"hold expires while confirming", true}} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, a, envConfig{})
				ctx := context.Background()
				show := e.newShow()
				alice, bob := user("alice"), user("bob")
				ha := e.hold(alice, show, "C1", "C2")
				if tc.expireDuringConfirm {
					e.advance(booking.DefaultHoldTTL - 30*time.Second) // paying with 30s to go
				} else {
					e.advance(booking.DefaultHoldTTL + time.Second)
				}
				store := pauseBook(e.store)
				svc := booking.NewService(e.locker, store, e.cat, e.bus, e.clk, e.opts)
				ba, bb := ids.New(), ids.New()
				aliceErr := make(chan error, 1)
				go func() {
					aliceErr <- svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: ba, ShowID: show,
						SeatIDs: ha.SeatIDs, HoldID: ha.ID})
				}()
				<-store.paused
				if tc.expireDuringConfirm {
					e.advance(31 * time.Second)
					if _, err := svc.GetHold(alice, ha.ID); err == nil {
						t.Fatal("alice's hold outlived its expiry")
					}
				}
				hb, bobErr := svc.HoldSeats(bob, show, []string{"C1", "C2"})
				close(store.proceed)
				errA := <-aliceErr
				if bobErr != nil {
					// Bob could not hold the seats: alice's confirmation had them. It must book them.
					wantCode(t, bobErr, errs.SeatUnavailable)
					if errA != nil {
						t.Fatalf("bob was refused the seats and alice's confirmation failed too: %v", errA)
					}
					if got := e.booked(show); !mapsEqual(got, map[string]string{"C1": ba, "C2": ba}) {
						t.Fatalf("booked %v, want C1, C2 for alice", got)
					}
					return
				}
				// Bob holds the seats: his live hold must stand, and alice cannot have them.
				if errA == nil {
					t.Fatalf("alice's confirmation booked C1, C2 from under bob's live hold %s", hb.ID)
				}
				wantSeatsDetail(t, errA, "C1", "C2")
				if _, err := svc.GetHold(bob, hb.ID); err != nil {
					t.Fatalf("bob's hold is gone: %v", err)
				}
				if err := svc.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: bb, ShowID: show, SeatIDs: hb.SeatIDs, HoldID: hb.ID}); err != nil {
					t.Fatalf("bob confirms his live hold: %v", err)
				}
				if got := e.booked(show); !mapsEqual(got, map[string]string{"C1": bb, "C2": bb}) {
					t.Fatalf("booked %v, want C1, C2 for bob", got)
				}
			})
		}
	})
}

// TestBookedSeatsCache checks the per-show cache of booked seats behind holds and seat maps: this
// process's own ConfirmBooking and ReleaseBooking are seen at once, another process's within a
// second. The locker's booked marks are removed each time (as if it had missed them), so that only
// the ground truth can refuse the seats.
func TestBookedSeatsCache(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		ctx := context.Background()
		show := e.newShow()
		alice, bob := user("alice"), user("bob")
		forget := func(seats ...string) {
			t.Helper()
			if err := e.locker.Unbook(ctx, show, seats); err != nil {
				t.Fatal(err)
			}
		}

		// Same process: the seat map read before the booking has cached the show.
		e.wantStatus(bob, show, booking.SeatAvailable, "E1", "E2")
		h := e.hold(alice, show, "E1", "E2")
		b1 := ids.New()
		e.confirm(h, b1)
		forget("E1", "E2")
		booked := func(want int) {
			t.Helper()
			c, err := e.svc.Counts(ctx, []string{show})
			if err != nil || c[show].Booked != want {
				t.Fatalf("counts %+v (%v), want %d booked", c, err, want)
			}
		}
		booked(2) // from the cached entry, which the confirmation updated
		_, err := e.svc.HoldSeats(bob, show, []string{"E1", "E2"})
		wantSeatsDetail(t, err, "E1", "E2")
		e.wantStatus(bob, show, booking.SeatBooked, "E1", "E2")
		if _, err := e.svc.ReleaseBooking(ctx, show, b1); err != nil {
			t.Fatal(err)
		}
		e.wantStatus(bob, show, booking.SeatAvailable, "E1", "E2")
		booked(0)

		// Another process (same store and locker, its own cache) books E3, E4: this one sees
		// it within a second.
		other := e.withLocker(e.locker)
		e.wantStatus(bob, show, booking.SeatAvailable, "E3", "E4")
		if err := other.ConfirmBooking(ctx, booking.ConfirmRequest{BookingID: ids.New(), ShowID: show,
			SeatIDs: []string{"E3", "E4"}}); err != nil {
			t.Fatal(err)
		}
		forget("E3", "E4")
		e.advance(time.Second)
		booked(2) // the cached entry has expired: counted in the store
		_, err = e.svc.HoldSeats(bob, show, []string{"E3", "E4"})
		wantSeatsDetail(t, err, "E3", "E4")
	})
}
