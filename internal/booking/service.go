package booking

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking/seating"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/platform/clock"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// ShowInfo is what the booking service needs of a show, with its current prices.
type ShowInfo struct {
	ID        string
	TheatreID string
	ScreenID  string
	Currency  string
	StartsAt  time.Time
	BusyUntil time.Time
	Scheduled bool
	Prices    map[string]int64 // current price per seat category, minor units
}

// ScreenInfo is a screen's seat layout.
type ScreenInfo struct {
	ID        string
	TheatreID string
	Layout    theatre.Layout
	BestView  *theatre.BestView
}

// TheatreInfo is what seat selection and cancellation need of a theatre.
type TheatreInfo struct {
	ID               string
	AllowOrphanSeats bool
	// CancellationCutoff is how long before a show customers may still cancel (0: the default,
	// DefaultCancellationCutoff); RefundFees refunds the fee and its tax on cancellation too.
	CancellationCutoff time.Duration
	RefundFees         bool
}

// Catalogue answers questions about shows, screens and theatres (the show and theatre
// services). Each method returns NotFound for an unknown id.
type Catalogue interface {
	Show(ctx context.Context, id string) (ShowInfo, error)
	Screen(ctx context.Context, id string) (ScreenInfo, error)
	Theatre(ctx context.Context, id string) (TheatreInfo, error)
}

// ShowCache is implemented by a Catalogue that caches shows: the service tells it of a show it
// knows has changed (CancelShowBookings: the show was cancelled).
type ShowCache interface {
	ForgetShow(id string)
}

// Options tune the service; zero values take the defaults.
type Options struct {
	// HoldTTL is how long a hold lasts (8 minutes).
	HoldTTL time.Duration
	// Fees are the convenience fee and its tax; nil charges DefaultFees.
	Fees *Fees
	// Log hears failures that do not fail a request (publishing seat changes).
	Log *slog.Logger
}

// Fees are what a quote adds to the tickets.
type Fees struct {
	// PerTicket is the convenience fee per seat in minor units (3000: ₹30); 0 charges none.
	PerTicket int64
	// TaxBasisPoints is the tax on the fee in hundredths of a percent (1800: 18%).
	TaxBasisPoints int64
}

// Defaults.
const (
	DefaultHoldTTL        = 8 * time.Minute
	DefaultFeePerTicket   = 3000
	DefaultTaxBasisPoints = 1800
)

// DefaultFees are the fees of a service whose Options name none.
var DefaultFees = Fees{PerTicket: DefaultFeePerTicket, TaxBasisPoints: DefaultTaxBasisPoints}

// Service is the booking service: holds, the seat map and the seat ground truth.
type Service struct {
	locker    seatlock.Locker
	seats     SeatStore
	catalogue Catalogue
	bus       pubsub.Bus
	clock     clock.Clock
	opts      Options
	log       *slog.Logger
	checkout  CheckoutDeps
	booked    bookedCache // the ground truth's booked seats per show, for holds and seat maps
	lockView  lockView    // the locker's seat states as this process last saw them, for holds

	sweepMu sync.Mutex
}

