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
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/mongodb"
)

// SandboxStore is a sandbox.Store on MongoDB.
type SandboxStore struct {
	sessions, deliveries *mongo.Collection
	// crashAfterWrite, when set (by tests), makes UpdateSession stop right after writing the
	// session, as if the process died before moving the outbox.
	crashAfterWrite bool
}

var _ sandbox.Store = (*SandboxStore)(nil)

type refundDoc struct {
	ID             string    `bson:"id"`
	IdempotencyKey string    `bson:"idempotencyKey"`
	EventID        string    `bson:"eventId"`
	Amount         int64     `bson:"amount"`
	CreatedAt      time.Time `bson:"createdAt"`
	SucceedsAt     time.Time `bson:"succeedsAt"`
}

// sessionDoc is the stored form of a sandbox session, with its outbox.
type sessionDoc struct {
	ID             string        `bson:"_id"`
	PaymentID      string        `bson:"paymentId"`
	BookingRef     string        `bson:"bookingRef"`
	Description    string        `bson:"description"`
	ReturnURL      string        `bson:"returnUrl"`
	Amount         int64         `bson:"amount"`
	Currency       string        `bson:"currency"`
	Status         string        `bson:"status"`
	EventID        string        `bson:"eventId"`
	CreatedAt      time.Time     `bson:"createdAt"`
	ExpiresAt      time.Time     `bson:"expiresAt"`
	CompletedAt    time.Time     `bson:"completedAt"`
	Refunds        []refundDoc   `bson:"refunds"`
	RefundedAmount int64         `bson:"refundedAmount"`
	Version        int64         `bson:"version"`
	Outbox         []deliveryDoc `bson:"outbox"`
	HasOutbox      bool          `bson:"hasOutbox"`
	WrittenAt      time.Time     `bson:"writtenAt"`
}

func toSessionDoc(s sandbox.Session, version int64) sessionDoc {
	d := sessionDoc{ID: s.ID, PaymentID: s.PaymentID, BookingRef: s.BookingRef, Description: s.Description,
		ReturnURL: s.ReturnURL, Amount: s.Amount, Currency: s.Currency, Status: string(s.Status), EventID: s.EventID,
		CreatedAt: mongodb.StoredTime(s.CreatedAt), ExpiresAt: mongodb.StoredTime(s.ExpiresAt), CompletedAt: mongodb.StoredTime(s.CompletedAt),
		Refunds: []refundDoc{}, RefundedAmount: s.RefundedAmount, Version: version, Outbox: []deliveryDoc{},
		WrittenAt: mongodb.StoredTime(time.Now())}
	for _, r := range s.Refunds {
		d.Refunds = append(d.Refunds, refundDoc{ID: r.ID, IdempotencyKey: r.IdempotencyKey, EventID: r.EventID,
			Amount: r.Amount, CreatedAt: mongodb.StoredTime(r.CreatedAt), SucceedsAt: mongodb.StoredTime(r.SucceedsAt)})
	}
	return d
}

func (d sessionDoc) session() sandbox.Session {
	s := sandbox.Session{ID: d.ID, PaymentID: d.PaymentID, BookingRef: d.BookingRef, Description: d.Description,
		ReturnURL: d.ReturnURL, Amount: d.Amount, Currency: d.Currency, Status: payment.SessionStatus(d.Status),
		EventID: d.EventID, CreatedAt: mongodb.ReadTime(d.CreatedAt), ExpiresAt: mongodb.ReadTime(d.ExpiresAt),
		CompletedAt: mongodb.ReadTime(d.CompletedAt), RefundedAmount: d.RefundedAmount}
	for _, r := range d.Refunds {
		s.Refunds = append(s.Refunds, sandbox.Refund{ID: r.ID, IdempotencyKey: r.IdempotencyKey, EventID: r.EventID,
			Amount: r.Amount, CreatedAt: mongodb.ReadTime(r.CreatedAt), SucceedsAt: mongodb.ReadTime(r.SucceedsAt)})
	}
	return s
}

