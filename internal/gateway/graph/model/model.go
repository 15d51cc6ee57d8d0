// Package model holds the GraphQL types of the gateway: those gqlgen generates from the schema
// (models_gen.go) and the hand-written ones that carry fields resolvers need but the schema
// does not show.
package model

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

// Theatre is a theatre; its city and screens are resolved on demand.
type Theatre struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	Chain             *string   `json:"chain,omitempty"`
	CityID            string    `json:"-"`
	Address           string    `json:"address"`
	Location          *GeoPoint `json:"location"`
	Amenities         []string  `json:"amenities"`
	Currency          string    `json:"currency"`
	TimeZone          string    `json:"timeZone"`
	ChangeoverMinutes int       `json:"changeoverMinutes"`
	// CancellationCutoffMinutes and RefundFeesOnCancel are the theatre's cancellation policy.
	CancellationCutoffMinutes int      `json:"cancellationCutoffMinutes"`
	RefundFeesOnCancel        bool     `json:"refundFeesOnCancel"`
	DistanceKm                *float64 `json:"distanceKm,omitempty"`
}

// Show is a show; its movie, theatre and screen are resolved on demand (prices come with it).
type Show struct {
	ID             string           `json:"id"`
	MovieID        string           `json:"-"`
	TheatreID      string           `json:"-"`
	ScreenID       string           `json:"-"`
	StartsAt       time.Time        `json:"startsAt"`
	EndsAt         time.Time        `json:"endsAt"`
	BusyUntil      time.Time        `json:"busyUntil"`
	LocalDate      Date             `json:"localDate"`
	LocalTime      string           `json:"localTime"`
	Language       string           `json:"language"`
	Format         string           `json:"format"`
	Currency       string           `json:"-"`
	Prices         []*CategoryPrice `json:"prices"`
	BasePrices     []*CategoryPrice `json:"basePrices"`
	AvailableSeats int              `json:"availableSeats"`
	Status         ShowStatus       `json:"status"`
}

// Hold is a hold; its show is resolved on demand.
type Hold struct {
	ID        string    `json:"id"`
	ShowID    string    `json:"-"`
	SeatIds   []string  `json:"seatIds"`
	ExpiresAt time.Time `json:"expiresAt"`
	Extended  bool      `json:"extended"`
	Quote     *Quote    `json:"quote"`
}

// SeatMap is a show's seat map; its show, categories and hold are resolved on demand.
type SeatMap struct {
	ShowID    string     `json:"showId"`
	TheatreID string     `json:"-"`
	ScreenID  string     `json:"-"`
	Rows      []*SeatRow `json:"rows"`
	HoldID    string     `json:"-"`
}

// Date is a calendar date in YYYY-MM-DD form.
type Date string

// UnmarshalGQL parses a Date literal or variable.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return errs.Invalidf("date", "a Date must be a string in YYYY-MM-DD form")
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return errs.Invalidf("date", "%q is not a date in YYYY-MM-DD form", s)
	}
	*d = Date(s)
	return nil
}

// MarshalGQL writes the date as a JSON string.
func (d Date) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(d)))
}

var _ fmt.Stringer = Date("")

func (d Date) String() string { return string(d) }

// Booking is a booking; its show is resolved on demand.
type Booking struct {
	ID             string        `json:"id"`
	Reference      string        `json:"reference"`
	Status         BookingStatus `json:"status"`
	Reason         *string       `json:"reason,omitempty"`
	ShowID         string        `json:"-"`
	SeatIds        []string      `json:"seatIds"`
	Quote          *Quote        `json:"quote"`
	Total          *Money        `json:"total"`
	Email          string        `json:"email"`
	Name           *string       `json:"name,omitempty"`
	Phone          *string       `json:"phone,omitempty"`
	Guest          bool          `json:"guest"`
	CreatedAt      time.Time     `json:"createdAt"`
	ExpiresAt      time.Time     `json:"expiresAt"`
	ConfirmedAt    *time.Time    `json:"confirmedAt,omitempty"`
	CancelledAt    *time.Time    `json:"cancelledAt,omitempty"`
	Refund         *Money        `json:"refund,omitempty"`
	RefundedAt     *time.Time    `json:"refundedAt,omitempty"`
	Cancellable    bool          `json:"cancellable"`
	CancelDeadline *time.Time    `json:"cancelDeadline,omitempty"`
	PaymentURL     *string       `json:"paymentUrl,omitempty"`
}

// MarshalInt writes an Int as gqlgen does.
func MarshalInt(v int) graphql.Marshaler { return graphql.MarshalInt(v) }

// UnmarshalInt reads an Int argument or variable. The GraphQL Int is 32 bits: gqlgen checks the
// range of literals in a query but not of variables, and a larger value would otherwise wrap
// when the gateway passes it on as an int32.
func UnmarshalInt(v any) (int, error) {
	n, err := graphql.UnmarshalInt32(v)
	if err != nil {
		return 0, errs.Invalidf("int", "an Int must be a whole number from -2147483648 to 2147483647")
	}
	return int(n), nil
}
