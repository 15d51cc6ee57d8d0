package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/demo"
	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/mongotest"
)

const bookingFields = `id reference status reason seatIds email guest total { amount currency } refund { amount }
	confirmedAt cancellable cancelDeadline paymentUrl show { id }`

type bookingNode struct {
	ID, Reference, Status, Email string
	Reason                       *string
	SeatIds                      []string
	Guest, Cancellable           bool
	Total                        struct {
		Amount   int
		Currency string
	}
	Refund         *struct{ Amount int }
	ConfirmedAt    *time.Time
	CancelDeadline *time.Time
	PaymentURL     *string
	Show           struct{ ID string }
}

type checkoutNode struct {
	Booking    bookingNode
	PaymentURL string
	ExpiresAt  time.Time
	holdID     string
}

var referencePattern = regexp.MustCompile(`^MQ-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}$`)

const guestEmail = "guest@example.com"

// checkout holds seats and checks them out as a guest.
func (c *client) checkout(t testing.TB, showID string, seats []string) checkoutNode {
	t.Helper()
	var h struct{ HoldSeats holdNode }
	expectOK(t, c.do(t, `mutation($s: ID!, $seats: [ID!]!) { holdSeats(showId: $s, seatIds: $seats) { `+holdFields+` } }`,
		map[string]any{"s": showID, "seats": seats}), &h)
	var d struct{ Checkout checkoutNode }
	expectOK(t, c.do(t, `mutation($h: ID!, $g: GuestInput) { checkout(holdId: $h, guest: $g) { booking { `+bookingFields+` } paymentUrl expiresAt } }`,
		map[string]any{"h": h.HoldSeats.ID, "g": map[string]any{"email": guestEmail, "phone": "98765 43210", "name": "Asha"}}), &d)
	if d.Checkout.Booking.Total.Amount != h.HoldSeats.Quote.Total.Amount {
		t.Fatalf("booking total %d, hold quote %d", d.Checkout.Booking.Total.Amount, h.HoldSeats.Quote.Total.Amount)
	}
	d.Checkout.holdID = h.HoldSeats.ID
	return d.Checkout
}

func (c *client) booking(t testing.TB, id string) *bookingNode {
	t.Helper()
	var d struct{ Booking *bookingNode }
	expectOK(t, c.do(t, `query($id: ID!) { booking(id: $id) { `+bookingFields+` } }`, map[string]any{"id": id}), &d)
	return d.Booking
}

