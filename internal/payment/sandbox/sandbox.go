// Package sandbox is Marquee's built-in payment provider: an in-process fake payment service
// provider that behaves like a real one, so that the whole purchase flow runs — and is tested —
// without any account anywhere.
//
// CreateSession stores a session and returns the URL of its hosted page, <BaseURL>/sandbox/pay/<id>.
// Handler serves that page: GET shows the merchant, the booking reference, the amount and Pay and
// Decline buttons; POST with outcome=success or outcome=decline completes the session, once (a
// second completion changes nothing), and queues a webhook event. Run delivers queued events to
// Config.WebhookURL, signed (payment.SignatureHeader) and asynchronously, retrying with
// exponential backoff until the receiver answers 2xx or Config.MaxAge passes. The queue is stored,
// so deliveries survive a restart, and claimed with a lease, so several instances can run it at
// once. Like a real provider it does not promise exactly-once delivery: a delivery whose lease ran
// out is sent again, and Config.DuplicateRate adds deliberate duplicates.
//
// Events are JSON (EventPayload): payment.succeeded, payment.failed (declined) and
// refund.succeeded (Refund records a refund that succeeds, and is announced, Config.RefundDelay
// later). Event ids are unique per event; every delivery of an event carries the same id.
package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/payment"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Name is the sandbox provider's name, as in /webhooks/payments/sandbox.
const Name = "sandbox"

// PagePath is the path prefix of the hosted payment pages; mount Handler there.
const PagePath = "/sandbox/pay/"

// The errs reasons the sandbox adds to payment's.
const (
	ReasonSessionExpired   = "SESSION_EXPIRED"
	ReasonSessionCancelled = "SESSION_CANCELLED"
	ReasonSessionNotPaid   = "SESSION_NOT_PAID"
	ReasonRefundExceeds    = "REFUND_EXCEEDS_PAYMENT"
	ReasonKeyReused        = "IDEMPOTENCY_KEY_REUSED"
)

// Defaults of Config.
const (
	DefaultMerchant       = "Marquee"
	DefaultInitialBackoff = 500 * time.Millisecond
	DefaultMaxBackoff     = time.Hour
	DefaultMaxAge         = 24 * time.Hour
	DefaultLease          = time.Minute
	DefaultPollInterval   = time.Second
	DefaultBatchSize      = 32
	DefaultConcurrency    = 64
	DefaultRefundDelay    = 2 * time.Second
	DefaultRecoverAfter   = 30 * time.Second
	DefaultRequestTimeout = 10 * time.Second
)

// Config configures the sandbox. BaseURL, WebhookURL and Secrets are required; zero values of the
// rest take the defaults.
type Config struct {
	// BaseURL is the public base URL of the hosted pages, e.g. http://127.0.0.1:8080.
	BaseURL string
	// WebhookURL receives the events, e.g. http://127.0.0.1:8080/webhooks/payments/sandbox.
	WebhookURL string
	// Secrets sign the webhooks, one v1 signature each, and VerifyWebhook accepts any of them:
	// list the new secret and the old one while rotating. See payment.LoadOrCreateSecret.
	Secrets []string
	// Merchant is the name shown on the hosted page (default DefaultMerchant).
	Merchant string
	// Clock tells the time (default the system clock).
	Clock clock.Clock
	// Client sends the webhooks (default: DefaultRequestTimeout per request, a kept-alive
	// connection per attempt in flight). Redirects are
	// never followed: a 3xx answer is a failed attempt, as at real providers.
	Client *http.Client
	// Log receives delivery failures and give-ups; never payloads or secrets (default: discard).
	Log *slog.Logger

	// InitialBackoff is the wait after the first failed attempt; each further failure doubles it,
	// up to MaxBackoff (defaults 0.5 s and 1 h), plus up to 10% jitter.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// MaxAge is how long after an event was created its delivery is attempted before it is given
	// up (default 24 h). MaxAttempts, when positive, also bounds the attempts.
	MaxAge      time.Duration
	MaxAttempts int
	// Lease is how long a claimed delivery belongs to its claimer; it must be well above the
	// request timeout (default 1 min).
	Lease time.Duration
	// PollInterval is how often Run looks for due deliveries when not woken by a new event
	// (default 1 s).
	PollInterval time.Duration
	// BatchSize is how many deliveries one pass claims, and Concurrency how many of them are sent
	// at once (defaults 32 and 64).
	BatchSize   int
	Concurrency int
	// RefundDelay is how long a refund stays pending before it succeeds and refund.succeeded is
	// sent (default 2 s).
	RefundDelay time.Duration
	// DuplicateRate is the probability, from 0 to 1, that a delivered event is delivered once more
	// (default 0). Real providers duplicate; tests set it to make sure receivers cope.
	DuplicateRate float64
	// RecoverAfter is how old an interrupted session write must be before Run repairs it (default
	// 30 s); see Store.RecoverOutbox.
	RecoverAfter time.Duration
	// Tolerance is VerifyWebhook's timestamp tolerance (default payment.SignatureTolerance).
	Tolerance time.Duration
}

