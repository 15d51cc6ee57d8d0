package payment

import (
	"context"
	"net/http"
	"time"
)

// Provider is a payment service provider (PSP): the built-in sandbox, later Stripe or Razorpay.
// An adapter speaks the provider's API and webhook format and answers in these terms. Every
// method is safe for concurrent use.
type Provider interface {
	// Name is the provider's short name, as in /webhooks/payments/{provider} and Payment.Provider.
	Name() string
	// CreateSession opens a hosted payment session for req. Retrying with the same PaymentID
	// returns the same session where the provider supports it. Invalid for a bad request;
	// Unavailable when the provider cannot be reached.
	CreateSession(ctx context.Context, req SessionRequest) (Session, error)
	// CancelSession closes an unpaid session so that it can no longer be paid. Cancelling a
	// session that is already closed without payment (declined, expired, cancelled) succeeds and
	// changes nothing. NotFound for an unknown session; Conflict with reason ReasonSessionPaid when
	// the buyer has paid already (the payment then has to be honoured or refunded).
	CancelSession(ctx context.Context, sessionID string) error
	// Refund returns money of a paid session to the buyer. It is idempotent by IdempotencyKey:
	// asking again with the same key returns the same refund and pays nothing more. The refund
	// is usually pending at first; the provider confirms it later with a refund.succeeded webhook.
	// Invalid for a bad amount; NotFound for an unknown session; Conflict when the session is not
	// paid or the refunds would exceed what was paid.
	Refund(ctx context.Context, req RefundRequest) (Refund, error)
	// SessionStatus reports what the provider knows of a session, for reconciliation (a webhook
	// that never arrived). NotFound for an unknown session.
	SessionStatus(ctx context.Context, sessionID string) (SessionState, error)
	// VerifyWebhook checks a webhook's signature against body at now and parses the event.
	// Invalid (HTTP 400) for a missing or bad signature, a timestamp outside the tolerance or a
	// malformed body; nothing about the event may be trusted then.
	VerifyWebhook(header http.Header, body []byte, now time.Time) (Event, error)
}

// ReasonSessionPaid is the errs reason of cancelling a session that has been paid.
const ReasonSessionPaid = "SESSION_PAID"

// SessionRequest asks a provider for a hosted payment session.
type SessionRequest struct {
	// PaymentID is Marquee's payment id; the provider echoes it in its events.
	PaymentID string
	// BookingRef is the booking's short human reference (e.g. MQ-7K2P9X), shown to the buyer.
	BookingRef string
	// Amount is in minor units of Currency.
	Amount   int64
	Currency string
	// Description says what is bought, for the buyer.
	Description string
	// ExpiresAt is when the session stops accepting payment (the hold's expiry).
	ExpiresAt time.Time
	// ReturnURL is where the buyer is sent after paying or declining; empty: stay on the
	// provider's page.
	ReturnURL string
}

// Session is a hosted payment session.
type Session struct {
	ID string
	// URL is the page where the buyer pays.
	URL       string
	ExpiresAt time.Time
}

// RefundRequest asks a provider to return money of a paid session.
type RefundRequest struct {
	SessionID string
	// Amount is in minor units of the session's currency; 0 < Amount ≤ what is left to refund.
	Amount int64
	// IdempotencyKey makes retries safe: see Payment.RefundIdempotencyKey.
	IdempotencyKey string
}

// RefundStatus is a refund's state at the provider.
type RefundStatus string

// The refund statuses.
const (
	RefundPending   RefundStatus = "PENDING"
	RefundSucceeded RefundStatus = "SUCCEEDED"
	RefundFailed    RefundStatus = "FAILED"
)

// Refund is a refund at the provider.
type Refund struct {
	ID     string
	Status RefundStatus
	Amount int64
}

// SessionStatus is a session's state at the provider.
type SessionStatus string

// The session statuses.
const (
	// SessionOpen: the buyer can still pay.
	SessionOpen SessionStatus = "OPEN"
	// SessionPaid: the buyer paid; the money is captured.
	SessionPaid SessionStatus = "PAID"
	// SessionDeclined: the payment was declined.
	SessionDeclined SessionStatus = "DECLINED"
	// SessionExpired: the session ran out unpaid.
	SessionExpired SessionStatus = "EXPIRED"
	// SessionCancelled: the merchant cancelled the session unpaid.
	SessionCancelled SessionStatus = "CANCELLED"
)

// Trigger returns the payment trigger a session in s stands for, and false for an open session.
func (s SessionStatus) Trigger() (Trigger, bool) {
	switch s {
	case SessionPaid:
		return TriggerSucceeded, true
	case SessionDeclined:
		return TriggerFailed, true
	case SessionExpired:
		return TriggerExpired, true
	case SessionCancelled:
		return TriggerCancelled, true
	}
	return "", false
}

// SessionState is what a provider reports of a session.
type SessionState struct {
	ID        string
	PaymentID string
	Status    SessionStatus
	Amount    int64
	Currency  string
	// RefundedAmount is the sum of the session's refunds, pending or not.
	RefundedAmount int64
	ExpiresAt      time.Time
	// CompletedAt is when the buyer paid or the payment was declined; zero otherwise.
	CompletedAt time.Time
}

// EventType is the type of a provider event.
type EventType string

// The event types Marquee acts on. Providers send others; callers acknowledge and ignore them.
const (
	EventPaymentSucceeded EventType = "payment.succeeded"
	EventPaymentFailed    EventType = "payment.failed"
	EventRefundSucceeded  EventType = "refund.succeeded"
)

// Trigger returns the payment trigger of an event type, and false for a type Marquee ignores.
func (t EventType) Trigger() (Trigger, bool) {
	switch t {
	case EventPaymentSucceeded:
		return TriggerSucceeded, true
	case EventPaymentFailed:
		return TriggerFailed, true
	case EventRefundSucceeded:
		return TriggerRefunded, true
	}
	return "", false
}

// Event is a verified provider event, parsed from a webhook.
type Event struct {
	// ID is unique per event at the provider; a repeated delivery carries the same ID.
	ID   string
	Type EventType
	// SessionID is the provider session the event is about.
	SessionID string
	// PaymentID is Marquee's payment id as given in SessionRequest, when the provider echoes it.
	PaymentID string
	// RefundID is set on refund events.
	RefundID string
	// Amount (minor units of Currency) is what was paid or refunded.
	Amount   int64
	Currency string
	// CreatedAt is when the provider created the event.
	CreatedAt time.Time
	// PayloadHash is the hex SHA-256 of the webhook body.
	PayloadHash string
}

// Record returns the record of e received from provider at receivedAt, for EventRepository.
func (e Event) Record(provider string, receivedAt time.Time) WebhookEvent {
	return WebhookEvent{Provider: provider, EventID: e.ID, Type: e.Type, PaymentSessionID: e.SessionID,
		RefundID: e.RefundID, Amount: e.Amount, ReceivedAt: receivedAt.UTC(), PayloadHash: e.PayloadHash}
}

// WebhookEvent is the record of a received webhook event, unique on (Provider, EventID).
type WebhookEvent struct {
	Provider         string
	EventID          string
	Type             EventType
	PaymentSessionID string
	RefundID         string
	Amount           int64
	ReceivedAt       time.Time
	// PayloadHash is the hex SHA-256 of the body first received.
	PayloadHash string
	// ProcessedAt is when processing the event finished; zero until then.
	ProcessedAt time.Time
}
