// Package paymentsqlite stores payments, received webhook events, and the sandbox provider's
// sessions and webhook delivery queue in the embedded SQLite database.
//
// Every multi-step write runs in one immediate transaction, so SQLite serialises it against
// other writers, also in other processes sharing the file.
package paymentsqlite

import (
	"context"
	"database/sql"

	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

var migrations = []string{
	`CREATE TABLE payments (
		id TEXT PRIMARY KEY,
		booking_id TEXT NOT NULL UNIQUE,
		provider TEXT NOT NULL,
		provider_session_id TEXT NOT NULL,
		status TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		doc TEXT NOT NULL
	);
	CREATE INDEX payments_provider_session ON payments (provider, provider_session_id);
	CREATE INDEX payments_status_created ON payments (status, created_at, id);
	CREATE INDEX payments_status_expires ON payments (status, expires_at);
	CREATE TABLE payment_webhook_events (
		provider TEXT NOT NULL,
		event_id TEXT NOT NULL,
		type TEXT NOT NULL,
		session_id TEXT NOT NULL,
		refund_id TEXT NOT NULL,
		amount INTEGER NOT NULL,
		received_at INTEGER NOT NULL,
		payload_hash TEXT NOT NULL,
		processed_at INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (provider, event_id)
	);
	CREATE TABLE sandbox_sessions (
		id TEXT PRIMARY KEY,
		doc TEXT NOT NULL
	);
	CREATE TABLE sandbox_deliveries (
		id TEXT PRIMARY KEY,
		event_id TEXT NOT NULL,
		type TEXT NOT NULL,
		session_id TEXT NOT NULL,
		payload BLOB NOT NULL,
		duplicate INTEGER NOT NULL,
		state TEXT NOT NULL,
		attempts INTEGER NOT NULL,
		next_attempt_at INTEGER NOT NULL,
		lease_until INTEGER NOT NULL,
		lease_token TEXT NOT NULL,
		last_error TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		finished_at INTEGER NOT NULL
	);
	CREATE INDEX sandbox_deliveries_due ON sandbox_deliveries (state, next_attempt_at);
	CREATE INDEX sandbox_deliveries_session ON sandbox_deliveries (session_id, created_at);`,
}

// Store holds the repositories on one database.
type Store struct {
	Payments *PaymentRepository
	Events   *EventRepository
	Sandbox  *SandboxStore
}

// New migrates the schema (idempotently) and returns the repositories.
func New(ctx context.Context, db *sql.DB) (*Store, error) {
	if err := sqlitedb.Migrate(ctx, db, "payment", migrations); err != nil {
		return nil, err
	}
	return &Store{Payments: &PaymentRepository{db}, Events: &EventRepository{db}, Sandbox: &SandboxStore{db}}, nil
}
