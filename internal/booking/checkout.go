package booking

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/contact"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// Payments is the payment service as the booking service sees it.
type Payments interface {
	// Open opens the payment session of a booking, or returns the one it has.
	Open(ctx context.Context, r PaymentRequest) (PaymentSession, error)
	// Cancel closes a booking's unpaid session. Conflict with reason ReasonPaymentCaptured when
	// the buyer has paid (the payment is then settled through its webhook).
	Cancel(ctx context.Context, bookingID string) error
	// Refund asks for amount of a booking's payment back. Idempotent.
	Refund(ctx context.Context, bookingID string, amount int64, reason string) error
}

// ReasonPaymentCaptured is the errs reason of cancelling a payment the buyer has made.
const ReasonPaymentCaptured = "SESSION_PAID"

// PaymentRequest asks for the payment session of a booking.
type PaymentRequest struct {
	BookingID   string
	Reference   string
	Amount      int64
	Currency    string
	Description string
	ExpiresAt   time.Time
	ReturnPath  string
}

// PaymentSession is where a buyer pays.
type PaymentSession struct {
	URL string
}

// Contact is how to reach a buyer.
type Contact struct {
	Email string
	Phone string
	Name  string
}

// Accounts gives the contact details of the signed-in caller (the user service).
type Accounts interface {
	Me(ctx context.Context) (Contact, error)
}

// CheckoutDeps are what checkout, payments and cancellations need besides the seat engine.
type CheckoutDeps struct {
	Bookings Repository
	Payments Payments
	Accounts Accounts
	// PhoneRegion reads guests' phone numbers without a country code (India when zero).
	PhoneRegion contact.PhoneRegion
}

// EnableCheckout gives the service its bookings, payments and accounts.
func (s *Service) EnableCheckout(d CheckoutDeps) {
	if d.PhoneRegion == (contact.PhoneRegion{}) {
		d.PhoneRegion = contact.India
	}
	s.checkout = d
}

func (s *Service) bookingsEnabled() error {
	if s.checkout.Bookings == nil || s.checkout.Payments == nil {
		return errs.E(errs.Unavailable, "checkout is not enabled in this process")
	}
	return nil
}

// DefaultCancellationCutoff is the cut-off of theatres that set none.
const DefaultCancellationCutoff = 2 * time.Hour

// Reason of a checkout of a hold that is being paid for (extendHold after checkout).
const ReasonHoldInCheckout = "HOLD_IN_CHECKOUT"

// CheckoutRequest starts paying for a hold.
type CheckoutRequest struct {
	HoldID string
	// Guest is required without an account, and ignored with one.
	Guest *Contact
	// ReturnPath is where the payment page sends the buyer; default /bookings/{id}.
	ReturnPath string
}

// View is a booking as one caller sees it.
type View struct {
	Booking
	// Cancellable: the caller may cancel it now; CancelDeadline: until when its buyer may.
	Cancellable    bool
	CancelDeadline time.Time
}

