// Package payment is the core of Marquee's payment service: payments and their state machine,
// the Provider interface that the built-in sandbox (and later Stripe and Razorpay) implements,
// signed webhooks, and the repositories for payments and received webhook events. Adapters live
// in sub-packages: paymentsqlite and paymentmongo store, paymenttest is their conformance suite,
// sandbox is the built-in provider.
//
// A payment moves forward only:
//
//	CREATED → SUCCEEDED | DECLINED | EXPIRED | CANCELLED
//	SUCCEEDED → REFUND_PENDING → REFUNDED
//
// Providers deliver webhooks repeated, late and out of order, so Transition never moves a payment
// backwards and treats a repeated or stale event as a no-op. Facts about money win over facts
// about sessions: a payment the provider captured becomes SUCCEEDED even when it had been marked
// DECLINED, EXPIRED or CANCELLED first (a buyer who paid just before the session was cancelled was
// still charged, and must end with a ticket or a refund).
package payment

import (
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Status is a payment's life-cycle state.
type Status string

// The statuses.
const (
	// StatusCreated: a session exists at the provider; the buyer has not paid yet.
	StatusCreated Status = "CREATED"
	// StatusSucceeded: the provider captured the money.
	StatusSucceeded Status = "SUCCEEDED"
	// StatusDeclined: the provider declined the payment; nothing was charged.
	StatusDeclined Status = "DECLINED"
	// StatusExpired: the session ran out before the buyer paid.
	StatusExpired Status = "EXPIRED"
	// StatusCancelled: Marquee cancelled the session before the buyer paid.
	StatusCancelled Status = "CANCELLED"
	// StatusRefundPending: a refund was asked of the provider and is not confirmed yet.
	StatusRefundPending Status = "REFUND_PENDING"
	// StatusRefunded: the provider confirmed the refund (RefundedAmount may be less than Amount).
	StatusRefunded Status = "REFUNDED"
)

// Statuses lists every status.
var Statuses = []Status{StatusCreated, StatusSucceeded, StatusDeclined, StatusExpired, StatusCancelled,
	StatusRefundPending, StatusRefunded}

// rank orders the statuses: a transition only ever goes to a higher rank. DECLINED, EXPIRED and
// CANCELLED share a rank, so the first of them wins and the others are no-ops.
var rank = map[Status]int{
	StatusCreated:       0,
	StatusDeclined:      1,
	StatusExpired:       1,
	StatusCancelled:     1,
	StatusSucceeded:     2,
	StatusRefundPending: 3,
	StatusRefunded:      4,
}

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	_, ok := rank[s]
	return ok
}

// Captured reports whether the provider has taken the buyer's money in this status (whether or
// not some of it was refunded since).
func (s Status) Captured() bool {
	return s == StatusSucceeded || s == StatusRefundPending || s == StatusRefunded
}

// Open reports whether the buyer can still pay (the session is live).
func (s Status) Open() bool { return s == StatusCreated }

// Trigger is something that happened to a payment: the input of the state machine.
type Trigger string

// The triggers.
const (
	// TriggerSucceeded: the provider captured the money (webhook payment.succeeded).
	TriggerSucceeded Trigger = "succeeded"
	// TriggerFailed: the provider declined the payment (webhook payment.failed).
	TriggerFailed Trigger = "failed"
	// TriggerExpired: the session ran out unpaid.
	TriggerExpired Trigger = "expired"
	// TriggerCancelled: Marquee cancelled the session.
	TriggerCancelled Trigger = "cancelled"
	// TriggerRefundRequested: Marquee asked the provider for a refund.
	TriggerRefundRequested Trigger = "refund_requested"
	// TriggerRefunded: the provider confirmed a refund (webhook refund.succeeded).
	TriggerRefunded Trigger = "refunded"
)

// Triggers lists every trigger.
var Triggers = []Trigger{TriggerSucceeded, TriggerFailed, TriggerExpired, TriggerCancelled,
	TriggerRefundRequested, TriggerRefunded}

var target = map[Trigger]Status{
	TriggerSucceeded:       StatusSucceeded,
	TriggerFailed:          StatusDeclined,
	TriggerExpired:         StatusExpired,
	TriggerCancelled:       StatusCancelled,
	TriggerRefundRequested: StatusRefundPending,
	TriggerRefunded:        StatusRefunded,
}

// ReasonNotCaptured is the errs reason of a refund asked for a payment whose money was never
// captured.
const ReasonNotCaptured = "PAYMENT_NOT_CAPTURED"

// Transition is the payment state machine, a pure function. It returns the status a payment in
// current moves to on t, and whether that is a change.
//
// It never moves backwards: a trigger whose status ranks at or below current (a repeat, or an
// event that arrives after a later one, such as failed after succeeded) returns current and
// false, with no error. Its only errors are Invalid for an unknown status or trigger, and
// Conflict (reason ReasonNotCaptured) for TriggerRefundRequested on a payment whose money was
// never captured: there is nothing to refund, and no delivery order explains asking.
//
// TriggerRefunded is accepted from any status below REFUNDED, because a confirmed refund proves
// the money was captured even when the success event has not arrived yet.
func Transition(current Status, t Trigger) (Status, bool, error) {
	from, ok := rank[current]
	if !ok {
		return current, false, errs.E(errs.Invalid, "unknown payment status %q", current)
	}
	next, ok := target[t]
	if !ok {
		return current, false, errs.E(errs.Invalid, "unknown payment trigger %q", t)
	}
	if t == TriggerRefundRequested && !current.Captured() {
		return current, false, errs.E(errs.Conflict, "payment in %s has nothing to refund", current).WithReason(ReasonNotCaptured)
	}
	if rank[next] <= from {
		return current, false, nil
	}
	return next, true, nil
}

