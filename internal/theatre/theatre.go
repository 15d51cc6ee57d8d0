// Package theatre holds cities, theatres, their screens and seat layouts: the rules for valid
// ones, the repositories the service needs, and the service itself. Adapters live in sub-packages.
package theatre

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// GeoPoint is a position in degrees (WGS 84).
type GeoPoint struct {
	Lat float64
	Lng float64
}

// Validate checks the point's range; field names the input.
func (p GeoPoint) Validate(field string) error {
	if p.Lat != p.Lat || p.Lat < -90 || p.Lat > 90 { // p.Lat != p.Lat catches NaN
		return errs.Invalidf(field+".lat", "latitude %v is out of range [-90, 90]", p.Lat)
	}
	if p.Lng != p.Lng || p.Lng < -180 || p.Lng > 180 {
		return errs.Invalidf(field+".lng", "longitude %v is out of range [-180, 180]", p.Lng)
	}
	return nil
}

// City is a place where theatres are.
type City struct {
	ID       string
	Name     string
	State    string
	Country  string // ISO 3166-1 alpha-2
	TimeZone string // IANA name
	Location GeoPoint
}

// Validate checks a city.
func (c *City) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "" || utf8.RuneCountInString(c.Name) > 100:
		return errs.Invalidf("name", "city name is required and at most 100 characters")
	case len(c.Country) != 2:
		return errs.Invalidf("country", "country must be an ISO 3166-1 alpha-2 code")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		return errs.Invalidf("timeZone", "unknown time zone %q", c.TimeZone)
	}
	return c.Location.Validate("location")
}

// Theatre is a cinema building with screens.
type Theatre struct {
	ID                string
	Name              string
	Chain             string
	CityID            string
	Address           string
	Location          GeoPoint
	Amenities         []string
	Currency          string // ISO 4217
	TimeZone          string // IANA name; defaults to the city's
	ChangeoverMinutes int    // cleaning buffer between shows on a screen
	// AllowOrphanSeats turns off the rule that refuses selections leaving a single seat alone.
	AllowOrphanSeats bool
	// CancellationCutoffMinutes is how long before a show customers may still cancel (0: the
	// default, DefaultCancellationCutoffMinutes); RefundFeesOnCancel refunds the convenience fee
	// and its tax too (the ticket price always is).
	CancellationCutoffMinutes int
	RefundFeesOnCancel        bool
	CreatedAt                 time.Time
}

// DefaultCancellationCutoffMinutes is the cancellation cut-off of theatres that set none.
const DefaultCancellationCutoffMinutes = 120

// DefaultChangeoverMinutes is used when a theatre does not set its own buffer.
const DefaultChangeoverMinutes = 15

// Validate checks a theatre, filling defaults.
func (t *Theatre) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	t.Address = strings.TrimSpace(t.Address)
	t.Currency = strings.ToUpper(strings.TrimSpace(t.Currency))
	if t.Currency == "" {
		t.Currency = "INR"
	}
	if t.CancellationCutoffMinutes == 0 {
		t.CancellationCutoffMinutes = DefaultCancellationCutoffMinutes
	}
	switch {
	case t.Name == "" || utf8.RuneCountInString(t.Name) > 120:
		return errs.Invalidf("name", "theatre name is required and at most 120 characters")
	case t.Address == "" || utf8.RuneCountInString(t.Address) > 300:
		return errs.Invalidf("address", "address is required and at most 300 characters")
	case len(t.Currency) != 3 || strings.IndexFunc(t.Currency, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0:
		return errs.Invalidf("currency", "currency must be an ISO 4217 code such as INR")
	case t.ChangeoverMinutes < 0 || t.ChangeoverMinutes > 120:
		return errs.Invalidf("changeoverMinutes", "changeoverMinutes must be between 0 and 120")
	case t.CancellationCutoffMinutes < 0 || t.CancellationCutoffMinutes > 7*24*60:
		return errs.Invalidf("cancellationCutoffMinutes", "cancellationCutoffMinutes must be between 1 and 10080 (a week)")
	case len(t.Amenities) > 30:
		return errs.Invalidf("amenities", "at most 30 amenities")
	}
	if _, err := time.LoadLocation(t.TimeZone); err != nil || t.TimeZone == "" {
		return errs.Invalidf("timeZone", "unknown time zone %q", t.TimeZone)
	}
	return t.Location.Validate("location")
}

// Screen is an auditorium of a theatre.
type Screen struct {
	ID        string
	TheatreID string
	Name      string
	Formats   []string
	Layout    Layout
	// BestView is where best-available selection aims; nil for the default (centre, a third of
	// the way from the back).
	BestView  *BestView
	CreatedAt time.Time
}

// BestView is a point of a hall as fractions: RowFraction 0 is the back row and 1 the front
// row; ColumnFraction 0 is the left end of a row and 1 its right end.
type BestView struct {
	RowFraction    float64
	ColumnFraction float64
}

// Validate checks the fractions.
func (b *BestView) Validate() error {
	if b == nil {
		return nil
	}
	if !(b.RowFraction >= 0 && b.RowFraction <= 1) || !(b.ColumnFraction >= 0 && b.ColumnFraction <= 1) {
		return errs.Invalidf("bestView", "bestView fractions must be between 0 and 1")
	}
	return nil
}

// SeatCount is the number of seats in the screen's layout, blocked ones included.
func (s *Screen) SeatCount() int { return s.Layout.SeatCount() }

// CityRepository stores cities.
type CityRepository interface {
	// Create stores a city. Conflict when the id exists.
	Create(ctx context.Context, c City) error
	// Get returns a city. NotFound when missing.
	Get(ctx context.Context, id string) (City, error)
	// List returns every city, by name.
	List(ctx context.Context) ([]City, error)
}

// BoundingBox is a latitude/longitude rectangle, used to narrow a "near" search before exact
// great-circle distances are computed.
type BoundingBox struct {
	MinLat, MaxLat, MinLng, MaxLng float64
}

// TheatreRepository stores theatres.
type TheatreRepository interface {
	// Create stores a theatre. Conflict when the id exists.
	Create(ctx context.Context, t Theatre) error
	// Get returns a theatre. NotFound when missing.
	Get(ctx context.Context, id string) (Theatre, error)
	// GetMany returns the theatres that exist among ids, in no particular order.
	GetMany(ctx context.Context, ids []string) ([]Theatre, error)
	// ListByCity returns a city's theatres, by name.
	ListByCity(ctx context.Context, cityID string) ([]Theatre, error)
	// ListInBox returns the theatres whose location lies in the box (edges included), in no
	// particular order. A box never crosses the antimeridian; callers split it.
	ListInBox(ctx context.Context, box BoundingBox) ([]Theatre, error)
	// Count returns how many theatres exist.
	Count(ctx context.Context) (int, error)
}

// ScreenRepository stores screens with their layouts.
type ScreenRepository interface {
	// Create stores a screen. Conflict when the id exists or the theatre already has a screen
	// of that name.
	Create(ctx context.Context, s Screen) error
	// Get returns a screen. NotFound when missing.
	Get(ctx context.Context, id string) (Screen, error)
	// ListByTheatres returns the screens of the given theatres, by theatre then name.
	ListByTheatres(ctx context.Context, theatreIDs []string) ([]Screen, error)
	// Update loads a screen, applies fn and stores the result atomically. NotFound when missing.
	Update(ctx context.Context, id string, fn func(*Screen) error) (Screen, error)
}
