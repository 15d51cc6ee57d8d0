// Package show schedules movies on screens: shows (movie × screen × start time × language ×
// format), their base prices per seat category, the per-theatre pricing rules that turn base prices
// into current prices, and discovery of shows by city, place and date. Adapters live in
// sub-packages.
package show

import (
	"context"
	"time"
)

// Status is a show's life-cycle state.
type Status string

// The statuses.
const (
	StatusScheduled Status = "SCHEDULED"
	StatusCancelled Status = "CANCELLED"
)

// CategoryPrice is the price of one seat of a category, in minor units of the show's currency.
type CategoryPrice struct {
	Category string
	// Name is the category's display name on the screen ("Recliner"), kept with the show so that
	// listings need not load layouts.
	Name   string
	Amount int64
}

// Show is one screening.
type Show struct {
	ID        string
	MovieID   string
	TheatreID string
	ScreenID  string
	CityID    string
	// StartsAt and EndsAt are UTC. EndsAt includes the theatre's changeover buffer: the screen is
	// busy until then.
	StartsAt       time.Time
	EndsAt         time.Time
	RuntimeMinutes int
	// LocalDate (YYYY-MM-DD) and LocalTime (HH:MM) are the start in the theatre's time zone.
	LocalDate     string
	LocalTime     string
	TimeZone      string
	Language      string
	Format        string
	Currency      string
	BasePrices    []CategoryPrice
	SellableSeats int
	Status        Status
	BatchID       string
	CreatedAt     time.Time
	CancelledAt   time.Time // zero unless cancelled
}

// Bookable reports whether seats of the show may be sold at now.
func (s *Show) Bookable(now time.Time) bool {
	return s.Status == StatusScheduled && now.Before(s.StartsAt)
}

// BasePrice returns the base price of a category and whether the show sells it.
func (s *Show) BasePrice(category string) (int64, bool) {
	for _, p := range s.BasePrices {
		if p.Category == category {
			return p.Amount, true
		}
	}
	return 0, false
}

// Overlaps reports whether two busy intervals [start, end) intersect.
func Overlaps(aStart, aEnd, bStart, bEnd time.Time) bool {
	return aStart.Before(bEnd) && bStart.Before(aEnd)
}

// Query selects shows for discovery. Empty fields select everything; at least MovieID or a
// theatre/screen restriction is set by callers.
type Query struct {
	MovieID    string
	CityID     string
	TheatreIDs []string // nil: any theatre
	LocalDate  string
	Language   string
	Format     string
	// StartsAfter keeps shows that start strictly after it (zero: any).
	StartsAfter time.Time
	// IncludeCancelled keeps cancelled shows.
	IncludeCancelled bool
}

// Batch records a scheduling request by its client-supplied idempotency key.
type Batch struct {
	ID        string
	Key       string
	ScreenID  string
	ShowIDs   []string
	CreatedAt time.Time
}

// Repository stores shows.
type Repository interface {
	// CreateBatch stores shows of one screen atomically with respect to other batches of that
	// screen: it loads the scheduled shows of screenID whose busy interval meets [from, to),
	// passes them to check, and stores the shows (and the batch, when batch.Key is set) only when
	// check returns nil. check's error is returned unchanged and nothing is stored. Conflict when
	// batch.Key was used before.
	CreateBatch(ctx context.Context, screenID string, from, to time.Time, batch Batch, shows []Show, check func(existing []Show) error) error
	// BatchByKey returns the batch stored under an idempotency key. NotFound when none.
	BatchByKey(ctx context.Context, key string) (Batch, error)
	// Get returns a show. NotFound when missing.
	Get(ctx context.Context, id string) (Show, error)
	// GetMany returns the shows among ids that exist.
	GetMany(ctx context.Context, ids []string) ([]Show, error)
	// Find returns the shows matching q, by start time then id.
	Find(ctx context.Context, q Query) ([]Show, error)
	// OnScreen returns the scheduled shows of a screen whose busy interval meets [from, to).
	OnScreen(ctx context.Context, screenID string, from, to time.Time) ([]Show, error)
	// LocalDates returns the distinct local dates of scheduled shows of a movie in a city that
	// start after t, in order, each with the start of its last show.
	LocalDates(ctx context.Context, movieID, cityID string, after time.Time) ([]DateSpan, error)
	// MovieIDs returns the distinct movies with scheduled shows in a city that start after t.
	MovieIDs(ctx context.Context, cityID string, after time.Time) ([]string, error)
	// Cancel marks a show cancelled at t and reports whether this call changed it: cancelling a
	// cancelled show changes nothing and reports false, so that of racing calls exactly one sees
	// true. NotFound when missing.
	Cancel(ctx context.Context, id string, at time.Time) (Show, bool, error)
}

// PricingRepository stores each theatre's pricing rules.
type PricingRepository interface {
	// Get returns a theatre's rules; NotFound when it has none.
	Get(ctx context.Context, theatreID string) (Rules, error)
	// GetMany returns the rules of those of theatreIDs that have rules, by theatre id; a theatre
	// without rules is missing from the map. At most 1000 ids.
	GetMany(ctx context.Context, theatreIDs []string) (map[string]Rules, error)
	// Put replaces a theatre's rules.
	Put(ctx context.Context, theatreID string, r Rules) error
}

// SeatCounts is how many seats of a show are taken.
type SeatCounts struct {
	Held   int
	Booked int
}

// Occupancy reports taken seats per show. The booking service provides it; until it runs, every
// show is empty.
type Occupancy interface {
	Counts(ctx context.Context, showIDs []string) (map[string]SeatCounts, error)
}

// NoOccupancy is an Occupancy for which every show is empty.
type NoOccupancy struct{}

// Counts returns no taken seats.
func (NoOccupancy) Counts(context.Context, []string) (map[string]SeatCounts, error) {
	return map[string]SeatCounts{}, nil
}
