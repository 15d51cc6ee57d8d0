package payment

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Outcome is what became of a payment, as the booking service is told.
type Outcome string

// The outcomes.
const (
	OutcomeSucceeded Outcome = "succeeded"
	OutcomeFailed    Outcome = "failed"
	OutcomeRefunded  Outcome = "refunded"
)

// Settlement is the booking service's answer to an outcome.
type Settlement struct {
	// RefundAmount > 0 asks for that much of the payment back: it could not become a ticket
	// (the seats were taken, or the show cancelled, first).
	RefundAmount int64
	RefundReason string
}

// Bookings is the booking service as the payment service sees it.
type Bookings interface {
	// Settle tells a booking what became of its payment. Idempotent.
	Settle(ctx context.Context, bookingID, paymentID string, o Outcome, amount int64) (Settlement, error)
}

// CreateRequest asks for a payment of a booking.
type CreateRequest struct {
	BookingID   string
	Reference   string
	Amount      int64
	Currency    string
	Description string
	ExpiresAt   time.Time
	// ReturnPath is a path on the site where the payment page sends the buyer afterwards.
	ReturnPath string
}

// Service is the payment service: it opens payment sessions at a provider, turns the
// provider's webhooks into payment states, tells bookings the outcome, refunds, and reconciles
// with the provider what webhooks failed to say.
type Service struct {
	payments  Repository
	events    EventRepository
	providers map[string]Provider
	def       Provider
	bookings  Bookings
	clock     clock.Clock
	log       *slog.Logger
	// reconcileAfter is how old an open payment must be before Reconcile asks about it.
	reconcileAfter time.Duration
}

// NewService returns the payment service. The first provider is the default for new payments.
func NewService(payments Repository, events EventRepository, bookings Bookings, clk clock.Clock, log *slog.Logger, providers ...Provider) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{payments: payments, events: events, bookings: bookings, clock: clk, log: log,
		providers: map[string]Provider{}, reconcileAfter: ReconcileAfter}
	for i, p := range providers {
		if i == 0 {
			s.def = p
		}
		s.providers[p.Name()] = p
	}
	return s
}

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

func (s *Service) provider(name string) (Provider, error) {
	p, ok := s.providers[name]
	if !ok {
		return nil, errs.NotFoundf("no payment provider %q", name)
	}
	return p, nil
}

// Create opens a payment session for a booking, or returns the booking's payment when it has
// one. A retry after a failure part-way (the payment stored, the session not) completes it.
func (s *Service) Create(ctx context.Context, r CreateRequest) (Payment, error) {
	if r.BookingID == "" {
		return Payment{}, errs.Invalidf("bookingId", "a payment needs a booking")
	}
	if r.ReturnPath != "" && (!strings.HasPrefix(r.ReturnPath, "/") || strings.HasPrefix(r.ReturnPath, "//")) {
		return Payment{}, errs.Invalidf("returnPath", "the return path must be a path on this site, like /bookings/123")
	}
	// Open the session first and store the payment with it, in one write. Most bookings ask once;
	// when the booking has a payment already (a retry, or a concurrent checkout won), the new
	// session, never shown to anyone, is closed and the stored payment answers.
	p, err := New(Draft{BookingID: r.BookingID, Provider: s.def.Name(), Amount: r.Amount, Currency: r.Currency,
		ExpiresAt: r.ExpiresAt}, s.now())
	if err != nil {
		return Payment{}, err
	}
	if p, err = s.openSession(ctx, p, r); err != nil {
		return Payment{}, err
	}
	if err = s.payments.Create(ctx, p); errs.As(err).Reason == ReasonBookingHasPayment {
		if cerr := s.def.CancelSession(context.WithoutCancel(ctx), p.ProviderSessionID); cerr != nil && !errs.Is(cerr, errs.NotFound) {
			s.log.WarnContext(ctx, "close an unused payment session", "booking", r.BookingID, "error", cerr)
		}
		p, err = s.payments.GetByBooking(ctx, r.BookingID)
	}
	if err != nil {
		return Payment{}, fmt.Errorf("payment of booking %s: %w", r.BookingID, err)
	}
	if p.SessionURL != "" || !p.Status.Open() {
		return p, nil
	}
	if p, err = s.openSession(ctx, p, r); err != nil {
		return Payment{}, err
	}
	return s.payments.Update(ctx, p.ID, func(x *Payment) error {
		x.ProviderSessionID, x.SessionURL = p.ProviderSessionID, p.SessionURL
		return nil
	})
}

