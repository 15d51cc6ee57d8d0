package paymentmongo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/payment/paymentmongo"
	"github.com/marquee-cinema/marquee/internal/payment/paymenttest"
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

func TestConformance(t *testing.T) {
	if mongotest.IsRealMongo() {
		t.Log("running against the MongoDB at " + mongotest.EnvURI + ", with the concurrency subtests")
	} else {
		t.Log("running against the embedded FerretDB (set " + mongotest.EnvURI + " to use a real MongoDB); " +
			"the concurrency subtests of conditional updates are skipped: FerretDB is not atomic under concurrent " +
			"findAndModify and replace (concurrent webhook event records, which rest on a unique index, still run)")
	}
	paymenttest.Run(t, func(t *testing.T) paymenttest.Stores {
		s := newStore(t, dbFor(t))
		return paymenttest.Stores{Payments: s.Payments, Events: s.Events, Sandbox: s.Sandbox}
	}, mongotest.IsRealMongo())
}

func dbFor(t *testing.T) *mongo.Database {
	t.Helper()
	db, _ := mongotest.Database(t)
	return db
}

func newStore(t *testing.T, db *mongo.Database) *paymentmongo.Store {
	t.Helper()
	s, err := paymentmongo.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRestart checks that starting twice on one database (a restart) keeps data and indexes.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	first := newStore(t, db)
	p := paymenttest.SamplePayment()
	if err := first.Payments.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	second := newStore(t, db)
	if _, err := second.Payments.Get(ctx, p.ID); err != nil {
		t.Fatalf("payment after restart: %v", err)
	}
	again := paymenttest.SamplePayment()
	again.BookingID = p.BookingID
	if err := second.Payments.Create(ctx, again); !errs.Is(err, errs.Conflict) {
		t.Fatalf("second payment of a booking after restart: %v, want conflict (the unique index must hold)", err)
	}
	want := map[string][]string{
		paymentmongo.PaymentsCollection:   {"bookingId_unique", "provider_providerSessionId", "status_createdAt", "status_expiresAt"},
		paymentmongo.EventsCollection:     {"provider_eventId_unique"},
		paymentmongo.SessionsCollection:   {"hasOutbox_writtenAt"},
		paymentmongo.DeliveriesCollection: {"state_nextAttemptAt", "sessionId_createdAt"},
	}
	for coll, names := range want {
		cur, err := db.Collection(coll).Indexes().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var specs []bson.M
		if err := cur.All(ctx, &specs); err != nil {
			t.Fatal(err)
		}
		var have []string
		for _, s := range specs {
			name, _ := s["name"].(string)
			have = append(have, name)
		}
		for _, n := range names {
			if !slices.Contains(have, n) {
				t.Errorf("%s: index %s missing; have %v", coll, n, have)
			}
		}
	}
}