// Checkout turns the caller's hold into a booking awaiting payment, at the hold's quote, and
// opens its payment session, which ends with the hold. Checking out a hold again returns its
// booking (and opens the session should the first attempt have failed before it).
func (s *Service) Checkout(ctx context.Context, r CheckoutRequest) (View, error) {
	if err := s.bookingsEnabled(); err != nil {
		return View{}, err
	}
	owner, err := ownerOf(ctx)
	if err != nil {
		return View{}, err
	}
	if r.ReturnPath != "" && (!strings.HasPrefix(r.ReturnPath, "/") || strings.HasPrefix(r.ReturnPath, "//") || len(r.ReturnPath) > 500) {
		return View{}, errs.Invalidf("returnPath", "the return path must be a path on this site, like /bookings/123")
	}
	if b, err := s.checkout.Bookings.GetByHold(ctx, r.HoldID); err == nil {
		if b.OwnerID != owner {
			return View{}, errs.NotFoundf("hold not found")
		}
		if b, err = s.openPayment(ctx, b, r.ReturnPath); err != nil {
			return View{}, err
		}
		return s.view(ctx, b), nil
	} else if !errs.Is(err, errs.NotFound) {
		return View{}, err
	}
	h, err := s.GetHold(ctx, r.HoldID)
	if err != nil {
		return View{}, err
	}
	buyer, userID, err := s.buyer(ctx, r.Guest)
	if err != nil {
		return View{}, err
	}
	sh, err := s.catalogue.Show(ctx, h.ShowID)
	if err != nil {
		return View{}, err
	}
	if !sh.Scheduled {
		return View{}, errs.E(errs.Conflict, "the show was cancelled")
	}
	now := s.clock.Now().UTC()
	b := Booking{ShowID: h.ShowID, TheatreID: sh.TheatreID, HoldID: h.ID, OwnerID: owner, UserID: userID,
		Email: buyer.Email, Name: buyer.Name, Phone: buyer.Phone, SeatIDs: h.SeatIDs, Quote: h.Quote,
		Status: StatusPendingPayment, ShowStartsAt: sh.StartsAt, CreatedAt: now, ExpiresAt: h.ExpiresAt, UpdatedAt: now}
	// The payment session is opened first, so that the booking is stored once, with its payment
	// page. When the booking is then refused, its session (never shown to anyone) is cancelled.
	for attempt := 0; ; attempt++ {
		b.ID = ids.New()
		if b.Reference, err = NewReference(); err != nil {
			return View{}, fmt.Errorf("booking reference: %w", err)
		}
		sess, err := s.checkout.Payments.Open(ctx, s.paymentRequest(b, r.ReturnPath))
		if err != nil {
			return View{}, fmt.Errorf("open the payment: %w", err)
		}
		b.PaymentURL = sess.URL
		err = s.checkout.Bookings.Create(ctx, b)
		if err == nil {
			break
		}
		if cerr := s.checkout.Payments.Cancel(context.WithoutCancel(ctx), b.ID); cerr != nil {
			s.log.WarnContext(ctx, "cancel the payment of a booking that was not stored", "booking", b.ID, "error", cerr)
		}
		if e := errs.As(err); e.Code == errs.Conflict && e.Reason == ReasonHoldCheckedOut {
			// A concurrent checkout of the same hold won: answer with its booking.
			if b, err = s.checkout.Bookings.GetByHold(ctx, h.ID); err != nil {
				return View{}, err
			}
			if b, err = s.openPayment(ctx, b, r.ReturnPath); err != nil {
				return View{}, err
			}
			break
		}
		if !errs.Is(err, errs.Conflict) || attempt == 4 {
			return View{}, fmt.Errorf("create booking: %w", err)
		}
		// A reference collision: draw another, with a new booking and session.
	}
	return s.view(ctx, b), nil
}

// buyer returns who is buying: the signed-in user (not asked again), or the guest's details.
func (s *Service) buyer(ctx context.Context, guest *Contact) (Contact, string, error) {
	if id, ok := auth.FromContext(ctx); ok {
		c, err := s.checkout.Accounts.Me(ctx)
		if err != nil {
			return Contact{}, "", fmt.Errorf("the buyer's account: %w", err)
		}
		return c, id.UserID, nil
	}
	if guest == nil {
		return Contact{}, "", errs.Invalidf("guest", "a guest checkout needs an e-mail address and a phone number; or sign in")
	}
	email, err := contact.NormalizeEmail(guest.Email)
	if err != nil {
		return Contact{}, "", err
	}
	if strings.TrimSpace(guest.Phone) == "" {
		return Contact{}, "", errs.Invalidf("phone", "a guest checkout needs a phone number")
	}
	phone, err := contact.NormalizePhone(guest.Phone, s.checkout.PhoneRegion)
	if err != nil {
		return Contact{}, "", err
	}
	name := strings.TrimSpace(guest.Name)
	if utf8.RuneCountInString(name) > 100 {
		return Contact{}, "", errs.Invalidf("name", "a name has at most 100 characters")
	}
	return Contact{Email: email, Phone: phone, Name: name}, "", nil
}

