// Package paymenttest is the conformance suite every adapter of payment.Repository,
// payment.EventRepository and sandbox.Store must pass, with builders of sample payments, sessions
// and deliveries for adapter-specific tests.
package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Stores are the repositories of one adapter, on one empty database.
type Stores struct {
	Payments payment.Repository
	Events   payment.EventRepository
	Sandbox  sandbox.Store
}

// CreatedAt is when the samples were created: millisecond precision, which every adapter keeps.
var CreatedAt = time.Date(2026, 12, 1, 9, 15, 30, 123_000_000, time.UTC)

// SamplePayment returns a CREATED payment with fresh ids and every field set.
func SamplePayment() payment.Payment {
	return payment.Payment{ID: ids.New(), BookingID: ids.New(), Provider: sandbox.Name,
		ProviderSessionID: newSessionID(), SessionURL: "http://127.0.0.1:8080/sandbox/pay/cs_x",
		Amount: 100620, Currency: "INR", Status: payment.StatusCreated, RefundID: "re_1", RefundAmount: 500,
		RefundedAmount: 400, Reason: "sample", Settled: true, CreatedAt: CreatedAt, ExpiresAt: CreatedAt.Add(10 * time.Minute),
		UpdatedAt: CreatedAt.Add(time.Second)}
}

// SampleSession returns an open sandbox session with a fresh id and every field set, refunds
// included.
func SampleSession() sandbox.Session {
	return sandbox.Session{ID: newSessionID(), PaymentID: ids.New(), BookingRef: "MQ-7K2P9X",
		Description: "2 × Recliner", ReturnURL: "/bookings/1", Amount: 100620, Currency: "INR",
		Status: payment.SessionOpen, EventID: "evt_sample", CreatedAt: CreatedAt, ExpiresAt: CreatedAt.Add(10 * time.Minute),
		CompletedAt: CreatedAt.Add(time.Minute), RefundedAmount: 300,
		Refunds: []sandbox.Refund{{ID: "re_a", IdempotencyKey: "k1", EventID: "evt_r1", Amount: 100, CreatedAt: CreatedAt.Add(2 * time.Minute),
			SucceedsAt: CreatedAt.Add(3 * time.Minute)}, {ID: "re_b", IdempotencyKey: "k2", EventID: "evt_r2", Amount: 200,
			CreatedAt: CreatedAt.Add(4 * time.Minute), SucceedsAt: CreatedAt.Add(5 * time.Minute)}}}
}

// NewSession returns an open session with a fresh id and no refunds.
func NewSession() sandbox.Session {
	s := SampleSession()
	s.EventID, s.CompletedAt, s.Refunds, s.RefundedAmount = "", time.Time{}, nil, 0
	return s
}

// SampleDelivery returns a pending delivery of a new event of sessionID, due at due.
func SampleDelivery(sessionID string, due time.Time) sandbox.Delivery {
	id := "evt_" + ids.New()
	return sandbox.Delivery{ID: id, EventID: id, Type: payment.EventPaymentSucceeded, SessionID: sessionID,
		Payload: []byte(`{"id":"` + id + `"}`), State: sandbox.DeliveryPending, NextAttemptAt: due, CreatedAt: CreatedAt}
}

// newSessionID returns a fresh id shaped like the sandbox's.
func newSessionID() string { return "cs_" + strings.ReplaceAll(ids.New(), "-", "") }

func diff(what string, got, want any) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	return fmt.Sprintf("%s:\n got %+v\nwant %+v", what, got, want)
}

func mustCreatePayment(t *testing.T, r payment.Repository, ps ...payment.Payment) {
	t.Helper()
	for _, p := range ps {
		if err := r.Create(context.Background(), p); err != nil {
			t.Fatalf("create payment: %v", err)
		}
	}
}

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