// TestUpdateRetriesAfterALostRace checks the optimistic version check without real concurrency
// (FerretDB is not atomic under concurrent writers): fn itself writes the payment between
// Update's read and its replace, so the replace must miss and Update start over, keeping both
// changes.
func TestUpdateRetriesAfterALostRace(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, dbFor(t))
	p := paymenttest.SamplePayment()
	if err := s.Payments.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	calls := 0
	got, err := s.Payments.Update(ctx, p.ID, func(x *payment.Payment) error {
		calls++
		if calls == 1 {
			if _, err := s.Payments.Update(ctx, p.ID, func(y *payment.Payment) error { y.SessionURL = "http://changed.test/"; return nil }); err != nil {
				t.Fatal(err)
			}
		}
		_, err := x.Apply(payment.TriggerSucceeded, paymenttest.CreatedAt.Add(time.Minute), "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("fn ran %d times, want 2 (one lost race, one retry)", calls)
	}
	if got.Status != payment.StatusSucceeded || got.SessionURL != "http://changed.test/" {
		t.Fatalf("stored %s / %q: a write was lost", got.Status, got.SessionURL)
	}
}

// TestSessionUpdateRetriesAfterALostRace is the same for sandbox sessions, whose deliveries
// must be queued once, from the winning attempt only.
func TestSessionUpdateRetriesAfterALostRace(t *testing.T) {
	ctx := context.Background()
	st := newStore(t, dbFor(t)).Sandbox
	sess := paymenttest.NewSession()
	if err := st.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	calls := 0
	var last sandbox.Delivery
	_, err := st.UpdateSession(ctx, sess.ID, func(x *sandbox.Session) ([]sandbox.Delivery, error) {
		calls++
		if calls == 1 {
			if _, err := st.UpdateSession(ctx, sess.ID, func(y *sandbox.Session) ([]sandbox.Delivery, error) {
				y.Description = "changed"
				return nil, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		x.Status = payment.SessionPaid
		last = paymenttest.SampleDelivery(sess.ID, paymenttest.CreatedAt)
		return []sandbox.Delivery{last}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("fn ran %d times, want 2", calls)
	}
	got, err := st.GetSession(ctx, sess.ID)
	if err != nil || got.Status != payment.SessionPaid || got.Description != "changed" {
		t.Fatalf("stored %+v, %v: a write was lost", got, err)
	}
	list, err := st.SessionDeliveries(ctx, sess.ID)
	if err != nil || len(list) != 1 || list[0].ID != last.ID {
		t.Fatalf("deliveries %+v, %v; want only the winning attempt's", list, err)
	}
}

// TestOutboxRecoveredAfterACrash checks the compensation for a process that died between
// writing a session and queueing its deliveries: the delivery waits in the session's outbox, a
// later update carries it along, and RecoverOutbox queues it exactly once.
func TestOutboxRecoveredAfterACrash(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	st := newStore(t, db).Sandbox
	sess := paymenttest.NewSession()
	if err := st.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	d := paymenttest.SampleDelivery(sess.ID, paymenttest.CreatedAt)
	paymentmongo.SetCrashAfterWrite(st, true)
	if _, err := st.UpdateSession(ctx, sess.ID, func(x *sandbox.Session) ([]sandbox.Delivery, error) {
		x.Status = payment.SessionPaid
		return []sandbox.Delivery{d}, nil
	}); err != nil {
		t.Fatal(err)
	}
	paymentmongo.SetCrashAfterWrite(st, false)
	if _, err := st.GetDelivery(ctx, d.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("queued despite the crash: %v", err)
	}
	if n, err := st.RecoverOutbox(ctx, time.Hour, 10); err != nil || n != 0 {
		t.Fatalf("RecoverOutbox of recent writes: %d, %v; want 0", n, err)
	}

	// A restarted process recovers it.
	restarted := newStore(t, db).Sandbox
	if n, err := restarted.RecoverOutbox(ctx, 0, 10); err != nil || n != 1 {
		t.Fatalf("RecoverOutbox: %d, %v; want 1", n, err)
	}
	got, err := restarted.GetDelivery(ctx, d.ID)
	if err != nil {
		t.Fatalf("not recovered: %v", err)
	}
	if got.State != sandbox.DeliveryPending || string(got.Payload) != string(d.Payload) {
		t.Errorf("recovered delivery: %+v", got)
	}
	if n, err := restarted.RecoverOutbox(ctx, 0, 10); err != nil || n != 0 {
		t.Errorf("second RecoverOutbox: %d, %v; want nothing left", n, err)
	}

	// A crash again, then an ordinary update: it carries the outbox along and queues it.
	d2 := paymenttest.SampleDelivery(sess.ID, paymenttest.CreatedAt)
	paymentmongo.SetCrashAfterWrite(st, true)
	if _, err := st.UpdateSession(ctx, sess.ID, func(*sandbox.Session) ([]sandbox.Delivery, error) {
		return []sandbox.Delivery{d2}, nil
	}); err != nil {
		t.Fatal(err)
	}
	paymentmongo.SetCrashAfterWrite(st, false)
	if _, err := st.UpdateSession(ctx, sess.ID, func(*sandbox.Session) ([]sandbox.Delivery, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetDelivery(ctx, d2.ID); err != nil {
		t.Errorf("the next update did not queue the carried outbox: %v", err)
	}
	list, err := st.SessionDeliveries(ctx, sess.ID)
	if err != nil || len(list) != 2 {
		t.Errorf("%d deliveries (%v), want 2", len(list), err)
	}
}

// TestTimesAreStoredAsDates checks that compared times are BSON dates, so that range queries
// compare instants.
func TestTimesAreStoredAsDates(t *testing.T) {
	ctx := context.Background()
	db := dbFor(t)
	s := newStore(t, db)
	p := paymenttest.SamplePayment()
	if err := s.Payments.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	d := paymenttest.SampleDelivery("cs_1", paymenttest.CreatedAt)
	if err := s.Sandbox.Enqueue(ctx, d); err != nil {
		t.Fatal(err)
	}
	check := func(coll, id string, fields ...string) {
		var raw bson.Raw
		if err := db.Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		for _, f := range fields {
			if typ := raw.Lookup(f).Type; typ != bson.TypeDateTime {
				t.Errorf("%s.%s is stored as %v, want a date", coll, f, typ)
			}
		}
	}
	check(paymentmongo.PaymentsCollection, p.ID, "createdAt", "expiresAt", "updatedAt")
	check(paymentmongo.DeliveriesCollection, d.ID, "nextAttemptAt", "leaseUntil", "createdAt")
}
