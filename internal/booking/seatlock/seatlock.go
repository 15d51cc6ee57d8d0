// Package seatlock is the domain contract of the booking engine's seat locker: short-lived,
// all-or-nothing holds on the seats of a show, and booked marks. It defines the Locker interface,
// its types and options, and the validation every adapter shares; it imports no adapter. The
// adapters keep the state in Redis (package seatlockredis) or in process memory (package
// seatlockmemory, the embedded default). Both have the same semantics, checked by the
// conformance suite in package seatlocktest.
//
// The locker is the fast path only. A seat is booked if and only if the database holds a
// seat-booking record for it; the locker's booked marks mirror those records so that holds on
// booked seats are refused early, and can be rebuilt from the database with MarkBooked.
//
// # Time
//
// Every operation takes the current time as an argument, so tests control it. Times are kept
// with millisecond precision. A hold is live at time now when its expiry is after now and every
// one of its seats still belongs to it. (A seat of an expired hold may be taken by a newer hold;
// the older hold then stays dead even for a caller whose clock lags behind.)
//
// # Expiry
//
// Expired holds release their seats by themselves: Hold, Seats and Counts treat the seats of an
// expired hold as free, and Get, Extend, Release and Consume treat the hold as gone. ExpireDue
// removes expired holds and returns each of them exactly once, so the caller can tell seat-map
// subscribers. An expired hold waits for ExpireDue for at least the grace period (WithGrace,
// one minute by default); after that it may be dropped without being returned, so run
// ExpireDue more often than that (every second is the intent).
package seatlock

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// ClaimPrefix begins the ids of claims: holds a booking takes over from its buyer's hold while its
// seats are written, which the buyer's next hold does not replace.
const ClaimPrefix = "claim:"

// ReasonBookingInProgress is the reason of ErrClaimed.
const ReasonBookingInProgress = "BOOKING_IN_PROGRESS"

// ErrClaimed is Hold's error when the owner's live hold on the show is a claim.
func ErrClaimed() error {
	return errs.E(errs.Conflict, "a booking of yours for this show is being confirmed; try again in a moment").
		WithReason(ReasonBookingInProgress)
}

// Limits.
const (
	// MaxSeatsPerHold is the most seats one hold may cover.
	MaxSeatsPerHold = 10
	// MaxPayload is the largest payload a hold may carry, in bytes.
	MaxPayload = 16 << 10
	// MaxSeatsPerMark is the most seats one MarkBooked or Unbook call may name.
	MaxSeatsPerMark = 5000
	// MaxGuardSeats is the most seats one Guard may name.
	MaxGuardSeats = 1000
	// MaxIDLength is the longest show, hold, owner or seat id, in bytes.
	MaxIDLength = 128
)

// Hold is a set of seats of one show held by one owner until ExpiresAt.
type Hold struct {
	ID        string
	ShowID    string
	OwnerID   string
	SeatIDs   []string // sorted
	ExpiresAt time.Time
	Extended  bool   // extended once already
	Payload   []byte // opaque to the locker (the booking service stores the price quote here), ≤ MaxPayload
}

// SeatState is the state of a taken seat: held by a live hold, or booked.
type SeatState struct {
	HoldID, OwnerID string
	// ExpiresAt is the holding hold's expiry; zero for a booked seat (and for a hold whose
	// expiry an adapter cannot tell).
	ExpiresAt time.Time
	Booked    bool
}

// Guard is what a caller assumed about seats other than the ones it holds when it decided to
// hold them: the orphan-seat rule, for one, depends on the rest of the row. Free seats must be
// free for the hold's owner (neither booked nor held by a live hold of another owner; the
// owner's own hold counts as free, since the new hold replaces it) and Taken seats must be
// booked or held by another owner. The zero Guard assumes nothing.
type Guard struct{ Free, Taken []string }

// Len is the number of guarded seats.
func (g Guard) Len() int { return len(g.Free) + len(g.Taken) }

// GuardError is Locker.Hold's error when a guarded seat is not as the Guard assumed: nothing
// was held. States are the current states of the guarded seats that are taken, as Peek
// returns them (a guarded seat not in States is free), so the caller can decide again.
type GuardError struct{ States map[string]SeatState }

