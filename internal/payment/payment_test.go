package payment_test

import (
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// TestTransitionTable checks every trigger from every status against the expected table.
func TestTransitionTable(t *testing.T) {
	const (
		C  = payment.StatusCreated
		S  = payment.StatusSucceeded
		D  = payment.StatusDeclined
		E  = payment.StatusExpired
		X  = payment.StatusCancelled
		RP = payment.StatusRefundPending
		R  = payment.StatusRefunded
		no = payment.Status("") // a refused refund request: Conflict
	)
	// want[status][trigger] is the next status; equal to status means a no-op.
	want := map[payment.Status]map[payment.Trigger]payment.Status{
		C:  {payment.TriggerSucceeded: S, payment.TriggerFailed: D, payment.TriggerExpired: E, payment.TriggerCancelled: X, payment.TriggerRefundRequested: no, payment.TriggerRefunded: R},
		S:  {payment.TriggerSucceeded: S, payment.TriggerFailed: S, payment.TriggerExpired: S, payment.TriggerCancelled: S, payment.TriggerRefundRequested: RP, payment.TriggerRefunded: R},
		D:  {payment.TriggerSucceeded: S, payment.TriggerFailed: D, payment.TriggerExpired: D, payment.TriggerCancelled: D, payment.TriggerRefundRequested: no, payment.TriggerRefunded: R},
		E:  {payment.TriggerSucceeded: S, payment.TriggerFailed: E, payment.TriggerExpired: E, payment.TriggerCancelled: E, payment.TriggerRefundRequested: no, payment.TriggerRefunded: R},
		X:  {payment.TriggerSucceeded: S, payment.TriggerFailed: X, payment.TriggerExpired: X, payment.TriggerCancelled: X, payment.TriggerRefundRequested: no, payment.TriggerRefunded: R},
		RP: {payment.TriggerSucceeded: RP, payment.TriggerFailed: RP, payment.TriggerExpired: RP, payment.TriggerCancelled: RP, payment.TriggerRefundRequested: RP, payment.TriggerRefunded: R},
		R:  {payment.TriggerSucceeded: R, payment.TriggerFailed: R, payment.TriggerExpired: R, payment.TriggerCancelled: R, payment.TriggerRefundRequested: R, payment.TriggerRefunded: R},
	}
	if len(want) != len(payment.Statuses) {
		t.Fatalf("the table covers %d statuses, there are %d", len(want), len(payment.Statuses))
	}
	for _, from := range payment.Statuses {
		if len(want[from]) != len(payment.Triggers) {
			t.Fatalf("the table covers %d triggers from %s, there are %d", len(want[from]), from, len(payment.Triggers))
		}
		for _, tr := range payment.Triggers {
			t.Run(string(from)+"+"+string(tr), func(t *testing.T) {
				next, changed, err := payment.Transition(from, tr)
				exp := want[from][tr]
				if exp == no {
					if e := errs.As(err); e.Code != errs.Conflict || e.Reason != payment.ReasonNotCaptured {
						t.Fatalf("got %s, %v, %v; want conflict %s", next, changed, err, payment.ReasonNotCaptured)
					}
					if next != from || changed {
						t.Fatalf("a refused trigger moved %s to %s (changed %v)", from, next, changed)
					}
					return
				}
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if next != exp || changed != (exp != from) {
					t.Fatalf("got %s (changed %v), want %s (changed %v)", next, changed, exp, exp != from)
				}
			})
		}
	}
}

// rank orders the statuses as the design does: forward only.
var rank = map[payment.Status]int{
	payment.StatusCreated: 0, payment.StatusDeclined: 1, payment.StatusExpired: 1, payment.StatusCancelled: 1,
	payment.StatusSucceeded: 2, payment.StatusRefundPending: 3, payment.StatusRefunded: 4,
}

// TestTransitionNeverRegressesAndIsIdempotent drives every sequence of up to four triggers and
// checks after each step: the status never ranks lower, a repeated trigger is a no-op, and money
// once captured is never forgotten.
func TestTransitionNeverRegressesAndIsIdempotent(t *testing.T) {
	var walk func(status payment.Status, path []payment.Trigger)
	walk = func(status payment.Status, path []payment.Trigger) {
		if len(path) == 4 {
			return
		}
		for _, tr := range payment.Triggers {
			next, changed, err := payment.Transition(status, tr)
			p := append(append([]payment.Trigger{}, path...), tr)
			if err != nil {
				if next != status || changed {
					t.Fatalf("%v: an error moved %s to %s", p, status, next)
				}
				continue
			}
			if rank[next] < rank[status] {
				t.Fatalf("%v: moved backwards from %s to %s", p, status, next)
			}
			if changed != (next != status) {
				t.Fatalf("%v: changed=%v but %s → %s", p, changed, status, next)
			}
			if status.Captured() && !next.Captured() {
				t.Fatalf("%v: captured money forgotten: %s → %s", p, status, next)
			}
			again, changedAgain, err := payment.Transition(next, tr)
			if err != nil || again != next || changedAgain {
				t.Fatalf("%v: repeating %s from %s gave %s, %v, %v; want a no-op", p, tr, next, again, changedAgain, err)
			}
			walk(next, p)
		}
	}
	walk(payment.StatusCreated, nil)
}

// TestOutOfOrderEvents spells out the orders providers really deliver in.
func TestOutOfOrderEvents(t *testing.T) {
	cases := []struct {
		name     string
		triggers []payment.Trigger
		want     payment.Status
	}{
		{"failed after succeeded", []payment.Trigger{payment.TriggerSucceeded, payment.TriggerFailed}, payment.StatusSucceeded},
		{"succeeded after failed: the money was taken", []payment.Trigger{payment.TriggerFailed, payment.TriggerSucceeded}, payment.StatusSucceeded},
		{"succeeded after the session expired", []payment.Trigger{payment.TriggerExpired, payment.TriggerSucceeded}, payment.StatusSucceeded},
		{"succeeded after a cancel", []payment.Trigger{payment.TriggerCancelled, payment.TriggerSucceeded}, payment.StatusSucceeded},
		{"expired after declined", []payment.Trigger{payment.TriggerFailed, payment.TriggerExpired}, payment.StatusDeclined},
		{"succeeded replayed after the refund", []payment.Trigger{payment.TriggerSucceeded, payment.TriggerRefundRequested, payment.TriggerRefunded, payment.TriggerSucceeded}, payment.StatusRefunded},
		{"refund confirmed before the success arrived", []payment.Trigger{payment.TriggerRefunded, payment.TriggerSucceeded, payment.TriggerFailed}, payment.StatusRefunded},
		{"refund request repeated", []payment.Trigger{payment.TriggerSucceeded, payment.TriggerRefundRequested, payment.TriggerRefundRequested}, payment.StatusRefundPending},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := payment.StatusCreated
			for _, tr := range tc.triggers {
				next, _, err := payment.Transition(s, tr)
				if err != nil {
					t.Fatalf("%s from %s: %v", tr, s, err)
				}
				s = next
			}
			if s != tc.want {
				t.Fatalf("ended in %s, want %s", s, tc.want)
			}
		})
	}
}