// awaitStatus polls a booking until it has status.
func (c *client) awaitStatus(t testing.TB, id, status string, timeout time.Duration) bookingNode {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b := c.booking(t, id)
		if b != nil && b.Status == status {
			return *b
		}
		if time.Now().After(deadline) {
			t.Fatalf("booking %s is %+v, want %s within %s", id, b, status, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pay answers the sandbox's hosted page at in's address (whatever host the URL names) and
// returns the response status and where it redirects.
func (in *instance) pay(t testing.TB, paymentURL, outcome string) (int, string) {
	t.Helper()
	u, err := url.Parse(paymentURL)
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(in.HTTP+u.Path, url.Values{"outcome": {outcome}})
	if err != nil {
		t.Fatalf("POST %s: %v", u.Path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

func sessionOf(paymentURL string) string { return paymentURL[strings.LastIndex(paymentURL, "/")+1:] }

// paidEvent is the sandbox's payment.succeeded event for the checkout's session, as the provider
// would send it.
func (co checkoutNode) paidEvent(id string) sandbox.EventPayload {
	return sandbox.EventPayload{ID: id, Type: payment.EventPaymentSucceeded, CreatedAt: time.Now(), SessionID: sessionOf(co.PaymentURL),
		Amount: int64(co.Booking.Total.Amount), Currency: co.Booking.Total.Currency}
}

func TestCheckoutPayAndConfirm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, redis string
		mongo       bool
	}{{"embedded", "", false}, {"redis", testRedisURL(), false}, {"mongo-wire-protocol", "", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"--demo"}
			if tc.redis != "" {
				args = append(args, "--redis-url="+tc.redis, "--redis-prefix="+randomRedisPrefix())
			}
			if tc.mongo {
				db, uri := mongotest.Database(t)
				args = append(args, "--mongo-uri="+strings.TrimSuffix(uri, "/")+"/"+db.Name())
			}
			in := start(t, args...)
			showID := aShow(t, in)
			guest, other := in.newClient(t), in.newClient(t)
			seats := rowRun(t, guest.seatMap(t, showID), 2)[:2]
			sub := in.subscribe(t, showID)

			// A guest must say who they are.
			var h struct{ HoldSeats holdNode }
			expectOK(t, guest.do(t, `mutation($s: ID!, $seats: [ID!]!) { holdSeats(showId: $s, seatIds: $seats) { id } }`,
				map[string]any{"s": showID, "seats": seats}), &h)
			expectCode(t, guest.do(t, `mutation($h: ID!) { checkout(holdId: $h) { paymentUrl } }`, map[string]any{"h": h.HoldSeats.ID}), "BAD_USER_INPUT")
			expectCode(t, guest.do(t, `mutation($h: ID!, $g: GuestInput) { checkout(holdId: $h, guest: $g) { paymentUrl } }`,
				map[string]any{"h": h.HoldSeats.ID, "g": map[string]any{"email": "not-an-email", "phone": "9876543210"}}), "BAD_USER_INPUT")
			// Only the hold's owner can check it out.
			expectCode(t, other.do(t, `mutation($h: ID!, $g: GuestInput) { checkout(holdId: $h, guest: $g) { paymentUrl } }`,
				map[string]any{"h": h.HoldSeats.ID, "g": map[string]any{"email": "x@example.com", "phone": "9876543210"}}), "NOT_FOUND")

			co := guest.checkout(t, showID, seats)
			b := co.Booking
			if b.Status != "PENDING_PAYMENT" || !referencePattern.MatchString(b.Reference) || b.Email != guestEmail || !b.Guest {
				t.Fatalf("checkout booking %+v", b)
			}
			if !strings.Contains(co.PaymentURL, "/sandbox/pay/cs_") || co.ExpiresAt.IsZero() {
				t.Fatalf("checkout %+v", co)
			}
			// Checking out the same hold again answers with the same booking.
			var again struct{ Checkout checkoutNode }
			expectOK(t, guest.do(t, `mutation($h: ID!, $g: GuestInput) { checkout(holdId: $h, guest: $g) { booking { id } paymentUrl } }`,
				map[string]any{"h": co.holdID, "g": map[string]any{"email": "someone@example.com", "phone": "9876543210"}}), &again)
			if again.Checkout.Booking.ID != b.ID || again.Checkout.PaymentURL != co.PaymentURL {
				t.Fatalf("second checkout %+v, first %+v", again.Checkout, co)
			}

			code, page := in.get(t, strings.TrimPrefix(co.PaymentURL, in.HTTP))
			if code != http.StatusOK || !strings.Contains(page, b.Reference) || !strings.Contains(page, "Pay") {
				t.Fatalf("payment page: %d\n%s", code, page)
			}
			if code, loc := in.pay(t, co.PaymentURL, "success"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/bookings/"+b.ID) {
				t.Fatalf("pay: %d → %q", code, loc)
			}
			confirmed := guest.awaitStatus(t, b.ID, "CONFIRMED", 20*time.Second)
			if confirmed.ConfirmedAt == nil || !confirmed.Cancellable || confirmed.PaymentURL != nil {
				t.Fatalf("confirmed booking %+v", confirmed)
			}
			ev := sub.await(t, seats[0], "BOOKED", 5*time.Second)
			for _, seat := range seats {
				if st, _ := other.seatMap(t, showID).status(seat); st != "BOOKED" {
					t.Fatalf("seat %s is %s after payment", seat, st)
				}
				if !strings.Contains(fmt.Sprint(ev.Seats), "{"+seat+" BOOKED}") {
					t.Fatalf("the BOOKED event %v lacks %s", ev.Seats, seat)
				}
			}
			// Someone else sees nothing; the guest finds it by reference and e-mail, in any case.
			if got := other.booking(t, b.ID); got != nil {
				t.Fatalf("another browser sees the booking: %+v", got)
			}
			var byRef struct{ BookingByReference *bookingNode }
			expectOK(t, other.do(t, `query($r: String!, $e: String!) { bookingByReference(reference: $r, email: $e) { id status } }`,
				map[string]any{"r": strings.ToLower(b.Reference), "e": "Guest@Example.com"}), &byRef)
			if byRef.BookingByReference == nil || byRef.BookingByReference.ID != b.ID || byRef.BookingByReference.Status != "CONFIRMED" {
				t.Fatalf("bookingByReference: %+v", byRef.BookingByReference)
			}
			for _, wrong := range []map[string]any{{"r": b.Reference, "e": "other@example.com"}, {"r": "MQ-222222", "e": guestEmail}, {"r": "nonsense", "e": guestEmail}} {
				byRef.BookingByReference = nil
				expectOK(t, other.do(t, `query($r: String!, $e: String!) { bookingByReference(reference: $r, email: $e) { id } }`, wrong), &byRef)
				if byRef.BookingByReference != nil {
					t.Fatalf("bookingByReference(%v) found %+v", wrong, byRef.BookingByReference)
				}
			}
			var mine struct{ MyBookings []bookingNode }
			expectOK(t, guest.do(t, `{ myBookings { id status } }`, nil), &mine)
			found := false
			for _, x := range mine.MyBookings {
				found = found || (x.ID == b.ID && x.Status == "CONFIRMED")
			}
			if !found {
				t.Fatalf("myBookings %+v lacks %s", mine.MyBookings, b.ID)
			}

			// Cancelling releases the seats at once and refunds the ticket price (the fee is kept).
			var c struct{ CancelBooking bookingNode }
			expectCode(t, other.do(t, `mutation($id: ID!) { cancelBooking(id: $id) { id } }`, map[string]any{"id": b.ID}), "NOT_FOUND")
			expectOK(t, guest.do(t, `mutation($id: ID!) { cancelBooking(id: $id) { `+bookingFields+` } }`, map[string]any{"id": b.ID}), &c)
			if c.CancelBooking.Status != "CANCELLED" || c.CancelBooking.Refund == nil || c.CancelBooking.Refund.Amount >= b.Total.Amount {
				t.Fatalf("cancelled booking %+v", c.CancelBooking)
			}
			for _, seat := range seats {
				if st, _ := other.seatMap(t, showID).status(seat); st != "AVAILABLE" {
					t.Fatalf("seat %s is %s after cancelling", seat, st)
				}
			}
			guest.awaitStatus(t, b.ID, "REFUNDED", 20*time.Second)
		})
	}
}

// Checkouts of one hold racing each other all answer with one booking and one payment page.
func TestConcurrentCheckoutsOfOneHold(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo")
	showID := aShow(t, in)
	guest := in.newClient(t)
	seats := rowRun(t, guest.seatMap(t, showID), 3)[:3]
	var h struct{ HoldSeats holdNode }
	expectOK(t, guest.do(t, `mutation($s: ID!, $seats: [ID!]!) { holdSeats(showId: $s, seatIds: $seats) { id } }`,
		map[string]any{"s": showID, "seats": seats}), &h)
	answers := make([]checkoutNode, 8)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var d struct{ Checkout checkoutNode }
			expectOK(t, guest.do(t, `mutation($h: ID!, $g: GuestInput) { checkout(holdId: $h, guest: $g) { booking { `+bookingFields+` } paymentUrl } }`,
				map[string]any{"h": h.HoldSeats.ID, "g": map[string]any{"email": guestEmail, "phone": "9876543210"}}), &d)
			answers[i] = d.Checkout
		}()
	}
	wg.Wait()
	for _, a := range answers[1:] {
		if a.Booking.ID != answers[0].Booking.ID || a.PaymentURL != answers[0].PaymentURL || a.PaymentURL == "" {
			t.Fatalf("concurrent checkouts of one hold answered %+v and %+v", answers[0], a)
		}
	}
	if code, _ := in.pay(t, answers[0].PaymentURL, "success"); code != http.StatusSeeOther {
		t.Fatalf("pay: %d", code)
	}
	guest.awaitStatus(t, answers[0].Booking.ID, "CONFIRMED", 20*time.Second)
}

