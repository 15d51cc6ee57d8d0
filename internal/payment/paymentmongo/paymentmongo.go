// Package paymentmongo stores payments, received webhook events, and the sandbox provider's
// sessions and webhook delivery queue in MongoDB.
//
// Collections: "payments" (unique on bookingId), "payment_webhook_events" (unique on provider and
// eventId), "sandbox_sessions" and "sandbox_deliveries".
//
// No multi-document transaction is used. Payment and session updates are optimistic: every
// document carries a version that each write increments, and a replace only succeeds if the
// version is still the one that was read; a lost race starts over from a fresh read. Recording a
// webhook event is an insert that the unique index decides, which is atomic on FerretDB too.
// Claiming a delivery is one conditional findAndModify per delivery (pending, due and not leased
// → leased to the claimer), atomic on a real MongoDB; FerretDB is not atomic under concurrent
// findAndModify, so concurrent claimers may both win there (deliveries are at-least-once anyway).
//
// A session update and the deliveries it queues are two collections, so the update stores the
// deliveries inside the session document first (an outbox, written atomically with the session),
// then inserts them into sandbox_deliveries under their own ids (a repeat insert is a no-op) and
// empties the outbox. If the process dies in between, RecoverOutbox finishes the move.
package paymentmongo

import (
	"context"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
)

// The collections.
const (
	PaymentsCollection   = "payments"
	EventsCollection     = "payment_webhook_events"
	SessionsCollection   = "sandbox_sessions"
	DeliveriesCollection = "sandbox_deliveries"
)

// updateAttempts bounds the optimistic retries of one update.
const updateAttempts = 16

// cleanupTimeout bounds the writes that finish an update after the caller's context ended.
const cleanupTimeout = 10 * time.Second

// Store holds the repositories on one database.
type Store struct {
	Payments *PaymentRepository
	Events   *EventRepository
	Sandbox  *SandboxStore
}

// New creates the collections' indexes (idempotently) and returns the repositories.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	payments, events := db.Collection(PaymentsCollection), db.Collection(EventsCollection)
	sessions, deliveries := db.Collection(SessionsCollection), db.Collection(DeliveriesCollection)
	steps := []struct {
		coll    *mongo.Collection
		indexes []mongodb.Index
	}{
		{payments, []mongodb.Index{
			{Name: "bookingId_unique", Keys: bson.D{{Key: "bookingId", Value: 1}}, Unique: true},
			{Name: "provider_providerSessionId", Keys: bson.D{{Key: "provider", Value: 1}, {Key: "providerSessionId", Value: 1}}},
			{Name: "status_createdAt", Keys: bson.D{{Key: "status", Value: 1}, {Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}},
			{Name: "status_expiresAt", Keys: bson.D{{Key: "status", Value: 1}, {Key: "expiresAt", Value: 1}}},
		}},
		{events, []mongodb.Index{
			{Name: "provider_eventId_unique", Keys: bson.D{{Key: "provider", Value: 1}, {Key: "eventId", Value: 1}}, Unique: true},
		}},
		{sessions, []mongodb.Index{
			{Name: "hasOutbox_writtenAt", Keys: bson.D{{Key: "hasOutbox", Value: 1}, {Key: "writtenAt", Value: 1}}},
		}},
		{deliveries, []mongodb.Index{
			{Name: "state_nextAttemptAt", Keys: bson.D{{Key: "state", Value: 1}, {Key: "nextAttemptAt", Value: 1}}},
			{Name: "sessionId_createdAt", Keys: bson.D{{Key: "sessionId", Value: 1}, {Key: "createdAt", Value: 1}}},
		}},
	}
	for _, s := range steps {
		if err := mongodb.EnsureIndexes(ctx, s.coll, s.indexes...); err != nil {
			return nil, err
		}
	}
	return &Store{
		Payments: &PaymentRepository{coll: payments},
		Events:   &EventRepository{coll: events},
		Sandbox:  &SandboxStore{sessions: sessions, deliveries: deliveries},
	}, nil
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// pause waits a little before another optimistic attempt, so that racing writers spread out.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(1+rand.IntN(1<<min(attempt, 5))) * time.Millisecond
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