// deliveryDoc is the stored form of a delivery, in sandbox_deliveries and in session outboxes.
type deliveryDoc struct {
	ID            string    `bson:"_id"`
	EventID       string    `bson:"eventId"`
	Type          string    `bson:"type"`
	SessionID     string    `bson:"sessionId"`
	Payload       []byte    `bson:"payload"`
	Duplicate     bool      `bson:"duplicate"`
	State         string    `bson:"state"`
	Attempts      int       `bson:"attempts"`
	NextAttemptAt time.Time `bson:"nextAttemptAt"`
	LeaseUntil    time.Time `bson:"leaseUntil"`
	LeaseToken    string    `bson:"leaseToken"`
	LastError     string    `bson:"lastError"`
	CreatedAt     time.Time `bson:"createdAt"`
	FinishedAt    time.Time `bson:"finishedAt"`
}

// toQueuedDoc is d as Enqueue stores it: pending, without a lease.
func toQueuedDoc(d sandbox.Delivery) deliveryDoc {
	payload := d.Payload
	if payload == nil {
		payload = []byte{}
	}
	return deliveryDoc{ID: d.ID, EventID: d.EventID, Type: string(d.Type), SessionID: d.SessionID, Payload: payload,
		Duplicate: d.Duplicate, State: string(sandbox.DeliveryPending), Attempts: d.Attempts,
		NextAttemptAt: mongodb.StoredTime(d.NextAttemptAt), LeaseUntil: mongodb.NoTime, LastError: d.LastError,
		CreatedAt: mongodb.StoredTime(d.CreatedAt), FinishedAt: mongodb.NoTime}
}

func (d deliveryDoc) delivery() sandbox.Delivery {
	return sandbox.Delivery{ID: d.ID, EventID: d.EventID, Type: payment.EventType(d.Type), SessionID: d.SessionID,
		Payload: d.Payload, Duplicate: d.Duplicate, State: sandbox.DeliveryState(d.State), Attempts: d.Attempts,
		NextAttemptAt: mongodb.ReadTime(d.NextAttemptAt), LeaseUntil: mongodb.ReadTime(d.LeaseUntil), LeaseToken: d.LeaseToken,
		LastError: d.LastError, CreatedAt: mongodb.ReadTime(d.CreatedAt), FinishedAt: mongodb.ReadTime(d.FinishedAt)}
}

// CreateSession stores a new session.
func (s *SandboxStore) CreateSession(ctx context.Context, sess sandbox.Session) error {
	if sess.ID == "" {
		return errs.Invalidf("id", "a session needs an id")
	}
	if _, err := s.sessions.InsertOne(ctx, toSessionDoc(sess, 1)); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return errs.E(errs.Conflict, "session %s exists", sess.ID)
		}
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

func (s *SandboxStore) getSession(ctx context.Context, id string) (sessionDoc, error) {
	var d sessionDoc
	if err := s.sessions.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return sessionDoc{}, errs.NotFoundf("payment session not found")
		}
		return sessionDoc{}, fmt.Errorf("find session: %w", err)
	}
	return d, nil
}

// GetSession returns a session.
func (s *SandboxStore) GetSession(ctx context.Context, id string) (sandbox.Session, error) {
	d, err := s.getSession(ctx, id)
	if err != nil {
		return sandbox.Session{}, err
	}
	return d.session(), nil
}

