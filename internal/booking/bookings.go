package booking

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Status is a booking's life-cycle state.
//
//	PENDING_PAYMENT → CONFIRMED | EXPIRED | FAILED
//	CONFIRMED → CANCELLED → REFUNDED
//
// A payment that succeeds after its booking EXPIRED or FAILED still confirms it when every seat
// is free (money wins over timers); otherwise the booking stays FAILED (SEATS_TAKEN) and the
// payment is refunded. Nothing moves a booking backwards.
type Status string

// The statuses.
const (
	StatusPendingPayment Status = "PENDING_PAYMENT"
	StatusConfirmed      Status = "CONFIRMED"
	StatusExpired        Status = "EXPIRED"
	StatusFailed         Status = "FAILED"
	StatusCancelled      Status = "CANCELLED"
	StatusRefunded       Status = "REFUNDED"
)

// Statuses lists every status.
var Statuses = []Status{StatusPendingPayment, StatusConfirmed, StatusExpired, StatusFailed, StatusCancelled, StatusRefunded}

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Reasons a booking ended where it did (Booking.Reason).
const (
	ReasonSeatsTaken         = "SEATS_TAKEN"
	ReasonPaymentDeclined    = "PAYMENT_DECLINED"
	ReasonPaymentTimeout     = "PAYMENT_TIMEOUT"
	ReasonCancelledByBuyer   = "CANCELLED_BY_CUSTOMER"
	ReasonCancelledByAdmin   = "CANCELLED_BY_ADMIN"
	ReasonShowCancelled      = "SHOW_CANCELLED"
	ReasonCancellationClosed = "CANCELLATION_CLOSED"
	ReasonNotCancellable     = "NOT_CANCELLABLE"
)

// Event is what happens to a booking: the input of Next.
type Event string

// The events.
const (
	// EventPaid: the payment succeeded and every seat was written to the ground truth.
	EventPaid Event = "paid"
	// EventPaidSeatsTaken: the payment succeeded but a seat is someone else's now.
	EventPaidSeatsTaken Event = "paid_seats_taken"
	// EventDeclined: the payment was declined or failed.
	EventDeclined Event = "declined"
	// EventTimedOut: the booking was not paid before it expired.
	EventTimedOut Event = "timed_out"
	// EventCancelled: the buyer, an admin or a show cancellation cancelled a confirmed booking.
	EventCancelled Event = "cancelled"
	// EventRefunded: the provider confirmed the refund of a cancelled booking.
	EventRefunded Event = "refunded"
)

// Next is the booking state machine, a pure function: the status a booking in current moves to
// on e, and whether that is a change. An event that does not apply (a repeat, or one that
// arrives after a later one, such as declined after paid) returns current and false, so that
// every path is idempotent and nothing moves backwards.
func Next(current Status, e Event) (Status, bool) {
	switch e {
	case EventPaid:
		if current == StatusPendingPayment || current == StatusExpired || current == StatusFailed {
			return StatusConfirmed, true
		}
	case EventPaidSeatsTaken:
		if current == StatusPendingPayment || current == StatusExpired {
			return StatusFailed, true
		}
	case EventDeclined:
		if current == StatusPendingPayment {
			return StatusFailed, true
		}
	case EventTimedOut:
		if current == StatusPendingPayment {
			return StatusExpired, true
		}
	case EventCancelled:
		if current == StatusConfirmed {
			return StatusCancelled, true
		}
	case EventRefunded:
		if current == StatusCancelled {
			return StatusRefunded, true
		}
	}
	return current, false
}

// Booking is a purchase of seats of one show: made from a hold at checkout, paid through the
// payment service, then confirmed (its seats in the ground truth) or not.
type Booking struct {
	ID string
	// Reference is short and unambiguous (MQ-7K2P9X), unique: what a buyer reads out.
	Reference string
	ShowID    string
	TheatreID string
	// HoldID is the hold it was checked out from; one booking per hold.
	HoldID string
	// OwnerID is who bought it: "user:<id>" or "session:<id>" (a guest's browser session).
	OwnerID string
	// UserID is the buyer's account; empty for a guest.
	UserID  string
	Email   string
	Name    string
	Phone   string
	SeatIDs []string
	// Quote is the hold's quote, fixed at checkout; Quote.Total is what is charged.
	Quote  Quote
	Status Status
	// Reason says why the booking is FAILED, EXPIRED or CANCELLED (Reason* constants).
	Reason string
	// PaymentURL is where the buyer pays, while PENDING_PAYMENT.
	PaymentURL string
	// ShowStartsAt is when the show starts, for the cancellation cut-off.
	ShowStartsAt time.Time
	CreatedAt    time.Time
	// ExpiresAt is when an unpaid booking lapses: the hold's expiry.
	ExpiresAt   time.Time
	ConfirmedAt time.Time
	CancelledAt time.Time
	// RefundAmount is what is being (or was) refunded; RefundRequestedAt when it was asked of
	// the payment service, RefundedAt when the provider confirmed it.
	RefundAmount      int64
	RefundRequestedAt time.Time
	RefundedAt        time.Time
	UpdatedAt         time.Time
}

// Guest reports whether the booking was made without an account.
func (b Booking) Guest() bool { return b.UserID == "" }

