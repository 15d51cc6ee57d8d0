package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

var ctx = context.Background()

func TestPayDeliversOneSucceededEvent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, false)
	s := h.session(nil)
	id := sessionIDOf(s)
	if want := h.pages.URL + "/sandbox/pay/" + id; s.URL != want {
		t.Fatalf("session URL %q, want %q", s.URL, want)
	}

	code, page := h.get(s.URL)
	if code != http.StatusOK {
		t.Fatalf("GET page: %d", code)
	}
	for _, want := range []string{"Marquee Cinemas", "MQ-7K2P9X", "₹1,006.20", `value="success"`, `value="decline"`, "Pay ₹1,006.20", "Decline"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}

	resp, page := h.post(s.URL, "success")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Payment received") {
		t.Fatalf("POST success: %d\n%s", resp.StatusCode, page)
	}
	waitFor(t, "payment.succeeded", 5*time.Second, func() bool { return len(h.rcv.forSession(id)) > 0 })

	// A second completion, either way, changes nothing and sends nothing new.
	if resp, _ := h.post(s.URL, "success"); resp.StatusCode != http.StatusOK {
		t.Errorf("second POST success: %d, want 200 (idempotent)", resp.StatusCode)
	}
	if resp, page := h.post(s.URL, "decline"); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "Payment received") {
		t.Errorf("POST decline after paying: %d, want 409 showing the payment", resp.StatusCode)
	}
	time.Sleep(150 * time.Millisecond) // room for any wrong extra event to arrive

	events := h.rcv.forSession(id)
	if ids := distinctIDs(events); len(ids) != 1 {
		t.Fatalf("%d distinct events delivered (%v), want exactly one", len(ids), ids)
	}
	e := events[0]
	if e.Type != payment.EventPaymentSucceeded || e.Amount != 100620 || e.Currency != "INR" || e.PaymentID == "" || e.CreatedAt.IsZero() {
		t.Errorf("event: %+v", e)
	}
	if !strings.HasPrefix(e.ID, "evt_") {
		t.Errorf("event id %q", e.ID)
	}
	h.rcv.checkAllVerified()

	st, err := h.p.SessionStatus(ctx, id)
	if err != nil || st.Status != payment.SessionPaid || st.Amount != 100620 || st.CompletedAt.IsZero() {
		t.Errorf("SessionStatus: %+v, %v", st, err)
	}
	sess, err := h.p.Session(ctx, id)
	if err != nil || sess.EventID != e.ID {
		t.Errorf("the session records event %q, delivered %q (%v)", sess.EventID, e.ID, err)
	}
	waitFor(t, "the delivery to be recorded", 2*time.Second, func() bool {
		d, err := h.store.GetDelivery(ctx, e.ID)
		return err == nil && d.State == sandbox.DeliveryDelivered
	})
	if code, page := h.get(s.URL); code != http.StatusOK || !strings.Contains(page, "Payment received") || strings.Contains(page, "<form") {
		t.Errorf("the page after paying: %d, form shown: %v", code, strings.Contains(page, "<form"))
	}
}

func TestDeclineDeliversFailedEvent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, false)
	s := h.session(nil)
	id := sessionIDOf(s)
	resp, page := h.post(s.URL, "decline")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Payment declined") {
		t.Fatalf("POST decline: %d\n%s", resp.StatusCode, page)
	}
	waitFor(t, "payment.failed", 5*time.Second, func() bool { return len(h.rcv.forSession(id)) > 0 })
	if resp, _ := h.post(s.URL, "success"); resp.StatusCode != http.StatusConflict {
		t.Errorf("paying after declining: %d, want 409", resp.StatusCode)
	}
	time.Sleep(100 * time.Millisecond)
	events := h.rcv.forSession(id)
	if ids := distinctIDs(events); len(ids) != 1 || events[0].Type != payment.EventPaymentFailed {
		t.Fatalf("events %+v, want one payment.failed", events)
	}
	if st, _ := h.p.SessionStatus(ctx, id); st.Status != payment.SessionDeclined {
		t.Errorf("status %s, want DECLINED", st.Status)
	}
	if _, err := h.p.Refund(ctx, payment.RefundRequest{SessionID: id, Amount: 1}); !errs.Is(err, errs.Conflict) {
		t.Errorf("refund of a declined session: %v, want conflict", err)
	}
	h.rcv.checkAllVerified()
}

