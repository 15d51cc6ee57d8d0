package paymentsqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

// SandboxStore is a sandbox.Store on SQLite. UpdateSession writes the session and queues its
// deliveries in one transaction, so RecoverOutbox never has anything to do.
type SandboxStore struct{ db *sql.DB }

var _ sandbox.Store = (*SandboxStore)(nil)

type refundDoc struct {
	ID             string `json:"id"`
	IdempotencyKey string `json:"idempotencyKey"`
	EventID        string `json:"eventId"`
	Amount         int64  `json:"amount"`
	CreatedAt      int64  `json:"createdAt"`
	SucceedsAt     int64  `json:"succeedsAt"`
}

// sessionDoc is the stored form of a sandbox session; times are Unix milliseconds.
type sessionDoc struct {
	ID             string      `json:"id"`
	PaymentID      string      `json:"paymentId"`
	BookingRef     string      `json:"bookingRef"`
	Description    string      `json:"description"`
	ReturnURL      string      `json:"returnUrl"`
	Amount         int64       `json:"amount"`
	Currency       string      `json:"currency"`
	Status         string      `json:"status"`
	EventID        string      `json:"eventId"`
	CreatedAt      int64       `json:"createdAt"`
	ExpiresAt      int64       `json:"expiresAt"`
	CompletedAt    int64       `json:"completedAt"`
	Refunds        []refundDoc `json:"refunds"`
	RefundedAmount int64       `json:"refundedAmount"`
}

func encodeSession(s sandbox.Session) (sessionDoc, string, error) {
	d := sessionDoc{ID: s.ID, PaymentID: s.PaymentID, BookingRef: s.BookingRef, Description: s.Description,
		ReturnURL: s.ReturnURL, Amount: s.Amount, Currency: s.Currency, Status: string(s.Status), EventID: s.EventID,
		CreatedAt: sqlitedb.Millis(s.CreatedAt), ExpiresAt: sqlitedb.Millis(s.ExpiresAt), CompletedAt: sqlitedb.Millis(s.CompletedAt), RefundedAmount: s.RefundedAmount}
	for _, r := range s.Refunds {
		d.Refunds = append(d.Refunds, refundDoc{ID: r.ID, IdempotencyKey: r.IdempotencyKey, EventID: r.EventID,
			Amount: r.Amount, CreatedAt: sqlitedb.Millis(r.CreatedAt), SucceedsAt: sqlitedb.Millis(r.SucceedsAt)})
	}
	b, err := json.Marshal(d)
	if err != nil {
		return sessionDoc{}, "", fmt.Errorf("encode session: %w", err)
	}
	return d, string(b), nil
}

func (d sessionDoc) session() sandbox.Session {
	s := sandbox.Session{ID: d.ID, PaymentID: d.PaymentID, BookingRef: d.BookingRef, Description: d.Description,
		ReturnURL: d.ReturnURL, Amount: d.Amount, Currency: d.Currency, Status: payment.SessionStatus(d.Status),
		EventID: d.EventID, CreatedAt: sqlitedb.FromMillis(d.CreatedAt), ExpiresAt: sqlitedb.FromMillis(d.ExpiresAt),
		CompletedAt: sqlitedb.FromMillis(d.CompletedAt), RefundedAmount: d.RefundedAmount}
	for _, r := range d.Refunds {
		s.Refunds = append(s.Refunds, sandbox.Refund{ID: r.ID, IdempotencyKey: r.IdempotencyKey, EventID: r.EventID,
			Amount: r.Amount, CreatedAt: sqlitedb.FromMillis(r.CreatedAt), SucceedsAt: sqlitedb.FromMillis(r.SucceedsAt)})
	}
	return s
}

func decodeSession(doc string) (sandbox.Session, error) {
	var d sessionDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return sandbox.Session{}, fmt.Errorf("decode session: %w", err)
	}
	return d.session(), nil
}