// Validate checks what every stored booking satisfies. Invalid, naming the field, otherwise.
func (b Booking) Validate() error {
	switch {
	case b.ID == "":
		return errs.Invalidf("id", "a booking needs an id")
	case !ValidReference(b.Reference):
		return errs.Invalidf("reference", "%q is not a booking reference", b.Reference)
	case b.ShowID == "" || b.TheatreID == "":
		return errs.Invalidf("showId", "a booking needs a show and its theatre")
	case b.HoldID == "" || b.OwnerID == "":
		return errs.Invalidf("holdId", "a booking needs a hold and an owner")
	case b.Email == "":
		return errs.Invalidf("email", "a booking needs an e-mail address")
	case len(b.SeatIDs) == 0:
		return errs.Invalidf("seatIds", "a booking needs seats")
	case b.Quote.Total <= 0 || b.Quote.Currency == "":
		return errs.Invalidf("quote", "a booking needs a positive total in a currency")
	case !b.Status.Valid():
		return errs.Invalidf("status", "unknown booking status %q", b.Status)
	case b.CreatedAt.IsZero() || !b.ExpiresAt.After(b.CreatedAt):
		return errs.Invalidf("expiresAt", "a booking expires after it is created")
	case b.RefundAmount < 0 || b.RefundAmount > b.Quote.Total:
		return errs.Invalidf("refundAmount", "the refund must be between 0 and the total")
	}
	return nil
}

// referenceAlphabet has no 0/O, 1/I/L or U: nothing a buyer can misread or mistype.
const referenceAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// referenceLen is the length of a reference after "MQ-": 30^6 ≈ 729 million references.
const referenceLen = 6

// NewReference returns a random booking reference, e.g. MQ-7K2P9X.
func NewReference() (string, error) {
	b := make([]byte, referenceLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	out := make([]byte, 0, 3+referenceLen)
	out = append(out, "MQ-"...)
	for _, c := range b {
		// 256 = 8×30 + 16: the slight bias toward the first 16 letters does not matter for a
		// reference, which is not a secret (the e-mail is asked with it).
		out = append(out, referenceAlphabet[int(c)%len(referenceAlphabet)])
	}
	return string(out), nil
}

// NormalizeReference reads a reference as a person may type it: any case, spaces, and the
// misreadable letters O, I and L for 0, 1 (which references never contain, so they cannot
// match). It returns "" when s cannot be a reference.
func NormalizeReference(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !strings.HasPrefix(s, "MQ-") {
		if strings.HasPrefix(s, "MQ") {
			s = "MQ-" + s[2:]
		} else {
			s = "MQ-" + s
		}
	}
	if !ValidReference(s) {
		return ""
	}
	return s
}

// ValidReference reports whether s is a well-formed reference.
func ValidReference(s string) bool {
	if len(s) != 3+referenceLen || !strings.HasPrefix(s, "MQ-") {
		return false
	}
	for _, c := range s[3:] {
		if !strings.ContainsRune(referenceAlphabet, c) {
			return false
		}
	}
	return true
}

// Limits of Repository.List.
const (
	DefaultBookingListLimit = 100
	MaxBookingListLimit     = 1000
)

// BookingQuery selects bookings for Repository.List. At least one of OwnerID, ShowID or
// Statuses is required.
type BookingQuery struct {
	OwnerID  string
	ShowID   string
	Statuses []Status
	// ExpiresBefore keeps bookings that expire strictly before it (zero: any).
	ExpiresBefore time.Time
	// RefundNotRequested keeps bookings whose refund was never asked for.
	RefundNotRequested bool
	// Limit: 0 means DefaultBookingListLimit; above MaxBookingListLimit means that.
	Limit int
}

// EffectiveLimit is the number of bookings List returns at most for q.
func (q BookingQuery) EffectiveLimit() int {
	switch {
	case q.Limit <= 0:
		return DefaultBookingListLimit
	case q.Limit > MaxBookingListLimit:
		return MaxBookingListLimit
	}
	return q.Limit
}

// ReasonHoldCheckedOut is the errs reason of creating a second booking from one hold.
const ReasonHoldCheckedOut = "HOLD_CHECKED_OUT"

// CreateConflict is Repository.Create's error once the store refused b for a clash on one of
// its unique keys: it finds which one. Bookings are never deleted, so the clashing booking is
// there to be found.
func CreateConflict(ctx context.Context, r Repository, b Booking) error {
	if _, err := r.GetByHold(ctx, b.HoldID); err == nil {
		return errs.E(errs.Conflict, "hold %s has a booking already", b.HoldID).WithReason(ReasonHoldCheckedOut)
	}
	if _, err := r.Get(ctx, b.ID); err == nil {
		return errs.E(errs.Conflict, "booking %s exists", b.ID)
	}
	return errs.E(errs.Conflict, "booking reference %s is taken", b.Reference)
}

// Repository stores bookings.
type Repository interface {
	// Create stores a new booking. Invalid when b fails Validate; Conflict with reason
	// ReasonHoldCheckedOut when a booking of its hold exists; Conflict when its id or
	// reference exists.
	Create(ctx context.Context, b Booking) error
	// Get returns a booking. NotFound when missing.
	Get(ctx context.Context, id string) (Booking, error)
	// GetByHold returns the booking of a hold. NotFound when none.
	GetByHold(ctx context.Context, holdID string) (Booking, error)
	// GetByReference returns the booking with a reference. NotFound when none.
	GetByReference(ctx context.Context, reference string) (Booking, error)
	// Update loads a booking, applies fn and stores the result atomically (a transaction, or an
	// optimistic version check that starts over from a fresh read). fn may run more than once;
	// it may change every field but ID, Reference, HoldID and OwnerID, which keep their stored
	// values. NotFound when missing; fn's error is returned unchanged and nothing is stored.
	Update(ctx context.Context, id string, fn func(*Booking) error) (Booking, error)
	// List returns the bookings matching q, newest (CreatedAt, then ID) first. Invalid when q
	// names no owner, show or status.
	List(ctx context.Context, q BookingQuery) ([]Booking, error)
}