func TestDeclinedPaymentFailsAndReleasesSeats(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo")
	showID := aShow(t, in)
	guest := in.newClient(t)
	seats := rowRun(t, guest.seatMap(t, showID), 2)[:2]
	co := guest.checkout(t, showID, seats)
	if code, _ := in.pay(t, co.PaymentURL, "decline"); code != http.StatusSeeOther {
		t.Fatalf("decline: HTTP %d", code)
	}
	b := guest.awaitStatus(t, co.Booking.ID, "FAILED", 20*time.Second)
	if b.Reason == nil || *b.Reason != "PAYMENT_DECLINED" {
		t.Fatalf("declined booking %+v", b)
	}
	for _, seat := range seats {
		if st, _ := guest.seatMap(t, showID).status(seat); st != "AVAILABLE" {
			t.Fatalf("seat %s is %s after a declined payment", seat, st)
		}
	}
}

const testWebhookSecret = "whsec_test_0123456789abcdef0123456789"

// postWebhook signs and posts a sandbox event.
func (in *instance) postWebhook(t testing.TB, ev sandbox.EventPayload, secret string, at time.Time) (int, string) {
	t.Helper()
	body, _ := json.Marshal(ev)
	req, _ := http.NewRequest(http.MethodPost, in.HTTP+"/webhooks/payments/sandbox", strings.NewReader(string(body)))
	signer, err := payment.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	signer.Sign(req.Header, body, at)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func TestWebhooksAreVerifiedAndIdempotent(t *testing.T) {
	t.Parallel()
	// Deliveries of the sandbox itself go nowhere (--public-url names a closed port), so that
	// only the events this test posts arrive.
	in := start(t, "--demo", "--payment-webhook-secret="+testWebhookSecret, "--public-url=http://127.0.0.1:9",
		"--payment-reconcile-interval=1h")
	showID := aShow(t, in)
	guest := in.newClient(t)
	seats := rowRun(t, guest.seatMap(t, showID), 2)[:2]
	co := guest.checkout(t, showID, seats)
	if code, _ := in.pay(t, co.PaymentURL, "success"); code != http.StatusSeeOther {
		t.Fatalf("pay: HTTP %d", code)
	}
	now := time.Now()
	ev := co.paidEvent("evt_test_succeeded_1")

	if code, body := in.postWebhook(t, ev, "whsec_forged_secret_0123456789abcdef", now); code != http.StatusBadRequest {
		t.Fatalf("forged signature: %d %s", code, body)
	}
	if code, body := in.postWebhook(t, ev, testWebhookSecret, now.Add(-6*time.Minute)); code != http.StatusBadRequest {
		t.Fatalf("stale timestamp: %d %s", code, body)
	}
	unknown := ev
	unknown.ID, unknown.SessionID = "evt_test_unknown", "cs_0000000000000000000000000000000000000000"
	if code, body := in.postWebhook(t, unknown, testWebhookSecret, now); code != http.StatusNotFound {
		t.Fatalf("unknown session: %d %s", code, body)
	}
	if b := guest.booking(t, co.Booking.ID); b.Status != "PENDING_PAYMENT" {
		t.Fatalf("rejected webhooks changed the booking: %+v", b)
	}
	for i := range 5 {
		code, body := in.postWebhook(t, ev, testWebhookSecret, time.Now())
		if code != http.StatusOK || (i > 0) != strings.Contains(body, "duplicate") {
			t.Fatalf("delivery %d: %d %s", i+1, code, body)
		}
	}
	guest.awaitStatus(t, co.Booking.ID, "CONFIRMED", 5*time.Second)
	// A failure arriving after the success moves nothing backwards.
	late := ev
	late.ID, late.Type = "evt_test_failed_late", payment.EventPaymentFailed
	if code, body := in.postWebhook(t, late, testWebhookSecret, time.Now()); code != http.StatusOK {
		t.Fatalf("late failure: %d %s", code, body)
	}
	if b := guest.booking(t, co.Booking.ID); b.Status != "CONFIRMED" {
		t.Fatalf("a late failure moved the booking to %s", b.Status)
	}
	for _, seat := range seats {
		if st, _ := guest.seatMap(t, showID).status(seat); st != "BOOKED" {
			t.Fatalf("seat %s is %s", seat, st)
		}
	}
}

// TestPaymentAfterExpiry: the buyer paid in time but no webhook arrived; the booking expired and
// its seats were freed. Seats still free: reconciliation finds the payment and CONFIRMS the
// booking. Seats taken meanwhile: the late webhook FAILS the booking (SEATS_TAKEN) and the
// payment is refunded in full.
func TestPaymentAfterExpiry(t *testing.T) {
	t.Parallel()
	for _, taken := range []bool{false, true} {
		t.Run(fmt.Sprintf("seatsTaken=%v", taken), func(t *testing.T) {
			t.Parallel()
			reconcile := "6s"
			if taken {
				reconcile = "1h" // the test delivers the event itself, while the rival's short hold lives
			}
			in := start(t, "--demo", "--hold-ttl=2s", "--public-url=http://127.0.0.1:9", "--payment-reconcile-interval="+reconcile,
				"--payment-webhook-secret="+testWebhookSecret)
			showID := aShow(t, in)
			guest, rival := in.newClient(t), in.newClient(t)
			seats := rowRun(t, guest.seatMap(t, showID), 2)[:2]
			co := guest.checkout(t, showID, seats)
			if code, _ := in.pay(t, co.PaymentURL, "success"); code != http.StatusSeeOther {
				t.Fatalf("pay: HTTP %d", code)
			}
			expired := guest.awaitStatus(t, co.Booking.ID, "EXPIRED", 10*time.Second)
			if expired.Reason == nil || *expired.Reason != "PAYMENT_TIMEOUT" {
				t.Fatalf("expired booking %+v", expired)
			}
			if taken {
				var h struct{ HoldSeats holdNode }
				expectOK(t, rival.do(t, `mutation($s: ID!, $seats: [ID!]!) { holdSeats(showId: $s, seatIds: $seats) { id } }`,
					map[string]any{"s": showID, "seats": seats}), &h)
				if code, body := in.postWebhook(t, co.paidEvent("evt_late_success"), testWebhookSecret, time.Now()); code != http.StatusOK {
					t.Fatalf("late success: %d %s", code, body)
				}
				b := guest.awaitStatus(t, co.Booking.ID, "FAILED", 5*time.Second)
				if b.Reason == nil || *b.Reason != "SEATS_TAKEN" || b.Refund == nil || b.Refund.Amount != b.Total.Amount {
					t.Fatalf("late payment for taken seats: %+v", b)
				}
				for _, seat := range seats {
					if st, _ := rival.seatMap(t, showID).status(seat); st != "HELD" {
						t.Fatalf("seat %s is %s, want still HELD by the rival", seat, st)
					}
				}
				return
			}
			guest.awaitStatus(t, co.Booking.ID, "CONFIRMED", 30*time.Second)
			for _, seat := range seats {
				if st, _ := guest.seatMap(t, showID).status(seat); st != "BOOKED" {
					t.Fatalf("seat %s is %s", seat, st)
				}
			}
		})
	}
}

// TestConcurrentBuyersNeverDoubleBook: 200 buyers race for the best seats of one show. Each
// holds 4, checks out and pays; the provider's webhook then arrives after a random delay of up to
// 3 s — some after the 2 s hold expired and another buyer took the seats. Afterwards every seat is
// booked at most once, every confirmed booking owns its seats, and what was confirmed plus what
// is refunded adds up to what was paid.
func TestConcurrentBuyersNeverDoubleBook(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo", "--hold-ttl=2s", "--public-url=http://127.0.0.1:9", "--payment-reconcile-interval=1h",
		"--payment-webhook-secret="+testWebhookSecret)
	showID := aShow(t, in)
	const buyers = 200
	type paid struct {
		bookingID string
		total     int
	}
	results := make(chan paid, buyers)
	sem := make(chan struct{}, 40)
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c := in.newClient(t)
			var h struct{ HoldBestAvailable holdNode }
			r := c.do(t, `mutation($s: ID!) { holdBestAvailable(showId: $s, count: 4) { id } }`, map[string]any{"s": showID})
			if len(r.Errors) > 0 {
				return // sold out for now
			}
			expectOK(t, r, &h)
			var d struct{ Checkout checkoutNode }
			r = c.do(t, `mutation($h: ID!, $g: GuestInput) { checkout(holdId: $h, guest: $g) { booking { `+bookingFields+` } paymentUrl } }`,
				map[string]any{"h": h.HoldBestAvailable.ID, "g": map[string]any{"email": fmt.Sprintf("buyer%d@example.com", i), "phone": "9876543210"}})
			if len(r.Errors) > 0 {
				if r.Errors[0].Code() != "HOLD_EXPIRED" {
					t.Errorf("checkout: %v", r.Errors)
				}
				return
			}
			expectOK(t, r, &d)
			if code, _ := in.pay(t, d.Checkout.PaymentURL, "success"); code != http.StatusSeeOther {
				return // the session ended before the buyer paid: nothing was charged
			}
			results <- paid{bookingID: d.Checkout.Booking.ID, total: d.Checkout.Booking.Total.Amount}
			time.Sleep(time.Duration(i%31) * 100 * time.Millisecond) // the provider is slow, for some very slow
			if code, body := in.postWebhook(t, d.Checkout.paidEvent("evt_race_"+d.Checkout.Booking.ID), testWebhookSecret, time.Now()); code != http.StatusOK {
				t.Errorf("webhook: %d %s", code, body)
			}
		}()
	}
	wg.Wait()
	close(results)
	admin := in.login(t, "admin@demo.marquee", "demo-admin")
	var sumPaid, sumConfirmed, sumRefunded, confirmed, failed int
	owner := map[string]string{}
	for p := range results {
		sumPaid += p.total
		var d struct{ Booking bookingNode }
		expectOK(t, in.graphqlAs(t, admin.AccessToken, `query($id: ID!) { booking(id: $id) { `+bookingFields+` } }`, map[string]any{"id": p.bookingID}), &d)
		b := d.Booking
		switch {
		case b.Status == "CONFIRMED":
			confirmed++
			sumConfirmed += b.Total.Amount
			for _, seat := range b.SeatIds {
				if other, dup := owner[seat]; dup {
					t.Fatalf("seat %s is confirmed for %s and %s", seat, other, b.ID)
				}
				owner[seat] = b.ID
			}
		case b.Status == "FAILED" && b.Reason != nil && *b.Reason == "SEATS_TAKEN" && b.Refund != nil:
			failed++
			sumRefunded += b.Refund.Amount
		default:
			t.Fatalf("a paid booking ended as %+v", b)
		}
	}
	if sumConfirmed+sumRefunded != sumPaid {
		t.Fatalf("confirmed %d + refunded %d != paid %d", sumConfirmed, sumRefunded, sumPaid)
	}
	m := in.newClient(t).seatMap(t, showID)
	booked := 0
	for _, r := range m.Rows {
		for _, c := range r.Cells {
			if c.Seat != nil && c.Seat.Status == "BOOKED" {
				booked++
				if _, ok := owner[c.Seat.ID]; !ok {
					t.Fatalf("seat %s is BOOKED but no confirmed booking has it", c.Seat.ID)
				}
			}
		}
	}
	if booked != len(owner) {
		t.Fatalf("%d seats BOOKED on the map, %d in confirmed bookings", booked, len(owner))
	}
	t.Logf("%d buyers: %d paid and confirmed, %d paid and refunded (seats taken), %d seats booked", buyers, confirmed, failed, booked)
	if confirmed == 0 {
		t.Fatal("no booking was confirmed")
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// TestWebhookDeliveryResumesAfterRestart: the buyer pays while the site's webhook address does
// not answer; the server restarts (on that address, with the same data); the provider's retried
// delivery then confirms the booking.
func TestWebhookDeliveryResumesAfterRestart(t *testing.T) {
	t.Parallel()
	dir, later := t.TempDir(), freeAddr(t)
	first := start(t, "--demo", "--data-dir="+dir, "--public-url=http://"+later)
	showID := aShow(t, first)
	guest := first.newClient(t)
	seats := rowRun(t, guest.seatMap(t, showID), 2)[:2]
	co := guest.checkout(t, showID, seats)
	if code, _ := first.pay(t, co.PaymentURL, "success"); code != http.StatusSeeOther {
		t.Fatalf("pay: HTTP %d", code)
	}
	time.Sleep(time.Second) // a first delivery attempt fails
	if b := guest.booking(t, co.Booking.ID); b.Status != "PENDING_PAYMENT" {
		t.Fatalf("booking is %s before any webhook arrived", b.Status)
	}
	first.stop()

	second := start(t, "--demo", "--data-dir="+dir, "--http-addr="+later, "--public-url=http://"+later)
	again := second.newClient(t)
	again.http.Jar = guest.http.Jar // the same browser
	for _, c := range guest.http.Jar.Cookies(mustURL(t, first.HTTP)) {
		again.http.Jar.SetCookies(mustURL(t, second.HTTP), []*http.Cookie{c})
	}
	b := again.awaitStatus(t, co.Booking.ID, "CONFIRMED", 30*time.Second)
	if b.Reference != co.Booking.Reference {
		t.Fatalf("booking after restart %+v", b)
	}
	for _, seat := range seats {
		if st, _ := again.seatMap(t, showID).status(seat); st != "BOOKED" {
			t.Fatalf("seat %s is %s", seat, st)
		}
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCancelShowRefundsEveryBooking: cancelling a show cancels and fully refunds its bookings.
func TestCancelShowRefundsEveryBooking(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo")
	showID := aShow(t, in)
	guest := in.newClient(t)
	seats := rowRun(t, guest.seatMap(t, showID), 2)[:2]
	co := guest.checkout(t, showID, seats)
	in.pay(t, co.PaymentURL, "success")
	guest.awaitStatus(t, co.Booking.ID, "CONFIRMED", 20*time.Second)

	owner := in.login(t, "owner@demo.marquee", "demo-owner")
	expectOK(t, in.graphqlAs(t, owner.AccessToken, `mutation($id: ID!) { cancelShow(id: $id) { id status } }`, map[string]any{"id": showID}), nil)
	b := guest.awaitStatus(t, co.Booking.ID, "REFUNDED", 20*time.Second)
	if b.Reason == nil || *b.Reason != "SHOW_CANCELLED" || b.Refund == nil || b.Refund.Amount != b.Total.Amount {
		t.Fatalf("booking of a cancelled show: %+v", b)
	}
	var sales struct {
		ShowSales []struct{ TicketsSold, Capacity int }
	}
	expectOK(t, in.graphqlAs(t, owner.AccessToken, `query($id: ID!) { showSales(showIds: [$id]) { ticketsSold capacity } }`,
		map[string]any{"id": showID}), &sales)
	if len(sales.ShowSales) != 1 || sales.ShowSales[0].TicketsSold != 0 || sales.ShowSales[0].Capacity == 0 {
		t.Fatalf("sales of a cancelled show: %+v", sales.ShowSales)
	}
}

// TestSignedInCheckoutAndCancellationCutOff: a signed-in buyer is not asked for contact details;
// a theatre whose cut-off is a week refuses cancelling tomorrow's show.
func TestSignedInCheckoutAndCancellationCutOff(t *testing.T) {
	t.Parallel()
	in := start(t, "--demo")
	admin := in.login(t, "admin@demo.marquee", "demo-admin")
	var th struct{ CreateTheatre struct{ ID string } }
	expectOK(t, in.graphqlAs(t, admin.AccessToken, `mutation($c: ID!) { createTheatre(input: {name: "Strict Cinema", cityId: $c,
		address: "1 Rule Road", location: {lat: 19.07, lng: 72.87}, cancellationCutoffMinutes: 10080}) { id cancellationCutoffMinutes refundFeesOnCancel } }`,
		map[string]any{"c": demo.FirstCityID()}), &th)
	var sc struct{ AddScreen struct{ ID string } }
	expectOK(t, in.graphqlAs(t, admin.AccessToken, `mutation($t: ID!) { addScreen(theatreId: $t, input: {name: "One", formats: ["2D"], layout: {
		categories: [{code: "CLASSIC", name: "Classic"}],
		rows: [{label: "A", cells: [{number: 1, category: "CLASSIC"}, {number: 2, category: "CLASSIC"}, {number: 3, category: "CLASSIC"}, {number: 4, category: "CLASSIC"}]}]}}) { id } }`,
		map[string]any{"t": th.CreateTheatre.ID}), &sc)
	var mv struct {
		Movies struct {
			Edges []struct {
				Node struct {
					ID        string
					Languages []string
				}
			}
		}
	}
	in.mustQuery(t, `{ movies(first: 1, filter: {format: "2D"}) { edges { node { id languages } } } }`, nil, &mv)
	tomorrow := time.Now().In(time.FixedZone("IST", 5*3600+1800)).AddDate(0, 0, 1).Format(time.DateOnly)
	var sched struct {
		ScheduleShows struct{ Created []struct{ ID string } }
	}
	expectOK(t, in.graphqlAs(t, admin.AccessToken, `mutation($i: ScheduleShowsInput!) { scheduleShows(input: $i) { created { id } } }`,
		map[string]any{"i": map[string]any{"movieId": mv.Movies.Edges[0].Node.ID, "screenId": sc.AddScreen.ID, "fromDate": tomorrow, "toDate": tomorrow,
			"startTimes": []string{"20:00"}, "language": mv.Movies.Edges[0].Node.Languages[0], "format": "2D",
			"prices": []map[string]any{{"category": "CLASSIC", "amount": 20000}}}}), &sched)
	showID := sched.ScheduleShows.Created[0].ID

	var reg struct{ Register session }
	in.mustQuery(t, `mutation { register(input: {email: "Fan@Example.com", password: "popcorn-and-a-long-film", name: "Fan", phone: "9876543210"}) { accessToken user { id } } }`, nil, &reg)
	fan := in.newClient(t)
	fan.token = reg.Register.AccessToken
	var h struct{ HoldSeats holdNode }
	expectOK(t, fan.do(t, `mutation($s: ID!) { holdSeats(showId: $s, seatIds: ["A1", "A2"]) { id } }`, map[string]any{"s": showID}), &h)
	var co struct{ Checkout checkoutNode }
	expectOK(t, fan.do(t, `mutation($h: ID!) { checkout(holdId: $h) { booking { `+bookingFields+` } paymentUrl } }`,
		map[string]any{"h": h.HoldSeats.ID}), &co)
	if b := co.Checkout.Booking; b.Email != "fan@example.com" || b.Guest {
		t.Fatalf("signed-in checkout: %+v", b)
	}
	in.pay(t, co.Checkout.PaymentURL, "success")
	b := fan.awaitStatus(t, co.Checkout.Booking.ID, "CONFIRMED", 20*time.Second)
	if b.Cancellable || b.CancelDeadline == nil || !b.CancelDeadline.Before(time.Now()) {
		t.Fatalf("a booking past its cut-off: %+v", b)
	}
	e := expectCode(t, fan.do(t, `mutation($id: ID!) { cancelBooking(id: $id) { id } }`, map[string]any{"id": b.ID}), "FORBIDDEN")
	if e.Extensions["reason"] != "CANCELLATION_CLOSED" {
		t.Fatalf("cancel after the cut-off: %+v", e)
	}
	var mine struct{ MyBookings []bookingNode }
	expectOK(t, fan.do(t, `{ myBookings { id status } }`, nil), &mine)
	if len(mine.MyBookings) != 1 || mine.MyBookings[0].ID != b.ID {
		t.Fatalf("myBookings %+v", mine.MyBookings)
	}
	// The theatre's admins see it, with the show's sales.
	var sales struct {
		ShowBookings []struct{ ID string }
		ShowSales    []struct {
			TicketsSold, Capacity, ConfirmedBookings int
			Revenue                                  struct{ Amount int }
		}
	}
	expectOK(t, in.graphqlAs(t, admin.AccessToken, `query($s: ID!) { showBookings(showId: $s) { id } showSales(showIds: [$s]) { ticketsSold capacity confirmedBookings revenue { amount } } }`,
		map[string]any{"s": showID}), &sales)
	if len(sales.ShowBookings) != 1 || len(sales.ShowSales) != 1 || sales.ShowSales[0].TicketsSold != 2 || sales.ShowSales[0].Capacity != 4 ||
		sales.ShowSales[0].Revenue.Amount != b.Total.Amount {
		t.Fatalf("show bookings %+v, sales %+v", sales.ShowBookings, sales.ShowSales)
	}
	expectCode(t, fan.do(t, `query($s: ID!) { showSales(showIds: [$s]) { ticketsSold } }`, map[string]any{"s": showID}), "FORBIDDEN")
}

// TestCheckoutSplitOverTCP: the gateway in one process, every service in another. The services
// call each other with service tokens; the payment pages and webhooks are the services
// process's (its address is the default --public-url).
func TestCheckoutSplitOverTCP(t *testing.T) {
	t.Parallel()
	signing, verifying := sharedKeys(t)
	sessionKey := "--session-key=" + base64.StdEncoding.EncodeToString([]byte("a session key of 32 bytes or more, for the test"))
	services := start(t, "--target=user,movie,theatre,show,booking,payment", "--demo", signing, sessionKey)
	gw := start(t, "--target=gateway", "--grpc-addr=", "--services-addr="+services.GRPC, verifying, sessionKey)
	showID := aShow(t, gw)
	guest := gw.newClient(t)
	seats := rowRun(t, guest.seatMap(t, showID), 2)[:2]
	co := guest.checkout(t, showID, seats)
	if !strings.HasPrefix(co.PaymentURL, services.HTTP+"/sandbox/pay/") {
		t.Fatalf("payment page %s is not on the services process %s", co.PaymentURL, services.HTTP)
	}
	if code, _ := services.pay(t, co.PaymentURL, "success"); code != http.StatusSeeOther {
		t.Fatalf("pay: HTTP %d", code)
	}
	guest.awaitStatus(t, co.Booking.ID, "CONFIRMED", 20*time.Second)
}