// UpdateSession replaces the session if no one else wrote it meanwhile, with fn's deliveries in
// its outbox, then moves the outbox to the queue.
func (s *SandboxStore) UpdateSession(ctx context.Context, id string, fn func(*sandbox.Session) ([]sandbox.Delivery, error)) (sandbox.Session, error) {
	for attempt := range updateAttempts {
		d, err := s.getSession(ctx, id)
		if err != nil {
			return sandbox.Session{}, err
		}
		sess := d.session()
		deliveries, err := fn(&sess)
		if err != nil {
			return sandbox.Session{}, err
		}
		for _, dl := range deliveries {
			if dl.ID == "" || dl.EventID == "" {
				return sandbox.Session{}, errs.Invalidf("id", "a delivery needs an id and an event id")
			}
		}
		sess.ID = id
		next := toSessionDoc(sess, d.Version+1)
		// Deliveries a crashed writer left in the outbox travel on with it.
		next.Outbox = append(next.Outbox, d.Outbox...)
		for _, dl := range deliveries {
			next.Outbox = append(next.Outbox, toQueuedDoc(dl))
		}
		next.HasOutbox = len(next.Outbox) > 0
		res, err := s.sessions.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}, next)
		if err != nil {
			return sandbox.Session{}, fmt.Errorf("replace session: %w", err)
		}
		if res.MatchedCount == 1 {
			if next.HasOutbox && !s.crashAfterWrite {
				// The session and its outbox are stored: the update has happened. Should moving
				// the outbox fail now, RecoverOutbox moves it later.
				_ = s.moveOutbox(ctx, next)
			}
			return next.session(), nil
		}
		if err := pause(ctx, attempt); err != nil {
			return sandbox.Session{}, err
		}
	}
	return sandbox.Session{}, errs.E(errs.Conflict, "payment session %s is being changed concurrently; try again", id)
}

// moveOutbox queues a session's outbox (a delivery queued already is left alone) and then
// empties it, unless the session was written again meanwhile: that write carried the outbox
// along and moves it itself.
func (s *SandboxStore) moveOutbox(ctx context.Context, d sessionDoc) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for _, dl := range d.Outbox {
		if _, err := s.deliveries.InsertOne(ctx, dl); err != nil && !mongodb.IsDuplicateKey(err) {
			return fmt.Errorf("queue delivery %s: %w", dl.ID, err)
		}
	}
	_, err := s.sessions.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "version", Value: d.Version}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "outbox", Value: bson.A{}}, {Key: "hasOutbox", Value: false}}}})
	if err != nil {
		return fmt.Errorf("empty the outbox of session %s: %w", d.ID, err)
	}
	return nil
}

// RecoverOutbox moves the outboxes of sessions written more than olderThan ago.
func (s *SandboxStore) RecoverOutbox(ctx context.Context, olderThan time.Duration, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	before := time.Now().Add(-olderThan)
	cur, err := s.sessions.Find(ctx, bson.D{{Key: "hasOutbox", Value: true}, {Key: "writtenAt", Value: bson.D{{Key: "$lte", Value: before.UTC()}}}},
		options.Find().SetLimit(int64(limit)))
	if err != nil {
		return 0, fmt.Errorf("find session outboxes: %w", err)
	}
	var docs []sessionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, fmt.Errorf("find session outboxes: %w", err)
	}
	n := 0
	for _, d := range docs {
		if err := s.moveOutbox(ctx, d); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Enqueue queues a delivery unless its id is queued already.
func (s *SandboxStore) Enqueue(ctx context.Context, d sandbox.Delivery) error {
	if d.ID == "" || d.EventID == "" {
		return errs.Invalidf("id", "a delivery needs an id and an event id")
	}
	if _, err := s.deliveries.InsertOne(ctx, toQueuedDoc(d)); err != nil && !mongodb.IsDuplicateKey(err) {
		return fmt.Errorf("queue delivery: %w", err)
	}
	return nil
}

// GetDelivery returns a delivery.
func (s *SandboxStore) GetDelivery(ctx context.Context, id string) (sandbox.Delivery, error) {
	var d deliveryDoc
	if err := s.deliveries.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return sandbox.Delivery{}, errs.NotFoundf("delivery %s not found", id)
		}
		return sandbox.Delivery{}, fmt.Errorf("find delivery: %w", err)
	}
	return d.delivery(), nil
}

// SessionDeliveries returns the deliveries of a session's events.
func (s *SandboxStore) SessionDeliveries(ctx context.Context, sessionID string) ([]sandbox.Delivery, error) {
	cur, err := s.deliveries.Find(ctx, bson.D{{Key: "sessionId", Value: sessionID}},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("find deliveries: %w", err)
	}
	var docs []deliveryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("find deliveries: %w", err)
	}
	var out []sandbox.Delivery
	for _, d := range docs {
		out = append(out, d.delivery())
	}
	return out, nil
}

