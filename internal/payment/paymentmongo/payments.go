package paymentmongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
)

// PaymentRepository is a payment.Repository on MongoDB.
type PaymentRepository struct{ coll *mongo.Collection }

var _ payment.Repository = (*PaymentRepository)(nil)

// paymentDoc is the stored form of a payment.
type paymentDoc struct {
	ID                string    `bson:"_id"`
	BookingID         string    `bson:"bookingId"`
	Provider          string    `bson:"provider"`
	ProviderSessionID string    `bson:"providerSessionId"`
	SessionURL        string    `bson:"sessionUrl"`
	Amount            int64     `bson:"amount"`
	Currency          string    `bson:"currency"`
	Status            string    `bson:"status"`
	RefundID          string    `bson:"refundId"`
	RefundAmount      int64     `bson:"refundAmount"`
	RefundedAmount    int64     `bson:"refundedAmount"`
	Reason            string    `bson:"reason"`
	Settled           bool      `bson:"settled"`
	CreatedAt         time.Time `bson:"createdAt"`
	ExpiresAt         time.Time `bson:"expiresAt"`
	UpdatedAt         time.Time `bson:"updatedAt"`
	Version           int64     `bson:"version"`
}

func toPaymentDoc(p payment.Payment, version int64) paymentDoc {
	return paymentDoc{ID: p.ID, BookingID: p.BookingID, Provider: p.Provider, ProviderSessionID: p.ProviderSessionID,
		SessionURL: p.SessionURL, Amount: p.Amount, Currency: p.Currency, Status: string(p.Status), RefundID: p.RefundID,
		RefundAmount: p.RefundAmount, RefundedAmount: p.RefundedAmount, Reason: p.Reason, Settled: p.Settled, CreatedAt: mongodb.StoredTime(p.CreatedAt),
		ExpiresAt: mongodb.StoredTime(p.ExpiresAt), UpdatedAt: mongodb.StoredTime(p.UpdatedAt), Version: version}
}

func (d paymentDoc) payment() payment.Payment {
	return payment.Payment{ID: d.ID, BookingID: d.BookingID, Provider: d.Provider, ProviderSessionID: d.ProviderSessionID,
		SessionURL: d.SessionURL, Amount: d.Amount, Currency: d.Currency, Status: payment.Status(d.Status), RefundID: d.RefundID,
		RefundAmount: d.RefundAmount, RefundedAmount: d.RefundedAmount, Reason: d.Reason, Settled: d.Settled, CreatedAt: mongodb.ReadTime(d.CreatedAt),
		ExpiresAt: mongodb.ReadTime(d.ExpiresAt), UpdatedAt: mongodb.ReadTime(d.UpdatedAt)}
}

// Create stores a new payment; the unique indexes on _id and bookingId decide clashes.
func (r *PaymentRepository) Create(ctx context.Context, p payment.Payment) error {
	if err := p.Validate(); err != nil {
		return err
	}
	_, err := r.coll.InsertOne(ctx, toPaymentDoc(p, 1))
	if err == nil {
		return nil
	}
	if !mongodb.IsDuplicateKey(err) {
		return fmt.Errorf("insert payment: %w", err)
	}
	if other, gerr := r.GetByBooking(ctx, p.BookingID); gerr == nil && other.ID != p.ID {
		return errs.E(errs.Conflict, "the booking has a payment already").WithReason(payment.ReasonBookingHasPayment)
	}
	return errs.E(errs.Conflict, "payment %s exists", p.ID)
}

func (r *PaymentRepository) get(ctx context.Context, filter bson.D, what string) (paymentDoc, error) {
	var d paymentDoc
	if err := r.coll.FindOne(ctx, filter).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return paymentDoc{}, errs.NotFoundf("%s not found", what)
		}
		return paymentDoc{}, fmt.Errorf("find %s: %w", what, err)
	}
	return d, nil
}

// Get returns a payment.
func (r *PaymentRepository) Get(ctx context.Context, id string) (payment.Payment, error) {
	d, err := r.get(ctx, byID(id), "payment "+id)
	return d.payment(), err
}

// GetByBooking returns a booking's payment.
func (r *PaymentRepository) GetByBooking(ctx context.Context, bookingID string) (payment.Payment, error) {
	d, err := r.get(ctx, bson.D{{Key: "bookingId", Value: bookingID}}, "payment of booking "+bookingID)
	return d.payment(), err
}

// GetByProviderSession returns the payment of a provider's session.
func (r *PaymentRepository) GetByProviderSession(ctx context.Context, provider, sessionID string) (payment.Payment, error) {
	if sessionID == "" {
		return payment.Payment{}, errs.NotFoundf("payment of session not found")
	}
	d, err := r.get(ctx, bson.D{{Key: "provider", Value: provider}, {Key: "providerSessionId", Value: sessionID}},
		"payment of session")
	return d.payment(), err
}

