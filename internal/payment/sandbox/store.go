package sandbox

import (
	"context"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
)

// Session is a sandbox payment session as the sandbox stores it.
type Session struct {
	ID          string
	PaymentID   string
	BookingRef  string
	Description string
	ReturnURL   string
	// Amount is in minor units of Currency.
	Amount   int64
	Currency string
	// Status is OPEN, PAID, DECLINED or CANCELLED. An OPEN session past ExpiresAt is expired:
	// State reports it EXPIRED and it can no longer be paid.
	Status payment.SessionStatus
	// EventID is the id of the event the outcome (PAID or DECLINED) sent.
	EventID     string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	CompletedAt time.Time
	// Refunds are the session's refunds, oldest first; RefundedAmount is their sum.
	Refunds        []Refund
	RefundedAmount int64
}

// Expired reports whether the session can no longer be paid because it ran out at now.
func (s Session) Expired(now time.Time) bool {
	return s.Status == payment.SessionOpen && !now.Before(s.ExpiresAt)
}

// State is what the sandbox reports of s at now.
func (s Session) State(now time.Time) payment.SessionState {
	st := payment.SessionState{ID: s.ID, PaymentID: s.PaymentID, Status: s.Status, Amount: s.Amount,
		Currency: s.Currency, RefundedAmount: s.RefundedAmount, ExpiresAt: s.ExpiresAt, CompletedAt: s.CompletedAt}
	if s.Expired(now) {
		st.Status = payment.SessionExpired
	}
	return st
}

// Refund is a refund of a paid sandbox session. It is pending until SucceedsAt, when its
// refund.succeeded event is sent.
type Refund struct {
	ID             string
	IdempotencyKey string
	EventID        string
	Amount         int64
	CreatedAt      time.Time
	SucceedsAt     time.Time
}

// Status is the refund's status at now.
func (r Refund) Status(now time.Time) payment.RefundStatus {
	if now.Before(r.SucceedsAt) {
		return payment.RefundPending
	}
	return payment.RefundSucceeded
}

// DeliveryState is a webhook delivery's state.
type DeliveryState string

// The delivery states.
const (
	// DeliveryPending: not delivered yet; attempted again at NextAttemptAt.
	DeliveryPending DeliveryState = "PENDING"
	// DeliveryDelivered: the receiver answered 2xx.
	DeliveryDelivered DeliveryState = "DELIVERED"
	// DeliveryFailed: given up after MaxAttempts or MaxAge.
	DeliveryFailed DeliveryState = "FAILED"
)

// Delivery is one webhook to deliver: an event's payload, sent (and signed afresh) at each attempt
// until the receiver answers 2xx.
type Delivery struct {
	// ID identifies the delivery. The first delivery of an event has the event's id; a duplicate
	// has its own ID and the same EventID and Payload.
	ID        string
	EventID   string
	Type      payment.EventType
	SessionID string
	// Payload is the JSON body (see EventPayload).
	Payload []byte
	// Duplicate marks a deliberate repeat of a delivered event (Config.DuplicateRate).
	Duplicate bool
	State     DeliveryState
	// Attempts counts the attempts begun: ClaimDue adds one.
	Attempts      int
	NextAttemptAt time.Time
	// LeaseUntil and LeaseToken are set by ClaimDue: until then the claimer alone attempts it.
	LeaseUntil time.Time
	LeaseToken string
	LastError  string
	CreatedAt  time.Time
	// FinishedAt is when it was delivered or given up; zero while pending.
	FinishedAt time.Time
}

// Store keeps the sandbox's sessions and its queue of webhook deliveries. Adapters:
// paymentsqlite and paymentmongo; the conformance suite is in paymenttest. Every method is safe
// for concurrent use, also by several processes sharing the database.
type Store interface {
	// CreateSession stores a new session. Conflict when its id exists.
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns a session. NotFound when missing.
	GetSession(ctx context.Context, id string) (Session, error)
	// UpdateSession loads a session, applies fn and stores the result together with the
	// deliveries fn returns: the session is written and the deliveries queued, or neither
	// (a transaction; or, without one, the deliveries ride in the session's own record and are
	// moved to the queue right after, and by RecoverOutbox if the process died in between). No
	// other write to the session lands in between; fn may run more than once. It returns the
	// session as stored. NotFound when missing; fn's error is returned unchanged and nothing is
	// stored; Conflict when concurrent writers keep winning.
	UpdateSession(ctx context.Context, id string, fn func(*Session) ([]Delivery, error)) (Session, error)
	// RecoverOutbox queues the deliveries of up to limit sessions whose UpdateSession was
	// interrupted between writing the session and queueing its deliveries more than olderThan ago
	// (by the store's own clock), and returns how many sessions it repaired. Stores that queue in
	// the same transaction have nothing to repair and return 0.
	RecoverOutbox(ctx context.Context, olderThan time.Duration, limit int) (int, error)

	// Enqueue queues a delivery (State PENDING, no lease). It is idempotent: a delivery whose ID
	// is queued already is left unchanged. Invalid without ID or EventID.
	Enqueue(ctx context.Context, d Delivery) error
	// GetDelivery returns a delivery. NotFound when missing.
	GetDelivery(ctx context.Context, id string) (Delivery, error)
	// SessionDeliveries returns the deliveries of a session's events, by CreatedAt then ID.
	SessionDeliveries(ctx context.Context, sessionID string) ([]Delivery, error)
	// ClaimDue leases up to limit pending deliveries that are due at now (NextAttemptAt ≤ now)
	// and not leased (LeaseUntil ≤ now), earliest NextAttemptAt first: each gets LeaseUntil =
	// now+lease, a fresh LeaseToken and one more Attempt, and is returned so. Of concurrent
	// callers, each delivery goes to at most one until its lease runs out.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// Retry schedules another attempt of a pending delivery at next, recording lastErr, and
	// releases its lease; only the holder of leaseToken can, anyone else changes nothing.
	Retry(ctx context.Context, id, leaseToken string, next time.Time, lastErr string) error
	// Finish ends a pending delivery at at: DeliveryDelivered by anyone (a receiver's 2xx is a
	// fact, whoever saw it), DeliveryFailed only by the holder of leaseToken. A delivery that is
	// not pending any more is left unchanged. Invalid for any other state.
	Finish(ctx context.Context, id, leaseToken string, state DeliveryState, at time.Time, lastErr string) error
}
