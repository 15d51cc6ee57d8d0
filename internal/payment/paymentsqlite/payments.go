package paymentsqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

// PaymentRepository is a payment.Repository on SQLite.
type PaymentRepository struct{ db *sql.DB }

var _ payment.Repository = (*PaymentRepository)(nil)

// paymentDoc is the stored form of a payment; times are Unix milliseconds.
type paymentDoc struct {
	ID                string `json:"id"`
	BookingID         string `json:"bookingId"`
	Provider          string `json:"provider"`
	ProviderSessionID string `json:"providerSessionId"`
	SessionURL        string `json:"sessionUrl"`
	Amount            int64  `json:"amount"`
	Currency          string `json:"currency"`
	Status            string `json:"status"`
	RefundID          string `json:"refundId"`
	RefundAmount      int64  `json:"refundAmount"`
	RefundedAmount    int64  `json:"refundedAmount"`
	Reason            string `json:"reason"`
	Settled           bool   `json:"settled,omitempty"`
	CreatedAt         int64  `json:"createdAt"`
	ExpiresAt         int64  `json:"expiresAt"`
	UpdatedAt         int64  `json:"updatedAt"`
}

func toPaymentDoc(p payment.Payment) paymentDoc {
	return paymentDoc{ID: p.ID, BookingID: p.BookingID, Provider: p.Provider, ProviderSessionID: p.ProviderSessionID,
		SessionURL: p.SessionURL, Amount: p.Amount, Currency: p.Currency, Status: string(p.Status), RefundID: p.RefundID,
		RefundAmount: p.RefundAmount, RefundedAmount: p.RefundedAmount, Reason: p.Reason, Settled: p.Settled,
		CreatedAt: sqlitedb.Millis(p.CreatedAt), ExpiresAt: sqlitedb.Millis(p.ExpiresAt), UpdatedAt: sqlitedb.Millis(p.UpdatedAt)}
}

func (d paymentDoc) payment() payment.Payment {
	return payment.Payment{ID: d.ID, BookingID: d.BookingID, Provider: d.Provider, ProviderSessionID: d.ProviderSessionID,
		SessionURL: d.SessionURL, Amount: d.Amount, Currency: d.Currency, Status: payment.Status(d.Status), RefundID: d.RefundID,
		RefundAmount: d.RefundAmount, RefundedAmount: d.RefundedAmount, Reason: d.Reason, Settled: d.Settled,
		CreatedAt: sqlitedb.FromMillis(d.CreatedAt), ExpiresAt: sqlitedb.FromMillis(d.ExpiresAt), UpdatedAt: sqlitedb.FromMillis(d.UpdatedAt)}
}

func encodePayment(p payment.Payment) (paymentDoc, string, error) {
	d := toPaymentDoc(p)
	b, err := json.Marshal(d)
	if err != nil {
		return paymentDoc{}, "", fmt.Errorf("encode payment: %w", err)
	}
	return d, string(b), nil
}

func decodePayment(doc string) (payment.Payment, error) {
	var d paymentDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return payment.Payment{}, fmt.Errorf("decode payment: %w", err)
	}
	return d.payment(), nil
}