// paymentRequest asks for the payment session of b; the buyer comes back to returnPath, by
// default the booking's page.
func (s *Service) paymentRequest(b Booking, returnPath string) PaymentRequest {
	if returnPath == "" {
		returnPath = "/bookings/" + b.ID
	}
	return PaymentRequest{BookingID: b.ID, Reference: b.Reference, Amount: b.Quote.Total, Currency: b.Quote.Currency,
		Description: s.describe(b), ExpiresAt: b.ExpiresAt, ReturnPath: returnPath}
}

// openPayment makes sure a pending booking has its payment session.
func (s *Service) openPayment(ctx context.Context, b Booking, returnPath string) (Booking, error) {
	if b.Status != StatusPendingPayment || b.PaymentURL != "" {
		return b, nil
	}
	sess, err := s.checkout.Payments.Open(ctx, s.paymentRequest(b, returnPath))
	if err != nil {
		return b, fmt.Errorf("open the payment: %w", err)
	}
	return s.checkout.Bookings.Update(ctx, b.ID, func(x *Booking) error {
		x.PaymentURL = sess.URL
		return nil
	})
}

func (s *Service) describe(b Booking) string {
	n := len(b.SeatIDs)
	word := "tickets"
	if n == 1 {
		word = "ticket"
	}
	return fmt.Sprintf("%d %s: %s", n, word, strings.Join(b.SeatIDs, ", "))
}

// view is b as the caller sees it, with whether (and until when) it may be cancelled.
func (s *Service) view(ctx context.Context, b Booking) View {
	v := View{Booking: b}
	if b.Status != StatusConfirmed {
		return v
	}
	cutoff := DefaultCancellationCutoff
	if th, err := s.catalogue.Theatre(ctx, b.TheatreID); err == nil && th.CancellationCutoff > 0 {
		cutoff = th.CancellationCutoff
	}
	v.CancelDeadline = b.ShowStartsAt.Add(-cutoff)
	id, _ := auth.FromContext(ctx)
	owner, _ := ownerOf(ctx)
	v.Cancellable = (owner == b.OwnerID || id.IsAdmin()) && s.clock.Now().Before(v.CancelDeadline)
	return v
}

// GetBooking returns a booking to its buyer, that theatre's admins, admins and services;
// NotFound to everyone else.
func (s *Service) GetBooking(ctx context.Context, id string) (View, error) {
	if err := s.bookingsEnabled(); err != nil {
		return View{}, err
	}
	b, err := s.checkout.Bookings.Get(ctx, id)
	if err != nil {
		return View{}, err
	}
	if !s.maySee(ctx, b) {
		return View{}, errs.NotFoundf("booking not found")
	}
	return s.view(ctx, b), nil
}

func (s *Service) maySee(ctx context.Context, b Booking) bool {
	if owner, err := ownerOf(ctx); err == nil && owner == b.OwnerID {
		return true
	}
	id, ok := auth.FromContext(ctx)
	return ok && (id.CanManageTheatre(b.TheatreID) || id.HasRole(auth.RoleService))
}

// GetBookingByReference returns a booking by its reference and the buyer's e-mail. A wrong
// reference and a wrong e-mail give the same NotFound.
func (s *Service) GetBookingByReference(ctx context.Context, reference, email string) (View, error) {
	if err := s.bookingsEnabled(); err != nil {
		return View{}, err
	}
	notFound := errs.NotFoundf("no booking has that reference and e-mail address")
	ref := NormalizeReference(reference)
	if ref == "" {
		return View{}, notFound
	}
	b, err := s.checkout.Bookings.GetByReference(ctx, ref)
	if errs.Is(err, errs.NotFound) {
		return View{}, notFound
	}
	if err != nil {
		return View{}, err
	}
	if subtle.ConstantTimeCompare([]byte(contact.EmailKey(email)), []byte(contact.EmailKey(b.Email))) != 1 {
		return View{}, notFound
	}
	return s.view(ctx, b), nil
}

