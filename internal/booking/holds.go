package booking

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
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

// HoldSeats holds the chosen seats of a show for the caller, all or none, replacing the caller's
// earlier hold on the same show.
func (s *Service) HoldSeats(ctx context.Context, showID string, seatIDs []string) (Hold, error) {
	owner, err := ownerOf(ctx)
	if err != nil {
		return Hold{}, err
	}
	st, err := s.state(ctx, showID, owner)
	if err != nil {
		return Hold{}, err
	}
	if err := seating.CheckSelection(st.plan, seatIDs, !st.allowOrphans); err != nil {
		return Hold{}, err
	}
	return s.hold(ctx, st, owner, seatIDs)
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
		h, err := s.hold(ctx, st, owner, seats)
		if errs.Is(err, errs.SeatUnavailable) && attempt < 3 {
			continue
		}
		return h, err
	}
}

// hold prices the seats and holds them in the locker.
func (s *Service) hold(ctx context.Context, st showState, owner string, seatIDs []string) (Hold, error) {
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
	payload, _ := json.Marshal(holdPayload{Quote: quote, CreatedAt: now})
	seats := slices.Clone(seatIDs)
	slices.Sort(seats)
	lh := seatlock.Hold{ID: id, ShowID: sh.ID, OwnerID: owner, SeatIDs: seats, ExpiresAt: expires, Payload: payload}
	replaced, err := s.locker.Hold(ctx, lh, now)
	if err != nil {
		return Hold{}, err
	}
	changes := make([]SeatChange, 0, len(seats))
	for _, seat := range seats {
		changes = append(changes, SeatChange{SeatID: seat, Status: SeatHeld})
	}
	if replaced != "" {
		for seat, ls := range st.locks {
			if ls.HoldID == replaced && !slices.Contains(seats, seat) {
				changes = append(changes, SeatChange{SeatID: seat, Status: SeatAvailable})
			}
		}
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
