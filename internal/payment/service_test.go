package payment_test

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/payment/paymentsqlite"
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

// bookingsSpy is the booking side: it records settlements and answers with a refund when told to.
type bookingsSpy struct {
	mu      sync.Mutex
	calls   []payment.Outcome
	refund  int64
	failing error
}

func (b *bookingsSpy) Settle(_ context.Context, _, _ string, o payment.Outcome, _ int64) (payment.Settlement, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failing != nil {
		return payment.Settlement{}, b.failing
	}
	b.calls = append(b.calls, o)
	if o == payment.OutcomeSucceeded && b.refund > 0 {
		return payment.Settlement{RefundAmount: b.refund, RefundReason: "SEATS_TAKEN"}, nil
	}
	return payment.Settlement{}, nil
}

func (b *bookingsSpy) outcomes() []payment.Outcome {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]payment.Outcome(nil), b.calls...)
}

type fixture struct {
	svc      *payment.Service
	sandbox  *sandbox.Provider
	bookings *bookingsSpy
	clock    *clock.Manual
	payments payment.Repository
}

// newFixture is the payment service on SQLite with the sandbox provider, whose webhooks go
// nowhere (its worker does not run): tests deliver, or lose, them.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := sqlitedb.Open(context.Background(), filepath.Join(t.TempDir(), "marquee.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	st, err := paymentsqlite.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Now())
	sb, err := sandbox.New(st.Sandbox, sandbox.Config{BaseURL: "http://127.0.0.1:9", WebhookURL: "http://127.0.0.1:9/webhooks/payments/sandbox",
		Secrets: []string{"whsec_service_test_0123456789abcdef"}, Clock: clk, RefundDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	spy := &bookingsSpy{}
	return &fixture{svc: payment.NewService(st.Payments, st.Events, spy, clk, nil, sb), sandbox: sb, bookings: spy, clock: clk,
		payments: st.Payments}
}

func (f *fixture) open(t *testing.T) payment.Payment {
	t.Helper()
	p, err := f.svc.Create(context.Background(), payment.CreateRequest{BookingID: ids.New(), Reference: "MQ-7K2P9X", Amount: 63540,
		Currency: "INR", Description: "2 tickets", ExpiresAt: f.clock.Now().Add(8 * time.Minute), ReturnPath: "/bookings/x"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCreateIsIdempotentPerBooking(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.open(t)
	again, err := f.svc.Create(context.Background(), payment.CreateRequest{BookingID: p.BookingID, Amount: 63540, Currency: "INR",
		ExpiresAt: f.clock.Now().Add(8 * time.Minute)})
	if err != nil || again.ID != p.ID || again.SessionURL != p.SessionURL || p.SessionURL == "" {
		t.Fatalf("second Create: %+v, %v; first %+v", again, err, p)
	}
	if _, err := f.svc.Create(context.Background(), payment.CreateRequest{BookingID: ids.New(), Amount: 100, Currency: "INR",
		ExpiresAt: f.clock.Now().Add(time.Minute), ReturnPath: "https://evil.example/"}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("an absolute return URL: %v", err)
	}
}

// TestReconcileSettlesWhatWebhooksNeverSaid: the buyer paid, no webhook arrived; reconciliation
// asks the provider and settles the booking once; a refund it asks for is paid once.
func TestReconcileSettlesWhatWebhooksNeverSaid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	if _, _, err := f.sandbox.Complete(ctx, p.ProviderSessionID, sandbox.OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.Reconcile(ctx); err != nil || n != 0 {
		t.Fatalf("a fresh payment is left to its webhook: %d, %v", n, err)
	}
	f.clock.Advance(payment.ReconcileAfter + time.Second)
	f.bookings.refund = p.Amount // the seats were taken meanwhile
	if n, err := f.svc.Reconcile(ctx); err != nil || n != 1 {
		t.Fatalf("Reconcile: %d, %v", n, err)
	}
	if got := f.bookings.outcomes(); len(got) != 1 || got[0] != payment.OutcomeSucceeded {
		t.Fatalf("settlements %v", got)
	}
	got, err := f.svc.Get(ctx, p.BookingID)
	if err != nil || got.Status != payment.StatusRefundPending || got.RefundAmount != p.Amount || got.Settled {
		t.Fatalf("after reconciling: %+v, %v", got, err)
	}
	// Nothing more to do, however often it runs; the refund is asked once.
	for range 3 {
		if n, err := f.svc.Reconcile(ctx); err != nil || n != 0 {
			t.Fatalf("Reconcile again: %d, %v", n, err)
		}
	}
	state, err := f.sandbox.SessionStatus(ctx, p.ProviderSessionID)
	if err != nil || state.RefundedAmount != p.Amount {
		t.Fatalf("provider: %+v, %v", state, err)
	}
	if _, err := f.svc.Refund(ctx, p.BookingID, 0, "again"); err != nil {
		t.Fatal(err)
	}
	if state, _ = f.sandbox.SessionStatus(ctx, p.ProviderSessionID); state.RefundedAmount != p.Amount {
		t.Fatalf("a repeated refund paid out more: %d", state.RefundedAmount)
	}
}

func TestSettlementFailureIsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	p := f.open(t)
	if _, _, err := f.sandbox.Complete(ctx, p.ProviderSessionID, sandbox.OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(payment.ReconcileAfter + time.Second)
	f.bookings.failing = errs.E(errs.Unavailable, "booking service down")
	if _, err := f.svc.Reconcile(ctx); err == nil {
		t.Fatal("Reconcile hid a failed settlement")
	}
	// The booking is told before the payment's new state is stored: nothing is stored yet.
	if got, _ := f.svc.Get(ctx, p.BookingID); got.Status != payment.StatusCreated || got.Settled {
		t.Fatalf("payment after a failed settlement: %+v", got)
	}
	f.bookings.failing = nil
	if n, err := f.svc.Reconcile(ctx); err != nil || n != 1 {
		t.Fatalf("Reconcile: %d, %v", n, err)
	}
	if got, _ := f.svc.Get(ctx, p.BookingID); !got.Settled || got.Status != payment.StatusSucceeded {
		t.Fatalf("payment not settled: %+v", got)
	}
}

func TestCancelAPaidSessionIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	open, paid := f.open(t), f.open(t)
	if _, err := f.svc.Cancel(ctx, open.BookingID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.Get(ctx, open.BookingID); got.Status != payment.StatusCancelled {
		t.Fatalf("cancelled payment is %s", got.Status)
	}
	if _, _, err := f.sandbox.Complete(ctx, open.ProviderSessionID, sandbox.OutcomeSuccess); err == nil {
		t.Fatal("a cancelled session could still be paid")
	}
	if _, _, err := f.sandbox.Complete(ctx, paid.ProviderSessionID, sandbox.OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, paid.BookingID); errs.As(err).Reason != payment.ReasonSessionPaid {
		t.Fatalf("cancelling a paid session: %v", err)
	}
	if _, err := f.svc.HandleWebhook(ctx, "stripe", http.Header{}, []byte(`{}`)); !errs.Is(err, errs.NotFound) {
		t.Fatalf("unknown provider: %v", err)
	}
	if _, err := f.svc.HandleWebhook(ctx, sandbox.Name, http.Header{}, []byte(`{}`)); !errs.Is(err, errs.Invalid) {
		t.Fatalf("unsigned webhook: %v", err)
	}
}