// ListBookings returns the caller's bookings (showID empty), or a show's bookings for that
// theatre's admins, newest first.
func (s *Service) ListBookings(ctx context.Context, showID string) ([]View, error) {
	if err := s.bookingsEnabled(); err != nil {
		return nil, err
	}
	q := BookingQuery{Limit: MaxBookingListLimit}
	if showID == "" {
		owner, err := ownerOf(ctx)
		if err != nil {
			return nil, nil // no one: no bookings
		}
		q.OwnerID = owner
	} else {
		sh, err := s.catalogue.Show(ctx, showID)
		if err != nil {
			return nil, err
		}
		if _, err := auth.RequireTheatreAdmin(ctx, sh.TheatreID); err != nil {
			return nil, err
		}
		q.ShowID = showID
	}
	list, err := s.checkout.Bookings.List(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(list))
	for _, b := range list {
		out = append(out, s.view(ctx, b))
	}
	return out, nil
}

// Sales is what a show has sold.
type Sales struct {
	ShowID            string
	TicketsSold       int
	ConfirmedBookings int
	Revenue           int64
	Currency          string
	// Capacity is the seats the show can sell: its layout minus blocked seats.
	Capacity int
}

// ShowSales sums the confirmed bookings of shows, for their theatres' admins.
func (s *Service) ShowSales(ctx context.Context, showIDs []string) ([]Sales, error) {
	if err := s.bookingsEnabled(); err != nil {
		return nil, err
	}
	if len(showIDs) > 200 {
		return nil, errs.Invalidf("showIds", "at most 200 shows at a time")
	}
	out := make([]Sales, 0, len(showIDs))
	for _, id := range showIDs {
		sh, err := s.catalogue.Show(ctx, id)
		if err != nil {
			return nil, err
		}
		if _, err := auth.RequireTheatreAdmin(ctx, sh.TheatreID); err != nil {
			return nil, err
		}
		list, err := s.checkout.Bookings.List(ctx, BookingQuery{ShowID: id, Statuses: []Status{StatusConfirmed}, Limit: MaxBookingListLimit})
		if err != nil {
			return nil, err
		}
		screen, err := s.catalogue.Screen(ctx, sh.ScreenID)
		if err != nil {
			return nil, err
		}
		sale := Sales{ShowID: id, Currency: sh.Currency, Capacity: screen.Layout.SellableSeatCount()}
		for _, b := range list {
			sale.ConfirmedBookings++
			sale.TicketsSold += len(b.SeatIDs)
			sale.Revenue += b.Quote.Total
		}
		out = append(out, sale)
	}
	return out, nil
}

// PaymentOutcome is what became of a booking's payment.
type PaymentOutcome string

// The outcomes.
const (
	PaymentSucceeded PaymentOutcome = "succeeded"
	PaymentFailed    PaymentOutcome = "failed"
	PaymentRefunded  PaymentOutcome = "refunded"
)

// Settlement is what the payment service must do after a settlement: refund RefundAmount
// (when positive) because the payment could not become a ticket.
type Settlement struct {
	Booking      Booking
	RefundAmount int64
	RefundReason string
}

// errUnchanged stops an Update whose event does not apply.
var errUnchanged = errors.New("booking unchanged")

