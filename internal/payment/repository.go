package payment

import (
	"context"
	"time"
)

// ReasonBookingHasPayment is the errs reason of creating a second payment for a booking.
const ReasonBookingHasPayment = "BOOKING_HAS_PAYMENT"

// Repository stores payments. A booking has at most one payment: the store enforces it (a
// unique index on the booking), so that two concurrent checkouts of a booking cannot both
// create one.
type Repository interface {
	// Create stores a new payment. Invalid when p fails Validate; Conflict with reason
	// ReasonBookingHasPayment when its booking has a payment already; Conflict when its id exists.
	Create(ctx context.Context, p Payment) error
	// Get returns a payment. NotFound when missing.
	Get(ctx context.Context, id string) (Payment, error)
	// GetByBooking returns a booking's payment. NotFound when it has none.
	GetByBooking(ctx context.Context, bookingID string) (Payment, error)
	// GetByProviderSession returns the payment of a provider's session. NotFound when none.
	GetByProviderSession(ctx context.Context, provider, sessionID string) (Payment, error)
	// Update loads a payment, applies fn and stores the result atomically: no other write to the
	// payment lands in between (a transaction, or an optimistic version check that starts over
	// from a fresh read). fn may run more than once, so it must not have side effects outside the
	// payment; it may change every field but ID and BookingID, which keep their stored values. It
	// returns the payment as stored. NotFound when missing; fn's error is returned unchanged and
	// nothing is stored; Conflict when concurrent writers keep winning.
	Update(ctx context.Context, id string, fn func(*Payment) error) (Payment, error)
	// List returns the payments matching q, oldest (CreatedAt, then ID) first, for sweepers and
	// reconciliation. Invalid when q names no status.
	List(ctx context.Context, q ListQuery) ([]Payment, error)
}

// Limits of List.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// ListQuery selects payments.
type ListQuery struct {
	// Statuses keeps payments in any of these statuses; at least one is required.
	Statuses []Status
	// CreatedBefore keeps payments created strictly before it (zero: any).
	CreatedBefore time.Time
	// ExpiresBefore keeps payments that expire strictly before it (zero: any).
	ExpiresBefore time.Time
	// Unsettled keeps payments whose Settled is false.
	Unsettled bool
	// Limit caps the result: 0 means DefaultListLimit; more than MaxListLimit means MaxListLimit.
	Limit int
}

// EffectiveLimit is the number of payments List returns at most for q.
func (q ListQuery) EffectiveLimit() int {
	switch {
	case q.Limit <= 0:
		return DefaultListLimit
	case q.Limit > MaxListLimit:
		return MaxListLimit
	}
	return q.Limit
}

// EventRepository records received webhook events, unique on (Provider, EventID), so that a
// repeated delivery is recognised.
//
// The payment service records an event once it has processed it, with ProcessedAt set (one
// write); an event recorded without ProcessedAt (say, received but left for later) is processed
// when it comes again. Either way a repeat is recognised, and processing twice is safe because
// it is idempotent.
type EventRepository interface {
	// Record stores e unless an event with its (Provider, EventID) is stored already, and reports
	// whether this call stored it. A repeat changes nothing (even when its payload differs) and
	// returns false. Atomic: of concurrent calls with one key exactly one returns true. Invalid
	// when Provider or EventID is empty.
	Record(ctx context.Context, e WebhookEvent) (firstTime bool, err error)
	// Get returns the stored event. NotFound when none.
	Get(ctx context.Context, provider, eventID string) (WebhookEvent, error)
	// MarkProcessed sets ProcessedAt of an event that has none yet; an event processed before
	// keeps its time. NotFound when none; Invalid for the zero time.
	MarkProcessed(ctx context.Context, provider, eventID string, at time.Time) error
}