// Payment is one attempt to pay for one booking, through one provider session.
type Payment struct {
	ID        string
	BookingID string
	// Provider names the provider (e.g. "sandbox"); ProviderSessionID is its session's id, empty
	// until the session is created, and SessionURL the page where the buyer pays.
	Provider          string
	ProviderSessionID string
	SessionURL        string
	// Amount is in minor units of Currency (ISO 4217).
	Amount   int64
	Currency string
	Status   Status
	// RefundID is the provider's id of the refund; RefundAmount is what was asked back and
	// RefundedAmount what the provider confirmed (less than Amount for a partial refund).
	RefundID       string
	RefundAmount   int64
	RefundedAmount int64
	// Reason says why the payment ended where it did (e.g. "SEATS_TAKEN"), for people and logs.
	Reason string
	// Settled is set once the booking has been told the payment's latest outcome (confirmed,
	// failed or refunded); reconciliation settles captured payments that are not.
	Settled   bool
	CreatedAt time.Time
	ExpiresAt time.Time
	UpdatedAt time.Time
}

// Draft is what a new payment is made from.
type Draft struct {
	BookingID string
	Provider  string
	Amount    int64
	Currency  string
	ExpiresAt time.Time
}

// New returns a new payment in CREATED with a fresh id, created at now. Invalid when the draft is.
func New(d Draft, now time.Time) (Payment, error) {
	now = now.UTC()
	p := Payment{ID: ids.New(), BookingID: d.BookingID, Provider: d.Provider, Amount: d.Amount,
		Currency: d.Currency, Status: StatusCreated, CreatedAt: now, ExpiresAt: d.ExpiresAt.UTC(), UpdatedAt: now}
	if err := p.Validate(); err != nil {
		return Payment{}, err
	}
	return p, nil
}

// Validate checks what every stored payment satisfies. Invalid, naming the field, otherwise.
func (p Payment) Validate() error {
	switch {
	case strings.TrimSpace(p.ID) == "":
		return errs.Invalidf("id", "a payment needs an id")
	case strings.TrimSpace(p.BookingID) == "":
		return errs.Invalidf("bookingId", "a payment needs a booking")
	case strings.TrimSpace(p.Provider) == "":
		return errs.Invalidf("provider", "a payment needs a provider")
	case p.Amount <= 0:
		return errs.Invalidf("amount", "the amount must be positive")
	case !ValidCurrency(p.Currency):
		return errs.Invalidf("currency", "the currency must be an ISO 4217 code such as INR")
	case !p.Status.Valid():
		return errs.Invalidf("status", "unknown payment status %q", p.Status)
	case p.CreatedAt.IsZero():
		return errs.Invalidf("createdAt", "a payment needs a creation time")
	case !p.ExpiresAt.After(p.CreatedAt):
		return errs.Invalidf("expiresAt", "a payment must expire after it is created")
	case p.RefundAmount < 0 || p.RefundAmount > p.Amount:
		return errs.Invalidf("refundAmount", "the refund must be between 0 and the amount")
	case p.RefundedAmount < 0 || p.RefundedAmount > p.Amount:
		return errs.Invalidf("refundedAmount", "the refunded amount must be between 0 and the amount")
	}
	return nil
}

// Apply moves p on t at at, through Transition. When the status changes it sets UpdatedAt, and
// Reason when reason is not empty; otherwise p is left exactly as it was. It reports whether p
// changed.
func (p *Payment) Apply(t Trigger, at time.Time, reason string) (bool, error) {
	next, changed, err := Transition(p.Status, t)
	if err != nil || !changed {
		return false, err
	}
	p.Status = next
	p.UpdatedAt = at.UTC()
	if reason != "" {
		p.Reason = reason
	}
	return true, nil
}

// RequestRefund records that amount (0 < amount ≤ Amount) is being asked back from the provider:
// SUCCEEDED → REFUND_PENDING. A payment already refunding or refunded is left unchanged (false,
// nil), whatever amount is asked now. Invalid for a bad amount; Conflict (ReasonNotCaptured) when
// nothing was captured.
func (p *Payment) RequestRefund(amount int64, at time.Time, reason string) (bool, error) {
	if amount <= 0 || amount > p.Amount {
		return false, errs.Invalidf("amount", "a refund must be more than 0 and at most %d", p.Amount)
	}
	changed, err := p.Apply(TriggerRefundRequested, at, reason)
	if changed {
		p.RefundAmount = amount
	}
	return changed, err
}

// ConfirmRefund records the provider's confirmation of a refund of amount (0: RefundAmount, or
// the whole Amount when none was asked) under the provider's refundID: → REFUNDED. A payment
// already REFUNDED is left unchanged.
func (p *Payment) ConfirmRefund(refundID string, amount int64, at time.Time) (bool, error) {
	if amount == 0 {
		amount = p.RefundAmount
		if amount == 0 {
			amount = p.Amount
		}
	}
	if amount < 0 || amount > p.Amount {
		return false, errs.Invalidf("amount", "a refund must be more than 0 and at most %d", p.Amount)
	}
	changed, err := p.Apply(TriggerRefunded, at, "")
	if changed {
		p.RefundedAmount = amount
		if p.RefundAmount == 0 {
			p.RefundAmount = amount
		}
		if refundID != "" {
			p.RefundID = refundID
		}
	}
	return changed, err
}

// RefundIdempotencyKey is the idempotency key to give the provider when refunding p, so that a
// retried refund (after a crash or a timeout) is never paid out twice.
func (p Payment) RefundIdempotencyKey() string { return "refund:" + p.ID }