func TestRetriesWithBackoffUntil2xx(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, false)
	h.rcv.setRespond(func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	s := h.session(nil)
	id := sessionIDOf(s)
	if _, _, err := h.p.Complete(ctx, id, sandbox.OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the third attempt", 5*time.Second, func() bool { return len(h.rcv.forSession(id)) > 0 })
	reqs := h.rcv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (500, 500, 200)", len(reqs))
	}
	if reqs[0].event.ID != reqs[1].event.ID || reqs[1].event.ID != reqs[2].event.ID {
		t.Error("a retry carried another event id")
	}
	// Backoff: at least InitialBackoff (50ms) before the second attempt, twice that before the third.
	if gap := reqs[1].at.Sub(reqs[0].at); gap < 50*time.Millisecond {
		t.Errorf("second attempt %s after the first, want at least 50ms", gap)
	}
	if gap := reqs[2].at.Sub(reqs[1].at); gap < 100*time.Millisecond {
		t.Errorf("third attempt %s after the second, want at least 100ms", gap)
	}
	waitFor(t, "the delivery to be recorded", 2*time.Second, func() bool {
		d, err := h.store.GetDelivery(ctx, reqs[0].event.ID)
		return err == nil && d.State == sandbox.DeliveryDelivered && d.Attempts == 3
	})
	h.rcv.checkAllVerified()
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *sandbox.Config) { c.MaxAttempts = 2; c.InitialBackoff = 10 * time.Millisecond }, false)
	h.rcv.setRespond(func(int) int { return http.StatusServiceUnavailable })
	s, _, err := h.p.Complete(ctx, sessionIDOf(h.session(nil)), sandbox.OutcomeSuccess)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "giving up", 5*time.Second, func() bool {
		d, err := h.store.GetDelivery(ctx, s.EventID)
		return err == nil && d.State == sandbox.DeliveryFailed
	})
	d, _ := h.store.GetDelivery(ctx, s.EventID)
	if d.Attempts != 2 || !strings.Contains(d.LastError, "503") {
		t.Errorf("failed delivery: attempts %d, last error %q", d.Attempts, d.LastError)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(h.rcv.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestRedirectIsAFailedAttempt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, false)
	h.rcv.setRespond(func(n int) int {
		if n == 1 {
			return http.StatusFound
		}
		return http.StatusNoContent
	})
	s, _, err := h.p.Complete(ctx, sessionIDOf(h.session(nil)), sandbox.OutcomeSuccess)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery", 5*time.Second, func() bool { return len(h.rcv.accepted()) == 1 })
	if n := len(h.rcv.requests()); n != 2 {
		t.Errorf("%d requests, want 2 (a 302, then a 204)", n)
	}
	_ = s
}