// Update loads a payment, applies fn and replaces the document if no one else wrote it
// meanwhile; after a lost race it starts again from a fresh read.
func (r *PaymentRepository) Update(ctx context.Context, id string, fn func(*payment.Payment) error) (payment.Payment, error) {
	for attempt := range updateAttempts {
		d, err := r.get(ctx, byID(id), "payment "+id)
		if err != nil {
			return payment.Payment{}, err
		}
		p := d.payment()
		if err := fn(&p); err != nil {
			return payment.Payment{}, err
		}
		p.ID, p.BookingID = id, d.BookingID
		if err := p.Validate(); err != nil {
			return payment.Payment{}, err
		}
		next := toPaymentDoc(p, d.Version+1)
		res, err := r.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}, next)
		if err != nil {
			return payment.Payment{}, fmt.Errorf("replace payment %s: %w", id, err)
		}
		if res.MatchedCount == 1 {
			return next.payment(), nil // as stored, so that it equals what Get returns
		}
		if err := pause(ctx, attempt); err != nil {
			return payment.Payment{}, err
		}
	}
	return payment.Payment{}, errs.E(errs.Conflict, "payment %s is being changed concurrently; try again", id)
}

// List returns the payments matching q, oldest first.
func (r *PaymentRepository) List(ctx context.Context, q payment.ListQuery) ([]payment.Payment, error) {
	if len(q.Statuses) == 0 {
		return nil, errs.Invalidf("statuses", "name at least one status")
	}
	statuses := make(bson.A, len(q.Statuses))
	for i, s := range q.Statuses {
		statuses[i] = string(s)
	}
	filter := bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: statuses}}}}
	if !q.CreatedBefore.IsZero() {
		filter = append(filter, bson.E{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: q.CreatedBefore.UTC()}}})
	}
	if !q.ExpiresBefore.IsZero() {
		filter = append(filter, bson.E{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: q.ExpiresBefore.UTC()}}})
	}
	if q.Unsettled {
		filter = append(filter, bson.E{Key: "settled", Value: bson.D{{Key: "$ne", Value: true}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}).
		SetLimit(int64(q.EffectiveLimit()))
	cur, err := r.coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	var docs []paymentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	var out []payment.Payment
	for _, d := range docs {
		out = append(out, d.payment())
	}
	return out, nil
}

// EventRepository is a payment.EventRepository on MongoDB; the unique index on (provider,
// eventId) makes Record atomic.
type EventRepository struct{ coll *mongo.Collection }

var _ payment.EventRepository = (*EventRepository)(nil)

type eventDoc struct {
	ID               string    `bson:"_id"`
	Provider         string    `bson:"provider"`
	EventID          string    `bson:"eventId"`
	Type             string    `bson:"type"`
	PaymentSessionID string    `bson:"paymentSessionId"`
	RefundID         string    `bson:"refundId"`
	Amount           int64     `bson:"amount"`
	ReceivedAt       time.Time `bson:"receivedAt"`
	PayloadHash      string    `bson:"payloadHash"`
	Processed        bool      `bson:"processed"`
	ProcessedAt      time.Time `bson:"processedAt"`
}

// Record stores e unless its (provider, event id) is stored already.
func (r *EventRepository) Record(ctx context.Context, e payment.WebhookEvent) (bool, error) {
	if e.Provider == "" || e.EventID == "" {
		return false, errs.Invalidf("eventId", "an event needs a provider and an id")
	}
	d := eventDoc{ID: ids.New(), Provider: e.Provider, EventID: e.EventID, Type: string(e.Type),
		PaymentSessionID: e.PaymentSessionID, RefundID: e.RefundID, Amount: e.Amount, ReceivedAt: mongodb.StoredTime(e.ReceivedAt),
		PayloadHash: e.PayloadHash, Processed: !e.ProcessedAt.IsZero(), ProcessedAt: mongodb.StoredTime(e.ProcessedAt)}
	if _, err := r.coll.InsertOne(ctx, d); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return false, nil
		}
		return false, fmt.Errorf("record webhook event: %w", err)
	}
	return true, nil
}

func eventKey(provider, eventID string) bson.D {
	return bson.D{{Key: "provider", Value: provider}, {Key: "eventId", Value: eventID}}
}

// Get returns a stored event.
func (r *EventRepository) Get(ctx context.Context, provider, eventID string) (payment.WebhookEvent, error) {
	var d eventDoc
	if err := r.coll.FindOne(ctx, eventKey(provider, eventID)).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return payment.WebhookEvent{}, errs.NotFoundf("webhook event not found")
		}
		return payment.WebhookEvent{}, fmt.Errorf("find webhook event: %w", err)
	}
	e := payment.WebhookEvent{Provider: d.Provider, EventID: d.EventID, Type: payment.EventType(d.Type),
		PaymentSessionID: d.PaymentSessionID, RefundID: d.RefundID, Amount: d.Amount, ReceivedAt: mongodb.ReadTime(d.ReceivedAt),
		PayloadHash: d.PayloadHash}
	if d.Processed {
		e.ProcessedAt = mongodb.ReadTime(d.ProcessedAt)
	}
	return e, nil
}

// MarkProcessed sets the processing time of an event that has none.
func (r *EventRepository) MarkProcessed(ctx context.Context, provider, eventID string, at time.Time) error {
	if at.IsZero() {
		return errs.Invalidf("processedAt", "a processing time is required")
	}
	res, err := r.coll.UpdateOne(ctx, append(eventKey(provider, eventID), bson.E{Key: "processed", Value: false}),
		bson.D{{Key: "$set", Value: bson.D{{Key: "processed", Value: true}, {Key: "processedAt", Value: mongodb.StoredTime(at)}}}})
	if err != nil {
		return fmt.Errorf("mark webhook event processed: %w", err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	_, err = r.Get(ctx, provider, eventID)
	return err
}