// CreateSession stores a new session.
func (s *SandboxStore) CreateSession(ctx context.Context, sess sandbox.Session) error {
	if sess.ID == "" {
		return errs.Invalidf("id", "a session needs an id")
	}
	_, doc, err := encodeSession(sess)
	if err != nil {
		return err
	}
	if _, err := sqlitedb.Exec(ctx, s.db, `INSERT INTO sandbox_sessions (id, doc) VALUES (?, ?)`, sess.ID, doc); err != nil {
		if sqlitedb.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "session %s exists", sess.ID)
		}
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// GetSession returns a session.
func (s *SandboxStore) GetSession(ctx context.Context, id string) (sandbox.Session, error) {
	var doc string
	if err := s.db.QueryRowContext(ctx, `SELECT doc FROM sandbox_sessions WHERE id = ?`, id).Scan(&doc); err != nil {
		return sandbox.Session{}, sqlitedb.NotFoundOr(err, "payment session")
	}
	return decodeSession(doc)
}

// UpdateSession applies fn and queues its deliveries in one transaction.
func (s *SandboxStore) UpdateSession(ctx context.Context, id string, fn func(*sandbox.Session) ([]sandbox.Delivery, error)) (sandbox.Session, error) {
	var out sandbox.Session
	err := sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		var doc string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM sandbox_sessions WHERE id = ?`, id).Scan(&doc); err != nil {
			return sqlitedb.NotFoundOr(err, "payment session")
		}
		sess, err := decodeSession(doc)
		if err != nil {
			return err
		}
		deliveries, err := fn(&sess)
		if err != nil {
			return err
		}
		sess.ID = id
		d, doc, err := encodeSession(sess)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sandbox_sessions SET doc = ? WHERE id = ?`, doc, id); err != nil {
			return fmt.Errorf("update session: %w", err)
		}
		for _, dl := range deliveries {
			if err := enqueue(ctx, tx, dl); err != nil {
				return err
			}
		}
		out = d.session()
		return nil
	})
	return out, err
}

