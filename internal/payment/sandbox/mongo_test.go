package sandbox_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/payment/paymentmongo"
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

// TestPayAndRefundOnMongo runs the sandbox on the MongoDB store (the embedded FerretDB unless
// MARQUEE_TEST_MONGO_URI is set): pay, retry after a failure, refund, and a restart on the same
// database that resumes a pending delivery.
func TestPayAndRefundOnMongo(t *testing.T) {
	t.Parallel()
	db, _ := mongotest.Database(t)
	rcv := newReceiver(t)
	rcv.setRespond(func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	cfg := testConfig(rcv.url())
	cfg.BaseURL = "http://127.0.0.1:8080"
	open := func() *sandbox.Provider {
		s, err := paymentmongo.New(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		p, err := sandbox.New(s.Sandbox, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	p := open()
	stop := startWorker(t, p)
	sess, err := p.CreateSession(ctx, payment.SessionRequest{PaymentID: "pay-mongo", BookingRef: "MQ-MONGO", Amount: 25000,
		Currency: "INR", ExpiresAt: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if _, changed, err := p.Complete(ctx, sess.ID, sandbox.OutcomeSuccess); err != nil || !changed {
		t.Fatalf("Complete: %v, %v", changed, err)
	}
	waitFor(t, "payment.succeeded after one retry", 30*time.Second, func() bool { return len(rcv.forSession(sess.ID)) == 1 })
	if n := len(rcv.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	stop()

	// Restart while a refund is pending: the new instance delivers it.
	rcv.setRespond(func(int) int { return http.StatusOK })
	if _, err := p.Refund(ctx, payment.RefundRequest{SessionID: sess.ID, Amount: 25000, IdempotencyKey: "refund:pay-mongo"}); err != nil {
		t.Fatal(err)
	}
	restarted := open()
	stop = startWorker(t, restarted)
	defer stop()
	waitFor(t, "refund.succeeded from the restarted instance", 30*time.Second, func() bool { return len(rcv.forSession(sess.ID)) == 2 })
	events := rcv.forSession(sess.ID)
	if events[0].Type != payment.EventPaymentSucceeded || events[1].Type != payment.EventRefundSucceeded || events[1].Amount != 25000 {
		t.Errorf("events %+v", events)
	}
	st, err := restarted.SessionStatus(ctx, sess.ID)
	if err != nil || st.Status != payment.SessionPaid || st.RefundedAmount != 25000 {
		t.Errorf("status %+v, %v", st, err)
	}
	rcv.checkAllVerified()
}