func (e *GuardError) Error() string { return "seat locker: guarded seats changed" }

// HoldResult is what Locker.Hold did besides holding the seats.
type HoldResult struct {
	// Replaced is the id of the owner's earlier hold on the show that the new hold replaced, or "".
	Replaced string
	// Freed are the seats of the replaced hold that the new hold does not cover, sorted.
	Freed []string
}

// Counts is the number of held and booked seats of a show.
type Counts struct{ Held, Booked int }

// Locker holds and books seats. Every method may also fail with errs.Unavailable when the
// backing store cannot be reached, and errs.Invalid for malformed ids (empty, longer than
// MaxIDLength, or containing control characters or any of `{ } | ,`).
type Locker interface {
	// Hold atomically holds every seat of h for h.OwnerID until h.ExpiresAt, or none. An owner has at
	// most one hold per show: an existing live hold of the same owner on the same show is replaced
	// atomically (its seats released) and reported in the result. Seats held by another live hold,
	// or marked booked, make the whole call fail with errs.SeatUnavailable whose Details["seats"] lists
	// the unavailable seat ids comma-separated (sorted). The caller's own old hold's seats count as free.
	// The seat ids may come in any order; they are stored sorted. When the seats are available but
	// a seat of g is not as g assumes, it fails with a *GuardError, in the same atomic step.
	//
	// A claim — a live hold whose id begins with ClaimPrefix — is not replaced: a new hold of its
	// owner on the show is refused with ErrClaimed while it lives.
	//
	// Errors: errs.Invalid (no seats, duplicate seats, more than MaxSeatsPerHold, ExpiresAt ≤ now,
	// empty owner or hold id, payload over MaxPayload, more than MaxGuardSeats guarded seats or
	// a guarded seat that is also held or guarded twice); errs.Conflict when a hold with h.ID
	// exists, or ErrClaimed; errs.SeatUnavailable; *GuardError.
	Hold(ctx context.Context, h Hold, g Guard, now time.Time) (HoldResult, error)
	// Get returns a live hold. NotFound when it does not exist, was released, or has expired.
	Get(ctx context.Context, showID, holdID string, now time.Time) (Hold, error)
	// Extend moves a live hold's expiry to newExpiry once. NotFound for someone else's or an unknown hold
	// (do not reveal it exists); errs.HoldExpired when it expired; errs.Conflict when already extended;
	// errs.Invalid when newExpiry is not after the current expiry.
	Extend(ctx context.Context, showID, holdID, ownerID string, newExpiry, now time.Time) (Hold, error)
	// Release frees a live hold's seats and returns the hold. NotFound for someone else's, unknown
	// or expired hold.
	Release(ctx context.Context, showID, holdID, ownerID string, now time.Time) (Hold, error)
	// Consume removes a live hold and marks its seats booked, atomically (used when a booking is
	// confirmed while the hold still exists), and returns the hold. NotFound when the hold is gone.
	// The booked marks are kept for the booked retention (WithBookedRetention); MarkBooked the
	// seats with the show's bound to keep them exactly as long as needed.
	Consume(ctx context.Context, showID, holdID string, now time.Time) (Hold, error)
	// MarkBooked marks seats booked (e.g. after confirming a booking whose hold had expired, or to
	// rebuild after a Redis restart), releasing any live hold that covers them (return those holds
	// so seat-map subscribers can be told). bookedUntil bounds how long the marks are kept (e.g.
	// show end + 1 day), so nothing is left behind. Seats already booked stay booked; duplicate ids
	// are ignored; no seats is a no-op.
	//
	// Errors: errs.Invalid when bookedUntil ≤ now or more than MaxSeatsPerMark seats are named.
	MarkBooked(ctx context.Context, showID string, seatIDs []string, bookedUntil, now time.Time) (releasedHolds []Hold, err error)
	// Unbook removes booked marks (after a cancellation/refund) so the seats can be held again.
	// Seats that are not booked are ignored.
	Unbook(ctx context.Context, showID string, seatIDs []string) error
	// Peek returns the states of the named seats of a show that are taken (held by a live hold,
	// or booked), like Seats restricted to them, for at most MaxSeatsPerMark seats.
	Peek(ctx context.Context, showID string, seatIDs []string, now time.Time) (map[string]SeatState, error)
	// Seats returns the state of a show's taken seats: seat id → the live hold holding it (HoldID, OwnerID),
	// or Booked. Seats not in the map are free (as far as the locker knows).
	Seats(ctx context.Context, showID string, now time.Time) (map[string]SeatState, error)
	// Counts returns per show the number of held and booked seats, for many shows in one call.
	// Every requested show has an entry.
	Counts(ctx context.Context, showIDs []string, now time.Time) (map[string]Counts, error)
	// ExpireDue removes holds whose expiry is ≤ now, across all shows, at most limit of them, and returns
	// them (so the service can push seat-map updates within a second of expiry). Safe to call from
	// several processes at once: each expired hold is returned exactly once overall.
	ExpireDue(ctx context.Context, now time.Time, limit int) ([]Hold, error)
}

