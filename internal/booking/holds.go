package booking

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/marquee-cinema/marquee/internal/booking/seating"
	"github.com/marquee-cinema/marquee/internal/booking/seatlock"
	"github.com/marquee-cinema/marquee/internal/platform/auth"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/session"
	"github.com/marquee-cinema/marquee/internal/theatre"
)

// Hold is a caller's hold on seats, with the price quote fixed when it was made.
type Hold struct {
	ID        string
	ShowID    string
	OwnerID   string
	SeatIDs   []string
	CreatedAt time.Time
	ExpiresAt time.Time
	Extended  bool
	Quote     Quote
}

// holdPayload is what the locker keeps for the service with each hold.
type holdPayload struct {
	Quote     Quote     `json:"q"`
	CreatedAt time.Time `json:"c"`
}

func toHold(h seatlock.Hold) (Hold, error) {
	var p holdPayload
	if err := json.Unmarshal(h.Payload, &p); err != nil {
		return Hold{}, fmt.Errorf("decode hold %s: %w", h.ID, err)
	}
	return Hold{ID: h.ID, ShowID: h.ShowID, OwnerID: h.OwnerID, SeatIDs: h.SeatIDs, CreatedAt: p.CreatedAt,
		ExpiresAt: h.ExpiresAt, Extended: h.Extended, Quote: p.Quote}, nil
}

// ownerOf is who acts: the signed-in user, or the anonymous browser session.
func ownerOf(ctx context.Context) (string, error) {
	if id, ok := auth.FromContext(ctx); ok {
		return "user:" + id.UserID, nil
	}
	if sid, ok := session.IDFrom(ctx); ok {
		return "session:" + sid, nil
	}
	return "", errs.E(errs.Unauthenticated, "seats are held for a signed-in user or a browser session; sign in or enable cookies")
}

// newHoldID makes an unguessable hold id that names its show, so that a hold is found from its
// id alone: "H" + base64url(show uuid ‖ 12 random bytes).
func newHoldID(showID string) (string, error) {
	u, err := uuid.Parse(showID)
	if err != nil {
		return "", errs.Invalidf("showId", "%q is not a valid show id", showID)
	}
	b := make([]byte, 28)
	copy(b, u[:])
	if _, err := rand.Read(b[16:]); err != nil {
		return "", fmt.Errorf("hold id: %w", err)
	}
	return "H" + base64.RawURLEncoding.EncodeToString(b), nil
}

// showOfHold returns the show a hold id names. NotFound for ids we never made, so that a
// malformed id reveals nothing more than an unknown one.
func showOfHold(holdID string) (string, error) {
	notFound := errs.NotFoundf("hold not found")
	if !strings.HasPrefix(holdID, "H") || len(holdID) != 39 {
		return "", notFound
	}
	b, err := base64.RawURLEncoding.DecodeString(holdID[1:])
	if err != nil || len(b) != 28 {
		return "", notFound
	}
	u, err := uuid.FromBytes(b[:16])
	if err != nil {
		return "", notFound
	}
	return u.String(), nil
}

// maxGuardRetries bounds how often a hold is decided again because the seats around it changed
// between reading them and holding (see lockView).
const maxGuardRetries = 4

// HoldSeats holds the chosen seats of a show for the caller, all or none, replacing the caller's
// earlier hold on the same show. The seats' rows are read from the view of the locker (lockView),
// so that a hold is usually one call to the locker; whatever the view got wrong, the locker
// refuses atomically and the choice is decided again on fresh states.
func (s *Service) HoldSeats(ctx context.Context, showID string, seatIDs []string) (Hold, error) {
	owner, err := ownerOf(ctx)
	if err != nil {
		return Hold{}, err
	}
	st, err := s.base(ctx, showID)
	if err != nil {
		return Hold{}, err
	}
	if err := s.bookable(st.show); err != nil {
		return Hold{}, err
	}
	// The choice itself first (ids, count, repeats, seats the ground truth has booked).
	st.plan.Status = rowStatus(seatIDs, nil, st.booked, nil, owner)
	if err := seating.CheckSelection(st.plan, seatIDs, false); err != nil {
		return Hold{}, err
	}
	if st.allowOrphans {
		// Only the chosen seats matter, and the locker decides on them.
		return s.hold(ctx, st, owner, seatIDs, seatlock.Guard{})
	}
	rows := st.plan.RowSeats(seatIDs)
	for attempt := 0; ; attempt++ {
		locks, fresh, err := s.lockView.states(ctx, showID, rows, s.clock.Now(), s.locker.Peek)
		if err != nil {
			return Hold{}, fmt.Errorf("held seats: %w", err)
		}
		// Whether the chosen seats are free is the locker's to say, atomically with the hold:
		// the view's word on them is left out (only the ground truth's booked seats count), so a
		// stale view costs no extra read. The rule is checked as if the hold succeeds.
		st.plan.Status = rowStatus(rows, seatIDs, st.booked, locks, owner)
		if err := seating.CheckSelection(st.plan, seatIDs, true); err != nil {
			// Refuse only on what the locker says now (a bounded number of times: other holds may
			// keep refilling the view in between).
			if !fresh && attempt < 2*maxGuardRetries && errs.As(err).Reason == seating.ReasonOrphanSeat {
				s.lockView.forget(showID, rows)
				continue
			}
			return Hold{}, err
		}
		// After a few tries the rows are as the locker last said, without a guard: a hold is then
		// decided as a read followed by a write, which always makes progress.
		var guard seatlock.Guard
		if attempt < maxGuardRetries {
			guard = guardOf(st.plan.OrphanRuleSeats(seatIDs), seatIDs, st.booked, locks, owner)
		}
		h, err := s.hold(ctx, st, owner, seatIDs, guard)
		var stale *seatlock.GuardError
		if errors.As(err, &stale) {
			s.lockView.record(showID, rows, stale.States)
			continue
		}
		return h, err
	}
}