// SettlePayment applies what became of a booking's payment. Idempotent, and never moves a
// booking backwards:
//   - succeeded: the seats are written to the ground truth and the booking CONFIRMED, also
//     after it EXPIRED or FAILED, when every seat is still free; otherwise it is FAILED with
//     SEATS_TAKEN (or SHOW_CANCELLED) and the whole payment is to be refunded;
//   - failed: a pending booking FAILS and its seats are released at once;
//   - refunded: a cancelled booking becomes REFUNDED; a failed one records the refund.
//
// Services and admins only.
func (s *Service) SettlePayment(ctx context.Context, bookingID string, outcome PaymentOutcome, amount int64) (Settlement, error) {
	if err := s.bookingsEnabled(); err != nil {
		return Settlement{}, err
	}
	if _, err := auth.RequireService(ctx, "settle bookings"); err != nil {
		return Settlement{}, err
	}
	b, err := s.checkout.Bookings.Get(ctx, bookingID)
	if err != nil {
		return Settlement{}, err
	}
	switch outcome {
	case PaymentSucceeded:
		return s.settlePaid(ctx, b)
	case PaymentFailed:
		b, err = s.transition(ctx, b.ID, EventDeclined, func(x *Booking) { x.Reason = ReasonPaymentDeclined })
		if err != nil {
			return Settlement{}, err
		}
		s.releaseHold(ctx, b)
		return Settlement{Booking: b}, nil
	case PaymentRefunded:
		now := s.clock.Now().UTC()
		b, err = s.checkout.Bookings.Update(ctx, b.ID, func(x *Booking) error {
			if !x.RefundedAt.IsZero() {
				return errUnchanged
			}
			if next, ok := Next(x.Status, EventRefunded); ok {
				x.Status = next
			} else if x.Status != StatusFailed && x.Status != StatusExpired {
				return errUnchanged
			}
			x.RefundedAt, x.UpdatedAt = now, now
			if amount > 0 && amount <= x.Quote.Total {
				x.RefundAmount = amount
			}
			return nil
		})
		if errors.Is(err, errUnchanged) {
			b, err = s.checkout.Bookings.Get(ctx, bookingID)
		}
		return Settlement{Booking: b}, err
	}
	return Settlement{}, errs.Invalidf("outcome", "unknown payment outcome %q", outcome)
}

// settlePaid confirms a paid booking, or decides its refund.
func (s *Service) settlePaid(ctx context.Context, b Booking) (Settlement, error) {
	switch b.Status {
	case StatusConfirmed, StatusCancelled, StatusRefunded:
		return Settlement{Booking: b}, nil
	}
	if b.Status == StatusFailed && (b.Reason == ReasonSeatsTaken || b.Reason == ReasonShowCancelled) {
		return Settlement{Booking: b, RefundAmount: b.Quote.Total, RefundReason: b.Reason}, nil
	}
	refund := func(reason string) (Settlement, error) {
		b, err := s.checkout.Bookings.Update(ctx, b.ID, func(x *Booking) error {
			if x.Status == StatusConfirmed || x.Status == StatusCancelled || x.Status == StatusRefunded {
				return errUnchanged
			}
			now := s.clock.Now().UTC()
			x.Status, x.Reason, x.RefundAmount, x.PaymentURL, x.UpdatedAt = StatusFailed, reason, x.Quote.Total, "", now
			return nil
		})
		if errors.Is(err, errUnchanged) {
			b, err = s.checkout.Bookings.Get(ctx, b.ID)
			return Settlement{Booking: b}, err
		}
		if err != nil {
			return Settlement{}, err
		}
		s.releaseHold(ctx, b)
		return Settlement{Booking: b, RefundAmount: b.Quote.Total, RefundReason: reason}, nil
	}
	sh, err := s.catalogue.Show(ctx, b.ShowID)
	if err != nil {
		return Settlement{}, err
	}
	if !sh.Scheduled {
		return refund(ReasonShowCancelled)
	}
	err = s.ConfirmBooking(ctx, ConfirmRequest{BookingID: b.ID, ShowID: b.ShowID, SeatIDs: b.SeatIDs, HoldID: b.HoldID})
	if errs.Is(err, errs.SeatUnavailable) {
		return refund(ReasonSeatsTaken)
	}
	if err != nil {
		return Settlement{}, fmt.Errorf("book the seats of %s: %w", b.ID, err)
	}
	b, err = s.transition(ctx, b.ID, EventPaid, func(x *Booking) {
		x.ConfirmedAt, x.Reason, x.PaymentURL = s.clock.Now().UTC(), "", ""
	})
	return Settlement{Booking: b}, err
}

