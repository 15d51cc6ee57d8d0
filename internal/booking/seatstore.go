package booking

import (
	"context"
	"time"
)

// SeatStore is the seat ground truth: a seat of a show is booked if and only if the store holds a
// record of it, unique on (show, seat). Holds in the locker are only the fast path; a lost,
// expired or forged hold can never make the store book a seat twice.
type SeatStore interface {
	// Book records every seat of a booking at once, or none. When every seat is already recorded
	// for the same booking it succeeds again (idempotent retry). When any seat is recorded for
	// another booking it returns errs.SeatUnavailable with Details["seats"] listing those seats
	// (sorted, comma-separated) and records nothing. Invalid for an empty or duplicate seat list.
	Book(ctx context.Context, showID, bookingID string, seatIDs []string, at time.Time) error
	// Release removes every seat record of the booking for the show and returns the seats it
	// freed (sorted); releasing again frees nothing.
	Release(ctx context.Context, showID, bookingID string) ([]string, error)
	// Seats returns, for a show, booked seat id → booking id.
	Seats(ctx context.Context, showID string) (map[string]string, error)
	// Counts returns the number of booked seats of each show among showIDs (absent: none).
	Counts(ctx context.Context, showIDs []string) (map[string]int, error)
}