// dueFilter selects the deliveries ClaimDue may take at now.
func dueFilter(now time.Time) bson.D {
	return bson.D{
		{Key: "state", Value: string(sandbox.DeliveryPending)},
		{Key: "nextAttemptAt", Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: "leaseUntil", Value: bson.D{{Key: "$lte", Value: now}}},
	}
}

// ClaimDue finds due deliveries and takes each with one conditional findAndModify, which on a
// real MongoDB only one claimer can win.
func (s *SandboxStore) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]sandbox.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	now = mongodb.StoredTime(now)
	cur, err := s.deliveries.Find(ctx, dueFilter(now), options.Find().
		SetSort(bson.D{{Key: "nextAttemptAt", Value: 1}, {Key: "_id", Value: 1}}).
		SetProjection(bson.D{{Key: "_id", Value: 1}}).
		SetLimit(int64(2*limit))) // some may go to other claimers
	if err != nil {
		return nil, fmt.Errorf("find due deliveries: %w", err)
	}
	var candidates []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &candidates); err != nil {
		return nil, fmt.Errorf("find due deliveries: %w", err)
	}
	until := mongodb.StoredTime(now.Add(lease))
	var out []sandbox.Delivery
	for _, c := range candidates {
		if len(out) == limit {
			break
		}
		var d deliveryDoc
		err := s.deliveries.FindOneAndUpdate(ctx, append(byID(c.ID), dueFilter(now)...),
			bson.D{
				{Key: "$set", Value: bson.D{{Key: "leaseUntil", Value: until}, {Key: "leaseToken", Value: ids.New()}}},
				{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
			},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // another claimer won it
		}
		if err != nil {
			return out, fmt.Errorf("claim delivery %s: %w", c.ID, err)
		}
		out = append(out, d.delivery())
	}
	return out, nil
}

// Retry schedules another attempt, for the lease holder only.
func (s *SandboxStore) Retry(ctx context.Context, id, leaseToken string, next time.Time, lastErr string) error {
	if leaseToken == "" {
		return s.settled(ctx, 0, nil, id)
	}
	res, err := s.deliveries.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: string(sandbox.DeliveryPending)}, {Key: "leaseToken", Value: leaseToken}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "nextAttemptAt", Value: mongodb.StoredTime(next)}, {Key: "lastError", Value: lastErr},
			{Key: "leaseUntil", Value: mongodb.NoTime}, {Key: "leaseToken", Value: ""}}}})
	return s.settled(ctx, matched(res), err, id)
}

// Finish ends a pending delivery.
func (s *SandboxStore) Finish(ctx context.Context, id, leaseToken string, state sandbox.DeliveryState, at time.Time, lastErr string) error {
	filter := bson.D{{Key: "_id", Value: id}, {Key: "state", Value: string(sandbox.DeliveryPending)}}
	switch state {
	case sandbox.DeliveryDelivered:
		lastErr = ""
	case sandbox.DeliveryFailed:
		if leaseToken == "" {
			return s.settled(ctx, 0, nil, id)
		}
		filter = append(filter, bson.E{Key: "leaseToken", Value: leaseToken})
	default:
		return errs.Invalidf("state", "a delivery finishes delivered or failed, not %q", state)
	}
	res, err := s.deliveries.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: string(state)},
		{Key: "finishedAt", Value: mongodb.StoredTime(at)}, {Key: "lastError", Value: lastErr}, {Key: "leaseUntil", Value: mongodb.NoTime},
		{Key: "leaseToken", Value: ""}}}})
	return s.settled(ctx, matched(res), err, id)
}

func matched(res *mongo.UpdateResult) int64 {
	if res == nil {
		return 0
	}
	return res.MatchedCount
}

// settled turns the result of a conditional update into the method's error: nil when it matched
// or when the delivery exists (the condition did not hold: nothing to do), NotFound otherwise.
func (s *SandboxStore) settled(ctx context.Context, n int64, err error, id string) error {
	if err != nil {
		return fmt.Errorf("update delivery %s: %w", id, err)
	}
	if n > 0 {
		return nil
	}
	_, err = s.GetDelivery(ctx, id)
	return err
}