// transition applies e to a booking with edit, atomically; a booking e does not apply to is
// returned as it is.
func (s *Service) transition(ctx context.Context, id string, e Event, edit func(*Booking)) (Booking, error) {
	b, err := s.checkout.Bookings.Update(ctx, id, func(x *Booking) error {
		next, ok := Next(x.Status, e)
		if !ok {
			return errUnchanged
		}
		x.Status, x.UpdatedAt = next, s.clock.Now().UTC()
		edit(x)
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return s.checkout.Bookings.Get(ctx, id)
	}
	return b, err
}

// releaseHold frees what is left of a booking's hold, at once, and tells seat maps.
func (s *Service) releaseHold(ctx context.Context, b Booking) {
	h, err := s.locker.Release(ctx, b.ShowID, b.HoldID, b.OwnerID, s.clock.Now())
	if errs.Is(err, errs.NotFound) {
		return
	}
	if err != nil {
		s.log.WarnContext(ctx, "release the hold of a booking", "booking", b.ID, "error", err)
		return
	}
	s.publishFreed(ctx, b.ShowID, h.SeatIDs)
}

// CancelBooking cancels a confirmed booking for its buyer (or an admin) before the theatre's
// cut-off, releases its seats at once and asks for the refund the theatre's policy gives: the
// ticket price, and the fee and its tax when the theatre refunds fees. The booking becomes
// REFUNDED when the provider confirms the refund.
func (s *Service) CancelBooking(ctx context.Context, id string) (View, error) {
	v, err := s.GetBooking(ctx, id)
	if err != nil {
		return View{}, err
	}
	who, _ := auth.FromContext(ctx)
	owner, _ := ownerOf(ctx)
	if owner != v.OwnerID && !who.IsAdmin() {
		return View{}, errs.E(errs.Forbidden, "only the buyer or an admin can cancel a booking")
	}
	if v.Status != StatusConfirmed {
		if v.Status == StatusCancelled || v.Status == StatusRefunded {
			return v, nil // cancelled already
		}
		return View{}, errs.E(errs.Conflict, "a %s booking cannot be cancelled", strings.ToLower(strings.ReplaceAll(string(v.Status), "_", " "))).
			WithReason(ReasonNotCancellable)
	}
	if !v.Cancellable {
		return View{}, errs.E(errs.Forbidden, "bookings can be cancelled until %s, %s before the show",
			v.CancelDeadline.UTC().Format(time.RFC3339), v.ShowStartsAt.Sub(v.CancelDeadline)).WithReason(ReasonCancellationClosed)
	}
	amount := v.Quote.Subtotal
	if th, err := s.catalogue.Theatre(ctx, v.TheatreID); err == nil && th.RefundFees {
		amount = v.Quote.Total
	}
	reason := ReasonCancelledByBuyer
	if owner != v.OwnerID {
		reason = ReasonCancelledByAdmin
	}
	b, err := s.cancel(ctx, v.ID, reason, amount)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, b), nil
}

// cancel moves a confirmed booking to CANCELLED, releases its seats and asks for its refund.
func (s *Service) cancel(ctx context.Context, id, reason string, amount int64) (Booking, error) {
	now := s.clock.Now().UTC()
	b, err := s.transition(ctx, id, EventCancelled, func(x *Booking) {
		x.CancelledAt, x.Reason, x.RefundAmount = now, reason, amount
	})
	if err != nil {
		return Booking{}, err
	}
	if b.Status != StatusCancelled {
		return b, nil
	}
	if _, err := s.ReleaseBooking(ctx, b.ShowID, b.ID); err != nil {
		return b, fmt.Errorf("release the seats of %s: %w", b.ID, err)
	}
	return s.requestRefund(ctx, b)
}

// requestRefund asks the payment service for a cancelled booking's refund, once it has not
// been asked; a failure is retried by SweepBookings.
func (s *Service) requestRefund(ctx context.Context, b Booking) (Booking, error) {
	if !b.RefundRequestedAt.IsZero() || b.RefundAmount <= 0 {
		return b, nil
	}
	if err := s.checkout.Payments.Refund(ctx, b.ID, b.RefundAmount, b.Reason); err != nil {
		s.log.WarnContext(ctx, "refund a cancelled booking (retried later)", "booking", b.ID, "error", err)
		return b, nil
	}
	return s.checkout.Bookings.Update(ctx, b.ID, func(x *Booking) error {
		if x.RefundRequestedAt.IsZero() {
			x.RefundRequestedAt = s.clock.Now().UTC()
		}
		return nil
	})
}

