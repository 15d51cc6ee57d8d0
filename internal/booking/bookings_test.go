package booking_test

import (
	"testing"

	"github.com/marquee-cinema/marquee/internal/booking"
)

func TestNextNeverMovesBackwards(t *testing.T) {
	t.Parallel()
	cases := []struct {
		from booking.Status
		e    booking.Event
		want booking.Status
		ok   bool
	}{
		{booking.StatusPendingPayment, booking.EventPaid, booking.StatusConfirmed, true},
		{booking.StatusPendingPayment, booking.EventDeclined, booking.StatusFailed, true},
		{booking.StatusPendingPayment, booking.EventTimedOut, booking.StatusExpired, true},
		{booking.StatusPendingPayment, booking.EventPaidSeatsTaken, booking.StatusFailed, true},
		{booking.StatusPendingPayment, booking.EventCancelled, booking.StatusPendingPayment, false},
		// money wins over timers: paid after expiry or a decline still confirms
		{booking.StatusExpired, booking.EventPaid, booking.StatusConfirmed, true},
		{booking.StatusFailed, booking.EventPaid, booking.StatusConfirmed, true},
		{booking.StatusExpired, booking.EventPaidSeatsTaken, booking.StatusFailed, true},
		// out of order and repeated events change nothing
		{booking.StatusConfirmed, booking.EventDeclined, booking.StatusConfirmed, false},
		{booking.StatusConfirmed, booking.EventTimedOut, booking.StatusConfirmed, false},
		{booking.StatusConfirmed, booking.EventPaid, booking.StatusConfirmed, false},
		{booking.StatusConfirmed, booking.EventPaidSeatsTaken, booking.StatusConfirmed, false},
		{booking.StatusExpired, booking.EventDeclined, booking.StatusExpired, false},
		{booking.StatusFailed, booking.EventTimedOut, booking.StatusFailed, false},
		{booking.StatusConfirmed, booking.EventCancelled, booking.StatusCancelled, true},
		{booking.StatusCancelled, booking.EventRefunded, booking.StatusRefunded, true},
		{booking.StatusCancelled, booking.EventPaid, booking.StatusCancelled, false},
		{booking.StatusRefunded, booking.EventCancelled, booking.StatusRefunded, false},
		{booking.StatusRefunded, booking.EventPaid, booking.StatusRefunded, false},
		{booking.StatusConfirmed, booking.EventRefunded, booking.StatusConfirmed, false},
	}
	for _, c := range cases {
		got, ok := booking.Next(c.from, c.e)
		if got != c.want || ok != c.ok {
			t.Errorf("Next(%s, %s) = %s, %v; want %s, %v", c.from, c.e, got, ok, c.want, c.ok)
		}
	}
	// Whatever the order of events, a booking that was CONFIRMED is never again PENDING, EXPIRED
	// or FAILED.
	events := []booking.Event{booking.EventPaid, booking.EventPaidSeatsTaken, booking.EventDeclined, booking.EventTimedOut,
		booking.EventCancelled, booking.EventRefunded}
	for _, s := range []booking.Status{booking.StatusConfirmed, booking.StatusCancelled, booking.StatusRefunded} {
		for _, e := range events {
			next, _ := booking.Next(s, e)
			if next == booking.StatusPendingPayment || next == booking.StatusExpired || next == booking.StatusFailed {
				t.Errorf("Next(%s, %s) = %s: backwards", s, e, next)
			}
		}
	}
}

func TestReferences(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 2000 {
		r, err := booking.NewReference()
		if err != nil {
			t.Fatal(err)
		}
		if !booking.ValidReference(r) {
			t.Fatalf("NewReference made %q, which is not valid", r)
		}
		seen[r] = true
	}
	if len(seen) < 1990 {
		t.Fatalf("only %d distinct references in 2000", len(seen))
	}
	for in, want := range map[string]string{
		"MQ-7K2P9X": "MQ-7K2P9X", "mq-7k2p9x": "MQ-7K2P9X", " mq 7k2 p9x ": "MQ-7K2P9X", "7K2P9X": "MQ-7K2P9X",
		"MQ7K2P9X": "MQ-7K2P9X", "MQ-7K2P9": "", "MQ-7K2P9O": "", "MQ-IL0U11": "", "": "", "MQ-7K2P9X1": "",
	} {
		if got := booking.NormalizeReference(in); got != want {
			t.Errorf("NormalizeReference(%q) = %q, want %q", in, got, want)
		}
	}
}