// rowStatus is the selection status of seats (the rows a choice touches: all CheckSelection reads
// of it) as owner sees them, like seatStatus but without copying the show's every booked seat.
// The locker's word on the chosen seats is left out: only the ground truth's counts for them.
func rowStatus(seats, chosen []string, booked map[string]string, locks map[string]seatlock.SeatState, owner string) map[string]seating.Status {
	status := make(map[string]seating.Status)
	for _, seat := range seats {
		if _, ok := booked[seat]; ok {
			status[seat] = seating.Taken
		} else if l, ok := locks[seat]; ok && (l.Booked || l.OwnerID != owner) && !slices.Contains(chosen, seat) {
			status[seat] = seating.Taken
		}
	}
	return status
}

// guardOf is what a hold of seatIDs assumes of the seats its orphan-rule verdict was drawn from
// (deciding, from seating.Plan.OrphanRuleSeats: the seats next to the chosen ones, or whole rows
// where the choice strands a seat) that only the locker knows: which are taken by others (locks,
// as read) and which are free. Seats the ground truth has booked are taken whatever the locker
// says.
func guardOf(deciding, seatIDs []string, booked map[string]string, locks map[string]seatlock.SeatState, owner string) seatlock.Guard {
	var g seatlock.Guard
	for _, seat := range deciding {
		if _, ok := booked[seat]; ok || slices.Contains(seatIDs, seat) {
			continue
		}
		if l, ok := locks[seat]; ok && (l.Booked || l.OwnerID != owner) {
			g.Taken = append(g.Taken, seat)
		} else {
			g.Free = append(g.Free, seat)
		}
	}
	return g
}

// HoldBestAvailable picks count seats for the caller (seating.BestAvailable) and holds them.
// When another caller takes a picked seat in the meantime it picks again, a few times.
func (s *Service) HoldBestAvailable(ctx context.Context, showID string, count int, category string, accessible bool) (Hold, error) {
	owner, err := ownerOf(ctx)
	if err != nil {
		return Hold{}, err
	}
	if count < 1 || count > seatlock.MaxSeatsPerHold {
		return Hold{}, errs.Invalidf("count", "count must be between 1 and %d", seatlock.MaxSeatsPerHold)
	}
	category = strings.ToUpper(strings.TrimSpace(category))
	for attempt := 0; ; attempt++ {
		st, err := s.state(ctx, showID, owner)
		if err != nil {
			return Hold{}, err
		}
		if category != "" && !slices.ContainsFunc(st.plan.Layout.Categories, func(c theatre.SeatCategory) bool { return c.Code == category }) {
			return Hold{}, errs.Invalidf("category", "the screen has no seat category %s", category)
		}
		seats, err := seating.BestAvailable(st.plan, count, category, accessible)
		if err != nil {
			return Hold{}, err
		}
		const tries = 3 // then a last one without a guard, which always makes progress
		var guard seatlock.Guard
		if !st.allowOrphans && attempt < tries {
			guard = guardOf(st.plan.OrphanRuleSeats(seats), seats, st.booked, st.locks, owner)
		}
		h, err := s.hold(ctx, st, owner, seats, guard)
		var stale *seatlock.GuardError
		if (errs.Is(err, errs.SeatUnavailable) || errors.As(err, &stale)) && attempt < tries {
			continue
		}
		return h, err
	}
}