// CancelShowBookings cancels, with a full refund, every confirmed booking of a show being
// cancelled, and fails its unpaid ones. For services, admins and that theatre's admins.
func (s *Service) CancelShowBookings(ctx context.Context, showID string) (int, error) {
	if err := s.bookingsEnabled(); err != nil {
		return 0, err
	}
	sh, err := s.catalogue.Show(ctx, showID)
	if err != nil {
		return 0, err
	}
	if id, ok := auth.FromContext(ctx); !ok || (!id.HasRole(auth.RoleService) && !id.CanManageTheatre(sh.TheatreID)) {
		return 0, errs.E(errs.Forbidden, "only the theatre's admins can cancel its bookings")
	}
	if c, ok := s.catalogue.(ShowCache); ok {
		c.ForgetShow(showID) // holds see the cancellation at once, not when the cached show expires
	}
	n := 0
	for {
		list, err := s.checkout.Bookings.List(ctx, BookingQuery{ShowID: showID,
			Statuses: []Status{StatusConfirmed, StatusPendingPayment}, Limit: 200})
		if err != nil {
			return n, err
		}
		for _, b := range list {
			if b.Status == StatusPendingPayment {
				b, err = s.transition(ctx, b.ID, EventDeclined, func(x *Booking) { x.Reason = ReasonShowCancelled })
				if err != nil {
					return n, err
				}
				s.releaseHold(ctx, b)
				if err := s.checkout.Payments.Cancel(ctx, b.ID); err != nil && errs.As(err).Reason != ReasonPaymentCaptured {
					s.log.WarnContext(ctx, "cancel the payment of a cancelled show's booking", "booking", b.ID, "error", err)
				}
				continue
			}
			if _, err := s.cancel(ctx, b.ID, ReasonShowCancelled, b.Quote.Total); err != nil {
				return n, err
			}
			n++
		}
		if len(list) < 200 {
			return n, nil
		}
	}
}

// SweepBookings expires unpaid bookings past their expiry (their seats released, their payment
// sessions cancelled) and re-asks refunds whose request failed. Safe to run in several processes
// at once: each booking's move is one atomic update, which only one of them wins.
func (s *Service) SweepBookings(ctx context.Context) (int, error) {
	if s.checkout.Bookings == nil {
		return 0, nil
	}
	now := s.clock.Now().UTC()
	due, err := s.checkout.Bookings.List(ctx, BookingQuery{Statuses: []Status{StatusPendingPayment}, ExpiresBefore: now, Limit: 200})
	if err != nil {
		return 0, fmt.Errorf("unpaid bookings: %w", err)
	}
	n := 0
	for _, b := range due {
		b, err := s.checkout.Bookings.Update(ctx, b.ID, func(x *Booking) error {
			next, ok := Next(x.Status, EventTimedOut)
			if !ok || !x.ExpiresAt.Before(now) {
				return errUnchanged
			}
			x.Status, x.Reason, x.PaymentURL, x.UpdatedAt = next, ReasonPaymentTimeout, "", now
			return nil
		})
		if errors.Is(err, errUnchanged) {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
		s.releaseHold(ctx, b)
		if err := s.checkout.Payments.Cancel(ctx, b.ID); err != nil && errs.As(err).Reason != ReasonPaymentCaptured && !errs.Is(err, errs.NotFound) {
			s.log.WarnContext(ctx, "cancel the payment of an expired booking", "booking", b.ID, "error", err)
		}
	}
	refunds, err := s.checkout.Bookings.List(ctx, BookingQuery{Statuses: []Status{StatusCancelled}, RefundNotRequested: true, Limit: 100})
	if err != nil {
		return n, fmt.Errorf("cancelled bookings: %w", err)
	}
	for _, b := range refunds {
		if b.CancelledAt.After(now.Add(-5 * time.Second)) {
			continue // its own request may still be on its way
		}
		if _, err := s.requestRefund(ctx, b); err != nil {
			return n, err
		}
	}
	return n, nil
}
