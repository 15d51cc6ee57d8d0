package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/payment/paymentsqlite"
	"github.com/marquee-cinema/marquee/internal/payment/sandbox"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

const secret = "whsec_sandbox_test_0123456789abcdef0123456789"

// received is one webhook request as the receiver saw it.
type received struct {
	at    time.Time
	event payment.Event
	err   error // the signature or body was refused
	code  int   // what the receiver answered
}

// receiver is a webhook endpoint on a real HTTP server that verifies every request on its own
// (with payment.Verifier, not the sandbox's code) and answers as told.
type receiver struct {
	t        *testing.T
	verifier *payment.Verifier
	srv      *httptest.Server

	mu      sync.Mutex
	got     []received
	respond func(n int) int // the status for the n-th request (1-based)
	delay   time.Duration   // how long each request takes
	// inFlight and maxInFlight count the requests being served at once.
	inFlight, maxInFlight int
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	v, err := payment.NewVerifier(0, secret)
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, verifier: v, respond: func(int) int { return http.StatusOK }}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	now := time.Now()
	rec := received{at: now}
	if req.Method != http.MethodPost || req.URL.Path != "/webhooks/payments/sandbox" || req.Header.Get("Content-Type") != "application/json" {
		rec.err = io.ErrUnexpectedEOF
	} else if err := r.verifier.Verify(req.Header, body, now); err != nil {
		rec.err = err
	} else {
		rec.event, rec.err = parseEvent(body)
	}
	r.mu.Lock()
	r.inFlight++
	r.maxInFlight = max(r.maxInFlight, r.inFlight)
	delay := r.delay
	r.mu.Unlock()
	time.Sleep(delay)
	r.mu.Lock()
	r.inFlight--
	rec.code = r.respond(len(r.got) + 1)
	r.got = append(r.got, rec)
	r.mu.Unlock()
	w.WriteHeader(rec.code)
}

func (r *receiver) url() string { return r.srv.URL + "/webhooks/payments/sandbox" }

func (r *receiver) setRespond(f func(n int) int) {
	r.mu.Lock()
	r.respond = f
	r.mu.Unlock()
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// accepted returns the verified events the receiver answered 2xx to.
func (r *receiver) accepted() []payment.Event {
	var out []payment.Event
	for _, rec := range r.requests() {
		if rec.err == nil && rec.code/100 == 2 {
			out = append(out, rec.event)
		}
	}
	return out
}

// forSession returns the accepted events of a session.
func (r *receiver) forSession(sessionID string) []payment.Event {
	var out []payment.Event
	for _, e := range r.accepted() {
		if e.SessionID == sessionID {
			out = append(out, e)
		}
	}
	return out
}

// checkAllVerified fails the test if any request was refused by the independent verifier.
func (r *receiver) checkAllVerified() {
	r.t.Helper()
	for _, rec := range r.requests() {
		if rec.err != nil {
			r.t.Errorf("the receiver refused a webhook: %v", rec.err)
		}
	}
}

// parseEvent reads a webhook body the way a receiver would, without the sandbox package.
func parseEvent(body []byte) (payment.Event, error) {
	var p sandbox.EventPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return payment.Event{}, err
	}
	return payment.Event{ID: p.ID, Type: p.Type, SessionID: p.SessionID, PaymentID: p.PaymentID, RefundID: p.RefundID,
		Amount: p.Amount, Currency: p.Currency, CreatedAt: p.CreatedAt, PayloadHash: payment.PayloadHash(body)}, nil
}

// harness is a sandbox provider on SQLite with its pages on a real HTTP server and its worker
// running, delivering to a receiver.
type harness struct {
	t        *testing.T
	p        *sandbox.Provider
	store    sandbox.Store
	pages    *httptest.Server
	rcv      *receiver
	stop     func()
	dbPath   string
	client   *http.Client
	baseConf sandbox.Config
}

// testConfig has short backoffs and polls, so that tests run in milliseconds.
func testConfig(webhookURL string) sandbox.Config {
	return sandbox.Config{WebhookURL: webhookURL, Secrets: []string{secret}, Merchant: "Marquee Cinemas",
		InitialBackoff: 50 * time.Millisecond, MaxBackoff: 400 * time.Millisecond, PollInterval: 10 * time.Millisecond,
		Lease: 2 * time.Second, RefundDelay: 100 * time.Millisecond, Client: &http.Client{Timeout: 2 * time.Second}}
}

func openStore(t *testing.T, path string) (sandbox.Store, func()) {
	t.Helper()
	db, err := sqlitedb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := paymentsqlite.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s.Sandbox, func() { _ = db.Close() }
}

// newHarness starts a harness; edit adjusts the configuration; the worker runs unless noRun.
func newHarness(t *testing.T, edit func(*sandbox.Config), noRun bool) *harness {
	t.Helper()
	h := &harness{t: t, rcv: newReceiver(t), dbPath: filepath.Join(t.TempDir(), "marquee.db"),
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	var store sandbox.Store
	var closeDB func()
	store, closeDB = openStore(t, h.dbPath)
	h.store = store
	var handler http.Handler = http.NotFoundHandler()
	var mu sync.Mutex
	h.pages = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hd := handler
		mu.Unlock()
		hd.ServeHTTP(w, r)
	}))
	t.Cleanup(h.pages.Close)
	cfg := testConfig(h.rcv.url())
	cfg.BaseURL = h.pages.URL
	if edit != nil {
		edit(&cfg)
	}
	h.baseConf = cfg
	p, err := sandbox.New(store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.p = p
	mu.Lock()
	handler = p.Handler()
	mu.Unlock()
	h.stop = func() {}
	if !noRun {
		h.stop = startWorker(t, p)
	}
	t.Cleanup(func() { h.stop(); closeDB() })
	return h
}

// startWorker runs p.Run and returns a function that stops it and waits for it to return.
func startWorker(t *testing.T, p *sandbox.Provider) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
}

var sessionSeq struct {
	sync.Mutex
	n int
}

// session creates a session of 100620 paise (₹1,006.20) expiring in ten minutes.
func (h *harness) session(edit func(*payment.SessionRequest)) payment.Session {
	h.t.Helper()
	sessionSeq.Lock()
	sessionSeq.n++
	n := sessionSeq.n
	sessionSeq.Unlock()
	req := payment.SessionRequest{PaymentID: "pay-" + time.Now().Format("150405.000000000") + "-" + strconv.Itoa(n), BookingRef: "MQ-7K2P9X",
		Amount: 100620, Currency: "INR", Description: "2 × Recliner · Dune", ExpiresAt: time.Now().Add(10 * time.Minute)}
	if edit != nil {
		edit(&req)
	}
	s, err := h.p.CreateSession(context.Background(), req)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func (h *harness) get(u string) (int, string) {
	h.t.Helper()
	resp, err := h.client.Get(u)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (h *harness) post(u, outcome string) (*http.Response, string) {
	h.t.Helper()
	resp, err := h.client.PostForm(u, url.Values{"outcome": {outcome}})
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func distinctIDs(events []payment.Event) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range events {
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e.ID)
		}
	}
	return out
}

func sessionIDOf(s payment.Session) string { return s.URL[strings.LastIndex(s.URL, "/")+1:] }