// hold prices the seats and holds them in the locker, provided the seats around them are as
// guard says.
func (s *Service) hold(ctx context.Context, st showState, owner string, seatIDs []string, guard seatlock.Guard) (Hold, error) {
	sh := st.show
	now := s.clock.Now()
	quote, err := s.quote(st, seatIDs)
	if err != nil {
		return Hold{}, err
	}
	id, err := newHoldID(sh.ID)
	if err != nil {
		return Hold{}, err
	}
	expires := now.Add(s.opts.HoldTTL)
	if expires.After(sh.StartsAt) {
		expires = sh.StartsAt
	}
	payload := appendPayload(nil, holdPayload{Quote: quote, CreatedAt: now})
	seats := slices.Clone(seatIDs)
	slices.Sort(seats)
	lh := seatlock.Hold{ID: id, ShowID: sh.ID, OwnerID: owner, SeatIDs: seats, ExpiresAt: expires, Payload: payload}
	res, err := s.locker.Hold(ctx, lh, guard, now)
	if errs.Is(err, errs.SeatUnavailable) {
		s.lockView.taken(sh.ID, strings.Split(errs.As(err).Details["seats"], ","))
	}
	if err != nil {
		return Hold{}, err
	}
	s.lockView.held(lh, res.Freed)
	changes := make([]SeatChange, 0, len(seats)+len(res.Freed))
	for _, seat := range seats {
		changes = append(changes, SeatChange{SeatID: seat, Status: SeatHeld})
	}
	for _, seat := range res.Freed {
		changes = append(changes, SeatChange{SeatID: seat, Status: SeatAvailable})
	}
	s.publish(ctx, sh.ID, changes)
	return Hold{ID: id, ShowID: sh.ID, OwnerID: owner, SeatIDs: seats, CreatedAt: now, ExpiresAt: expires, Quote: quote}, nil
}

// GetHold returns the caller's hold. NotFound for unknown holds and holds of others;
// HoldExpired once it has expired or been released.
func (s *Service) GetHold(ctx context.Context, holdID string) (Hold, error) {
	owner, err := ownerOf(ctx)
	if err != nil {
		return Hold{}, err
	}
	showID, err := showOfHold(holdID)
	if err != nil {
		return Hold{}, err
	}
	h, err := s.locker.Get(ctx, showID, holdID, s.clock.Now())
	if errs.Is(err, errs.NotFound) {
		return Hold{}, errs.E(errs.HoldExpired, "the hold has expired or was released; choose your seats again")
	}
	if err != nil {
		return Hold{}, err
	}
	if h.OwnerID != owner {
		return Hold{}, errs.NotFoundf("hold not found")
	}
	return toHold(h)
}

// ReleaseHold frees the caller's hold. NotFound for holds of others, HoldExpired once gone.
func (s *Service) ReleaseHold(ctx context.Context, holdID string) error {
	cur, err := s.GetHold(ctx, holdID)
	if err != nil {
		return err
	}
	showID, owner := cur.ShowID, cur.OwnerID
	h, err := s.locker.Release(ctx, showID, holdID, owner, s.clock.Now())
	if errs.Is(err, errs.NotFound) {
		return errs.E(errs.HoldExpired, "the hold has expired or was already released")
	}
	if err != nil {
		return err
	}
	s.publishFreed(ctx, showID, h.SeatIDs)
	return nil
}

// ExtendHold extends the caller's hold once, by its original length.
func (s *Service) ExtendHold(ctx context.Context, holdID string) (Hold, error) {
	cur, err := s.GetHold(ctx, holdID)
	if err != nil {
		return Hold{}, err
	}
	if cur.Extended {
		return Hold{}, errs.E(errs.Conflict, "a hold can be extended only once")
	}
	if s.checkout.Bookings != nil {
		if _, err := s.checkout.Bookings.GetByHold(ctx, holdID); err == nil {
			return Hold{}, errs.E(errs.Conflict, "the hold is being paid for: it ends with its payment").WithReason(ReasonHoldInCheckout)
		}
	}
	length := cur.ExpiresAt.Sub(cur.CreatedAt)
	sh, err := s.catalogue.Show(ctx, cur.ShowID)
	if err != nil {
		return Hold{}, err
	}
	next := cur.ExpiresAt.Add(length)
	if next.After(sh.StartsAt) {
		next = sh.StartsAt
	}
	h, err := s.locker.Extend(ctx, cur.ShowID, holdID, cur.OwnerID, next, s.clock.Now())
	if err != nil {
		return Hold{}, err
	}
	return toHold(h)
}