// openSession opens p's session at its provider (idempotent by payment id) and returns p with it.
func (s *Service) openSession(ctx context.Context, p Payment, r CreateRequest) (Payment, error) {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return Payment{}, err
	}
	sess, err := prov.CreateSession(ctx, SessionRequest{PaymentID: p.ID, BookingRef: r.Reference, Amount: p.Amount,
		Currency: p.Currency, Description: r.Description, ExpiresAt: p.ExpiresAt, ReturnURL: r.ReturnPath})
	if err != nil {
		return Payment{}, fmt.Errorf("open payment session: %w", err)
	}
	p.ProviderSessionID, p.SessionURL = sess.ID, sess.URL
	return p, nil
}

// Get returns a booking's payment.
func (s *Service) Get(ctx context.Context, bookingID string) (Payment, error) {
	return s.payments.GetByBooking(ctx, bookingID)
}

// Cancel closes a booking's unpaid session. Conflict (ReasonSessionPaid) when the buyer has paid:
// the payment is then settled like any other, through its webhook or reconciliation.
func (s *Service) Cancel(ctx context.Context, bookingID string) (Payment, error) {
	p, err := s.payments.GetByBooking(ctx, bookingID)
	if err != nil {
		return Payment{}, err
	}
	if p.Status.Captured() {
		return p, errs.E(errs.Conflict, "the payment was captured").WithReason(ReasonSessionPaid)
	}
	if !p.Status.Open() {
		return p, nil
	}
	if p.ProviderSessionID != "" {
		prov, err := s.provider(p.Provider)
		if err != nil {
			return Payment{}, err
		}
		if err := prov.CancelSession(ctx, p.ProviderSessionID); err != nil && !errs.Is(err, errs.NotFound) {
			return p, err
		}
	}
	return s.payments.Update(ctx, p.ID, func(x *Payment) error {
		_, err := x.Apply(TriggerCancelled, s.now(), "")
		return err
	})
}

// Refund asks the provider to return amount (0: everything) of a booking's captured payment.
// Asking again changes nothing and does not pay out twice (the provider's idempotency key);
// it re-sends a request that may have been lost.
func (s *Service) Refund(ctx context.Context, bookingID string, amount int64, reason string) (Payment, error) {
	p, err := s.payments.GetByBooking(ctx, bookingID)
	if err != nil {
		return Payment{}, err
	}
	return s.refund(ctx, p, amount, reason)
}

func (s *Service) refund(ctx context.Context, p Payment, amount int64, reason string) (Payment, error) {
	if amount == 0 {
		amount = p.Amount
	}
	if p.Status == StatusRefunded {
		return p, nil
	}
	p, err := s.payments.Update(ctx, p.ID, func(x *Payment) error {
		_, err := x.RequestRefund(amount, s.now(), reason)
		return err
	})
	if err != nil {
		return Payment{}, err
	}
	if p.Status != StatusRefundPending {
		return p, nil
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return Payment{}, err
	}
	ref, err := prov.Refund(ctx, RefundRequest{SessionID: p.ProviderSessionID, Amount: p.RefundAmount,
		IdempotencyKey: p.RefundIdempotencyKey()})
	if err != nil {
		return p, fmt.Errorf("refund at %s: %w", p.Provider, err)
	}
	return s.payments.Update(ctx, p.ID, func(x *Payment) error {
		x.RefundID = ref.ID
		if ref.Status == RefundSucceeded {
			_, err := x.ConfirmRefund(ref.ID, ref.Amount, s.now())
			return err
		}
		return nil
	})
}

// WebhookResult says what HandleWebhook did.
type WebhookResult struct {
	EventID   string
	Duplicate bool
}

