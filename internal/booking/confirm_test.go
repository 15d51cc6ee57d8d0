package booking_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/booking/bookingsqlite"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

// pausedStore holds its first Book until released, so that a test can act while a booking's
// seats are being written.
type pausedStore struct {
	booking.SeatStore
	calls            atomic.Int32
	entered, release chan struct{}
}

func (s *pausedStore) Book(ctx context.Context, show, bookingID string, seats []string, at time.Time) error {
	if s.calls.Add(1) == 1 {
		close(s.entered)
		<-s.release
	}
	return s.SeatStore.Book(ctx, show, bookingID, seats, at)
}

// withPausedStore returns a service of e's whose seat store pauses its first write.
func withPausedStore(e *env) (*pausedStore, *booking.Service) {
	p := &pausedStore{SeatStore: e.store, entered: make(chan struct{}), release: make(chan struct{})}
	return p, booking.NewService(e.locker, p, e.cat, e.bus, e.clk, e.opts)
}

// TestConfirmBookingWhileBeingConfirmed: a second confirmation of the same booking while the first
// is writing (a redelivered webhook and the reconciler, say) succeeds as well; meanwhile the
// buyer's seat map shows no hold of theirs to read (the claim is not a hold they can use), the
// buyer's next hold on the show waits for the write (CONFLICT) instead of replacing the claim, and
// nobody else's hold takes the seats being written.
func TestConfirmBookingWhileBeingConfirmed(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show := e.newShow()
		paused, svc := withPausedStore(e)
		buyer, other := user("buyer"), user("other")
		h, err := svc.HoldSeats(buyer, show, []string{"A6", "A7"})
		if err != nil {
			t.Fatal(err)
		}
		req := booking.ConfirmRequest{BookingID: "b1", ShowID: show, SeatIDs: h.SeatIDs, HoldID: h.ID}
		first := make(chan error, 1)
		go func() { first <- svc.ConfirmBooking(context.Background(), req) }()
		<-paused.entered

		m, err := svc.SeatMap(buyer, show)
		if err != nil {
			t.Fatal(err)
		}
		if m.HoldID != "" || m.Mine["A6"] {
			t.Errorf("the buyer's seat map names hold %q (mine %v) while the booking is written", m.HoldID, m.Mine)
		}
		_, err = svc.HoldSeats(buyer, show, []string{"A12", "A13"}) // would replace the claim
		wantCode(t, err, errs.Conflict)
		_, err = svc.HoldSeats(other, show, []string{"A6", "A7"})
		wantCode(t, err, errs.SeatUnavailable)
		// The second confirmation writes the seats itself and marks them booked.
		if err := svc.ConfirmBooking(context.Background(), req); err != nil {
			t.Errorf("the same booking confirmed again meanwhile: %v", err)
		}
		close(paused.release)
		if err := <-first; err != nil {
			t.Fatalf("first confirmation: %v", err)
		}
		if got := e.booked(show); got["A6"] != "b1" || got["A7"] != "b1" || len(got) != 2 {
			t.Fatalf("booked %v", got)
		}
		e.wantStatus(other, show, booking.SeatBooked, "A6", "A7")
		if _, err := svc.HoldSeats(buyer, show, []string{"A12", "A13"}); err != nil {
			t.Fatalf("the buyer's hold once the booking is written: %v", err)
		}
	})
}

// TestConfirmBookingGivesBackOnFailure: when the ground truth refuses the write, the seats the
// confirmation claimed in the locker (its hold's, and the free ones) are free again.
func TestConfirmBookingGivesBackOnFailure(t *testing.T) {
	t.Parallel()
	eachAdapters(t, func(t *testing.T, a adapters) {
		e := newEnv(t, a, envConfig{})
		show := e.newShow()
		h := e.hold(user("alice"), show, "B1", "B2")
		// Another process booked B2 for another booking while this one's locker lost the mark.
		if err := e.store.Book(context.Background(), show, "other", []string{"B2"}, time.Now()); err != nil {
			t.Fatal(err)
		}
		err := e.svc.ConfirmBooking(context.Background(), booking.ConfirmRequest{BookingID: "b1", ShowID: show,
			SeatIDs: []string{"B1", "B2", "B3"}, HoldID: h.ID})
		wantCode(t, err, errs.SeatUnavailable)
		if _, err := e.svc.HoldSeats(user("bob"), show, []string{"B1"}); err != nil {
			t.Fatalf("B1, of the failed booking's consumed hold: %v", err)
		}
		if _, err := e.svc.HoldSeats(user("carol"), show, []string{"B3", "B4", "B5"}); err != nil {
			t.Fatalf("B3, claimed by the failed booking: %v", err)
		}
	})
}

// TestSettleTwiceAtOnce: two "succeeded" settlements of one payment at the same moment confirm the
// booking once, and neither asks for a refund.
func TestSettleTwiceAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adapters{"memory", "sqlite"}, envConfig{})
	show := e.newShow()
	paused, svc := withPausedStore(e)
	db, err := sqlitedb.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := bookingsqlite.NewBookingRepository(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	svc.EnableCheckout(booking.CheckoutDeps{Bookings: repo, Payments: noPayments{}})
	g := guest("s1")
	h, err := svc.HoldSeats(g, show, []string{"A6", "A7"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.Checkout(g, booking.CheckoutRequest{HoldID: h.ID, Guest: &booking.Contact{Email: "a@example.com", Phone: "+919876543210"}})
	if err != nil {
		t.Fatal(err)
	}
	payment := auth.WithIdentity(context.Background(), auth.Identity{UserID: "payment", Roles: []string{auth.RoleService}})
	type result struct {
		st  booking.Settlement
		err error
	}
	first := make(chan result, 1)
	go func() {
		st, err := svc.SettlePayment(payment, v.ID, booking.PaymentSucceeded, v.Quote.Total)
		first <- result{st, err}
	}()
	<-paused.entered
	st2, err2 := svc.SettlePayment(payment, v.ID, booking.PaymentSucceeded, v.Quote.Total)
	close(paused.release)
	r1 := <-first
	if r1.err != nil || err2 != nil || r1.st.RefundAmount != 0 || st2.RefundAmount != 0 {
		t.Fatalf("settlements: %+v, %v; %+v, %v", r1.st, r1.err, st2, err2)
	}
	if b, err := repo.Get(context.Background(), v.ID); err != nil || b.Status != booking.StatusConfirmed {
		t.Fatalf("booking %s, %v", b.Status, err)
	}
}

type noPayments struct{}

func (noPayments) Open(context.Context, booking.PaymentRequest) (booking.PaymentSession, error) {
	return booking.PaymentSession{URL: "https://pay.example/x"}, nil
}
func (noPayments) Cancel(context.Context, string) error                { return nil }
func (noPayments) Refund(context.Context, string, int64, string) error { return nil }

// TestNoFees: a fee of 0 (--fee-per-ticket=0) charges no fee and no tax.
func TestNoFees(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adapters{"memory", "sqlite"}, envConfig{opts: booking.Options{Fees: &booking.Fees{}}})
	h := e.hold(user("u1"), e.newShow(), "A6")
	if h.Quote.Fees != 0 || h.Quote.Taxes != 0 || h.Quote.Total != h.Quote.Subtotal {
		t.Fatalf("quote %+v", h.Quote)
	}
}