func (c *Config) defaults() error {
	base, err := url.Parse(c.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return errors.New("sandbox: BaseURL must be an absolute http(s) URL")
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	hook, err := url.Parse(c.WebhookURL)
	if err != nil || (hook.Scheme != "http" && hook.Scheme != "https") || hook.Host == "" {
		return errors.New("sandbox: WebhookURL must be an absolute http(s) URL")
	}
	if c.DuplicateRate < 0 || c.DuplicateRate > 1 {
		return errors.New("sandbox: DuplicateRate must be between 0 and 1")
	}
	setDefault(&c.Merchant, DefaultMerchant)
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	setDefault(&c.Concurrency, DefaultConcurrency)
	if c.Client == nil {
		// Keep a connection per attempt in flight: the default transport keeps two per host, so
		// concurrent deliveries would open and close connections all the time.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = c.Concurrency
		c.Client = &http.Client{Timeout: DefaultRequestTimeout, Transport: tr}
	}
	client := *c.Client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Client = &client
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	setDefault(&c.InitialBackoff, DefaultInitialBackoff)
	setDefault(&c.MaxBackoff, DefaultMaxBackoff)
	c.MaxBackoff = max(c.MaxBackoff, c.InitialBackoff)
	setDefault(&c.MaxAge, DefaultMaxAge)
	setDefault(&c.Lease, DefaultLease)
	setDefault(&c.PollInterval, DefaultPollInterval)
	setDefault(&c.BatchSize, DefaultBatchSize)
	setDefault(&c.RefundDelay, DefaultRefundDelay)
	setDefault(&c.RecoverAfter, DefaultRecoverAfter)
	setDefault(&c.Tolerance, payment.SignatureTolerance)
	return nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Provider is the sandbox payment provider: a payment.Provider, the hosted pages (Handler) and
// the webhook delivery worker (Run). It is safe for concurrent use.
type Provider struct {
	store    Store
	cfg      Config
	signer   *payment.Signer
	verifier *payment.Verifier
	// idKey derives session ids from payment ids, so that retried CreateSession calls agree.
	idKey []byte
	wake  chan struct{}
	page  pageRenderer
}

var _ payment.Provider = (*Provider)(nil)

// New returns the sandbox provider on store.
func New(store Store, cfg Config) (*Provider, error) {
	if store == nil {
		return nil, errors.New("sandbox: a store is required")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	signer, err := payment.NewSigner(cfg.Secrets...)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	verifier, err := payment.NewVerifier(cfg.Tolerance, cfg.Secrets...)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	idKey := hmac.New(sha256.New, []byte(strings.TrimSpace(cfg.Secrets[0])))
	idKey.Write([]byte("marquee-sandbox-session-ids"))
	return &Provider{store: store, cfg: cfg, signer: signer, verifier: verifier, idKey: idKey.Sum(nil),
		wake: make(chan struct{}, 1), page: newPageRenderer(cfg.Merchant)}, nil
}

// Name returns Name.
func (p *Provider) Name() string { return Name }

func (p *Provider) now() time.Time { return p.cfg.Clock.Now().UTC() }

// sessionID returns the session id for a payment: derived from the payment id (unguessable
// without the secret), or random when there is none.
func (p *Provider) sessionID(paymentID string) string {
	if paymentID == "" {
		return "cs_" + strings.ReplaceAll(ids.New(), "-", "")
	}
	m := hmac.New(sha256.New, p.idKey)
	m.Write([]byte(paymentID))
	return "cs_" + hex.EncodeToString(m.Sum(nil))[:40]
}

// validSessionID reports whether id could be a session id, so that junk never reaches the store.
func validSessionID(id string) bool {
	if len(id) < 4 || len(id) > 64 || !strings.HasPrefix(id, "cs_") {
		return false
	}
	for _, c := range id[3:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// PageURL returns the URL of a session's hosted page.
func (p *Provider) PageURL(sessionID string) string {
	return p.cfg.BaseURL + PagePath + sessionID
}

// CreateSession stores an open session and returns its hosted page. It is idempotent by
// PaymentID (the session id is derived from it with the first of Config.Secrets): asking again
// for a payment returns its session, whatever its state now; Conflict (ReasonKeyReused) when the
// amount or currency differ from the first request. Without a PaymentID every call opens a new
// session. Invalid for a bad amount, currency, expiry or return URL (an absolute http(s) URL or
// a path).
func (p *Provider) CreateSession(ctx context.Context, req payment.SessionRequest) (payment.Session, error) {
	now := p.now()
	switch {
	case req.Amount <= 0:
		return payment.Session{}, errs.Invalidf("amount", "the amount must be positive")
	case !payment.ValidCurrency(req.Currency):
		return payment.Session{}, errs.Invalidf("currency", "the currency must be an ISO 4217 code such as INR")
	case !req.ExpiresAt.After(now):
		return payment.Session{}, errs.Invalidf("expiresAt", "the session must expire in the future")
	case !validReturnURL(req.ReturnURL):
		return payment.Session{}, errs.Invalidf("returnUrl", "the return URL must be an absolute http(s) URL or a path")
	}
	// Times are kept to the millisecond, as every store does, so that a retry answers the same.
	s := Session{ID: p.sessionID(req.PaymentID), PaymentID: req.PaymentID, BookingRef: req.BookingRef,
		Description: req.Description, ReturnURL: req.ReturnURL, Amount: req.Amount, Currency: req.Currency,
		Status: payment.SessionOpen, CreatedAt: now.Truncate(time.Millisecond), ExpiresAt: req.ExpiresAt.UTC().Truncate(time.Millisecond)}
	err := p.store.CreateSession(ctx, s)
	if errs.Is(err, errs.Conflict) && req.PaymentID != "" {
		existing, gerr := p.store.GetSession(ctx, s.ID)
		if gerr != nil {
			return payment.Session{}, gerr
		}
		if existing.PaymentID != req.PaymentID || existing.Amount != req.Amount || existing.Currency != req.Currency {
			return payment.Session{}, errs.E(errs.Conflict, "payment %s already has a session for another amount", req.PaymentID).
				WithReason(ReasonKeyReused)
		}
		s, err = existing, nil
	}
	if err != nil {
		return payment.Session{}, err
	}
	return payment.Session{ID: s.ID, URL: p.PageURL(s.ID), ExpiresAt: s.ExpiresAt}, nil
}

func validReturnURL(s string) bool {
	if s == "" {
		return true
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		_, err := url.Parse(s)
		return err == nil
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// errUnchanged stops UpdateSession from writing when there is nothing to change.
var errUnchanged = errors.New("unchanged")

// update runs UpdateSession and returns the session as stored, and whether fn changed it.
func (p *Provider) update(ctx context.Context, id string, fn func(*Session) ([]Delivery, error)) (Session, bool, error) {
	if !validSessionID(id) {
		return Session{}, false, errs.NotFoundf("payment session not found")
	}
	s, err := p.store.UpdateSession(ctx, id, fn)
	if errors.Is(err, errUnchanged) {
		s, err = p.store.GetSession(ctx, id)
		return s, false, err
	}
	return s, err == nil, err
}

// Outcome is the buyer's choice on the hosted page.
type Outcome string

// The outcomes.
const (
	OutcomeSuccess Outcome = "success"
	OutcomeDecline Outcome = "decline"
)

// Complete records the buyer's choice on an open session, as the hosted page's POST does: PAID
// or DECLINED, with its event queued for delivery. It happens once: completing a completed
// session changes nothing and returns it with false. NotFound for an unknown session; Conflict
// with reason ReasonSessionExpired or ReasonSessionCancelled when it can no longer be paid;
// Invalid for another outcome.
func (p *Provider) Complete(ctx context.Context, sessionID string, outcome Outcome) (Session, bool, error) {
	status, typ := payment.SessionPaid, payment.EventPaymentSucceeded
	switch outcome {
	case OutcomeSuccess:
	case OutcomeDecline:
		status, typ = payment.SessionDeclined, payment.EventPaymentFailed
	default:
		return Session{}, false, errs.Invalidf("outcome", "the outcome must be success or decline")
	}
	now := p.now()
	s, changed, err := p.update(ctx, sessionID, func(s *Session) ([]Delivery, error) {
		switch {
		case s.Status == payment.SessionCancelled:
			return nil, errs.E(errs.Conflict, "the payment session was cancelled").WithReason(ReasonSessionCancelled)
		case s.Status != payment.SessionOpen:
			return nil, errUnchanged
		case s.Expired(now):
			return nil, errs.E(errs.Conflict, "the payment session has expired").WithReason(ReasonSessionExpired)
		}
		s.Status, s.CompletedAt, s.EventID = status, now, newEventID()
		d, err := p.delivery(s.EventID, typ, *s, "", s.Amount, now, now)
		return []Delivery{d}, err
	})
	if changed {
		p.notify()
	}
	return s, changed, err
}

// CancelSession closes an open session (also one past its expiry) so that it can no longer be
// paid; see payment.Provider.
func (p *Provider) CancelSession(ctx context.Context, sessionID string) error {
	_, _, err := p.update(ctx, sessionID, func(s *Session) ([]Delivery, error) {
		switch s.Status {
		case payment.SessionOpen:
			s.Status = payment.SessionCancelled
			return nil, nil
		case payment.SessionPaid:
			return nil, errs.E(errs.Conflict, "the payment session has been paid").WithReason(payment.ReasonSessionPaid)
		}
		return nil, errUnchanged
	})
	return err
}

// Refund records a refund of a paid session and queues its refund.succeeded event for
// RefundDelay later; see payment.Provider. An empty IdempotencyKey makes every call a new refund.
// Reusing a key with another amount is a Conflict (ReasonKeyReused).
func (p *Provider) Refund(ctx context.Context, req payment.RefundRequest) (payment.Refund, error) {
	if req.Amount <= 0 {
		return payment.Refund{}, errs.Invalidf("amount", "a refund must be positive")
	}
	key := req.IdempotencyKey
	if key == "" {
		key = "auto:" + ids.New()
	}
	now := p.now()
	var out Refund
	_, _, err := p.update(ctx, req.SessionID, func(s *Session) ([]Delivery, error) {
		for _, r := range s.Refunds {
			if r.IdempotencyKey == key {
				if r.Amount != req.Amount {
					return nil, errs.E(errs.Conflict, "the idempotency key was used for a refund of another amount").WithReason(ReasonKeyReused)
				}
				out = r
				return nil, errUnchanged
			}
		}
		if s.Status != payment.SessionPaid {
			return nil, errs.E(errs.Conflict, "the payment session is not paid").WithReason(ReasonSessionNotPaid)
		}
		if s.RefundedAmount+req.Amount > s.Amount {
			return nil, errs.E(errs.Conflict, "the refunds would exceed the payment (%d of %d refunded already)",
				s.RefundedAmount, s.Amount).WithReason(ReasonRefundExceeds)
		}
		out = Refund{ID: "re_" + strings.ReplaceAll(ids.New(), "-", ""), IdempotencyKey: key, EventID: newEventID(),
			Amount: req.Amount, CreatedAt: now, SucceedsAt: now.Add(p.cfg.RefundDelay)}
		s.Refunds = append(s.Refunds, out)
		s.RefundedAmount += out.Amount
		d, err := p.delivery(out.EventID, payment.EventRefundSucceeded, *s, out.ID, out.Amount, out.SucceedsAt, out.SucceedsAt)
		return []Delivery{d}, err
	})
	if err != nil {
		return payment.Refund{}, err
	}
	return payment.Refund{ID: out.ID, Status: out.Status(p.now()), Amount: out.Amount}, nil
}

// SessionStatus reports a session's state; see payment.Provider.
func (p *Provider) SessionStatus(ctx context.Context, sessionID string) (payment.SessionState, error) {
	s, err := p.Session(ctx, sessionID)
	if err != nil {
		return payment.SessionState{}, err
	}
	return s.State(p.now()), nil
}

// Session returns a stored session. NotFound when unknown.
func (p *Provider) Session(ctx context.Context, sessionID string) (Session, error) {
	if !validSessionID(sessionID) {
		return Session{}, errs.NotFoundf("payment session not found")
	}
	return p.store.GetSession(ctx, sessionID)
}

// EventPayload is the JSON body of a sandbox webhook.
type EventPayload struct {
	ID         string            `json:"id"`
	Type       payment.EventType `json:"type"`
	CreatedAt  time.Time         `json:"createdAt"`
	SessionID  string            `json:"sessionId"`
	PaymentID  string            `json:"paymentId,omitempty"`
	BookingRef string            `json:"bookingReference,omitempty"`
	RefundID   string            `json:"refundId,omitempty"`
	// Amount is what was paid or refunded, in minor units of Currency.
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

func newEventID() string { return "evt_" + strings.ReplaceAll(ids.New(), "-", "") }

// delivery builds the first delivery of an event, due at due.
func (p *Provider) delivery(eventID string, typ payment.EventType, s Session, refundID string, amount int64, created, due time.Time) (Delivery, error) {
	body, err := json.Marshal(EventPayload{ID: eventID, Type: typ, CreatedAt: created.UTC(), SessionID: s.ID,
		PaymentID: s.PaymentID, BookingRef: s.BookingRef, RefundID: refundID, Amount: amount, Currency: s.Currency})
	if err != nil {
		return Delivery{}, fmt.Errorf("encode event: %w", err)
	}
	return Delivery{ID: eventID, EventID: eventID, Type: typ, SessionID: s.ID, Payload: body, State: DeliveryPending,
		NextAttemptAt: due, CreatedAt: created}, nil
}

// maxWebhookBody bounds the bodies VerifyWebhook parses.
const maxWebhookBody = 64 << 10

// VerifyWebhook checks a sandbox webhook's signature and parses its event; see payment.Provider.
func (p *Provider) VerifyWebhook(header http.Header, body []byte, now time.Time) (payment.Event, error) {
	if err := p.verifier.Verify(header, body, now); err != nil {
		return payment.Event{}, err
	}
	malformed := func(what string) (payment.Event, error) {
		return payment.Event{}, errs.E(errs.Invalid, "the webhook body is malformed: %s", what).WithReason("MALFORMED_EVENT")
	}
	if len(body) > maxWebhookBody {
		return malformed("too large")
	}
	var e EventPayload
	if err := json.Unmarshal(body, &e); err != nil {
		return malformed("not a JSON event")
	}
	switch {
	case e.ID == "":
		return malformed("no event id")
	case e.Type == "":
		return malformed("no event type")
	case e.SessionID == "":
		return malformed("no session id")
	case e.Amount < 0:
		return malformed("negative amount")
	case e.Currency != "" && !payment.ValidCurrency(e.Currency):
		return malformed("bad currency")
	}
	return payment.Event{ID: e.ID, Type: e.Type, SessionID: e.SessionID, PaymentID: e.PaymentID, RefundID: e.RefundID,
		Amount: e.Amount, Currency: e.Currency, CreatedAt: e.CreatedAt.UTC(), PayloadHash: payment.PayloadHash(body)}, nil
}