// HandleWebhook verifies a provider's webhook and acts on its event: Invalid (answer 400) for a
// bad signature, a timestamp outside the tolerance or a malformed body, and nothing changes;
// NotFound for an unknown provider or a payment session Marquee never opened. An event received
// before and processed is acknowledged and does nothing; one received before but never
// processed (the process stopped part-way) is processed again, which is safe because every step
// is idempotent. Any other error means "try again later" (answer 5xx).
func (s *Service) HandleWebhook(ctx context.Context, providerName string, header http.Header, body []byte) (WebhookResult, error) {
	prov, err := s.provider(providerName)
	if err != nil {
		return WebhookResult{}, err
	}
	now := s.now()
	ev, err := prov.VerifyWebhook(header, body, now)
	if err != nil {
		return WebhookResult{}, err
	}
	res := WebhookResult{EventID: ev.ID}
	p, err := s.paymentOf(ctx, providerName, ev)
	if err != nil {
		return res, err
	}
	stored, err := s.events.Get(ctx, providerName, ev.ID)
	switch {
	case err == nil && !stored.ProcessedAt.IsZero():
		res.Duplicate = true
		return res, nil
	case err != nil && !errs.Is(err, errs.NotFound):
		return res, fmt.Errorf("read event %s: %w", ev.ID, err)
	}
	if trigger, ok := ev.Type.Trigger(); ok {
		if err := s.apply(ctx, p, trigger, ev); err != nil {
			return res, err
		}
	}
	// The event is recorded once processed, unique on (provider, event id), in one write. A
	// duplicate delivered while this one was being processed is processed too, which changes
	// nothing: every step is idempotent.
	rec := ev.Record(providerName, now)
	rec.ProcessedAt = s.now()
	first, err := s.events.Record(ctx, rec)
	if err != nil {
		return res, fmt.Errorf("record event %s: %w", ev.ID, err)
	}
	if !first {
		if err := s.events.MarkProcessed(ctx, providerName, ev.ID, rec.ProcessedAt); err != nil {
			return res, fmt.Errorf("mark event %s processed: %w", ev.ID, err)
		}
	}
	return res, nil
}

// paymentOf finds the payment an event is about: by Marquee's payment id when the provider
// echoes it, else by the provider's session.
func (s *Service) paymentOf(ctx context.Context, provider string, ev Event) (Payment, error) {
	if ev.PaymentID != "" {
		p, err := s.payments.Get(ctx, ev.PaymentID)
		if err == nil && p.Provider == provider && (ev.SessionID == "" || p.ProviderSessionID == ev.SessionID) {
			return p, nil
		}
		if err != nil && !errs.Is(err, errs.NotFound) {
			return Payment{}, err
		}
	}
	p, err := s.payments.GetByProviderSession(ctx, provider, ev.SessionID)
	if errs.Is(err, errs.NotFound) {
		return Payment{}, errs.NotFoundf("no payment has session %q", ev.SessionID)
	}
	return p, err
}

// apply moves a payment on a trigger and settles the outcome with its booking: the booking is
// told first, then the payment's new state and "settled" are stored in one write. Should the
// process stop in between, the event is delivered again (it was not recorded as processed) or
// reconciliation finds the payment; telling a booking twice changes nothing.
func (s *Service) apply(ctx context.Context, p Payment, t Trigger, ev Event) error {
	now := s.now()
	move := func(x *Payment) error {
		var err error
		if t == TriggerRefunded {
			_, err = x.ConfirmRefund(ev.RefundID, ev.Amount, now)
		} else {
			_, err = x.Apply(t, now, "")
		}
		return err
	}
	next := p
	if err := move(&next); err != nil {
		return fmt.Errorf("payment %s on %s: %w", p.ID, t, err)
	}
	outcome, amount, ok := outcomeOf(next)
	var st Settlement
	if ok && (next.Status != p.Status || !p.Settled) {
		var err error
		if st, err = s.bookings.Settle(ctx, p.BookingID, p.ID, outcome, amount); err != nil {
			return fmt.Errorf("settle booking %s: %w", p.BookingID, err)
		}
	}
	refund := outcome == OutcomeSucceeded && st.RefundAmount > 0
	stored, err := s.payments.Update(ctx, p.ID, func(x *Payment) error {
		if err := move(x); err != nil {
			return err
		}
		// Settled only when the booking was told this very state (a concurrent event may have
		// moved the payment on meanwhile: reconciliation then tells the booking again).
		x.Settled = ok && x.Status == next.Status && x.Status != StatusRefundPending && !refund
		return nil
	})
	if err != nil {
		return fmt.Errorf("payment %s on %s: %w", p.ID, t, err)
	}
	if refund {
		_, err = s.refund(ctx, stored, st.RefundAmount, st.RefundReason)
	}
	return err
}