// Run runs the suite. newStores returns empty stores for each subtest. concurrencySafe says
// whether the adapter's storage is atomic under concurrent conditional writers; when false the
// subtests that race writers on one record are skipped (the embedded FerretDB is not atomic
// under concurrent findAndModify and replace; a real MongoDB and SQLite are). Recording one
// webhook event concurrently rests on a unique index only, so that subtest always runs.
func Run(t *testing.T, newStores func(t *testing.T) Stores, concurrencySafe bool) {
	t.Run("payments", func(t *testing.T) { runPayments(t, newStores, concurrencySafe) })
	t.Run("events", func(t *testing.T) { runEvents(t, newStores) })
	t.Run("sandbox sessions", func(t *testing.T) { runSessions(t, newStores, concurrencySafe) })
	t.Run("sandbox deliveries", func(t *testing.T) { runDeliveries(t, newStores, concurrencySafe) })
}

func skipUnlessSafe(t *testing.T, concurrencySafe bool) {
	t.Helper()
	if !concurrencySafe {
		t.Skip("this adapter's test server is not atomic under concurrent conditional writes (e.g. the embedded FerretDB); run against a real database to cover this")
	}
}

func runPayments(t *testing.T, newStores func(t *testing.T) Stores, concurrencySafe bool) {
	ctx := context.Background()
	repo := func(t *testing.T) payment.Repository { return newStores(t).Payments }

	t.Run("create and get return every field", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		p := SamplePayment()
		mustCreatePayment(t, r, p)
		got, err := r.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff("Get", got, p); d != "" {
			t.Error(d)
		}
		if got, err = r.GetByBooking(ctx, p.BookingID); err != nil || got.ID != p.ID {
			t.Errorf("GetByBooking: %+v, %v", got, err)
		}
		if got, err = r.GetByProviderSession(ctx, p.Provider, p.ProviderSessionID); err != nil || got.ID != p.ID {
			t.Errorf("GetByProviderSession: %+v, %v", got, err)
		}
		bare := SamplePayment()
		bare.ProviderSessionID, bare.SessionURL, bare.RefundID, bare.RefundAmount, bare.RefundedAmount, bare.Reason =
			"", "", "", 0, 0, ""
		bare.UpdatedAt, bare.Settled = time.Time{}, false
		mustCreatePayment(t, r, bare)
		if got, err := r.Get(ctx, bare.ID); err != nil || diff("bare", got, bare) != "" {
			t.Errorf("a payment with empty optional fields: %v; %s", err, diff("bare", got, bare))
		}
	})

	t.Run("missing payments are not found", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		p := SamplePayment()
		bare := SamplePayment()
		bare.ProviderSessionID = ""
		mustCreatePayment(t, r, p, bare)
		_, err := r.Get(ctx, ids.New())
		wantCode(t, "Get", err, errs.NotFound)
		_, err = r.GetByBooking(ctx, ids.New())
		wantCode(t, "GetByBooking", err, errs.NotFound)
		_, err = r.GetByProviderSession(ctx, p.Provider, "cs_unknown")
		wantCode(t, "GetByProviderSession of an unknown session", err, errs.NotFound)
		_, err = r.GetByProviderSession(ctx, "stripe", p.ProviderSessionID)
		wantCode(t, "GetByProviderSession of another provider", err, errs.NotFound)
		_, err = r.GetByProviderSession(ctx, p.Provider, "")
		wantCode(t, "GetByProviderSession of no session", err, errs.NotFound)
	})

	t.Run("create refuses a taken id, a second payment of a booking and invalid payments", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		p := SamplePayment()
		mustCreatePayment(t, r, p)
		sameID := SamplePayment()
		sameID.ID = p.ID
		wantCode(t, "same id", r.Create(ctx, sameID), errs.Conflict)
		sameBooking := SamplePayment()
		sameBooking.BookingID = p.BookingID
		err := r.Create(ctx, sameBooking)
		if e := errs.As(err); e.Code != errs.Conflict || e.Reason != payment.ReasonBookingHasPayment {
			t.Errorf("second payment of a booking: got %v, want conflict %s", err, payment.ReasonBookingHasPayment)
		}
		if _, err := r.Get(ctx, sameBooking.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("the refused payment was stored: %v", err)
		}
		bad := SamplePayment()
		bad.Amount = 0
		wantCode(t, "zero amount", r.Create(ctx, bad), errs.Invalid)
		if got, err := r.Get(ctx, p.ID); err != nil || diff("", got, p) != "" {
			t.Errorf("the first payment changed: %v; %s", err, diff("first", got, p))
		}
	})

	t.Run("update applies fn and stores the result", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		p := SamplePayment()
		mustCreatePayment(t, r, p)
		at := CreatedAt.Add(time.Minute)
		got, err := r.Update(ctx, p.ID, func(x *payment.Payment) error {
			x.ProviderSessionID, x.SessionURL = "cs_new", "http://example.test/pay/cs_new"
			x.ID, x.BookingID = "ignored", "ignored" // fixed by the repository
			_, err := x.Apply(payment.TriggerSucceeded, at, "paid")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		want := p
		want.ProviderSessionID, want.SessionURL, want.Status, want.UpdatedAt, want.Reason =
			"cs_new", "http://example.test/pay/cs_new", payment.StatusSucceeded, at, "paid"
		if d := diff("Update's result", got, want); d != "" {
			t.Error(d)
		}
		if stored, err := r.Get(ctx, p.ID); err != nil || diff("", stored, want) != "" {
			t.Errorf("stored: %v; %s", err, diff("stored", stored, want))
		}
		if got, err := r.GetByProviderSession(ctx, p.Provider, "cs_new"); err != nil || got.ID != p.ID {
			t.Errorf("by the new session: %+v, %v", got, err)
		}
		_, err = r.GetByProviderSession(ctx, p.Provider, p.ProviderSessionID)
		wantCode(t, "by the old session", err, errs.NotFound)
		if got, err := r.GetByBooking(ctx, p.BookingID); err != nil || got.ID != p.ID {
			t.Errorf("by booking after update: %+v, %v", got, err)
		}
	})

	t.Run("update stores nothing when fn fails or the result is invalid", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		p := SamplePayment()
		mustCreatePayment(t, r, p)
		boom := errors.New("boom")
		if _, err := r.Update(ctx, p.ID, func(x *payment.Payment) error { x.Reason = "lost"; return boom }); !errors.Is(err, boom) {
			t.Errorf("fn's error: got %v, want it unchanged", err)
		}
		_, err := r.Update(ctx, p.ID, func(x *payment.Payment) error { x.Amount = -1; return nil })
		wantCode(t, "invalid result", err, errs.Invalid)
		if got, err := r.Get(ctx, p.ID); err != nil || diff("", got, p) != "" {
			t.Errorf("changed: %v; %s", err, diff("stored", got, p))
		}
		_, err = r.Update(ctx, ids.New(), func(*payment.Payment) error { return nil })
		wantCode(t, "unknown payment", err, errs.NotFound)
	})

	t.Run("list filters by status and times, oldest first, up to the limit", func(t *testing.T) {
		t.Parallel()
		r := repo(t)
		at := func(min int) time.Time { return CreatedAt.Add(time.Duration(min) * time.Minute) }
		mk := func(created, expires int, status payment.Status) payment.Payment {
			p := SamplePayment()
			p.CreatedAt, p.UpdatedAt, p.ExpiresAt, p.Status = at(created), at(created), at(expires), status
			return p
		}
		a := mk(0, 10, payment.StatusCreated)
		b := mk(1, 5, payment.StatusCreated)
		c := mk(2, 20, payment.StatusSucceeded)
		d := mk(3, 8, payment.StatusCreated)
		e := mk(4, 30, payment.StatusRefundPending)
		c.Settled = false                      // the only unsettled one
		mustCreatePayment(t, r, e, d, c, b, a) // stored out of order
		idsOf := func(ps []payment.Payment) []string {
			var out []string
			for _, p := range ps {
				out = append(out, p.ID)
			}
			return out
		}
		cases := []struct {
			name string
			q    payment.ListQuery
			want []payment.Payment
		}{
			{"one status", payment.ListQuery{Statuses: []payment.Status{payment.StatusCreated}}, []payment.Payment{a, b, d}},
			{"two statuses", payment.ListQuery{Statuses: []payment.Status{payment.StatusSucceeded, payment.StatusRefundPending}}, []payment.Payment{c, e}},
			{"expiring before", payment.ListQuery{Statuses: []payment.Status{payment.StatusCreated}, ExpiresBefore: at(10)}, []payment.Payment{b, d}},
			{"created before (strictly)", payment.ListQuery{Statuses: []payment.Status{payment.StatusCreated}, CreatedBefore: at(3)}, []payment.Payment{a, b}},
			{"both", payment.ListQuery{Statuses: []payment.Status{payment.StatusCreated}, CreatedBefore: at(3), ExpiresBefore: at(10)}, []payment.Payment{b}},
			{"limit", payment.ListQuery{Statuses: []payment.Status{payment.StatusCreated, payment.StatusSucceeded}, Limit: 2}, []payment.Payment{a, b}},
			{"no match", payment.ListQuery{Statuses: []payment.Status{payment.StatusRefunded}}, nil},
			{"unsettled", payment.ListQuery{Statuses: []payment.Status{payment.StatusCreated, payment.StatusSucceeded}, Unsettled: true}, []payment.Payment{c}},
		}
		for _, tc := range cases {
			got, err := r.List(ctx, tc.q)
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if d := diff(tc.name, idsOf(got), idsOf(tc.want)); d != "" {
				t.Error(d)
			}
		}
		if got, err := r.List(ctx, payment.ListQuery{Statuses: []payment.Status{payment.StatusSucceeded}}); err != nil || len(got) != 1 || diff("", got[0], c) != "" {
			t.Errorf("listed payments must be complete: %v; %+v", err, got)
		}
		_, err := r.List(ctx, payment.ListQuery{})
		wantCode(t, "no status", err, errs.Invalid)
	})

	t.Run("concurrent updates lose nothing and a transition happens once", func(t *testing.T) {
		skipUnlessSafe(t, concurrencySafe)
		t.Parallel()
		r := repo(t)
		p := SamplePayment()
		p.RefundedAmount, p.RefundAmount = 0, 0
		mustCreatePayment(t, r, p)
		const n = 16
		var changes atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for {
					var changed bool
					_, err := r.Update(ctx, p.ID, func(x *payment.Payment) error {
						x.RefundedAmount++ // a counter: a lost update shows
						var err error
						changed, err = x.Apply(payment.TriggerSucceeded, CreatedAt.Add(time.Minute), "")
						return err
					})
					if errs.Is(err, errs.Conflict) {
						continue // lost too many races; try again
					}
					if err != nil {
						t.Error(err)
						return
					}
					if changed {
						changes.Add(1)
					}
					return
				}
			}()
		}
		close(start)
		wg.Wait()
		got, err := r.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RefundedAmount != n {
			t.Errorf("counter %d after %d updates: updates were lost", got.RefundedAmount, n)
		}
		if c := changes.Load(); c != 1 || got.Status != payment.StatusSucceeded {
			t.Errorf("%d updates saw the transition (status %s), want exactly 1", c, got.Status)
		}
	})
}

