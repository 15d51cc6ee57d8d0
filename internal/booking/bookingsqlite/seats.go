// Package bookingsqlite stores the booking service's data in the embedded SQLite database.
package bookingsqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/marquee-cinema/marquee/internal/booking"
	"github.com/marquee-cinema/marquee/internal/platform/sqlitedb"
)

// seatMigrations is the schema of the seat ground truth: one row per booked seat of a show,
// unique on (show, seat).
var seatMigrations = []string{
	`CREATE TABLE booked_seats (
		show_id TEXT NOT NULL,
		seat_id TEXT NOT NULL,
		booking_id TEXT NOT NULL,
		booked_at INTEGER NOT NULL,
		PRIMARY KEY (show_id, seat_id)
	) WITHOUT ROWID;
	CREATE INDEX booked_seats_booking ON booked_seats (show_id, booking_id);`,
}

// seatCountsChunk bounds the number of show ids per Counts query, well below SQLite's limit on
// bound parameters.
const seatCountsChunk = 500

var _ booking.SeatStore = (*SeatStore)(nil)

// SeatStore is a booking.SeatStore on SQLite. Book runs in one write transaction (the database
// is opened with immediate transactions, so writers are serialised): it reads the seats' records
// and writes the missing ones only when none belongs to another booking.
type SeatStore struct{ db *sql.DB }

// NewSeatStore migrates the seat schema (idempotently) and returns the store.
func NewSeatStore(ctx context.Context, db *sql.DB) (*SeatStore, error) {
	if err := sqlitedb.Migrate(ctx, db, "booking_seats", seatMigrations); err != nil {
		return nil, err
	}
	return &SeatStore{db: db}, nil
}

// Book records every seat of a booking at once, or none.
func (s *SeatStore) Book(ctx context.Context, showID, bookingID string, seatIDs []string, at time.Time) error {
	seats, err := booking.ValidateSeatBooking(showID, bookingID, seatIDs)
	if err != nil {
		return err
	}
	return sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		args := make([]any, 0, len(seats)+1)
		args = append(args, showID)
		for _, seat := range seats {
			args = append(args, seat)
		}
		rows, err := tx.QueryContext(ctx, `SELECT seat_id, booking_id FROM booked_seats
			WHERE show_id = ? AND seat_id IN (`+sqlitedb.Placeholders(len(seats))+`)`, args...)
		if err != nil {
			return fmt.Errorf("read booked seats: %w", err)
		}
		mine := make(map[string]bool, len(seats))
		var taken []string
		for rows.Next() {
			var seat, owner string
			if err := rows.Scan(&seat, &owner); err != nil {
				_ = rows.Close()
				return fmt.Errorf("scan booked seat: %w", err)
			}
			if owner == bookingID {
				mine[seat] = true
			} else {
				taken = append(taken, seat)
			}
		}
		if err := rows.Err(); err != nil {
			_ = rows.Close()
			return fmt.Errorf("read booked seats: %w", err)
		}
		_ = rows.Close()
		if len(taken) > 0 {
			return booking.SeatsAlreadyBooked(taken)
		}
		if len(mine) == len(seats) {
			return nil // an idempotent retry
		}
		bookedAt := at.UnixMilli()
		for _, seat := range seats {
			if mine[seat] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO booked_seats (show_id, seat_id, booking_id, booked_at) VALUES (?, ?, ?, ?)`,
				showID, seat, bookingID, bookedAt); err != nil {
				if sqlitedb.IsUniqueViolation(err) {
					// Only possible when the database was not opened with immediate transactions
					// and another writer slipped in; the transaction rolls back.
					return booking.SeatsAlreadyBooked([]string{seat})
				}
				return fmt.Errorf("insert booked seat: %w", err)
			}
		}
		return nil
	})
}

// Release removes every seat record of the booking for the show and returns the freed seats.
func (s *SeatStore) Release(ctx context.Context, showID, bookingID string) ([]string, error) {
	if err := booking.ValidateShowBooking(showID, bookingID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `DELETE FROM booked_seats WHERE show_id = ? AND booking_id = ? RETURNING seat_id`,
		showID, bookingID)
	if err != nil {
		return nil, fmt.Errorf("release booked seats: %w", err)
	}
	defer rows.Close()
	freed := []string{}
	for rows.Next() {
		var seat string
		if err := rows.Scan(&seat); err != nil {
			return nil, fmt.Errorf("scan released seat: %w", err)
		}
		freed = append(freed, seat)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("release booked seats: %w", err)
	}
	slices.Sort(freed)
	return freed, nil
}

// Seats returns, for a show, booked seat id → booking id.
func (s *SeatStore) Seats(ctx context.Context, showID string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seat_id, booking_id FROM booked_seats WHERE show_id = ?`, showID)
	if err != nil {
		return nil, fmt.Errorf("read booked seats: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var seat, owner string
		if err := rows.Scan(&seat, &owner); err != nil {
			return nil, fmt.Errorf("scan booked seat: %w", err)
		}
		out[seat] = owner
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read booked seats: %w", err)
	}
	return out, nil
}

// Counts returns the number of booked seats of each show among showIDs that has any.
func (s *SeatStore) Counts(ctx context.Context, showIDs []string) (map[string]int, error) {
	out := map[string]int{}
	ids := slices.Clone(showIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for chunk := range slices.Chunk(ids, seatCountsChunk) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := s.countChunk(ctx, out, args); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *SeatStore) countChunk(ctx context.Context, out map[string]int, showIDs []any) error {
	rows, err := s.db.QueryContext(ctx, `SELECT show_id, COUNT(*) FROM booked_seats
		WHERE show_id IN (`+sqlitedb.Placeholders(len(showIDs))+`) GROUP BY show_id`, showIDs...)
	if err != nil {
		return fmt.Errorf("count booked seats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("scan booked seat count: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count booked seats: %w", err)
	}
	return nil
}