// TestDeliveryResumesAfterRestart stops the worker while the receiver is down and starts a new
// sandbox on the same database file: the stored delivery goes out from there.
func TestDeliveryResumesAfterRestart(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, false)
	h.rcv.setRespond(func(int) int { return http.StatusBadGateway })
	s := h.session(nil)
	id := sessionIDOf(s)
	if resp, _ := h.post(s.URL, "success"); resp.StatusCode != http.StatusOK {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	waitFor(t, "a failed attempt", 5*time.Second, func() bool { return len(h.rcv.requests()) >= 1 })
	h.stop() // the process goes away

	h.rcv.setRespond(func(int) int { return http.StatusOK })
	store, closeDB := openStore(t, h.dbPath)
	t.Cleanup(closeDB)
	restarted, err := sandbox.New(store, h.baseConf)
	if err != nil {
		t.Fatal(err)
	}
	before := len(h.rcv.accepted())
	if before != 0 {
		t.Fatalf("%d events accepted before the restart", before)
	}
	stop := startWorker(t, restarted)
	t.Cleanup(stop)
	waitFor(t, "delivery after the restart", 5*time.Second, func() bool { return len(h.rcv.forSession(id)) > 0 })
	if e := h.rcv.forSession(id)[0]; e.Type != payment.EventPaymentSucceeded {
		t.Errorf("event %+v", e)
	}
	if ids := distinctIDs(h.rcv.forSession(id)); len(ids) != 1 {
		t.Errorf("distinct events %v", ids)
	}
	h.rcv.checkAllVerified()
}

// TestLeaseOfADeadInstanceRunsOut has an instance claim a delivery and die holding the lease:
// another instance delivers it once the lease runs out, not before.
func TestLeaseOfADeadInstanceRunsOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, true)
	s, _, err := h.p.Complete(ctx, sessionIDOf(h.session(nil)), sandbox.OutcomeSuccess)
	if err != nil {
		t.Fatal(err)
	}
	lease := 400 * time.Millisecond
	claimed, err := h.store.ClaimDue(ctx, time.Now(), lease, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("the doomed instance's claim: %d, %v", len(claimed), err)
	}
	claimedAt := time.Now()
	stop := startWorker(t, h.p) // the surviving instance
	defer stop()
	waitFor(t, "delivery after the lease", 5*time.Second, func() bool { return len(h.rcv.accepted()) > 0 })
	if got := h.rcv.requests()[0].at.Sub(claimedAt); got < lease-50*time.Millisecond {
		t.Errorf("delivered %s after the claim, inside the dead instance's lease of %s", got, lease)
	}
	if d, _ := h.store.GetDelivery(ctx, s.EventID); d.Attempts < 2 {
		t.Errorf("attempts %d: the dead instance's attempt was not counted", d.Attempts)
	}
}

func TestDuplicatesCarryTheSameEventID(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *sandbox.Config) { c.DuplicateRate = 1; c.InitialBackoff = 10 * time.Millisecond }, false)
	s := h.session(nil)
	id := sessionIDOf(s)
	if resp, _ := h.post(s.URL, "success"); resp.StatusCode != http.StatusOK {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	waitFor(t, "the duplicate", 5*time.Second, func() bool { return len(h.rcv.forSession(id)) >= 2 })
	time.Sleep(100 * time.Millisecond)
	events := h.rcv.forSession(id)
	if len(events) != 2 {
		t.Errorf("%d deliveries, want the event and one duplicate", len(events))
	}
	if ids := distinctIDs(events); len(ids) != 1 {
		t.Errorf("duplicates carry %d event ids, want 1", len(ids))
	}
	if events[0].PayloadHash != events[1].PayloadHash {
		t.Error("a duplicate's body differs")
	}
}

func TestConcurrentCompletionsSendOneEvent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, false)
	s := h.session(nil)
	id := sessionIDOf(s)
	const n = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			outcome := "success"
			if i%2 == 1 {
				outcome = "decline"
			}
			resp, err := h.client.PostForm(s.URL, url.Values{"outcome": {outcome}})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if codes[http.StatusOK]+codes[http.StatusConflict] != n || codes[http.StatusOK] < n/2 {
		t.Errorf("answers %v: want 200 for the winning outcome's side and 409 for the other", codes)
	}
	waitFor(t, "the event", 5*time.Second, func() bool { return len(h.rcv.forSession(id)) > 0 })
	time.Sleep(150 * time.Millisecond)
	events := h.rcv.forSession(id)
	if ids := distinctIDs(events); len(ids) != 1 {
		t.Fatalf("%d distinct events, want 1", len(ids))
	}
	st, _ := h.p.SessionStatus(ctx, id)
	want := payment.SessionPaid
	if events[0].Type == payment.EventPaymentFailed {
		want = payment.SessionDeclined
	}
	if st.Status != want {
		t.Errorf("session %s but event %s", st.Status, events[0].Type)
	}
}