func runEvents(t *testing.T, newStores func(t *testing.T) Stores) {
	ctx := context.Background()
	sample := func() payment.WebhookEvent {
		return payment.WebhookEvent{Provider: sandbox.Name, EventID: "evt_" + ids.New(), Type: payment.EventPaymentSucceeded,
			PaymentSessionID: "cs_1", RefundID: "re_1", Amount: 100620, ReceivedAt: CreatedAt, PayloadHash: payment.PayloadHash([]byte("a"))}
	}

	t.Run("the first record wins and a repeat changes nothing", func(t *testing.T) {
		t.Parallel()
		r := newStores(t).Events
		e := sample()
		first, err := r.Record(ctx, e)
		if err != nil || !first {
			t.Fatalf("first record: %v, %v", first, err)
		}
		got, err := r.Get(ctx, e.Provider, e.EventID)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff("Get", got, e); d != "" {
			t.Error(d)
		}
		again := e
		again.PayloadHash, again.Amount, again.ReceivedAt, again.Type = payment.PayloadHash([]byte("b")), 1, CreatedAt.Add(time.Hour), payment.EventPaymentFailed
		if first, err := r.Record(ctx, again); err != nil || first {
			t.Errorf("repeat: first=%v, %v; want false", first, err)
		}
		if got, err := r.Get(ctx, e.Provider, e.EventID); err != nil || diff("", got, e) != "" {
			t.Errorf("a repeat changed the record: %v; %s", err, diff("stored", got, e))
		}
		other := e
		other.Provider = "stripe"
		if first, err := r.Record(ctx, other); err != nil || !first {
			t.Errorf("the same event id from another provider: first=%v, %v; want true", first, err)
		}
		_, err = r.Record(ctx, payment.WebhookEvent{Provider: sandbox.Name})
		wantCode(t, "no event id", err, errs.Invalid)
		_, err = r.Get(ctx, sandbox.Name, "evt_unknown")
		wantCode(t, "unknown event", err, errs.NotFound)
	})

	t.Run("an event is marked processed once", func(t *testing.T) {
		t.Parallel()
		r := newStores(t).Events
		e := sample()
		if _, err := r.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
		at := CreatedAt.Add(time.Second)
		if err := r.MarkProcessed(ctx, e.Provider, e.EventID, at); err != nil {
			t.Fatal(err)
		}
		if err := r.MarkProcessed(ctx, e.Provider, e.EventID, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := r.Get(ctx, e.Provider, e.EventID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.ProcessedAt.Equal(at) {
			t.Errorf("processed at %v, want the first time %v", got.ProcessedAt, at)
		}
		wantCode(t, "unknown event", r.MarkProcessed(ctx, e.Provider, "evt_unknown", at), errs.NotFound)
		wantCode(t, "zero time", r.MarkProcessed(ctx, e.Provider, e.EventID, time.Time{}), errs.Invalid)
	})

	t.Run("of concurrent records of one event exactly one is first", func(t *testing.T) {
		t.Parallel()
		r := newStores(t).Events
		e := sample()
		const n = 20
		var firsts atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				x := e
				x.PayloadHash = payment.PayloadHash([]byte{byte(i)})
				first, err := r.Record(ctx, x)
				if err != nil {
					t.Error(err)
				}
				if first {
					firsts.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		if f := firsts.Load(); f != 1 {
			t.Errorf("%d of %d concurrent records were first, want exactly 1", f, n)
		}
	})
}

func runSessions(t *testing.T, newStores func(t *testing.T) Stores, concurrencySafe bool) {
	ctx := context.Background()

	t.Run("create and get return every field", func(t *testing.T) {
		t.Parallel()
		st := newStores(t).Sandbox
		s := SampleSession()
		if err := st.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetSession(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff("GetSession", got, s); d != "" {
			t.Error(d)
		}
		fresh := NewSession()
		if err := st.CreateSession(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		if got, err := st.GetSession(ctx, fresh.ID); err != nil || diff("", got, fresh) != "" {
			t.Errorf("a fresh session: %v; %s", err, diff("fresh", got, fresh))
		}
		dup := NewSession()
		dup.ID = s.ID
		wantCode(t, "same id", st.CreateSession(ctx, dup), errs.Conflict)
		_, err = st.GetSession(ctx, "cs_unknown")
		wantCode(t, "unknown session", err, errs.NotFound)
	})

	t.Run("update stores the session and queues its deliveries", func(t *testing.T) {
		t.Parallel()
		st := newStores(t).Sandbox
		s := NewSession()
		if err := st.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		d := SampleDelivery(s.ID, CreatedAt.Add(time.Minute))
		got, err := st.UpdateSession(ctx, s.ID, func(x *sandbox.Session) ([]sandbox.Delivery, error) {
			x.Status, x.EventID, x.CompletedAt = payment.SessionPaid, d.EventID, CreatedAt.Add(time.Minute)
			x.ID = "ignored"
			return []sandbox.Delivery{d}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := s
		want.Status, want.EventID, want.CompletedAt = payment.SessionPaid, d.EventID, CreatedAt.Add(time.Minute)
		if df := diff("UpdateSession's result", got, want); df != "" {
			t.Error(df)
		}
		if stored, err := st.GetSession(ctx, s.ID); err != nil || diff("", stored, want) != "" {
			t.Errorf("stored: %v; %s", err, diff("stored", stored, want))
		}
		queued, err := st.GetDelivery(ctx, d.ID)
		if err != nil {
			t.Fatalf("the delivery was not queued: %v", err)
		}
		if df := diff("queued delivery", queued, d); df != "" {
			t.Error(df)
		}
		list, err := st.SessionDeliveries(ctx, s.ID)
		if err != nil || len(list) != 1 || list[0].ID != d.ID {
			t.Errorf("SessionDeliveries: %+v, %v", list, err)
		}
		if n, err := st.RecoverOutbox(ctx, 0, 10); err != nil || n != 0 {
			t.Errorf("RecoverOutbox after a completed update: %d, %v; want nothing to do", n, err)
		}
		// A second update without deliveries keeps the queue as it is.
		if _, err := st.UpdateSession(ctx, s.ID, func(x *sandbox.Session) ([]sandbox.Delivery, error) {
			x.Description = "changed"
			return nil, nil
		}); err != nil {
			t.Fatal(err)
		}
		if list, err := st.SessionDeliveries(ctx, s.ID); err != nil || len(list) != 1 {
			t.Errorf("after a second update: %d deliveries, %v; want 1", len(list), err)
		}
	})

	t.Run("a failing update stores and queues nothing", func(t *testing.T) {
		t.Parallel()
		st := newStores(t).Sandbox
		s := NewSession()
		if err := st.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		d := SampleDelivery(s.ID, CreatedAt)
		boom := errors.New("boom")
		_, err := st.UpdateSession(ctx, s.ID, func(x *sandbox.Session) ([]sandbox.Delivery, error) {
			x.Status = payment.SessionPaid
			return []sandbox.Delivery{d}, boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("fn's error: got %v, want it unchanged", err)
		}
		if got, err := st.GetSession(ctx, s.ID); err != nil || diff("", got, s) != "" {
			t.Errorf("changed: %v; %s", err, diff("stored", got, s))
		}
		_, err = st.GetDelivery(ctx, d.ID)
		wantCode(t, "the delivery of a failed update", err, errs.NotFound)
		_, err = st.UpdateSession(ctx, "cs_unknown", func(*sandbox.Session) ([]sandbox.Delivery, error) { return nil, nil })
		wantCode(t, "unknown session", err, errs.NotFound)
	})

	t.Run("of concurrent completions of a session one wins", func(t *testing.T) {
		skipUnlessSafe(t, concurrencySafe)
		t.Parallel()
		st := newStores(t).Sandbox
		s := NewSession()
		if err := st.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		const n = 12
		errDone := errors.New("completed already")
		var wins atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for {
					_, err := st.UpdateSession(ctx, s.ID, func(x *sandbox.Session) ([]sandbox.Delivery, error) {
						if x.Status != payment.SessionOpen {
							return nil, errDone
						}
						x.Status = payment.SessionPaid
						if i%2 == 1 {
							x.Status = payment.SessionDeclined
						}
						return []sandbox.Delivery{SampleDelivery(s.ID, CreatedAt)}, nil
					})
					switch {
					case errs.Is(err, errs.Conflict):
						continue
					case errors.Is(err, errDone):
					case err != nil:
						t.Error(err)
					default:
						wins.Add(1)
					}
					return
				}
			}()
		}
		close(start)
		wg.Wait()
		if w := wins.Load(); w != 1 {
			t.Errorf("%d completions won, want exactly 1", w)
		}
		if list, err := st.SessionDeliveries(ctx, s.ID); err != nil || len(list) != 1 {
			t.Errorf("%d deliveries queued (%v), want exactly 1", len(list), err)
		}
	})
}

func runDeliveries(t *testing.T, newStores func(t *testing.T) Stores, concurrencySafe bool) {
	ctx := context.Background()
	now := CreatedAt.Add(time.Hour)
	enqueue := func(t *testing.T, st sandbox.Store, ds ...sandbox.Delivery) {
		t.Helper()
		for _, d := range ds {
			if err := st.Enqueue(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	idsOf := func(ds []sandbox.Delivery) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}

	t.Run("enqueue is idempotent", func(t *testing.T) {
		t.Parallel()
		st := newStores(t).Sandbox
		d := SampleDelivery("cs_1", now)
		enqueue(t, st, d)
		again := d
		again.Payload, again.NextAttemptAt = []byte("other"), now.Add(time.Hour)
		enqueue(t, st, again)
		got, err := st.GetDelivery(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if df := diff("after a repeated enqueue", got, d); df != "" {
			t.Error(df)
		}
		wantCode(t, "no id", st.Enqueue(ctx, sandbox.Delivery{EventID: "evt"}), errs.Invalid)
		_, err = st.GetDelivery(ctx, "evt_unknown")
		wantCode(t, "unknown delivery", err, errs.NotFound)
	})

	t.Run("claim takes pending, due, unleased deliveries, earliest first, up to the limit", func(t *testing.T) {
		t.Parallel()
		st := newStores(t).Sandbox
		a := SampleDelivery("cs_1", now.Add(-3*time.Second))
		b := SampleDelivery("cs_1", now.Add(-2*time.Second))
		c := SampleDelivery("cs_2", now) // due exactly now
		later := SampleDelivery("cs_2", now.Add(time.Millisecond))
		enqueue(t, st, later, c, b, a)
		lease := 30 * time.Second
		got, err := st.ClaimDue(ctx, now, lease, 2)
		if err != nil {
			t.Fatal(err)
		}
		if df := diff("first claim", idsOf(got), []string{a.ID, b.ID}); df != "" {
			t.Fatal(df)
		}
		for _, d := range got {
			if d.Attempts != 1 || !d.LeaseUntil.Equal(now.Add(lease)) || d.LeaseToken == "" || d.State != sandbox.DeliveryPending {
				t.Errorf("claimed %s: attempts %d, lease until %v, token %q, state %s", d.ID, d.Attempts, d.LeaseUntil, d.LeaseToken, d.State)
			}
			stored, err := st.GetDelivery(ctx, d.ID)
			if err != nil || diff("", stored, d) != "" {
				t.Errorf("stored claim: %v; %s", err, diff("stored", stored, d))
			}
		}
		if got[0].LeaseToken == got[1].LeaseToken {
			t.Error("two claims share a lease token")
		}
		got, err = st.ClaimDue(ctx, now, lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		if df := diff("second claim", idsOf(got), []string{c.ID}); df != "" {
			t.Error(df)
		}
		if got, err := st.ClaimDue(ctx, now, lease, 10); err != nil || len(got) != 0 {
			t.Errorf("third claim: %v, %v; want nothing (all leased or not due)", idsOf(got), err)
		}
		// Once the leases run out, the deliveries are due again, with one more attempt.
		got, err = st.ClaimDue(ctx, now.Add(lease), lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		if df := diff("after the leases", idsOf(got), []string{a.ID, b.ID, c.ID, later.ID}); df != "" {
			t.Error(df)
		}
		if got[0].Attempts != 2 || got[3].Attempts != 1 {
			t.Errorf("attempts %d and %d, want 2 and 1", got[0].Attempts, got[3].Attempts)
		}
		if got, err := st.ClaimDue(ctx, now, lease, 0); err != nil || len(got) != 0 {
			t.Errorf("limit 0: %v, %v", idsOf(got), err)
		}
	})

	t.Run("retry is for the lease holder and makes the delivery due later", func(t *testing.T) {
		t.Parallel()
		st := newStores(t).Sandbox
		d := SampleDelivery("cs_1", now)
		enqueue(t, st, d)
		claimed, err := st.ClaimDue(ctx, now, time.Minute, 1)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v, %v", idsOf(claimed), err)
		}
		next := now.Add(5 * time.Second)
		if err := st.Retry(ctx, d.ID, "not-the-token", next, "stolen"); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.GetDelivery(ctx, d.ID); got.LeaseToken != claimed[0].LeaseToken || got.LastError != "" {
			t.Errorf("a retry with another token changed the delivery: %+v", got)
		}
		if err := st.Retry(ctx, d.ID, claimed[0].LeaseToken, next, "receiver answered 500"); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetDelivery(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.NextAttemptAt.Equal(next) || got.LastError != "receiver answered 500" || got.LeaseToken != "" ||
			!got.LeaseUntil.IsZero() || got.State != sandbox.DeliveryPending || got.Attempts != 1 {
			t.Errorf("after retry: %+v", got)
		}
		if c, _ := st.ClaimDue(ctx, next.Add(-time.Millisecond), time.Minute, 1); len(c) != 0 {
			t.Error("claimed before its next attempt")
		}
		if c, _ := st.ClaimDue(ctx, next, time.Minute, 1); len(c) != 1 || c[0].Attempts != 2 {
			t.Errorf("claim at the next attempt: %+v", c)
		}
		wantCode(t, "retry of an unknown delivery", st.Retry(ctx, "evt_unknown", "t", next, ""), errs.NotFound)
	})

	t.Run("finish ends a delivery for good", func(t *testing.T) {
		t.Parallel()
		st := newStores(t).Sandbox
		delivered, failed := SampleDelivery("cs_1", now), SampleDelivery("cs_1", now)
		enqueue(t, st, delivered, failed)
		claimed, err := st.ClaimDue(ctx, now, time.Minute, 2)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim: %v, %v", idsOf(claimed), err)
		}
		token := map[string]string{claimed[0].ID: claimed[0].LeaseToken, claimed[1].ID: claimed[1].LeaseToken}
		at := now.Add(time.Second)
		// A 2xx is a fact whoever saw it: no token needed.
		if err := st.Finish(ctx, delivered.ID, "", sandbox.DeliveryDelivered, at, "ignored"); err != nil {
			t.Fatal(err)
		}
		got, _ := st.GetDelivery(ctx, delivered.ID)
		if got.State != sandbox.DeliveryDelivered || !got.FinishedAt.Equal(at) || got.LastError != "" || got.LeaseToken != "" {
			t.Errorf("delivered: %+v", got)
		}
		// Giving up needs the lease.
		if err := st.Finish(ctx, failed.ID, "not-the-token", sandbox.DeliveryFailed, at, "gave up"); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.GetDelivery(ctx, failed.ID); got.State != sandbox.DeliveryPending {
			t.Errorf("failed without the lease: %+v", got)
		}
		if err := st.Finish(ctx, failed.ID, token[failed.ID], sandbox.DeliveryFailed, at, "gave up"); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.GetDelivery(ctx, failed.ID); got.State != sandbox.DeliveryFailed || got.LastError != "gave up" || !got.FinishedAt.Equal(at) {
			t.Errorf("failed: %+v", got)
		}
		// Finished deliveries stay finished.
		if err := st.Finish(ctx, failed.ID, "", sandbox.DeliveryDelivered, at.Add(time.Hour), ""); err != nil {
			t.Fatal(err)
		}
		if err := st.Retry(ctx, delivered.ID, token[delivered.ID], at, "late"); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.GetDelivery(ctx, failed.ID); got.State != sandbox.DeliveryFailed {
			t.Errorf("a failed delivery was finished again: %+v", got)
		}
		if got, _ := st.GetDelivery(ctx, delivered.ID); got.State != sandbox.DeliveryDelivered || got.LastError != "" {
			t.Errorf("a delivered delivery was retried: %+v", got)
		}
		if c, _ := st.ClaimDue(ctx, now.Add(48*time.Hour), time.Minute, 10); len(c) != 0 {
			t.Errorf("finished deliveries were claimed: %v", idsOf(c))
		}
		wantCode(t, "another state", st.Finish(ctx, delivered.ID, "", sandbox.DeliveryPending, at, ""), errs.Invalid)
		wantCode(t, "unknown delivery", st.Finish(ctx, "evt_unknown", "", sandbox.DeliveryDelivered, at, ""), errs.NotFound)
	})

	t.Run("concurrent claimers never share a delivery", func(t *testing.T) {
		skipUnlessSafe(t, concurrencySafe)
		t.Parallel()
		st := newStores(t).Sandbox
		const total, claimers = 60, 8
		for i := range total {
			enqueue(t, st, SampleDelivery("cs_1", now.Add(-time.Duration(i)*time.Millisecond)))
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range claimers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Bounded, so that a store that hands out leased deliveries fails instead of hanging.
				for range total {
					got, err := st.ClaimDue(ctx, now, time.Minute, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						seen[d.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(seen) != total {
			t.Errorf("%d of %d deliveries were claimed", len(seen), total)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("delivery %s was claimed %d times within one lease", id, n)
			}
		}
	})
}