// NewService returns a Service.
func NewService(locker seatlock.Locker, seats SeatStore, catalogue Catalogue, bus pubsub.Bus, clk clock.Clock, o Options) *Service {
	if o.HoldTTL <= 0 {
		o.HoldTTL = DefaultHoldTTL
	}
	if o.Fees == nil {
		o.Fees = &DefaultFees
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{locker: locker, seats: seats, catalogue: catalogue, bus: bus, clock: clk, opts: o, log: log}
}

// showState is a show with the state of every seat, as one caller sees it.
type showState struct {
	show         ShowInfo
	screen       ScreenInfo
	plan         seating.Plan
	locks        map[string]seatlock.SeatState // held or booked in the locker
	booked       map[string]string             // seat → booking, the ground truth up to bookedTTL ago (shared: read only)
	allowOrphans bool
}

// state loads a show and its seats. Seats the caller holds count as available to the caller, since
// a new hold of theirs replaces the old one. The show must be bookable.
func (s *Service) state(ctx context.Context, showID, owner string) (showState, error) {
	st, err := s.load(ctx, showID, owner)
	if err != nil {
		return showState{}, err
	}
	return st, s.bookable(st.show)
}

// bookable returns errs.Invalid when the show's seats can no longer be held: it was cancelled or
// has started.
func (s *Service) bookable(sh ShowInfo) error {
	if !sh.Scheduled {
		return errs.Invalidf("showId", "the show has been cancelled")
	}
	if !s.clock.Now().Before(sh.StartsAt) {
		return errs.Invalidf("showId", "the show has started; seats can no longer be booked")
	}
	return nil
}

// load returns a show with the state of every seat as owner sees it (base plus the locker's
// held and booked seats).
func (s *Service) load(ctx context.Context, showID, owner string) (showState, error) {
	st, err := s.base(ctx, showID)
	if err != nil {
		return showState{}, err
	}
	locks, err := s.locker.Seats(ctx, showID, s.clock.Now())
	if err != nil {
		return showState{}, fmt.Errorf("held seats: %w", err)
	}
	st.locks = locks
	st.plan.Status = seatStatus(st.booked, locks, owner)
	return st, nil
}

// base returns a show, its screen, its theatre's orphan rule and its booked seats (the ground
// truth), with a plan whose statuses are not filled in; it does not ask the locker.
func (s *Service) base(ctx context.Context, showID string) (showState, error) {
	if !ids.Valid(showID) {
		return showState{}, errs.Invalidf("showId", "%q is not a valid show id", showID)
	}
	sh, err := s.catalogue.Show(ctx, showID)
	if err != nil {
		return showState{}, err
	}
	screen, err := s.catalogue.Screen(ctx, sh.ScreenID)
	if err != nil {
		return showState{}, err
	}
	th, err := s.catalogue.Theatre(ctx, sh.TheatreID)
	if err != nil {
		return showState{}, err
	}
	booked, err := s.booked.get(ctx, showID, s.clock.Now(), s.seats.Seats)
	if err != nil {
		return showState{}, fmt.Errorf("booked seats: %w", err)
	}
	plan := seating.Plan{Layout: screen.Layout}
	if screen.BestView != nil {
		plan.BestView = &seating.BestView{RowFraction: screen.BestView.RowFraction, ColumnFraction: screen.BestView.ColumnFraction}
	}
	return showState{show: sh, screen: screen, plan: plan, booked: booked, allowOrphans: th.AllowOrphanSeats}, nil
}

// seatStatus is the selection status of the seats that are booked or locked, as owner sees
// them: the owner's own held seats are available to them, since a new hold replaces the old one.
func seatStatus(booked map[string]string, locks map[string]seatlock.SeatState, owner string) map[string]seating.Status {
	status := make(map[string]seating.Status, len(booked)+len(locks))
	for seat := range booked {
		status[seat] = seating.Taken
	}
	for seat, l := range locks {
		if l.Booked || l.OwnerID != owner {
			status[seat] = seating.Taken
		}
	}
	return status
}

// Quote is the price of a set of seats: ticket lines by category, a convenience fee per ticket
// and tax on the fee. Amounts are minor units of Currency.
type Quote struct {
	Currency string      `json:"currency"`
	Lines    []QuoteLine `json:"lines"`
	Subtotal int64       `json:"subtotal"`
	Fees     int64       `json:"fees"`
	Taxes    int64       `json:"taxes"`
	Total    int64       `json:"total"`
}

// QuoteLine is the tickets of one category.
type QuoteLine struct {
	Category  string   `json:"category"`
	Name      string   `json:"name"`
	SeatIDs   []string `json:"seatIds"`
	UnitPrice int64    `json:"unitPrice"`
	Quantity  int      `json:"quantity"`
	Amount    int64    `json:"amount"`
}

func (s *Service) quote(st showState, seatIDs []string) (Quote, error) {
	category := make([]string, len(seatIDs))
	for i, seat := range seatIDs {
		if c, ok := st.plan.Cell(seat); ok {
			category[i] = c.Category
		}
	}
	q := Quote{Currency: st.show.Currency}
	for _, c := range st.plan.Layout.Categories {
		var line QuoteLine
		for i, seat := range seatIDs {
			if category[i] == c.Code {
				line.SeatIDs = append(line.SeatIDs, seat)
			}
		}
		if len(line.SeatIDs) == 0 {
			continue
		}
		price, ok := st.show.Prices[c.Code]
		if !ok || price <= 0 {
			return Quote{}, errs.E(errs.Internal, "the show has no price for seat category %s", c.Code)
		}
		slices.Sort(line.SeatIDs)
		line.Category, line.Name, line.UnitPrice, line.Quantity = c.Code, c.Name, price, len(line.SeatIDs)
		line.Amount = price * int64(line.Quantity)
		q.Lines = append(q.Lines, line)
		q.Subtotal += line.Amount
	}
	q.Fees = s.opts.Fees.PerTicket * int64(len(seatIDs))
	q.Taxes = (q.Fees*s.opts.Fees.TaxBasisPoints + 5000) / 10000
	q.Total = q.Subtotal + q.Fees + q.Taxes
	return q, nil
}

// SeatStatus is a seat's state on the seat map.
type SeatStatus string

// The statuses.
const (
	SeatAvailable SeatStatus = "AVAILABLE"
	SeatHeld      SeatStatus = "HELD"
	SeatBooked    SeatStatus = "BOOKED"
	SeatBlocked   SeatStatus = "BLOCKED"
)

// SeatMap is a show's layout with every seat's status as the caller sees it.
type SeatMap struct {
	Show   ShowInfo
	Layout theatre.Layout
	Status map[string]SeatStatus // every seat of the layout
	Mine   map[string]bool       // seats the caller holds
	// HoldID is the caller's live hold on the show, if any.
	HoldID string
}

// SeatMap returns the seat map of a show. The caller's own held seats are marked as theirs.
func (s *Service) SeatMap(ctx context.Context, showID string) (SeatMap, error) {
	owner, _ := ownerOf(ctx) // anonymous callers see the map without "mine"
	st, err := s.load(ctx, showID, owner)
	if err != nil {
		return SeatMap{}, err
	}
	m := SeatMap{Show: st.show, Layout: st.screen.Layout, Status: map[string]SeatStatus{}, Mine: map[string]bool{}}
	for _, seat := range st.plan.Layout.Seats() {
		switch l, locked := st.locks[seat.ID]; {
		case seat.Blocked:
			m.Status[seat.ID] = SeatBlocked
		case st.booked[seat.ID] != "" || locked && l.Booked:
			m.Status[seat.ID] = SeatBooked
		case locked:
			m.Status[seat.ID] = SeatHeld
			// A booking's claim while it is written (ConfirmBooking) is nobody's hold to show.
			if owner != "" && l.OwnerID == owner && !strings.HasPrefix(l.HoldID, seatlock.ClaimPrefix) {
				m.Mine[seat.ID], m.HoldID = true, l.HoldID
			}
		default:
			m.Status[seat.ID] = SeatAvailable
		}
	}
	return m, nil
}

// SeatCounts is how many seats of a show are taken.
type SeatCounts struct {
	Held   int
	Booked int
}

// Counts returns the held and booked seats of shows, for availability and occupancy pricing.
// Booked seats come from the ground truth, held ones from the locker.
func (s *Service) Counts(ctx context.Context, showIDs []string) (map[string]SeatCounts, error) {
	if len(showIDs) > 1000 {
		return nil, errs.Invalidf("showIds", "at most 1000 shows at once")
	}
	now := s.clock.Now()
	// Shows whose booked seats are cached (being held or viewed right now) are counted from the
	// cache, as stale as holds see them; the rest in one query.
	booked := make(map[string]int, len(showIDs))
	var uncached []string
	for _, id := range showIDs {
		if n, ok := s.booked.count(id, now); ok {
			booked[id] = n
		} else {
			uncached = append(uncached, id)
		}
	}
	if len(uncached) > 0 {
		counted, err := s.seats.Counts(ctx, uncached)
		if err != nil {
			return nil, fmt.Errorf("booked seat counts: %w", err)
		}
		for id, n := range counted {
			booked[id] = n
		}
	}
	locked, err := s.locker.Counts(ctx, showIDs, now)
	if err != nil {
		return nil, fmt.Errorf("held seat counts: %w", err)
	}
	out := make(map[string]SeatCounts, len(showIDs))
	for _, id := range showIDs {
		out[id] = SeatCounts{Held: locked[id].Held, Booked: booked[id]}
	}
	return out, nil
}

// ConfirmRequest books the seats of a paid booking.
type ConfirmRequest struct {
	BookingID string
	ShowID    string
	SeatIDs   []string
	// HoldID is the hold the booking came from; it is consumed when it still exists.
	HoldID string
}

// ConfirmBooking writes every seat of a booking to the ground truth at once, or none. Calling it
// again for the same booking succeeds, also while an earlier call is still writing. SeatUnavailable,
// naming the seats, when any seat is booked by another booking or held by someone else whose hold
// is live while this booking's hold is gone — whether or not a Redis hold still exists, a seat is
// never booked twice.
//
// While it writes, it claims the seats in the locker, so that no hold made meanwhile is
// overridden: the claim (id claimIDOf, the same for every call for the booking) replaces the
// booking's hold in one step while that is still live, and otherwise holds the seats for the booking
// itself; a failed write releases the claim, and so the hold.
func (s *Service) ConfirmBooking(ctx context.Context, r ConfirmRequest) error {
	if !ids.Valid(r.ShowID) || r.BookingID == "" || len(r.BookingID) > 100 || len(r.SeatIDs) == 0 {
		return errs.Invalidf("booking", "a confirmation needs a show, a booking id (at most 100 bytes) and seats")
	}
	now := s.clock.Now()
	locks, err := s.locker.Peek(ctx, r.ShowID, r.SeatIDs, now)
	if err != nil {
		return fmt.Errorf("held seats: %w", err)
	}
	owner, claimID := "booking:"+r.BookingID, claimIDOf(r.BookingID) // who claims the seats while they are written
	var claim, heldByOthers []string
	for _, seat := range r.SeatIDs {
		l, ok := locks[seat]
		switch {
		case ok && l.Booked, ok && l.HoldID == claimID: // booked, or claimed by another call for the booking
		case !ok:
			claim = append(claim, seat)
		case l.HoldID == r.HoldID && r.HoldID != "":
			owner = l.OwnerID
			claim = append(claim, seat)
		default:
			heldByOthers = append(heldByOthers, seat)
		}
	}
	if len(heldByOthers) > 0 {
		// A seat the ground truth already records for this booking is this booking's (a retry
		// after the locker missed its booked mark); a hold covering it is stale, and MarkBooked
		// below releases it.
		booked, err := s.seats.Seats(ctx, r.ShowID)
		if err != nil {
			return fmt.Errorf("booked seats: %w", err)
		}
		heldByOthers = slices.DeleteFunc(heldByOthers, func(seat string) bool { return booked[seat] == r.BookingID })
	}
	if len(heldByOthers) > 0 {
		// Another customer holds them now; the ground truth may still have them free, but
		// booking them would take seats from under a live hold.
		return seatsHeldByOthers(heldByOthers)
	}
	// Claim the seats in the locker while they are written, all or none, so that no hold made
	// after the check above loses its seats to this booking (say, one made after this booking's
	// own hold expired): the booking's own hold, while still live, is replaced by the claim in one
	// step; other seats must still be free. Seats marked booked, and seats the ground truth
	// already has for this booking, are left to the ground truth.
	claimed, freed, err := s.claim(ctx, r.ShowID, owner, claimID, claim, now)
	if err != nil {
		return err
	}
	if err := s.seats.Book(ctx, r.ShowID, r.BookingID, r.SeatIDs, now); err != nil {
		s.booked.invalidate(r.ShowID) // the outcome of a failed write may be unknown
		if claimed {
			if _, err := s.locker.Release(context.WithoutCancel(ctx), r.ShowID, claimID, owner, now); err != nil && !errs.Is(err, errs.NotFound) {
				s.log.WarnContext(ctx, "release the seats claimed for a booking", "show", r.ShowID, "error", err)
			}
		}
		return err
	}
	s.booked.apply(r.ShowID, r.BookingID, r.SeatIDs, nil)
	sh, err := s.catalogue.Show(ctx, r.ShowID)
	bookedUntil := now.Add(48 * time.Hour)
	if err == nil {
		bookedUntil = sh.BusyUntil.Add(24 * time.Hour)
	}
	if claimed {
		if _, err := s.locker.Consume(ctx, r.ShowID, claimID, now); err != nil && !errs.Is(err, errs.NotFound) {
			return fmt.Errorf("consume hold: %w", err)
		}
	}
	// Mark the seats booked in the fast path too (idempotent), releasing any hold covering them.
	released, err := s.locker.MarkBooked(ctx, r.ShowID, r.SeatIDs, bookedUntil, now)
	if err != nil {
		s.log.WarnContext(ctx, "mark booked seats in the locker", "show", r.ShowID, "error", err)
	}
	changes := make([]SeatChange, 0, len(r.SeatIDs))
	for _, seat := range r.SeatIDs {
		changes = append(changes, SeatChange{SeatID: seat, Status: SeatBooked})
	}
	for _, h := range released {
		for _, seat := range h.SeatIDs {
			if !slices.Contains(r.SeatIDs, seat) {
				changes = append(changes, SeatChange{SeatID: seat, Status: SeatAvailable})
			}
		}
	}
	for _, seat := range freed {
		if !slices.Contains(r.SeatIDs, seat) {
			changes = append(changes, SeatChange{SeatID: seat, Status: SeatAvailable})
		}
	}
	s.lockView.forget(r.ShowID, r.SeatIDs)
	for _, h := range released {
		s.lockView.forget(r.ShowID, h.SeatIDs)
	}
	s.lockView.forget(r.ShowID, freed)
	s.publish(ctx, r.ShowID, changes)
	return nil
}

func seatsHeldByOthers(seats []string) error {
	slices.Sort(seats)
	return errs.E(errs.SeatUnavailable, "seats %s are held by another customer", joinSeats(seats)).
		WithDetail("seats", joinSeats(seats))
}

// claimIDOf is the id of the hold that claims a booking's seats while ConfirmBooking writes them:
// the same for every call for the booking, so that calls made at the same time recognise each
// other's claim. Seat maps show no claim as anyone's hold, and the buyer's next hold does not
// replace it (seatlock.ClaimPrefix).
func claimIDOf(bookingID string) string { return seatlock.ClaimPrefix + bookingID }

// confirmClaimTTL bounds how long ConfirmBooking's claim on seats lasts should it never finish.
const confirmClaimTTL = time.Minute

// claim holds seats for owner while ConfirmBooking writes them, replacing the owner's live hold
// on the show; it reports whether it made the claim, and the seats of the replaced hold the claim
// does not cover. SeatUnavailable when another live hold has any of them. A claim of the same id made
// meanwhile by another call for the booking is that call's: nothing is claimed, and every seat
// must be in it. More seats than one hold may have (no booking made from a hold has) are not
// claimed.
func (s *Service) claim(ctx context.Context, showID, owner, id string, seats []string, now time.Time) (made bool, freed []string, err error) {
	if len(seats) == 0 || len(seats) > seatlock.MaxSeatsPerHold {
		return false, nil, nil
	}
	res, err := s.locker.Hold(ctx, seatlock.Hold{ID: id, ShowID: showID, OwnerID: owner, SeatIDs: seats,
		ExpiresAt: now.Add(confirmClaimTTL)}, seatlock.Guard{}, now)
	switch {
	case errs.Is(err, errs.SeatUnavailable):
		return false, nil, seatsHeldByOthers(strings.Split(errs.As(err).Details["seats"], ","))
	case errs.Is(err, errs.Conflict): // the id is taken: another call for this booking claimed them
		locks, err := s.locker.Peek(ctx, showID, seats, now)
		if err != nil {
			return false, nil, fmt.Errorf("held seats: %w", err)
		}
		for _, seat := range seats {
			if l := locks[seat]; !l.Booked && l.HoldID != id {
				return false, nil, errs.E(errs.Unavailable, "another call is confirming the booking with other seats; try again")
			}
		}
		return false, nil, nil
	case err != nil:
		return false, nil, fmt.Errorf("claim seats: %w", err)
	}
	return true, res.Freed, nil
}

// ReleaseBooking frees the seats of a cancelled booking.
func (s *Service) ReleaseBooking(ctx context.Context, showID, bookingID string) ([]string, error) {
	freed, err := s.seats.Release(ctx, showID, bookingID)
	if err != nil {
		s.booked.invalidate(showID)
		return nil, err
	}
	s.booked.apply(showID, "", nil, freed)
	if len(freed) == 0 {
		return nil, nil
	}
	if err := s.locker.Unbook(ctx, showID, freed); err != nil {
		s.log.WarnContext(ctx, "unbook seats in the locker", "show", showID, "error", err)
	}
	s.publishFreed(ctx, showID, freed)
	return freed, nil
}

// SweepExpired removes expired holds and tells seat-map watchers their seats are free again. It is
// safe to run in several processes at once: each expired hold is handled once.
func (s *Service) SweepExpired(ctx context.Context) (int, error) {
	s.sweepMu.Lock()
	defer s.sweepMu.Unlock()
	total := 0
	for {
		expired, err := s.locker.ExpireDue(ctx, s.clock.Now(), 500)
		if err != nil {
			return total, fmt.Errorf("expire holds: %w", err)
		}
		for _, h := range expired {
			s.publishFreed(ctx, h.ShowID, h.SeatIDs)
		}
		total += len(expired)
		if len(expired) < 500 {
			return total, nil
		}
	}
}

// publishFreed tells watchers that seats were let go. A freed seat may already be held again
// or booked: each is published with its status now.
func (s *Service) publishFreed(ctx context.Context, showID string, seats []string) {
	locks, err := s.locker.Peek(ctx, showID, seats, s.clock.Now())
	if err != nil {
		locks = nil
		s.lockView.forget(showID, seats)
	} else {
		s.lockView.record(showID, seats, locks)
	}
	changes := make([]SeatChange, 0, len(seats))
	for _, seat := range seats {
		st := SeatAvailable
		if l, ok := locks[seat]; ok {
			st = SeatHeld
			if l.Booked {
				st = SeatBooked
			}
		}
		changes = append(changes, SeatChange{SeatID: seat, Status: st})
	}
	s.publish(ctx, showID, changes)
}

func joinSeats(seats []string) string {
	out := ""
	for i, s := range seats {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}
