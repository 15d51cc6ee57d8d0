package booking

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
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

// ValidateSeatBooking validates SeatStore.Book's arguments and returns the seats sorted (a copy).
func ValidateSeatBooking(showID, bookingID string, seatIDs []string) ([]string, error) {
	if err := ValidateShowBooking(showID, bookingID); err != nil {
		return nil, err
	}
	if len(seatIDs) == 0 {
		return nil, errs.Invalidf("seatIds", "at least one seat is required")
	}
	seats := slices.Clone(seatIDs)
	slices.Sort(seats)
	for i, seat := range seats {
		if seat == "" {
			return nil, errs.Invalidf("seatIds", "seat ids must not be empty")
		}
		// The seats of a SeatUnavailable error are listed comma-separated.
		if strings.Contains(seat, ",") {
			return nil, errs.Invalidf("seatIds", "seat id %q contains a comma", seat)
		}
		if i > 0 && seats[i-1] == seat {
			return nil, errs.Invalidf("seatIds", "seat %s is listed twice", seat)
		}
	}
	return seats, nil
}

// ValidateShowBooking checks the show and booking ids of a SeatStore call.
func ValidateShowBooking(showID, bookingID string) error {
	if showID == "" {
		return errs.Invalidf("showId", "showId is required")
	}
	if bookingID == "" {
		return errs.Invalidf("bookingId", "bookingId is required")
	}
	return nil
}

// SeatsAlreadyBooked is SeatStore.Book's error for seats recorded for another booking.
func SeatsAlreadyBooked(seats []string) error {
	seats = slices.Clone(seats)
	slices.Sort(seats)
	list := strings.Join(seats, ",")
	return errs.E(errs.SeatUnavailable, "seats %s are already booked", list).WithDetail("seats", list)
}