func TestTransitionRefusesUnknownInput(t *testing.T) {
	if _, _, err := payment.Transition("PAID", payment.TriggerSucceeded); !errs.Is(err, errs.Invalid) {
		t.Errorf("unknown status: %v", err)
	}
	if _, _, err := payment.Transition(payment.StatusCreated, "paid"); !errs.Is(err, errs.Invalid) {
		t.Errorf("unknown trigger: %v", err)
	}
}

func TestPaymentLifecycle(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	p, err := payment.New(payment.Draft{BookingID: "b1", Provider: "sandbox", Amount: 100620, Currency: "INR",
		ExpiresAt: now.Add(10 * time.Minute)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || p.Status != payment.StatusCreated || !p.UpdatedAt.Equal(now) {
		t.Fatalf("new payment: %+v", p)
	}
	if _, err := p.RequestRefund(100, now, ""); !errs.Is(err, errs.Conflict) {
		t.Errorf("refund before capture: %v, want conflict", err)
	}
	at := now.Add(time.Minute)
	if changed, err := p.Apply(payment.TriggerSucceeded, at, ""); err != nil || !changed || p.Status != payment.StatusSucceeded || !p.UpdatedAt.Equal(at) {
		t.Fatalf("succeeded: %v, %v, %+v", changed, err, p)
	}
	before := p
	if changed, err := p.Apply(payment.TriggerFailed, at.Add(time.Minute), "DECLINED"); err != nil || changed || p != before {
		t.Fatalf("a late failure changed the payment: %v, %v, %+v", changed, err, p)
	}
	if _, err := p.RequestRefund(0, at, ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("refund of 0: %v", err)
	}
	if _, err := p.RequestRefund(p.Amount+1, at, ""); !errs.Is(err, errs.Invalid) {
		t.Errorf("refund of more than paid: %v", err)
	}
	if changed, err := p.RequestRefund(90000, at, "CANCELLED_BY_USER"); err != nil || !changed || p.RefundAmount != 90000 || p.Reason != "CANCELLED_BY_USER" {
		t.Fatalf("refund request: %v, %v, %+v", changed, err, p)
	}
	if changed, err := p.RequestRefund(100620, at, ""); err != nil || changed || p.RefundAmount != 90000 {
		t.Fatalf("a second refund request changed the amount: %v, %v, %+v", changed, err, p)
	}
	if p.RefundIdempotencyKey() != "refund:"+p.ID {
		t.Errorf("idempotency key %q", p.RefundIdempotencyKey())
	}
	if changed, err := p.ConfirmRefund("re_1", 0, at); err != nil || !changed || p.Status != payment.StatusRefunded ||
		p.RefundedAmount != 90000 || p.RefundID != "re_1" {
		t.Fatalf("refund confirmed: %v, %v, %+v", changed, err, p)
	}
	if changed, err := p.ConfirmRefund("re_2", 5, at); err != nil || changed || p.RefundedAmount != 90000 || p.RefundID != "re_1" {
		t.Fatalf("a repeated confirmation changed the payment: %v, %v, %+v", changed, err, p)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("the refunded payment is invalid: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	good := payment.Draft{BookingID: "b1", Provider: "sandbox", Amount: 1, Currency: "INR", ExpiresAt: now.Add(time.Minute)}
	cases := map[string]func(d *payment.Draft){
		"booking":  func(d *payment.Draft) { d.BookingID = " " },
		"provider": func(d *payment.Draft) { d.Provider = "" },
		"amount":   func(d *payment.Draft) { d.Amount = 0 },
		"currency": func(d *payment.Draft) { d.Currency = "inr" },
		"expiry":   func(d *payment.Draft) { d.ExpiresAt = now },
	}
	for name, mutate := range cases {
		d := good
		mutate(&d)
		if _, err := payment.New(d, now); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := payment.New(good, now); err != nil {
		t.Errorf("good draft: %v", err)
	}
}

func TestEventAndSessionTriggers(t *testing.T) {
	for typ, want := range map[payment.EventType]payment.Trigger{
		payment.EventPaymentSucceeded: payment.TriggerSucceeded,
		payment.EventPaymentFailed:    payment.TriggerFailed,
		payment.EventRefundSucceeded:  payment.TriggerRefunded,
	} {
		if got, ok := typ.Trigger(); !ok || got != want {
			t.Errorf("%s: %s, %v", typ, got, ok)
		}
	}
	if _, ok := payment.EventType("charge.dispute.created").Trigger(); ok {
		t.Error("an unknown event type has a trigger")
	}
	if _, ok := payment.SessionOpen.Trigger(); ok {
		t.Error("an open session has a trigger")
	}
	if tr, ok := payment.SessionPaid.Trigger(); !ok || tr != payment.TriggerSucceeded {
		t.Errorf("paid session: %s", tr)
	}
}

func TestFormatAmount(t *testing.T) {
	cases := []struct {
		amount   int64
		currency string
		want     string
	}{
		{100620, "INR", "₹1,006.20"},
		{123456789, "INR", "₹12,34,567.89"},
		{1000000000, "INR", "₹1,00,00,000.00"},
		{5, "INR", "₹0.05"},
		{0, "INR", "₹0.00"},
		{-500, "INR", "-₹5.00"},
		{123456789, "USD", "$1,234,567.89"},
		{1999, "EUR", "€19.99"},
		{1500, "JPY", "¥1,500"},
		{1234, "KWD", "KWD 1.234"},
		{1250, "AED", "AED 12.50"},
	}
	for _, tc := range cases {
		if got := payment.FormatAmount(tc.amount, tc.currency); got != tc.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", tc.amount, tc.currency, got, tc.want)
		}
	}
}