// Option tunes an adapter.
type Option func(*Options)

// Options are an adapter's settings, built by BuildOptions from the With… options. Adapters
// read them; callers change them only through Option values.
type Options struct {
	// Grace is how long an expired hold waits for ExpireDue before it may be dropped (WithGrace).
	Grace time.Duration
	// BookedFor is how long the booked marks written by Consume are kept (WithBookedRetention).
	BookedFor time.Duration
	// ClaimLease is how long the Redis adapter's ExpireDue owns the due entries it claims
	// (WithClaimLease).
	ClaimLease time.Duration
	// ReapLimit is the most expired holds one Hold call cleans up on the side.
	ReapLimit int
}

// DefaultOptions returns the settings no Option has changed.
func DefaultOptions() Options {
	return Options{Grace: time.Minute, BookedFor: 7 * 24 * time.Hour, ClaimLease: 30 * time.Second, ReapLimit: 8}
}

// BuildOptions applies opts, in order, to DefaultOptions; adapters' constructors call it.
func BuildOptions(opts []Option) Options {
	o := DefaultOptions()
	for _, f := range opts {
		f(&o)
	}
	return o
}

// WithGrace sets how long an expired hold waits for ExpireDue before it may be dropped without
// being returned; in Redis it is also the slack added to every key's TTL. Default one minute.
func WithGrace(d time.Duration) Option {
	return func(o *Options) {
		if d > 0 {
			o.Grace = d
		}
	}
}

// WithBookedRetention sets how long the booked marks written by Consume are kept at least
// (Consume has no bookedUntil). Default 7 days. Marks are kept for the longest bound any call
// gave, so a MarkBooked with the show's own bound after Consume can lengthen the time but not
// shorten it: keep this short when the caller does that.
func WithBookedRetention(d time.Duration) Option {
	return func(o *Options) {
		if d > 0 {
			o.BookedFor = d
		}
	}
}

// WithClaimLease sets how long the Redis adapter's ExpireDue owns the due entries it claims: if
// the claiming process dies before finishing, another caller picks them up after the lease.
// Default 30 seconds.
func WithClaimLease(d time.Duration) Option {
	return func(o *Options) {
		if d > 0 {
			o.ClaimLease = d
		}
	}
}