func TestExpiredSessionPage(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Now())
	h := newHarness(t, func(c *sandbox.Config) { c.Clock = clk }, false)
	s := h.session(func(r *payment.SessionRequest) { r.ExpiresAt = clk.Now().Add(10 * time.Minute) })
	id := sessionIDOf(s)
	clk.Advance(10 * time.Minute) // expired at exactly ExpiresAt
	code, page := h.get(s.URL)
	if code != http.StatusGone || !strings.Contains(page, "expired") || strings.Contains(page, "<form") {
		t.Errorf("GET expired page: %d, form shown: %v", code, strings.Contains(page, "<form"))
	}
	resp, page := h.post(s.URL, "success")
	if resp.StatusCode != http.StatusGone || !strings.Contains(page, "expired") {
		t.Errorf("POST to an expired session: %d", resp.StatusCode)
	}
	if _, _, err := h.p.Complete(ctx, id, sandbox.OutcomeSuccess); errs.As(err).Reason != sandbox.ReasonSessionExpired {
		t.Errorf("Complete: %v, want %s", err, sandbox.ReasonSessionExpired)
	}
	if st, _ := h.p.SessionStatus(ctx, id); st.Status != payment.SessionExpired {
		t.Errorf("status %s, want EXPIRED", st.Status)
	}
	if ds, _ := h.store.SessionDeliveries(ctx, id); len(ds) != 0 {
		t.Errorf("an expired session queued %d events", len(ds))
	}
	// The merchant may still cancel it; it stays unpayable.
	if err := h.p.CancelSession(ctx, id); err != nil {
		t.Errorf("cancel an expired session: %v", err)
	}
}

func TestCancelSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, false)
	s := h.session(nil)
	id := sessionIDOf(s)
	if err := h.p.CancelSession(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := h.p.CancelSession(ctx, id); err != nil {
		t.Errorf("cancel twice: %v", err)
	}
	if code, page := h.get(s.URL); code != http.StatusGone || !strings.Contains(page, "cancelled") {
		t.Errorf("GET cancelled page: %d", code)
	}
	if resp, _ := h.post(s.URL, "success"); resp.StatusCode != http.StatusGone {
		t.Errorf("POST to a cancelled session: %d", resp.StatusCode)
	}
	if st, _ := h.p.SessionStatus(ctx, id); st.Status != payment.SessionCancelled {
		t.Errorf("status %s", st.Status)
	}

	paid := h.session(nil)
	if _, _, err := h.p.Complete(ctx, sessionIDOf(paid), sandbox.OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	if err := h.p.CancelSession(ctx, sessionIDOf(paid)); errs.As(err).Reason != payment.ReasonSessionPaid {
		t.Errorf("cancel a paid session: %v, want %s", err, payment.ReasonSessionPaid)
	}
	declined := h.session(nil)
	if _, _, err := h.p.Complete(ctx, sessionIDOf(declined), sandbox.OutcomeDecline); err != nil {
		t.Fatal(err)
	}
	if err := h.p.CancelSession(ctx, sessionIDOf(declined)); err != nil {
		t.Errorf("cancel a declined session: %v, want nil", err)
	}
	if err := h.p.CancelSession(ctx, "cs_0000"); !errs.Is(err, errs.NotFound) {
		t.Errorf("cancel an unknown session: %v", err)
	}
}

func TestRefunds(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, false)
	s := h.session(nil)
	id := sessionIDOf(s)
	if _, err := h.p.Refund(ctx, payment.RefundRequest{SessionID: id, Amount: 100, IdempotencyKey: "k0"}); errs.As(err).Reason != sandbox.ReasonSessionNotPaid {
		t.Errorf("refund of an open session: %v", err)
	}
	if _, _, err := h.p.Complete(ctx, id, sandbox.OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	r1, err := h.p.Refund(ctx, payment.RefundRequest{SessionID: id, Amount: 90000, IdempotencyKey: "refund:p1"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Status != payment.RefundPending || r1.Amount != 90000 || !strings.HasPrefix(r1.ID, "re_") {
		t.Errorf("refund: %+v", r1)
	}
	again, err := h.p.Refund(ctx, payment.RefundRequest{SessionID: id, Amount: 90000, IdempotencyKey: "refund:p1"})
	if err != nil || again.ID != r1.ID {
		t.Errorf("the same key again: %+v, %v; want refund %s", again, err, r1.ID)
	}
	if _, err := h.p.Refund(ctx, payment.RefundRequest{SessionID: id, Amount: 5, IdempotencyKey: "refund:p1"}); errs.As(err).Reason != sandbox.ReasonKeyReused {
		t.Errorf("the same key with another amount: %v", err)
	}
	if _, err := h.p.Refund(ctx, payment.RefundRequest{SessionID: id, Amount: 10621, IdempotencyKey: "k2"}); errs.As(err).Reason != sandbox.ReasonRefundExceeds {
		t.Errorf("refunding more than is left: %v", err)
	}
	if _, err := h.p.Refund(ctx, payment.RefundRequest{SessionID: id, Amount: 0}); !errs.Is(err, errs.Invalid) {
		t.Errorf("refund of 0: %v", err)
	}
	if _, err := h.p.Refund(ctx, payment.RefundRequest{SessionID: "cs_0000", Amount: 1}); !errs.Is(err, errs.NotFound) {
		t.Errorf("refund of an unknown session: %v", err)
	}
	waitFor(t, "refund.succeeded", 5*time.Second, func() bool {
		for _, e := range h.rcv.forSession(id) {
			if e.Type == payment.EventRefundSucceeded {
				return true
			}
		}
		return false
	})
	var refundEvents []payment.Event
	for _, e := range h.rcv.forSession(id) {
		if e.Type == payment.EventRefundSucceeded {
			refundEvents = append(refundEvents, e)
		}
	}
	if e := refundEvents[0]; e.RefundID != r1.ID || e.Amount != 90000 || e.Currency != "INR" {
		t.Errorf("refund event %+v", e)
	}
	if st, _ := h.p.SessionStatus(ctx, id); st.RefundedAmount != 90000 || st.Status != payment.SessionPaid {
		t.Errorf("status after the refund: %+v", st)
	}
	if got, _ := h.p.Refund(ctx, payment.RefundRequest{SessionID: id, Amount: 90000, IdempotencyKey: "refund:p1"}); got.Status != payment.RefundSucceeded {
		t.Errorf("the refund after its delay: %s, want SUCCEEDED", got.Status)
	}
	// The rest can still be refunded, exactly.
	if _, err := h.p.Refund(ctx, payment.RefundRequest{SessionID: id, Amount: 10620, IdempotencyKey: "k3"}); err != nil {
		t.Errorf("refunding the rest: %v", err)
	}
	time.Sleep(150 * time.Millisecond)
	if ids := distinctIDs(h.rcv.forSession(id)); len(ids) != 3 {
		t.Errorf("%d distinct events, want 3 (paid, two refunds)", len(ids))
	}
	h.rcv.checkAllVerified()
}

func TestPageEscapesEverythingItShows(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *sandbox.Config) { c.Merchant = `<script>alert("m")</script> & Sons` }, true)
	s := h.session(func(r *payment.SessionRequest) {
		r.BookingRef = `<img src=x onerror=alert(1)>`
		r.Description = `"><script>alert('d')</script>`
	})
	code, page := h.get(s.URL)
	if code != http.StatusOK {
		t.Fatalf("GET: %d", code)
	}
	for _, bad := range []string{"<script>alert", "<img src=x", `"><script>`} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(&#34;m&#34;)&lt;/script&gt; &amp; Sons", "&lt;img src=x onerror=alert(1)&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks the escaped %q", want)
		}
	}
	// The not-found page shows the merchant too.
	if code, page := h.get(h.pages.URL + "/sandbox/pay/cs_0000"); code != http.StatusNotFound || strings.Contains(page, "<script>alert") {
		t.Errorf("not-found page: %d", code)
	}
}

func TestPageHeadersAndErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, true)
	s := h.session(nil)
	resp, err := h.client.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for k, want := range map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
		"X-Frame-Options": "DENY"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("CSP %q", resp.Header.Get("Content-Security-Policy"))
	}
	cases := []struct {
		method, path, outcome string
		want                  int
	}{
		{"GET", "/sandbox/pay/cs_0123456789abcdef", "", http.StatusNotFound},
		{"GET", "/sandbox/pay/not-a-session", "", http.StatusNotFound},
		{"GET", "/sandbox/pay/cs_%3Cscript%3E", "", http.StatusNotFound},
		{"POST", "/sandbox/pay/cs_0123456789abcdef", "success", http.StatusNotFound},
		{"POST", "/sandbox/pay/" + sessionIDOf(s), "maybe", http.StatusBadRequest},
		{"POST", "/sandbox/pay/" + sessionIDOf(s), "", http.StatusBadRequest},
		{"PUT", "/sandbox/pay/" + sessionIDOf(s), "", http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		var body *strings.Reader
		if tc.outcome != "" {
			body = strings.NewReader(url.Values{"outcome": {tc.outcome}}.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(tc.method, h.pages.URL+tc.path, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s outcome=%q: %d, want %d", tc.method, tc.path, tc.outcome, resp.StatusCode, tc.want)
		}
	}
	if st, _ := h.p.SessionStatus(ctx, sessionIDOf(s)); st.Status != payment.SessionOpen {
		t.Errorf("bad requests changed the session: %s", st.Status)
	}
}

func TestReturnURLRedirect(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, true)
	s := h.session(func(r *payment.SessionRequest) { r.ReturnURL = "/bookings/b1?from=pay" })
	resp, _ := h.post(s.URL, "success")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST: %d, want 303", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if loc.Path != "/bookings/b1" || q.Get("from") != "pay" || q.Get("session_id") != sessionIDOf(s) || q.Get("status") != "paid" {
		t.Errorf("redirected to %s", loc)
	}
}

func TestCreateSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, true)
	req := payment.SessionRequest{PaymentID: "pay-1", BookingRef: "MQ-1", Amount: 500, Currency: "INR",
		ExpiresAt: time.Now().Add(time.Minute)}
	a, err := h.p.CreateSession(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.p.CreateSession(ctx, req)
	if err != nil || b != a {
		t.Errorf("a retry for the same payment: %+v, %v; want %+v", b, err, a)
	}
	other := req
	other.Amount = 600
	if _, err := h.p.CreateSession(ctx, other); !errs.Is(err, errs.Conflict) {
		t.Errorf("the same payment for another amount: %v", err)
	}
	another := req
	another.PaymentID = "pay-2"
	if c, err := h.p.CreateSession(ctx, another); err != nil || c.ID == a.ID {
		t.Errorf("another payment: %+v, %v", c, err)
	}
	bad := map[string]func(r *payment.SessionRequest){
		"amount":     func(r *payment.SessionRequest) { r.Amount = 0 },
		"currency":   func(r *payment.SessionRequest) { r.Currency = "rupees" },
		"expired":    func(r *payment.SessionRequest) { r.ExpiresAt = time.Now().Add(-time.Second) },
		"return URL": func(r *payment.SessionRequest) { r.ReturnURL = "javascript:alert(1)" },
		"return //":  func(r *payment.SessionRequest) { r.ReturnURL = "//evil.test/" },
	}
	for name, edit := range bad {
		r := req
		r.PaymentID = "pay-bad-" + name
		edit(&r)
		if _, err := h.p.CreateSession(ctx, r); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := sandbox.New(h.store, sandbox.Config{BaseURL: "http://x.test", WebhookURL: "http://y.test/"}); err == nil {
		t.Error("a sandbox without a secret was made")
	}
	if _, err := sandbox.New(h.store, sandbox.Config{BaseURL: "x.test", WebhookURL: "http://y.test/", Secrets: []string{secret}}); err == nil {
		t.Error("a sandbox with a relative base URL was made")
	}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, true)
	now := time.Now()
	signer, err := payment.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"evt_1","type":"payment.succeeded","createdAt":"2026-12-01T10:00:00Z","sessionId":"cs_1","paymentId":"p1","amount":100620,"currency":"INR"}`)
	hdr := http.Header{}
	signer.Sign(hdr, body, now)
	e, err := h.p.VerifyWebhook(hdr, body, now)
	if err != nil {
		t.Fatal(err)
	}
	want := payment.Event{ID: "evt_1", Type: payment.EventPaymentSucceeded, SessionID: "cs_1", PaymentID: "p1", Amount: 100620,
		Currency: "INR", CreatedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), PayloadHash: payment.PayloadHash(body)}
	if e != want {
		t.Errorf("event %+v, want %+v", e, want)
	}
	if _, err := h.p.VerifyWebhook(hdr, append(body[:len(body)-1:len(body)-1], ' ', '}'), now); errs.As(err).Reason != payment.ReasonSignatureMismatch {
		t.Errorf("a changed body: %v", err)
	}
	if _, err := h.p.VerifyWebhook(hdr, body, now.Add(6*time.Minute)); errs.As(err).Reason != payment.ReasonTimestampStale {
		t.Errorf("a stale webhook: %v", err)
	}
	for _, b := range []string{`not json`, `{"type":"payment.succeeded","sessionId":"cs_1"}`, `{"id":"e","sessionId":"cs_1"}`,
		`{"id":"e","type":"payment.succeeded"}`, `{"id":"e","type":"x","sessionId":"s","amount":-1}`} {
		signed := http.Header{}
		signer.Sign(signed, []byte(b), now)
		if _, err := h.p.VerifyWebhook(signed, []byte(b), now); errs.As(err).Reason != "MALFORMED_EVENT" {
			t.Errorf("%s: %v, want MALFORMED_EVENT", b, err)
		}
	}
	if _, err := h.p.VerifyWebhook(http.Header{}, body, now); errs.As(err).Reason != payment.ReasonSignatureMissing {
		t.Errorf("unsigned: %v", err)
	}
}

// TestManyEventsAreAllDeliveredWithinTheConcurrency completes many sessions at once against a
// slow receiver: every event arrives, and never more than Concurrency requests are in flight.
func TestManyEventsAreAllDeliveredWithinTheConcurrency(t *testing.T) {
	t.Parallel()
	const concurrency, n = 4, 60
	h := newHarness(t, func(c *sandbox.Config) { c.Concurrency = concurrency; c.BatchSize = 3 }, false)
	h.rcv.mu.Lock()
	h.rcv.delay = 5 * time.Millisecond
	h.rcv.mu.Unlock()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := h.p.Complete(ctx, sessionIDOf(h.session(nil)), sandbox.OutcomeSuccess); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	waitFor(t, "every event", 30*time.Second, func() bool { return len(distinctIDs(h.rcv.accepted())) == n })
	h.rcv.mu.Lock()
	maxInFlight := h.rcv.maxInFlight
	h.rcv.mu.Unlock()
	if maxInFlight > concurrency {
		t.Errorf("%d requests in flight at once, want at most %d", maxInFlight, concurrency)
	}
	if maxInFlight < 2 {
		t.Errorf("at most %d request in flight: deliveries are not concurrent", maxInFlight)
	}
}