// RecoverOutbox has nothing to do: UpdateSession queues in its transaction.
func (s *SandboxStore) RecoverOutbox(context.Context, time.Duration, int) (int, error) { return 0, nil }

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func enqueue(ctx context.Context, db execer, d sandbox.Delivery) error {
	if d.ID == "" || d.EventID == "" {
		return errs.Invalidf("id", "a delivery needs an id and an event id")
	}
	dup := 0
	if d.Duplicate {
		dup = 1
	}
	payload := d.Payload
	if payload == nil {
		payload = []byte{}
	}
	_, err := db.ExecContext(ctx, `INSERT INTO sandbox_deliveries (id, event_id, type, session_id, payload, duplicate, state,
		attempts, next_attempt_at, lease_until, lease_token, last_error, created_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?, 0) ON CONFLICT (id) DO NOTHING`,
		d.ID, d.EventID, string(d.Type), d.SessionID, payload, dup, string(sandbox.DeliveryPending), d.Attempts,
		sqlitedb.Millis(d.NextAttemptAt), d.LastError, sqlitedb.Millis(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("queue delivery: %w", err)
	}
	return nil
}

// Enqueue queues a delivery unless its id is queued already.
func (s *SandboxStore) Enqueue(ctx context.Context, d sandbox.Delivery) error {
	return enqueue(ctx, s.db, d)
}

const deliveryCols = `id, event_id, type, session_id, payload, duplicate, state, attempts, next_attempt_at, lease_until,
	lease_token, last_error, created_at, finished_at`

type scanner interface{ Scan(dest ...any) error }

func scanDelivery(row scanner) (sandbox.Delivery, error) {
	var d sandbox.Delivery
	var typ, state string
	var dup int
	var next, lease, created, finished int64
	if err := row.Scan(&d.ID, &d.EventID, &typ, &d.SessionID, &d.Payload, &dup, &state, &d.Attempts, &next, &lease,
		&d.LeaseToken, &d.LastError, &created, &finished); err != nil {
		return sandbox.Delivery{}, err
	}
	d.Type, d.State, d.Duplicate = payment.EventType(typ), sandbox.DeliveryState(state), dup == 1
	d.NextAttemptAt, d.LeaseUntil, d.CreatedAt, d.FinishedAt = sqlitedb.FromMillis(next), sqlitedb.FromMillis(lease), sqlitedb.FromMillis(created), sqlitedb.FromMillis(finished)
	return d, nil
}

// GetDelivery returns a delivery.
func (s *SandboxStore) GetDelivery(ctx context.Context, id string) (sandbox.Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM sandbox_deliveries WHERE id = ?`, id))
	if err != nil {
		return sandbox.Delivery{}, sqlitedb.NotFoundOr(err, "delivery "+id)
	}
	return d, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryDeliveries(ctx context.Context, q querier, query string, args ...any) ([]sandbox.Delivery, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query deliveries: %w", err)
	}
	defer rows.Close()
	var out []sandbox.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query deliveries: %w", err)
	}
	return out, nil
}

// SessionDeliveries returns the deliveries of a session's events.
func (s *SandboxStore) SessionDeliveries(ctx context.Context, sessionID string) ([]sandbox.Delivery, error) {
	return queryDeliveries(ctx, s.db, `SELECT `+deliveryCols+` FROM sandbox_deliveries WHERE session_id = ?
		ORDER BY created_at, id`, sessionID)
}

// ClaimDue leases due deliveries inside one write transaction, which SQLite serialises against
// every other claimer.
func (s *SandboxStore) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]sandbox.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []sandbox.Delivery
	err := sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		due, err := queryDeliveries(ctx, tx, `SELECT `+deliveryCols+` FROM sandbox_deliveries
			WHERE state = ? AND next_attempt_at <= ? AND lease_until <= ? ORDER BY next_attempt_at, id LIMIT ?`,
			string(sandbox.DeliveryPending), sqlitedb.Millis(now), sqlitedb.Millis(now), limit)
		if err != nil {
			return err
		}
		until := sqlitedb.FromMillis(sqlitedb.Millis(now.Add(lease)))
		for _, d := range due {
			d.LeaseUntil, d.LeaseToken, d.Attempts = until, ids.New(), d.Attempts+1
			if _, err := tx.ExecContext(ctx, `UPDATE sandbox_deliveries SET lease_until = ?, lease_token = ?, attempts = ?
				WHERE id = ?`, sqlitedb.Millis(d.LeaseUntil), d.LeaseToken, d.Attempts, d.ID); err != nil {
				return fmt.Errorf("claim delivery: %w", err)
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Retry schedules another attempt, for the lease holder only.
func (s *SandboxStore) Retry(ctx context.Context, id, leaseToken string, next time.Time, lastErr string) error {
	res, err := sqlitedb.Exec(ctx, s.db, `UPDATE sandbox_deliveries SET next_attempt_at = ?, last_error = ?, lease_until = 0,
		lease_token = '' WHERE id = ? AND state = ? AND lease_token = ? AND lease_token != ''`,
		sqlitedb.Millis(next), lastErr, id, string(sandbox.DeliveryPending), leaseToken)
	return s.settled(ctx, res, err, id)
}

// Finish ends a pending delivery.
func (s *SandboxStore) Finish(ctx context.Context, id, leaseToken string, state sandbox.DeliveryState, at time.Time, lastErr string) error {
	var res sql.Result
	var err error
	switch state {
	case sandbox.DeliveryDelivered:
		res, err = sqlitedb.Exec(ctx, s.db, `UPDATE sandbox_deliveries SET state = ?, finished_at = ?, last_error = '',
			lease_until = 0, lease_token = '' WHERE id = ? AND state = ?`,
			string(state), sqlitedb.Millis(at), id, string(sandbox.DeliveryPending))
	case sandbox.DeliveryFailed:
		res, err = sqlitedb.Exec(ctx, s.db, `UPDATE sandbox_deliveries SET state = ?, finished_at = ?, last_error = ?,
			lease_until = 0, lease_token = '' WHERE id = ? AND state = ? AND lease_token = ? AND lease_token != ''`,
			string(state), sqlitedb.Millis(at), lastErr, id, string(sandbox.DeliveryPending), leaseToken)
	default:
		return errs.Invalidf("state", "a delivery finishes delivered or failed, not %q", state)
	}
	return s.settled(ctx, res, err, id)
}

// settled turns the result of a conditional update into the method's error: nil when it
// matched or when the delivery exists (the condition did not hold: nothing to do), NotFound
// otherwise.
func (s *SandboxStore) settled(ctx context.Context, res sql.Result, err error, id string) error {
	if err != nil {
		return fmt.Errorf("update delivery %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	_, err = s.GetDelivery(ctx, id)
	return err
}