// ValidateID checks a show, hold, owner or seat id and returns errs.Invalid naming field when it
// is empty, longer than MaxIDLength, or contains a control character or any of `{ } | ,`. The
// forbidden characters keep Redis keys, hash tags and the internal record encoding unambiguous.
func ValidateID(field, id string) error {
	if id == "" {
		return errs.Invalidf(field, "%s is required", field)
	}
	if len(id) > MaxIDLength {
		return errs.Invalidf(field, "%s is longer than %d bytes", field, MaxIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c < 0x20 || c == 0x7f || c == '{' || c == '}' || c == '|' || c == ',' {
			return errs.Invalidf(field, "%s contains a forbidden character", field)
		}
	}
	return nil
}

// CheckHold validates h for Locker.Hold at time now (ids, seat count, duplicate seats, expiry,
// payload size) and returns its seats sorted (a copy). Errors are errs.Invalid.
func CheckHold(h Hold, now time.Time) ([]string, error) {
	if err := ValidateID("showId", h.ShowID); err != nil {
		return nil, err
	}
	if err := ValidateID("holdId", h.ID); err != nil {
		return nil, err
	}
	if err := ValidateID("ownerId", h.OwnerID); err != nil {
		return nil, err
	}
	if len(h.SeatIDs) == 0 {
		return nil, errs.Invalidf("seatIds", "at least one seat is required")
	}
	if len(h.SeatIDs) > MaxSeatsPerHold {
		return nil, errs.Invalidf("seatIds", "at most %d seats can be held at once", MaxSeatsPerHold)
	}
	seats := slices.Clone(h.SeatIDs)
	slices.Sort(seats)
	for i, s := range seats {
		if err := ValidateID("seatIds", s); err != nil {
			return nil, err
		}
		if i > 0 && seats[i-1] == s {
			return nil, errs.Invalidf("seatIds", "seat %s is listed twice", s)
		}
	}
	if ms(h.ExpiresAt) <= ms(now) {
		return nil, errs.Invalidf("expiresAt", "expiry must be in the future")
	}
	if len(h.Payload) > MaxPayload {
		return nil, errs.Invalidf("payload", "payload is larger than %d bytes", MaxPayload)
	}
	return seats, nil
}

// CheckGuard validates g for Locker.Hold of the sorted seats: at most MaxGuardSeats valid ids,
// none of them named twice or among the held seats. Errors are errs.Invalid.
func CheckGuard(g Guard, seats []string) error {
	if g.Len() == 0 {
		return nil
	}
	if g.Len() > MaxGuardSeats {
		return errs.Invalidf("guard", "at most %d guarded seats", MaxGuardSeats)
	}
	seen := make(map[string]struct{}, g.Len())
	for _, list := range [][]string{g.Free, g.Taken} {
		for _, s := range list {
			if err := ValidateID("guard", s); err != nil {
				return err
			}
			if _, dup := seen[s]; dup {
				return errs.Invalidf("guard", "seat %s is guarded twice", s)
			}
			if _, held := slices.BinarySearch(seats, s); held {
				return errs.Invalidf("guard", "seat %s is both held and guarded", s)
			}
			seen[s] = struct{}{}
		}
	}
	return nil
}

// CheckSeatList validates the show and seats of Locker.MarkBooked and Locker.Unbook (at most
// MaxSeatsPerMark) and returns the seats sorted and deduplicated (a copy). Errors are errs.Invalid.
func CheckSeatList(showID string, seatIDs []string) ([]string, error) {
	if err := ValidateID("showId", showID); err != nil {
		return nil, err
	}
	if len(seatIDs) > MaxSeatsPerMark {
		return nil, errs.Invalidf("seatIds", "at most %d seats at once", MaxSeatsPerMark)
	}
	for _, s := range seatIDs {
		if err := ValidateID("seatIds", s); err != nil {
			return nil, err
		}
	}
	seats := slices.Clone(seatIDs)
	slices.Sort(seats)
	return slices.Compact(seats), nil
}

// CheckShowHold validates the show and hold ids of a call on one hold (ValidateID).
func CheckShowHold(showID, holdID string) error {
	if err := ValidateID("showId", showID); err != nil {
		return err
	}
	return ValidateID("holdId", holdID)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// Unavailable returns the errs.SeatUnavailable error of Locker.Hold for the given seats (sorted
// by the caller), listed comma-separated in the message and in Details["seats"].
func Unavailable(seats []string) error {
	list := strings.Join(seats, ",")
	return errs.E(errs.SeatUnavailable, "seats not available: %s", list).WithDetail("seats", list)
}

// HoldNotFound returns the errs.NotFound error of a hold that does not exist, is not the
// caller's, or is no longer live.
func HoldNotFound() error { return errs.NotFoundf("hold not found") }