// outcomeOf is what a payment in its status means for its booking, and false while it is open.
func outcomeOf(p Payment) (Outcome, int64, bool) {
	switch p.Status {
	case StatusSucceeded, StatusRefundPending:
		return OutcomeSucceeded, p.Amount, true
	case StatusRefunded:
		return OutcomeRefunded, p.RefundedAmount, true
	case StatusDeclined, StatusExpired, StatusCancelled:
		return OutcomeFailed, p.Amount, true
	}
	return "", 0, false
}

// settle tells the booking the payment's outcome as it stands now, refunds what the booking
// cannot keep, and marks the payment settled. Idempotent.
func (s *Service) settle(ctx context.Context, p Payment) error {
	outcome, amount, ok := outcomeOf(p)
	if !ok {
		return nil
	}
	st, err := s.bookings.Settle(ctx, p.BookingID, p.ID, outcome, amount)
	if err != nil {
		return fmt.Errorf("settle booking %s: %w", p.BookingID, err)
	}
	if outcome == OutcomeSucceeded && st.RefundAmount > 0 {
		if p, err = s.refund(ctx, p, st.RefundAmount, st.RefundReason); err != nil {
			return err
		}
	}
	if p.Settled == (p.Status != StatusRefundPending) {
		return nil
	}
	_, err = s.payments.Update(ctx, p.ID, func(x *Payment) error {
		// Settled means "the booking knows the latest outcome": a refund still to be confirmed
		// is settled when it is.
		x.Settled = x.Status != StatusRefundPending
		return nil
	})
	return err
}

// ReconcileAfter is how old an open payment must be, by default, before Reconcile asks its
// provider about it: webhooks normally arrive within seconds.
const ReconcileAfter = 30 * time.Second

// SetReconcileAfter changes how old an open payment must be before Reconcile asks about it.
func (s *Service) SetReconcileAfter(d time.Duration) {
	if d > 0 {
		s.reconcileAfter = d
	}
}

// Reconcile finds what webhooks failed to say and settles it through the same path: open
// payments older than ReconcileAfter whose session the provider reports paid, declined,
// expired or cancelled; and payments with an outcome the booking was never told (a crash
// between the two). Safe to run in several processes at once: every step is idempotent.
// It returns the number of payments it settled.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	now := s.now()
	done := 0
	open, err := s.payments.List(ctx, ListQuery{Statuses: []Status{StatusCreated}, CreatedBefore: now.Add(-s.reconcileAfter), Limit: 200})
	if err != nil {
		return 0, fmt.Errorf("open payments: %w", err)
	}
	for _, p := range open {
		if p.ProviderSessionID == "" {
			if now.After(p.ExpiresAt) {
				if _, err := s.payments.Update(ctx, p.ID, func(x *Payment) error {
					_, err := x.Apply(TriggerExpired, now, "no session was opened")
					return err
				}); err != nil {
					return done, err
				}
			}
			continue
		}
		prov, err := s.provider(p.Provider)
		if err != nil {
			return done, err
		}
		state, err := prov.SessionStatus(ctx, p.ProviderSessionID)
		if err != nil {
			s.log.WarnContext(ctx, "reconcile: session status", "payment", p.ID, "error", err)
			continue
		}
		t, closed := state.Status.Trigger()
		if !closed {
			continue
		}
		if err := s.apply(ctx, p, t, Event{}); err != nil {
			return done, err
		}
		done++
	}
	unsettled, err := s.payments.List(ctx, ListQuery{Statuses: []Status{StatusSucceeded, StatusRefunded, StatusDeclined,
		StatusExpired, StatusCancelled}, Unsettled: true, CreatedBefore: now.Add(-time.Second), Limit: 200})
	if err != nil {
		return done, fmt.Errorf("unsettled payments: %w", err)
	}
	for _, p := range unsettled {
		if err := s.settle(ctx, p); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}