// Create stores a new payment.
func (r *PaymentRepository) Create(ctx context.Context, p payment.Payment) error {
	if err := p.Validate(); err != nil {
		return err
	}
	d, doc, err := encodePayment(p)
	if err != nil {
		return err
	}
	_, err = sqlitedb.Exec(ctx, r.db, `INSERT INTO payments (id, booking_id, provider, provider_session_id, status, created_at,
		expires_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.BookingID, d.Provider, d.ProviderSessionID, d.Status, d.CreatedAt, d.ExpiresAt, doc)
	if err == nil {
		return nil
	}
	if !sqlitedb.IsUniqueViolation(err) {
		return fmt.Errorf("insert payment: %w", err)
	}
	if other, gerr := r.GetByBooking(ctx, p.BookingID); gerr == nil && other.ID != p.ID {
		return errs.E(errs.Conflict, "the booking has a payment already").WithReason(payment.ReasonBookingHasPayment)
	}
	return errs.E(errs.Conflict, "payment %s exists", p.ID)
}

func (r *PaymentRepository) getOne(ctx context.Context, what, query string, args ...any) (payment.Payment, error) {
	var doc string
	if err := r.db.QueryRowContext(ctx, query, args...).Scan(&doc); err != nil {
		return payment.Payment{}, sqlitedb.NotFoundOr(err, what)
	}
	return decodePayment(doc)
}

// Get returns a payment.
func (r *PaymentRepository) Get(ctx context.Context, id string) (payment.Payment, error) {
	return r.getOne(ctx, "payment "+id, `SELECT doc FROM payments WHERE id = ?`, id)
}

// GetByBooking returns a booking's payment.
func (r *PaymentRepository) GetByBooking(ctx context.Context, bookingID string) (payment.Payment, error) {
	return r.getOne(ctx, "payment of booking "+bookingID, `SELECT doc FROM payments WHERE booking_id = ?`, bookingID)
}

// GetByProviderSession returns the payment of a provider's session.
func (r *PaymentRepository) GetByProviderSession(ctx context.Context, provider, sessionID string) (payment.Payment, error) {
	if sessionID == "" {
		return payment.Payment{}, errs.NotFoundf("payment of session not found")
	}
	return r.getOne(ctx, "payment of session", `SELECT doc FROM payments WHERE provider = ? AND provider_session_id = ?
		ORDER BY created_at, id LIMIT 1`, provider, sessionID)
}

// Update applies fn to a payment inside a write transaction.
func (r *PaymentRepository) Update(ctx context.Context, id string, fn func(*payment.Payment) error) (payment.Payment, error) {
	var out payment.Payment
	err := sqlitedb.InTx(ctx, r.db, func(tx *sql.Tx) error {
		var doc string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM payments WHERE id = ?`, id).Scan(&doc); err != nil {
			return sqlitedb.NotFoundOr(err, "payment "+id)
		}
		p, err := decodePayment(doc)
		if err != nil {
			return err
		}
		bookingID := p.BookingID
		if err := fn(&p); err != nil {
			return err
		}
		p.ID, p.BookingID = id, bookingID
		if err := p.Validate(); err != nil {
			return err
		}
		d, doc, err := encodePayment(p)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET provider = ?, provider_session_id = ?, status = ?,
			created_at = ?, expires_at = ?, doc = ? WHERE id = ?`,
			d.Provider, d.ProviderSessionID, d.Status, d.CreatedAt, d.ExpiresAt, doc, id); err != nil {
			return fmt.Errorf("update payment %s: %w", id, err)
		}
		out = d.payment() // as stored
		return nil
	})
	return out, err
}

// List returns the payments matching q, oldest first.
func (r *PaymentRepository) List(ctx context.Context, q payment.ListQuery) ([]payment.Payment, error) {
	if len(q.Statuses) == 0 {
		return nil, errs.Invalidf("statuses", "name at least one status")
	}
	where := []string{"status IN (" + sqlitedb.Placeholders(len(q.Statuses)) + ")"}
	var args []any
	for _, s := range q.Statuses {
		args = append(args, string(s))
	}
	if !q.CreatedBefore.IsZero() {
		where = append(where, "created_at < ?")
		args = append(args, q.CreatedBefore.UnixMilli())
	}
	if !q.ExpiresBefore.IsZero() {
		where = append(where, "expires_at < ?")
		args = append(args, q.ExpiresBefore.UnixMilli())
	}
	if q.Unsettled {
		where = append(where, "coalesce(json_extract(doc, '$.settled'), 0) = 0")
	}
	args = append(args, q.EffectiveLimit())
	return sqlitedb.QueryDocs(ctx, r.db, "list payments", decodePayment, `SELECT doc FROM payments WHERE `+strings.Join(where, " AND ")+
		` ORDER BY created_at, id LIMIT ?`, args...)
}

// EventRepository is a payment.EventRepository on SQLite; the primary key (provider, event_id)
// makes Record atomic.
type EventRepository struct{ db *sql.DB }

var _ payment.EventRepository = (*EventRepository)(nil)

// Record stores e unless its (provider, event id) is stored already.
func (r *EventRepository) Record(ctx context.Context, e payment.WebhookEvent) (bool, error) {
	if e.Provider == "" || e.EventID == "" {
		return false, errs.Invalidf("eventId", "an event needs a provider and an id")
	}
	res, err := sqlitedb.Exec(ctx, r.db, `INSERT INTO payment_webhook_events (provider, event_id, type, session_id, refund_id,
		amount, received_at, payload_hash, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (provider, event_id) DO NOTHING`,
		e.Provider, e.EventID, string(e.Type), e.PaymentSessionID, e.RefundID, e.Amount, sqlitedb.Millis(e.ReceivedAt), e.PayloadHash,
		sqlitedb.Millis(e.ProcessedAt))
	if err != nil {
		return false, fmt.Errorf("record webhook event: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record webhook event: %w", err)
	}
	return n == 1, nil
}

// Get returns a stored event.
func (r *EventRepository) Get(ctx context.Context, provider, eventID string) (payment.WebhookEvent, error) {
	var e payment.WebhookEvent
	var typ string
	var received, processed int64
	err := r.db.QueryRowContext(ctx, `SELECT provider, event_id, type, session_id, refund_id, amount, received_at,
		payload_hash, processed_at FROM payment_webhook_events WHERE provider = ? AND event_id = ?`, provider, eventID).
		Scan(&e.Provider, &e.EventID, &typ, &e.PaymentSessionID, &e.RefundID, &e.Amount, &received, &e.PayloadHash, &processed)
	if err != nil {
		return payment.WebhookEvent{}, sqlitedb.NotFoundOr(err, "webhook event")
	}
	e.Type, e.ReceivedAt, e.ProcessedAt = payment.EventType(typ), sqlitedb.FromMillis(received), sqlitedb.FromMillis(processed)
	return e, nil
}

// MarkProcessed sets the processing time of an event that has none.
func (r *EventRepository) MarkProcessed(ctx context.Context, provider, eventID string, at time.Time) error {
	if at.IsZero() {
		return errs.Invalidf("processedAt", "a processing time is required")
	}
	res, err := sqlitedb.Exec(ctx, r.db, `UPDATE payment_webhook_events SET processed_at = ?
		WHERE provider = ? AND event_id = ? AND processed_at = 0`, sqlitedb.Millis(at), provider, eventID)
	if err != nil {
		return fmt.Errorf("mark webhook event processed: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return nil
	}
	_, err = r.Get(ctx, provider, eventID)
	return err
}
